/* SPDX-License-Identifier: Apache-2.0 */
/* STRIDED_SLICE (TFLite reference_ops::StridedSlice): five nested walks over the resolved
 * [start, stop) ranges (either direction), copying elements in output order. */
#include <string.h>

#include "pml_kernels.h"

static bool more(int64_t i, int32_t stop, int32_t step) { return step > 0 ? i < stop : i > stop; }

void pml_strided_slice_ref(const pml_slice_params *p, size_t esz, const void *in, void *out) {
    const uint8_t *src = (const uint8_t *)in; /* [in dims] elements of esz bytes */
    uint8_t *dst = (uint8_t *)out;            /* [out dims], written in order    */
    for (int64_t i0 = p->start[0]; more(i0, p->stop[0], p->step[0]); i0 += p->step[0])
        for (int64_t i1 = p->start[1]; more(i1, p->stop[1], p->step[1]); i1 += p->step[1])
            for (int64_t i2 = p->start[2]; more(i2, p->stop[2], p->step[2]); i2 += p->step[2])
                for (int64_t i3 = p->start[3]; more(i3, p->stop[3], p->step[3]); i3 += p->step[3]) {
                    const size_t base = (size_t)i0 * p->in_stride[0] + (size_t)i1 * p->in_stride[1] +
                                        (size_t)i2 * p->in_stride[2] + (size_t)i3 * p->in_stride[3];
                    for (int64_t i4 = p->start[4]; more(i4, p->stop[4], p->step[4]); i4 += p->step[4]) {
                        memcpy(dst, src + (base + (size_t)i4 * p->in_stride[4]) * esz, esz);
                        dst += esz;
                    }
                }
}
