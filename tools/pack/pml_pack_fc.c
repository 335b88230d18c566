/* SPDX-License-Identifier: Apache-2.0 */
#include "pml_pack_fc.h"

void pml_pack_fc_w16(const int8_t *w, const int32_t *bias, int32_t units, int32_t depth, int32_t input_offset,
                     void *out) {
    const int32_t u4 = (units + 3) & ~3, ng = (depth + 3) >> 2;
    int32_t *hdr = (int32_t *)out, *b = hdr + 4;
    int16_t *pw = (int16_t *)(void *)(b + u4);
    static const int32_t lane[4] = {0, 2, 1, 3};
    hdr[0] = units;
    hdr[1] = depth;
    hdr[2] = input_offset;
    hdr[3] = 0;
    for (int32_t u = 0; u < u4; u++) {
        uint32_t s = 0;
        if (u < units) {
            for (int32_t d = 0; d < depth; d++) s += (uint32_t)(int32_t)w[(size_t)u * (size_t)depth + (size_t)d];
            s = s * (uint32_t)input_offset + (bias ? (uint32_t)bias[u] : 0u);
        }
        b[u] = (int32_t)s;
    }
    for (int32_t u0 = 0; u0 < u4; u0 += 4)
        for (int32_t g = 0; g < ng; g++)
            for (int32_t r = 0; r < 4; r++)
                for (int32_t j = 0; j < 4; j++) {
                    const int32_t u = u0 + r, d = 4 * g + lane[j];
                    *pw++ = (int16_t)((u < units && d < depth) ? w[(size_t)u * (size_t)depth + (size_t)d] : 0);
                }
}
