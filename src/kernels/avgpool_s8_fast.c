/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AVERAGE_POOL_2D int8, portable fast path: the window is clipped and its element count computed
 * once per output pixel (the reference does it per channel), and four channels' sums are kept in
 * registers while the window is walked. The rounding division and the clamp are the reference's.
 */
#include "avgpool_s8_loops.h"

bool pml_avgpool_s8_fast(const pml_pool_params *p, const pml_dims4 *in_d, const int8_t *in, const pml_dims4 *out_d,
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
                    o[c] = pml__avg_out(a0, n, lo, hi);
                    o[c + 1] = pml__avg_out(a1, n, lo, hi);
                    o[c + 2] = pml__avg_out(a2, n, lo, hi);
                    o[c + 3] = pml__avg_out(a3, n, lo, hi);
                }
                pml__avg_channels(&win, c, C, lo, hi);
            }
        }
    }
    return true;
}
