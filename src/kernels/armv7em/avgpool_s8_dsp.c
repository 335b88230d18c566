/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AVERAGE_POOL_2D int8, Arm v7E-M DSP: for windows of at most 255 elements a channel's sum fits an
 * int16 lane (255 * 128 = 32640), so per window position one word of four channels and two
 * SXTAB16 (lanes (0,2) and (1,3) accumulate); larger windows sum in int32 per channel. The
 * rounding division and the clamp are the reference's. Covers every shape (the portable fast
 * variant is not built beside it).
 */
#include "pml_dot_s8_dsp.h"

bool pml_avgpool_s8_dsp_applies(const pml_pool_params *p, const pml_dims4 *in_d, const pml_dims4 *out_d) {
    (void)p;
    (void)in_d;
    (void)out_d;
    return true;
}

PML_INLINE int8_t avg_out(int32_t acc, int32_t n, int32_t lo, int32_t hi) {
    int32_t v = acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
    v = v < lo ? lo : v;
    return (int8_t)(v > hi ? hi : v);
}

bool pml_avgpool_s8_dsp(const pml_pool_params *p, const pml_dims4 *in_d, const int8_t *in, const pml_dims4 *out_d,
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
                for (; n <= 255 && c + 4 <= C; c += 4) {
                    uint32_t se = 0, so = 0; /* int16 lanes: channels (0,2) and (1,3) */
                    const int8_t *xr = x0 + c;
                    for (int32_t r = 0; r < rows; r++, xr += xrs) {
                        const int8_t *x = xr;
                        for (int32_t t = 0; t < cols; t++, x += C) {
                            const uint32_t v = pml__ld32(x);
                            se = pml__sxtab16(se, v);
                            so = pml__sxtab16_r8(so, v);
                        }
                    }
                    o[c] = avg_out((int16_t)(se & 0xFFFFu), n, lo, hi);
                    o[c + 1] = avg_out((int16_t)(so & 0xFFFFu), n, lo, hi);
                    o[c + 2] = avg_out((int32_t)se >> 16, n, lo, hi);
                    o[c + 3] = avg_out((int32_t)so >> 16, n, lo, hi);
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
