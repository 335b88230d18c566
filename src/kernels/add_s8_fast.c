/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ADD int8, portable fast path: same-shape inputs (no broadcast) as one flat loop, in the 32-bit
 * form of pml__add_split (pml_kernels.h) where it is exact, else with the reference's
 * MultiplyByQuantizedMultiplier.
 *
 * Why the 32-bit form is exact (left shift 20, |v| <= 256, multiplier 2^11 <= m < 2^31 - 2^15,
 * shift -20..0, r = -shift):
 * - SaturatingRoundingDoublingHighMul(v << 20, m) is floor((v * m * 2^20 + 2^30) / 2^31) for either
 *   sign of the product (the negative nudge 1 - 2^30 with truncation gives the same), that is
 *   x = floor((v * m + 2^10) / 2^11). With m = mh * 2^16 + ml (mh = round(m / 2^16) <= 32767,
 *   |ml| <= 2^15): x = 32 * v * mh + floor((v * ml + 2^10) / 2^11), each product below 2^24.
 * - RoundingDivideByPOT(x, r) for r >= 1 is floor((x + 2^(r-1) - [x < 0]) / 2^r), and x < 0
 *   exactly when v < 0 (m > 2^10); for r = 0 it is x. Moving the integer terms into the inner floor
 *   and splitting 2^r against the factor 32 gives a = ((w << A) + ((t + C) >> B)) >> D with
 *   w = v * mh, t = v * ml - [v < 0] * cw, cw = 2^11 (0 if r = 0), C = 2^10 + 2^(r-1) * 2^11,
 *   (A, B, D) = (5 - r, 11 + r, 0) for r <= 5 and (0, 16, r - 5) otherwise; |a| <= 2^28 + 2.
 * - The output stage on s = a1 + a2: x = floor((s * mo + 2^30) / 2^31) = floor((2s * mo + 2^31) / 2^32),
 *   and RoundingDivideByPOT(x, ro) + offset = (x + 2^(ro-1) + offset * 2^ro - [x < 0]) >> ro
 *   (ro >= 1), with the first three terms one 64-bit product and constant k2. x < 0 needs s < 0, and
 *   where s < 0 but x = 0 the correction changes nothing ((2^(ro-1) - 1) >> ro = 0), so [s < 0]
 *   serves (tz2 = 0; for ro = 0 no correction, tz2 = INT32_MIN). pml__add_split_make checks that
 *   every intermediate fits its type.
 */
#include "conv_s8_loops.h"

static bool split_in(int32_t off, int32_t m, int32_t shift, pml__add_in *c, int64_t *amax) {
    if (off < -128 || off > 128 || m < (1 << 11) || m >= INT32_MAX - 32767 || shift < -20 || shift > 0) return false;
    const int32_t r = -shift;
    c->off = off;
    c->mh = (m + 32768) >> 16;
    c->ml = m - c->mh * 65536;
    c->cw = r ? 2048 : 0;
    c->c = 1024 + (r ? (1 << (r - 1)) : 0) * 2048;
    c->a = r < 5 ? 5 - r : 0;
    c->b = 11 + (r < 5 ? r : 5);
    c->d = r > 5 ? r - 5 : 0;
    c->half = m == (1 << 30) && shift == 0;
    *amax = ((256 * (int64_t)m) >> (11 + r)) + 2;
    return true;
}

bool pml__add_split_make(const pml_add_params *p, pml__add_split *s) {
    int64_t a1, a2;
    if (p->left_shift != 20 || !split_in(p->input1_offset, p->input1_mult, p->input1_shift, &s->in[0], &a1) ||
        !split_in(p->input2_offset, p->input2_mult, p->input2_shift, &s->in[1], &a2))
        return false;
    const int64_t s2max = 2 * (a1 + a2);
    if (s2max >= INT32_MAX || p->output_mult <= 0 || p->output_shift < -31 || p->output_shift > 0) return false;
    const int32_t ro = -p->output_shift;
    const int64_t add = (ro ? ((int64_t)1 << (ro - 1)) : 0) + (int64_t)p->output_offset * ((int64_t)1 << ro);
    const int64_t xmax = ((s2max * p->output_mult) >> 32) + 1;
    if (xmax + (add < 0 ? -add : add) + 1 >= INT32_MAX) return false;
    s->mo = p->output_mult;
    s->ro = ro;
    s->tz2 = ro ? 0 : INT32_MIN;
    s->k2 = ((int64_t)1 << 31) + add * ((int64_t)1 << 32);
    return true;
}

bool pml_add_s8_fast_applies(const pml_add_params *p, const pml_bcast5 *b) {
    (void)p;
    for (int i = 0; i < 5; i++)
        if (b->in1[i] != b->out[i] || b->in2[i] != b->out[i]) return false;
    return true;
}

void pml_add_s8_fast(const pml_add_params *p, const pml_bcast5 *b, const int8_t *in1, const int8_t *in2, int8_t *out) {
    size_t n = 1;
    for (int i = 0; i < 5; i++) n *= (size_t)b->out[i];
    const int32_t lo = p->act_min, hi = p->act_max;
    pml__add_split made;
    if (pml__add_split_make(p, &made)) {
        const pml__add_split s = made; /* a copy whose address stays here: the byte stores cannot alias it */
        for (size_t i = 0; i < n; i++) {
            const int32_t s2 = 2 * (pml__add_split_in(&s.in[0], in1[i]) + pml__add_split_in(&s.in[1], in2[i]));
            const int32_t v = pml__add_split_out(&s, s2);
            out[i] = (int8_t)(v < lo ? lo : v > hi ? hi : v);
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const int32_t a = pml__mbqm((in1[i] + p->input1_offset) * (1 << p->left_shift), p->input1_mult, p->input1_shift);
        const int32_t c = pml__mbqm((in2[i] + p->input2_offset) * (1 << p->left_shift), p->input2_mult, p->input2_shift);
        int32_t v = pml__mbqm(a + c, p->output_mult, p->output_shift) + p->output_offset;
        v = v < lo ? lo : v;
        out[i] = (int8_t)(v > hi ? hi : v);
    }
}
