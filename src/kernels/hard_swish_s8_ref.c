/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HARD_SWISH int8: x * relu6(x + 3) / 6 in 16-bit fixed point, as TFLite's
 * reference_ops::HardSwish (shared by TFLM), operation for operation:
 *   hires   = (x - in_zp) * 2^7                              (fits int16: |x - zp| <= 255)
 *   pre_out = srdhm16(hires, output_mult)                    (x on the output scale, unshifted)
 *   r       = hires rescaled so that real 3.0 is 2^15, saturating: a left exponent is applied as
 *             a saturating shift by (exp - 1), the multiplier, then one more saturating shift; a
 *             right exponent as a rounding shift after the multiplier
 *   r       = (r + 2^15) >> 1                                ([-1, 1] -> [0, 1] in Q0.15)
 *   out     = rdivpot16(sdhm16(r, pre_out), -output_exp) + out_zp, clamped to int8
 * where srdhm16 rounds (gemmlowp SaturatingRoundingDoublingHighMul on int16) and sdhm16 truncates
 * towards zero (TFLite SaturatingDoublingHighMul). The int16 intermediate stores wrap as on the
 * two's-complement targets TFLite runs on.
 */
#include "pml_kernels.h"

static int16_t wrap16(int32_t v) { return (int16_t)(uint16_t)(uint32_t)v; }

/* (a * b * 2 + 2^15) / 2^16, ties towards +inf; (-2^15)^2 saturates */
static int16_t srdhm16(int16_t a, int16_t b) {
    if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
    const int32_t ab = (int32_t)a * (int32_t)b;
    const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
    return wrap16((ab + nudge) / (1 << 15));
}

/* (a * b * 2) / 2^16 truncated towards zero; (-2^15)^2 saturates */
static int16_t sdhm16(int16_t a, int16_t b) {
    if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
    return wrap16(((int32_t)a * (int32_t)b) / (1 << 15));
}

/* gemmlowp RoundingDivideByPOT instantiated for int16: the mask is (2^e - 1) stored in an int16,
 * which is -1 for e >= 16 (kept: that is what the reference computes). */
static int16_t rdivpot16(int16_t x, int32_t e) {
    const int16_t mask = wrap16((int32_t)(uint32_t)(((uint64_t)1 << e) - 1));
    const int32_t remainder = x & mask;
    const int32_t threshold = wrap16((mask >> 1) + (x < 0 ? 1 : 0));
    return wrap16((x >> e) + (remainder > threshold ? 1 : 0));
}

static int16_t sat_lshift16(int16_t v, int32_t amount) {
    int64_t r = (int64_t)v * ((int64_t)1 << amount);
    if (r > INT16_MAX) r = INT16_MAX;
    if (r < INT16_MIN) r = INT16_MIN;
    return (int16_t)r;
}

void pml_hard_swish_s8_ref(const pml_hard_swish_params *p, size_t n, const int8_t *in, int8_t *out) {
    for (size_t i = 0; i < n; i++) {
        const int16_t hires = (int16_t)(((int32_t)in[i] - p->input_zp) * (1 << 7));
        const int16_t pre_out = srdhm16(hires, p->output_mult);
        int16_t r = hires;
        if (p->reluish_exp > 0) r = sat_lshift16(r, p->reluish_exp - 1);
        r = srdhm16(r, p->reluish_mult);
        if (p->reluish_exp > 0) r = sat_lshift16(r, 1);
        if (p->reluish_exp < 0) r = rdivpot16(r, -p->reluish_exp);
        r = (int16_t)((r + (1 << 15)) >> 1);
        int16_t v = rdivpot16(sdhm16(r, pre_out), -p->output_exp);
        v = wrap16(v + p->output_zp);
        out[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
    }
}
