/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CONV_2D float forward for training (dilation 1, no groups): the reference's arithmetic in a
 * cheaper loop nest. Per output pixel the valid window [fy0, fy1) x [fx0, fx1) is computed once
 * (no per-tap padding branch); with dilation 1 the taps fx0..fx1-1 of one filter row and the
 * input pixels under them are adjacent in memory, so each valid filter row is one contiguous span
 * of (fx1 - fx0) * c_in products; four output channels share each input load, and two neighbouring
 * output pixels with the same window share each weight load.
 * Each output's products are still summed in the reference order (fy, fx, ic, padding taps
 * skipped) into its own accumulator starting at 0, then the bias is added and the result clamped
 * as pml_conv2d_f32_ref does: without floating-point contraction the two are bit-identical
 * (tests/train/test_train_fast.c).
 */
#include "pml_train_internal.h"

bool pml_conv2d_f32_fast_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                 const pml_dims4 *out_d)
{
    (void)out_d;
    return p->dilation_h == 1 && p->dilation_w == 1 && f_d->c == in_d->c;
}

static float clampf(const pml_conv_params *p, float v)
{
    v = v < p->act_min_f ? p->act_min_f : v;
    v = p->act_max_f < v ? p->act_max_f : v;
    return v;
}

/* One output pixel: out[oc] for every oc, from `rows` filter rows of `span` products each. */
static void pixel(const pml_conv_params *p, int32_t cout, int32_t rows, int32_t span, size_t in_row, size_t f_row,
                  size_t fstride, const float *x0, const float *f0, const float *bias, float *o)
{
    int32_t oc = 0;
    for (; oc + 4 <= cout; oc += 4) {
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
        for (int32_t r = 0; r < rows; r++) {
            const float *x = x0 + (size_t)r * in_row;
            const float *w0 = f0 + (size_t)oc * fstride + (size_t)r * f_row;
            const float *w1 = w0 + fstride, *w2 = w1 + fstride, *w3 = w2 + fstride;
            for (int32_t j = 0; j < span; j++) {
                const float xv = *x++;
                s0 += xv * *w0++;
                s1 += xv * *w1++;
                s2 += xv * *w2++;
                s3 += xv * *w3++;
            }
        }
        o[oc] = clampf(p, s0 + (bias != NULL ? bias[oc] : 0.0f));
        o[oc + 1] = clampf(p, s1 + (bias != NULL ? bias[oc + 1] : 0.0f));
        o[oc + 2] = clampf(p, s2 + (bias != NULL ? bias[oc + 2] : 0.0f));
        o[oc + 3] = clampf(p, s3 + (bias != NULL ? bias[oc + 3] : 0.0f));
    }
    for (; oc < cout; oc++) {
        float s = 0.0f;
        for (int32_t r = 0; r < rows; r++) {
            const float *x = x0 + (size_t)r * in_row;
            const float *w = f0 + (size_t)oc * fstride + (size_t)r * f_row;
            for (int32_t j = 0; j < span; j++) s += x[j] * w[j];
        }
        o[oc] = clampf(p, s + (bias != NULL ? bias[oc] : 0.0f));
    }
}

/* Two output pixels of one row with the same valid window (inputs xstep apart, outputs cout
 * apart): each weight load serves both. Channels beyond the last block of 4 go through pixel(). */
static void pixel_pair(const pml_conv_params *p, int32_t cout, int32_t rows, int32_t span, size_t in_row,
                       size_t f_row, size_t fstride, size_t xstep, const float *x0, const float *f0,
                       const float *bias, float *o)
{
    int32_t oc = 0;
    for (; oc + 4 <= cout; oc += 4) {
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f; /* first pixel  */
        float t0 = 0.0f, t1 = 0.0f, t2 = 0.0f, t3 = 0.0f; /* second pixel */
        for (int32_t r = 0; r < rows; r++) {
            const float *xa = x0 + (size_t)r * in_row, *xb = xa + xstep;
            const float *w0 = f0 + (size_t)oc * fstride + (size_t)r * f_row;
            const float *w1 = w0 + fstride, *w2 = w1 + fstride, *w3 = w2 + fstride;
            for (int32_t j = 0; j < span; j++) {
                const float a = *xa++, b = *xb++;
                const float v0 = *w0++, v1 = *w1++, v2 = *w2++, v3 = *w3++;
                s0 += a * v0;
                t0 += b * v0;
                s1 += a * v1;
                t1 += b * v1;
                s2 += a * v2;
                t2 += b * v2;
                s3 += a * v3;
                t3 += b * v3;
            }
        }
        float *ob = o + cout;
        o[oc] = clampf(p, s0 + (bias != NULL ? bias[oc] : 0.0f));
        o[oc + 1] = clampf(p, s1 + (bias != NULL ? bias[oc + 1] : 0.0f));
        o[oc + 2] = clampf(p, s2 + (bias != NULL ? bias[oc + 2] : 0.0f));
        o[oc + 3] = clampf(p, s3 + (bias != NULL ? bias[oc + 3] : 0.0f));
        ob[oc] = clampf(p, t0 + (bias != NULL ? bias[oc] : 0.0f));
        ob[oc + 1] = clampf(p, t1 + (bias != NULL ? bias[oc + 1] : 0.0f));
        ob[oc + 2] = clampf(p, t2 + (bias != NULL ? bias[oc + 2] : 0.0f));
        ob[oc + 3] = clampf(p, t3 + (bias != NULL ? bias[oc + 3] : 0.0f));
    }
    if (oc < cout) {
        const float *fr = f0 + (size_t)oc * fstride;
        const float *br = bias != NULL ? bias + oc : NULL;
        pixel(p, cout - oc, rows, span, in_row, f_row, fstride, x0, fr, br, o + oc);
        pixel(p, cout - oc, rows, span, in_row, f_row, fstride, x0 + xstep, fr, br, o + cout + oc);
    }
}

void pml_conv2d_f32_fast(const pml_conv_params *p, const pml_dims4 *in_d, const float *in, const pml_dims4 *f_d,
                         const float *filter, const float *bias, const pml_dims4 *out_d, float *out)
{
    /* in [n,h,w,c_in], filter [c_out,kh,kw,c_in], bias [c_out] or NULL, out [n,oh,ow,c_out] */
    const int32_t cin = in_d->c, cout = out_d->c, kh = f_d->h, kw = f_d->w;
    const size_t fstride = (size_t)kh * (size_t)kw * (size_t)cin; /* one filter        */
    const size_t in_row = (size_t)in_d->w * (size_t)cin;           /* one input row     */
    const size_t f_row = (size_t)kw * (size_t)cin;                 /* one filter row    */
    const size_t xstep = (size_t)p->stride_w * (size_t)cin;        /* next output pixel */
    for (int32_t b = 0; b < out_d->n; b++) {
        for (int32_t oy = 0; oy < out_d->h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            const int32_t fy0 = iy0 < 0 ? -iy0 : 0;
            const int32_t fy1 = in_d->h - iy0 < kh ? in_d->h - iy0 : kh;
            for (int32_t ox = 0; ox < out_d->w;) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
                const int32_t fx1 = in_d->w - ix0 < kw ? in_d->w - ix0 : kw;
                const int32_t rows = fy1 > fy0 && fx1 > fx0 ? fy1 - fy0 : 0;
                const int32_t span = rows > 0 ? (fx1 - fx0) * cin : 0;
                /* in[b, iy0+fy0, ix0+fx0, 0] and filter[0, fy0, fx0, 0]: the first valid tap */
                const float *x0 = rows > 0 ? in + (((size_t)b * (size_t)in_d->h + (size_t)(iy0 + fy0)) * (size_t)in_d->w +
                                                   (size_t)(ix0 + fx0)) * (size_t)cin
                                           : in;
                const float *f0 = rows > 0 ? filter + ((size_t)fy0 * (size_t)kw + (size_t)fx0) * (size_t)cin : filter;
                float *o = out + (((size_t)b * (size_t)out_d->h + (size_t)oy) * (size_t)out_d->w + (size_t)ox) * (size_t)cout;
                /* the next pixel has the same window if neither is clipped differently at the edges */
                const int32_t nx0 = ix0 + p->stride_w;
                const bool pair = ox + 1 < out_d->w && rows > 0 && fx0 == (nx0 < 0 ? -nx0 : 0) &&
                                  fx1 == (in_d->w - nx0 < kw ? in_d->w - nx0 : kw);
                if (pair) {
                    pixel_pair(p, cout, rows, span, in_row, f_row, fstride, xstep, x0, f0, bias, o);
                    ox += 2;
                } else {
                    pixel(p, cout, rows, span, in_row, f_row, fstride, x0, f0, bias, o);
                    ox += 1;
                }
            }
        }
    }
}
