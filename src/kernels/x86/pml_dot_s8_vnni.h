/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AVX-VNNI micro-kernels: vpdpbusd multiplies unsigned by signed bytes and adds groups of four into
 * int32 without saturation, 32 MACs per instruction. The input is made unsigned by x ^ 0x80
 * (= x + 128), so these kernels compute sum (x + 128) * w; the variant adds the exact correction
 * (offset - 128) * sum(w) through an effective bias. All arithmetic is exact (int32 wraps only where
 * the reference's true result fits), so results equal the reference bit for bit.
 */
#ifndef PML_DOT_S8_VNNI_H
#define PML_DOT_S8_VNNI_H

#include <immintrin.h>
#include <stdint.h>

#include "pml_dot_s8_avx2.h"

/* acc + vpdpbusd(u8 a, s8 b). Written as inline assembly because GCC 12 allocates registers poorly
 * around the _mm256_dpbusd_avx_epi32 builtin (a register copy per accumulator per use, and
 * spills), which halved the throughput of the multiply-add loops. */
PML_INLINE __m256i pml__dpbusd(__m256i acc, __m256i a, __m256i b) {
    __asm__("%{vex%} vpdpbusd %2, %1, %0" : "+x"(acc) : "x"(a), "xm"(b));
    return acc;
}

PML_INLINE __m256i pml__ld32u_s8(const int8_t *p) {
    return _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(const void *)p), _mm256_set1_epi8((char)0x80));
}
PML_INLINE __m256i pml__ld32_s8(const int8_t *p) { return _mm256_loadu_si256((const __m256i *)(const void *)p); }
PML_INLINE __m128i pml__ld16u_s8(const int8_t *p) {
    return _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)p), _mm_set1_epi8((char)0x80));
}
PML_INLINE __m128i pml__ld16b_s8(const int8_t *p) { return _mm_loadu_si128((const __m128i *)(const void *)p); }

/* acc += sum (x[i] + 128) * w[i] */
PML_INLINE void pml__dot1_vnni(const int8_t *x, const int8_t *w, int32_t len, int32_t *acc) {
    __m256i a = _mm256_setzero_si256();
    int32_t i = 0;
    for (; i + 32 <= len; i += 32) a = pml__dpbusd(a, pml__ld32u_s8(x + i), pml__ld32_s8(w + i));
    if (i + 16 <= len) {
        a = _mm256_add_epi32(a, _mm256_castsi128_si256(_mm_dpbusd_avx_epi32(_mm_setzero_si128(), pml__ld16u_s8(x + i), pml__ld16b_s8(w + i))));
        i += 16;
    }
    int32_t s = pml__hsum_epi32(a);
    for (; i < len; i++) s += (x[i] + 128) * w[i];
    *acc += s;
}

PML_INLINE void pml__dot4_vnni(const int8_t *x, const int8_t *const w[4], int32_t len, int32_t acc[4]) {
    const int8_t *w0 = w[0], *w1 = w[1], *w2 = w[2], *w3 = w[3];
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    int32_t i = 0;
    for (; i + 32 <= len; i += 32) {
        const __m256i xv = pml__ld32u_s8(x + i);
        a0 = pml__dpbusd(a0, xv, pml__ld32_s8(w0 + i));
        a1 = pml__dpbusd(a1, xv, pml__ld32_s8(w1 + i));
        a2 = pml__dpbusd(a2, xv, pml__ld32_s8(w2 + i));
        a3 = pml__dpbusd(a3, xv, pml__ld32_s8(w3 + i));
    }
    if (i + 16 <= len) {
        const __m128i xv = pml__ld16u_s8(x + i), z = _mm_setzero_si128();
        a0 = _mm256_add_epi32(a0, _mm256_castsi128_si256(_mm_dpbusd_avx_epi32(z, xv, pml__ld16b_s8(w0 + i))));
        a1 = _mm256_add_epi32(a1, _mm256_castsi128_si256(_mm_dpbusd_avx_epi32(z, xv, pml__ld16b_s8(w1 + i))));
        a2 = _mm256_add_epi32(a2, _mm256_castsi128_si256(_mm_dpbusd_avx_epi32(z, xv, pml__ld16b_s8(w2 + i))));
        a3 = _mm256_add_epi32(a3, _mm256_castsi128_si256(_mm_dpbusd_avx_epi32(z, xv, pml__ld16b_s8(w3 + i))));
        i += 16;
    }
    const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(a0, a1), _mm256_hadd_epi32(a2, a3));
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    int32_t r[4];
    _mm_storeu_si128((__m128i *)(void *)r, s);
    for (; i < len; i++) {
        const int32_t xv = x[i] + 128;
        r[0] += xv * w0[i];
        r[1] += xv * w1[i];
        r[2] += xv * w2[i];
        r[3] += xv * w3[i];
    }
    acc[0] += r[0];
    acc[1] += r[1];
    acc[2] += r[2];
    acc[3] += r[3];
}

/* ebias[j] = bias[j] + (off - 128) * sum_k w[j][k], for n rows of K weights (wrapping int32). */
PML_INLINE void pml__ebias_vnni(const int8_t *w, int32_t n, int32_t K, const int32_t *bias, int32_t off, int32_t *ebias) {
    const __m256i ones = _mm256_set1_epi8(1);
    for (int32_t j = 0; j < n; j++) {
        const int8_t *wj = w + (size_t)j * K;
        __m256i a = _mm256_setzero_si256();
        int32_t k = 0;
        for (; k + 32 <= K; k += 32) a = pml__dpbusd(a, ones, pml__ld32_s8(wj + k));
        int32_t sw = pml__hsum_epi32(a);
        for (; k < K; k++) sw += wj[k];
        ebias[j] = (int32_t)((uint32_t)(bias ? bias[j] : 0) + (uint32_t)(off - 128) * (uint32_t)sw);
    }
}

#endif /* PML_DOT_S8_VNNI_H */
