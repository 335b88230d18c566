/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ADD int8, x86-64 AVX2, in the 32-bit form of pml__add_split (derivation in add_s8_fast.c): same-shape
 * inputs whose parameters pml__add_split_make accepts. Per 8 elements and input: one sign extension,
 * two 16-bit multiply-adds (vpmaddwd on the sign-extended v gives v * mh, and v * ml - [v < 0] * cw)
 * and three shifts, or one shift for the input of the larger scale (multiplier 1/2: v << 19); the
 * output stage is two 32x32->64 products on 2 * (a1 + a2) whose high halves, less the sign
 * correction, shifted by ro are the outputs. 32 elements per iteration.
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

PML_INLINE size_t run32(size_t n, const int8_t *in1, const int8_t *in2, int8_t *out, const in8 *k1, const in8 *k2,
                        const out8 *ko, __m256i lo8, __m256i hi8, int f1, int f2) {
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i v[4];
        for (int j = 0; j < 4; j++)
            v[j] = out8_apply(_mm256_add_epi32(in8_apply(in1 + i + 8 * j, k1, f1), in8_apply(in2 + i + 8 * j, k2, f2)), ko);
        /* the packs work per 128-bit lane: dwords come out as elements 0-3, 8-11, 16-19, 24-27, 4-7, ... */
        const __m256i b = _mm256_packs_epi16(_mm256_packs_epi32(v[0], v[1]), _mm256_packs_epi32(v[2], v[3]));
        const __m256i r = _mm256_permutevar8x32_epi32(b, order);
        _mm256_storeu_si256((__m256i *)(void *)(out + i), _mm256_min_epi8(_mm256_max_epi8(r, lo8), hi8));
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
    /* one instance per pair of input forms, so that the loops carry no branches */
#define RUN(a, b) run32(n, in1, in2, out, &k1, &k2, &ko, lo8, hi8, a, b)
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
