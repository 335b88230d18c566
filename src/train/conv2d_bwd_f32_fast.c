/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CONV_2D backward for training (dilation 1, no groups): pml_conv2d_bwd_f32_ref's arithmetic in a
 * cheaper loop nest. Per output pixel: the valid window is computed once (no per-tap branch), the
 * output channels with a non-zero gradient are listed once (the reference skips the others too),
 * and with dilation 1 each valid filter row and the input pixels under it are one contiguous span
 * of (fx1 - fx0) * c_in values.
 *   dfilter / dbias: each element gets one product per output pixel, so per pixel their order does
 *     not matter; pixels run in the reference's order (b, oy, ox).
 *   din: at one output pixel each din element sits under one tap of every filter, and the
 *     reference adds g[oc] * filter[oc, tap] for oc ascending; here the element is loaded once,
 *     the same products are added in the same order in a register, and it is stored once.
 * So without floating-point contraction the result is bit-identical to the reference
 * (tests/train/test_train_fast.c).
 */
#include "pml_train_internal.h"

#define NZ_CHUNK 32 /* output channels listed at a time (stack: 8 bytes each) */

bool pml_conv2d_bwd_f32_fast_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                     const pml_dims4 *out_d)
{
    (void)out_d;
    return p->dilation_h == 1 && p->dilation_w == 1 && f_d->c == in_d->c;
}

/* din[0..span) += sum over k of g[k] * w[k][0..span), k ascending, w[k] = filter + foff[k] */
static void din_span(int32_t span, int32_t nz, const float *g, const size_t *foff, const float *filter, float *dx)
{
    int32_t j = 0;
    for (; j + 4 <= span; j += 4) {
        float a0 = dx[j], a1 = dx[j + 1], a2 = dx[j + 2], a3 = dx[j + 3];
        for (int32_t k = 0; k < nz; k++) {
            const float gk = g[k];
            const float *w = filter + foff[k] + (size_t)j;
            a0 += gk * w[0];
            a1 += gk * w[1];
            a2 += gk * w[2];
            a3 += gk * w[3];
        }
        dx[j] = a0;
        dx[j + 1] = a1;
        dx[j + 2] = a2;
        dx[j + 3] = a3;
    }
    for (; j < span; j++) {
        float a = dx[j];
        for (int32_t k = 0; k < nz; k++) a += g[k] * filter[foff[k] + (size_t)j];
        dx[j] = a;
    }
}

/* df[oc_k][0..span) += gw[k] * x[0..span) for the n listed channels (df[oc] = df + oc * fstride);
 * four (then two) channels share each input load. */
static void df_span(int32_t span, int32_t n, const float *gw, const int32_t *oc, size_t fstride, const float *x,
                    float *df)
{
    int32_t k = 0;
    for (; k + 4 <= n; k += 4) {
        const float g0 = gw[k], g1 = gw[k + 1], g2 = gw[k + 2], g3 = gw[k + 3];
        float *d0 = df + (size_t)oc[k] * fstride, *d1 = df + (size_t)oc[k + 1] * fstride;
        float *d2 = df + (size_t)oc[k + 2] * fstride, *d3 = df + (size_t)oc[k + 3] * fstride;
        for (int32_t j = 0; j < span; j++) {
            const float xv = x[j];
            d0[j] += g0 * xv;
            d1[j] += g1 * xv;
            d2[j] += g2 * xv;
            d3[j] += g3 * xv;
        }
    }
    if (k + 2 <= n) {
        const float g0 = gw[k], g1 = gw[k + 1];
        float *d0 = df + (size_t)oc[k] * fstride, *d1 = df + (size_t)oc[k + 1] * fstride;
        for (int32_t j = 0; j < span; j++) {
            const float xv = x[j];
            d0[j] += g0 * xv;
            d1[j] += g1 * xv;
        }
        k += 2;
    }
    if (k < n) {
        const float g = gw[k];
        float *d = df + (size_t)oc[k] * fstride;
        for (int32_t j = 0; j < span; j++) d[j] += g * x[j];
    }
}

void pml_conv2d_bwd_f32_fast(const pml_conv_params *p, const pml_dims4 *in_d, const float *in, const pml_dims4 *f_d,
                             const float *filter, const pml_dims4 *out_d, const float *dout, float gscale, int32_t pw,
                             int32_t pb, float *din, float *dfilter, float *dbias)
{
    /* in/din [n,h,w,c_in], filter/dfilter [c_out,kh,kw,c_in] (dfilter: first pw filters),
     * dout [n,oh,ow,c_out], dbias [pb] */
    const int32_t cin = in_d->c, cout = out_d->c, kh = f_d->h, kw = f_d->w;
    const size_t fstride = (size_t)kh * (size_t)kw * (size_t)cin; /* one filter     */
    const size_t in_row = (size_t)in_d->w * (size_t)cin;           /* one input row  */
    const size_t f_row = (size_t)kw * (size_t)cin;                 /* one filter row */
    float nz_g[NZ_CHUNK];   /* non-zero output gradients of this pixel (a chunk of them) */
    float nz_gw[NZ_CHUNK];  /* the same times gscale                                     */
    int32_t nz_oc[NZ_CHUNK]; /* their channels, ascending                                  */
    size_t nz_f[NZ_CHUNK];  /* filter[oc, fy0 + r, fx0, 0] offsets, for the current row r  */
    for (int32_t b = 0; b < out_d->n; b++) {
        for (int32_t oy = 0; oy < out_d->h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            const int32_t fy0 = iy0 < 0 ? -iy0 : 0;
            const int32_t fy1 = in_d->h - iy0 < kh ? in_d->h - iy0 : kh;
            for (int32_t ox = 0; ox < out_d->w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
                const int32_t fx1 = in_d->w - ix0 < kw ? in_d->w - ix0 : kw;
                const int32_t rows = fy1 > fy0 && fx1 > fx0 ? fy1 - fy0 : 0;
                const int32_t span = rows > 0 ? (fx1 - fx0) * cin : 0;
                /* in[b, iy0+fy0, ix0+fx0, 0] (din the same) and filter[0, fy0, fx0, 0] */
                const size_t xo = rows > 0 ? (((size_t)b * (size_t)in_d->h + (size_t)(iy0 + fy0)) * (size_t)in_d->w +
                                              (size_t)(ix0 + fx0)) * (size_t)cin
                                           : 0;
                const size_t fo = ((size_t)fy0 * (size_t)kw + (size_t)fx0) * (size_t)cin;
                const float *g = dout + (((size_t)b * (size_t)out_d->h + (size_t)oy) * (size_t)out_d->w + (size_t)ox) *
                                            (size_t)cout; /* [c_out] */
                for (int32_t c0 = 0; c0 < cout; c0 += NZ_CHUNK) {
                    const int32_t c1 = cout - c0 < NZ_CHUNK ? cout : c0 + NZ_CHUNK;
                    int32_t nz = 0;
                    for (int32_t oc = c0; oc < c1; oc++) {
                        if (g[oc] != 0.0f) {
                            nz_g[nz] = g[oc];
                            nz_oc[nz++] = oc;
                        }
                    }
                    /* dbias, and the gradient scaled for the parameters; the listed channels below pw
                     * are a prefix of the list (it is ascending) */
                    int32_t np = 0;
                    for (int32_t k = 0; k < nz; k++) {
                        const int32_t oc = nz_oc[k];
                        nz_gw[k] = nz_g[k] * gscale;
                        if (dbias && oc < pb) {
                            dbias[oc] += nz_gw[k];
                        }
                        np += oc < pw;
                    }
                    if (dfilter) {
                        for (int32_t r = 0; r < rows; r++) {
                            const float *x = in + xo + (size_t)r * in_row;
                            float *dfr = dfilter + fo + (size_t)r * f_row; /* dfilter[0, fy0 + r, fx0, 0] */
                            df_span(span, np, nz_gw, nz_oc, fstride, x, dfr);
                        }
                    }
                    if (din && nz > 0) {
                        for (int32_t r = 0; r < rows; r++) {
                            for (int32_t k = 0; k < nz; k++) nz_f[k] = (size_t)nz_oc[k] * fstride + fo + (size_t)r * f_row;
                            din_span(span, nz, nz_g, nz_f, filter, din + xo + (size_t)r * in_row);
                        }
                    }
                }
            }
        }
    }
}
