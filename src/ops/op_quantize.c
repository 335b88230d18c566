/* SPDX-License-Identifier: Apache-2.0 */
/* QUANTIZE (float32 -> int8, int8 -> int8 requantize) and DEQUANTIZE (int8 -> float32). */
#include <string.h>

#include "pml_ops_internal.h"

typedef struct quant_data {
    size_t count;
    float scale;
    int32_t in_zp, out_zp, mult, shift;
} quant_data;
PML_OP_DATA(quant_data);

static pml_status eval_q_f32(const pml_interp *it, const pml_node *n) {
    const quant_data *d = (const quant_data *)n->data;
    pml_quantize_f32_s8_ref(d->scale, d->out_zp, d->count, (const float *)PML_IN(it, n, 0), (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_q_s8(const pml_interp *it, const pml_node *n) {
    const quant_data *d = (const quant_data *)n->data;
    pml_requantize_s8_ref(d->in_zp, d->mult, d->shift, d->out_zp, d->count, (const int8_t *)PML_IN(it, n, 0),
                          (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_dq(const pml_interp *it, const pml_node *n) {
    const quant_data *d = (const quant_data *)n->data;
    pml_dequantize_s8_f32_ref(d->scale, d->in_zp, d->count, (const int8_t *)PML_IN(it, n, 0), (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}

static pml_status prepare_common(pml_prep_ctx *pc, pml_node *n, bool dequant) {
    const pml_model *m = pc->m;
    pml__tinfo in, out;
    PML_TRY(pml__prep_tensor(pc, 0, &in));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &out));
    PML_PREP_CHECK(pc, in.count == out.count, PML_ERR_MODEL, "%s: element counts differ",
                   dequant ? "DEQUANTIZE" : "QUANTIZE");
    quant_data dd;
    memset(&dd, 0, sizeof dd);
    dd.count = in.count;
    pml_eval_fn eval;
    if (dequant) {
        PML_PREP_CHECK(pc, in.dtype == PML_DTYPE_I8 && out.dtype == PML_DTYPE_F32 && pml__valid_q8(m, &in),
                       PML_ERR_UNSUPPORTED, "DEQUANTIZE: %s -> %s", pml_dtype_str(in.dtype), pml_dtype_str(out.dtype));
        PML_PREP_CHECK(pc, in.scale.n == 1, PML_ERR_UNSUPPORTED, "DEQUANTIZE: per-channel input");
        dd.scale = pml__tinfo_scale(m, &in, 0);
        dd.in_zp = pml__tinfo_zp(m, &in, 0);
        eval = eval_dq;
        n->variant = "dequantize_s8_f32_ref";
    } else if (in.dtype == PML_DTYPE_F32 && out.dtype == PML_DTYPE_I8) {
        PML_PREP_CHECK(pc, pml__valid_q8(m, &out) && out.scale.n == 1, PML_ERR_UNSUPPORTED,
                       "QUANTIZE: output needs per-tensor quantization");
        dd.scale = pml__tinfo_scale(m, &out, 0);
        dd.out_zp = pml__tinfo_zp(m, &out, 0);
        eval = eval_q_f32;
        n->variant = "quantize_f32_s8_ref";
    } else if (in.dtype == PML_DTYPE_I8 && out.dtype == PML_DTYPE_I8) {
        PML_PREP_CHECK(pc, pml__valid_q8(m, &in) && pml__valid_q8(m, &out), PML_ERR_UNSUPPORTED,
                       "QUANTIZE: int8 tensors need quantization");
        double eff = (double)pml__tinfo_scale(m, &in, 0) / (double)pml__tinfo_scale(m, &out, 0);
        pml__quantize_multiplier(eff, &dd.mult, &dd.shift);
        dd.in_zp = pml__tinfo_zp(m, &in, 0);
        dd.out_zp = pml__tinfo_zp(m, &out, 0);
        eval = eval_q_s8;
        n->variant = "requantize_s8_ref";
    } else {
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1, "QUANTIZE: %s -> %s",
                          pml_dtype_str(in.dtype), pml_dtype_str(out.dtype));
    }
    return pml__prep_commit(pc, n, eval, &dd, sizeof dd);
}

static pml_status prepare_q(pml_prep_ctx *pc, pml_node *n) { return prepare_common(pc, n, false); }
static pml_status prepare_dq(pml_prep_ctx *pc, pml_node *n) { return prepare_common(pc, n, true); }

const pml_kernel pml_kernel_quantize = {PML_OP_QUANTIZE, "QUANTIZE", prepare_q};
const pml_kernel pml_kernel_dequantize = {PML_OP_DEQUANTIZE, "DEQUANTIZE", prepare_dq};
