/* SPDX-License-Identifier: Apache-2.0 */
/* MAXIMUM / MINIMUM int8 with broadcasting (TFLite MaximumMinimumBroadcastSlow): the raw codes are
 * compared, which is the real comparison because inputs and output share one quantization. */
#include "pml_kernels.h"

void pml_maxmin_s8_ref(bool is_max, const pml_bcast5 *b, const int8_t *in1, const int8_t *in2, int8_t *out) {
    pml_bcast_iter it;
    const size_t n = pml__bcast_begin(&it, b);
    for (size_t o = 0; o < n; o++, pml__bcast_next(&it)) {
        const int8_t x = in1[it.i1], y = in2[it.i2];
        out[o] = is_max ? (x > y ? x : y) : (x < y ? x : y);
    }
}
