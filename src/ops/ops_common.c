/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "pml_ops_internal.h"

bool pml__conv_geometry(int32_t padding, int32_t in, int32_t filter, int32_t stride, int32_t dilation, int32_t *out,
                        int32_t *pad) {
    if (stride < 1 || dilation < 1 || filter < 1 || in < 0 || stride > 65535 || dilation > 65535) return false;
    int64_t eff = (int64_t)(filter - 1) * dilation + 1;
    int64_t o;
    if (padding == PML_PAD_SAME)
        o = ((int64_t)in + stride - 1) / stride;
    else if (padding == PML_PAD_VALID)
        o = ((int64_t)in + stride - eff) / stride;
    else
        return false;
    if (o < 0) o = 0;
    int64_t total = (o - 1) * stride + eff - in;
    if (total < 0) total = 0;
    *out = (int32_t)o;
    *pad = (int32_t)(total / 2);
    return o <= INT32_MAX && total / 2 <= INT32_MAX;
}

pml_dims4 pml__dims4(const pml__tinfo *ti) {
    pml_dims4 d = {ti->dims[0], ti->dims[1], ti->dims[2], ti->dims[3]};
    return d;
}

bool pml__fill_requant_v(const pml_model *m, const pml__fbv *w_scale, float in_scale, float out_scale, int32_t count,
                         int32_t *mult, int8_t *shift) {
    for (int32_t c = 0; c < count; c++) {
        uint32_t i = w_scale->n == 0 ? 0 : (uint32_t)c < w_scale->n ? (uint32_t)c : 0; /* as pml__tinfo_scale */
        float ws = w_scale->n ? pml__rd_f32(m, w_scale->pos + 4u * i) : 0.0f;
        double eff = (double)in_scale * (double)ws / (double)out_scale;
        int32_t sh;
        int32_t q;
        pml__quantize_multiplier(eff, &q, &sh);
        if (mult) mult[c] = q;
        if (sh > 30) return false;
        if (!mult) continue; /* validation only */
        shift[c] = (int8_t)sh; /* QuantizeMultiplier flushes shift < -31 to zero */
    }
    return true;
}

bool pml__fill_requant(const pml_model *m, const pml__tinfo *w, float in_scale, float out_scale, int32_t count,
                       int32_t *mult, int8_t *shift) {
    return pml__fill_requant_v(m, &w->scale, in_scale, out_scale, count, mult, shift);
}

bool pml__valid_q8(const pml_model *m, const pml__tinfo *t) {
    float s = pml__tinfo_scale(m, t, 0);
    int32_t z = pml__tinfo_zp(m, t, 0);
    return t->scale.n >= 1 && s > 0.0f && s < 1e30f && z >= -128 && z <= 127;
}

bool pml__valid_w8(const pml_model *m, const pml__tinfo *w, int32_t channels, int32_t qdim) {
    if (w->scale.n != 1 && !(w->scale.n == (uint32_t)channels && w->quantized_dim == qdim)) return false;
    for (uint32_t c = 0; c < w->scale.n; c++) {
        float s = pml__tinfo_scale(m, w, c);
        if (!(s > 0.0f && s < 1e30f) || pml__tinfo_zp(m, w, c) != 0) return false;
    }
    return true;
}

bool pml__same_shape(const pml__tinfo *a, const pml__tinfo *b) {
    return a->rank == b->rank && memcmp(a->dims, b->dims, sizeof(int32_t) * (size_t)a->rank) == 0;
}

bool pml__broadcast5(const pml__tinfo *a, const pml__tinfo *b, const pml__tinfo *o, pml_bcast5 *bc) {
    const pml__tinfo *t[3] = {o, a, b};
    int32_t *dst[3] = {bc->out, bc->in1, bc->in2};
    for (int k = 0; k < 3; k++) {
        if (t[k]->rank > 5) return false;
        int32_t pad = 5 - t[k]->rank;
        for (int32_t i = 0; i < 5; i++) dst[k][i] = i < pad ? 1 : t[k]->dims[i - pad];
    }
    for (int32_t i = 0; i < 5; i++) {
        int32_t x = bc->in1[i], y = bc->in2[i], z = bc->out[i];
        if ((x != z && x != 1) || (y != z && y != 1) || z != (x > y ? x : y)) return false;
    }
    return true;
}

bool pml__same_q8(const pml_model *m, const pml__tinfo *a, const pml__tinfo *b) {
    return pml__tinfo_scale(m, a, 0) == pml__tinfo_scale(m, b, 0) && pml__tinfo_zp(m, a, 0) == pml__tinfo_zp(m, b, 0);
}

pml_status pml__prep_s8_only(pml_prep_ctx *pc, const char *opn, const char *kernel, int32_t dtype) {
    if (dtype == PML_DTYPE_F32)
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1,
                          "%s: float32 tensors need pml_kernel_%s, not the int8-only kernel", opn, kernel);
    return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1,
                      "%s: %s tensors; the int8-only kernel takes int8 only", opn, pml_dtype_str(dtype));
}
