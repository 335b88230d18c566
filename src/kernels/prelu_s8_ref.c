/* SPDX-License-Identifier: Apache-2.0 */
/* PRELU int8 (TFLite reference_ops::BroadcastPrelu4DSlow, generalised to 5-D): a non-negative
 * input offset is requantized with the identity multiplier; a negative one is first multiplied by
 * the alpha offset (|product| <= 255 * 255) and requantized with the alpha multiplier. */
#include "pml_kernels.h"

void pml_prelu_s8_ref(const pml_prelu_params *p, const pml_bcast5 *b, const int8_t *in, const int8_t *alpha,
                      int8_t *out) {
    pml_bcast_iter it;
    const size_t n = pml__bcast_begin(&it, b);
    for (size_t o = 0; o < n; o++, pml__bcast_next(&it)) {
        const int32_t d = (int32_t)in[it.i1] - p->input_zp;
        int32_t v;
        if (d >= 0) {
            v = pml__mbqm(d, p->identity_mult, p->identity_shift);
        } else {
            const int32_t a = (int32_t)alpha[it.i2] - p->alpha_zp;
            v = pml__mbqm(d * a, p->alpha_mult, p->alpha_shift);
        }
        v += p->output_zp;
        out[o] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
    }
}
