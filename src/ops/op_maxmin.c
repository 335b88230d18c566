/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MAXIMUM and MINIMUM with broadcasting (up to 5-D), int8 and float32 (TFLite / TFLM
 * maximum_minimum). int8 compares raw codes, which is only meaningful when both inputs and the
 * output share one scale and zero point; the converter always writes them so (the ops are
 * "same scale" in its quantizer), and picoml rejects anything else rather than compute a
 * meaningless result.
 */
#include <string.h>

#include "pml_ops_internal.h"

typedef struct mm_data {
    pml_bcast5 b;
    bool is_max;
} mm_data;

static pml_status eval_s8(const pml_interp *it, const pml_node *n) {
    const mm_data *d = (const mm_data *)n->data;
    pml_maxmin_s8_ref(d->is_max, &d->b, (const int8_t *)PML_IN(it, n, 0), (const int8_t *)PML_IN(it, n, 1),
                      (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_f32(const pml_interp *it, const pml_node *n) {
    const mm_data *d = (const mm_data *)n->data;
    pml_maxmin_f32_ref(d->is_max, &d->b, (const float *)PML_IN(it, n, 0), (const float *)PML_IN(it, n, 1),
                       (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}

static pml_status prepare(pml_prep_ctx *pc, pml_node *n) {
    const pml_model *m = pc->m;
    const bool is_max = pc->op.code == PML_OP_MAXIMUM;
    const char *name = is_max ? "MAXIMUM" : "MINIMUM";
    pml__tinfo a, b, o;
    PML_PREP_CHECK(pc, pc->op.n_in == 2, PML_ERR_MODEL, "%s: %d inputs, 2 expected", name, (int)pc->op.n_in);
    PML_TRY(pml__prep_tensor(pc, 0, &a));
    PML_TRY(pml__prep_tensor(pc, 1, &b));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &o));
    mm_data dd;
    memset(&dd, 0, sizeof dd);
    dd.is_max = is_max;
    PML_PREP_CHECK(pc, a.dtype == b.dtype && a.dtype == o.dtype, PML_ERR_UNSUPPORTED, "%s: mixed types %s, %s -> %s",
                   name, pml_dtype_str(a.dtype), pml_dtype_str(b.dtype), pml_dtype_str(o.dtype));
    PML_PREP_CHECK(pc, pml__broadcast5(&a, &b, &o, &dd.b), PML_ERR_MODEL,
                   "%s: shapes do not broadcast to the output (or rank > 5)", name);
    pml_eval_fn eval;
    if (a.dtype == PML_DTYPE_I8) {
        PML_PREP_CHECK(pc, pml__valid_q8(m, &a) && pml__valid_q8(m, &b) && pml__valid_q8(m, &o), PML_ERR_UNSUPPORTED,
                       "%s: int8 tensors need per-tensor quantization", name);
        PML_PREP_CHECK(pc, pml__same_q8(m, &a, &o) && pml__same_q8(m, &b, &o), PML_ERR_UNSUPPORTED,
                       "%s: int8 inputs must share the output's quantization", name);
        eval = eval_s8;
        n->variant = "maxmin_s8_ref";
    } else if (a.dtype == PML_DTYPE_F32) {
        eval = eval_f32;
        n->variant = "maxmin_f32_ref";
    } else {
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1, "%s: type %s", name,
                          pml_dtype_str(a.dtype));
    }
    return pml__prep_commit(pc, n, eval, &dd, sizeof dd);
}

const pml_kernel pml_kernel_maximum = {PML_OP_MAXIMUM, "MAXIMUM", prepare};
const pml_kernel pml_kernel_minimum = {PML_OP_MINIMUM, "MINIMUM", prepare};
