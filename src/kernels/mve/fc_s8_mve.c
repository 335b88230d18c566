/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FULLY_CONNECTED int8, Arm Helium (symmetric weights, weights_offset == 0).
 *
 * Four units (weight rows) per pass over the input row: per 16 inputs one input load shared by the
 * four rows, then per row one weight load, one VMLADAVA (16 MACs into a scalar) and one VADDVA (the
 * row sum, times input_offset at the end): 13 instructions for 64 MACs. A depth that is not a
 * multiple of 16 ends with one tail-predicated step. Requantization of the four outputs in one
 * vector (pml__mbqm_mve), stored with a lane predicate when fewer than four units remain. No scratch.
 */
#include "pml_mve.h"

bool pml_fc_s8_mve_applies(const pml_fc_params *p) { return p->weights_offset == 0; }

void pml_fc_s8_mve(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth, int32_t units,
                   const int8_t *in, const int8_t *w, const int32_t *bias, int8_t *out) {
    const int32_t off = p->input_offset, ooff = p->output_offset, lo = p->act_min, hi = p->act_max;
    for (int32_t b = 0; b < batches; b++, in += depth, out += units) {
        for (int32_t u = 0; u < units; u += 4) {
            const int32_t n = units - u < 4 ? units - u : 4;
            const int8_t *r0 = w + (size_t)u * (size_t)depth;
            /* rows past the last unit repeat row 0: computed, never stored */
            const int8_t *r1 = n > 1 ? r0 + depth : r0, *r2 = n > 2 ? r0 + 2 * depth : r0,
                         *r3 = n > 3 ? r0 + 3 * depth : r0;
            int32x4_t sums;
            const int32x4_t dots = pml__dot4_s8_mve(in, r0, r1, r2, r3, depth, &sums);
            const mve_pred16_t p32 = vctp32q((uint32_t)n);
            const pml__rq4 r = pml__rq4_load(q, u, p32);
            const int32x4_t acc = vaddq_s32(vmlaq_n_s32(dots, sums, off), pml__bias4_mve(bias, u, p32));
            pml__rq4_store(out + u, acc, &r, ooff, lo, hi, p32);
        }
    }
}
