/* SPDX-License-Identifier: Apache-2.0 */
/* ADD int8, Arm v7E-M DSP: same-shape inputs (no broadcast). Each of the three
 * MultiplyByQuantizedMultiplier steps in the SMMLAR form of pml_dot_s8_dsp.h, for any shift:
 *   h = smmlar(x << s1, m, rnd) - (x >> cs) (logical), result h >> r
 * with (s1, rnd, cs, r) = (1, 2^(r-1), 31, -shift) for shift <= -1 and (shift + 1, 0, 32, 0) for
 * shift >= 0 (a register LSR by 32 gives 0). Exact while the shifted value fits int32, which is
 * checked once per call from the value bounds (|in + offset| <= 255); otherwise the portable path. */
#include "pml_dot_s8_dsp.h"

bool pml_add_s8_dsp_applies(const pml_add_params *p, const pml_bcast5 *b) { return pml_add_s8_fast_applies(p, b); }

typedef struct rqs {
    int32_t m, rnd, s1, cs, r;
} rqs;

/* constants for (mult, shift) when |x| <= xmax; *ymax = bound of the result; false if not exact */
static bool rqs_prep(int32_t mult, int32_t shift, int64_t xmax, rqs *c, int64_t *ymax) {
    if (mult < 0 || shift < -31 || shift > 29) return false;
    const int32_t l = shift > 0 ? shift : 0;
    if (xmax >= ((int64_t)1 << (30 - l))) return false;
    c->m = mult;
    c->s1 = l + 1;
    c->r = shift < 0 ? -shift : 0;
    c->rnd = shift < 0 ? (int32_t)(1u << (-shift - 1)) : 0;
    c->cs = shift < 0 ? 31 : 32;
    *ymax = (((xmax << l) * mult) >> 31) + 1; /* |srdhm(x << l, m)| bound; the right shift only shrinks it */
    return true;
}

PML_INLINE int32_t rqs_apply(int32_t x, const rqs *c) {
    int32_t h;
    uint32_t t;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(h) : "r"((uint32_t)x << c->s1), "r"(c->m), "r"(c->rnd));
    __asm__("lsr %0, %1, %2" : "=r"(t) : "r"(x), "r"(c->cs));
    return (h - (int32_t)t) >> c->r;
}

PML_INLINE void add_dsp(const pml_add_params *p, size_t n, const int8_t *in1, const int8_t *in2, int8_t *out,
                        const rqs *c1, const rqs *c2, const rqs *co, bool full) {
    const rqs k1 = *c1, k2 = *c2, ko = *co;
    const int32_t o1 = p->input1_offset, o2 = p->input2_offset, ls = p->left_shift, oo = p->output_offset;
    const int32_t lo = p->act_min, hi = p->act_max;
    for (size_t i = 0; i < n; i++) {
        const int32_t a = rqs_apply((int32_t)((uint32_t)(in1[i] + o1) << ls), &k1);
        const int32_t b = rqs_apply((int32_t)((uint32_t)(in2[i] + o2) << ls), &k2);
        out[i] = (int8_t)pml__clamp8(rqs_apply(a + b, &ko) + oo, lo, hi, full);
    }
}

/* Input shifts <= 0 and the output shift negative, the full clamp (the common case; z1 / z2: that
 * input's shift is 0): four elements per iteration from word loads, the input offset added by SXTAB,
 * the left shift and SMMLAR's doubling in one LSL, the sign correction as one SUB with LSR #31, and
 * the output offset carried in the output rounding constant (Ro = 2^(r-1) + (output_offset << r),
 * exact for r <= 22 as |h| < 2^30). Returns the elements done (n rounded down to 4). */
#define ADD_SX(d, o, w, rot) __asm__("sxtab %0, %1, %2, ror #" #rot : "=r"(d) : "r"(o), "r"(w))

PML_INLINE int32_t rqn(int32_t x, int32_t s, int32_t m, int32_t R, int32_t r, bool z) {
    int32_t h;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(h) : "r"((uint32_t)x << s), "r"(m), "r"(R));
    return z ? h : (h - (int32_t)((uint32_t)x >> 31)) >> r; /* z: shift 0, srdhm alone */
}

PML_INLINE size_t add_neg4(const pml_add_params *p, size_t n, const int8_t *in1, const int8_t *in2, int8_t *out,
                           const rqs *c1, const rqs *c2, const rqs *co, bool full, bool z1, bool z2) {
    const int32_t o1 = p->input1_offset, o2 = p->input2_offset, s = p->left_shift + 1;
    const int32_t m1 = c1->m, R1 = c1->rnd, r1 = c1->r, m2 = c2->m, R2 = c2->rnd, r2 = c2->r;
    const int32_t mo = co->m, ro = co->r, Ro = (int32_t)((uint32_t)co->rnd + ((uint32_t)p->output_offset << ro));
    const int32_t lo = p->act_min, hi = p->act_max;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const uint32_t w1 = pml__ld32(in1 + i), w2 = pml__ld32(in2 + i);
        int32_t x0, x1, x2, x3, y0, y1, y2, y3;
        ADD_SX(x0, o1, w1, 0);
        ADD_SX(y0, o2, w2, 0);
        ADD_SX(x1, o1, w1, 8);
        ADD_SX(y1, o2, w2, 8);
        ADD_SX(x2, o1, w1, 16);
        ADD_SX(y2, o2, w2, 16);
        ADD_SX(x3, o1, w1, 24);
        ADD_SX(y3, o2, w2, 24);
        int32_t v0 = rqn(rqn(x0, s, m1, R1, r1, z1) + rqn(y0, s, m2, R2, r2, z2), 1, mo, Ro, ro, false);
        int32_t v1 = rqn(rqn(x1, s, m1, R1, r1, z1) + rqn(y1, s, m2, R2, r2, z2), 1, mo, Ro, ro, false);
        int32_t v2 = rqn(rqn(x2, s, m1, R1, r1, z1) + rqn(y2, s, m2, R2, r2, z2), 1, mo, Ro, ro, false);
        int32_t v3 = rqn(rqn(x3, s, m1, R1, r1, z1) + rqn(y3, s, m2, R2, r2, z2), 1, mo, Ro, ro, false);
        v0 = pml__clamp8(v0, lo, hi, full);
        v1 = pml__clamp8(v1, lo, hi, full);
        v2 = pml__clamp8(v2, lo, hi, full);
        v3 = pml__clamp8(v3, lo, hi, full);
        const uint32_t v = ((uint32_t)v0 & 0xFFu) | ((uint32_t)v1 & 0xFFu) << 8 | ((uint32_t)v2 & 0xFFu) << 16 |
                           (uint32_t)v3 << 24;
        memcpy(out + i, &v, 4);
    }
    return i;
}

void pml_add_s8_dsp(const pml_add_params *p, const pml_bcast5 *b, const int8_t *in1, const int8_t *in2, int8_t *out) {
    rqs c1, c2, co;
    int64_t y1, y2, yo;
    if (p->left_shift < 0 || p->left_shift > 23 || !rqs_prep(p->input1_mult, p->input1_shift, (int64_t)255 << p->left_shift, &c1, &y1) ||
        !rqs_prep(p->input2_mult, p->input2_shift, (int64_t)255 << p->left_shift, &c2, &y2) ||
        !rqs_prep(p->output_mult, p->output_shift, y1 + y2, &co, &yo)) {
        pml_add_s8_fast(p, b, in1, in2, out);
        return;
    }
    size_t n = 1;
    for (int i = 0; i < 5; i++) n *= (size_t)b->out[i];
    const bool full = p->act_min == -128 && p->act_max == 127;
    if (full && c1.s1 == 1 && c2.s1 == 1 && co.cs == 31 && co.r <= 22) {
        const bool z1 = c1.cs == 32, z2 = c2.cs == 32; /* shift 0 */
        /* the input with the larger scale has multiplier 1/2, shift 0 (TFLite's 2 * max scale) */
        const size_t d = z1 && !z2 ? add_neg4(p, n, in1, in2, out, &c1, &c2, &co, true, true, false)
                         : !z1 && z2 ? add_neg4(p, n, in1, in2, out, &c1, &c2, &co, true, false, true)
                         : z1 && z2  ? add_neg4(p, n, in1, in2, out, &c1, &c2, &co, true, true, true)
                                     : 0;
        in1 += d;
        in2 += d;
        out += d;
        n -= d;
    }
    if (full)
        add_dsp(p, n, in1, in2, out, &c1, &c2, &co, true);
    else
        add_dsp(p, n, in1, in2, out, &c1, &c2, &co, false);
}
