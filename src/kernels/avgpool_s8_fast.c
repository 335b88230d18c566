/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AVERAGE_POOL_2D int8, portable fast path: the window is clipped and its element count computed
 * once per output pixel (the reference does it per channel), and four channels' sums are kept in
 * registers while the window is walked. The rounding division and the clamp are the reference's.
 */
#include "pml_kernels.h"

bool pml_avgpool_s8_fast_applies(const pml_pool_params *p, const pml_dims4 *in_d, const pml_dims4 *out_d) {
    (void)p;
    (void)in_d;
    (void)out_d;
    return true;
}

/* round half away from zero, then clamp (TFLite reference_integer_ops::AveragePool) */
PML_INLINE int8_t avg_out(int32_t acc, int32_t n, int32_t lo, int32_t hi) {
    int32_t v = acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
    v = v < lo ? lo : v;
    return (int8_t)(v > hi ? hi : v);
}

bool pml_avgpool_s8_fast(const pml_pool_params *p, const pml_dims4 *in_d, const int8_t *in, const pml_dims4 *out_d,
                         int8_t *out) {
    const int32_t H = in_d->h, W = in_d->w, C = in_d->c, OH = out_d->h, OW = out_d->w;
    const int32_t lo = p->act_min, hi = p->act_max;
    const size_t xrs = (size_t)W * (size_t)C;
    for (int32_t b = 0; b < out_d->n; b++) {
        for (int32_t oy = 0; oy < OH; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            const int32_t fy0 = iy0 < 0 ? -iy0 : 0, fy1 = p->filter_h < H - iy0 ? p->filter_h : H - iy0;
            for (int32_t ox = 0; ox < OW; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                const int32_t fx0 = ix0 < 0 ? -ix0 : 0, fx1 = p->filter_w < W - ix0 ? p->filter_w : W - ix0;
                const int32_t rows = fy1 - fy0, cols = fx1 - fx0;
                if (rows <= 0 || cols <= 0) return false; /* no valid input element */
                const int32_t n = rows * cols;
                const size_t pix0 = ((size_t)b * (size_t)H + (size_t)(iy0 + fy0)) * (size_t)W + (size_t)(ix0 + fx0);
                const int8_t *x0 = in + pix0 * (size_t)C; /* the window's first valid element */
                int8_t *o = out + (((size_t)b * (size_t)OH + (size_t)oy) * (size_t)OW + (size_t)ox) * (size_t)C;
                int32_t c = 0;
                for (; c + 4 <= C; c += 4) {
                    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    const int8_t *xr = x0 + c;
                    for (int32_t r = 0; r < rows; r++, xr += xrs) {
                        const int8_t *x = xr;
                        for (int32_t t = 0; t < cols; t++, x += C) {
                            a0 += x[0];
                            a1 += x[1];
                            a2 += x[2];
                            a3 += x[3];
                        }
                    }
                    o[c] = avg_out(a0, n, lo, hi);
                    o[c + 1] = avg_out(a1, n, lo, hi);
                    o[c + 2] = avg_out(a2, n, lo, hi);
                    o[c + 3] = avg_out(a3, n, lo, hi);
                }
                for (; c < C; c++) {
                    int32_t a = 0;
                    const int8_t *xr = x0 + c;
                    for (int32_t r = 0; r < rows; r++, xr += xrs)
                        for (int32_t t = 0; t < cols; t++) a += xr[(size_t)t * (size_t)C];
                    o[c] = avg_out(a, n, lo, hi);
                }
            }
        }
    }
    return true;
}
