/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arm v7E-M DSP micro-kernels for the int8 fast paths (Cortex-M4/M7/M33/M55; built with
 * -DPML_KERNELS_DSP). The DSP instructions are reached through tiny inline-asm wrappers, so the
 * instruction choice does not depend on the compiler's pattern matching:
 *   SXTB16  r, x [, ROR #8]   bytes 0,2 (or 1,3) of x sign-extended into two int16 lanes
 *   SXTAB16 r, o, x [, ROR #8] the same plus the int16 lanes of o (adds the input offset for free)
 *   SMLAD   acc += lo*lo + hi*hi (two MACs; wraps modulo 2^32 like the reference's int32 sums)
 *   SMLAL   64-bit multiply-accumulate (requantization)
 * Dot products: x (+ offset) and w are unpacked to the same lane order (0,2 | 1,3), so SMLAD sums
 * the same products as the reference, just in another order: exact integers, bit-exact.
 *
 * Requantization (pml__mbqm: rdivpot(srdhm(x << l, m), r)) for channels with shift <= -1
 * (l = 0, r = -shift in 1..31), in one 64-bit sum and one shift:
 *   srdhm(x, m) = floor((x*m + 2^30) / 2^31)   (both signs; m >= 0 so no saturation)
 *   rdivpot(h, r) = floor((h + 2^(r-1) - [h < 0]) / 2^r)
 *   => mbqm = (x*m + 2^30 + 2^(30+r) - [x < 0] * 2^31) >> (31 + r)      (64-bit arithmetic shift)
 * The [h < 0] -> [x < 0] swap only matters when h is an exact tie, h = 2^(r-1) mod 2^r; for
 * x < 0 <= m, h <= 0, and h = 0 is no tie, so both signs agree where it matters. The 64-bit
 * start value is (rnd : lo) = (2^(r-2) : 2^30), or (0 : 2^30 + 2^31) for r = 1; the high word of
 * the sum is then shifted right by r - 1. Channels with shift >= 0 take the plain C helper.
 */
#ifndef PML_DOT_S8_DSP_H
#define PML_DOT_S8_DSP_H

#include <stdint.h>
#include <string.h>

#include "../../common/pml_compiler.h"
#include "../conv_s8_loops.h"

/* GCC: keep a noinline kernel instance's signature (IPA-SRA clones would change it and block the
 * dispatcher's tail call); clang has no such clones (and no such attribute) */
#if defined(__GNUC__) && !defined(__clang__)
#define PML__NOCLONE __attribute__((noclone))
#else
#define PML__NOCLONE
#endif

/* ---- instruction wrappers ------------------------------------------------------------------ */
PML_INLINE uint32_t pml__sxtb16(uint32_t x) {
    uint32_t r;
    __asm__("sxtb16 %0, %1" : "=r"(r) : "r"(x));
    return r;
}
PML_INLINE uint32_t pml__sxtb16_r8(uint32_t x) {
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}
PML_INLINE uint32_t pml__sxtab16(uint32_t o, uint32_t x) {
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2" : "=r"(r) : "r"(o), "r"(x));
    return r;
}
PML_INLINE uint32_t pml__sxtab16_r8(uint32_t o, uint32_t x) {
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(o), "r"(x));
    return r;
}
PML_INLINE int32_t pml__smlad(uint32_t a, uint32_t b, int32_t acc) {
    int32_t r;
    __asm__("smlad %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}
PML_INLINE int32_t pml__smlabb(uint32_t a, uint32_t b, int32_t acc) {
    int32_t r;
    __asm__("smlabb %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}
PML_INLINE int32_t pml__smlatt(uint32_t a, uint32_t b, int32_t acc) {
    int32_t r;
    __asm__("smlatt %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}
PML_INLINE uint32_t pml__sadd16(uint32_t a, uint32_t b) {
    uint32_t r;
    __asm__("sadd16 %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
PML_INLINE int32_t pml__ssat8(int32_t x) {
    int32_t r;
    __asm__("ssat %0, #8, %1" : "=r"(r) : "r"(x));
    return r;
}
/* unaligned 32-bit load (v7-M LDR allows it; memcpy keeps C strict-aliasing clean) */
PML_INLINE uint32_t pml__ld32(const int8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
/* two int16 lanes of the input offset */
PML_INLINE uint32_t pml__off2(int32_t off) { return ((uint32_t)off & 0xFFFFu) * 0x10001u; }

/* ---- requantization -------------------------------------------------------------------------- */
/* Per-channel constants. Mode 1 (every shift of the tensor in -31..-1): l = 0, r = -shift >= 1,
 * result = hi >> (r - 1). Mode 2 (any shift in -31..30): x is first shifted left by l = max(shift, 0)
 * (wrapping, as TFLite), and the 64-bit sum is shifted right by 31 + r as
 * ((hi << a) | (lo >> b)) >> c, with (a, b, c) = (0, 32, r - 1) for r >= 1 (a register LSR by 32
 * gives 0) and (1, 31, 0) for r = 0, where the sign correction is off (cm = 0): srdhm alone. */
typedef struct pml__rq_ch {
    int32_t m;   /* multiplier (>= 0)                             */
    uint32_t lo; /* low word of the start value                    */
    int32_t rnd; /* high word of the start value, 2^(r-2) or 0     */
    int32_t sh;  /* mode 1: r - 1                                  */
    uint32_t cm; /* mode 2: 2^31 (r >= 1) or 0 (r = 0)             */
    int32_t l, a, b, c;
} pml__rq_ch;

/* 1: every channel of q has shift in -31..-1; 2: every shift in -31..30; 0: neither */
PML_INLINE int pml__rq_mode(const pml_requant *q) {
    int mode = 1;
    for (int32_t c = 0; c < q->count; c++) {
        if (q->shift[c] < -31 || q->shift[c] > 30 || q->mult[c] < 0) return 0;
        if (q->shift[c] > -1) mode = 2;
    }
    return mode;
}

PML_INLINE pml__rq_ch pml__rq_prep(int32_t mult, int32_t shift) {
    const uint32_t r = shift > 0 ? 0u : (uint32_t)-shift, t = 1u << r;
    pml__rq_ch c;
    c.m = mult;
    c.lo = 0x40000000u | (t << 30); /* r = 0: 2^30; r = 1: 2^30 + 2^31; r >= 2: t << 30 wraps to 0 */
    c.rnd = (int32_t)(t >> 2);
    c.sh = (int32_t)r - 1;
    c.cm = r ? 0x80000000u : 0u;
    c.l = shift > 0 ? shift : 0;
    c.a = r ? 0 : 1;
    c.b = r ? 32 : 31;
    c.c = r ? (int32_t)r - 1 : 0;
    return c;
}

/* mode 1 only (shift in -31..-1): the fields pml__rq_apply uses */
PML_INLINE pml__rq_ch pml__rq_prep1(int32_t mult, int32_t shift) {
    const uint32_t r = (uint32_t)-shift, t = 1u << r;
    pml__rq_ch c;
    c.m = mult;
    c.lo = 0x40000000u | (t << 30);
    c.rnd = (int32_t)(t >> 2);
    c.sh = (int32_t)r - 1;
    c.cm = 0x80000000u;
    c.l = 0;
    c.a = 0;
    c.b = 32;
    c.c = c.sh;
    return c;
}

PML_INLINE pml__rq_ch pml__rq_prep_mode(int32_t mult, int32_t shift, int mode) {
    return mode == 1 ? pml__rq_prep1(mult, shift) : pml__rq_prep(mult, shift);
}

/* mode 1: mbqm(x, m, -(sh+1)) */
PML_INLINE int32_t pml__rq_apply(int32_t x, pml__rq_ch c) {
    uint32_t lo = c.lo;
    int32_t hi = c.rnd;
    const uint32_t neg = (uint32_t)x >> 31;
    __asm__("smlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(x), "r"(c.m));
    __asm__("smlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(neg), "r"(0x80000000u));
    return hi >> c.sh;
}

/* mode 2: mbqm(x, m, shift) for any shift in -31..30 */
PML_INLINE int32_t pml__rq_apply2(int32_t x, pml__rq_ch c) {
    const int32_t xs = (int32_t)((uint32_t)x << c.l);
    uint32_t lo = c.lo, w;
    int32_t hi = c.rnd;
    const uint32_t neg = (uint32_t)xs >> 31;
    __asm__("smlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(xs), "r"(c.m));
    __asm__("smlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(neg), "r"(c.cm));
    __asm__("lsr %0, %1, %2" : "=r"(w) : "r"(lo), "r"(c.b)); /* b = 32 gives 0 */
    return (int32_t)(((uint32_t)hi << c.a) | w) >> c.c;
}

PML_INLINE int32_t pml__rq_any(int32_t x, pml__rq_ch c, int mode) {
    return mode == 1 ? pml__rq_apply(x, c) : pml__rq_apply2(x, c);
}

/* Fast requantization with SMMLAR / SMMULR, exact while the doubled (and left-shifted) accumulator
 * fits int32. SMMLAR d, a, b, c = (c * 2^32 + a*b + 2^31) >> 32, so with x2 = 2x (no overflow):
 *   smmulr(x2, m) = floor((x*m + 2^30) / 2^31) = srdhm(x, m)
 * NEG (every shift in -31..-1, r = -shift): mbqm = (smmlar(2x, m, 2^(r-1)) - [x < 0]) >> r
 *   (the [h < 0] -> [x < 0] swap as above); POS (every shift in 0..30, s = shift + 1):
 *   mbqm = smmulr(x << s, m). pml__rqf_mode checks |acc| < 2^(30 - max(shift, 0)) from the window
 * length and the bias bound: |x + off| <= 255 and |w| <= 128, so |acc| <= |bias| + K * 32640. */
typedef struct pml__rqf {
    int32_t m;   /* multiplier                          */
    int32_t rnd; /* NEG: 2^(r-1); POS: unused (0)        */
    int32_t r;   /* NEG: right shift r; POS: left shift */
} pml__rqf;

enum { PML__RQF_NONE = 0, PML__RQF_NEG = 1, PML__RQF_POS = 2 };

/* Fast mode for channels of q, accumulators of K products plus bias[0..nb) (bias may be NULL). */
PML_INLINE int pml__rqf_mode(const pml_requant *q, const int32_t *bias, int32_t nb, int32_t K) {
    if (K < 0 || K > 32768) return PML__RQF_NONE;
    int neg = 1, pos = 1;
    int32_t lmax = 0;
    for (int32_t c = 0; c < q->count; c++) {
        const int32_t s = q->shift[c];
        if (q->mult[c] < 0) return PML__RQF_NONE;
        if (s < -31 || s > -1) neg = 0;
        if (s < 0 || s > 29) pos = 0;
        if (s > lmax) lmax = s;
    }
    if (!neg && !pos) return PML__RQF_NONE;
    int64_t bmax = 0;
    for (int32_t c = 0; bias && c < nb; c++) {
        const int64_t b = bias[c] < 0 ? -(int64_t)bias[c] : (int64_t)bias[c];
        bmax = b > bmax ? b : bmax;
    }
    const int64_t bound = bmax + (int64_t)K * 32640;
    if (neg && bound < ((int64_t)1 << 30)) return PML__RQF_NEG;
    if (pos && bound < ((int64_t)1 << (30 - lmax))) return PML__RQF_POS;
    return PML__RQF_NONE;
}

PML_INLINE pml__rqf pml__rqf_prep(const pml_requant *q, int32_t ch, int fm) {
    const int32_t qi = q->count == 1 ? 0 : ch, s = q->shift[qi];
    pml__rqf t;
    t.m = q->mult[qi];
    t.r = fm == PML__RQF_NEG ? -s : s + 1;
    t.rnd = fm == PML__RQF_NEG ? (int32_t)(1u << (-s - 1)) : 0;
    return t;
}

PML_INLINE int32_t pml__rqf_apply(int32_t x, const pml__rqf *t, int fm) {
    int32_t h;
    if (fm == PML__RQF_NEG) {
        __asm__("smmlar %0, %1, %2, %3" : "=r"(h) : "r"((uint32_t)x << 1), "r"(t->m), "r"(t->rnd));
        h -= (int32_t)((uint32_t)x >> 31);
        return h >> t->r;
    }
    __asm__("smmulr %0, %1, %2" : "=r"(h) : "r"((uint32_t)x << t->r), "r"(t->m));
    return h;
}

/* clamp to [lo, hi] (a subrange of int8) */
PML_INLINE int32_t pml__clamp8(int32_t v, int32_t lo, int32_t hi, bool full) {
    if (full) return pml__ssat8(v);
    v = v < lo ? lo : v;
    return v > hi ? hi : v;
}

/* clamp(mbqm(a, m, sh) + off) for one output: the SMMLAR NEG form where it is exact (shift -31..-1,
 * m >= 0, |a| < 2^30, so that 2a fits; a zero multiplier then gives 0 as in the reference), else the
 * reference helper (q, u: the requantization and the output's channel). */
PML_INLINE int8_t pml__rq1_neg_dsp(int32_t a, int32_t m, int32_t sh, const pml_requant *q, int32_t u, int32_t off,
                                   int32_t lo, int32_t hi) {
    if ((uint32_t)(sh + 31) <= 30u && m >= 0 && (uint32_t)a + 0x40000000u < 0x80000000u) {
        const pml__rqf t = {m, (int32_t)((1u << -sh) >> 1), -sh};
        return (int8_t)pml__clamp8(pml__rqf_apply(a, &t, PML__RQF_NEG) + off, lo, hi, false);
    }
    return pml__requant_clamp(a, q, u, off, lo, hi);
}

/* One output: clamp(mbqm(acc) + off) for channel ch (acc includes the bias); mode from pml__rq_mode. */
PML_INLINE int8_t pml__rq1_dsp(int32_t acc, const pml_requant *q, int32_t ch, int32_t off, int32_t lo, int32_t hi, int mode,
                               bool full) {
    if (mode == 0) return pml__requant_clamp(acc, q, ch, off, lo, hi);
    const int32_t qi = q->count == 1 ? 0 : ch;
    return (int8_t)pml__clamp8(pml__rq_any(acc, pml__rq_prep_mode(q->mult[qi], q->shift[qi], mode), mode) + off, lo, hi, full);
}

/* Requantize a row of accumulators. */
PML_INLINE void pml__requant_row_dsp(const int32_t *acc, int32_t n, int32_t ch0, const int32_t *bias, const pml_requant *q,
                                     int32_t out_off, int32_t lo, int32_t hi, int8_t *out) {
    const int mode = pml__rq_mode(q);
    if (mode == 0) {
        pml__requant_row_c(acc, n, ch0, bias, q, out_off, lo, hi, out);
        return;
    }
    const bool full = lo == -128 && hi == 127;
    for (int32_t j = 0; j < n; j++)
        out[j] = pml__rq1_dsp(pml__wadd(acc[j], bias ? bias[ch0 + j] : 0), q, ch0 + j, out_off, lo, hi, mode, full);
}

/* ---- dot products (int8 x and w, offset added on the fly) ------------------------------------- */
PML_INLINE void pml__dot1_dsp(const int8_t *x, const int8_t *w, int32_t len, int32_t off, int32_t *acc) {
    const uint32_t o2 = pml__off2(off);
    int32_t a = *acc, i = 0;
    for (; i + 4 <= len; i += 4) {
        const uint32_t xv = pml__ld32(x + i), wv = pml__ld32(w + i);
        a = pml__smlad(pml__sxtab16(o2, xv), pml__sxtb16(wv), a);
        a = pml__smlad(pml__sxtab16_r8(o2, xv), pml__sxtb16_r8(wv), a);
    }
    for (; i < len; i++) a += (x[i] + off) * w[i];
    *acc = a;
}

PML_INLINE void pml__dot4_dsp(const int8_t *x, const int8_t *const w[4], int32_t len, int32_t off, int32_t acc[4]) {
    const int8_t *w0 = w[0], *w1 = w[1], *w2 = w[2], *w3 = w[3];
    const uint32_t o2 = pml__off2(off);
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], i = 0;
    for (; i + 4 <= len; i += 4) {
        const uint32_t xv = pml__ld32(x + i);
        const uint32_t xe = pml__sxtab16(o2, xv), xo = pml__sxtab16_r8(o2, xv);
        uint32_t wv = pml__ld32(w0 + i);
        a0 = pml__smlad(xe, pml__sxtb16(wv), a0);
        a0 = pml__smlad(xo, pml__sxtb16_r8(wv), a0);
        wv = pml__ld32(w1 + i);
        a1 = pml__smlad(xe, pml__sxtb16(wv), a1);
        a1 = pml__smlad(xo, pml__sxtb16_r8(wv), a1);
        wv = pml__ld32(w2 + i);
        a2 = pml__smlad(xe, pml__sxtb16(wv), a2);
        a2 = pml__smlad(xo, pml__sxtb16_r8(wv), a2);
        wv = pml__ld32(w3 + i);
        a3 = pml__smlad(xe, pml__sxtb16(wv), a3);
        a3 = pml__smlad(xo, pml__sxtb16_r8(wv), a3);
    }
    for (; i < len; i++) {
        const int32_t xv = x[i] + off;
        a0 += xv * w0[i];
        a1 += xv * w1[i];
        a2 += xv * w2[i];
        a3 += xv * w3[i];
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* Depthwise window of up to 16 channels, four channels per word: SMLABB/SMLATT per lane. */
PML_INLINE void pml__dwblock_dsp(const int8_t *x, int32_t xrs, const int8_t *w, int32_t wrs, int32_t rows, int32_t cols,
                                 int32_t ts, int32_t off, int32_t n, int32_t acc[16]) {
    const uint32_t o2 = pml__off2(off);
    int32_t j = 0;
    for (; j + 4 <= n; j += 4) {
        int32_t a0 = acc[j], a1 = acc[j + 1], a2 = acc[j + 2], a3 = acc[j + 3];
        for (int32_t r = 0; r < rows; r++) {
            const int8_t *xp = x + r * xrs + j, *wp = w + r * wrs + j;
            for (int32_t c = 0; c < cols; c++, xp += ts, wp += ts) {
                const uint32_t xv = pml__ld32(xp), wv = pml__ld32(wp);
                const uint32_t xe = pml__sxtab16(o2, xv), xo = pml__sxtab16_r8(o2, xv);
                const uint32_t we = pml__sxtb16(wv), wo = pml__sxtb16_r8(wv);
                a0 = pml__smlabb(xe, we, a0);
                a2 = pml__smlatt(xe, we, a2);
                a1 = pml__smlabb(xo, wo, a1);
                a3 = pml__smlatt(xo, wo, a3);
            }
        }
        acc[j] = a0;
        acc[j + 1] = a1;
        acc[j + 2] = a2;
        acc[j + 3] = a3;
    }
    if (j < n) pml__dwblock_c(x + j, xrs, w + j, wrs, rows, cols, ts, off, n - j, acc + j);
}

#endif /* PML_DOT_S8_DSP_H */
