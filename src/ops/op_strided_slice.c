/* SPDX-License-Identifier: Apache-2.0 */
/*
 * STRIDED_SLICE, any element type (a copy: int8 keeps its codes, as in TFLite), up to 5 axes after
 * new axes are added. begin / end / strides: constant int32 vectors of one length n. The masks are
 * resolved as LiteRT's strided_slice.cc BuildStridedSliceParams does: one ellipsis expands to the
 * axes the indices do not name, new_axis_mask inserts axes of size 1, axes after the last index
 * are taken whole; then per axis TFLite StartForAxis / EndForAxis (negative indices count from the
 * end, out-of-range indices clamp, begin_mask / end_mask take the whole range in the stride's
 * direction; a shrunk axis takes the one element at begin). Negative strides walk backwards.
 *
 * prepare computes the slice's shape and requires the output tensor to have it, so every element
 * the kernel visits is inside the input and the visits fill the output exactly. Rejected:
 * stride 0 or INT32_MIN, more than one ellipsis, more indices than axes, a shrunk axis whose begin
 * is outside the dimension (PML_ERR_MODEL: TensorFlow refuses those too); the `offset` option and
 * shrinking an axis with a negative stride (PML_ERR_UNSUPPORTED: LiteRT's kernel writes nothing
 * there, so there is no reference to match).
 */
#include <string.h>

#include "pml_ops_internal.h"

#define SS_MAX_AXES 5

typedef struct ss_data {
    pml_slice_params p;
    size_t esz;
} ss_data;

static pml_status eval(const pml_interp *it, const pml_node *n) {
    const ss_data *d = (const ss_data *)n->data;
    pml_strided_slice_ref(&d->p, d->esz, PML_IN(it, n, 0), PML_OUTP(it, n, 0));
    return PML_OK;
}

static int32_t clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Elements visited from start towards stop with step (step != 0, != INT32_MIN). */
static int64_t visits(int32_t start, int32_t stop, int32_t step) {
    const int64_t len = step > 0 ? (int64_t)stop - start : (int64_t)start - stop;
    const int64_t s = step > 0 ? step : -(int64_t)step;
    return len <= 0 ? 0 : (len - 1) / s + 1;
}

static int popcount32(uint32_t v) {
    int c = 0;
    for (; v; v &= v - 1) c++;
    return c;
}

/* One constant int32 vector of `n` elements (n < 0: any length, returned in *n). */
static pml_status index_vector(pml_prep_ctx *pc, int32_t k, const char *what, int32_t *n, const int32_t **data,
                               pml__tinfo *ti) {
    PML_TRY(pml__prep_tensor(pc, k, ti));
    PML_PREP_CHECK(pc, ti->data && ti->dtype == PML_DTYPE_I32 && ti->rank == 1, PML_ERR_UNSUPPORTED,
                   "STRIDED_SLICE: %s must be a constant 1-D int32 tensor", what);
    if (*n < 0) *n = ti->dims[0];
    PML_PREP_CHECK(pc, ti->dims[0] == *n, PML_ERR_MODEL, "STRIDED_SLICE: %s has %d elements, begin %d", what,
                   (int)ti->dims[0], (int)*n);
    *data = (const int32_t *)(const void *)ti->data;
    return PML_OK;
}

static pml_status prepare(pml_prep_ctx *pc, pml_node *n) {
    const pml_model *m = pc->m;
    pml__tinfo in, out, tb, te, ts;
    PML_PREP_CHECK(pc, pc->op.n_in == 4, PML_ERR_MODEL, "STRIDED_SLICE: %d inputs, 4 expected", (int)pc->op.n_in);
    PML_TRY(pml__prep_tensor(pc, 0, &in));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &out));
    PML_PREP_CHECK(pc, in.dtype == out.dtype && pml_dtype_size(in.dtype) > 0, PML_ERR_UNSUPPORTED,
                   "STRIDED_SLICE: %s -> %s", pml_dtype_str(in.dtype), pml_dtype_str(out.dtype));
    int32_t count = -1;
    const int32_t *begin, *end, *strides;
    PML_TRY(index_vector(pc, 1, "begin", &count, &begin, &tb));
    PML_TRY(index_vector(pc, 2, "end", &count, &end, &te));
    PML_TRY(index_vector(pc, 3, "strides", &count, &strides, &ts));
    uint32_t bm = 0, em = 0, elm = 0, nam = 0, sam = 0;
    bool offset = false;
    if (pc->op.has_opt) {
        PML_PREP_CHECK(pc, pc->op.opt_type == PML_OPT_STRIDED_SLICE, PML_ERR_MODEL, "STRIDED_SLICE with wrong options");
        bm = (uint32_t)pml__fb_i32(m, &pc->op.opt, 0, 0);
        em = (uint32_t)pml__fb_i32(m, &pc->op.opt, 1, 0);
        elm = (uint32_t)pml__fb_i32(m, &pc->op.opt, 2, 0);
        nam = (uint32_t)pml__fb_i32(m, &pc->op.opt, 3, 0);
        sam = (uint32_t)pml__fb_i32(m, &pc->op.opt, 4, 0);
        offset = pml__fb_u8(m, &pc->op.opt, 5, 0) != 0;
    }
    PML_PREP_CHECK(pc, !offset, PML_ERR_UNSUPPORTED, "STRIDED_SLICE: the offset option is not supported");
    PML_PREP_CHECK(pc, in.rank >= 1 && count >= 1 && count <= 31, PML_ERR_UNSUPPORTED,
                   "STRIDED_SLICE: input rank %d with %d indices", (int)in.rank, (int)count);
    const uint32_t used = ((uint32_t)1 << count) - 1; /* mask bits beyond the indices mean nothing */
    bm &= used;
    em &= used;
    elm &= used;
    nam &= used;
    sam &= used;
    PML_PREP_CHECK(pc, popcount32(elm) <= 1, PML_ERR_MODEL, "STRIDED_SLICE: more than one ellipsis");

    /* Resolve the masks onto the effective axes (the input's plus one per new axis). */
    const int32_t n_new = popcount32(nam & ~elm);
    const int32_t eff = in.rank + n_new;
    PML_PREP_CHECK(pc, eff <= SS_MAX_AXES, PML_ERR_UNSUPPORTED, "STRIDED_SLICE: %d axes with new axes (5 supported)",
                   (int)eff);
    PML_PREP_CHECK(pc, count <= eff, PML_ERR_MODEL, "STRIDED_SLICE: %d indices for %d axes", (int)count, (int)eff);
    uint32_t eff_ellipsis = 0, eff_new = 0;
    int32_t ellipsis_start = eff, expanded = 0;
    for (int32_t i = 0; i < eff;) {
        if (elm & ((uint32_t)1 << i)) {
            ellipsis_start = i;
            int32_t stop_i = i + 1 + n_new + in.rank - count;
            if (stop_i > eff) stop_i = eff;
            if (stop_i < i + 1) stop_i = i + 1;
            expanded = stop_i - ellipsis_start - 1;
            for (; i < stop_i; i++) eff_ellipsis |= (uint32_t)1 << i;
            continue;
        }
        if (nam & ((uint32_t)1 << (i - expanded))) eff_new |= (uint32_t)1 << i;
        i++;
    }
    int32_t size[SS_MAX_AXES], start[SS_MAX_AXES], stop[SS_MAX_AXES], step[SS_MAX_AXES];
    bool shrink[SS_MAX_AXES];
    int32_t added_ellipsis = 0, added_axes = 0;
    for (int32_t i = 0; i < eff; i++) {
        const uint32_t bit = (uint32_t)1 << i;
        int32_t b = 0, e = 0, s = 1;
        bool whole_b = false, whole_e = false;
        shrink[i] = false;
        const int32_t src = i - added_axes; /* input axis, unless this is a new one */
        PML_PREP_CHECK(pc, (eff_new & bit) || (src >= 0 && src < in.rank), PML_ERR_MODEL,
                       "STRIDED_SLICE: inconsistent masks");
        if (eff_ellipsis & bit) {
            added_ellipsis = i - ellipsis_start > 0 ? i - ellipsis_start : 0;
            whole_b = whole_e = true;
            size[i] = in.dims[src];
        } else if (eff_new & bit) {
            e = 1;
            size[i] = 1;
            added_axes++;
        } else if (i >= count + expanded) {
            whole_b = whole_e = true;
            size[i] = in.dims[src];
        } else {
            const int32_t k = i - added_ellipsis; /* index into begin / end / strides and the masks */
            PML_PREP_CHECK(pc, k >= 0 && k < count, PML_ERR_MODEL, "STRIDED_SLICE: inconsistent masks");
            b = begin[k];
            e = end[k];
            s = strides[k];
            whole_b = (bm >> k) & 1u;
            whole_e = (em >> k) & 1u;
            shrink[i] = (sam >> k) & 1u;
            size[i] = in.dims[src];
        }
        PML_PREP_CHECK(pc, s != 0 && s != INT32_MIN, PML_ERR_MODEL, "STRIDED_SLICE: stride %d on axis %d", (int)s,
                       (int)i);
        /* TFLite StartForAxis */
        if (b < 0) b += size[i];
        b = s > 0 ? clamp(b, 0, size[i]) : clamp(b, -1, size[i] - 1);
        if (whole_b) b = s > 0 ? 0 : size[i] - 1;
        /* TFLite EndForAxis */
        if (shrink[i]) {
            PML_PREP_CHECK(pc, s > 0, PML_ERR_UNSUPPORTED, "STRIDED_SLICE: shrinking axis %d with a negative stride",
                           (int)i);
            PML_PREP_CHECK(pc, b >= 0 && b < size[i], PML_ERR_MODEL,
                           "STRIDED_SLICE: begin out of range on shrunk axis %d (size %d)", (int)i, (int)size[i]);
            e = b + 1;
        } else {
            if (e < 0) e += size[i];
            e = s > 0 ? clamp(e, 0, size[i]) : clamp(e, -1, size[i] - 1);
            if (whole_e) e = s > 0 ? size[i] : -1;
        }
        start[i] = b;
        stop[i] = e;
        step[i] = s;
    }

    PML_PREP_CHECK(pc, added_axes == n_new, PML_ERR_MODEL, "STRIDED_SLICE: inconsistent masks");
    /* The output must have the slice's shape: the non-shrunk axes' visit counts. */
    int32_t r = 0;
    for (int32_t i = 0; i < eff; i++) {
        if (shrink[i]) continue;
        const int64_t v = visits(start[i], stop[i], step[i]);
        PML_PREP_CHECK(pc, r < out.rank && v == out.dims[r], PML_ERR_MODEL,
                       "STRIDED_SLICE: output dim %d is %d, the slice gives %lld", (int)r,
                       r < out.rank ? (int)out.dims[r] : -1, (long long)v);
        r++;
    }
    PML_PREP_CHECK(pc, r == out.rank, PML_ERR_MODEL, "STRIDED_SLICE: output rank %d, the slice gives %d",
                   (int)out.rank, (int)r);

    ss_data dd;
    memset(&dd, 0, sizeof dd);
    dd.esz = pml_dtype_size(in.dtype);
    const int32_t lead = SS_MAX_AXES - eff;
    size_t stride_el = 1;
    for (int32_t a = SS_MAX_AXES - 1; a >= 0; a--) {
        if (a < lead) {
            dd.p.start[a] = 0;
            dd.p.stop[a] = 1;
            dd.p.step[a] = 1;
            dd.p.in_stride[a] = 0;
            continue;
        }
        const int32_t i = a - lead;
        dd.p.start[a] = start[i];
        dd.p.stop[a] = stop[i];
        dd.p.step[a] = step[i];
        dd.p.in_stride[a] = stride_el;
        stride_el *= (size_t)size[i];
    }
    n->variant = "strided_slice_ref";
    return pml__prep_commit(pc, n, eval, &dd, sizeof dd);
}

const pml_kernel pml_kernel_strided_slice = {PML_OP_STRIDED_SLICE, "STRIDED_SLICE", prepare};
