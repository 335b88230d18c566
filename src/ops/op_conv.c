/* SPDX-License-Identifier: Apache-2.0 */
/* CONV_2D and DEPTHWISE_CONV_2D: int8 (per-channel), float32, and hybrid (float activations,
 * int8 weights). Prepare validates everything and precomputes requantization; eval only calls the
 * kernel. pml_kernel_conv2d_s8 / pml_kernel_dwconv2d_s8 share the prepare but not its float and
 * hybrid part, so a firmware listing them links no float kernel. */
#include <string.h>

#include "pml_ops_internal.h"

/* Persistent per node. The filter and bias are read through the tensor table (PML_IN, inputs 1
 * and 2), which holds constants' model pointers too, so they are not repeated here. */
typedef struct conv_data {
    pml_conv_params p;
    pml_dims4 in_d, f_d, out_d;
    union {
        pml_requant q; /* int8: per-channel multiplier/shift (arrays follow the struct) */
        struct {
            const float *scale; /* hybrid: weight scales (copied, follow the struct) */
            int32_t count;
        } w;
    } u;
    pml_conv_s8_fn run_s8; /* int8: the variant chosen at prepare */
} conv_data;
PML_OP_DATA(conv_data);

static pml_status eval_s8(const pml_interp *it, const pml_node *n) {
    const conv_data *d = (const conv_data *)n->data;
    d->run_s8(&d->p, &d->u.q, &d->in_d, (const int8_t *)PML_IN(it, n, 0), &d->f_d, (const int8_t *)PML_IN(it, n, 1),
              (const int32_t *)PML_IN_OPT(it, n, 2), &d->out_d, (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_conv_f32(const pml_interp *it, const pml_node *n) {
    const conv_data *d = (const conv_data *)n->data;
    pml_conv2d_f32_ref(&d->p, &d->in_d, (const float *)PML_IN(it, n, 0), &d->f_d, (const float *)PML_IN(it, n, 1),
                       (const float *)PML_IN_OPT(it, n, 2), &d->out_d, (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_dw_f32(const pml_interp *it, const pml_node *n) {
    const conv_data *d = (const conv_data *)n->data;
    pml_dwconv2d_f32_ref(&d->p, &d->in_d, (const float *)PML_IN(it, n, 0), &d->f_d, (const float *)PML_IN(it, n, 1),
                         (const float *)PML_IN_OPT(it, n, 2), &d->out_d, (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_conv_hybrid(const pml_interp *it, const pml_node *n) {
    const conv_data *d = (const conv_data *)n->data;
    pml_conv2d_hybrid_ref(&d->p, &d->in_d, (const float *)PML_IN(it, n, 0), (int8_t *)n->scratch, &d->f_d,
                          (const int8_t *)PML_IN(it, n, 1), d->u.w.scale, d->u.w.count, (const float *)PML_IN_OPT(it, n, 2), &d->out_d,
                          (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_conv_hybrid_pc(const pml_interp *it, const pml_node *n) {
    const conv_data *d = (const conv_data *)n->data;
    pml_conv2d_hybrid_pc_ref(&d->p, &d->in_d, (const float *)PML_IN(it, n, 0), (int8_t *)n->scratch, &d->f_d,
                             (const int8_t *)PML_IN(it, n, 1), d->u.w.scale, d->u.w.count, (const float *)PML_IN_OPT(it, n, 2),
                             &d->out_d, (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_dw_hybrid_pc(const pml_interp *it, const pml_node *n) {
    const conv_data *d = (const conv_data *)n->data;
    pml_dwconv2d_hybrid_pc_ref(&d->p, &d->in_d, (const float *)PML_IN(it, n, 0), (int8_t *)n->scratch, &d->f_d,
                               (const int8_t *)PML_IN(it, n, 1), d->u.w.scale, d->u.w.count, (const float *)PML_IN_OPT(it, n, 2),
                               &d->out_d, (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}

/* What the dtype-independent part of a prepare found; the int8 and the float/hybrid parts finish
 * from it. */
typedef struct conv_prep {
    pml__tinfo in, w, out, bias;
    bool has_bias, depthwise;
    int32_t act;
    const char *opn;
    const pml__fbt *opt;
    conv_data dd;
} conv_prep;
typedef pml_status (*conv_finish_fn)(pml_prep_ctx *pc, pml_node *n, conv_prep *cp);

/* int8 input, filter and output, int32 bias: requantization and the kernel variant. */
static pml_status prepare_conv_s8(pml_prep_ctx *pc, pml_node *n, conv_prep *cp) {
    const pml_model *m = pc->m;
    const char *opn = cp->opn;
    conv_data *dd = &cp->dd;
    int32_t oc = dd->out_d.c;
    PML_PREP_CHECK(pc, pml__valid_q8(m, &cp->in) && pml__valid_q8(m, &cp->out), PML_ERR_UNSUPPORTED,
                   "%s: int8 tensors need a scale and zero point", opn);
    PML_PREP_CHECK(pc, pml__valid_w8(m, &cp->w, oc, cp->depthwise ? 3 : 0), PML_ERR_UNSUPPORTED,
                   "%s: weights must be symmetric int8, per-tensor or per-channel", opn);
    float s_in = pml__tinfo_scale(m, &cp->in, 0), s_out = pml__tinfo_scale(m, &cp->out, 0);
    PML_PREP_CHECK(pc, pml__act_range_s8(cp->act, s_out, pml__tinfo_zp(m, &cp->out, 0), &dd->p.act_min, &dd->p.act_max),
                   PML_ERR_UNSUPPORTED, "%s: fused activation %d", opn, (int)cp->act);
    int32_t nq = cp->w.scale.n == 1 ? 1 : oc;
    PML_PREP_CHECK(pc, pml__fill_requant(m, &cp->w, s_in, s_out, nq, NULL, NULL), PML_ERR_UNSUPPORTED,
                   "%s: requantization scale out of range", opn);
    dd->p.input_offset = -pml__tinfo_zp(m, &cp->in, 0);
    dd->p.output_offset = pml__tinfo_zp(m, &cp->out, 0);

    void *mem;
    PML_TRY(pml__prep_alloc(pc, sizeof(conv_data) + (sizeof(int32_t) + 1) * (size_t)nq, &mem));
    uint32_t nv;
    const pml_conv_s8_variant *tab = cp->depthwise ? pml__dwconv2d_s8_variants(&nv) : pml__conv2d_s8_variants(&nv);
    const pml_conv_s8_variant *v = pml__conv_s8_select(tab, nv, &dd->p, &dd->in_d, &dd->f_d, &dd->out_d);
    dd->run_s8 = v->run;
    n->eval = eval_s8;
    n->variant = v->name;
    if (!mem) return PML_OK; /* measuring */
    conv_data *d = (conv_data *)mem;
    *d = *dd;
    int32_t *mult = (int32_t *)(void *)(d + 1);
    int8_t *shift = (int8_t *)(mult + nq);
    if (!pml__fill_requant(m, &cp->w, s_in, s_out, nq, mult, shift))
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1, "requantization scale out of range");
    d->u.q.mult = mult;
    d->u.q.shift = shift;
    d->u.q.count = nq;
    n->data = d;
    return PML_OK;
}

/* K_HYBRID: symmetric per-batch input quantization (TFLite conv.cc EvalHybrid); K_HYBRID_PC:
 * asymmetric (EvalHybridPerChannel in conv.cc and depthwise_conv.cc) */
enum { K_F32, K_HYBRID, K_HYBRID_PC };

/* float32, and hybrid (float32 input and output, int8 filter); anything else is unsupported. */
static pml_status prepare_conv_float(pml_prep_ctx *pc, pml_node *n, conv_prep *cp) {
    const pml_model *m = pc->m;
    const char *opn = cp->opn;
    bool depthwise = cp->depthwise;
    const pml__tinfo *in = &cp->in, *w = &cp->w, *out = &cp->out;
    conv_data *dd = &cp->dd;
    int kind;
    if (in->dtype == PML_DTYPE_F32 && w->dtype == PML_DTYPE_F32 && out->dtype == PML_DTYPE_F32 &&
        (!cp->has_bias || cp->bias.dtype == PML_DTYPE_F32))
        kind = K_F32;
    else if (in->dtype == PML_DTYPE_F32 && w->dtype == PML_DTYPE_I8 && out->dtype == PML_DTYPE_F32 &&
             (!cp->has_bias || cp->bias.dtype == PML_DTYPE_F32))
        kind = K_HYBRID;
    else
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1, "%s: %s input, %s filter, %s output",
                          opn, pml_dtype_str(in->dtype), pml_dtype_str(w->dtype), pml_dtype_str(out->dtype));
    PML_PREP_CHECK(pc, pml__act_range_f32(cp->act, &dd->p.act_min_f, &dd->p.act_max_f), PML_ERR_UNSUPPORTED,
                   "%s: fused activation %d", opn, (int)cp->act);
    size_t extra = 0;
    int32_t nq = 0;
    if (kind == K_HYBRID) {
        PML_PREP_CHECK(pc, pml__valid_w8(m, w, dd->out_d.c, depthwise ? 3 : 0), PML_ERR_UNSUPPORTED,
                       "%s: hybrid weights must be symmetric int8", opn);
        /* Which algorithm TFLite runs. CONV_2D (conv.cc Prepare, is_hybrid_per_channel): the
         * asymmetric per-channel form when the filter has more than one scale and they are not
         * all equal; otherwise EvalHybrid, symmetric, with scale[0]. DEPTHWISE_CONV_2D
         * (depthwise_conv.cc): always EvalHybridPerChannel. TFLite accepts a per-tensor scale
         * there only when quantized_dimension is 0 (scale count == filter dim 0 == 1) and then
         * indexes the scale by output channel (well defined for one output channel only);
         * picoml uses the one scale for every channel. */
        bool distinct = false;
        for (uint32_t c = 1; c < w->scale.n; c++)
            if (pml__tinfo_scale(m, w, c) != pml__tinfo_scale(m, w, 0)) distinct = true;
        if (depthwise || distinct) {
            kind = K_HYBRID_PC;
            nq = (int32_t)w->scale.n;
        } else {
            nq = 1;
        }
        if (depthwise) {
            /* the hybrid depthwise kernel takes the depth multiplier from the options, not from
             * the shapes (depthwise_conv.cc EvalHybridPerChannel) */
            int32_t opt_dm = pml__fb_i32(m, cp->opt, 3, 0);
            PML_PREP_CHECK(pc, opt_dm == dd->p.depth_multiplier, PML_ERR_UNSUPPORTED,
                           "%s: hybrid with depth_multiplier option %d, channels give %d", opn, (int)opt_dm,
                           (int)dd->p.depth_multiplier);
        }
        extra = sizeof(float) * (size_t)nq;
        PML_TRY(pml__prep_scratch(pc, n, in->count)); /* quantized input */
    }

    void *mem;
    PML_TRY(pml__prep_alloc(pc, sizeof(conv_data) + extra, &mem));
    /* hybrid DEPTHWISE_CONV_2D is always the per-channel form (K_HYBRID never set for it) */
    static const pml_eval_fn evals[2][3] = {{eval_conv_f32, eval_conv_hybrid, eval_conv_hybrid_pc},
                                            {eval_dw_f32, NULL, eval_dw_hybrid_pc}};
    static const char *const names[2][3] = {{"conv2d_f32_ref", "conv2d_hybrid_ref", "conv2d_hybrid_pc_ref"},
                                            {"dwconv2d_f32_ref", NULL, "dwconv2d_hybrid_pc_ref"}};
    n->eval = evals[depthwise][kind];
    n->variant = names[depthwise][kind];
    if (!mem) return PML_OK; /* measuring */
    conv_data *d = (conv_data *)mem;
    *d = *dd;
    if (kind != K_F32) {
        float *ws = (float *)(void *)(d + 1);
        for (int32_t c = 0; c < nq; c++) ws[c] = pml__tinfo_scale(m, w, (uint32_t)c);
        d->u.w.scale = ws;
        d->u.w.count = nq;
    }
    n->data = d;
    return PML_OK;
}

/* The dtype-independent checks (shapes, geometry, options), then the int8 part, or `other` for
 * the rest (NULL in the int8-only kernels, which then refuse the op). */
static pml_status prepare_conv_common(pml_prep_ctx *pc, pml_node *n, bool depthwise, conv_finish_fn other) {
    const pml_model *m = pc->m;
    conv_prep cp;
    memset(&cp, 0, sizeof cp);
    const char *opn = depthwise ? "DEPTHWISE_CONV_2D" : "CONV_2D";
    cp.opn = opn;
    cp.depthwise = depthwise;
    PML_TRY(pml__prep_tensor(pc, 0, &cp.in));
    PML_TRY(pml__prep_tensor(pc, 1, &cp.w));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &cp.out));
    cp.has_bias = pml__prep_has_input(pc, 2);
    if (cp.has_bias) PML_TRY(pml__prep_tensor(pc, 2, &cp.bias));

    PML_PREP_CHECK(pc, pc->op.has_opt && pc->op.opt_type == (depthwise ? PML_OPT_DWCONV2D : PML_OPT_CONV2D),
                   PML_ERR_MODEL, "%s without its options", opn);
    const pml__fbt *o = &pc->op.opt;
    cp.opt = o;
    int32_t padding = (int32_t)pml__fb_u8(m, o, 0, 0);
    int32_t stride_w = pml__fb_i32(m, o, 1, 0), stride_h = pml__fb_i32(m, o, 2, 0);
    cp.act = (int32_t)pml__fb_u8(m, o, depthwise ? 4 : 3, 0);
    int32_t dil_w = pml__fb_i32(m, o, depthwise ? 5 : 4, 1), dil_h = pml__fb_i32(m, o, depthwise ? 6 : 5, 1);

    PML_PREP_CHECK(pc, cp.in.rank == 4 && cp.w.rank == 4 && cp.out.rank == 4, PML_ERR_UNSUPPORTED,
                   "%s needs rank-4 input, filter and output", opn);
    PML_PREP_CHECK(pc, cp.w.data != NULL, PML_ERR_UNSUPPORTED, "%s with a non-constant filter", opn);
    pml_dims4 id = pml__dims4(&cp.in), fd = pml__dims4(&cp.w), od = pml__dims4(&cp.out);
    int32_t dm = 1;
    if (depthwise) {
        PML_PREP_CHECK(pc, fd.n == 1 && id.c > 0 && od.c % id.c == 0 && fd.c == od.c, PML_ERR_MODEL,
                       "%s: channels do not match (in %d, filter %d, out %d)", opn, (int)id.c, (int)fd.c, (int)od.c);
        dm = od.c / id.c;
    } else {
        PML_PREP_CHECK(pc, fd.c == id.c, PML_ERR_UNSUPPORTED, "CONV_2D: grouped convolution (in %d, filter %d)",
                       (int)id.c, (int)fd.c);
        PML_PREP_CHECK(pc, fd.n == od.c, PML_ERR_MODEL, "CONV_2D: filter has %d outputs, tensor %d", (int)fd.n,
                       (int)od.c);
    }
    int32_t oh, ow, ph, pw;
    PML_PREP_CHECK(pc, pml__conv_geometry(padding, id.h, fd.h, stride_h, dil_h, &oh, &ph) &&
                           pml__conv_geometry(padding, id.w, fd.w, stride_w, dil_w, &ow, &pw),
                   PML_ERR_MODEL, "%s: bad padding/stride/dilation", opn);
    PML_PREP_CHECK(pc, oh == od.h && ow == od.w && od.n == id.n, PML_ERR_MODEL,
                   "%s: output shape %dx%d does not match the computed %dx%d", opn, (int)od.h, (int)od.w, (int)oh,
                   (int)ow);
    PML_PREP_CHECK(pc, !cp.has_bias || (cp.bias.count == (size_t)od.c), PML_ERR_MODEL,
                   "%s: bias has %zu values for %d channels", opn, cp.bias.count, (int)od.c);
    PML_PREP_CHECK(pc, !cp.has_bias || cp.bias.data, PML_ERR_UNSUPPORTED, "%s with a non-constant bias", opn);

    /* int32 accumulators: |(x + offset) * w| <= 255 * 128, so at most 65536 products per output */
    int64_t taps = (int64_t)fd.h * fd.w * (depthwise ? 1 : fd.c);
    PML_PREP_CHECK(pc, taps <= 65536, PML_ERR_UNSUPPORTED, "%s: more than 65536 products per output", opn);

    conv_data *dd = &cp.dd;
    dd->p.stride_h = stride_h;
    dd->p.stride_w = stride_w;
    dd->p.dilation_h = dil_h;
    dd->p.dilation_w = dil_w;
    dd->p.pad_h = ph;
    dd->p.pad_w = pw;
    dd->p.depth_multiplier = dm;
    dd->in_d = id;
    dd->f_d = fd;
    dd->out_d = od;
    if (cp.in.dtype == PML_DTYPE_I8 && cp.w.dtype == PML_DTYPE_I8 && cp.out.dtype == PML_DTYPE_I8 &&
        (!cp.has_bias || cp.bias.dtype == PML_DTYPE_I32))
        return prepare_conv_s8(pc, n, &cp);
    if (other) return other(pc, n, &cp);
    int32_t dt = cp.in.dtype != PML_DTYPE_I8    ? cp.in.dtype
                 : cp.w.dtype != PML_DTYPE_I8   ? cp.w.dtype
                 : cp.out.dtype != PML_DTYPE_I8 ? cp.out.dtype
                                                : cp.bias.dtype;
    return pml__prep_s8_only(pc, opn, depthwise ? "dwconv2d" : "conv2d", dt);
}

static pml_status prepare_conv(pml_prep_ctx *pc, pml_node *n) {
    return prepare_conv_common(pc, n, false, prepare_conv_float);
}
static pml_status prepare_dwconv(pml_prep_ctx *pc, pml_node *n) {
    return prepare_conv_common(pc, n, true, prepare_conv_float);
}
static pml_status prepare_conv_s8only(pml_prep_ctx *pc, pml_node *n) { return prepare_conv_common(pc, n, false, NULL); }
static pml_status prepare_dwconv_s8only(pml_prep_ctx *pc, pml_node *n) { return prepare_conv_common(pc, n, true, NULL); }

const pml_kernel pml_kernel_conv2d = {PML_OP_CONV_2D, "CONV_2D", prepare_conv};
const pml_kernel pml_kernel_dwconv2d = {PML_OP_DEPTHWISE_CONV_2D, "DEPTHWISE_CONV_2D", prepare_dwconv};
const pml_kernel pml_kernel_conv2d_s8 = {PML_OP_CONV_2D, "CONV_2D", prepare_conv_s8only};
const pml_kernel pml_kernel_dwconv2d_s8 = {PML_OP_DEPTHWISE_CONV_2D, "DEPTHWISE_CONV_2D", prepare_dwconv_s8only};
