/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SOFTMAX int8 -> int8, the same gemmlowp fixed-point arithmetic as pml_softmax_s8_ref (see there),
 * bit-exact with it, arranged for speed:
 *   - the fixed-point helpers are inlined and branchless; in particular exp's barrel shifter
 *     multiplies by every exp(-2^k) and selects, as gemmlowp itself does, instead of branching on
 *     the bits of the input (data-dependent branches that mispredict about half the time);
 *   - each element's exp is computed once and kept for the output pass (rows of up to
 *     SOFTMAX_KEEP values; longer rows compute it again there).
 * Classifier heads are short rows (MLPerf Tiny KWS: 12 classes).
 */
#include "pml_kernels.h"

#define SOFTMAX_KEEP 64

/* SaturatingRoundingDoublingHighMul (pml__srdhm) */
static inline int32_t srdhm(int32_t a, int32_t b) {
    const int64_t ab = (int64_t)a * (int64_t)b;
    const int64_t nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    const int32_t r = (int32_t)((ab + nudge) / ((int64_t)1 << 31));
    return (a == INT32_MIN && b == INT32_MIN) ? INT32_MAX : r;
}

/* RoundingDivideByPOT, exponent 0..31 (pml__rdivpot) */
static inline int32_t rdivpot(int32_t x, int32_t exponent) {
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* SaturatingRoundingMultiplyByPOT<exponent>, exponent > 0 */
static inline int32_t sat_shl(int32_t x, int exponent) {
    const int32_t threshold = (int32_t)((1u << (31 - exponent)) - 1u);
    const int32_t v = (int32_t)((uint32_t)x << exponent);
    return x > threshold ? INT32_MAX : x < -threshold ? INT32_MIN : v;
}

/* exp(a) for a <= 0: a Q5.26, result Q0.31 (gemmlowp exp_on_negative_values, as in the reference) */
static inline int32_t exp_neg_q5(int32_t a) {
    const int32_t one_quarter = 1 << 24, mask = one_quarter - 1;
    const int32_t r = (a & mask) - one_quarter; /* a mod 1/4 - 1/4, in [-1/4, 0) */
    /* exp on [-1/4, 0): Taylor series around -1/8, Q0.31 */
    const int32_t constant_term = 1895147668, constant_1_over_3 = 715827883;
    const int32_t x = sat_shl(r, 5) + (1 << 28);
    const int32_t x2 = srdhm(x, x), x3 = srdhm(x2, x), x4 = srdhm(x2, x2);
    const int32_t poly = rdivpot(srdhm(rdivpot(x4, 2) + x3, constant_1_over_3) + x2, 1);
    int32_t result = constant_term + srdhm(constant_term, x + poly);
    static const int32_t exp_neg_pow2[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    const int32_t remainder = r - a; /* >= 0, a multiple of 1/4 */
    for (int k = 0; k < 7; k++) {
        const int32_t sel = -((remainder >> (24 + k)) & 1); /* all ones where the bit is set: a mask, not a branch */
        result = (srdhm(result, exp_neg_pow2[k]) & sel) | (result & ~sel);
    }
    return a == 0 ? INT32_MAX : result;
}

/* 1 / (1 + a) for a in [0, 1), Q0.31 (as one_over_one_plus_x_for_x_in_0_1 in the reference) */
static int32_t one_over_one_plus_x(int32_t a) {
    const int64_t sum = (int64_t)a + INT32_MAX;
    const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
    const int32_t one_q2 = 1 << 29;
    int32_t x = (int32_t)((uint32_t)1515870810 + (uint32_t)srdhm(half_denominator, -1010580540));
    for (int i = 0; i < 3; i++) {
        const int32_t one_minus = (int32_t)((uint32_t)one_q2 - (uint32_t)srdhm(half_denominator, x));
        x = (int32_t)((uint32_t)x + (uint32_t)sat_shl(srdhm(x, one_minus), 2));
    }
    return sat_shl(x, 1);
}

void pml__softmax_scale_s8(uint32_t sum_of_exps, int32_t *shifted_scale, int32_t *exponent) {
    const int headroom_plus_one = sum_of_exps ? __builtin_clz(sum_of_exps) : 32;
    const uint32_t normalised = headroom_plus_one < 32 ? sum_of_exps << headroom_plus_one : 0u;
    *shifted_scale = one_over_one_plus_x((int32_t)(normalised - (1u << 31)));
    const int32_t e = 12 - headroom_plus_one + 31 - 8;
    *exponent = e > 31 ? 31 : e < 0 ? 0 : e;
}

void pml_softmax_s8_fast(const pml_softmax_params *p, int32_t rows, int32_t depth, const int8_t *in, int8_t *out) {
    /* in  [rows, depth] */
    /* out [rows, depth], scale 1/256, zero point -128 */
    const int32_t shift = p->input_left_shift, mult = p->input_multiplier, diff_min = p->diff_min;
    const int32_t left = shift > 0 ? (shift > 31 ? 31 : shift) : 0, right = shift > 0 ? 0 : (shift < -31 ? 31 : -shift);
    const bool keep = depth <= SOFTMAX_KEEP;
    int32_t e_kept[SOFTMAX_KEEP]; /* exp of each element of the row (when keep) */
    for (int32_t r = 0; r < rows; r++) {
        const int8_t *x = in + (size_t)r * (size_t)depth; /* [depth] */
        int8_t *y = out + (size_t)r * (size_t)depth;      /* [depth] */
        int32_t max_in_row = -128;
        for (int32_t c = 0; c < depth; c++) max_in_row = x[c] > max_in_row ? x[c] : max_in_row;

        uint32_t sum_of_exps = 0; /* Q12.19 */
        for (int32_t c = 0; c < depth; c++) {
            const int32_t diff = x[c] - max_in_row;
            if (diff >= diff_min) {
                const int32_t e = exp_neg_q5(rdivpot(srdhm((int32_t)((uint32_t)diff << left), mult), right));
                if (keep) e_kept[c] = e;
                sum_of_exps += (uint32_t)rdivpot(e, 12);
            }
        }

        int32_t shifted_scale, exponent;
        pml__softmax_scale_s8(sum_of_exps, &shifted_scale, &exponent);

        for (int32_t c = 0; c < depth; c++) {
            const int32_t diff = x[c] - max_in_row;
            int32_t v = -128;
            if (diff >= diff_min) {
                const int32_t e =
                    keep ? e_kept[c] : exp_neg_q5(rdivpot(srdhm((int32_t)((uint32_t)diff << left), mult), right));
                v = rdivpot(srdhm(shifted_scale, e), exponent) - 128;
                v = v > 127 ? 127 : v < -128 ? -128 : v;
            }
            y[c] = (int8_t)v;
        }
    }
}
