/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AVERAGE_POOL_2D int8, x86-64 AVX2. Per output pixel and block of up to 32 channels, the window
 * (clipped to the input, as in the reference) is summed in int32 lanes, 8 channels per vector;
 * the division rounding half away from zero is the reference's, per channel. Exact: bit-exact.
 */
#include <immintrin.h>

#include "../pml_kernels.h"

PML_INLINE __m256i ld8(const int8_t *p) { return _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)p)); }

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
                        for (int32_t fy = 0; fy < fy1 - fy0; fy++)
                            for (int32_t fx = 0; fx < fx1 - fx0; fx++) {
                                const int8_t *t = win + ((size_t)fy * W + fx) * C + c0;
                                a0 = _mm256_add_epi32(a0, ld8(t));
                                a1 = _mm256_add_epi32(a1, ld8(t + 8));
                                a2 = _mm256_add_epi32(a2, ld8(t + 16));
                                a3 = _mm256_add_epi32(a3, ld8(t + 24));
                            }
                        _mm256_storeu_si256((__m256i *)(void *)acc, a0);
                        _mm256_storeu_si256((__m256i *)(void *)(acc + 8), a1);
                        _mm256_storeu_si256((__m256i *)(void *)(acc + 16), a2);
                        _mm256_storeu_si256((__m256i *)(void *)(acc + 24), a3);
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
