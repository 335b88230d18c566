/* SPDX-License-Identifier: Apache-2.0 */
/* PRELU float32 (TFLite BroadcastPrelu4DSlowFloat): x >= 0 ? x : x * alpha, alpha broadcast. */
#include "pml_kernels.h"

void pml_prelu_f32_ref(const pml_bcast5 *b, const float *in, const float *alpha, float *out) {
    pml_bcast_iter it;
    const size_t n = pml__bcast_begin(&it, b);
    for (size_t o = 0; o < n; o++, pml__bcast_next(&it)) {
        const float x = in[it.i1];
        out[o] = x >= 0.0f ? x : x * alpha[it.i2];
    }
}
