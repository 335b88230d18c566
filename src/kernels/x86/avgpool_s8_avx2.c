/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AVERAGE_POOL_2D int8, x86-64 AVX2. Per output pixel and block of up to 32 channels, the window
 * (clipped to the input, as in the reference) is summed in int16 lanes, 16 channels per vector,
 * when it has at most 256 taps (|sum| <= 128 * 256 = 2^15: no overflow), else in int32 lanes.
 * The division rounding half away from zero is the reference's: (a +- count / 2) / count
 * truncated, done in double for full blocks (exact: for |n| < 2^31 and 0 < d < 2^31 the rounding
 * error of n / d is below 2^-22 / d, less than the distance 1 / d from a non-integer quotient to
 * an integer, so truncating the double quotient gives the integer quotient). Bit-exact.
 */
#include <immintrin.h>

#include "../pml_kernels.h"

PML_INLINE __m256i ld8(const int8_t *p) { return _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)p)); }
PML_INLINE __m256i ld16(const int8_t *p) { return _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)p)); }

/* 8 channel sums a to outputs: trunc((a + sign(a) * (count / 2)) / count), clamped to [lo, hi] */
PML_INLINE __m256i avg8(__m256i a, __m256i half, __m256d dcount, __m256i lo, __m256i hi) {
    const __m256i n = _mm256_add_epi32(a, _mm256_sign_epi32(half, a)); /* a == 0: 0, as (0 - half) / count */
    const __m128i q0 = _mm256_cvttpd_epi32(_mm256_div_pd(_mm256_cvtepi32_pd(_mm256_castsi256_si128(n)), dcount));
    const __m128i q1 = _mm256_cvttpd_epi32(_mm256_div_pd(_mm256_cvtepi32_pd(_mm256_extracti128_si256(n, 1)), dcount));
    return _mm256_min_epi32(_mm256_max_epi32(_mm256_setr_m128i(q0, q1), lo), hi);
}

bool pml_avgpool_s8_avx2(const pml_pool_params *p, const pml_dims4 *in_d, const int8_t *in, const pml_dims4 *out_d,
                         int8_t *out) {
    const int32_t H = in_d->h, W = in_d->w, C = in_d->c;
    for (int32_t b = 0; b < out_d->n; b++) {
        for (int32_t oy = 0; oy < out_d->h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            const int32_t fy0 = iy0 < 0 ? -iy0 : 0, fy1 = p->filter_h < H - iy0 ? p->filter_h : H - iy0;
            for (int32_t ox = 0; ox < out_d->w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                const int32_t fx0 = ix0 < 0 ? -ix0 : 0, fx1 = p->filter_w < W - ix0 ? p->filter_w : W - ix0;
                if (fy1 <= fy0 || fx1 <= fx0) return false;
                const int32_t count = (fy1 - fy0) * (fx1 - fx0);
                const int8_t *win = in + (((size_t)b * H + (iy0 + fy0)) * W + (ix0 + fx0)) * C; /* first valid tap */
                int8_t *o = out + (((size_t)b * out_d->h + oy) * out_d->w + ox) * C;
                for (int32_t c0 = 0; c0 < C; c0 += 32) {
                    const int32_t n = C - c0 < 32 ? C - c0 : 32;
                    int32_t acc[32];
                    if (n == 32) {
                        __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
                        if (count <= 256) {
                            __m256i h0 = a0, h1 = a0; /* channels 0-15, 16-31 in int16 */
                            for (int32_t fy = 0; fy < fy1 - fy0; fy++)
                                for (int32_t fx = 0; fx < fx1 - fx0; fx++) {
                                    const int8_t *t = win + ((size_t)fy * W + fx) * C + c0;
                                    h0 = _mm256_add_epi16(h0, ld16(t));
                                    h1 = _mm256_add_epi16(h1, ld16(t + 16));
                                }
                            a0 = _mm256_cvtepi16_epi32(_mm256_castsi256_si128(h0));
                            a1 = _mm256_cvtepi16_epi32(_mm256_extracti128_si256(h0, 1));
                            a2 = _mm256_cvtepi16_epi32(_mm256_castsi256_si128(h1));
                            a3 = _mm256_cvtepi16_epi32(_mm256_extracti128_si256(h1, 1));
                        } else {
                            for (int32_t fy = 0; fy < fy1 - fy0; fy++)
                                for (int32_t fx = 0; fx < fx1 - fx0; fx++) {
                                    const int8_t *t = win + ((size_t)fy * W + fx) * C + c0;
                                    a0 = _mm256_add_epi32(a0, ld8(t));
                                    a1 = _mm256_add_epi32(a1, ld8(t + 8));
                                    a2 = _mm256_add_epi32(a2, ld8(t + 16));
                                    a3 = _mm256_add_epi32(a3, ld8(t + 24));
                                }
                        }
                        const __m256i half = _mm256_set1_epi32(count / 2), lo = _mm256_set1_epi32(p->act_min),
                                      hi = _mm256_set1_epi32(p->act_max);
                        const __m256d dcount = _mm256_set1_pd((double)count);
                        /* int32 -> int8 (the values lie in [lo, hi], within int8): packs work per 128-bit lane */
                        const __m256i p16 = _mm256_packs_epi32(avg8(a0, half, dcount, lo, hi), avg8(a1, half, dcount, lo, hi));
                        const __m256i p16b = _mm256_packs_epi32(avg8(a2, half, dcount, lo, hi), avg8(a3, half, dcount, lo, hi));
                        const __m256i p8 = _mm256_packs_epi16(p16, p16b); /* ch 0-3 8-11 16-19 24-27 | 4-7 12-15 20-23 28-31 */
                        _mm256_storeu_si256((__m256i *)(void *)(o + c0),
                                            _mm256_permutevar8x32_epi32(p8, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
                        continue;
                    } else {
                        for (int32_t j = 0; j < n; j++) acc[j] = 0;
                        for (int32_t fy = 0; fy < fy1 - fy0; fy++)
                            for (int32_t fx = 0; fx < fx1 - fx0; fx++) {
                                const int8_t *t = win + ((size_t)fy * W + fx) * C + c0;
                                for (int32_t j = 0; j < n; j++) acc[j] += t[j];
                            }
                    }
                    for (int32_t j = 0; j < n; j++) {
                        int32_t a = acc[j];
                        a = a > 0 ? (a + count / 2) / count : (a - count / 2) / count;
                        a = a < p->act_min ? p->act_min : a;
                        a = a > p->act_max ? p->act_max : a;
                        o[c0 + j] = (int8_t)a;
                    }
                }
            }
        }
    }
    return true;
}
