/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AVERAGE_POOL_2D int8, Arm v7E-M DSP: for windows of at most 255 elements a channel's sum fits an
 * int16 lane (255 * 128 = 32640), so per window position one word of four channels and two
 * SXTAB16 (lanes (0,2) and (1,3) accumulate); larger windows sum in int32 per channel. The
 * rounding division and the clamp are the reference's. Covers every shape (the portable fast
 * variant is not built beside it).
 */
#include "pml_dot_s8_dsp.h"
#include "../avgpool_s8_loops.h"

bool pml_avgpool_s8_dsp(const pml_pool_params *p, const pml_dims4 *in_d, const int8_t *in, const pml_dims4 *out_d,
                        int8_t *out) {
    const int32_t C = in_d->c, lo = p->act_min, hi = p->act_max;
    for (int32_t b = 0; b < out_d->n; b++) {
        for (int32_t oy = 0; oy < out_d->h; oy++) {
            for (int32_t ox = 0; ox < out_d->w; ox++) {
                pml_avg_win win;
                if (!pml__avg_window(p, in_d, in, out_d, out, b, oy, ox, &win)) return false; /* no valid input */
                const int32_t rows = win.rows, cols = win.cols, n = win.n;
                const size_t xrs = win.xrs;
                const int8_t *x0 = win.x0;
                int8_t *o = win.o;
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
                    o[c] = pml__avg_out((int16_t)(se & 0xFFFFu), n, lo, hi);
                    o[c + 1] = pml__avg_out((int16_t)(so & 0xFFFFu), n, lo, hi);
                    o[c + 2] = pml__avg_out((int32_t)se >> 16, n, lo, hi);
                    o[c + 3] = pml__avg_out((int32_t)so >> 16, n, lo, hi);
                }
                pml__avg_channels(&win, c, C, lo, hi);
            }
        }
    }
    return true;
}
