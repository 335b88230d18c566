/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PRELU (Keras PReLU), int8 and float32, alpha broadcast against the input (up to 5-D; the output
 * has the input's shape, as the converter writes it). int8 multipliers as TFLM prelu_common.cc:
 * in_scale / out_scale and in_scale * alpha_scale / out_scale in double. LiteRT forms them in
 * float; on the golden cases both give the same multipliers (bit-exact), but a scale pair where
 * the float and double roundings part would put LiteRT 1 away, as for RELU.
 * int8 alpha: per-tensor quantization with any zero point (TFLite uses its scale and zero point).
 */
#include <string.h>

#include "pml_ops_internal.h"

typedef struct prelu_data {
    pml_prelu_params p;
    pml_bcast5 b;
} prelu_data;

static pml_status eval_s8(const pml_interp *it, const pml_node *n) {
    const prelu_data *d = (const prelu_data *)n->data;
    pml_prelu_s8_ref(&d->p, &d->b, (const int8_t *)PML_IN(it, n, 0), (const int8_t *)PML_IN(it, n, 1),
                     (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_f32(const pml_interp *it, const pml_node *n) {
    const prelu_data *d = (const prelu_data *)n->data;
    pml_prelu_f32_ref(&d->b, (const float *)PML_IN(it, n, 0), (const float *)PML_IN(it, n, 1),
                      (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}

static pml_status prepare(pml_prep_ctx *pc, pml_node *n) {
    const pml_model *m = pc->m;
    pml__tinfo in, alpha, out;
    PML_PREP_CHECK(pc, pc->op.n_in == 2, PML_ERR_MODEL, "PRELU: %d inputs, 2 expected", (int)pc->op.n_in);
    PML_TRY(pml__prep_tensor(pc, 0, &in));
    PML_TRY(pml__prep_tensor(pc, 1, &alpha));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &out));
    PML_PREP_CHECK(pc, in.dtype == alpha.dtype && in.dtype == out.dtype, PML_ERR_UNSUPPORTED,
                   "PRELU: mixed types %s, alpha %s -> %s", pml_dtype_str(in.dtype), pml_dtype_str(alpha.dtype),
                   pml_dtype_str(out.dtype));
    prelu_data dd;
    memset(&dd, 0, sizeof dd);
    PML_PREP_CHECK(pc, pml__broadcast5(&in, &alpha, &out, &dd.b), PML_ERR_MODEL,
                   "PRELU: input and alpha do not broadcast to the output (or rank > 5)");
    pml_eval_fn eval;
    if (in.dtype == PML_DTYPE_I8) {
        PML_PREP_CHECK(pc, pml__valid_q8(m, &in) && pml__valid_q8(m, &out), PML_ERR_UNSUPPORTED,
                       "PRELU: int8 tensors need per-tensor quantization");
        PML_PREP_CHECK(pc, alpha.scale.n == 1 && pml__valid_q8(m, &alpha), PML_ERR_UNSUPPORTED,
                       "PRELU: int8 alpha needs one scale and zero point");
        const double s_in = (double)pml__tinfo_scale(m, &in, 0), s_a = (double)pml__tinfo_scale(m, &alpha, 0),
                     s_out = (double)pml__tinfo_scale(m, &out, 0);
        pml__quantize_multiplier(s_in / s_out, &dd.p.identity_mult, &dd.p.identity_shift);
        pml__quantize_multiplier(s_in * s_a / s_out, &dd.p.alpha_mult, &dd.p.alpha_shift);
        PML_PREP_CHECK(pc, dd.p.identity_shift <= 30 && dd.p.alpha_shift <= 30, PML_ERR_UNSUPPORTED,
                       "PRELU: output scale too small for the input / alpha scales");
        dd.p.input_zp = pml__tinfo_zp(m, &in, 0);
        dd.p.alpha_zp = pml__tinfo_zp(m, &alpha, 0);
        dd.p.output_zp = pml__tinfo_zp(m, &out, 0);
        eval = eval_s8;
        n->variant = "prelu_s8_ref";
    } else if (in.dtype == PML_DTYPE_F32) {
        eval = eval_f32;
        n->variant = "prelu_f32_ref";
    } else {
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1, "PRELU: type %s",
                          pml_dtype_str(in.dtype));
    }
    return pml__prep_commit(pc, n, eval, &dd, sizeof dd);
}

const pml_kernel pml_kernel_prelu = {PML_OP_PRELU, "PRELU", prepare};
