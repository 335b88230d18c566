/* SPDX-License-Identifier: Apache-2.0 */
/*
 * LEAKY_RELU, int8 and float32. int8 multipliers as TFLM leaky_relu_common.cc (and TFLite
 * LeakyReluPrepare): in_scale * alpha / out_scale and in_scale / out_scale formed in float, then
 * QuantizeMultiplier. alpha comes from LeakyReluOptions; absent options mean the schema default 0.
 */
#include <math.h>
#include <string.h>

#include "pml_ops_internal.h"

typedef struct lr_data {
    size_t count;
    float alpha;
    pml_leaky_relu_params p;
} lr_data;

static pml_status eval_s8(const pml_interp *it, const pml_node *n) {
    const lr_data *d = (const lr_data *)n->data;
    pml_leaky_relu_s8_ref(&d->p, d->count, (const int8_t *)PML_IN(it, n, 0), (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_f32(const pml_interp *it, const pml_node *n) {
    const lr_data *d = (const lr_data *)n->data;
    pml_leaky_relu_f32_ref(d->alpha, d->count, (const float *)PML_IN(it, n, 0), (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}

static pml_status prepare(pml_prep_ctx *pc, pml_node *n) {
    const pml_model *m = pc->m;
    pml__tinfo in, out;
    PML_PREP_CHECK(pc, pc->op.n_in == 1, PML_ERR_MODEL, "LEAKY_RELU: %d inputs, 1 expected", (int)pc->op.n_in);
    PML_TRY(pml__prep_tensor(pc, 0, &in));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &out));
    PML_PREP_CHECK(pc, pml__same_shape(&in, &out), PML_ERR_MODEL, "LEAKY_RELU: input and output shapes differ");
    PML_PREP_CHECK(pc, in.dtype == out.dtype, PML_ERR_UNSUPPORTED, "LEAKY_RELU: %s -> %s", pml_dtype_str(in.dtype),
                   pml_dtype_str(out.dtype));
    lr_data dd;
    memset(&dd, 0, sizeof dd);
    dd.count = in.count;
    if (pc->op.has_opt) {
        PML_PREP_CHECK(pc, pc->op.opt_type == PML_OPT_LEAKY_RELU, PML_ERR_MODEL, "LEAKY_RELU with wrong options");
        dd.alpha = pml__fb_f32(m, &pc->op.opt, 0, 0.0f);
    }
    PML_PREP_CHECK(pc, isfinite(dd.alpha), PML_ERR_MODEL, "LEAKY_RELU: alpha is not finite");
    pml_eval_fn eval;
    if (in.dtype == PML_DTYPE_I8) {
        PML_PREP_CHECK(pc, pml__valid_q8(m, &in) && pml__valid_q8(m, &out), PML_ERR_UNSUPPORTED,
                       "LEAKY_RELU: int8 tensors need per-tensor quantization");
        const float s_in = pml__tinfo_scale(m, &in, 0), s_out = pml__tinfo_scale(m, &out, 0);
        const float alpha_ratio = s_in * dd.alpha / s_out, identity_ratio = s_in / s_out;
        PML_PREP_CHECK(pc, isfinite(alpha_ratio) && fabsf(alpha_ratio) < 65536.0f && identity_ratio < 65536.0f,
                       PML_ERR_UNSUPPORTED, "LEAKY_RELU: scale ratio out of range (alpha %g, scales %g -> %g)",
                       (double)dd.alpha, (double)s_in, (double)s_out);
        pml__quantize_multiplier((double)alpha_ratio, &dd.p.alpha_mult, &dd.p.alpha_shift);
        pml__quantize_multiplier((double)identity_ratio, &dd.p.identity_mult, &dd.p.identity_shift);
        dd.p.input_zp = pml__tinfo_zp(m, &in, 0);
        dd.p.output_zp = pml__tinfo_zp(m, &out, 0);
        eval = eval_s8;
        n->variant = "leaky_relu_s8_ref";
    } else if (in.dtype == PML_DTYPE_F32) {
        eval = eval_f32;
        n->variant = "leaky_relu_f32_ref";
    } else {
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1, "LEAKY_RELU: type %s",
                          pml_dtype_str(in.dtype));
    }
    return pml__prep_commit(pc, n, eval, &dd, sizeof dd);
}

const pml_kernel pml_kernel_leaky_relu = {PML_OP_LEAKY_RELU, "LEAKY_RELU", prepare};
