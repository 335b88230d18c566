/* SPDX-License-Identifier: Apache-2.0 */
/* DEPTHWISE_CONV_2D int8, x86-64 AVX2 (depth multiplier 1, dilation 1). */
#include "../conv_s8_loops.h"
#include "pml_dot_s8_avx2.h"

PML_INLINE void block(const int8_t *x, int32_t xrs, const int8_t *w, int32_t wrs, int32_t rows, int32_t cols, int32_t ts,
                  int32_t off, int32_t n, int32_t acc[16]) {
    pml__dwblock_avx2(x, xrs, w, wrs, rows, cols, ts, off, n, acc);
}

PML_INLINE void rq(const int32_t *acc, int32_t n, int32_t ch0, const int32_t *bias, const pml_requant *q, int32_t out_off,
               int32_t lo, int32_t hi, int8_t *out) {
    pml__requant_row_avx2(acc, n, ch0, bias, q, out_off, lo, hi, out);
}

void pml_dwconv2d_s8_avx2(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                          const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d,
                          int8_t *out) {
    pml__dwconv2d_s8_rows(p, q, in_d, in, f_d, filter, bias, out_d, out, block, rq);
}

int pml__outq8f_check(const int32_t x[8], const int32_t mult[8], const int32_t shift[8], int64_t bound, int32_t out_off,
                      int32_t out[8]) {
    bool ok = true; /* the scalar and the vector precondition must agree */
    for (int32_t j = 0; j < 8; j++) ok &= pml__rqf_ok(mult[j], shift[j], bound) && x[j] <= bound && x[j] >= -bound;
    const __m256i m = _mm256_loadu_si256((const __m256i *)(const void *)mult), sh = _mm256_loadu_si256((const __m256i *)(const void *)shift);
    const bool vok = pml__rq8f_ok(m, sh, _mm256_set1_epi32(bound > INT32_MAX ? -1 : (int32_t)bound));
    if (ok != vok) return -1;
    if (!ok) return 0;
    const pml__rq8f r = pml__rq8f_make(m, sh);
    const __m256i v = pml__outq8f_avx2(_mm256_loadu_si256((const __m256i *)(const void *)x), &r, _mm256_set1_epi32(out_off));
    _mm256_storeu_si256((__m256i *)(void *)out, v);
    return 1;
}
