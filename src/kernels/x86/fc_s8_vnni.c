/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FULLY_CONNECTED int8, x86-64 AVX-VNNI (chosen at prepare when the CPU has it).
 *
 * One pass over the weights: four rows at a time, vpdpbusd forms sum (x + 128) * w from the input
 * made unsigned (x ^ 0x80) and, in the same loop, sum w from a vector of ones, so each weight byte
 * is loaded once (the weights of small-batch FC come from L2, and reading them twice cost more than
 * the extra multiply-adds). The true sum is
 *   sum (x + off) * w = sum (x + 128) * w + (off - 128) * sum w,
 * and when off == 128 (input zero point -128, common after ReLU) the weight sums are skipped.
 * Exact integer arithmetic (int32 wraps only where the reference's true result fits): bit-exact.
 */
#include <string.h>

#include "../conv_s8_loops.h"
#include "pml_dot_s8_vnni.h"

#define VNNI_FC_CHUNK 256

bool pml_fc_s8_vnni_applies(const pml_fc_params *p) { return pml_fc_s8_fast_applies(p) && pml__x86_has_avxvnni(); }

/* ebias[u] = bias[u] + (input_offset - 128) * sum_d w[u, d], wrapping as the kernel does: with it as
 * bias and input_offset 128, pml_fc_s8_vnni computes the same outputs without forming weight sums. */
void pml_fc_s8_vnni_fold(const pml_fc_params *p, int32_t depth, int32_t units, const int8_t *w, const int32_t *bias,
                         int32_t *ebias) {
    const uint32_t k = (uint32_t)(p->input_offset - 128);
    for (int32_t u = 0; u < units; u++) {
        int32_t s = 0;
        for (int32_t i = 0; i < depth; i++) s += w[(size_t)u * depth + i];
        ebias[u] = (int32_t)((uint32_t)(bias ? bias[u] : 0) + k * (uint32_t)s);
    }
}

/* horizontal sums of four vectors: lane j of the result is the sum of v_j */
PML_INLINE __m128i hsum4(__m256i v0, __m256i v1, __m256i v2, __m256i v3) {
    const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(v0, v1), _mm256_hadd_epi32(v2, v3));
    return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}

/* Rows w[0..n) (n <= 4, depth bytes each) against x: dot[j] = sum (x + 128) * w_j and, if sums,
 * sw[j] = sum w_j. Missing rows (j >= n) repeat row 0 and are ignored by the caller. */
PML_INLINE void rows4(const int8_t *x, const int8_t *w, int32_t depth, int32_t n, bool sums, int32_t dot[4], int32_t sw[4]) {
    const int8_t *w0 = w, *w1 = n > 1 ? w + depth : w, *w2 = n > 2 ? w + 2 * (size_t)depth : w,
                 *w3 = n > 3 ? w + 3 * (size_t)depth : w;
    const __m256i ones = _mm256_set1_epi8(1);
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0, s0 = a0, s1 = a0, s2 = a0, s3 = a0;
    int32_t i = 0;
    if (sums) {
        for (; i + 32 <= depth; i += 32) {
            const __m256i xv = pml__ld32u_s8(x + i), v0 = pml__ld32_s8(w0 + i), v1 = pml__ld32_s8(w1 + i),
                          v2 = pml__ld32_s8(w2 + i), v3 = pml__ld32_s8(w3 + i);
            a0 = pml__dpbusd(a0, xv, v0);
            a1 = pml__dpbusd(a1, xv, v1);
            a2 = pml__dpbusd(a2, xv, v2);
            a3 = pml__dpbusd(a3, xv, v3);
            s0 = pml__dpbusd(s0, ones, v0);
            s1 = pml__dpbusd(s1, ones, v1);
            s2 = pml__dpbusd(s2, ones, v2);
            s3 = pml__dpbusd(s3, ones, v3);
        }
    } else {
        for (; i + 32 <= depth; i += 32) {
            const __m256i xv = pml__ld32u_s8(x + i);
            a0 = pml__dpbusd(a0, xv, pml__ld32_s8(w0 + i));
            a1 = pml__dpbusd(a1, xv, pml__ld32_s8(w1 + i));
            a2 = pml__dpbusd(a2, xv, pml__ld32_s8(w2 + i));
            a3 = pml__dpbusd(a3, xv, pml__ld32_s8(w3 + i));
        }
    }
    if (i + 16 <= depth) {
        const __m128i xv = pml__ld16u_s8(x + i), z = _mm_setzero_si128(), o = _mm_set1_epi8(1);
        const __m128i v0 = pml__ld16b_s8(w0 + i), v1 = pml__ld16b_s8(w1 + i), v2 = pml__ld16b_s8(w2 + i),
                      v3 = pml__ld16b_s8(w3 + i);
        a0 = _mm256_add_epi32(a0, _mm256_castsi128_si256(_mm_dpbusd_avx_epi32(z, xv, v0)));
        a1 = _mm256_add_epi32(a1, _mm256_castsi128_si256(_mm_dpbusd_avx_epi32(z, xv, v1)));
        a2 = _mm256_add_epi32(a2, _mm256_castsi128_si256(_mm_dpbusd_avx_epi32(z, xv, v2)));
        a3 = _mm256_add_epi32(a3, _mm256_castsi128_si256(_mm_dpbusd_avx_epi32(z, xv, v3)));
        if (sums) {
            s0 = _mm256_add_epi32(s0, _mm256_castsi128_si256(_mm_dpbusd_avx_epi32(z, o, v0)));
            s1 = _mm256_add_epi32(s1, _mm256_castsi128_si256(_mm_dpbusd_avx_epi32(z, o, v1)));
            s2 = _mm256_add_epi32(s2, _mm256_castsi128_si256(_mm_dpbusd_avx_epi32(z, o, v2)));
            s3 = _mm256_add_epi32(s3, _mm256_castsi128_si256(_mm_dpbusd_avx_epi32(z, o, v3)));
        }
        i += 16;
    }
    _mm_storeu_si128((__m128i *)(void *)dot, hsum4(a0, a1, a2, a3));
    if (sums) _mm_storeu_si128((__m128i *)(void *)sw, hsum4(s0, s1, s2, s3));
    for (; i < depth; i++) {
        const int32_t xv = x[i] + 128;
        dot[0] += xv * w0[i];
        dot[1] += xv * w1[i];
        dot[2] += xv * w2[i];
        dot[3] += xv * w3[i];
        if (sums) {
            sw[0] += w0[i];
            sw[1] += w1[i];
            sw[2] += w2[i];
            sw[3] += w3[i];
        }
    }
}

/* Horizontal sums of eight vectors: lane j of the result is the sum of the lanes of a_j. Blends
 * (any vector port) do half of the pairing and one in-lane shuffle per pair the rest: 7 shuffles
 * where vphaddd takes 14, which matters when the depth is short (4 multiply-adds per row at 128). */
PML_INLINE __m256i pair32(__m256i a, __m256i b) { /* lanes a0+a1, b0+b1, a2+a3, b2+b3, ... */
    const __m256i u = _mm256_blend_epi32(a, b, 0xAA), v = _mm256_blend_epi32(b, a, 0xAA);
    return _mm256_add_epi32(u, _mm256_shuffle_epi32(v, 0xB1));
}
PML_INLINE __m256i pair64(__m256i a, __m256i b) {
    const __m256i u = _mm256_blend_epi32(a, b, 0xCC), v = _mm256_blend_epi32(b, a, 0xCC);
    return _mm256_add_epi32(u, _mm256_shuffle_epi32(v, 0x4E));
}
PML_INLINE __m256i sum8(__m256i a0, __m256i a1, __m256i a2, __m256i a3, __m256i a4, __m256i a5, __m256i a6,
                        __m256i a7) {
    const __m256i q0 = pair64(pair32(a0, a1), pair32(a2, a3)); /* per 128-bit lane: sums of a0 a1 a2 a3 */
    const __m256i q1 = pair64(pair32(a4, a5), pair32(a6, a7));
    return _mm256_add_epi32(_mm256_blend_epi32(q0, q1, 0xF0), _mm256_permute2x128_si256(q0, q1, 0x21));
}

/* Eight rows (depth bytes each) against x, no weight sums: lane j = sum (x + 128) * w_j. Eight
 * independent accumulators keep the multiply-adds busy when depth is short. */
PML_INLINE __m256i rows8(const int8_t *x, const int8_t *w, int32_t depth) {
    /* row j at w + j * d: one moving pointer and two strides (d, 3d) address all eight rows; an
     * array of eight row pointers was vectorized by the compiler into a 64-bit multiply and
     * extracts per call, which cost as much as the multiply-adds at depth 128 */
    const size_t d = (size_t)depth, d3 = 3 * d;
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    int32_t i = 0;
    for (; i + 32 <= depth; i += 32) {
        const __m256i xv = pml__ld32u_s8(x + i);
        const int8_t *p = w + i, *q = p + 4 * d;
        a0 = pml__dpbusd(a0, xv, pml__ld32_s8(p));
        a1 = pml__dpbusd(a1, xv, pml__ld32_s8(p + d));
        a2 = pml__dpbusd(a2, xv, pml__ld32_s8(p + 2 * d));
        a3 = pml__dpbusd(a3, xv, pml__ld32_s8(p + d3));
        a4 = pml__dpbusd(a4, xv, pml__ld32_s8(q));
        a5 = pml__dpbusd(a5, xv, pml__ld32_s8(q + d));
        a6 = pml__dpbusd(a6, xv, pml__ld32_s8(q + 2 * d));
        a7 = pml__dpbusd(a7, xv, pml__ld32_s8(q + d3));
    }
    if (i + 16 <= depth) {
        /* the upper 128-bit lane of these vectors is zero */
        const __m256i xv = _mm256_castsi128_si256(pml__ld16u_s8(x + i));
#define PML_FC_H(a, j) a = pml__dpbusd(a, xv, _mm256_zextsi128_si256(pml__ld16b_s8(w + (j) * d + i)))
        PML_FC_H(a0, 0);
        PML_FC_H(a1, 1);
        PML_FC_H(a2, 2);
        PML_FC_H(a3, 3);
        PML_FC_H(a4, 4);
        PML_FC_H(a5, 5);
        PML_FC_H(a6, 6);
        PML_FC_H(a7, 7);
#undef PML_FC_H
        i += 16;
    }
    if (i + 8 <= depth) {
        int64_t v;
        memcpy(&v, x + i, 8);
        const __m256i xv = _mm256_zextsi128_si256(_mm_cvtsi64_si128(v ^ (int64_t)0x8080808080808080ull)); /* 8 bytes + 128 */
#define PML_FC_Q(a, j) (memcpy(&v, w + (j) * d + i, 8), a = pml__dpbusd(a, xv, _mm256_zextsi128_si256(_mm_cvtsi64_si128(v))))
        PML_FC_Q(a0, 0);
        PML_FC_Q(a1, 1);
        PML_FC_Q(a2, 2);
        PML_FC_Q(a3, 3);
        PML_FC_Q(a4, 4);
        PML_FC_Q(a5, 5);
        PML_FC_Q(a6, 6);
        PML_FC_Q(a7, 7);
#undef PML_FC_Q
        i += 8;
    }
    __m256i r = sum8(a0, a1, a2, a3, a4, a5, a6, a7);
    if (i < depth) {
        int32_t t[8];
        _mm256_storeu_si256((__m256i *)(void *)t, r);
        for (; i < depth; i++)
            for (int32_t j = 0; j < 8; j++) t[j] += (x[i] + 128) * w[j * d + (size_t)i];
        r = _mm256_loadu_si256((const __m256i *)(const void *)t);
    }
    return r;
}

/* rows8 for rows that start 16 bytes past a 32-byte boundary, depth a multiple of 32 (weights in
 * a .tflite are 16-byte aligned, so half of the layers start so): a 32-byte load at row offset
 * 32k would straddle a cache line every other time, which cost ~25% on AD. Instead the first and
 * last 16 bytes of a row form one vector (two 16-byte loads, each within a line) and the loads
 * in between, at row offsets 16 + 32k, are aligned; x is paired the same way, so the dot products
 * are unchanged. */
PML_INLINE __m256i rows8_h16(const int8_t *x, const int8_t *w, int32_t depth) {
    const size_t d = (size_t)depth, d3 = 3 * d;
    const __m256i xv0 = _mm256_xor_si256(_mm256_setr_m128i(pml__ld16b_s8(x), pml__ld16b_s8(x + d - 16)),
                                         _mm256_set1_epi8((char)0x80));
#define PML_FC_E(j) _mm256_setr_m128i(pml__ld16b_s8(w + (j) * d), pml__ld16b_s8(w + (j) * d + d - 16))
    const __m256i z = _mm256_setzero_si256();
    __m256i a0 = pml__dpbusd(z, xv0, PML_FC_E(0)), a1 = pml__dpbusd(z, xv0, PML_FC_E(1)),
            a2 = pml__dpbusd(z, xv0, PML_FC_E(2)), a3 = pml__dpbusd(z, xv0, PML_FC_E(3)),
            a4 = pml__dpbusd(z, xv0, PML_FC_E(4)), a5 = pml__dpbusd(z, xv0, PML_FC_E(5)),
            a6 = pml__dpbusd(z, xv0, PML_FC_E(6)), a7 = pml__dpbusd(z, xv0, PML_FC_E(7));
#undef PML_FC_E
    for (int32_t i = 16; i + 48 <= depth; i += 32) {
        const __m256i xv = pml__ld32u_s8(x + i);
        const int8_t *p = w + i, *q = p + 4 * d;
        a0 = pml__dpbusd(a0, xv, pml__ld32_s8(p));
        a1 = pml__dpbusd(a1, xv, pml__ld32_s8(p + d));
        a2 = pml__dpbusd(a2, xv, pml__ld32_s8(p + 2 * d));
        a3 = pml__dpbusd(a3, xv, pml__ld32_s8(p + d3));
        a4 = pml__dpbusd(a4, xv, pml__ld32_s8(q));
        a5 = pml__dpbusd(a5, xv, pml__ld32_s8(q + d));
        a6 = pml__dpbusd(a6, xv, pml__ld32_s8(q + 2 * d));
        a7 = pml__dpbusd(a7, xv, pml__ld32_s8(q + d3));
    }
    return sum8(a0, a1, a2, a3, a4, a5, a6, a7);
}

/* Depth 8: rows are 8 bytes and consecutive, so one 32-byte load holds 4 rows; against x
 * broadcast 8 bytes at a time, vpdpbusd gives two half-sums per row, and one vphaddd pairs them.
 * Lane j of the result = sum (x + 128) * w_j for the 8 rows at w. */
PML_INLINE __m256i rows8_d8(__m256i xv, const int8_t *w) {
    const __m256i z = _mm256_setzero_si256();
    const __m256i a = pml__dpbusd(z, xv, _mm256_loadu_si256((const __m256i *)(const void *)w));       /* rows 0-3 */
    const __m256i b = pml__dpbusd(z, xv, _mm256_loadu_si256((const __m256i *)(const void *)(w + 32))); /* rows 4-7 */
    const __m256i h = _mm256_hadd_epi32(a, b); /* rows 0 1 4 5 | 2 3 6 7 */
    return _mm256_permutevar8x32_epi32(h, _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7));
}

/* Requantization of 8 outputs straight from registers (per-tensor constants formed once per call). */
typedef struct vnni_out {
    const pml_requant *q;
    const int32_t *bias;
    pml__rq8 rq;
    __m256i voff;
    __m128i lo8, hi8;
} vnni_out;

PML_INLINE void out8(const vnni_out *o, __m256i d, int32_t ch, int8_t *out) {
    if (o->bias) d = _mm256_add_epi32(d, _mm256_loadu_si256((const __m256i *)(const void *)(o->bias + ch)));
    if (o->q->count == 1) {
        pml__store8_s8(pml__outq8_avx2(d, &o->rq, o->voff), o->lo8, o->hi8, out);
    } else {
        const pml__rq8 r = pml__rq8_load(o->q, ch, 8);
        pml__store8_s8(pml__outq8_avx2(d, &r, o->voff), o->lo8, o->hi8, out);
    }
}

/* 16 outputs (channels ch .. ch + 15 as d0, d1) */
PML_INLINE void out16(const vnni_out *o, __m256i d0, __m256i d1, int32_t ch, int8_t *out) {
    if (o->bias) {
        d0 = _mm256_add_epi32(d0, _mm256_loadu_si256((const __m256i *)(const void *)(o->bias + ch)));
        d1 = _mm256_add_epi32(d1, _mm256_loadu_si256((const __m256i *)(const void *)(o->bias + ch + 8)));
    }
    if (o->q->count == 1) {
        pml__store16_s8(pml__outq8_avx2(d0, &o->rq, o->voff), pml__outq8_avx2(d1, &o->rq, o->voff), o->lo8, o->hi8, out);
    } else {
        const pml__rq8 r0 = pml__rq8_load(o->q, ch, 8), r1 = pml__rq8_load(o->q, ch + 8, 8);
        pml__store16_s8(pml__outq8_avx2(d0, &r0, o->voff), pml__outq8_avx2(d1, &r1, o->voff), o->lo8, o->hi8, out);
    }
}

/* Rows 0 .. 16k - 1 (the largest multiple of 16 <= units) against x, outputs to y; returns 16k. */
PML_INLINE int32_t rows16_loop(const vnni_out *o, const int8_t *x, const int8_t *w, int32_t depth, int32_t units, int8_t *y) {
    int32_t j = 0;
    if (depth % 32 == 0 && ((uintptr_t)w & 31) == 16)
        for (; j + 16 <= units; j += 16)
            out16(o, rows8_h16(x, w + (size_t)j * depth, depth), rows8_h16(x, w + (size_t)(j + 8) * depth, depth), j, y + j);
    for (; j + 16 <= units; j += 16)
        out16(o, rows8(x, w + (size_t)j * depth, depth), rows8(x, w + (size_t)(j + 8) * depth, depth), j, y + j);
    return j;
}

/* Input zero point -128 (or bias folded at prepare): no weight sums, no accumulator buffer. */
static void fc_nosums(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth, int32_t units,
                      const int8_t *in, const int8_t *w, const int32_t *bias, int8_t *out) {
    vnni_out o;
    o.q = q;
    o.bias = bias;
    o.rq = pml__rq8_load(q, 0, 8); /* used when per tensor */
    o.voff = _mm256_set1_epi32(p->output_offset);
    o.lo8 = _mm_set1_epi8((char)p->act_min);
    o.hi8 = _mm_set1_epi8((char)p->act_max);
    for (int32_t b = 0; b < batches; b++) {
        const int8_t *x = in + (size_t)b * depth;
        int8_t *y = out + (size_t)b * units;
        int32_t j = 0;
        if (depth == 8) {
            int64_t xb;
            memcpy(&xb, x, 8);
            const __m256i xv = _mm256_set1_epi64x(xb ^ (int64_t)0x8080808080808080ull);
            for (; j + 16 <= units; j += 16)
                out16(&o, rows8_d8(xv, w + (size_t)j * 8), rows8_d8(xv, w + (size_t)j * 8 + 64), j, y + j);
            for (; j + 8 <= units; j += 8) out8(&o, rows8_d8(xv, w + (size_t)j * 8), j, y + j);
        }
        /* depths of up to four 32-byte chunks, inlined with the depth as a constant: the eight rows
         * are then addressed with constant displacements from one pointer, not base + index */
        if (depth == 128)
            j = rows16_loop(&o, x, w, 128, units, y);
        else if (depth == 96)
            j = rows16_loop(&o, x, w, 96, units, y);
        else if (depth == 64)
            j = rows16_loop(&o, x, w, 64, units, y);
        else if (depth == 32)
            j = rows16_loop(&o, x, w, 32, units, y);
        else if (depth != 8)
            j = rows16_loop(&o, x, w, depth, units, y);
        for (; j + 8 <= units; j += 8) out8(&o, rows8(x, w + (size_t)j * depth, depth), j, y + j);
        for (; j < units; j += 4) {
            int32_t d[4], s[4];
            const int32_t nr = units - j < 4 ? units - j : 4;
            rows4(x, w + (size_t)j * depth, depth, nr, false, d, s);
            for (int32_t r = 0; r < nr; r++)
                y[j + r] = pml__requant_clamp(pml__wadd(d[r], bias ? bias[j + r] : 0), q, j + r, p->output_offset,
                                              p->act_min, p->act_max);
        }
    }
}

void pml_fc_s8_vnni(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth, int32_t units,
                    const int8_t *in, const int8_t *w, const int32_t *bias, int8_t *out) {
    const uint32_t k = (uint32_t)(p->input_offset - 128); /* weight of sum w in the true sum */
    const bool sums = k != 0;
    if (!sums) {
        fc_nosums(p, q, batches, depth, units, in, w, bias, out);
        return;
    }
    int32_t ebias[VNNI_FC_CHUNK]; /* bias + (input_offset - 128) * sum w, for one chunk of units */
    int32_t acc[VNNI_FC_CHUNK];   /* dot products of one batch row, then ebias added             */
    for (int32_t u0 = 0; u0 < units; u0 += VNNI_FC_CHUNK) {
        const int32_t n = units - u0 < VNNI_FC_CHUNK ? units - u0 : VNNI_FC_CHUNK;
        const int8_t *wc = w + (size_t)u0 * depth;
        if (!sums) {
            if (bias)
                memcpy(ebias, bias + u0, (size_t)n * sizeof(int32_t));
            else
                memset(ebias, 0, (size_t)n * sizeof(int32_t));
        }
        for (int32_t b = 0; b < batches; b++) {
            const int8_t *x = in + (size_t)b * depth;
            const bool first_sums = sums && b == 0; /* this pass also forms ebias */
            int32_t j = 0;
            if (!first_sums && depth == 8) {
                int64_t xb;
                memcpy(&xb, x, 8);
                const __m256i xv = _mm256_set1_epi64x(xb ^ (int64_t)0x8080808080808080ull);
                for (; j + 8 <= n; j += 8)
                    _mm256_storeu_si256((__m256i *)(void *)(acc + j),
                                        _mm256_add_epi32(rows8_d8(xv, wc + (size_t)j * 8),
                                                         _mm256_loadu_si256((const __m256i *)(const void *)(ebias + j))));
            }
            if (!first_sums)
                for (; j + 8 <= n; j += 8) {
                    const __m256i d = rows8(x, wc + (size_t)j * depth, depth);
                    _mm256_storeu_si256((__m256i *)(void *)(acc + j),
                                        _mm256_add_epi32(d, _mm256_loadu_si256((const __m256i *)(const void *)(ebias + j))));
                }
            for (; j < n; j += 4) {
                int32_t d[4], s[4] = {0, 0, 0, 0};
                const int32_t nr = n - j < 4 ? n - j : 4;
                rows4(x, wc + (size_t)j * depth, depth, nr, first_sums, d, s);
                for (int32_t r = 0; r < nr; r++) {
                    if (first_sums) ebias[j + r] = (int32_t)((uint32_t)(bias ? bias[u0 + j + r] : 0) + k * (uint32_t)s[r]);
                    acc[j + r] = (int32_t)((uint32_t)d[r] + (uint32_t)ebias[j + r]);
                }
            }
            pml_requant qc = *q;
            if (q->count != 1) {
                qc.mult += u0;
                qc.shift += u0;
            }
            pml__requant_row_avx2(acc, n, 0, NULL, &qc, p->output_offset, p->act_min, p->act_max, out + (size_t)b * units + u0);
        }
    }
}
