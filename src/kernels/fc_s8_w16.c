/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FULLY_CONNECTED int8 on offline-packed weights (src/format/pml_packed.h, kind
 * PML_PACKED_FC_W16X4): int16 weights in blocks of 4 rows, bias with the input offset folded in.
 * Portable C twin of the DSP kernel (src/kernels/armv7em/fc_s8_dsp_w16.c), same loop order:
 *   acc[u] = bias'[u] + sum_d in[d] * w[u][d]   (modulo 2^32, as the reference's int32 sum)
 * which equals the reference's bias[u] + sum_d (in[d] + input_offset) * w[u][d] modulo 2^32.
 */
#include "conv_s8_loops.h"
#include "pml_kernels.h"

void pml_fc_s8_w16_c(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth, int32_t units,
                     const int8_t *in, const int32_t *bias, const int16_t *w, int8_t *out) {
    const int32_t ng = (depth + 3) >> 2;
    for (int32_t b = 0; b < batches; b++, in += depth, out += units) {
        const int16_t *wb = w;
        for (int32_t u0 = 0; u0 < units; u0 += 4) {
            uint32_t a[4];
            for (int32_t r = 0; r < 4; r++) a[r] = (uint32_t)bias[u0 + r];
            for (int32_t g = 0; g < ng; g++, wb += 16) {
                int32_t x[4];
                for (int32_t j = 0; j < 4; j++) x[j] = 4 * g + j < depth ? in[4 * g + j] : 0;
                for (int32_t r = 0; r < 4; r++) {
                    const int16_t *wr = wb + 4 * r;
                    a[r] += (uint32_t)(x[0] * wr[0] + x[2] * wr[1] + x[1] * wr[2] + x[3] * wr[3]);
                }
            }
            for (int32_t r = 0; r < 4 && u0 + r < units; r++)
                out[u0 + r] = pml__requant_clamp((int32_t)a[r], q, u0 + r, p->output_offset, p->act_min, p->act_max);
        }
    }
}
