/* SPDX-License-Identifier: Apache-2.0 */
/* LEAKY_RELU int8 (TFLite reference_ops::QuantizeLeakyRelu): the input offset from its zero point
 * is requantized with the identity multiplier when >= 0 and the alpha multiplier otherwise. */
#include "pml_kernels.h"

void pml_leaky_relu_s8_ref(const pml_leaky_relu_params *p, size_t n, const int8_t *in, int8_t *out) {
    for (size_t i = 0; i < n; i++) {
        const int32_t d = (int32_t)in[i] - p->input_zp;
        const int32_t v = p->output_zp + (d >= 0 ? pml__mbqm(d, p->identity_mult, p->identity_shift)
                                                 : pml__mbqm(d, p->alpha_mult, p->alpha_shift));
        out[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
    }
}
