/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Elementwise activations: RELU, RELU6, RELU_N1_TO_1, LOGISTIC, TANH; int8 and float32.
 * int8 RELU*: requantize to the output and clamp (TFLM ReluQuantized, TFLite QuantizedReluX). For
 * RELU6, TFLM's Relu6Quantized clamps the input codes without requantizing: the same result when
 * input and output share their quantization, as the converter writes them.
 * int8 LOGISTIC / TANH: TFLM reference_integer_ops (gemmlowp fixed point); the output
 * quantization is fixed (1/256, -128 and 1/128, 0).
 */
#include <string.h>

#include "pml_ops_internal.h"

typedef struct act_data {
    size_t count;
    pml_relu_params relu;   /* int8 RELU*          */
    pml_sigmoid_params sig; /* int8 LOGISTIC, TANH */
    float lo, hi;           /* float RELU*         */
} act_data;
PML_OP_DATA(act_data);

static pml_status eval_relu_s8(const pml_interp *it, const pml_node *n) {
    const act_data *d = (const act_data *)n->data;
    pml_relu_s8_ref(&d->relu, d->count, (const int8_t *)PML_IN(it, n, 0), (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_relu_f32(const pml_interp *it, const pml_node *n) {
    const act_data *d = (const act_data *)n->data;
    pml_relu_f32_ref(d->lo, d->hi, d->count, (const float *)PML_IN(it, n, 0), (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_logistic_s8(const pml_interp *it, const pml_node *n) {
    const act_data *d = (const act_data *)n->data;
    pml_logistic_s8_ref(&d->sig, d->count, (const int8_t *)PML_IN(it, n, 0), (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_logistic_f32(const pml_interp *it, const pml_node *n) {
    const act_data *d = (const act_data *)n->data;
    pml_logistic_f32_ref(d->count, (const float *)PML_IN(it, n, 0), (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_tanh_s8(const pml_interp *it, const pml_node *n) {
    const act_data *d = (const act_data *)n->data;
    pml_tanh_s8_ref(&d->sig, d->count, (const int8_t *)PML_IN(it, n, 0), (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_tanh_f32(const pml_interp *it, const pml_node *n) {
    const act_data *d = (const act_data *)n->data;
    pml_tanh_f32_ref(d->count, (const float *)PML_IN(it, n, 0), (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}

static const char *op_name(int32_t code) {
    switch (code) {
    case PML_OP_RELU: return "RELU";
    case PML_OP_RELU6: return "RELU6";
    case PML_OP_RELU_N1_TO_1: return "RELU_N1_TO_1";
    case PML_OP_LOGISTIC: return "LOGISTIC";
    default: return "TANH";
    }
}

static pml_status prepare(pml_prep_ctx *pc, pml_node *n) {
    const pml_model *m = pc->m;
    const int32_t code = pc->op.code;
    const char *name = op_name(code);
    pml__tinfo in, out;
    PML_TRY(pml__prep_tensor(pc, 0, &in));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &out));
    PML_PREP_CHECK(pc, pml__same_shape(&in, &out), PML_ERR_MODEL, "%s: input and output shapes differ", name);
    PML_PREP_CHECK(pc, in.dtype == out.dtype, PML_ERR_UNSUPPORTED, "%s: %s -> %s", name, pml_dtype_str(in.dtype),
                   pml_dtype_str(out.dtype));
    act_data dd;
    memset(&dd, 0, sizeof dd);
    dd.count = in.count;
    const bool relu = code == PML_OP_RELU || code == PML_OP_RELU6 || code == PML_OP_RELU_N1_TO_1;
    /* TFLite ActivationFunctionType of each RELU op, for the clamp ranges */
    const int32_t act = code == PML_OP_RELU ? 1 : code == PML_OP_RELU_N1_TO_1 ? 2 : 3;
    pml_eval_fn eval;
    if (in.dtype == PML_DTYPE_I8) {
        PML_PREP_CHECK(pc, pml__valid_q8(m, &in) && pml__valid_q8(m, &out), PML_ERR_UNSUPPORTED,
                       "%s: int8 tensors need quantization", name);
        const float s_in = pml__tinfo_scale(m, &in, 0), s_out = pml__tinfo_scale(m, &out, 0);
        const int32_t z_in = pml__tinfo_zp(m, &in, 0), z_out = pml__tinfo_zp(m, &out, 0);
        if (relu) {
            dd.relu.input_zp = z_in;
            dd.relu.output_zp = z_out;
            pml__quantize_multiplier((double)s_in / (double)s_out, &dd.relu.mult, &dd.relu.shift);
            PML_PREP_CHECK(pc, dd.relu.shift <= 30, PML_ERR_UNSUPPORTED, "%s: input/output scale ratio too large",
                           name);
            PML_PREP_CHECK(pc, pml__act_range_s8(act, s_out, z_out, &dd.relu.act_min, &dd.relu.act_max),
                           PML_ERR_INTERNAL, "%s: activation range", name);
            eval = eval_relu_s8;
            n->variant = "relu_s8_ref";
        } else if (code == PML_OP_LOGISTIC) {
            PML_PREP_CHECK(pc, s_out == 1.0f / 256.0f && z_out == -128, PML_ERR_UNSUPPORTED,
                           "LOGISTIC: int8 output must have scale 1/256 and zero point -128");
            PML_PREP_CHECK(pc, pml__sigmoid_params_s8(s_in, z_in, &dd.sig), PML_ERR_UNSUPPORTED,
                           "LOGISTIC: input scale %g out of range", (double)s_in);
            eval = eval_logistic_s8;
            n->variant = "logistic_s8_ref";
        } else {
            PML_PREP_CHECK(pc, s_out == 1.0f / 128.0f && z_out == 0, PML_ERR_UNSUPPORTED,
                           "TANH: int8 output must have scale 1/128 and zero point 0");
            PML_PREP_CHECK(pc, pml__sigmoid_params_s8(s_in, z_in, &dd.sig), PML_ERR_UNSUPPORTED,
                           "TANH: input scale %g out of range", (double)s_in);
            eval = eval_tanh_s8;
            n->variant = "tanh_s8_ref";
        }
    } else if (in.dtype == PML_DTYPE_F32) {
        if (relu) {
            PML_PREP_CHECK(pc, pml__act_range_f32(act, &dd.lo, &dd.hi), PML_ERR_INTERNAL, "%s: activation range",
                           name);
            eval = eval_relu_f32;
            n->variant = "relu_f32_ref";
        } else if (code == PML_OP_LOGISTIC) {
            eval = eval_logistic_f32;
            n->variant = "logistic_f32_ref";
        } else {
            eval = eval_tanh_f32;
            n->variant = "tanh_f32_ref";
        }
    } else {
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1, "%s: type %s", name,
                          pml_dtype_str(in.dtype));
    }
    return pml__prep_commit(pc, n, eval, &dd, sizeof dd);
}

const pml_kernel pml_kernel_relu = {PML_OP_RELU, "RELU", prepare};
const pml_kernel pml_kernel_relu6 = {PML_OP_RELU6, "RELU6", prepare};
const pml_kernel pml_kernel_relu_n1_to_1 = {PML_OP_RELU_N1_TO_1, "RELU_N1_TO_1", prepare};
const pml_kernel pml_kernel_logistic = {PML_OP_LOGISTIC, "LOGISTIC", prepare};
const pml_kernel pml_kernel_tanh = {PML_OP_TANH, "TANH", prepare};
