/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HARD_SWISH (MobileNetV3), int8 and float32. int8 parameters as TFLM hard_swish_common.cc /
 * TFLite HardSwishPrepare: hires_scale = in_scale / 128 and the two ratios hires_scale / out_scale
 * and hires_scale / (3 / 32768) are formed in float, then QuantizeMultiplier and rounded to Q0.15
 * (DownScaleInt32ToInt16Multiplier). TFLite requires the output exponent to be <= 0 (output scale
 * at least in_scale / 128 / 2 or so); a larger ratio is rejected here too.
 */
#include <string.h>

#include "pml_ops_internal.h"

typedef struct hs_data {
    size_t count;
    pml_hard_swish_params p;
} hs_data;

static pml_status eval_s8(const pml_interp *it, const pml_node *n) {
    const hs_data *d = (const hs_data *)n->data;
    pml_hard_swish_s8_ref(&d->p, d->count, (const int8_t *)PML_IN(it, n, 0), (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_f32(const pml_interp *it, const pml_node *n) {
    const hs_data *d = (const hs_data *)n->data;
    pml_hard_swish_f32_ref(d->count, (const float *)PML_IN(it, n, 0), (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}

/* TFLite DownScaleInt32ToInt16Multiplier (m >= 0) */
static int16_t to_q15(int32_t m) {
    if (m >= INT32_MAX - (1 << 15)) return INT16_MAX;
    return (int16_t)((m + (1 << 15)) >> 16);
}

static pml_status prepare(pml_prep_ctx *pc, pml_node *n) {
    const pml_model *m = pc->m;
    pml__tinfo in, out;
    PML_PREP_CHECK(pc, pc->op.n_in == 1, PML_ERR_MODEL, "HARD_SWISH: %d inputs, 1 expected", (int)pc->op.n_in);
    PML_TRY(pml__prep_tensor(pc, 0, &in));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &out));
    PML_PREP_CHECK(pc, pml__same_shape(&in, &out), PML_ERR_MODEL, "HARD_SWISH: input and output shapes differ");
    PML_PREP_CHECK(pc, in.dtype == out.dtype, PML_ERR_UNSUPPORTED, "HARD_SWISH: %s -> %s", pml_dtype_str(in.dtype),
                   pml_dtype_str(out.dtype));
    hs_data dd;
    memset(&dd, 0, sizeof dd);
    dd.count = in.count;
    pml_eval_fn eval;
    if (in.dtype == PML_DTYPE_I8) {
        PML_PREP_CHECK(pc, pml__valid_q8(m, &in) && pml__valid_q8(m, &out), PML_ERR_UNSUPPORTED,
                       "HARD_SWISH: int8 tensors need per-tensor quantization");
        const float s_in = pml__tinfo_scale(m, &in, 0), s_out = pml__tinfo_scale(m, &out, 0);
        const float hires = (1.0f / 128.0f) * s_in;
        const float reluish_scale = 3.0f / 32768.0f;
        const float out_ratio = hires / s_out, reluish_ratio = hires / reluish_scale;
        int32_t q, e;
        pml__quantize_multiplier((double)out_ratio, &q, &e);
        PML_PREP_CHECK(pc, q >= 0 && e <= 0, PML_ERR_UNSUPPORTED,
                       "HARD_SWISH: output scale %g < input scale %g / 128", (double)s_out, (double)s_in);
        dd.p.output_mult = to_q15(q);
        dd.p.output_exp = e;
        pml__quantize_multiplier((double)reluish_ratio, &q, &e);
        PML_PREP_CHECK(pc, q >= 0 && e <= 31, PML_ERR_UNSUPPORTED, "HARD_SWISH: input scale %g out of range",
                       (double)s_in);
        dd.p.reluish_mult = to_q15(q);
        dd.p.reluish_exp = e;
        dd.p.input_zp = pml__tinfo_zp(m, &in, 0);
        dd.p.output_zp = pml__tinfo_zp(m, &out, 0);
        eval = eval_s8;
        n->variant = "hard_swish_s8_ref";
    } else if (in.dtype == PML_DTYPE_F32) {
        eval = eval_f32;
        n->variant = "hard_swish_f32_ref";
    } else {
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1, "HARD_SWISH: type %s",
                          pml_dtype_str(in.dtype));
    }
    return pml__prep_commit(pc, n, eval, &dd, sizeof dd);
}

const pml_kernel pml_kernel_hard_swish = {PML_OP_HARD_SWISH, "HARD_SWISH", prepare};
