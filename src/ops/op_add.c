/* SPDX-License-Identifier: Apache-2.0 */
/* ADD with broadcasting (up to 5-D), int8 and float32; pml_kernel_add_s8: int8 only. */
#include <string.h>

#include "pml_ops_internal.h"

typedef struct add_data {
    pml_add_params p;
    pml_bcast5 b;
    void (*run_s8)(const pml_add_params *p, const pml_bcast5 *b, const int8_t *in1, const int8_t *in2, int8_t *out);
} add_data;
PML_OP_DATA(add_data);

static pml_status eval_s8(const pml_interp *it, const pml_node *n) {
    const add_data *d = (const add_data *)n->data;
    d->run_s8(&d->p, &d->b, (const int8_t *)PML_IN(it, n, 0), (const int8_t *)PML_IN(it, n, 1),
                   (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_f32(const pml_interp *it, const pml_node *n) {
    const add_data *d = (const add_data *)n->data;
    pml_add_f32_ref(&d->p, &d->b, (const float *)PML_IN(it, n, 0), (const float *)PML_IN(it, n, 1),
                    (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}

/* f32_eval: the float32 eval, NULL in the int8-only kernel (which then refuses float32 and links no
 * float code) */
static pml_status prepare_any(pml_prep_ctx *pc, pml_node *n, pml_eval_fn f32_eval) {
    const pml_model *m = pc->m;
    pml__tinfo a, b, o;
    PML_TRY(pml__prep_tensor(pc, 0, &a));
    PML_TRY(pml__prep_tensor(pc, 1, &b));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &o));
    int32_t act = 0;
    if (pc->op.has_opt) {
        PML_PREP_CHECK(pc, pc->op.opt_type == PML_OPT_ADD, PML_ERR_MODEL, "ADD with wrong options");
        act = (int32_t)pml__fb_u8(m, &pc->op.opt, 0, 0);
    }
    add_data dd;
    memset(&dd, 0, sizeof dd);
    PML_PREP_CHECK(pc, pml__broadcast5(&a, &b, &o, &dd.b), PML_ERR_UNSUPPORTED, "ADD: shapes do not broadcast");
    PML_PREP_CHECK(pc, a.dtype == b.dtype && a.dtype == o.dtype, PML_ERR_UNSUPPORTED, "ADD: mixed types");
    pml_eval_fn eval;
    if (a.dtype == PML_DTYPE_I8) {
        PML_PREP_CHECK(pc, pml__valid_q8(m, &a) && pml__valid_q8(m, &b) && pml__valid_q8(m, &o), PML_ERR_UNSUPPORTED,
                       "ADD: int8 tensors need quantization");
        float so = pml__tinfo_scale(m, &o, 0);
        int32_t zo = pml__tinfo_zp(m, &o, 0);
        pml__add_params_s8(pml__tinfo_scale(m, &a, 0), pml__tinfo_zp(m, &a, 0), pml__tinfo_scale(m, &b, 0),
                           pml__tinfo_zp(m, &b, 0), so, zo, &dd.p);
        PML_PREP_CHECK(pc, pml__act_range_s8(act, so, zo, &dd.p.act_min, &dd.p.act_max), PML_ERR_UNSUPPORTED,
                       "ADD: fused activation %d", (int)act);
        eval = eval_s8;
        const pml_add_s8_variant *v = pml__add_s8_select(&dd.p, &dd.b);
        dd.run_s8 = v->run;
        n->variant = v->name;
    } else if (f32_eval == NULL) {
        return pml__prep_s8_only(pc, "ADD", "add", a.dtype);
    } else if (a.dtype == PML_DTYPE_F32) {
        PML_PREP_CHECK(pc, pml__act_range_f32(act, &dd.p.act_min_f, &dd.p.act_max_f), PML_ERR_UNSUPPORTED,
                       "ADD: fused activation %d", (int)act);
        eval = f32_eval;
        n->variant = "add_f32_ref";
    } else {
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1, "ADD: type %s",
                          pml_dtype_str(a.dtype));
    }
    return pml__prep_commit(pc, n, eval, &dd, sizeof dd);
}

static pml_status prepare(pml_prep_ctx *pc, pml_node *n) { return prepare_any(pc, n, eval_f32); }
static pml_status prepare_s8(pml_prep_ctx *pc, pml_node *n) { return prepare_any(pc, n, NULL); }

const pml_kernel pml_kernel_add = {PML_OP_ADD, "ADD", prepare};
const pml_kernel pml_kernel_add_s8 = {PML_OP_ADD, "ADD", prepare_s8};
