/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CONCATENATION of 1 to PML_NODE_MAX_IN (4) inputs along one axis (negative counts from the end),
 * int8, float32 and int32. int8 inputs must have the output's scale and zero point: TFLite refuses
 * anything else for int8 ("no re-scaling needed for Int8"), so there is no reference to match.
 * The fused activation must be NONE.
 */
#include <string.h>

#include "pml_ops_internal.h"

typedef struct concat_data {
    int32_t n_in;
    size_t outer;
    size_t part_bytes[PML_NODE_MAX_IN];
} concat_data;
PML_OP_DATA(concat_data);

static pml_status eval(const pml_interp *it, const pml_node *n) {
    const concat_data *d = (const concat_data *)n->data;
    const void *in[PML_NODE_MAX_IN];
    for (int32_t k = 0; k < d->n_in; k++) in[k] = PML_IN(it, n, k);
    pml_concatenation_ref(d->n_in, in, d->part_bytes, d->outer, PML_OUTP(it, n, 0));
    return PML_OK;
}

static pml_status prepare(pml_prep_ctx *pc, pml_node *n) {
    const pml_model *m = pc->m;
    pml__tinfo out;
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &out));
    int32_t axis = 0, act = 0;
    if (pc->op.has_opt) {
        PML_PREP_CHECK(pc, pc->op.opt_type == PML_OPT_CONCATENATION, PML_ERR_MODEL,
                       "CONCATENATION with wrong options");
        axis = pml__fb_i32(m, &pc->op.opt, 0, 0);
        act = (int32_t)pml__fb_u8(m, &pc->op.opt, 1, 0);
    }
    PML_PREP_CHECK(pc, act == 0, PML_ERR_UNSUPPORTED, "CONCATENATION: fused activation %d", (int)act);
    PML_PREP_CHECK(pc, pc->op.n_in >= 1 && pc->op.n_in <= PML_NODE_MAX_IN, PML_ERR_UNSUPPORTED,
                   "CONCATENATION: %d inputs (1 to %d supported)", (int)pc->op.n_in, PML_NODE_MAX_IN);
    PML_PREP_CHECK(pc, out.rank >= 1, PML_ERR_UNSUPPORTED, "CONCATENATION: scalar output");
    PML_PREP_CHECK(pc, axis >= -out.rank && axis < out.rank, PML_ERR_MODEL, "CONCATENATION: axis %d for rank %d",
                   (int)axis, (int)out.rank);
    if (axis < 0) axis += out.rank;
    const size_t esz = pml_dtype_size(out.dtype);
    PML_PREP_CHECK(pc, out.dtype == PML_DTYPE_I8 || out.dtype == PML_DTYPE_F32 || out.dtype == PML_DTYPE_I32,
                   PML_ERR_UNSUPPORTED, "CONCATENATION: type %s", pml_dtype_str(out.dtype));
    if (out.dtype == PML_DTYPE_I8)
        PML_PREP_CHECK(pc, pml__valid_q8(m, &out), PML_ERR_UNSUPPORTED, "CONCATENATION: int8 output needs quantization");
    concat_data dd;
    memset(&dd, 0, sizeof dd);
    dd.n_in = pc->op.n_in;
    size_t outer = 1, inner = 1;
    for (int32_t d = 0; d < axis; d++) outer *= (size_t)out.dims[d];
    for (int32_t d = axis + 1; d < out.rank; d++) inner *= (size_t)out.dims[d];
    int64_t total_axis = 0;
    for (int32_t k = 0; k < dd.n_in; k++) {
        pml__tinfo in;
        PML_TRY(pml__prep_tensor(pc, k, &in));
        PML_PREP_CHECK(pc, in.dtype == out.dtype, PML_ERR_UNSUPPORTED, "CONCATENATION: input %d is %s, output %s",
                       (int)k, pml_dtype_str(in.dtype), pml_dtype_str(out.dtype));
        PML_PREP_CHECK(pc, in.rank == out.rank, PML_ERR_MODEL, "CONCATENATION: input %d has rank %d, output %d", (int)k,
                       (int)in.rank, (int)out.rank);
        for (int32_t d = 0; d < out.rank; d++)
            PML_PREP_CHECK(pc, d == axis || in.dims[d] == out.dims[d], PML_ERR_MODEL,
                           "CONCATENATION: input %d dim %d is %d, output %d", (int)k, (int)d, (int)in.dims[d],
                           (int)out.dims[d]);
        if (out.dtype == PML_DTYPE_I8)
            PML_PREP_CHECK(pc, pml__valid_q8(m, &in) && pml__same_q8(m, &in, &out), PML_ERR_UNSUPPORTED,
                           "CONCATENATION: int8 input %d quantized unlike the output (TFLite requires equal)", (int)k);
        total_axis += in.dims[axis];
        dd.part_bytes[k] = (size_t)in.dims[axis] * inner * esz;
    }
    PML_PREP_CHECK(pc, total_axis == out.dims[axis], PML_ERR_MODEL, "CONCATENATION: inputs give %lld along axis %d, output %d",
                   (long long)total_axis, (int)axis, (int)out.dims[axis]);
    dd.outer = outer;
    n->variant = "concatenation_ref";
    return pml__prep_commit(pc, n, eval, &dd, sizeof dd);
}

const pml_kernel pml_kernel_concatenation = {PML_OP_CONCATENATION, "CONCATENATION", prepare};
