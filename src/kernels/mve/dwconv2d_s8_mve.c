/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DEPTHWISE_CONV_2D int8, Arm Helium: depth multiplier 1, dilation 1.
 *
 * Eight channels at a time (outer loop: their requantization parameters and bias are set up once),
 * then every output pixel and its taps inside the image (padding taps skipped, as in the reference).
 * Per tap: input and filter bytes widened to int16 lanes (VLDRB.S16), the input offset added
 * (|x + offset| <= 255), and VMULLB / VMULLT multiply the even / odd lanes into int32 products that
 * two accumulators (channels c, c+2, c+4, c+6 and c+1, c+3, ...) collect: 7 instructions per 8 MACs.
 * Both halves are requantized (pml__mbqm_mve) and narrowed back into channel order (VMOVNB / VMOVNT)
 * for one predicated 8-byte store. No scratch.
 */
#include "pml_mve.h"

bool pml_dwconv2d_s8_mve_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                 const pml_dims4 *out_d) {
    (void)f_d;
    return p->dilation_h == 1 && p->dilation_w == 1 && p->depth_multiplier == 1 && out_d->c == in_d->c;
}

/* one tap of eight channels (XLOAD, WLOAD: input and filter bytes widened to int16 lanes) */
#define PML__DW_TAP(XLOAD, WLOAD)                                                                                      \
    do {                                                                                                               \
        const int16x8_t xo = vaddq_n_s16((XLOAD), (int16_t)off), wv = (WLOAD);                                         \
        ae = vaddq_s32(ae, vmullbq_int_s16(xo, wv));                                                                   \
        ao = vaddq_s32(ao, vmulltq_int_s16(xo, wv));                                                                   \
    } while (0)

/* the requantization parameters of channels c + lanes (lanes: 0, 2, 4, 6 or 1, 3, 5, 7; predicate p32) */
PML_INLINE pml__rq4 rq_half(const pml_requant *q, int32_t c, uint32x4_t lanes, mve_pred16_t p32) {
    if (q->count == 1)
        return pml__rq4_make(vdupq_n_s32(q->mult[0]), vdupq_n_s32(q->shift[0]));
    return pml__rq4_make(vldrwq_gather_shifted_offset_z_s32(q->mult + c, lanes, p32),
                         vldrbq_gather_offset_z_s32(q->shift + c, lanes, p32));
}

PML_INLINE int32x4_t bias_half(const int32_t *bias, int32_t c, uint32x4_t lanes, mve_pred16_t p32) {
    return bias ? vldrwq_gather_shifted_offset_z_s32(bias + c, lanes, p32) : vdupq_n_s32(0);
}

/* all channel groups (full: C a multiple of 8, no predicated loads in the tap loop) */
PML_INLINE void dw_groups(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                          const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d,
                          int8_t *out, bool full, bool noleft) {
    const int32_t C = in_d->c, KH = f_d->h, KW = f_d->w, IH = in_d->h, IW = in_d->w;
    const int32_t off = p->input_offset, ooff = p->output_offset, lo = p->act_min, hi = p->act_max;
    const size_t irow = (size_t)IW * (size_t)C, img = (size_t)IH * irow;
    const uint32x4_t even = vidupq_n_u32(0, 2), odd = vidupq_n_u32(1, 2);
    const int32x4_t vlo = vdupq_n_s32(lo), vhi = vdupq_n_s32(hi);
    for (int32_t c = 0; c < C; c += 8) {
        const int32_t rem = C - c < 8 ? C - c : 8;
        const mve_pred16_t p16 = vctp16q((uint32_t)rem), pe = vctp32q((uint32_t)(rem + 1) / 2),
                           po = vctp32q((uint32_t)rem / 2);
        const pml__rq4 re = rq_half(q, c, even, pe), ro = rq_half(q, c, odd, po);
        const int32x4_t be = bias_half(bias, c, even, pe), bo = bias_half(bias, c, odd, po);
        int8_t *o = out + c;
        for (int32_t b = 0; b < out_d->n; b++) {
            const int8_t *im = in + (size_t)b * img + c;
            for (int32_t oy = 0; oy < out_d->h; oy++) {
                const int32_t iy0 = oy * p->stride_h - p->pad_h;
                const int32_t fy0 = iy0 < 0 ? -iy0 : 0, fy1 = IH - iy0 < KH ? IH - iy0 : KH;
                for (int32_t ox = 0; ox < out_d->w; ox++, o += C) {
                    const int32_t ix0 = ox * p->stride_w - p->pad_w;
                    const int32_t fx0 = ix0 < 0 ? -ix0 : 0, fx1 = IW - ix0 < KW ? IW - ix0 : KW;
                    int32x4_t ae = be, ao = bo;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int8_t *x = im + (size_t)(iy0 + fy) * irow + (size_t)(ix0 + fx0) * (size_t)C;
                        const int8_t *w = filter + ((size_t)fy * (size_t)KW + (size_t)fx0) * (size_t)C + c;
                        for (int32_t fx = fx0; fx < fx1; fx++, x += C, w += C)
                            PML__DW_TAP(full ? vldrbq_s16(x) : vldrbq_z_s16(x, p16),
                                        full ? vldrbq_s16(w) : vldrbq_z_s16(w, p16));
                    }
                    int32x4_t ve = vaddq_n_s32(pml__mbqm_mve_nl(ae, &re, noleft), ooff),
                              vo = vaddq_n_s32(pml__mbqm_mve_nl(ao, &ro, noleft), ooff);
                    ve = vminq_s32(vmaxq_s32(ve, vlo), vhi);
                    vo = vminq_s32(vmaxq_s32(vo, vlo), vhi);
                    /* even lanes from ve, odd lanes from vo (VMOVNB's other lanes are then overwritten) */
                    const int16x8_t v = vmovntq_s32(vmovnbq_s32(vreinterpretq_s16_s32(ve), ve), vo);
                    if (full)
                        vstrbq_s16(o, v);
                    else
                        vstrbq_p_s16(o, v, p16);
                }
            }
        }
    }
}

#define DW_ARGS                                                                                                        \
    const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in, const pml_dims4 *f_d,     \
        const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d, int8_t *out

static PML_NOINLINE void dw_full_nl(DW_ARGS) { dw_groups(p, q, in_d, in, f_d, filter, bias, out_d, out, true, true); }
static PML_NOINLINE void dw_full(DW_ARGS) { dw_groups(p, q, in_d, in, f_d, filter, bias, out_d, out, true, false); }
static PML_NOINLINE void dw_any(DW_ARGS) { dw_groups(p, q, in_d, in, f_d, filter, bias, out_d, out, false, false); }

void pml_dwconv2d_s8_mve(DW_ARGS) {
    bool noleft = true; /* no channel shifts left (the usual case: multipliers below 1) */
    for (int32_t c = 0; c < q->count; c++)
        noleft = noleft && q->shift[c] <= 0;
    if ((in_d->c & 7) != 0)
        dw_any(p, q, in_d, in, f_d, filter, bias, out_d, out);
    else if (noleft)
        dw_full_nl(p, q, in_d, in, f_d, filter, bias, out_d, out);
    else
        dw_full(p, q, in_d, in, f_d, filter, bias, out_d, out);
}
