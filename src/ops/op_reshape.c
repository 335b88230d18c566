/* SPDX-License-Identifier: Apache-2.0 */
/* RESHAPE, SQUEEZE and EXPAND_DIMS (the same bytes under another shape): the planner lets the
 * output share the input's bytes, so eval usually has nothing to do; when it could not (constant
 * input, chained aliases) it copies. */
#include <string.h>

#include "pml_ops_internal.h"

static pml_status eval(const pml_interp *it, const pml_node *n) {
    const void *src = PML_IN(it, n, 0);
    void *dst = PML_OUTP(it, n, 0);
    if (src != dst) memmove(dst, src, (size_t)(uintptr_t)n->data);
    return PML_OK;
}

static pml_status prepare(pml_prep_ctx *pc, pml_node *n) {
    pml__tinfo in, out;
    PML_TRY(pml__prep_tensor(pc, 0, &in));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &out));
    PML_PREP_CHECK(pc, in.dtype == out.dtype && pml_dtype_size(in.dtype) > 0, PML_ERR_UNSUPPORTED,
                   "RESHAPE: %s -> %s", pml_dtype_str(in.dtype), pml_dtype_str(out.dtype));
    PML_PREP_CHECK(pc, in.count == out.count, PML_ERR_MODEL, "RESHAPE: %zu elements into %zu", in.count, out.count);
    n->eval = eval;
    n->variant = "reshape";
    n->data = (void *)(uintptr_t)in.bytes; /* byte count; no op data needed */
    return PML_OK;
}

/* EXPAND_DIMS: axis is a constant int32 / int64 scalar or one-element tensor in [-(rank + 1), rank];
 * the output must be the input's shape with a 1 inserted there (PML_ERR_MODEL otherwise). */
static pml_status prepare_expand_dims(pml_prep_ctx *pc, pml_node *n) {
    pml__tinfo in, ax, out;
    PML_PREP_CHECK(pc, pc->op.n_in == 2, PML_ERR_MODEL, "EXPAND_DIMS: %d inputs, 2 expected", (int)pc->op.n_in);
    PML_TRY(pml__prep_tensor(pc, 0, &in));
    PML_TRY(pml__prep_tensor(pc, 1, &ax));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &out));
    PML_PREP_CHECK(pc, in.dtype == out.dtype && pml_dtype_size(in.dtype) > 0, PML_ERR_UNSUPPORTED,
                   "EXPAND_DIMS: %s -> %s", pml_dtype_str(in.dtype), pml_dtype_str(out.dtype));
    PML_PREP_CHECK(pc, ax.data && ax.count == 1 && (ax.dtype == PML_DTYPE_I32 || ax.dtype == PML_DTYPE_I64),
                   PML_ERR_UNSUPPORTED, "EXPAND_DIMS: axis must be one constant int32 or int64 element");
    int64_t axis;
    if (ax.dtype == PML_DTYPE_I32) {
        int32_t a32;
        memcpy(&a32, ax.data, sizeof a32);
        axis = a32;
    } else {
        memcpy(&axis, ax.data, sizeof axis);
    }
    PML_PREP_CHECK(pc, axis >= -(int64_t)in.rank - 1 && axis <= in.rank, PML_ERR_MODEL,
                   "EXPAND_DIMS: axis %lld for rank %d", (long long)axis, (int)in.rank);
    if (axis < 0) axis += in.rank + 1;
    PML_PREP_CHECK(pc, out.rank == in.rank + 1, PML_ERR_MODEL, "EXPAND_DIMS: output rank %d for input rank %d",
                   (int)out.rank, (int)in.rank);
    for (int32_t d = 0, s = 0; d < out.rank; d++) {
        const int32_t want = d == axis ? 1 : in.dims[s++];
        PML_PREP_CHECK(pc, out.dims[d] == want, PML_ERR_MODEL, "EXPAND_DIMS: output dim %d is %d, expected %d",
                       (int)d, (int)out.dims[d], (int)want);
    }
    n->eval = eval;
    n->variant = "expand_dims";
    n->data = (void *)(uintptr_t)in.bytes;
    return PML_OK;
}

const pml_kernel pml_kernel_reshape = {PML_OP_RESHAPE, "RESHAPE", prepare};
const pml_kernel pml_kernel_squeeze = {PML_OP_SQUEEZE, "SQUEEZE", prepare};
const pml_kernel pml_kernel_expand_dims = {PML_OP_EXPAND_DIMS, "EXPAND_DIMS", prepare_expand_dims};
