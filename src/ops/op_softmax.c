/* SPDX-License-Identifier: Apache-2.0 */
/* SOFTMAX along the last dimension: int8 -> int8 (output scale 1/256, zero point -128) and float32;
 * pml_kernel_softmax_s8: int8 only. */
#include <string.h>

#include "pml_ops_internal.h"

typedef struct softmax_data {
    pml_softmax_params p;
    int32_t rows, depth;
} softmax_data;
PML_OP_DATA(softmax_data);

static pml_status eval_s8(const pml_interp *it, const pml_node *n) {
    const softmax_data *d = (const softmax_data *)n->data;
    pml__softmax_s8(&d->p, d->rows, d->depth, (const int8_t *)PML_IN(it, n, 0), (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_f32(const pml_interp *it, const pml_node *n) {
    const softmax_data *d = (const softmax_data *)n->data;
    pml_softmax_f32_ref(&d->p, d->rows, d->depth, (const float *)PML_IN(it, n, 0), (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}

/* f32_eval: the float32 eval, NULL in the int8-only kernel (which then refuses float32 and links no
 * float code) */
static pml_status prepare_any(pml_prep_ctx *pc, pml_node *n, pml_eval_fn f32_eval) {
    const pml_model *m = pc->m;
    pml__tinfo in, out;
    PML_TRY(pml__prep_tensor(pc, 0, &in));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &out));
    float beta = 1.0f;
    if (pc->op.has_opt) {
        PML_PREP_CHECK(pc, pc->op.opt_type == PML_OPT_SOFTMAX, PML_ERR_MODEL, "SOFTMAX with wrong options");
        beta = pml__fb_f32(m, &pc->op.opt, 0, 0.0f);
    }
    PML_PREP_CHECK(pc, in.rank >= 1 && pml__same_shape(&in, &out), PML_ERR_MODEL, "SOFTMAX: shapes differ");
    softmax_data dd;
    memset(&dd, 0, sizeof dd);
    dd.depth = in.dims[in.rank - 1];
    PML_PREP_CHECK(pc, dd.depth > 0, PML_ERR_MODEL, "SOFTMAX: empty last dimension");
    dd.rows = (int32_t)(in.count / (size_t)dd.depth);
    dd.p.beta = beta;
    pml_eval_fn eval;
    if (in.dtype == PML_DTYPE_I8 && out.dtype == PML_DTYPE_I8) {
        PML_PREP_CHECK(pc, pml__valid_q8(m, &in) && pml__valid_q8(m, &out), PML_ERR_UNSUPPORTED,
                       "SOFTMAX: int8 tensors need quantization");
        PML_PREP_CHECK(pc, pml__tinfo_scale(m, &out, 0) == 1.0f / 256.0f && pml__tinfo_zp(m, &out, 0) == -128,
                       PML_ERR_UNSUPPORTED, "SOFTMAX: int8 output must have scale 1/256 and zero point -128");
        PML_PREP_CHECK(pc, beta > 0.0f && beta < 1e6f, PML_ERR_UNSUPPORTED, "SOFTMAX: beta out of range");
        pml__softmax_params_s8((double)beta, (double)pml__tinfo_scale(m, &in, 0), &dd.p);
        eval = eval_s8;
        n->variant = PML_SOFTMAX_S8_NAME;
    } else if (f32_eval == NULL) {
        return pml__prep_s8_only(pc, "SOFTMAX", "softmax", in.dtype != PML_DTYPE_I8 ? in.dtype : out.dtype);
    } else if (in.dtype == PML_DTYPE_F32 && out.dtype == PML_DTYPE_F32) {
        eval = f32_eval;
        n->variant = "softmax_f32_ref";
    } else {
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1, "SOFTMAX: %s -> %s",
                          pml_dtype_str(in.dtype), pml_dtype_str(out.dtype));
    }
    return pml__prep_commit(pc, n, eval, &dd, sizeof dd);
}

static pml_status prepare(pml_prep_ctx *pc, pml_node *n) { return prepare_any(pc, n, eval_f32); }
static pml_status prepare_s8(pml_prep_ctx *pc, pml_node *n) { return prepare_any(pc, n, NULL); }

const pml_kernel pml_kernel_softmax = {PML_OP_SOFTMAX, "SOFTMAX", prepare};
const pml_kernel pml_kernel_softmax_s8 = {PML_OP_SOFTMAX, "SOFTMAX", prepare_s8};
