/* SPDX-License-Identifier: Apache-2.0 */
/* TRANSPOSE (TFLite reference_ops::Transpose): walk the output in row-major order with an odometer
 * over its coordinates; each output axis moves the input position by that axis's input stride. */
#include <string.h>

#include "pml_kernels.h"

void pml_transpose_ref(const pml_transpose_params *p, size_t esz, const void *in, void *out) {
    const uint8_t *src = (const uint8_t *)in; /* [in dims]                 */
    uint8_t *dst = (uint8_t *)out;            /* [p->out], row-major order */
    int32_t idx[6] = {0, 0, 0, 0, 0, 0};
    size_t n = 1, pos = 0;
    for (int32_t k = 0; k < p->rank; k++) n *= (size_t)p->out[k];
    for (size_t o = 0; o < n; o++) {
        memcpy(dst + o * esz, src + pos * esz, esz);
        for (int32_t k = p->rank - 1; k >= 0; k--) {
            pos += p->in_stride[k];
            if (++idx[k] < p->out[k]) break;
            pos -= p->in_stride[k] * (size_t)p->out[k];
            idx[k] = 0;
        }
    }
}
