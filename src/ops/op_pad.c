/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PAD and PADV2, up to 5-D, int8 and float32 (TFLite / TFLM pad). Paddings: a constant int32
 * tensor [rank, 2] of (before, after) counts >= 0. The pad value: PAD int8 the output zero point,
 * PAD float 0, PADV2 its constant scalar third input (int8: quantized like the output, as TFLM
 * requires). Elements are copied, not requantized (as in TFLite).
 */
#include <string.h>

#include "pml_ops_internal.h"

typedef struct pad_data {
    pml_pad_params p;
    int8_t pad_s8;
    float pad_f32;
} pad_data;
PML_OP_DATA(pad_data);

static pml_status eval_s8(const pml_interp *it, const pml_node *n) {
    const pad_data *d = (const pad_data *)n->data;
    pml_pad_s8_ref(&d->p, d->pad_s8, (const int8_t *)PML_IN(it, n, 0), (int8_t *)PML_OUTP(it, n, 0));
    return PML_OK;
}
static pml_status eval_f32(const pml_interp *it, const pml_node *n) {
    const pad_data *d = (const pad_data *)n->data;
    pml_pad_f32_ref(&d->p, d->pad_f32, (const float *)PML_IN(it, n, 0), (float *)PML_OUTP(it, n, 0));
    return PML_OK;
}

static pml_status prepare(pml_prep_ctx *pc, pml_node *n) {
    const pml_model *m = pc->m;
    const bool v2 = pc->op.code == PML_OP_PADV2;
    const char *name = v2 ? "PADV2" : "PAD";
    pml__tinfo in, pads, out;
    PML_TRY(pml__prep_tensor(pc, 0, &in));
    PML_TRY(pml__prep_tensor(pc, 1, &pads));
    PML_TRY(pml__prep_tensor(pc, PML_OUT(0), &out));
    PML_PREP_CHECK(pc, in.dtype == out.dtype, PML_ERR_UNSUPPORTED, "%s: %s -> %s", name, pml_dtype_str(in.dtype),
                   pml_dtype_str(out.dtype));
    PML_PREP_CHECK(pc, in.rank >= 1 && in.rank <= 5 && out.rank == in.rank, PML_ERR_UNSUPPORTED,
                   "%s: rank %d -> %d (1 to 5 supported)", name, (int)in.rank, (int)out.rank);
    PML_PREP_CHECK(pc, pads.data && pads.dtype == PML_DTYPE_I32, PML_ERR_UNSUPPORTED,
                   "%s: paddings must be a constant int32 tensor", name);
    PML_PREP_CHECK(pc, pads.rank == 2 && pads.dims[0] == in.rank && pads.dims[1] == 2, PML_ERR_MODEL,
                   "%s: paddings shape is not [%d, 2]", name, (int)in.rank);
    pad_data dd;
    memset(&dd, 0, sizeof dd);
    const int32_t lead = 5 - in.rank;
    for (int32_t i = 0; i < 5; i++) {
        dd.p.in[i] = dd.p.out[i] = 1;
    }
    for (int32_t d = 0; d < in.rank; d++) {
        int32_t ba[2];
        memcpy(ba, pads.data + 8 * (size_t)d, sizeof ba);
        PML_PREP_CHECK(pc, ba[0] >= 0 && ba[1] >= 0, PML_ERR_MODEL, "%s: negative padding", name);
        const int64_t want = (int64_t)in.dims[d] + ba[0] + ba[1];
        PML_PREP_CHECK(pc, want == out.dims[d], PML_ERR_MODEL, "%s: output dim %d is %d, paddings give %lld", name,
                       (int)d, (int)out.dims[d], (long long)want);
        dd.p.in[lead + d] = in.dims[d];
        dd.p.before[lead + d] = ba[0];
        dd.p.out[lead + d] = out.dims[d];
    }
    pml__tinfo cv;
    const bool has_cv = v2 && pml__prep_has_input(pc, 2);
    if (has_cv) {
        PML_TRY(pml__prep_tensor(pc, 2, &cv));
        PML_PREP_CHECK(pc, cv.data && cv.count == 1 && cv.dtype == in.dtype, PML_ERR_UNSUPPORTED,
                       "PADV2: constant_values must be one constant element of the input type");
    }
    pml_eval_fn eval;
    if (in.dtype == PML_DTYPE_I8) {
        PML_PREP_CHECK(pc, pml__valid_q8(m, &out), PML_ERR_UNSUPPORTED, "%s: int8 output needs quantization", name);
        dd.pad_s8 = (int8_t)pml__tinfo_zp(m, &out, 0);
        if (has_cv) {
            PML_PREP_CHECK(pc, pml__valid_q8(m, &cv) && pml__same_q8(m, &cv, &out), PML_ERR_UNSUPPORTED,
                           "PADV2: constant_values must have the output's quantization");
            dd.pad_s8 = (int8_t)cv.data[0];
        }
        eval = eval_s8;
        n->variant = "pad_s8_ref";
    } else if (in.dtype == PML_DTYPE_F32) {
        if (has_cv) memcpy(&dd.pad_f32, cv.data, sizeof(float));
        eval = eval_f32;
        n->variant = "pad_f32_ref";
    } else {
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1, "%s: type %s", name,
                          pml_dtype_str(in.dtype));
    }
    return pml__prep_commit(pc, n, eval, &dd, sizeof dd);
}

const pml_kernel pml_kernel_pad = {PML_OP_PAD, "PAD", prepare};
const pml_kernel pml_kernel_padv2 = {PML_OP_PADV2, "PADV2", prepare};
