/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AVX2 micro-kernels for the int8 fast paths (compiled with -mavx2 in this directory only).
 * x and w are widened to int16 (vpmovsxbw), the input offset added in int16 ((x + off) is in
 * [-255, 255]), and vpmaddwd multiplies and adds pairs into int32: 16 MACs per instruction, exact.
 * Results equal the portable twins in ../pml_dot_s8.h (and so the reference kernels) bit for bit.
 */
#ifndef PML_DOT_S8_AVX2_H
#define PML_DOT_S8_AVX2_H

#include <immintrin.h>
#include <stdint.h>

#include "../../common/pml_compiler.h"
#include "../conv_s8_loops.h"

PML_INLINE __m256i pml__ld16_s8(const int8_t *p) { return _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)p)); }
PML_INLINE __m128i pml__ld8_s8(const int8_t *p) { return _mm_cvtepi8_epi16(_mm_loadl_epi64((const __m128i *)(const void *)p)); }

PML_INLINE int32_t pml__hsum_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

PML_INLINE void pml__dot1_avx2(const int8_t *x, const int8_t *w, int32_t len, int32_t off, int32_t *acc) {
    const __m256i o = _mm256_set1_epi16((int16_t)off);
    __m256i a = _mm256_setzero_si256();
    int32_t i = 0;
    for (; i + 16 <= len; i += 16) a = _mm256_add_epi32(a, _mm256_madd_epi16(_mm256_add_epi16(pml__ld16_s8(x + i), o), pml__ld16_s8(w + i)));
    int32_t s = pml__hsum_epi32(a);
    for (; i < len; i++) s += (x[i] + off) * w[i];
    *acc += s;
}

PML_INLINE void pml__dot4_avx2(const int8_t *x, const int8_t *const w[4], int32_t len, int32_t off, int32_t acc[4]) {
    const int8_t *w0 = w[0], *w1 = w[1], *w2 = w[2], *w3 = w[3];
    const __m256i o = _mm256_set1_epi16((int16_t)off);
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    int32_t i = 0;
    for (; i + 16 <= len; i += 16) {
        const __m256i xv = _mm256_add_epi16(pml__ld16_s8(x + i), o);
        a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(xv, pml__ld16_s8(w0 + i)));
        a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(xv, pml__ld16_s8(w1 + i)));
        a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(xv, pml__ld16_s8(w2 + i)));
        a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(xv, pml__ld16_s8(w3 + i)));
    }
    if (i + 8 <= len) {
        const __m128i o8 = _mm_set1_epi16((int16_t)off);
        const __m128i xv = _mm_add_epi16(pml__ld8_s8(x + i), o8);
        a0 = _mm256_add_epi32(a0, _mm256_castsi128_si256(_mm_madd_epi16(xv, pml__ld8_s8(w0 + i))));
        a1 = _mm256_add_epi32(a1, _mm256_castsi128_si256(_mm_madd_epi16(xv, pml__ld8_s8(w1 + i))));
        a2 = _mm256_add_epi32(a2, _mm256_castsi128_si256(_mm_madd_epi16(xv, pml__ld8_s8(w2 + i))));
        a3 = _mm256_add_epi32(a3, _mm256_castsi128_si256(_mm_madd_epi16(xv, pml__ld8_s8(w3 + i))));
        i += 8;
    }
    /* reduce the four accumulators at once: two rounds of hadd, then fold the 128-bit halves */
    const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(a0, a1), _mm256_hadd_epi32(a2, a3));
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    int32_t r[4];
    _mm_storeu_si128((__m128i *)(void *)r, s);
    for (; i < len; i++) {
        const int32_t xv = x[i] + off;
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

/* Depthwise window of 16 (or 8) channels: products (x + off) * w fit in int16 (|.| <= 255*128). */
PML_INLINE void pml__dwblock_avx2(const int8_t *x, int32_t xrs, const int8_t *w, int32_t wrs, int32_t rows, int32_t cols,
                                  int32_t ts, int32_t off, int32_t n, int32_t acc[16]) {
    if (n == 16) {
        const __m256i o = _mm256_set1_epi16((int16_t)off);
        __m256i lo = _mm256_setzero_si256(), hi = lo;
        for (int32_t r = 0; r < rows; r++)
            for (int32_t c = 0; c < cols; c++) {
                const __m256i pr = _mm256_mullo_epi16(_mm256_add_epi16(pml__ld16_s8(x + r * xrs + c * ts), o),
                                                      pml__ld16_s8(w + r * wrs + c * ts));
                lo = _mm256_add_epi32(lo, _mm256_cvtepi16_epi32(_mm256_castsi256_si128(pr)));
                hi = _mm256_add_epi32(hi, _mm256_cvtepi16_epi32(_mm256_extracti128_si256(pr, 1)));
            }
        _mm256_storeu_si256((__m256i *)(void *)acc, lo);
        _mm256_storeu_si256((__m256i *)(void *)(acc + 8), hi);
    } else if (n == 8) {
        const __m128i o = _mm_set1_epi16((int16_t)off);
        __m256i a = _mm256_setzero_si256();
        for (int32_t r = 0; r < rows; r++)
            for (int32_t c = 0; c < cols; c++) {
                const __m128i pr = _mm_mullo_epi16(_mm_add_epi16(pml__ld8_s8(x + r * xrs + c * ts), o), pml__ld8_s8(w + r * wrs + c * ts));
                a = _mm256_add_epi32(a, _mm256_cvtepi16_epi32(pr));
            }
        _mm256_storeu_si256((__m256i *)(void *)acc, a);
    } else {
        for (int32_t r = 0; r < rows; r++)
            for (int32_t c = 0; c < cols; c++) {
                const int8_t *xp = x + r * xrs + c * ts, *wp = w + r * wrs + c * ts;
                for (int32_t j = 0; j < n; j++) acc[j] += (xp[j] + off) * wp[j];
            }
    }
}

/*
 * MultiplyByQuantizedMultiplier on 8 lanes. SaturatingRoundingDoublingHighMul(a, b) is
 * trunc((a*b + nudge) / 2^31) with nudge = 2^30 for a*b >= 0 and 1 - 2^30 otherwise; both cases
 * equal floor((a*b + 2^30) / 2^31), whose low 32 bits a 64-bit *logical* shift gives (AVX2 has no
 * 64-bit arithmetic shift). Saturation (a == b == INT32_MIN) cannot occur: multipliers are >= 0.
 * RoundingDivideByPOT follows with per-lane exponents. The per-channel constants (multiplier of the
 * odd lanes, shifts, rounding mask) are formed once per 8 channels in a pml__rq8, so kernels that
 * requantize many pixels of the same channels form them once per call.
 */
typedef struct pml__rq8 {
    __m256i m, m_odd; /* multiplier, and the same moved to the even dwords (for the odd lanes) */
    __m256i left, right, half; /* max(shift, 0), max(-shift, 0), 2^right / 2 (0 if right == 0) */
    int has_left;              /* some lane shifts left */
} pml__rq8;

PML_INLINE pml__rq8 pml__rq8_make(__m256i mult, __m256i shift) {
    const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi32(1);
    pml__rq8 r;
    r.m = mult;
    r.m_odd = _mm256_srli_epi64(mult, 32);
    r.left = _mm256_max_epi32(shift, zero);
    r.right = _mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero);
    r.half = _mm256_srli_epi32(_mm256_sllv_epi32(one, r.right), 1);
    r.has_left = !_mm256_testz_si256(r.left, r.left);
    return r;
}

/* constants of channels ch0 .. ch0 + n - 1 (n <= 8; lanes beyond n get multiplier 0) */
PML_INLINE pml__rq8 pml__rq8_load(const pml_requant *q, int32_t ch0, int32_t n) {
    if (q->count == 1) return pml__rq8_make(_mm256_set1_epi32(q->mult[0]), _mm256_set1_epi32(q->shift[0]));
    if (n == 8)
        return pml__rq8_make(_mm256_loadu_si256((const __m256i *)(const void *)(q->mult + ch0)),
                             _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(q->shift + ch0))));
    int32_t m[8] = {0}, sh[8] = {0};
    for (int32_t j = 0; j < n; j++) {
        m[j] = q->mult[ch0 + j];
        sh[j] = q->shift[ch0 + j];
    }
    return pml__rq8_make(_mm256_loadu_si256((const __m256i *)(const void *)m), _mm256_loadu_si256((const __m256i *)(const void *)sh));
}

/* RoundingDivideByPOT rounds half away from zero, which is sign(x) * ((|x| + half) >> right) with
 * |x| taken as unsigned (|INT32_MIN| = 2^31, and 2^31 + half still fits 32 bits). */
PML_INLINE __m256i pml__mbqm8p_avx2(__m256i x, const pml__rq8 *r) {
    if (r->has_left) x = _mm256_sllv_epi32(x, r->left);
    const __m256i nudge = _mm256_set1_epi64x((int64_t)1 << 30);
    const __m256i even = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(x, r->m), nudge), 31);
    const __m256i odd = _mm256_slli_epi64(_mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), r->m_odd), nudge), 1);
    const __m256i hm = _mm256_blend_epi32(even, odd, 0xAA);
    return _mm256_sign_epi32(_mm256_srlv_epi32(_mm256_add_epi32(_mm256_abs_epi32(hm), r->half), r->right), hm);
}

PML_INLINE __m256i pml__mbqm8_avx2(__m256i x, __m256i mult, __m256i shift) {
    const pml__rq8 r = pml__rq8_make(mult, shift);
    return pml__mbqm8p_avx2(x, &r);
}

/* Output stage of 8 lanes: requantize and add the output offset (clamped when packed to bytes). */
PML_INLINE __m256i pml__outq8_avx2(__m256i v, const pml__rq8 *r, __m256i voff) {
    return _mm256_add_epi32(pml__mbqm8p_avx2(v, r), voff);
}

/*
 * A cheaper exact requantization for the common case, chosen per call (per block of channels) by
 * pml__rqf_ok: every lane has 2^30 < m < 2^31, a right shift n in 1..31 (no left shift), and the
 * accumulators are known to satisfy |x| <= bound with bound < 2^(30 - ctz(m)).
 *
 * Claim: then MBQM(x) = sign(x) * floor((|x| m + R) / 2^(31+n)), R = 2^30 + 2^(30+n).
 * Proof. SRDHM(x, m) = hm = floor((x m + 2^30) / 2^31) (see pml__mbqm8p_avx2). RDBP(hm, n) for
 * n >= 1 is floor((hm + 2^(n-1) - [hm < 0]) / 2^n) (remainder > threshold = 2^(n-1) - 1 + [hm < 0]).
 * Since m > 2^30: x >= 0 gives x m >= 0, hm >= 0; x <= -1 gives x m <= -m < -2^30, hm < 0; so
 * [hm < 0] = [x < 0] = c. Nested floors with integer addends merge (floor((floor(A/p) + b)/q) =
 * floor((A + b p)/(p q))), so MBQM(x) = floor((x m + R - 2^31 c) / D), D = 2^(31+n).
 * For x >= 0 that is the claim. For x < 0, a = -x: with K = a m + 2^30 - 2^(30+n) (the negated
 * numerator, since 2^31 - 2^30 = 2^30), MBQM = floor(-K / D) = -ceil(K / D) = -floor((K + D - 1) / D)
 * = -floor((a m + R - 1) / D) (D - 2^(30+n) = 2^(30+n)). This equals -floor((a m + R) / D) unless D
 * divides a m + R. v2(R) = 30 (n >= 1); if v2(a m) != 30 then v2(a m + R) <= 30 < 31 + n and D does
 * not divide it. v2(a m) = v2(a) + v2(m) <= log2(a) + ctz(m) < 30 by the bound (a >= 1). x = 0: both
 * sides are 0 (R < D). QED.
 * Ranges: a <= 2^31, so a m + R < 2^62 + 2^61 + 2^30 fits an unsigned 64-bit lane (vpmuludq, a
 * logical shift), and the quotient is below 2^31, so sign(x) * quotient is an int32 lane.
 * Work per 8 lanes: abs, 2 vpmuludq, 2 adds, 2 variable 64-bit shifts (the odd lanes shift by n - 1
 * so the quotient lands in the high dword), a 64-bit shift by 32, a blend, a sign and the output offset:
 * 11 against 13 for pml__outq8_avx2 without a left shift. Tested against pml__mbqm in test_prop.
 */
typedef struct pml__rq8f {
    __m256i m, m_odd;   /* multiplier; the odd lanes' multipliers in the even dwords */
    __m256i sh_e, sh_o; /* per 64-bit lane: 31 + n of the even lane, n - 1 of the odd lane */
    __m256i r_e, r_o;   /* per 64-bit lane: R = 2^30 + 2^(30 + n) of the even / odd lane */
} pml__rq8f;

/* the precondition for one channel: accumulators of magnitude <= bound (bound >= 0) */
PML_INLINE bool pml__rqf_ok(int32_t mult, int32_t shift, int64_t bound) {
    if (mult <= (1 << 30) || shift > -1 || shift < -31) return false;
    return bound < ((int64_t)1 << (30 - __builtin_ctz((uint32_t)mult)));
}

/* pml__rqf_ok on 8 lanes at once, bound a vector of per-lane accumulator bounds (a negative lane,
 * e.g. from a wrapped |bias| + taps, fails). bound < 2^(30 - ctz(m)) is tested as bound < 2^30 / lb,
 * lb = m & -m = 2^ctz(m) <= 2^29 when 2^30 < m < 2^31: lb converts to float exactly with exponent
 * field 127 + ctz(m), and the float with exponent field 157 - ctz(m) = 284 - (127 + ctz(m)) and a
 * zero mantissa is 2^(30 - ctz(m)), which converts back to int32 exactly. */
PML_INLINE bool pml__rq8f_ok(__m256i mult, __m256i shift, __m256i bound) {
    const __m256i zero = _mm256_setzero_si256();
    const __m256i lb = _mm256_and_si256(mult, _mm256_sub_epi32(zero, mult));
    const __m256i fb = _mm256_castps_si256(_mm256_cvtepi32_ps(lb));
    const __m256i lim = _mm256_cvttps_epi32(_mm256_castsi256_ps(_mm256_sub_epi32(_mm256_set1_epi32((int32_t)(284u << 23)), fb)));
    __m256i ok = _mm256_cmpgt_epi32(mult, _mm256_set1_epi32(1 << 30));
    ok = _mm256_and_si256(ok, _mm256_cmpgt_epi32(shift, _mm256_set1_epi32(-32)));
    ok = _mm256_and_si256(ok, _mm256_cmpgt_epi32(zero, shift));
    ok = _mm256_and_si256(ok, _mm256_cmpgt_epi32(bound, _mm256_set1_epi32(-1)));
    ok = _mm256_and_si256(ok, _mm256_cmpgt_epi32(lim, bound));
    return _mm256_movemask_epi8(ok) == -1;
}

PML_INLINE pml__rq8f pml__rq8f_make(__m256i mult, __m256i shift) {
    const __m256i n = _mm256_sub_epi32(_mm256_setzero_si256(), shift), lo = _mm256_set1_epi64x(0xFFFFFFFF);
    const __m256i r30 = _mm256_set1_epi64x((int64_t)1 << 30);
    const __m256i n_e = _mm256_and_si256(n, lo), n_o = _mm256_srli_epi64(n, 32);
    pml__rq8f r;
    r.m = mult;
    r.m_odd = _mm256_srli_epi64(mult, 32);
    r.sh_e = _mm256_add_epi64(n_e, _mm256_set1_epi64x(31));
    r.sh_o = _mm256_sub_epi64(n_o, _mm256_set1_epi64x(1));
    r.r_e = _mm256_add_epi64(r30, _mm256_sllv_epi64(r30, n_e));
    r.r_o = _mm256_add_epi64(r30, _mm256_sllv_epi64(r30, n_o));
    return r;
}

/* requantize and add the output offset, as pml__outq8_avx2, under pml__rqf_ok for every lane */
PML_INLINE __m256i pml__outq8f_avx2(__m256i x, const pml__rq8f *r, __m256i voff) {
    const __m256i a = _mm256_abs_epi32(x);
    const __m256i e = _mm256_srlv_epi64(_mm256_add_epi64(_mm256_mul_epu32(a, r->m), r->r_e), r->sh_e);
    const __m256i o = _mm256_srlv_epi64(_mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a, 32), r->m_odd), r->r_o), r->sh_o);
    return _mm256_add_epi32(_mm256_sign_epi32(_mm256_blend_epi32(e, o, 0xAA), x), voff);
}

/* 8 int32 lanes to 8 bytes at out, clamped to [lo8, hi8] (bytes; the packs saturate to int8 first,
 * which the activation range lies within, so the result equals clamping the int32 values) */
PML_INLINE void pml__store8_s8(__m256i v, __m128i lo8, __m128i hi8, int8_t *out) {
    const __m256i p8 = _mm256_packs_epi16(_mm256_packs_epi32(v, v), _mm256_setzero_si256());
    const __m128i b = _mm_unpacklo_epi32(_mm256_castsi256_si128(p8), _mm256_extracti128_si256(p8, 1));
    _mm_storel_epi64((__m128i *)(void *)out, _mm_min_epi8(_mm_max_epi8(b, lo8), hi8));
}

/* 2 x 8 int32 lanes (channels 0-7, 8-15) to 16 bytes at out, clamped as pml__store8_s8 */
PML_INLINE void pml__store16_s8(__m256i v0, __m256i v1, __m128i lo8, __m128i hi8, int8_t *out) {
    /* packs work per 128-bit lane: bytes come out as ch 0-3, 8-11, 4-7, 12-15; a dword permute fixes it */
    const __m256i p16 = _mm256_packs_epi32(v0, v1);
    const __m256i p8 = _mm256_packs_epi16(p16, p16);
    const __m256i r = _mm256_permutevar8x32_epi32(p8, _mm256_setr_epi32(0, 4, 1, 5, 0, 0, 0, 0));
    _mm_storeu_si128((__m128i *)(void *)out, _mm_min_epi8(_mm_max_epi8(_mm256_castsi256_si128(r), lo8), hi8));
}

PML_INLINE void pml__requant_row_avx2(const int32_t *acc, int32_t n, int32_t ch0, const int32_t *bias, const pml_requant *q,
                                      int32_t out_off, int32_t lo, int32_t hi, int8_t *out) {
    const __m256i voff = _mm256_set1_epi32(out_off);
    const __m128i lo8 = _mm_set1_epi8((char)lo), hi8 = _mm_set1_epi8((char)hi);
    int32_t j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(acc + j));
        if (bias) v = _mm256_add_epi32(v, _mm256_loadu_si256((const __m256i *)(const void *)(bias + ch0 + j)));
        const pml__rq8 r = pml__rq8_load(q, ch0 + j, 8);
        pml__store8_s8(pml__outq8_avx2(v, &r, voff), lo8, hi8, out + j);
    }
    for (; j < n; j++) out[j] = pml__requant_clamp(pml__wadd(acc[j], bias ? bias[ch0 + j] : 0), q, ch0 + j, out_off, lo, hi);
}


#endif /* PML_DOT_S8_AVX2_H */
