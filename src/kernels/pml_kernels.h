/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reference kernels: plain C11 loops, the oracle every optimised variant is tested against.
 * Stateless, no allocation, no I/O. Layouts are TFLite's: activations NHWC, CONV_2D filters
 * [C_out, KH, KW, C_in], DEPTHWISE_CONV_2D filters [1, KH, KW, C_out], FULLY_CONNECTED weights
 * [units, depth]. int8 arithmetic follows the TFLite quantization spec bit for bit
 * (tflite reference_integer_ops): int32 accumulation, per-channel fixed-point multiplier +
 * shift, TFLite's rounding (SaturatingRoundingDoublingHighMul + RoundingDivideByPOT).
 * Shapes and parameters are validated by the op's prepare; kernels trust them.
 */
#ifndef PML_KERNELS_H
#define PML_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/pml_compiler.h"

/** 4-D shape, NHWC (for FC: n = batches, c = depth). */
typedef struct pml_dims4 {
    int32_t n, h, w, c;
} pml_dims4;

/** Requantization: out = MultiplyByQuantizedMultiplier(acc, mult[ch], shift[ch]).
 *  count == 1: per-tensor (index 0 for every channel); else count == channels. shift > 0 is a
 *  left shift, as in TFLite. */
typedef struct pml_requant {
    const int32_t *mult;
    const int8_t *shift; /* -31..30: int8 keeps op data at 5 bytes per channel */
    int32_t count;
} pml_requant;

/** Convolution / depthwise / pooling geometry. pad_h/pad_w: top/left padding (TFLite's
 *  ComputePaddingHeightWidth result; bottom/right follow from the output size). */
typedef struct pml_conv_params {
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_h, pad_w;
    int32_t depth_multiplier; /* depthwise only */
    int32_t input_offset;     /* -input_zero_point  (int8)            */
    int32_t output_offset;    /* +output_zero_point (int8)            */
    int32_t act_min, act_max; /* int8 clamp after requantization      */
    float act_min_f, act_max_f; /* float clamp (float kernels)        */
} pml_conv_params;

/** Pooling: filter size plus the conv geometry fields it uses (stride, pad, act ranges). */
typedef struct pml_pool_params {
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t pad_h, pad_w;
    int32_t act_min, act_max;
    float act_min_f, act_max_f;
} pml_pool_params;

/** FULLY_CONNECTED: out[b, u] = sum_d (w[u,d] + weights_offset) * (in[b,d] + input_offset) + bias[u]. */
typedef struct pml_fc_params {
    int32_t input_offset;   /* -input_zero_point   */
    int32_t weights_offset; /* -weights_zero_point (0 for symmetric int8 weights) */
    int32_t output_offset;  /* +output_zero_point  */
    int32_t act_min, act_max;
    float act_min_f, act_max_f;
} pml_fc_params;

/** ADD int8 (TFLite add: inputs scaled to a common 2*max(scale) domain with left_shift = 20). */
typedef struct pml_add_params {
    int32_t input1_offset, input2_offset, output_offset;
    int32_t left_shift;
    int32_t input1_mult, input1_shift; /* shift <= 0 */
    int32_t input2_mult, input2_shift;
    int32_t output_mult, output_shift;
    int32_t act_min, act_max;
    float act_min_f, act_max_f;
} pml_add_params;

/** Broadcast ADD: shapes padded to 5-D; a dim of 1 in an input broadcasts. */
typedef struct pml_bcast5 {
    int32_t out[5];
    int32_t in1[5];
    int32_t in2[5];
} pml_bcast5;

/** SOFTMAX int8 -> int8 (gemmlowp fixed point exactly as TFLite's reference_ops::Softmax). */
typedef struct pml_softmax_params {
    int32_t input_multiplier;
    int32_t input_left_shift;
    int32_t diff_min;
    float beta; /* float kernel */
} pml_softmax_params;

/** RELU / RELU6 / RELU_N1_TO_1 int8 (TFLM ReluQuantized): out = clamp(out_zp + mbqm(in - in_zp, mult, shift)). */
typedef struct pml_relu_params {
    int32_t input_zp, output_zp;
    int32_t mult, shift; /* in_scale / out_scale */
    int32_t act_min, act_max;
} pml_relu_params;

/** LOGISTIC / TANH int8 (TFLM reference_integer_ops::Logistic / Tanh): the input is rescaled to a
 *  gemmlowp Q4.27 value with input_multiplier * 2^(input_left_shift - 31); |in - zp| >= radius saturates. */
typedef struct pml_sigmoid_params {
    int32_t input_zp;
    int32_t input_range_radius;
    int32_t input_multiplier;
    int32_t input_left_shift;
} pml_sigmoid_params;

/** PAD / PADV2, up to 5-D (TFLite PadImpl): shapes right-aligned to 5-D. */
typedef struct pml_pad_params {
    int32_t in[5];     /* input dims, leading 1s                  */
    int32_t before[5]; /* elements added before each dim           */
    int32_t out[5];    /* in + before + after                      */
} pml_pad_params;

/** MEAN int8 (TFLM EvalIntegerMean): `same_quant` (input and output scale and zero point equal):
 *  out = (int8)(sum / n) (integer division, raw codes); otherwise float:
 *  out = clamp(round((float)sum / n * scale + bias) + output_zp), scale = in_s / out_s (float),
 *  bias = -input_zp * scale. */
typedef struct pml_mean_params {
    int32_t rank;             /* 1..5, dims right-aligned as given  */
    int32_t in[5];            /* input dims                         */
    uint8_t reduce[5];        /* 1: dimension is reduced            */
    int32_t count;            /* elements per output (product of reduced dims) */
    int32_t out_count;        /* output elements                    */
    bool same_quant;
    int32_t input_zp, output_zp;
    float scale, bias;
} pml_mean_params;

/** MUL int8 (TFLM reference_integer_ops::Mul): out = clamp(mbqm((x - zp1) * (y - zp2), mult, shift) + zp_out). */
typedef struct pml_mul_params {
    int32_t input1_offset, input2_offset, output_offset; /* -zp1, -zp2, +zp_out */
    int32_t output_mult, output_shift;
    int32_t act_min, act_max;
    float act_min_f, act_max_f;
} pml_mul_params;

/** HARD_SWISH int8 (TFLite / TFLM reference_ops::HardSwish, 16-bit fixed point). The input is
 *  moved to a "high-res" scale (x 2^7); output_mult / reluish_mult are Q0.15 multipliers
 *  (DownScaleInt32ToInt16Multiplier of QuantizeMultiplier) with exponents output_exp <= 0 and
 *  reluish_exp (either sign, <= 31). */
typedef struct pml_hard_swish_params {
    int32_t input_zp, output_zp;
    int16_t output_mult, reluish_mult;
    int32_t output_exp, reluish_exp;
} pml_hard_swish_params;

/** LEAKY_RELU int8 (TFLite reference_ops::QuantizeLeakyRelu): d = x - input_zp;
 *  out = clamp(output_zp + mbqm(d, d >= 0 ? identity : alpha multiplier)). */
typedef struct pml_leaky_relu_params {
    int32_t input_zp, output_zp;
    int32_t identity_mult, identity_shift; /* in_scale / out_scale          */
    int32_t alpha_mult, alpha_shift;       /* in_scale * alpha / out_scale  */
} pml_leaky_relu_params;

/** PRELU int8 (TFLM / TFLite reference_ops::BroadcastPrelu4DSlow): d = x - input_zp;
 *  out = clamp(output_zp + (d >= 0 ? mbqm(d, identity) : mbqm(d * (a - alpha_zp), alpha))). */
typedef struct pml_prelu_params {
    int32_t input_zp, alpha_zp, output_zp;
    int32_t identity_mult, identity_shift; /* in_scale / out_scale               */
    int32_t alpha_mult, alpha_shift;       /* in_scale * alpha_scale / out_scale */
} pml_prelu_params;

/** STRIDED_SLICE with every mask already resolved (TFLite StartForAxis / EndForAxis), right-
 *  aligned to 5 axes: along axis a the input index runs start[a], start[a] + step[a], ... while
 *  it is < stop[a] (step > 0) or > stop[a] (step < 0). prepare guarantees every visited index is
 *  inside the input and that the visits fill the output exactly. */
typedef struct pml_slice_params {
    int32_t start[5], stop[5], step[5];
    size_t in_stride[5]; /* input elements between neighbours along each axis */
} pml_slice_params;

/** TRANSPOSE up to 6-D: output axis k walks input axis perm[k]. */
typedef struct pml_transpose_params {
    int32_t rank;        /* 1..6                                          */
    int32_t out[6];      /* output dims                                   */
    size_t in_stride[6]; /* input elements per step along each output axis */
} pml_transpose_params;

/* Walk the output of a broadcast binary op in row-major order, giving each element's two input
 * indices: an input dim of 1 under a larger output dim has stride 0 (it repeats). Usage:
 *   pml_bcast_iter it; size_t n = pml__bcast_begin(&it, b);
 *   for (size_t o = 0; o < n; o++, pml__bcast_next(&it)) out[o] = f(in1[it.i1], in2[it.i2]); */
typedef struct pml_bcast_iter {
    size_t i1, i2;      /* current input element indices       */
    int32_t idx[5];     /* current output coordinate            */
    size_t s1[5], s2[5]; /* input strides (0 along broadcast dims) */
    int32_t out[5];
} pml_bcast_iter;

PML_INLINE size_t pml__bcast_begin(pml_bcast_iter *it, const pml_bcast5 *b) {
    size_t t1 = 1, t2 = 1, n = 1;
    for (int d = 4; d >= 0; d--) {
        it->s1[d] = (b->in1[d] == 1 && b->out[d] != 1) ? 0 : t1;
        it->s2[d] = (b->in2[d] == 1 && b->out[d] != 1) ? 0 : t2;
        t1 *= (size_t)b->in1[d];
        t2 *= (size_t)b->in2[d];
        n *= (size_t)b->out[d];
        it->idx[d] = 0;
        it->out[d] = b->out[d];
    }
    it->i1 = it->i2 = 0;
    return n;
}

PML_INLINE void pml__bcast_next(pml_bcast_iter *it) {
    for (int d = 4; d >= 0; d--) {
        it->i1 += it->s1[d];
        it->i2 += it->s2[d];
        if (++it->idx[d] < it->out[d]) return;
        it->i1 -= it->s1[d] * (size_t)it->out[d];
        it->i2 -= it->s2[d] * (size_t)it->out[d];
        it->idx[d] = 0;
    }
}

/* ---- fixed-point helpers (src/common/pml_quant.c) ---------------------------------------- */
PML_INTERNAL int32_t pml__srdhm(int32_t a, int32_t b);             /* SaturatingRoundingDoublingHighMul */
PML_INTERNAL int32_t pml__rdivpot(int32_t x, int32_t exponent);    /* RoundingDivideByPOT, exponent 0..31 */
PML_INTERNAL int32_t pml__mbqm(int32_t x, int32_t mult, int32_t shift); /* MultiplyByQuantizedMultiplier */
/** TFLite QuantizeMultiplier: real = mult * 2^(shift-31); real == 0 gives (0, 0). */
PML_INTERNAL void pml__quantize_multiplier(double real, int32_t *mult, int32_t *shift);
/** CalculateActivationRangeQuantized for int8 output (act: TFLite ActivationFunctionType). Returns
 *  false for an activation it does not know. */
PML_INTERNAL bool pml__act_range_s8(int32_t act, float out_scale, int32_t out_zp, int32_t *lo, int32_t *hi);
PML_INTERNAL bool pml__act_range_f32(int32_t act, float *lo, float *hi);
/** PreprocessSoftmaxScaling + CalculateInputRadius for int8 softmax (kScaledDiffIntegerBits = 5). */
PML_INTERNAL void pml__softmax_params_s8(double beta, double input_scale, pml_softmax_params *p);
/** ADD int8 parameters from scales / zero points (TFLite PrepareAdd). */
PML_INTERNAL void pml__add_params_s8(float s1, int32_t zp1, float s2, int32_t zp2, float so, int32_t zpo,
                                     pml_add_params *p);

/** SUB int8 parameters (TFLM sub_common.cc CalculateOpDataSub: scales formed in float, not double). */
PML_INTERNAL void pml__sub_params_s8(float s1, int32_t zp1, float s2, int32_t zp2, float so, int32_t zpo,
                                     pml_add_params *p);
/** LOGISTIC / TANH int8 input rescaling (TFLM CalculateArithmeticOpData, kInputIntegerBits = 4).
 *  False when the input scale gives a multiplier outside what the fixed-point kernels accept. */
PML_INTERNAL bool pml__sigmoid_params_s8(float input_scale, int32_t input_zp, pml_sigmoid_params *p);
/* gemmlowp fixed point on raw int32 (src/common/pml_fixedpoint.c): */
/** exp(a) for a <= 0, a with `integer_bits` (1..6) integer bits, result Q0.31 (exp_on_negative_values). */
PML_INTERNAL int32_t pml__exp_on_negative_values(int32_t a, int integer_bits);
/** 1 / (1 + x) for x in [0, 1], Q0.31 in and out (one_over_one_plus_x_for_x_in_0_1). */
PML_INTERNAL int32_t pml__one_over_one_plus_x(int32_t a);
/** (1 - x) / (1 + x) for x in [0, 1], Q0.31 in and out (one_minus_x_over_one_plus_x_for_x_in_0_1). */
PML_INTERNAL int32_t pml__one_minus_x_over_one_plus_x(int32_t a);
/** gemmlowp logistic / tanh of a Q4.27 value; result Q0.31. */
PML_INTERNAL int32_t pml__logistic_q4(int32_t a);
PML_INTERNAL int32_t pml__tanh_q4(int32_t a);

/* ---- int8 kernels -------------------------------------------------------------------------- */
/* in [n,h,w,c_in], filter [c_out,kh,kw,c_in], bias [c_out] or NULL, out [n,oh,ow,c_out] */
PML_INTERNAL void pml_conv2d_s8_ref(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d,
                                    const int8_t *in, const pml_dims4 *f_d, const int8_t *filter,
                                    const int32_t *bias, const pml_dims4 *out_d, int8_t *out);
/* in [n,h,w,c_in], filter [1,kh,kw,c_out], c_out = c_in * depth_multiplier (f_d->c == c_out) */
PML_INTERNAL void pml_dwconv2d_s8_ref(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d,
                                      const int8_t *in, const pml_dims4 *f_d, const int8_t *filter,
                                      const int32_t *bias, const pml_dims4 *out_d, int8_t *out);
/* in [batches, depth], w [units, depth], bias [units] or NULL, out [batches, units] */
PML_INTERNAL void pml_fc_s8_ref(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth,
                                int32_t units, const int8_t *in, const int8_t *w, const int32_t *bias,
                                int8_t *out);
/* returns false if a window has no valid input element (TFLite reports an error then) */
PML_INTERNAL bool pml_avgpool_s8_ref(const pml_pool_params *p, const pml_dims4 *in_d, const int8_t *in,
                                     const pml_dims4 *out_d, int8_t *out);
PML_INTERNAL void pml_maxpool_s8_ref(const pml_pool_params *p, const pml_dims4 *in_d, const int8_t *in,
                                     const pml_dims4 *out_d, int8_t *out);
PML_INTERNAL void pml_add_s8_ref(const pml_add_params *p, const pml_bcast5 *b, const int8_t *in1,
                                 const int8_t *in2, int8_t *out);
/* rows x depth, softmax along depth; output scale 1/256, zero point -128 */
PML_INTERNAL void pml_softmax_s8_ref(const pml_softmax_params *p, int32_t rows, int32_t depth, const int8_t *in,
                                     int8_t *out);
/* the same, bit-exact, branchless and with each exp computed once (portable C) */
PML_INTERNAL void pml_softmax_s8_fast(const pml_softmax_params *p, int32_t rows, int32_t depth, const int8_t *in,
                                      int8_t *out);
/* its per-row step after the sum of exps (Q12.19): GetReciprocal's scale (Q0.31) and the output
 * exponent, clamped to 0..31 as the reference does */
PML_INTERNAL void pml__softmax_scale_s8(uint32_t sum_of_exps, int32_t *shifted_scale, int32_t *exponent);
/* x86-64 AVX2: eight elements per vector */
PML_INTERNAL void pml_softmax_s8_avx2(const pml_softmax_params *p, int32_t rows, int32_t depth, const int8_t *in,
                                      int8_t *out);
/* The SOFTMAX int8 variant of this build (all cover every shape): inline, so that the op calls it
 * directly. x86 runs the AVX2 twin; the targets keep the reference, not measured there yet. */
#if defined(PML_KERNELS_AVX2) && !defined(PML_KERNELS_REF)
#define PML_SOFTMAX_S8_NAME "softmax_s8_avx2"
PML_INLINE void pml__softmax_s8(const pml_softmax_params *p, int32_t rows, int32_t depth, const int8_t *in, int8_t *out) {
    pml_softmax_s8_avx2(p, rows, depth, in, out);
}
#else
#define PML_SOFTMAX_S8_NAME "softmax_s8_ref"
PML_INLINE void pml__softmax_s8(const pml_softmax_params *p, int32_t rows, int32_t depth, const int8_t *in, int8_t *out) {
    pml_softmax_s8_ref(p, rows, depth, in, out);
}
#endif
/* out = clamp(round(in / scale) + zp) (TFLite AffineQuantize: round half away from zero) */
PML_INTERNAL void pml_quantize_f32_s8_ref(float scale, int32_t zp, size_t n, const float *in, int8_t *out);
/* int8 -> int8 requantize: out = clamp(mbqm(in - in_zp, mult, shift) + out_zp) */
PML_INTERNAL void pml_requantize_s8_ref(int32_t in_zp, int32_t mult, int32_t shift, int32_t out_zp, size_t n,
                                        const int8_t *in, int8_t *out);
/* out = scale * (in - zp) */
PML_INTERNAL void pml_dequantize_s8_f32_ref(float scale, int32_t zp, size_t n, const int8_t *in, float *out);

/* RELU / RELU6 / RELU_N1_TO_1, n elements */
PML_INTERNAL void pml_relu_s8_ref(const pml_relu_params *p, size_t n, const int8_t *in, int8_t *out);
/* out scale 1/256, zero point -128 */
PML_INTERNAL void pml_logistic_s8_ref(const pml_sigmoid_params *p, size_t n, const int8_t *in, int8_t *out);
/* out scale 1/128, zero point 0 */
PML_INTERNAL void pml_tanh_s8_ref(const pml_sigmoid_params *p, size_t n, const int8_t *in, int8_t *out);
/* out [p->out] = in [p->in] placed at p->before, the rest `pad_value` */
PML_INTERNAL void pml_pad_s8_ref(const pml_pad_params *p, int8_t pad_value, const int8_t *in, int8_t *out);
/* sum: scratch of p->out_count int32 */
PML_INTERNAL void pml_mean_s8_ref(const pml_mean_params *p, const int8_t *in, int32_t *sum, int8_t *out);
PML_INTERNAL void pml_mul_s8_ref(const pml_mul_params *p, const pml_bcast5 *b, const int8_t *in1,
                                 const int8_t *in2, int8_t *out);
/* TFLM SubElementwise / BroadcastQuantSubSlow: add_s8_ref with the scaled inputs subtracted */
PML_INTERNAL void pml_sub_s8_ref(const pml_add_params *p, const pml_bcast5 *b, const int8_t *in1,
                                 const int8_t *in2, int8_t *out);
/* CONCATENATION of n_in inputs along one axis, any element type (a copy: picoml requires equal
 * quantization): outer = product of dims before the axis, part_bytes[i] = in_i's axis dim * inner * elem. */
PML_INTERNAL void pml_concatenation_ref(int32_t n_in, const void *const *in, const size_t *part_bytes, size_t outer,
                                        void *out);

/* HARD_SWISH: n elements */
PML_INTERNAL void pml_hard_swish_s8_ref(const pml_hard_swish_params *p, size_t n, const int8_t *in, int8_t *out);
/* LEAKY_RELU: n elements */
PML_INTERNAL void pml_leaky_relu_s8_ref(const pml_leaky_relu_params *p, size_t n, const int8_t *in, int8_t *out);
/* PRELU: alpha broadcast against the input (b->in2 is alpha's shape) */
PML_INTERNAL void pml_prelu_s8_ref(const pml_prelu_params *p, const pml_bcast5 *b, const int8_t *in,
                                   const int8_t *alpha, int8_t *out);
/* MAXIMUM (is_max) / MINIMUM of the raw codes (inputs and output share one quantization) */
PML_INTERNAL void pml_maxmin_s8_ref(bool is_max, const pml_bcast5 *b, const int8_t *in1, const int8_t *in2,
                                    int8_t *out);
/* STRIDED_SLICE and TRANSPOSE move elements of `esz` bytes (1, 2, 4 or 8), any type */
PML_INTERNAL void pml_strided_slice_ref(const pml_slice_params *p, size_t esz, const void *in, void *out);
PML_INTERNAL void pml_transpose_ref(const pml_transpose_params *p, size_t esz, const void *in, void *out);

/* ---- float32 kernels ------------------------------------------------------------------------- */
PML_INTERNAL void pml_conv2d_f32_ref(const pml_conv_params *p, const pml_dims4 *in_d, const float *in,
                                     const pml_dims4 *f_d, const float *filter, const float *bias,
                                     const pml_dims4 *out_d, float *out);
PML_INTERNAL void pml_dwconv2d_f32_ref(const pml_conv_params *p, const pml_dims4 *in_d, const float *in,
                                       const pml_dims4 *f_d, const float *filter, const float *bias,
                                       const pml_dims4 *out_d, float *out);
PML_INTERNAL void pml_fc_f32_ref(const pml_fc_params *p, int32_t batches, int32_t depth, int32_t units,
                                 const float *in, const float *w, const float *bias, float *out);
PML_INTERNAL void pml_avgpool_f32_ref(const pml_pool_params *p, const pml_dims4 *in_d, const float *in,
                                      const pml_dims4 *out_d, float *out);
PML_INTERNAL void pml_maxpool_f32_ref(const pml_pool_params *p, const pml_dims4 *in_d, const float *in,
                                      const pml_dims4 *out_d, float *out);
PML_INTERNAL void pml_add_f32_ref(const pml_add_params *p, const pml_bcast5 *b, const float *in1,
                                  const float *in2, float *out);
PML_INTERNAL void pml_softmax_f32_ref(const pml_softmax_params *p, int32_t rows, int32_t depth, const float *in,
                                      float *out);

/* clamp to [lo, hi] (std::min / std::max order of TFLite: NaN passes through) */
PML_INTERNAL void pml_relu_f32_ref(float lo, float hi, size_t n, const float *in, float *out);
PML_INTERNAL void pml_logistic_f32_ref(size_t n, const float *in, float *out);
PML_INTERNAL void pml_tanh_f32_ref(size_t n, const float *in, float *out);
PML_INTERNAL void pml_pad_f32_ref(const pml_pad_params *p, float pad_value, const float *in, float *out);
PML_INTERNAL void pml_mean_f32_ref(const pml_mean_params *p, const float *in, float *out);
PML_INTERNAL void pml_mul_f32_ref(const pml_mul_params *p, const pml_bcast5 *b, const float *in1, const float *in2,
                                  float *out);
PML_INTERNAL void pml_sub_f32_ref(const pml_add_params *p, const pml_bcast5 *b, const float *in1, const float *in2,
                                  float *out);

/* x * min(6, max(0, x + 3)) / 6 */
PML_INTERNAL void pml_hard_swish_f32_ref(size_t n, const float *in, float *out);
/* x > 0 ? x : x * alpha */
PML_INTERNAL void pml_leaky_relu_f32_ref(float alpha, size_t n, const float *in, float *out);
/* x >= 0 ? x : x * alpha, alpha broadcast against the input */
PML_INTERNAL void pml_prelu_f32_ref(const pml_bcast5 *b, const float *in, const float *alpha, float *out);
/* TFLite's a > b ? a : b (MAXIMUM) and a < b ? a : b (MINIMUM) */
PML_INTERNAL void pml_maxmin_f32_ref(bool is_max, const pml_bcast5 *b, const float *in1, const float *in2,
                                     float *out);

/* ---- hybrid (float activations, int8 weights; TF dynamic-range quantization) ----------------- */
/* TFLite SymmetricQuantizeFloats: range = max|x|; if 0: all 0 and *scale = 1; else
 * q = clamp(round(x * (127.0f / range)), -127, 127), *scale = range / 127. */
PML_INTERNAL void pml_symmetric_quantize_f32(size_t n, const float *in, int8_t *out, float *scale);
/* Hybrid conv: input quantized per batch (scratch `qin`, n*h*w*c_in int8), int8 GEMM with
 * zero padding, out = (float)acc * (in_scale[b] * w_scale[c]) + bias[c], clamped to the float act range.
 * w_scale has `w_scale_count` entries (1 = per-tensor). */
PML_INTERNAL void pml_conv2d_hybrid_ref(const pml_conv_params *p, const pml_dims4 *in_d, const float *in,
                                        int8_t *qin, const pml_dims4 *f_d, const int8_t *filter,
                                        const float *w_scale, int32_t w_scale_count, const float *bias,
                                        const pml_dims4 *out_d, float *out);
/* Hybrid FC: per-batch symmetric quantization of the input row (scratch `qin`, batches*depth). */
PML_INTERNAL void pml_fc_hybrid_ref(const pml_fc_params *p, int32_t batches, int32_t depth, int32_t units,
                                    const float *in, int8_t *qin, const int8_t *w, const float *w_scale,
                                    int32_t w_scale_count, const float *bias, float *out);

/* ---- optimised int8 variants: bit-exact twins of the _ref kernels ---------------------------- */
typedef void (*pml_conv_s8_fn)(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                               const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d,
                               int8_t *out);
typedef bool (*pml_conv_applies_fn)(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                    const pml_dims4 *out_d);
typedef void (*pml_fc_s8_fn)(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth, int32_t units,
                             const int8_t *in, const int8_t *w, const int32_t *bias, int8_t *out);

/* One variant: `applies` NULL means always. Tables list the best first; the reference is last. */
typedef struct pml_conv_s8_variant {
    const char *name;
    pml_conv_applies_fn applies;
    pml_conv_s8_fn run;
} pml_conv_s8_variant;
typedef struct pml_fc_s8_variant {
    const char *name;
    bool (*applies)(const pml_fc_params *p);
    pml_fc_s8_fn run;
} pml_fc_s8_variant;

/* Portable C (any target): dilation 1 (conv, depthwise), depth multiplier 1 (depthwise). */
PML_INTERNAL bool pml_conv2d_s8_fast_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                             const pml_dims4 *out_d);
PML_INTERNAL void pml_conv2d_s8_fast(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                                     const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias,
                                     const pml_dims4 *out_d, int8_t *out);
PML_INTERNAL bool pml_dwconv2d_s8_fast_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                               const pml_dims4 *out_d);
PML_INTERNAL void pml_dwconv2d_s8_fast(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d,
                                       const int8_t *in, const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias,
                                       const pml_dims4 *out_d, int8_t *out);
PML_INTERNAL bool pml_fc_s8_fast_applies(const pml_fc_params *p);
PML_INTERNAL void pml_fc_s8_fast(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth, int32_t units,
                                 const int8_t *in, const int8_t *w, const int32_t *bias, int8_t *out);
/* x86-64 AVX2 (built when PML_KERNELS_AVX2 is defined); same predicates as the portable ones. */
PML_INTERNAL void pml_conv2d_s8_avx2(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                                     const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias,
                                     const pml_dims4 *out_d, int8_t *out);
PML_INTERNAL void pml_dwconv2d_s8_avx2(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d,
                                       const int8_t *in, const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias,
                                       const pml_dims4 *out_d, int8_t *out);
PML_INTERNAL void pml_fc_s8_avx2(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth, int32_t units,
                                 const int8_t *in, const int8_t *w, const int32_t *bias, int8_t *out);

/* pml__outq8f_avx2 on 8 lanes (for the tests): out[j] = requantized x[j] + out_off and 1 when
 * pml__rqf_ok(mult[j], shift[j], bound) holds for every j and |x[j]| <= bound; 0 (out untouched)
 * when it does not; -1 when the vector form pml__rq8f_ok disagrees with pml__rqf_ok */
PML_INTERNAL int pml__outq8f_check(const int32_t x[8], const int32_t mult[8], const int32_t shift[8], int64_t bound,
                                   int32_t out_off, int32_t out[8]);
PML_INTERNAL bool pml_dwconv2d_s8_avx2r_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                                const pml_dims4 *out_d);
PML_INTERNAL void pml_dwconv2d_s8_avx2r(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d,
                                        const int8_t *in, const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias,
                                        const pml_dims4 *out_d, int8_t *out);
/* x86-64 AVX-VNNI (PML_KERNELS_AVX2 builds; used only where the CPU reports AVX-VNNI at prepare). */
PML_INTERNAL bool pml__x86_has_avxvnni(void);
PML_INTERNAL bool pml_conv2d_s8_vnni_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                             const pml_dims4 *out_d);
PML_INTERNAL void pml_conv2d_s8_vnni(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                                     const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias,
                                     const pml_dims4 *out_d, int8_t *out);
PML_INTERNAL bool pml_conv2d_s8_vnnip_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                              const pml_dims4 *out_d);
PML_INTERNAL void pml_conv2d_s8_vnnip(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                                      const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias,
                                      const pml_dims4 *out_d, int8_t *out);
PML_INTERNAL bool pml_dwconv2d_s8_vnni_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                               const pml_dims4 *out_d);
PML_INTERNAL void pml_dwconv2d_s8_vnni(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d,
                                       const int8_t *in, const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias,
                                       const pml_dims4 *out_d, int8_t *out);
PML_INTERNAL bool pml_fc_s8_vnni_applies(const pml_fc_params *p);
/* bias folded with the input offset's weight-sum term (see fc_s8_vnni.c), for input_offset 128 */
PML_INTERNAL void pml_fc_s8_vnni_fold(const pml_fc_params *p, int32_t depth, int32_t units, const int8_t *w,
                                      const int32_t *bias, int32_t *ebias);
PML_INTERNAL void pml_fc_s8_vnni(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth, int32_t units,
                                 const int8_t *in, const int8_t *w, const int32_t *bias, int8_t *out);

/* x86-64 AVX2: channels in vectors, window sums accumulated in int32 lanes */
PML_INTERNAL bool pml_avgpool_s8_avx2(const pml_pool_params *p, const pml_dims4 *in_d, const int8_t *in, const pml_dims4 *out_d,
                                      int8_t *out);

/* FULLY_CONNECTED int8 on offline-packed weights (src/format/pml_packed.h, PML_PACKED_FC_W16X4):
 * bias = the packed bias (units rounded up to 4 values), w = the packed int16 weights. Used where the
 * model carries them (`picoml pack`) and the build has a packed variant (DSP); the portable C twin is
 * the property tests' bridge to pml_fc_s8_ref. */
typedef void (*pml_fc_s8_w16_fn)(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth,
                                 int32_t units, const int8_t *in, const int32_t *bias, const int16_t *w, int8_t *out);
typedef struct pml_fc_s8_w16_variant {
    const char *name;
    pml_fc_s8_w16_fn run;
} pml_fc_s8_w16_variant;
PML_INTERNAL void pml_fc_s8_w16_c(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth,
                                  int32_t units, const int8_t *in, const int32_t *bias, const int16_t *w, int8_t *out);
PML_INTERNAL void pml_fc_s8_w16_dsp(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth,
                                    int32_t units, const int8_t *in, const int32_t *bias, const int16_t *w, int8_t *out);
/* Every packed variant of this build (the C twin last); the one prepare uses, NULL if none: inline,
 * so that builds without one compile the packed path out of FULLY_CONNECTED prepare (no code cost). */
PML_INTERNAL const pml_fc_s8_w16_variant *pml__fc_s8_w16_variants(uint32_t *count);
#if defined(PML_KERNELS_DSP) && !defined(PML_KERNELS_REF)
/* DSP: 15 instead of 23 instructions per 16 MACs */
PML_INTERNAL extern const pml_fc_s8_w16_variant pml__fc_s8_w16_dsp_variant;
PML_INLINE const pml_fc_s8_w16_variant *pml__fc_s8_w16_select(void) { return &pml__fc_s8_w16_dsp_variant; }
#else
PML_INLINE const pml_fc_s8_w16_variant *pml__fc_s8_w16_select(void) { return NULL; }
#endif

/* ADD int8 without broadcasting. */
typedef struct pml_add_s8_variant {
    const char *name;
    bool (*applies)(const pml_add_params *p, const pml_bcast5 *b);
    void (*run)(const pml_add_params *p, const pml_bcast5 *b, const int8_t *in1, const int8_t *in2, int8_t *out);
} pml_add_s8_variant;

/*
 * ADD int8 in 32-bit arithmetic (src/kernels/add_s8_fast.c derives it; exact where
 * pml__add_split_make accepts the parameters). Input i, v = x + offset (|v| <= 256), multiplier
 * m = mh * 2^16 + ml (|ml| <= 2^15), r = -shift:
 *   a = ((w << A) + ((t + C) >> B)) >> D,  w = v * mh,  t = v * ml - [v < 0] * cw
 * (w and t are one 16-bit multiply-add each on the sign-extended v). The output stage, on s2 = 2 * (a1 + a2):
 *   out = ((int32_t)((s2 * mo + k2) >> 32) - [s2 < tz2]) >> ro,  then clamped.
 */
typedef struct pml__add_in {
    int32_t off, mh, ml, cw, c, a, b, d;
    bool half; /* multiplier 2^30, shift 0 (the input of the larger scale): a = v << 19 */
} pml__add_in;
typedef struct pml__add_split {
    pml__add_in in[2];
    int32_t mo, tz2, ro;
    int64_t k2; /* 2^31 + (rounding half + output offset * 2^ro) * 2^32 */
} pml__add_split;
/* false if the parameters are outside the range where the 32-bit form is exact */
PML_INTERNAL bool pml__add_split_make(const pml_add_params *p, pml__add_split *s);

PML_INLINE int32_t pml__add_split_in(const pml__add_in *c, int32_t x) {
    const int32_t v = x + c->off;
    if (c->half) return (int32_t)((uint32_t)v << 19);
    const int32_t w = v * c->mh, t = v * c->ml - (v < 0 ? c->cw : 0);
    return (int32_t)(((uint32_t)w << c->a) + (uint32_t)((t + c->c) >> c->b)) >> c->d;
}

PML_INLINE int32_t pml__add_split_out(const pml__add_split *s, int32_t s2) {
    const int32_t y = (int32_t)(((int64_t)s2 * s->mo + s->k2) >> 32);
    return (y - (s2 < s->tz2 ? 1 : 0)) >> s->ro;
}

PML_INTERNAL bool pml_add_s8_fast_applies(const pml_add_params *p, const pml_bcast5 *b);
PML_INTERNAL void pml_add_s8_fast(const pml_add_params *p, const pml_bcast5 *b, const int8_t *in1, const int8_t *in2,
                                  int8_t *out);
PML_INTERNAL void pml_add_s8_avx2(const pml_add_params *p, const pml_bcast5 *b, const int8_t *in1, const int8_t *in2,
                                  int8_t *out);
PML_INTERNAL bool pml_add_s8_avx2s_applies(const pml_add_params *p, const pml_bcast5 *b);
PML_INTERNAL void pml_add_s8_avx2s(const pml_add_params *p, const pml_bcast5 *b, const int8_t *in1, const int8_t *in2,
                                   int8_t *out);
PML_INTERNAL const pml_add_s8_variant *pml__add_s8_variants(uint32_t *count);
PML_INTERNAL const pml_add_s8_variant *pml__add_s8_select(const pml_add_params *p, const pml_bcast5 *b);

/* AVERAGE_POOL_2D int8 (run returns false where the reference does: a window without input). */
typedef struct pml_avgpool_s8_variant {
    const char *name;
    bool (*applies)(const pml_pool_params *p, const pml_dims4 *in_d, const pml_dims4 *out_d);
    bool (*run)(const pml_pool_params *p, const pml_dims4 *in_d, const int8_t *in, const pml_dims4 *out_d, int8_t *out);
} pml_avgpool_s8_variant;
PML_INTERNAL bool pml_avgpool_s8_fast(const pml_pool_params *p, const pml_dims4 *in_d, const int8_t *in,
                                      const pml_dims4 *out_d, int8_t *out);
PML_INTERNAL bool pml_avgpool_s8_dsp(const pml_pool_params *p, const pml_dims4 *in_d, const int8_t *in,
                                     const pml_dims4 *out_d, int8_t *out);
PML_INTERNAL const pml_avgpool_s8_variant *pml__avgpool_s8_variants(uint32_t *count);
PML_INTERNAL const pml_avgpool_s8_variant *pml__avgpool_s8_select(const pml_pool_params *p, const pml_dims4 *in_d,
                                                                  const pml_dims4 *out_d);

/* Variant tables (src/kernels/kernel_table.c) and selection: the first variant that applies. */
PML_INTERNAL const pml_conv_s8_variant *pml__conv2d_s8_variants(uint32_t *count);
PML_INTERNAL const pml_conv_s8_variant *pml__dwconv2d_s8_variants(uint32_t *count);
PML_INTERNAL const pml_fc_s8_variant *pml__fc_s8_variants(uint32_t *count);
PML_INTERNAL const pml_conv_s8_variant *pml__conv_s8_select(const pml_conv_s8_variant *table, uint32_t count,
                                                            const pml_conv_params *p, const pml_dims4 *in_d,
                                                            const pml_dims4 *f_d, const pml_dims4 *out_d);
PML_INTERNAL const pml_fc_s8_variant *pml__fc_s8_select(const pml_fc_params *p);

/* Arm v7E-M DSP (src/kernels/armv7em, built when PML_KERNELS_DSP is defined: Cortex-M4/M7/M33/M55). */
PML_INTERNAL bool pml_conv2d_s8_dsp_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                            const pml_dims4 *out_d);
PML_INTERNAL void pml_conv2d_s8_dsp(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                                    const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias,
                                    const pml_dims4 *out_d, int8_t *out);
PML_INTERNAL bool pml_dwconv2d_s8_dsp_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                              const pml_dims4 *out_d);
PML_INTERNAL void pml_dwconv2d_s8_dsp(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d,
                                      const int8_t *in, const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias,
                                      const pml_dims4 *out_d, int8_t *out);
PML_INTERNAL bool pml_fc_s8_dsp_applies(const pml_fc_params *p);
PML_INTERNAL void pml_fc_s8_dsp(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth, int32_t units,
                                const int8_t *in, const int8_t *w, const int32_t *bias, int8_t *out);
PML_INTERNAL bool pml_add_s8_dsp_applies(const pml_add_params *p, const pml_bcast5 *b);
PML_INTERNAL void pml_add_s8_dsp(const pml_add_params *p, const pml_bcast5 *b, const int8_t *in1, const int8_t *in2,
                                 int8_t *out);

/* Arm Helium / MVE (src/kernels/mve, built when PML_KERNELS_MVE is defined: Cortex-M55; listed before
 * the DSP variants, which the same builds also have). */
PML_INTERNAL bool pml_conv2d_s8_mve_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                            const pml_dims4 *out_d);
PML_INTERNAL void pml_conv2d_s8_mve(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                                    const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias,
                                    const pml_dims4 *out_d, int8_t *out);
PML_INTERNAL bool pml_add_s8_mve_applies(const pml_add_params *p, const pml_bcast5 *b);
PML_INTERNAL void pml_add_s8_mve(const pml_add_params *p, const pml_bcast5 *b, const int8_t *in1, const int8_t *in2,
                                 int8_t *out);
PML_INTERNAL bool pml_dwconv2d_s8_mve_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                              const pml_dims4 *out_d);
PML_INTERNAL void pml_dwconv2d_s8_mve(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d,
                                      const int8_t *in, const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias,
                                      const pml_dims4 *out_d, int8_t *out);
PML_INTERNAL bool pml_fc_s8_mve_applies(const pml_fc_params *p);
PML_INTERNAL void pml_fc_s8_mve(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth, int32_t units,
                                const int8_t *in, const int8_t *w, const int32_t *bias, int8_t *out);

/* ---- per-channel hybrid (TFLite EvalHybridPerChannel: asymmetric per-batch input quantization) -- */
/* TFLite tensor_utils::AsymmetricQuantizeFloats as LiteRT executes it (see the file): rmin/rmax =
 * min/max of {0, x}; if equal: all 0, *scale = 1, *offset = 0; else *scale = (float)((rmax - rmin)
 * / 255.0), *offset = the nudged zero point in -128..127, q = clamp(*offset + round(x * inv)) with
 * inv = (float)(1.0 / *scale). */
PML_INTERNAL void pml_asymmetric_quantize_f32(size_t n, const float *in, int8_t *out, float *scale,
                                              int32_t *offset);
/* Per-channel hybrid conv: each batch quantized asymmetrically into `qin` (n*h*w*c_in int8), acc =
 * sum of filter * (qin - zp) over in-image taps, out = clamp(((float)acc * w_scale[oc]) * in_scale
 * + bias[oc]). w_scale: w_scale_count = c_out or 1. */
PML_INTERNAL void pml_conv2d_hybrid_pc_ref(const pml_conv_params *p, const pml_dims4 *in_d, const float *in,
                                           int8_t *qin, const pml_dims4 *f_d, const int8_t *filter,
                                           const float *w_scale, int32_t w_scale_count, const float *bias,
                                           const pml_dims4 *out_d, float *out);
/* Per-channel hybrid depthwise: as above, out = clamp((float)acc * (w_scale[oc] * in_scale) + bias[oc]). */
PML_INTERNAL void pml_dwconv2d_hybrid_pc_ref(const pml_conv_params *p, const pml_dims4 *in_d, const float *in,
                                             int8_t *qin, const pml_dims4 *f_d, const int8_t *filter,
                                             const float *w_scale, int32_t w_scale_count, const float *bias,
                                             const pml_dims4 *out_d, float *out);

#endif /* PML_KERNELS_H */
