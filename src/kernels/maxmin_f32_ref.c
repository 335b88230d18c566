/* SPDX-License-Identifier: Apache-2.0 */
/* MAXIMUM / MINIMUM float32 with broadcasting: TFLite's el1 > el2 ? el1 : el2 (MAXIMUM) and
 * el1 < el2 ? el1 : el2 (MINIMUM), so a NaN in the first input yields the second. */
#include "pml_kernels.h"

void pml_maxmin_f32_ref(bool is_max, const pml_bcast5 *b, const float *in1, const float *in2, float *out) {
    pml_bcast_iter it;
    const size_t n = pml__bcast_begin(&it, b);
    for (size_t o = 0; o < n; o++, pml__bcast_next(&it)) {
        const float x = in1[it.i1], y = in2[it.i2];
        out[o] = is_max ? (x > y ? x : y) : (x < y ? x : y);
    }
}
