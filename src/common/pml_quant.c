/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fixed-point helpers shared by the int8 reference kernels, and the prepare-time parameter
 * computations, written to reproduce TFLite / TFLite Micro bit for bit:
 *
 *   pml__srdhm     gemmlowp SaturatingRoundingDoublingHighMul (ARM VQRDMULH): (a*b + 2^30) / 2^31,
 *                  ties rounded towards +inf, INT32_MIN * INT32_MIN saturated to INT32_MAX.
 *   pml__rdivpot   gemmlowp RoundingDivideByPOT: arithmetic shift right, ties away from zero.
 *   pml__mbqm      TFLite MultiplyByQuantizedMultiplier, the double-rounding variant (the default,
 *                  TFLITE_SINGLE_ROUNDING off): rdivpot(srdhm(x * 2^left, mult), right).
 *   pml__quantize_multiplier   QuantizeMultiplier (quantization_util.cc), non-emulated float path.
 *   pml__act_range_s8/_f32     CalculateActivationRange[Quantized] (kernel_util.cc).
 *   pml__softmax_params_s8     PreprocessSoftmaxScaling + CalculateInputRadius (TFLM softmax prepare).
 *   pml__add_params_s8         TFLM add_common.cc CalculateOpDataAdd, int8 branch.
 *
 * Where TFLite's C++ has undefined behaviour (signed overflow of x * (1 << shift), shifts >= 32),
 * we use the wrap-around result a two's-complement machine produces, or clamp the shift, so the
 * sanitizer builds stay clean; for every input TFLite defines, the result is identical.
 * double is used only in the parameter helpers, as TFLite computes multipliers in double.
 */
#include <float.h>
#include <math.h>

#include "../kernels/pml_kernels.h"

int32_t pml__srdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX; /* (-1) * (-1) = 1 is not representable in Q0.31 */
    }
    const int64_t ab = (int64_t)a * (int64_t)b;
    /* nudge = +0.5 for a non-negative product, -(0.5 - 2^-31) otherwise; C division truncates
     * towards zero, so ties go towards +inf on both sides. */
    const int64_t nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

int32_t pml__rdivpot(int32_t x, int32_t exponent)
{
    /* exponent is 0..31 (gemmlowp asserts it). remainder > threshold rounds up; a negative x gets
     * threshold + 1, which makes exact halves round away from zero. Relies on >> being an
     * arithmetic shift for negative x, as gemmlowp does. */
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int32_t pml__mbqm(int32_t x, int32_t mult, int32_t shift)
{
    int32_t left = shift > 0 ? shift : 0;
    int32_t right = shift > 0 ? 0 : (shift < -31 ? 31 : -shift);
    if (left > 31) {
        left = 31; /* TFLite: undefined (1 << left); QuantizeMultiplier never gives this for real scales */
    }
    /* TFLite computes x * (1 << left) in int32; overflow there is UB, in practice it wraps. */
    const int32_t shifted = (int32_t)((uint32_t)x << left);
    return pml__rdivpot(pml__srdhm(shifted, mult), right);
}

void pml__quantize_multiplier(double real, int32_t *mult, int32_t *shift)
{
    if (real == 0.0 || !isfinite(real)) {
        *mult = 0;
        *shift = 0;
        return;
    }
    int exponent = 0;
    const double fraction = frexp(real, &exponent);        /* |fraction| in [0.5, 1) */
    int64_t q = (int64_t)round(fraction * 2147483648.0);  /* std::round: half away from zero */
    if (q == ((int64_t)1 << 31)) {
        q /= 2;
        exponent++;
    }
    if (exponent < -31) {
        /* TFLite flushes multipliers below ~2^-31 to zero. */
        exponent = 0;
        q = 0;
    }
    /* No "shift > 30" clamp: that exists only under TFLITE_SINGLE_ROUNDING, which TFLM does not use. */
    *mult = (int32_t)q;
    *shift = (int32_t)exponent;
}

/* zero_point + (int32)std::round(f / scale), with f / scale done in float as in kernel_util.cc.
 * The clamp before the conversion only matters for absurd scales (UB in TFLite). */
static int32_t quantize_for_act(float f, float scale, int32_t zero_point)
{
    float r = roundf(f / scale);
    if (!(r >= -1073741824.0f)) {
        r = -1073741824.0f; /* also catches NaN */
    } else if (r > 1073741824.0f) {
        r = 1073741824.0f;
    }
    return zero_point + (int32_t)r;
}

bool pml__act_range_s8(int32_t act, float out_scale, int32_t out_zp, int32_t *lo, int32_t *hi)
{
    const int32_t qmin = -128;
    const int32_t qmax = 127;
    int32_t a = qmin;
    int32_t b = qmax;
    switch (act) {
    case 0: /* NONE */
        break;
    case 1: { /* RELU */
        const int32_t z = quantize_for_act(0.0f, out_scale, out_zp);
        a = z > qmin ? z : qmin;
        break;
    }
    case 2: { /* RELU_N1_TO_1 */
        const int32_t m1 = quantize_for_act(-1.0f, out_scale, out_zp);
        const int32_t p1 = quantize_for_act(1.0f, out_scale, out_zp);
        a = m1 > qmin ? m1 : qmin;
        b = p1 < qmax ? p1 : qmax;
        break;
    }
    case 3: { /* RELU6 */
        const int32_t z = quantize_for_act(0.0f, out_scale, out_zp);
        const int32_t six = quantize_for_act(6.0f, out_scale, out_zp);
        a = z > qmin ? z : qmin;
        b = six < qmax ? six : qmax;
        break;
    }
    default:
        return false;
    }
    *lo = a;
    *hi = b;
    return true;
}

bool pml__act_range_f32(int32_t act, float *lo, float *hi)
{
    switch (act) {
    case 0: /* NONE: numeric_limits<float>::lowest() .. max() */
        *lo = -FLT_MAX;
        *hi = FLT_MAX;
        return true;
    case 1: /* RELU */
        *lo = 0.0f;
        *hi = FLT_MAX;
        return true;
    case 2: /* RELU_N1_TO_1 */
        *lo = -1.0f;
        *hi = 1.0f;
        return true;
    case 3: /* RELU6 */
        *lo = 0.0f;
        *hi = 6.0f;
        return true;
    default:
        return false;
    }
}

void pml__softmax_params_s8(double beta, double input_scale, pml_softmax_params *p)
{
    /* PreprocessSoftmaxScaling(beta, scale, kScaledDiffIntegerBits = 5): the product is taken as
     * a Q5.26 multiplier, capped at 2^31 - 1, then QuantizeMultiplierGreaterThanOne. Callers pass
     * (double)float, as TFLM does with params->beta and input->params.scale. */
    const int scaled_diff_integer_bits = 5;
    const double max_real_multiplier = 2147483647.0; /* (1LL << 31) - 1.0 */
    double real = beta * input_scale * (double)(1 << (31 - scaled_diff_integer_bits));
    if (real > max_real_multiplier) {
        real = max_real_multiplier;
    }
    int32_t mult = 0;
    int32_t shift = 0;
    pml__quantize_multiplier(real, &mult, &shift);
    p->input_multiplier = mult;
    p->input_left_shift = shift;
    /* CalculateInputRadius(5, left_shift, 31): floor(31 * 2^26 / 2^left_shift), done in double.
     * ldexp is exact and equals the division by (1LL << left_shift) for every valid shift. */
    const double max_input_rescaled =
        ldexp(1.0 * ((1 << scaled_diff_integer_bits) - 1) * (double)(1LL << (31 - scaled_diff_integer_bits)),
              -shift);
    /* A tiny beta * scale gives a radius beyond int32 (out of range for the cast); any radius of
     * 255 or more lets every difference (>= -255) through, so clamping changes no result. */
    p->diff_min = max_input_rescaled < 2147483647.0 ? -(int32_t)floor(max_input_rescaled) : -2147483647;
    p->beta = (float)beta;
}

void pml__add_params_s8(float s1, int32_t zp1, float s2, int32_t zp2, float so, int32_t zpo, pml_add_params *p)
{
    p->input1_offset = -zp1;
    p->input2_offset = -zp2;
    p->output_offset = zpo;
    p->left_shift = 20;
    /* std::max(a, b) returns a unless a < b. */
    const double twice_max_input_scale = 2.0 * (double)(s1 < s2 ? s2 : s1);
    const double real_input1_multiplier = (double)s1 / twice_max_input_scale;
    const double real_input2_multiplier = (double)s2 / twice_max_input_scale;
    const double real_output_multiplier =
        twice_max_input_scale / ((double)(1 << p->left_shift) * (double)so);
    pml__quantize_multiplier(real_input1_multiplier, &p->input1_mult, &p->input1_shift);
    pml__quantize_multiplier(real_input2_multiplier, &p->input2_mult, &p->input2_shift);
    pml__quantize_multiplier(real_output_multiplier, &p->output_mult, &p->output_shift);
    /* The fused activation is not an argument: full range here; prepare overwrites act_min/act_max
     * with pml__act_range_s8(activation, so, zpo, ...). */
    p->act_min = -128;
    p->act_max = 127;
    p->act_min_f = -FLT_MAX;
    p->act_max_f = FLT_MAX;
}

void pml__sub_params_s8(float s1, int32_t zp1, float s2, int32_t zp2, float so, int32_t zpo, pml_add_params *p)
{
    p->input1_offset = -zp1;
    p->input2_offset = -zp2;
    p->output_offset = zpo;
    p->left_shift = 20;
    /* TFLM sub_common.cc forms the ratios in float, then widens them (ADD does it in double). */
    const float twice_max_input_scale = 2.0f * (s1 < s2 ? s2 : s1);
    const double real_input1_multiplier = (double)(s1 / twice_max_input_scale);
    const double real_input2_multiplier = (double)(s2 / twice_max_input_scale);
    const double real_output_multiplier = (double)(twice_max_input_scale / ((float)(1 << p->left_shift) * so));
    pml__quantize_multiplier(real_input1_multiplier, &p->input1_mult, &p->input1_shift);
    pml__quantize_multiplier(real_input2_multiplier, &p->input2_mult, &p->input2_shift);
    pml__quantize_multiplier(real_output_multiplier, &p->output_mult, &p->output_shift);
    p->act_min = -128;
    p->act_max = 127;
    p->act_min_f = -FLT_MAX;
    p->act_max_f = FLT_MAX;
}

bool pml__sigmoid_params_s8(float input_scale, int32_t input_zp, pml_sigmoid_params *p)
{
    /* input_real_multiplier = scale * 2^(31 - 4); q = frexp(.., &left_shift);
     * multiplier = round(q * 2^31); radius = CalculateInputRadius(4, left_shift, 31)
     *   = floor(15 * 2^27 / 2^left_shift). */
    const int input_integer_bits = 4;
    const double real = (double)input_scale * (double)(1 << (31 - input_integer_bits));
    int exponent = 0;
    const double q = frexp(real, &exponent);
    const double mult = round(q * 2147483648.0);
    if (!(real > 0.0) || exponent < 0 || exponent > 31 || mult >= 2147483648.0) {
        return false; /* TFLite's shifts would be negative or its multiplier would overflow */
    }
    p->input_zp = input_zp;
    p->input_multiplier = (int32_t)mult;
    p->input_left_shift = exponent;
    p->input_range_radius = (int32_t)floor(ldexp(15.0 * (double)(1 << (31 - input_integer_bits)), -exponent));
    return true;
}
