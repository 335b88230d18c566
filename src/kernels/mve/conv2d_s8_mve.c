/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CONV_2D int8, Arm Helium: dilation 1, one group (filter depth == input channels).
 *
 * Four output channels share each input load (pml__dot4_s8_mve: 16 MACs per VMLADAVA), and their
 * bias + input_offset * (filter sum) is computed once; requantization of the four in one vector.
 * Three paths:
 *   pointwise  1x1, stride 1, no padding: the input pixels in order, one run of C bytes each
 *              (pointwise_rows, channels outer).
 *   patch      filters up to PATCH bytes, up to PATCH_OC channels: per pixel a dense copy of its taps
 *              (conv_patch, pixels outer; see below).
 *   in place   otherwise, channels outer: an interior pixel is KH runs of KW * C bytes (NHWC,
 *              dilation 1); at the border the runs shrink to the taps inside the image and the offset
 *              term uses the sums of just those weights, as the reference skips padding taps.
 * Stack: PATCH + 4 * PATCH_OC bytes on the patch path; no scratch.
 */
#include "pml_mve.h"

/* Patch path: each output pixel's taps are first gathered into one dense patch of KH * KW * C bytes
 * (16-byte copies per filter row, the last predicated; padding taps set to the input zero point, whose
 * x + offset is 0: exact with bias + offset * (sum of all weights), kept per channel on the stack),
 * built once per pixel for all output channels and dotted as one run: no per-row setup, and short
 * rows (first layers with C = 1 or 3: KWS 10x4x1, VWW and IC 3x3x3) no longer waste most of a step.
 * Used when the filter fits PATCH bytes and there are at most PATCH_OC output channels (stack:
 * PATCH + 4 * PATCH_OC bytes); otherwise the rows are read in place. */
#define PATCH 640
#define PATCH_OC 64

PML_INLINE bool use_patch(const pml_conv_params *p, const pml_dims4 *f_d, const pml_dims4 *out_d) {
    return f_d->h * f_d->w * f_d->c <= PATCH && out_d->c <= PATCH_OC && p->input_offset >= -127 &&
           p->input_offset <= 128;
}

/* Pixels outer: each pixel's patch is built once and serves every group of four output channels. */
static PML_NOINLINE void conv_patch(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d,
                                    const int8_t *in, const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias,
                                    const pml_dims4 *out_d, int8_t *out) {
    const int32_t C = in_d->c, OC = out_d->c, KH = f_d->h, KW = f_d->w, IH = in_d->h, IW = in_d->w;
    const int32_t off = p->input_offset, ooff = p->output_offset, lo = p->act_min, hi = p->act_max;
    const int32_t frow = KW * C, fsz = KH * frow;
    const size_t irow = (size_t)IW * (size_t)C, img = (size_t)IH * irow;
    int8_t patch[PATCH];
    int32_t full[PATCH_OC];
    for (int32_t oc = 0; oc < OC; oc += 4) {
        const int32_t n = OC - oc < 4 ? OC - oc : 4;
        const mve_pred16_t p32 = vctp32q((uint32_t)n);
        const int8_t *f0 = filter + (size_t)oc * (size_t)fsz;
        const int8_t *f1 = n > 1 ? f0 + fsz : f0, *f2 = n > 2 ? f0 + 2 * fsz : f0, *f3 = n > 3 ? f0 + 3 * fsz : f0;
        const int32x4_t v = vmlaq_n_s32(pml__bias4_mve(bias, oc, p32), pml__sum4_s8_mve(f0, f1, f2, f3, fsz), off);
        vstrwq_p_s32(full + oc, v, p32);
    }
    const pml__rq4 r1 = pml__rq4_make(vdupq_n_s32(q->mult[0]), vdupq_n_s32(q->shift[0])); /* per-tensor */
    const int8x16_t zp = vdupq_n_s8((int8_t)-off);
    const mve_pred16_t prow = vctp8q((uint32_t)(frow < 16 ? frow : 16));
    for (int32_t b = 0; b < out_d->n; b++) {
        const int8_t *im = in + (size_t)b * img;
        for (int32_t oy = 0; oy < out_d->h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            const int32_t fy0 = iy0 < 0 ? -iy0 : 0, fy1 = IH - iy0 < KH ? IH - iy0 : KH;
            for (int32_t ox = 0; ox < out_d->w; ox++, out += OC) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                const int32_t fx0 = ix0 < 0 ? -ix0 : 0, fx1 = IW - ix0 < KW ? IW - ix0 : KW;
                const int32_t len = fx1 > fx0 ? (fx1 - fx0) * C : 0;
                if (frow <= 16 && len == frow) { /* one predicated copy per row */
                    const int8_t *src = im + (size_t)iy0 * irow + (size_t)ix0 * (size_t)C;
                    int8_t *dst = patch;
                    for (int32_t fy = 0; fy < KH; fy++, dst += frow, src += irow)
                        vstrbq_p_s8(dst, fy < fy0 || fy >= fy1 ? zp : vldrbq_z_s8(src, prow), prow);
                } else {
                    for (int32_t fy = 0; fy < KH; fy++) {
                        int8_t *dst = patch + fy * frow;
                        const bool in_rows = fy >= fy0 && fy < fy1;
                        if (!in_rows || len < frow) /* padding taps in this row */
                            for (int32_t i = 0; i < frow; i += 16)
                                vstrbq_p_s8(dst + i, zp, vctp8q((uint32_t)(frow - i)));
                        if (!in_rows)
                            continue;
                        const int8_t *src = im + (size_t)(iy0 + fy) * irow + (size_t)(ix0 + fx0) * (size_t)C;
                        dst += fx0 * C;
                        for (int32_t i = 0; i < len; i += 16) {
                            const mve_pred16_t pl = vctp8q((uint32_t)(len - i));
                            vstrbq_p_s8(dst + i, vldrbq_z_s8(src + i, pl), pl);
                        }
                    }
                }
                const int8_t *f0 = filter;
                int32_t oc = 0;
                for (; oc + 4 <= OC; oc += 4, f0 += 4 * (size_t)fsz) { /* full groups: no predicates */
                    const pml__rq4 r =
                        q->count == 1 ? r1 : pml__rq4_make(vldrwq_s32(q->mult + oc), vldrbq_s32(q->shift + oc));
                    int32x4_t v = vaddq_s32(vldrwq_s32(full + oc), pml__dot4_s8_mve(patch, f0, f0 + fsz, f0 + 2 * fsz,
                                                                                    f0 + 3 * fsz, fsz, NULL));
                    v = vaddq_n_s32(pml__mbqm_mve(v, &r), ooff);
                    vstrbq_s32(out + oc, vminq_s32(vmaxq_s32(v, vdupq_n_s32(lo)), vdupq_n_s32(hi)));
                }
                if (oc < OC) { /* the last 1..3 channels */
                    const int32_t n = OC - oc;
                    const mve_pred16_t p32 = vctp32q((uint32_t)n);
                    const int8_t *f1 = n > 1 ? f0 + fsz : f0, *f2 = n > 2 ? f0 + 2 * fsz : f0;
                    const pml__rq4 r = pml__rq4_load(q, oc, p32);
                    const int32x4_t acc =
                        vaddq_s32(vldrwq_z_s32(full + oc, p32), pml__dot4_s8_mve(patch, f0, f1, f2, f0, fsz, NULL));
                    pml__rq4_store(out + oc, acc, &r, ooff, lo, hi, p32);
                }
            }
        }
    }
}

bool pml_conv2d_s8_mve_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                               const pml_dims4 *out_d) {
    /* rows under 8 bytes without the patch: the DSP variant does better (fewer instructions in QEMU) */
    return p->dilation_h == 1 && p->dilation_w == 1 && f_d->c == in_d->c &&
           (f_d->w * f_d->c >= 8 || use_patch(p, f_d, out_d));
}

/* 1x1 pointwise: output channels oc .. oc + n - 1 (filters f0..f3, bias + offset term full) of npix
 * pixels; its own function, so that the loop's few live values stay in registers */
static PML_NOINLINE void pointwise_rows(const int8_t *x, int32_t npix, int32_t C, int32_t OC, const int8_t *f0,
                                        const int8_t *f1, const int8_t *f2, const int8_t *f3, int32x4_t full,
                                        const pml__rq4 *rp, int32_t ooff, int32_t lo, int32_t hi, int32_t n,
                                        int8_t *o) {
    const pml__rq4 r = *rp;
    if (n == 4) {
        for (int32_t px = 0; px < npix; px++, x += C, o += OC) {
            int32x4_t v = pml__mbqm_mve(vaddq_s32(full, pml__dot4_s8_mve(x, f0, f1, f2, f3, C, NULL)), &r);
            v = vminq_s32(vmaxq_s32(vaddq_n_s32(v, ooff), vdupq_n_s32(lo)), vdupq_n_s32(hi));
            vstrbq_s32(o, v);
        }
    } else {
        const mve_pred16_t p32 = vctp32q((uint32_t)n);
        for (int32_t px = 0; px < npix; px++, x += C, o += OC)
            pml__rq4_store(o, vaddq_s32(full, pml__dot4_s8_mve(x, f0, f1, f2, f3, C, NULL)), &r, ooff, lo, hi, p32);
    }
}

void pml_conv2d_s8_mve(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                       const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d,
                       int8_t *out) {
    const int32_t C = in_d->c, OC = out_d->c, KH = f_d->h, KW = f_d->w, IH = in_d->h, IW = in_d->w;
    const int32_t off = p->input_offset, ooff = p->output_offset, lo = p->act_min, hi = p->act_max;
    const int32_t frow = KW * C, fsz = KH * frow; /* one filter row, one filter */
    const size_t irow = (size_t)IW * (size_t)C, img = (size_t)IH * irow;
    /* 1x1, stride 1, no padding: the input pixels in order, one run of C bytes each */
    const bool pointwise = KH == 1 && KW == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_h == 0 &&
                           p->pad_w == 0 && out_d->h == IH && out_d->w == IW;
    const int32_t npix = out_d->n * out_d->h * out_d->w;
    if (!pointwise && use_patch(p, f_d, out_d)) {
        conv_patch(p, q, in_d, in, f_d, filter, bias, out_d, out);
        return;
    }
    for (int32_t oc = 0; oc < OC; oc += 4) {
        const int32_t n = OC - oc < 4 ? OC - oc : 4;
        const mve_pred16_t p32 = vctp32q((uint32_t)n);
        /* filters past the last channel repeat the first: computed, never stored */
        const int8_t *f0 = filter + (size_t)oc * (size_t)fsz;
        const int8_t *f1 = n > 1 ? f0 + fsz : f0, *f2 = n > 2 ? f0 + 2 * fsz : f0, *f3 = n > 3 ? f0 + 3 * fsz : f0;
        const pml__rq4 r = pml__rq4_load(q, oc, p32);
        const int32x4_t bv = pml__bias4_mve(bias, oc, p32);
        const int32x4_t full = vmlaq_n_s32(bv, pml__sum4_s8_mve(f0, f1, f2, f3, fsz), off);
        int8_t *o = out + oc;
        if (pointwise) { /* every output pixel reads the input pixel at the same index */
            pointwise_rows(in, npix, C, OC, f0, f1, f2, f3, full, &r, ooff, lo, hi, n, o);
            continue;
        }
        for (int32_t b = 0; b < out_d->n; b++) {
            const int8_t *im = in + (size_t)b * img;
            for (int32_t oy = 0; oy < out_d->h; oy++) {
                const int32_t iy0 = oy * p->stride_h - p->pad_h;
                const int32_t fy0 = iy0 < 0 ? -iy0 : 0, fy1 = IH - iy0 < KH ? IH - iy0 : KH;
                for (int32_t ox = 0; ox < out_d->w; ox++, o += OC) {
                    const int32_t ix0 = ox * p->stride_w - p->pad_w;
                    const int32_t fx0 = ix0 < 0 ? -ix0 : 0, fx1 = IW - ix0 < KW ? IW - ix0 : KW;
                    int32x4_t acc;
                    if (fy0 == 0 && fy1 == KH && fx0 == 0 && fx1 == KW) {
                        const int8_t *x = im + (size_t)iy0 * irow + (size_t)ix0 * (size_t)C;
                        acc = vaddq_s32(full, pml__dot4r_s8_mve(x, irow, f0, f1, f2, f3, (size_t)frow, KH, frow));
                    } else {
                        acc = bv;
                        const int32_t len = (fx1 - fx0) * C;
                        for (int32_t fy = fy0; len > 0 && fy < fy1; fy++) {
                            const int8_t *x = im + (size_t)(iy0 + fy) * irow + (size_t)(ix0 + fx0) * (size_t)C;
                            const int32_t fo = fy * frow + fx0 * C;
                            int32x4_t sums;
                            acc = vaddq_s32(acc, pml__dot4_s8_mve(x, f0 + fo, f1 + fo, f2 + fo, f3 + fo, len, &sums));
                            acc = vmlaq_n_s32(acc, sums, off);
                        }
                    }
                    pml__rq4_store(o, acc, &r, ooff, lo, hi, p32);
                }
            }
        }
    }
}
