/* SPDX-License-Identifier: Apache-2.0 */
/* HARD_SWISH float32: x * min(6, max(0, x + 3)) / 6, in TFLite's order of operations. */
#include "pml_kernels.h"

void pml_hard_swish_f32_ref(size_t n, const float *in, float *out) {
    for (size_t i = 0; i < n; i++) {
        const float x = in[i];
        float r = x + 3.0f;
        r = r > 0.0f ? r : 0.0f;
        r = r < 6.0f ? r : 6.0f;
        out[i] = x * r / 6.0f;
    }
}
