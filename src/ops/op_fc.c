/* SPDX-License-Identifier: Apache-2.0 */
/* FULLY_CONNECTED: int8 (per-tensor or per-channel weights), float32, hybrid. The input is viewed
 * as [batches, depth] with depth = weights' second dimension (TFLite semantics).
 * pml_kernel_fully_connected_s8 shares the prepare but not its float and hybrid part, nor the
 * packed-weights lookup (pml_kernel_fully_connected_s8_packed adds that back). */
#include <string.h>

#include "pml_ops_internal.h"
#include "../format/pml_packed.h"

/* Persistent per node (weights and bias are read through the tensor table: inputs 1 and 2). The
 * kernels' pml_fc_params and pml_requant are rebuilt on the stack at eval: that keeps int8 op data
 * at 28 bytes with per-tensor weights on 32-bit targets (MLPerf Tiny AD has ten such ops), + 5 per
 * channel with per-channel weights. With packed weights (`picoml pack`, src/format/pml_packed.h) a
 * pointer to them comes first (before mult) and `run` holds the pml_fc_s8_w16_fn. */
typedef struct fc_data {
    int32_t batches, depth, units;
    union {
        struct {                   /* int8: int32 mult[n] follows; per channel (n = units) then */
            pml_fc_s8_fn run;      /* int8 shift[n], per tensor (n = 1) the shift is `shift`. */
            int16_t input_offset;  /* -input zero point  */
            int16_t output_offset; /* +output zero point */
            int8_t act_min, act_max;
            bool per_channel;
            int8_t shift;
        } s8;
        struct {                   /* float32 and hybrid: hybrid's weight scales (float[n]) follow */
            float act_min, act_max;
            int32_t n_scales;
        } f32;
    } u;
} fc_data;
PML_OP_DATA(fc_data);

/* The int8 kernels' parameters, rebuilt from the compact op data (mult: the requantization
 * multipliers; the per-channel shifts follow them). */
PML_INLINE void s8_args(const fc_data *d, const int32_t *mult, pml_fc_params *p, pml_requant *q) {
    const int32_t nq = d->u.s8.per_channel ? d->units : 1;
    const pml_fc_params pp = {d->u.s8.input_offset, 0, d->u.s8.output_offset, d->u.s8.act_min, d->u.s8.act_max, 0.0f, 0.0f};
    const pml_requant qq = {mult, d->u.s8.per_channel ? (const int8_t *)(mult + nq) : &d->u.s8.shift, nq};
    *p = pp;
    *q = qq;
}

static pml_status eval_s8(const pml_interp *it, const pml_node *n) {
    const fc_data *d = (const fc_data *)n->data;
    pml_fc_params p;
    pml_requant q;
    s8_args(d, (const int32_t *)(const void *)(d + 1), &p, &q);
    d->u.s8.run(&p, &q, d->batches, d->depth, d->units, (const int8_t *)PML_IN(it, n, 0), (const int8_t *)PML_IN(it, n, 1),
                (const int32_t *)PML_IN_OPT(it, n, 2), (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
#ifdef PML_KERNELS_AVX2
/* fc_s8_vnni with input zero point != -128: bias + (input_offset - 128) * sum w is kept after the
 * requantization data (4 bytes per unit, this variant only), so the kernel skips the weight sums. */
static const int32_t *folded_bias(const fc_data *d) {
    const size_t rq = d->u.s8.per_channel ? (sizeof(int32_t) + 1) * (size_t)d->units : sizeof(int32_t);
    return (const int32_t *)(const void *)((const char *)(d + 1) + ((rq + 3) & ~(size_t)3));
}
static pml_status eval_s8_folded(const pml_interp *it, const pml_node *n) {
    const fc_data *d = (const fc_data *)n->data;
    pml_fc_params p;
    pml_requant q;
    s8_args(d, (const int32_t *)(const void *)(d + 1), &p, &q);
    p.input_offset = 128; /* the bias holds the rest of the input offset */
    pml_fc_s8_vnni(&p, &q, d->batches, d->depth, d->units, (const int8_t *)PML_IN(it, n, 0), (const int8_t *)PML_IN(it, n, 1),
                   folded_bias(d), (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
#endif
/* the packed-weights form: (d + 1) holds the packed buffer, then mult / shift as in eval_s8 */
static pml_status eval_s8_w16(const pml_interp *it, const pml_node *n) {
    const fc_data *d = (const fc_data *)n->data;
    const uint8_t *const *pk = (const uint8_t *const *)(const void *)(d + 1);
    const int32_t u4 = (d->units + 3) & ~3;
    const int32_t *bias = (const int32_t *)(const void *)(pk[0] + PML_PACKED_FC_HEADER_BYTES);
    pml_fc_params p;
    pml_requant q;
    s8_args(d, (const int32_t *)(const void *)(pk + 1), &p, &q);
    const pml_fc_s8_w16_fn run = (pml_fc_s8_w16_fn)(void (*)(void))d->u.s8.run;
    run(&p, &q, d->batches, d->depth, d->units, (const int8_t *)PML_IN(it, n, 0), bias,
        (const int16_t *)(const void *)(bias + u4), (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}

/* Are pk[len] (kind PML_PACKED_FC_W16X4, from pml__packed_find) exactly what pml_packed.h
 * makes from this op's weights w[units][depth], bias and input offset, else false: a stale or damaged
 * section then costs nothing but this check (once per prepare, one pass over the packed weights),
 * never a wrong result. */
bool pml__fc_packed_ok(const uint8_t *pk, size_t len, const int8_t *w, const int32_t *bias, int32_t units,
                       int32_t depth, int32_t off) {
    if (!pk || units < 1 || depth < 1 || len < pml_packed_fc_w16_bytes((uint32_t)units, (uint32_t)depth)) return false;
    const int32_t *h = (const int32_t *)(const void *)pk, *pb = h + 4;
    if (h[0] != units || h[1] != depth || h[2] != off || h[3] != 0) return false;
    const int32_t u4 = (units + 3) & ~3, ng = (depth + 3) >> 2;
    const int16_t *pw = (const int16_t *)(const void *)(pb + u4);
    for (int32_t u0 = 0; u0 < u4; u0 += 4) {
        uint32_t s[4] = {0, 0, 0, 0};
        for (int32_t g = 0; g < ng; g++)
            for (int32_t r = 0; r < 4; r++, pw += 4) {
                const bool real = u0 + r < units; /* else a padding row: zeros */
                const int8_t *x = real ? w + (size_t)(u0 + r) * (size_t)depth + 4 * g : w;
                if (real && 4 * g + 4 <= depth) { /* lane order 0, 2, 1, 3 */
                    if (pw[0] != x[0] || pw[1] != x[2] || pw[2] != x[1] || pw[3] != x[3]) return false;
                    s[r] += (uint32_t)(x[0] + x[1] + x[2] + x[3]);
                    continue;
                }
                for (int32_t j = 0; j < 4; j++) {
                    const int32_t d = j == 1 ? 2 : j == 2 ? 1 : j;
                    const int32_t want = (real && 4 * g + d < depth) ? x[d] : 0;
                    if (pw[j] != want) return false;
                    s[r] += (uint32_t)want;
                }
            }
        for (int32_t r = 0; r < 4; r++) {
            const int32_t u = u0 + r;
            const uint32_t want = u < units ? s[r] * (uint32_t)off + (bias ? (uint32_t)bias[u] : 0u) : 0u;
            if ((uint32_t)pb[u] != want) return false;
        }
    }
    return true;
}

static pml_status eval_f32(const pml_interp *it, const pml_node *n) {
    const fc_data *d = (const fc_data *)n->data;
    pml_fc_params p = {0, 0, 0, 0, 0, d->u.f32.act_min, d->u.f32.act_max};
    pml_fc_f32_ref(&p, d->batches, d->depth, d->units, (const float *)PML_IN(it, n, 0), (const float *)PML_IN(it, n, 1),
                   (const float *)PML_IN_OPT(it, n, 2), (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_hybrid(const pml_interp *it, const pml_node *n) {
    const fc_data *d = (const fc_data *)n->data;
    pml_fc_params p = {0, 0, 0, 0, 0, d->u.f32.act_min, d->u.f32.act_max};
    pml_fc_hybrid_ref(&p, d->batches, d->depth, d->units, (const float *)PML_IN(it, n, 0), (int8_t *)n->scratch,
                      (const int8_t *)PML_IN(it, n, 1), (const float *)(const void *)(d + 1), d->u.f32.n_scales,
                      (const float *)PML_IN_OPT(it, n, 2), (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}

/* What the dtype-independent part of a prepare found (the tensor records stay in t). */
/* The packed-weights lookup, or NULL in kernels without it (so firmwares that never see packed
 * models link none of it): the packed data if the model carries a valid copy for this op (then
 * *eval, *run and *variant are set), else NULL. */
typedef const uint8_t *(*fc_pack_fn)(pml_prep_ctx *pc, const pml__tinfo *t, bool has_bias, int32_t input_offset,
                                     pml_eval_fn *eval, pml_fc_s8_fn *run, const char **variant);
typedef struct fc_prep {
    fc_data dd;
    bool has_bias;
    int32_t act, asym;
    fc_pack_fn pack;
} fc_prep;
typedef pml_status (*fc_finish_fn)(pml_prep_ctx *pc, pml_node *n, pml__tinfo *t, fc_prep *fp);

/* int8 input, weights and output, int32 bias. */
/* The node's eval and variant, and its op data: a copy of dd followed by `extra` bytes (NULL while
 * measuring, when nothing is allocated). */
static pml_status fc_alloc(pml_prep_ctx *pc, pml_node *n, const fc_data *dd, size_t extra, pml_eval_fn eval,
                           const char *variant, fc_data **out) {
    void *mem;
    *out = NULL;
    PML_TRY(pml__prep_alloc(pc, sizeof(fc_data) + extra, &mem));
    n->eval = eval;
    n->variant = variant;
    if (mem) {
        *out = (fc_data *)mem;
        **out = *dd;
    }
    return PML_OK;
}

static pml_status prepare_s8(pml_prep_ctx *pc, pml_node *n, pml__tinfo *t, fc_prep *f) {
    const pml_model *m = pc->m;
    const pml__tinfo *in = &t[0], *w = &t[1], *out = &t[2];
    fc_data *dd = &f->dd;
    int32_t units = dd->units;
    pml_fc_params fp;
    memset(&fp, 0, sizeof fp);
    PML_PREP_CHECK(pc, pml__valid_q8(m, in) && pml__valid_q8(m, out) && pml__valid_w8(m, w, units, 0),
                   PML_ERR_UNSUPPORTED, "FULLY_CONNECTED: needs int8 quantization, symmetric weights");
    PML_PREP_CHECK(pc, pml__act_range_s8(f->act, pml__tinfo_scale(m, out, 0), pml__tinfo_zp(m, out, 0), &fp.act_min,
                                         &fp.act_max) &&
                           fp.act_min >= -128 && fp.act_max <= 127,
                   PML_ERR_UNSUPPORTED, "FULLY_CONNECTED: fused activation %d", (int)f->act);
    fp.input_offset = -pml__tinfo_zp(m, in, 0); /* zero points in [-128, 127] (valid_q8) */
    fp.weights_offset = 0;
    fp.output_offset = pml__tinfo_zp(m, out, 0);
    dd->u.s8.input_offset = (int16_t)fp.input_offset;
    dd->u.s8.output_offset = (int16_t)fp.output_offset;
    dd->u.s8.act_min = (int8_t)fp.act_min; /* an int8 output's clamp range */
    dd->u.s8.act_max = (int8_t)fp.act_max;
    dd->u.s8.per_channel = w->scale.n != 1;
    int32_t nq = dd->u.s8.per_channel ? units : 1, q0 = 0, sh0 = 0;
    float s_in = pml__tinfo_scale(m, in, 0), s_out = pml__tinfo_scale(m, out, 0);
    /* per tensor, TFLite GetQuantizedConvolutionMultipler: the scale product is formed in float */
    pml__quantize_multiplier((double)(s_in * pml__tinfo_scale(m, w, 0)) / (double)s_out, &q0, &sh0);
    PML_PREP_CHECK(pc, (nq == 1 && sh0 <= 30) || (nq > 1 && pml__fill_requant(m, w, s_in, s_out, nq, NULL, NULL)),
                   PML_ERR_UNSUPPORTED, "FULLY_CONNECTED: requantization scale out of range");
    size_t extra = nq == 1 ? sizeof(int32_t) : (sizeof(int32_t) + 1) * (size_t)nq;
    const pml_fc_s8_variant *v = pml__fc_s8_select(&fp);
    dd->u.s8.run = v->run;
    pml_eval_fn eval = eval_s8;
    const char *variant = v->name;
#ifdef PML_KERNELS_AVX2
    if (v->run == pml_fc_s8_vnni && fp.input_offset != 128) {
        extra = ((extra + 3) & ~(size_t)3) + sizeof(int32_t) * (size_t)units;
        eval = eval_s8_folded;
        variant = "fc_s8_vnni_folded";
    }
    const int8_t *w_data = (const int8_t *)w->data;
    const int32_t *b_data = f->has_bias ? (const int32_t *)(const void *)t[3].data : NULL;
#endif
    const uint8_t *packed = f->pack ? f->pack(pc, t, f->has_bias, fp.input_offset, &eval, &dd->u.s8.run, &variant) : NULL;
    if (packed) extra += sizeof packed;

    pml__fbv w_scale = w->scale; /* the records in t may be overwritten from here on */
    fc_data *d;
    PML_TRY(fc_alloc(pc, n, dd, extra, eval, variant, &d));
    if (!d) return PML_OK;
    int32_t *mult = (int32_t *)(void *)(d + 1);
    if (packed) { /* the pointer to the packed data comes first */
        const uint8_t **pk = (const uint8_t **)(void *)mult;
        pk[0] = packed;
        mult = (int32_t *)(void *)(pk + 1);
    }
    if (nq == 1) {
        mult[0] = q0;
        d->u.s8.shift = (int8_t)sh0;
    } else if (!pml__fill_requant_v(m, &w_scale, s_in, s_out, nq, mult, (int8_t *)(mult + nq))) {
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1, "requantization scale out of range");
    }
#ifdef PML_KERNELS_AVX2
    if (eval == eval_s8_folded)
        pml_fc_s8_vnni_fold(&fp, d->depth, units, w_data, b_data, (int32_t *)(uintptr_t)folded_bias(d));
#endif
    n->data = d;
    return PML_OK;
}

/* fc_pack_fn: packed weights are used only where the build has a packed kernel (DSP) */
static const uint8_t *use_packed(pml_prep_ctx *pc, const pml__tinfo *t, bool has_bias, int32_t input_offset,
                                 pml_eval_fn *eval, pml_fc_s8_fn *run, const char **variant) {
    const pml_fc_s8_w16_variant *pv = pml__fc_s8_w16_select();
    if (!pv) return NULL;
    size_t plen = 0;
    const uint8_t *pk = pml__packed_find(pc->m, pc->op_index, PML_PACKED_FC_W16X4, &plen);
    if (!pk || !pml__fc_packed_ok(pk, plen, (const int8_t *)t[1].data,
                                  has_bias ? (const int32_t *)(const void *)t[3].data : NULL, t[1].dims[0], t[1].dims[1],
                                  input_offset))
        return NULL;
    *eval = eval_s8_w16;
    *run = (pml_fc_s8_fn)(void (*)(void))pv->run;
    *variant = pv->name;
    return pk;
}

/* float32, and hybrid (float32 input and output, int8 weights); anything else is unsupported. */
static pml_status prepare_float(pml_prep_ctx *pc, pml_node *n, pml__tinfo *t, fc_prep *f) {
    const pml_model *m = pc->m;
    const pml__tinfo *in = &t[0], *w = &t[1], *out = &t[2], *bias = &t[3];
    fc_data *dd = &f->dd;
    if (!(in->dtype == PML_DTYPE_F32 && out->dtype == PML_DTYPE_F32 && (!f->has_bias || bias->dtype == PML_DTYPE_F32) &&
          (w->dtype == PML_DTYPE_F32 || w->dtype == PML_DTYPE_I8)))
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1,
                          "FULLY_CONNECTED: %s input, %s weights, %s output", pml_dtype_str(in->dtype),
                          pml_dtype_str(w->dtype), pml_dtype_str(out->dtype));
    PML_PREP_CHECK(pc, pml__act_range_f32(f->act, &dd->u.f32.act_min, &dd->u.f32.act_max), PML_ERR_UNSUPPORTED,
                   "FULLY_CONNECTED: fused activation %d", (int)f->act);
    pml_eval_fn eval = eval_f32;
    const char *variant = "fc_f32_ref";
    size_t extra = 0;
    int32_t nq = 0;
    if (w->dtype == PML_DTYPE_I8) {
        PML_PREP_CHECK(pc, pml__valid_w8(m, w, dd->units, 0), PML_ERR_UNSUPPORTED,
                       "FULLY_CONNECTED: hybrid weights must be symmetric int8");
        PML_PREP_CHECK(pc, !f->asym, PML_ERR_UNSUPPORTED, "FULLY_CONNECTED: asymmetric hybrid input quantization");
        nq = (int32_t)w->scale.n;
        dd->u.f32.n_scales = nq;
        extra = sizeof(float) * (size_t)nq;
        PML_TRY(pml__prep_scratch(pc, n, in->count));
        eval = eval_hybrid;
        variant = "fc_hybrid_ref";
    }

    pml__fbv w_scale = w->scale; /* the records in t may be overwritten from here on */
    fc_data *d;
    PML_TRY(fc_alloc(pc, n, dd, extra, eval, variant, &d));
    if (!d) return PML_OK;
    float *ws = (float *)(void *)(d + 1);
    for (int32_t c = 0; c < nq; c++) ws[c] = pml__rd_f32(m, w_scale.pos + 4u * (uint32_t)c);
    n->data = d;
    return PML_OK;
}

/* t: four tensor records (pml__prep_run), valid until the op data is allocated. The
 * dtype-independent checks, then the int8 part, or `other` for the rest (NULL in the int8-only
 * kernel, which then refuses the op). */
static pml_status prepare_common(pml_prep_ctx *pc, pml_node *n, pml__tinfo *t, fc_finish_fn other, fc_pack_fn pack) {
    const pml_model *m = pc->m;
    pml__tinfo *in = &t[0], *w = &t[1], *out = &t[2], *bias = &t[3];
    fc_prep f;
    memset(&f, 0, sizeof f);
    f.pack = pack;
    PML_TRY(pml__prep_tensor(pc, 0, in));
    PML_TRY(pml__prep_tensor(pc, 1, w));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), out));
    f.has_bias = pml__prep_has_input(pc, 2);
    if (f.has_bias) PML_TRY(pml__prep_tensor(pc, 2, bias));
    int32_t wfmt = 0;
    if (pc->op.has_opt) {
        PML_PREP_CHECK(pc, pc->op.opt_type == PML_OPT_FC, PML_ERR_MODEL, "FULLY_CONNECTED with wrong options");
        f.act = (int32_t)pml__fb_u8(m, &pc->op.opt, 0, 0);
        wfmt = (int32_t)pml__fb_u8(m, &pc->op.opt, 1, 0);
        f.asym = (int32_t)pml__fb_u8(m, &pc->op.opt, 3, 0);
    }
    PML_PREP_CHECK(pc, wfmt == 0, PML_ERR_UNSUPPORTED, "FULLY_CONNECTED: shuffled weights format");
    PML_PREP_CHECK(pc, w->rank == 2 && w->data, PML_ERR_UNSUPPORTED, "FULLY_CONNECTED needs constant 2-D weights");
    int32_t units = w->dims[0], depth = w->dims[1];
    PML_PREP_CHECK(pc, depth <= 65536, PML_ERR_UNSUPPORTED, "FULLY_CONNECTED: depth %d (max 65536)", (int)depth);
    PML_PREP_CHECK(pc, depth > 0 && units > 0 && in->count % (size_t)depth == 0, PML_ERR_MODEL,
                   "FULLY_CONNECTED: input of %zu values is not a multiple of depth %d", in->count, (int)depth);
    size_t batches = in->count / (size_t)depth;
    PML_PREP_CHECK(pc, batches <= INT32_MAX && out->count == batches * (size_t)units, PML_ERR_MODEL,
                   "FULLY_CONNECTED: output has %zu values, expected %zu", out->count, batches * (size_t)units);
    PML_PREP_CHECK(pc, !f.has_bias || (bias->data && bias->count == (size_t)units), PML_ERR_MODEL,
                   "FULLY_CONNECTED: bias must be constant with %d values", (int)units);
    f.dd.batches = (int32_t)batches;
    f.dd.depth = depth;
    f.dd.units = units;
    if (in->dtype == PML_DTYPE_I8 && w->dtype == PML_DTYPE_I8 && out->dtype == PML_DTYPE_I8 &&
        (!f.has_bias || bias->dtype == PML_DTYPE_I32))
        return prepare_s8(pc, n, t, &f);
    if (other) return other(pc, n, t, &f);
    int32_t dt = in->dtype != PML_DTYPE_I8    ? in->dtype
                 : w->dtype != PML_DTYPE_I8   ? w->dtype
                 : out->dtype != PML_DTYPE_I8 ? out->dtype
                                              : bias->dtype;
    return pml__prep_s8_only(pc, "FULLY_CONNECTED", "fully_connected", dt);
}

static pml_status body_all(pml_prep_ctx *pc, pml_node *n, pml__tinfo *t) {
    return prepare_common(pc, n, t, prepare_float, use_packed);
}
static pml_status body_s8(pml_prep_ctx *pc, pml_node *n, pml__tinfo *t) { return prepare_common(pc, n, t, NULL, NULL); }
static pml_status body_s8p(pml_prep_ctx *pc, pml_node *n, pml__tinfo *t) {
    return prepare_common(pc, n, t, NULL, use_packed);
}

static pml_status prepare(pml_prep_ctx *pc, pml_node *n) { return pml__prep_run(pc, n, body_all); }
static pml_status prepare_s8only(pml_prep_ctx *pc, pml_node *n) { return pml__prep_run(pc, n, body_s8); }
static pml_status prepare_s8packed(pml_prep_ctx *pc, pml_node *n) { return pml__prep_run(pc, n, body_s8p); }

const pml_kernel pml_kernel_fully_connected = {PML_OP_FULLY_CONNECTED, "FULLY_CONNECTED", prepare};
const pml_kernel pml_kernel_fully_connected_s8 = {PML_OP_FULLY_CONNECTED, "FULLY_CONNECTED", prepare_s8only};
const pml_kernel pml_kernel_fully_connected_s8_packed = {PML_OP_FULLY_CONNECTED, "FULLY_CONNECTED", prepare_s8packed};
