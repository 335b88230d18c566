/* SPDX-License-Identifier: Apache-2.0 */
/* MUL and SUB with broadcasting (up to 5-D), int8 and float32 (TFLM mul / sub). */
#include <string.h>

#include "pml_ops_internal.h"

typedef struct bin_data {
    pml_add_params sub; /* SUB */
    pml_mul_params mul; /* MUL */
    pml_bcast5 b;
} bin_data;
PML_OP_DATA(bin_data);

static pml_status eval_mul_s8(const pml_interp *it, const pml_node *n) {
    const bin_data *d = (const bin_data *)n->data;
    pml_mul_s8_ref(&d->mul, &d->b, (const int8_t *)PML_IN(it, n, 0), (const int8_t *)PML_IN(it, n, 1),
                   (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_mul_f32(const pml_interp *it, const pml_node *n) {
    const bin_data *d = (const bin_data *)n->data;
    pml_mul_f32_ref(&d->mul, &d->b, (const float *)PML_IN(it, n, 0), (const float *)PML_IN(it, n, 1),
                    (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_sub_s8(const pml_interp *it, const pml_node *n) {
    const bin_data *d = (const bin_data *)n->data;
    pml_sub_s8_ref(&d->sub, &d->b, (const int8_t *)PML_IN(it, n, 0), (const int8_t *)PML_IN(it, n, 1),
                   (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_sub_f32(const pml_interp *it, const pml_node *n) {
    const bin_data *d = (const bin_data *)n->data;
    pml_sub_f32_ref(&d->sub, &d->b, (const float *)PML_IN(it, n, 0), (const float *)PML_IN(it, n, 1),
                    (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}

static pml_status prepare(pml_prep_ctx *pc, pml_node *n) {
    const pml_model *m = pc->m;
    const bool mul = pc->op.code == PML_OP_MUL;
    const char *name = mul ? "MUL" : "SUB";
    pml__tinfo a, b, o;
    PML_TRY(pml__prep_tensor(pc, 0, &a));
    PML_TRY(pml__prep_tensor(pc, 1, &b));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &o));
    int32_t act = 0;
    if (pc->op.has_opt) {
        PML_PREP_CHECK(pc, pc->op.opt_type == (mul ? PML_OPT_MUL : PML_OPT_SUB), PML_ERR_MODEL, "%s with wrong options",
                       name);
        act = (int32_t)pml__fb_u8(m, &pc->op.opt, 0, 0);
    }
    bin_data dd;
    memset(&dd, 0, sizeof dd);
    PML_PREP_CHECK(pc, pml__broadcast5(&a, &b, &o, &dd.b), PML_ERR_UNSUPPORTED, "%s: shapes do not broadcast", name);
    PML_PREP_CHECK(pc, a.dtype == b.dtype && a.dtype == o.dtype, PML_ERR_UNSUPPORTED, "%s: mixed types", name);
    pml_eval_fn eval;
    if (a.dtype == PML_DTYPE_I8) {
        PML_PREP_CHECK(pc, pml__valid_q8(m, &a) && pml__valid_q8(m, &b) && pml__valid_q8(m, &o), PML_ERR_UNSUPPORTED,
                       "%s: int8 tensors need quantization", name);
        const float s1 = pml__tinfo_scale(m, &a, 0), s2 = pml__tinfo_scale(m, &b, 0), so = pml__tinfo_scale(m, &o, 0);
        const int32_t z1 = pml__tinfo_zp(m, &a, 0), z2 = pml__tinfo_zp(m, &b, 0), zo = pml__tinfo_zp(m, &o, 0);
        int32_t *lo, *hi;
        if (mul) {
            dd.mul.input1_offset = -z1;
            dd.mul.input2_offset = -z2;
            dd.mul.output_offset = zo;
            pml__quantize_multiplier((double)s1 * (double)s2 / (double)so, &dd.mul.output_mult, &dd.mul.output_shift);
            PML_PREP_CHECK(pc, dd.mul.output_shift <= 30, PML_ERR_UNSUPPORTED, "MUL: output scale too small");
            lo = &dd.mul.act_min;
            hi = &dd.mul.act_max;
            eval = eval_mul_s8;
            n->variant = "mul_s8_ref";
        } else {
            pml__sub_params_s8(s1, z1, s2, z2, so, zo, &dd.sub);
            /* TFLM QuantizeMultiplierSmallerThanOneExp: every multiplier < 1 */
            PML_PREP_CHECK(pc, dd.sub.output_shift <= 0, PML_ERR_UNSUPPORTED, "SUB: output scale too small");
            lo = &dd.sub.act_min;
            hi = &dd.sub.act_max;
            eval = eval_sub_s8;
            n->variant = "sub_s8_ref";
        }
        PML_PREP_CHECK(pc, pml__act_range_s8(act, so, zo, lo, hi), PML_ERR_UNSUPPORTED, "%s: fused activation %d",
                       name, (int)act);
    } else if (a.dtype == PML_DTYPE_F32) {
        float *lo = mul ? &dd.mul.act_min_f : &dd.sub.act_min_f;
        float *hi = mul ? &dd.mul.act_max_f : &dd.sub.act_max_f;
        PML_PREP_CHECK(pc, pml__act_range_f32(act, lo, hi), PML_ERR_UNSUPPORTED, "%s: fused activation %d", name,
                       (int)act);
        eval = mul ? eval_mul_f32 : eval_sub_f32;
        n->variant = mul ? "mul_f32_ref" : "sub_f32_ref";
    } else {
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1, "%s: type %s", name,
                          pml_dtype_str(a.dtype));
    }
    return pml__prep_commit(pc, n, eval, &dd, sizeof dd);
}

const pml_kernel pml_kernel_mul = {PML_OP_MUL, "MUL", prepare};
const pml_kernel pml_kernel_sub = {PML_OP_SUB, "SUB", prepare};
