/* SPDX-License-Identifier: Apache-2.0 */
/* AVERAGE_POOL_2D and MAX_POOL_2D, int8 and float32; pml_kernel_*_pool2d_s8: int8 only. */
#include <string.h>

#include "pml_ops_internal.h"

typedef struct pool_data {
    pml_pool_params p;
    pml_dims4 in_d, out_d;
} pool_data;
PML_OP_DATA(pool_data);

static pml_status eval_avg_s8(const pml_interp *it, const pml_node *n) {
    const pool_data *d = (const pool_data *)n->data;
    /* the variant prepare named: a pure function of the op data (which keeps no pointer to it, to
     * stay small); every fast variant covers every shape, so this returns the table's first entry */
    bool ok = pml__avgpool_s8_select(&d->p, &d->in_d, &d->out_d)
                  ->run(&d->p, &d->in_d, (const int8_t *)PML_IN(it, n, 0), &d->out_d, (int8_t *)PML_OUTP(it, n, 0));
    return ok ? PML_OK : PML_ERR_INTERNAL;
}
static pml_status eval_max_s8(const pml_interp *it, const pml_node *n) {
    const pool_data *d = (const pool_data *)n->data;
    pml_maxpool_s8_ref(&d->p, &d->in_d, (const int8_t *)PML_IN(it, n, 0), &d->out_d, (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_avg_f32(const pml_interp *it, const pml_node *n) {
    const pool_data *d = (const pool_data *)n->data;
    pml_avgpool_f32_ref(&d->p, &d->in_d, (const float *)PML_IN(it, n, 0), &d->out_d, (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_max_f32(const pml_interp *it, const pml_node *n) {
    const pool_data *d = (const pool_data *)n->data;
    pml_maxpool_f32_ref(&d->p, &d->in_d, (const float *)PML_IN(it, n, 0), &d->out_d, (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}

/* One pool kernel: its op, its int8 eval, and its float32 eval (NULL in the int8-only kernels, so
 * they link no float code and the average pool none of the max pool's, and the reverse). */
typedef struct pool_kind {
    const char *opn, *kernel; /* "MAX_POOL_2D", "max_pool2d" */
    bool is_max;
    pml_eval_fn eval_s8, eval_f32;
    const char *(*name_s8)(const pool_data *d);
    const char *name_f32;
} pool_kind;

static const char *avg_s8_name(const pool_data *d) { return pml__avgpool_s8_select(&d->p, &d->in_d, &d->out_d)->name; }
static const char *max_s8_name(const pool_data *d) {
    (void)d;
    return "maxpool_s8_ref";
}

static pml_status prepare_pool(pml_prep_ctx *pc, pml_node *n, const pool_kind *k) {
    const pml_model *m = pc->m;
    const char *opn = k->opn;
    pml__tinfo in, out;
    PML_TRY(pml__prep_tensor(pc, 0, &in));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &out));
    PML_PREP_CHECK(pc, pc->op.has_opt && pc->op.opt_type == PML_OPT_POOL2D, PML_ERR_MODEL, "%s without its options", opn);
    const pml__fbt *o = &pc->op.opt;
    int32_t padding = (int32_t)pml__fb_u8(m, o, 0, 0);
    pool_data dd;
    memset(&dd, 0, sizeof dd);
    dd.p.stride_w = pml__fb_i32(m, o, 1, 0);
    dd.p.stride_h = pml__fb_i32(m, o, 2, 0);
    dd.p.filter_w = pml__fb_i32(m, o, 3, 0);
    dd.p.filter_h = pml__fb_i32(m, o, 4, 0);
    int32_t act = (int32_t)pml__fb_u8(m, o, 5, 0);
    PML_PREP_CHECK(pc, in.rank == 4 && out.rank == 4, PML_ERR_UNSUPPORTED, "%s needs rank-4 tensors", opn);
    dd.in_d = pml__dims4(&in);
    dd.out_d = pml__dims4(&out);
    int32_t oh, ow;
    PML_PREP_CHECK(pc, pml__conv_geometry(padding, dd.in_d.h, dd.p.filter_h, dd.p.stride_h, 1, &oh, &dd.p.pad_h) &&
                           pml__conv_geometry(padding, dd.in_d.w, dd.p.filter_w, dd.p.stride_w, 1, &ow, &dd.p.pad_w),
                   PML_ERR_MODEL, "%s: bad filter/stride/padding", opn);
    PML_PREP_CHECK(pc, oh == dd.out_d.h && ow == dd.out_d.w && dd.out_d.n == dd.in_d.n && dd.out_d.c == dd.in_d.c,
                   PML_ERR_MODEL, "%s: output shape does not match", opn);
    PML_PREP_CHECK(pc, in.dtype == out.dtype, PML_ERR_UNSUPPORTED, "%s: %s input, %s output", opn,
                   pml_dtype_str(in.dtype), pml_dtype_str(out.dtype));
    pml_eval_fn eval;
    if (in.dtype == PML_DTYPE_I8) {
        PML_PREP_CHECK(pc, pml__valid_q8(m, &in) && pml__valid_q8(m, &out), PML_ERR_UNSUPPORTED,
                       "%s: int8 tensors need quantization", opn);
        PML_PREP_CHECK(pc, pml__tinfo_scale(m, &in, 0) == pml__tinfo_scale(m, &out, 0) &&
                               pml__tinfo_zp(m, &in, 0) == pml__tinfo_zp(m, &out, 0),
                       PML_ERR_UNSUPPORTED, "%s: input and output quantization differ", opn);
        PML_PREP_CHECK(pc, pml__act_range_s8(act, pml__tinfo_scale(m, &out, 0), pml__tinfo_zp(m, &out, 0), &dd.p.act_min,
                                             &dd.p.act_max),
                       PML_ERR_UNSUPPORTED, "%s: fused activation %d", opn, (int)act);
        eval = k->eval_s8;
        n->variant = k->name_s8(&dd);
    } else if (k->eval_f32 == NULL) {
        return pml__prep_s8_only(pc, opn, k->kernel, in.dtype);
    } else if (in.dtype == PML_DTYPE_F32) {
        PML_PREP_CHECK(pc, pml__act_range_f32(act, &dd.p.act_min_f, &dd.p.act_max_f), PML_ERR_UNSUPPORTED,
                       "%s: fused activation %d", opn, (int)act);
        eval = k->eval_f32;
        n->variant = k->name_f32;
    } else {
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1, "%s: type %s", opn,
                          pml_dtype_str(in.dtype));
    }
    /* TFLite fails an average pool whose window has no valid input element */
    if (!k->is_max) {
        int64_t after_h = (int64_t)(oh - 1) * dd.p.stride_h + dd.p.filter_h - dd.in_d.h - dd.p.pad_h;
        int64_t after_w = (int64_t)(ow - 1) * dd.p.stride_w + dd.p.filter_w - dd.in_d.w - dd.p.pad_w;
        PML_PREP_CHECK(pc, dd.in_d.h > 0 && dd.in_d.w > 0 && dd.p.pad_h < dd.p.filter_h && dd.p.pad_w < dd.p.filter_w &&
                               after_h < dd.p.filter_h && after_w < dd.p.filter_w,
                       PML_ERR_MODEL, "%s: a window lies entirely in the padding", opn);
    }
    return pml__prep_commit(pc, n, eval, &dd, sizeof dd);
}

static const pool_kind k_avg = {"AVERAGE_POOL_2D", "average_pool2d", false, eval_avg_s8, eval_avg_f32, avg_s8_name,
                                "avgpool_f32_ref"};
static const pool_kind k_avg_s8 = {"AVERAGE_POOL_2D", "average_pool2d", false, eval_avg_s8, NULL, avg_s8_name, NULL};
static const pool_kind k_max = {"MAX_POOL_2D", "max_pool2d", true, eval_max_s8, eval_max_f32, max_s8_name,
                                "maxpool_f32_ref"};
static const pool_kind k_max_s8 = {"MAX_POOL_2D", "max_pool2d", true, eval_max_s8, NULL, max_s8_name, NULL};

static pml_status prepare_avg(pml_prep_ctx *pc, pml_node *n) { return prepare_pool(pc, n, &k_avg); }
static pml_status prepare_max(pml_prep_ctx *pc, pml_node *n) { return prepare_pool(pc, n, &k_max); }
static pml_status prepare_avg_s8(pml_prep_ctx *pc, pml_node *n) { return prepare_pool(pc, n, &k_avg_s8); }
static pml_status prepare_max_s8(pml_prep_ctx *pc, pml_node *n) { return prepare_pool(pc, n, &k_max_s8); }

const pml_kernel pml_kernel_average_pool2d = {PML_OP_AVERAGE_POOL_2D, "AVERAGE_POOL_2D", prepare_avg};
const pml_kernel pml_kernel_max_pool2d = {PML_OP_MAX_POOL_2D, "MAX_POOL_2D", prepare_max};
const pml_kernel pml_kernel_average_pool2d_s8 = {PML_OP_AVERAGE_POOL_2D, "AVERAGE_POOL_2D", prepare_avg_s8};
const pml_kernel pml_kernel_max_pool2d_s8 = {PML_OP_MAX_POOL_2D, "MAX_POOL_2D", prepare_max_s8};
