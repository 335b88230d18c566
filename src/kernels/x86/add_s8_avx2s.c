/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ADD int8, x86-64 AVX2, in the 32-bit form of pml__add_split (derivation in add_s8_fast.c): same-shape
 * inputs whose parameters pml__add_split_make accepts. Per 8 elements and input: one sign extension,
 * two 16-bit multiply-adds (vpmaddwd on the sign-extended v gives v * mh, and v * ml - [v < 0] * cw)
 * and three shifts, or one shift for the input of the larger scale (multiplier 1/2: v << 19); the
 * output stage is two 32x32->64 products on 2 * (a1 + a2) whose high halves, less the sign
 * correction, shifted by ro are the outputs. 32 elements per iteration.
 * In front of it, where rounding is to nearest and the output shift is negative, a float estimate with
 * an error bound (fl8 below) gives each block of 32 whose every element is provably rounded right
 * in about a third of the instructions; the other blocks take the integer path.
 */
#include <immintrin.h>

#include "../pml_kernels.h"

typedef struct in8 {
    __m256i off, mh, ml, c, a, b, d;
} in8;

static in8 in8_make(const pml__add_in *c) {
    in8 k;
    k.off = _mm256_set1_epi32(c->off);
    k.mh = _mm256_set1_epi32(c->mh & 0xFFFF);                           /* 16-bit pair (mh, 0) */
    k.ml = _mm256_set1_epi32((int32_t)(((uint32_t)c->cw << 16) | ((uint32_t)c->ml & 0xFFFFu))); /* (ml, cw) */
    k.c = _mm256_set1_epi32(c->c);
    k.a = _mm256_set1_epi32(c->a);
    k.b = _mm256_set1_epi32(c->b);
    k.d = _mm256_set1_epi32(c->d);
    return k;
}

/* input forms: the multiplier 1/2 (a = v << 19), r <= 5 (D = 0), r > 5 (A = 0) */
enum { IN_HALF, IN_LOW, IN_HIGH };

PML_INLINE int in_form(const pml__add_in *c) { return c->half ? IN_HALF : c->d == 0 ? IN_LOW : IN_HIGH; }

/* a for 8 bytes at x */
PML_INLINE __m256i in8_apply(const int8_t *x, const in8 *k, int form) {
    const __m256i v = _mm256_add_epi32(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)x)), k->off);
    if (form == IN_HALF) return _mm256_slli_epi32(v, 19);
    const __m256i w = _mm256_madd_epi16(v, k->mh);
    const __m256i t = _mm256_srav_epi32(_mm256_add_epi32(_mm256_madd_epi16(v, k->ml), k->c), k->b);
    if (form == IN_LOW) return _mm256_add_epi32(_mm256_sllv_epi32(w, k->a), t);
    return _mm256_srav_epi32(_mm256_add_epi32(w, t), k->d);
}

typedef struct out8 {
    __m256i mo, k2, tz2, ro;
} out8;

PML_INLINE __m256i out8_apply(__m256i s, const out8 *k) {
    const __m256i s2 = _mm256_add_epi32(s, s);
    const __m256i e = _mm256_add_epi64(_mm256_mul_epi32(s2, k->mo), k->k2);
    const __m256i o = _mm256_add_epi64(_mm256_mul_epi32(_mm256_shuffle_epi32(s2, 0xF5), k->mo), k->k2);
    const __m256i y = _mm256_blend_epi32(_mm256_shuffle_epi32(e, 0xF5), o, 0xAA); /* the high halves */
    return _mm256_srav_epi32(_mm256_add_epi32(y, _mm256_cmpgt_epi32(k->tz2, s2)), k->ro);
}

/* 4 x 8 int32 lanes (elements 0-7, 8-15, ...) to 32 bytes at out, clamped to [lo8, hi8] (the packs
 * saturate to int8 first, which the activation range lies within) */
PML_INLINE void store32(const __m256i *v, __m256i lo8, __m256i hi8, int8_t *out) {
    /* the packs work per 128-bit lane: dwords come out as elements 0-3, 8-11, 16-19, 24-27, 4-7, ... */
    const __m256i b = _mm256_packs_epi16(_mm256_packs_epi32(v[0], v[1]), _mm256_packs_epi32(v[2], v[3]));
    const __m256i r = _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256((__m256i *)(void *)out, _mm256_min_epi8(_mm256_max_epi8(r, lo8), hi8));
}

/*
 * Float front (fl8): the exact output before rounding is T = x / 2^ro + output offset, and
 * |T - (x1 * al + x2 * be + ga)| <= dl with al, be, ga the real scalings of the raw inputs and
 * dl = (0.5 + 2 * mo / 2^31) / 2^ro (each input stage is off its real value by at most 1, the high
 * multiply by 1/2). lo = (x1 * al + (ga - e)) + x2 * be and hi = lo + 2e in float (AVX2 without
 * FMA), with e above dl plus a bound of the float errors, satisfy lo < T < hi; where lo and hi round
 * to the same integer, that integer is the output (no half lies between them, so half-away-from-zero
 * rounding of T gives it too). A block of 32 where some element's lo and hi differ (a few in a thousand) takes the
 * integer path.
 */
typedef struct fl8 {
    __m256 al, be, ga, e2;
} fl8;

static bool fl8_make(const pml_add_params *p, const pml__add_split *s, fl8 *k) {
    if (s->ro < 1 || (_mm_getcsr() & 0x6000u) != 0) return false; /* rounding to nearest only */
    const double unit = 1.0 / ((double)((int64_t)1 << 31) * (double)((int64_t)1 << s->ro)) * s->mo;
    const double al = (double)p->input1_mult / (double)((int64_t)1 << (11 - p->input1_shift)) * unit;
    const double be = (double)p->input2_mult / (double)((int64_t)1 << (11 - p->input2_shift)) * unit;
    const double ga = p->input1_offset * al + p->input2_offset * be + p->output_offset;
    const double mag = 128.0 * (al + be) + (ga < 0 ? -ga : ga) + 1.0;
    /* float error: each of the eight roundings (al, be, ga, 2e, two products, three sums) is at most
     * 2^-24 of a value below mag; 2^-20 * mag covers them twice */
    const double e = ((0.5 + 2.0 * s->mo / 2147483648.0) / (double)((int64_t)1 << s->ro) + mag / 1048576.0) * 1.01;
    if (mag >= (double)(1 << 24) || e >= 1.0 / 16) return false;
    k->al = _mm256_set1_ps((float)al);
    k->be = _mm256_set1_ps((float)be);
    k->ga = _mm256_set1_ps((float)(ga - e));
    k->e2 = _mm256_set1_ps((float)(2 * e));
    return true;
}

PML_INLINE __m256 cvt8f(const int8_t *x) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)x)));
}

PML_INLINE size_t run32(size_t n, const int8_t *in1, const int8_t *in2, int8_t *out, const in8 *k1, const in8 *k2,
                        const out8 *ko, const fl8 *kf, __m256i lo8, __m256i hi8, int f1, int f2) {
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i v[4];
        if (kf) {
            __m256i diff = _mm256_setzero_si256();
            for (int j = 0; j < 4; j++) {
                const __m256 lo = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(cvt8f(in1 + i + 8 * j), kf->al), kf->ga),
                                                _mm256_mul_ps(cvt8f(in2 + i + 8 * j), kf->be));
                v[j] = _mm256_cvtps_epi32(lo);
                diff = _mm256_or_si256(diff, _mm256_xor_si256(v[j], _mm256_cvtps_epi32(_mm256_add_ps(lo, kf->e2))));
            }
            if (_mm256_testz_si256(diff, diff)) {
                store32(v, lo8, hi8, out + i);
                continue;
            }
        }
        for (int j = 0; j < 4; j++)
            v[j] = out8_apply(_mm256_add_epi32(in8_apply(in1 + i + 8 * j, k1, f1), in8_apply(in2 + i + 8 * j, k2, f2)), ko);
        store32(v, lo8, hi8, out + i);
    }
    return i;
}

bool pml_add_s8_avx2s_applies(const pml_add_params *p, const pml_bcast5 *b) {
    pml__add_split s;
    return pml_add_s8_fast_applies(p, b) && p->act_min >= -128 && p->act_max <= 127 && pml__add_split_make(p, &s);
}

void pml_add_s8_avx2s(const pml_add_params *p, const pml_bcast5 *b, const int8_t *in1, const int8_t *in2, int8_t *out) {
    size_t n = 1;
    for (int i = 0; i < 5; i++) n *= (size_t)b->out[i];
    pml__add_split s;
    if (!pml__add_split_make(p, &s)) { /* not reached after the predicate */
        pml_add_s8_fast(p, b, in1, in2, out);
        return;
    }
    const in8 k1 = in8_make(&s.in[0]), k2 = in8_make(&s.in[1]);
    const out8 ko = {_mm256_set1_epi32(s.mo), _mm256_set1_epi64x(s.k2), _mm256_set1_epi32(s.tz2), _mm256_set1_epi32(s.ro)};
    const __m256i lo8 = _mm256_set1_epi8((char)p->act_min), hi8 = _mm256_set1_epi8((char)p->act_max);
    fl8 f;
    const fl8 *kf = fl8_make(p, &s, &f) ? &f : NULL;
    /* one instance per pair of input forms, so that the loops carry no branches on them */
#define RUN(a, b) run32(n, in1, in2, out, &k1, &k2, &ko, kf, lo8, hi8, a, b)
    size_t d;
    switch (in_form(&s.in[0]) * 3 + in_form(&s.in[1])) {
    case IN_HALF * 3 + IN_HALF: d = RUN(IN_HALF, IN_HALF); break;
    case IN_HALF * 3 + IN_LOW: d = RUN(IN_HALF, IN_LOW); break;
    case IN_HALF * 3 + IN_HIGH: d = RUN(IN_HALF, IN_HIGH); break;
    case IN_LOW * 3 + IN_HALF: d = RUN(IN_LOW, IN_HALF); break;
    case IN_LOW * 3 + IN_LOW: d = RUN(IN_LOW, IN_LOW); break;
    case IN_LOW * 3 + IN_HIGH: d = RUN(IN_LOW, IN_HIGH); break;
    case IN_HIGH * 3 + IN_HALF: d = RUN(IN_HIGH, IN_HALF); break;
    case IN_HIGH * 3 + IN_LOW: d = RUN(IN_HIGH, IN_LOW); break;
    default: d = RUN(IN_HIGH, IN_HIGH); break;
    }
#undef RUN
    /* the rest (< 32) in the same form, one element at a time */
    for (size_t i = d; i < n; i++) {
        const int32_t v = pml__add_split_out(&s, 2 * (pml__add_split_in(&s.in[0], in1[i]) + pml__add_split_in(&s.in[1], in2[i])));
        out[i] = (int8_t)(v < p->act_min ? p->act_min : v > p->act_max ? p->act_max : v);
    }
}
