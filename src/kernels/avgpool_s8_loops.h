/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the fast int8 AVERAGE_POOL_2D kernels share (avgpool_s8_fast.c, armv7em/avgpool_s8_dsp.c):
 * the window of an output pixel clipped to the input once, the scalar loop for leftover channels,
 * and the reference's rounding division and clamp. The kernels differ only in how they sum a block
 * of channels over the window.
 */
#ifndef PML_AVGPOOL_S8_LOOPS_H
#define PML_AVGPOOL_S8_LOOPS_H

#include "pml_kernels.h"

/* round half away from zero, then clamp (TFLite reference_integer_ops::AveragePool) */
PML_INLINE int8_t pml__avg_out(int32_t acc, int32_t n, int32_t lo, int32_t hi) {
    int32_t v = acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
    v = v < lo ? lo : v;
    return (int8_t)(v > hi ? hi : v);
}

/* One output pixel's window: its first valid input element, rows x cols valid elements (n in all),
 * the input row stride and the output pixel. */
typedef struct pml_avg_win {
    const int8_t *x0;
    int8_t *o;
    int32_t rows, cols, n;
    size_t xrs;
} pml_avg_win;

/* false if the window holds no input element (the reference then fails too) */
PML_INLINE bool pml__avg_window(const pml_pool_params *p, const pml_dims4 *in_d, const int8_t *in, const pml_dims4 *out_d,
                                int8_t *out, int32_t b, int32_t oy, int32_t ox, pml_avg_win *w) {
    const int32_t H = in_d->h, W = in_d->w, C = in_d->c;
    const int32_t iy0 = oy * p->stride_h - p->pad_h, ix0 = ox * p->stride_w - p->pad_w;
    const int32_t fy0 = iy0 < 0 ? -iy0 : 0, fy1 = p->filter_h < H - iy0 ? p->filter_h : H - iy0;
    const int32_t fx0 = ix0 < 0 ? -ix0 : 0, fx1 = p->filter_w < W - ix0 ? p->filter_w : W - ix0;
    w->rows = fy1 - fy0;
    w->cols = fx1 - fx0;
    if (w->rows <= 0 || w->cols <= 0) return false;
    w->n = w->rows * w->cols;
    w->xrs = (size_t)W * (size_t)C;
    const size_t pix0 = ((size_t)b * (size_t)H + (size_t)(iy0 + fy0)) * (size_t)W + (size_t)(ix0 + fx0);
    w->x0 = in + pix0 * (size_t)C;
    w->o = out + (((size_t)b * (size_t)out_d->h + (size_t)oy) * (size_t)out_d->w + (size_t)ox) * (size_t)C;
    return true;
}

/* channels c..C-1 of the window, one at a time */
PML_INLINE void pml__avg_channels(const pml_avg_win *w, int32_t c, int32_t C, int32_t lo, int32_t hi) {
    for (; c < C; c++) {
        int32_t a = 0;
        const int8_t *xr = w->x0 + c;
        for (int32_t r = 0; r < w->rows; r++, xr += w->xrs)
            for (int32_t t = 0; t < w->cols; t++) a += xr[(size_t)t * (size_t)C];
        w->o[c] = pml__avg_out(a, w->n, lo, hi);
    }
}

#endif /* PML_AVGPOOL_S8_LOOPS_H */
