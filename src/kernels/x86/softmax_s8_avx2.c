/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SOFTMAX int8 -> int8, x86-64 AVX2: pml_softmax_s8_fast's arithmetic (the reference's gemmlowp
 * fixed point) on eight elements per vector. Lanes past the row or below diff_min take part in
 * the arithmetic but are masked out of the sum and the output. Bit-exact with the reference.
 *
 * SaturatingRoundingDoublingHighMul per lane: TFLite's (ab + nudge) / 2^31, truncated, equals
 * floor((ab + 2^30) / 2^31) for every int64 ab (for ab < 0 the truncation of the nudged value
 * is that floor), i.e. bits 31..62 of ab + 2^30; only a = b = INT32_MIN needs the saturation.
 */
#include <immintrin.h>
#include <string.h>

#include "../pml_kernels.h"

#define SOFTMAX_KEEP 64 /* rows up to this long keep their exps for the output pass */

PML_INLINE __m256i srdhm8(__m256i a, __m256i b) {
    const __m256i nudge = _mm256_set1_epi64x((int64_t)1 << 30), min = _mm256_set1_epi32(INT32_MIN);
    const __m256i even = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(a, b), nudge), 31);
    const __m256i odd =
        _mm256_slli_epi64(_mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(b, 32)), nudge), 1);
    const __m256i r = _mm256_blend_epi32(even, odd, 0xAA);
    /* INT32_MIN * INT32_MIN gives INT32_MIN here; the saturated result is INT32_MAX = its complement */
    return _mm256_xor_si256(r, _mm256_and_si256(_mm256_cmpeq_epi32(a, min), _mm256_cmpeq_epi32(b, min)));
}

/* RoundingDivideByPOT by e (0..31) in every lane */
PML_INLINE __m256i rdivpot8(__m256i x, int32_t e) {
    const __m256i mask = _mm256_set1_epi32((int32_t)(((int64_t)1 << e) - 1));
    const __m256i threshold = _mm256_sub_epi32(_mm256_srai_epi32(mask, 1), _mm256_srai_epi32(x, 31)); /* + 1 if x < 0 */
    const __m256i up = _mm256_cmpgt_epi32(_mm256_and_si256(x, mask), threshold);                     /* -1: round up */
    return _mm256_sub_epi32(_mm256_sra_epi32(x, _mm_cvtsi32_si128(e)), up);
}

/* SaturatingRoundingMultiplyByPOT<5> */
PML_INLINE __m256i sat_shl5(__m256i x) {
    const __m256i thr = _mm256_set1_epi32((1 << 26) - 1), nthr = _mm256_set1_epi32(-((1 << 26) - 1));
    __m256i v = _mm256_slli_epi32(x, 5);
    v = _mm256_blendv_epi8(v, _mm256_set1_epi32(INT32_MAX), _mm256_cmpgt_epi32(x, thr));
    return _mm256_blendv_epi8(v, _mm256_set1_epi32(INT32_MIN), _mm256_cmpgt_epi32(nthr, x));
}

/* exp(a) for a <= 0, a Q5.26, result Q0.31 (exp_neg_q5 of softmax_s8_fast.c, lane-wise) */
PML_INLINE __m256i exp_neg_q5_8(__m256i a) {
    const __m256i one_quarter = _mm256_set1_epi32(1 << 24), mask = _mm256_set1_epi32((1 << 24) - 1);
    const __m256i r = _mm256_sub_epi32(_mm256_and_si256(a, mask), one_quarter);
    const __m256i ct = _mm256_set1_epi32(1895147668), c13 = _mm256_set1_epi32(715827883);
    const __m256i x = _mm256_add_epi32(sat_shl5(r), _mm256_set1_epi32(1 << 28));
    const __m256i x2 = srdhm8(x, x), x3 = srdhm8(x2, x), x4 = srdhm8(x2, x2);
    const __m256i poly = rdivpot8(_mm256_add_epi32(srdhm8(_mm256_add_epi32(rdivpot8(x4, 2), x3), c13), x2), 1);
    __m256i result = _mm256_add_epi32(ct, srdhm8(ct, _mm256_add_epi32(x, poly)));
    static const int32_t exp_neg_pow2[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    const __m256i remainder = _mm256_sub_epi32(r, a);
    for (int k = 0; k < 7; k++) {
        const __m256i bit = _mm256_set1_epi32(1 << (24 + k));
        const __m256i sel = _mm256_cmpeq_epi32(_mm256_and_si256(remainder, bit), bit);
        result = _mm256_blendv_epi8(result, srdhm8(result, _mm256_set1_epi32(exp_neg_pow2[k])), sel);
    }
    return _mm256_blendv_epi8(result, _mm256_set1_epi32(INT32_MAX), _mm256_cmpeq_epi32(a, _mm256_setzero_si256()));
}

/* 8 elements from x[c..] (fewer at the row's end): diff = x - max, and which lanes count */
PML_INLINE __m256i diffs8(const int8_t *x, int32_t n, __m256i vmax, __m256i dmin1, __m256i *valid) {
    int8_t t[8] = {0};
    memcpy(t, x, (size_t)(n < 8 ? n : 8));
    int64_t b;
    memcpy(&b, t, 8);
    const __m256i diff = _mm256_sub_epi32(_mm256_cvtepi8_epi32(_mm_cvtsi64_si128(b)), vmax);
    const __m256i in_row = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    *valid = _mm256_and_si256(in_row, _mm256_cmpgt_epi32(diff, dmin1)); /* diff >= diff_min */
    return diff;
}

void pml_softmax_s8_avx2(const pml_softmax_params *p, int32_t rows, int32_t depth, const int8_t *in, int8_t *out) {
    /* in  [rows, depth] */
    /* out [rows, depth], scale 1/256, zero point -128 */
    const int32_t shift = p->input_left_shift;
    const int32_t left = shift > 0 ? (shift > 31 ? 31 : shift) : 0, right = shift > 0 ? 0 : (shift < -31 ? 31 : -shift);
    const __m256i mult = _mm256_set1_epi32(p->input_multiplier), dmin1 = _mm256_set1_epi32(p->diff_min - 1);
    const __m128i vleft = _mm_cvtsi32_si128(left);
    const bool keep = depth <= SOFTMAX_KEEP;
    int32_t e_kept[SOFTMAX_KEEP]; /* exp of each element of the row (when keep) */
    for (int32_t r = 0; r < rows; r++) {
        const int8_t *x = in + (size_t)r * (size_t)depth; /* [depth] */
        int8_t *y = out + (size_t)r * (size_t)depth;      /* [depth] */
        int32_t max_in_row = -128;
        for (int32_t c = 0; c < depth; c++) max_in_row = x[c] > max_in_row ? x[c] : max_in_row;
        const __m256i vmax = _mm256_set1_epi32(max_in_row);

        __m256i sum = _mm256_setzero_si256(); /* Q12.19 per lane, wrapping as the reference's uint32 */
        for (int32_t c = 0; c < depth; c += 8) {
            __m256i valid;
            const __m256i diff = diffs8(x + c, depth - c, vmax, dmin1, &valid);
            const __m256i e = exp_neg_q5_8(rdivpot8(srdhm8(_mm256_sll_epi32(diff, vleft), mult), right));
            if (keep) _mm256_storeu_si256((__m256i *)(void *)(e_kept + c), e);
            sum = _mm256_add_epi32(sum, _mm256_and_si256(rdivpot8(e, 12), valid));
        }
        __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
        int32_t shifted_scale, exponent;
        pml__softmax_scale_s8((uint32_t)_mm_cvtsi128_si32(s4), &shifted_scale, &exponent);
        const __m256i vscale = _mm256_set1_epi32(shifted_scale), m128 = _mm256_set1_epi32(-128);

        for (int32_t c = 0; c < depth; c += 8) {
            __m256i valid;
            const __m256i diff = diffs8(x + c, depth - c, vmax, dmin1, &valid);
            const __m256i e = keep ? _mm256_loadu_si256((const __m256i *)(const void *)(e_kept + c))
                                   : exp_neg_q5_8(rdivpot8(srdhm8(_mm256_sll_epi32(diff, vleft), mult), right));
            __m256i v = _mm256_add_epi32(rdivpot8(srdhm8(vscale, e), exponent), m128);
            v = _mm256_min_epi32(_mm256_max_epi32(v, m128), _mm256_set1_epi32(127));
            v = _mm256_blendv_epi8(m128, v, valid);
            const __m256i p16 = _mm256_packs_epi32(v, v); /* lanes 0-3 | 4-7, each twice */
            const __m128i b8 = _mm_packs_epi16(_mm256_castsi256_si128(p16), _mm256_extracti128_si256(p16, 1));
            int8_t t[16];
            _mm_storeu_si128((__m128i *)(void *)t, _mm_shuffle_epi32(b8, 0x08)); /* dwords 0 (lanes 0-3), 2 (4-7) */
            memcpy(y + c, t, (size_t)(depth - c < 8 ? depth - c : 8));
        }
    }
}
