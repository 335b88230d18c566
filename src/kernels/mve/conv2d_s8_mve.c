/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CONV_2D int8, Arm Helium: dilation 1, one group (filter depth == input channels).
 *
 * Per output pixel, the filter taps inside the image form, for each filter row fy, one contiguous
 * run of (fx1 - fx0) * C bytes in the input and the same run in every filter [oc, fy, fx0.., :]
 * (NHWC, dilation 1): padding taps are skipped as in the reference. Four output channels at a time
 * share each input load (pml__dot4_s8_mve: 16 MACs per VMLADAVA; a 1x1 convolution is one run of C
 * per pixel, the FULLY_CONNECTED loop). The input offset enters as offset * (sum of the weights of
 * the taps used). Requantization of the four channels in one vector. No scratch.
 */
#include "pml_mve.h"

bool pml_conv2d_s8_mve_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                               const pml_dims4 *out_d) {
    (void)out_d;
    return p->dilation_h == 1 && p->dilation_w == 1 && f_d->c == in_d->c;
}

void pml_conv2d_s8_mve(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                       const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d,
                       int8_t *out) {
    const int32_t C = in_d->c, OC = out_d->c, KH = f_d->h, KW = f_d->w;
    const int32_t off = p->input_offset, ooff = p->output_offset, lo = p->act_min, hi = p->act_max;
    const size_t frow = (size_t)KW * (size_t)C, fsz = (size_t)KH * frow; /* one filter row, one filter */
    const size_t irow = (size_t)in_d->w * (size_t)C;
    for (int32_t b = 0; b < out_d->n; b++) {
        const int8_t *img = in + (size_t)b * (size_t)in_d->h * irow;
        for (int32_t oy = 0; oy < out_d->h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            const int32_t fy0 = iy0 < 0 ? -iy0 : 0, fy1 = in_d->h - iy0 < KH ? in_d->h - iy0 : KH;
            for (int32_t ox = 0; ox < out_d->w; ox++, out += OC) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                const int32_t fx0 = ix0 < 0 ? -ix0 : 0, fx1 = in_d->w - ix0 < KW ? in_d->w - ix0 : KW;
                const int32_t len = fx1 > fx0 ? (fx1 - fx0) * C : 0;
                const int8_t *x0 = img + (size_t)(ix0 + fx0) * (size_t)C; /* + (iy0 + fy) * irow per row */
                for (int32_t oc = 0; oc < OC; oc += 4) {
                    const int32_t n = OC - oc < 4 ? OC - oc : 4;
                    const int8_t *f0 = filter + (size_t)oc * fsz + (size_t)fx0 * (size_t)C;
                    const int8_t *f1 = n > 1 ? f0 + fsz : f0, *f2 = n > 2 ? f0 + 2 * fsz : f0,
                                 *f3 = n > 3 ? f0 + 3 * fsz : f0;
                    int32_t d[4] = {0, 0, 0, 0}, s[4] = {0, 0, 0, 0};
                    if (len > 0)
                        for (int32_t fy = fy0; fy < fy1; fy++) {
                            const size_t fo = (size_t)fy * frow;
                            pml__dot4_s8_mve(x0 + (size_t)(iy0 + fy) * irow, f0 + fo, f1 + fo, f2 + fo, f3 + fo, len, d,
                                             s);
                        }
                    const mve_pred16_t p32 = vctp32q((uint32_t)n);
                    const pml__rq4 r = pml__rq4_load(q, oc, p32);
                    pml__rq4_store(out + oc, pml__acc4_mve(d, s, off, bias, oc, p32), &r, ooff, lo, hi, p32);
                }
            }
        }
    }
}
