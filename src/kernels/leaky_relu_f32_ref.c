/* SPDX-License-Identifier: Apache-2.0 */
/* LEAKY_RELU float32 (TFLite reference_ops::LeakyRelu): x > 0 ? x : x * alpha. */
#include "pml_kernels.h"

void pml_leaky_relu_f32_ref(float alpha, size_t n, const float *in, float *out) {
    for (size_t i = 0; i < n; i++) out[i] = in[i] > 0.0f ? in[i] : in[i] * alpha;
}
