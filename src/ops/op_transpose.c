/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TRANSPOSE, 1-D to 6-D, any element type (a copy: int8 keeps its codes, as in TFLite). perm: a
 * constant int32 or int64 vector with one entry per input axis, a permutation of 0..rank-1 (an
 * entry out of range or repeated is PML_ERR_MODEL); output axis k is input axis perm[k], and the
 * output tensor must have that shape.
 */
#include <string.h>

#include "pml_ops_internal.h"

typedef struct tr_data {
    pml_transpose_params p;
    size_t esz;
} tr_data;

static pml_status eval(const pml_interp *it, const pml_node *n) {
    const tr_data *d = (const tr_data *)n->data;
    pml_transpose_ref(&d->p, d->esz, PML_IN(it, n, 0), PML_OUTP(it, n, 0));
    return PML_OK;
}

static pml_status prepare(pml_prep_ctx *pc, pml_node *n) {
    pml__tinfo in, perm, out;
    PML_PREP_CHECK(pc, pc->op.n_in == 2, PML_ERR_MODEL, "TRANSPOSE: %d inputs, 2 expected", (int)pc->op.n_in);
    PML_TRY(pml__prep_tensor(pc, 0, &in));
    PML_TRY(pml__prep_tensor(pc, 1, &perm));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &out));
    PML_PREP_CHECK(pc, in.dtype == out.dtype && pml_dtype_size(in.dtype) > 0, PML_ERR_UNSUPPORTED,
                   "TRANSPOSE: %s -> %s", pml_dtype_str(in.dtype), pml_dtype_str(out.dtype));
    PML_PREP_CHECK(pc, in.rank >= 1 && in.rank <= 6, PML_ERR_UNSUPPORTED, "TRANSPOSE: rank %d (1 to 6 supported)",
                   (int)in.rank);
    PML_PREP_CHECK(pc, perm.data && (perm.dtype == PML_DTYPE_I32 || perm.dtype == PML_DTYPE_I64),
                   PML_ERR_UNSUPPORTED, "TRANSPOSE: perm must be a constant int32 or int64 tensor");
    PML_PREP_CHECK(pc, perm.rank == 1 && perm.dims[0] == in.rank, PML_ERR_MODEL,
                   "TRANSPOSE: perm must have one entry per input axis (%d)", (int)in.rank);
    PML_PREP_CHECK(pc, out.rank == in.rank, PML_ERR_MODEL, "TRANSPOSE: output rank %d, input %d", (int)out.rank,
                   (int)in.rank);
    size_t in_stride[6];
    in_stride[in.rank - 1] = 1;
    for (int32_t a = in.rank - 2; a >= 0; a--) in_stride[a] = in_stride[a + 1] * (size_t)in.dims[a + 1];
    tr_data dd;
    memset(&dd, 0, sizeof dd);
    dd.esz = pml_dtype_size(in.dtype);
    dd.p.rank = in.rank;
    uint32_t seen = 0;
    for (int32_t k = 0; k < in.rank; k++) {
        int64_t v;
        if (perm.dtype == PML_DTYPE_I32) {
            int32_t v32;
            memcpy(&v32, perm.data + 4 * (size_t)k, sizeof v32);
            v = v32;
        } else {
            memcpy(&v, perm.data + 8 * (size_t)k, sizeof v);
        }
        PML_PREP_CHECK(pc, v >= 0 && v < in.rank, PML_ERR_MODEL, "TRANSPOSE: perm[%d] = %lld is out of range", (int)k,
                       (long long)v);
        PML_PREP_CHECK(pc, !(seen & (1u << v)), PML_ERR_MODEL, "TRANSPOSE: perm repeats axis %lld", (long long)v);
        seen |= 1u << v;
        PML_PREP_CHECK(pc, out.dims[k] == in.dims[v], PML_ERR_MODEL,
                       "TRANSPOSE: output dim %d is %d, input dim %lld is %d", (int)k, (int)out.dims[k], (long long)v,
                       (int)in.dims[v]);
        dd.p.out[k] = out.dims[k];
        dd.p.in_stride[k] = in_stride[v];
    }
    n->variant = "transpose_ref";
    return pml__prep_commit(pc, n, eval, &dd, sizeof dd);
}

const pml_kernel pml_kernel_transpose = {PML_OP_TRANSPOSE, "TRANSPOSE", prepare};
