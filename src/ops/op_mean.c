/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MEAN over any set of axes (a constant int32 axis tensor; negative axes count from the end,
 * repeats are ignored), keep_dims or not, rank 1 to 5, int8 and float32. int8 follows TFLM
 * EvalIntegerMean (see mean_s8_ref.c); the int32 sums live in a scratch buffer.
 */
#include <string.h>

#include "pml_ops_internal.h"

PML_OP_DATA(pml_mean_params);

static pml_status eval_s8(const pml_interp *it, const pml_node *n) {
    const pml_mean_params *d = (const pml_mean_params *)n->data;
    pml_mean_s8_ref(d, (const int8_t *)PML_IN(it, n, 0), (int32_t *)n->scratch, (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_f32(const pml_interp *it, const pml_node *n) {
    const pml_mean_params *d = (const pml_mean_params *)n->data;
    pml_mean_f32_ref(d, (const float *)PML_IN(it, n, 0), (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}

static pml_status prepare(pml_prep_ctx *pc, pml_node *n) {
    const pml_model *m = pc->m;
    pml__tinfo in, axis, out;
    PML_TRY(pml__prep_tensor(pc, 0, &in));
    PML_TRY(pml__prep_tensor(pc, 1, &axis));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &out));
    bool keep_dims = false;
    if (pc->op.has_opt) {
        PML_PREP_CHECK(pc, pc->op.opt_type == PML_OPT_REDUCER, PML_ERR_MODEL, "MEAN with wrong options");
        keep_dims = pml__fb_u8(m, &pc->op.opt, 0, 0) != 0;
    }
    PML_PREP_CHECK(pc, in.dtype == out.dtype, PML_ERR_UNSUPPORTED, "MEAN: %s -> %s", pml_dtype_str(in.dtype),
                   pml_dtype_str(out.dtype));
    PML_PREP_CHECK(pc, in.rank >= 1 && in.rank <= 5, PML_ERR_UNSUPPORTED, "MEAN: input rank %d (1 to 5 supported)",
                   (int)in.rank);
    PML_PREP_CHECK(pc, axis.data && axis.dtype == PML_DTYPE_I32 && axis.rank <= 1 && axis.count >= 1,
                   PML_ERR_UNSUPPORTED, "MEAN: axis must be a constant int32 scalar or vector");
    pml_mean_params dd;
    memset(&dd, 0, sizeof dd);
    dd.rank = in.rank;
    for (int32_t d = 0; d < in.rank; d++) dd.in[d] = in.dims[d];
    for (size_t k = 0; k < axis.count; k++) {
        int32_t a;
        memcpy(&a, axis.data + 4 * k, sizeof a);
        PML_PREP_CHECK(pc, a >= -in.rank && a < in.rank, PML_ERR_MODEL, "MEAN: axis %d out of range for rank %d",
                       (int)a, (int)in.rank);
        dd.reduce[a < 0 ? a + in.rank : a] = 1;
    }
    /* expected output shape, and the element counts */
    int32_t want[5];
    int32_t want_rank = 0;
    int64_t count = 1, out_count = 1;
    for (int32_t d = 0; d < in.rank; d++) {
        if (dd.reduce[d]) {
            count *= in.dims[d];
            if (keep_dims) want[want_rank++] = 1;
        } else {
            out_count *= in.dims[d];
            want[want_rank++] = in.dims[d];
        }
    }
    PML_PREP_CHECK(pc, out.rank == want_rank && memcmp(out.dims, want, sizeof(int32_t) * (size_t)want_rank) == 0,
                   PML_ERR_MODEL, "MEAN: output shape does not match the reduction");
    PML_PREP_CHECK(pc, count >= 1 && count <= (1 << 23) && out_count <= INT32_MAX, PML_ERR_UNSUPPORTED,
                   "MEAN: %lld elements per output (1 to 2^23 supported)", (long long)count);
    dd.count = (int32_t)count;
    dd.out_count = (int32_t)out_count;
    pml_eval_fn eval;
    if (in.dtype == PML_DTYPE_I8) {
        PML_PREP_CHECK(pc, pml__valid_q8(m, &in) && pml__valid_q8(m, &out), PML_ERR_UNSUPPORTED,
                       "MEAN: int8 tensors need quantization");
        dd.same_quant = pml__same_q8(m, &in, &out);
        dd.input_zp = pml__tinfo_zp(m, &in, 0);
        dd.output_zp = pml__tinfo_zp(m, &out, 0);
        dd.scale = pml__tinfo_scale(m, &in, 0) / pml__tinfo_scale(m, &out, 0);
        dd.bias = (float)(-dd.input_zp) * dd.scale;
        PML_TRY(pml__prep_scratch(pc, n, (size_t)out_count * sizeof(int32_t))); /* sums */
        eval = eval_s8;
        n->variant = "mean_s8_ref";
    } else if (in.dtype == PML_DTYPE_F32) {
        eval = eval_f32;
        n->variant = "mean_f32_ref";
    } else {
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1, "MEAN: type %s",
                          pml_dtype_str(in.dtype));
    }
    return pml__prep_commit(pc, n, eval, &dd, sizeof dd);
}

const pml_kernel pml_kernel_mean = {PML_OP_MEAN, "MEAN", prepare};
