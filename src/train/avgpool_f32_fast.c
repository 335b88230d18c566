/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AVERAGE_POOL_2D float forward for training: pml_avgpool_f32_ref's arithmetic with the window
 * and its tap count computed once per output pixel and four channels summed at a time (the
 * channels of one input pixel are adjacent). Each output still sums its taps in the reference's
 * order (fy, fx) from 0, divides by the tap count and clamps: bit-identical to the reference
 * (tests/train/test_train_fast.c). A window without a valid tap gives 0 (clamped), as there.
 */
#include "pml_train_internal.h"

static float clampf(const pml_pool_params *p, float v)
{
    v = v < p->act_min_f ? p->act_min_f : v;
    v = p->act_max_f < v ? p->act_max_f : v;
    return v;
}

void pml_avgpool_f32_fast(const pml_pool_params *p, const pml_dims4 *in_d, const float *in, const pml_dims4 *out_d,
                          float *out)
{
    /* in [n, h, w, c], out [n, oh, ow, c] */
    const int32_t ch = out_d->c;
    const size_t in_row = (size_t)in_d->w * (size_t)ch;
    for (int32_t b = 0; b < out_d->n; b++) {
        for (int32_t oy = 0; oy < out_d->h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            const int32_t fy0 = iy0 < 0 ? -iy0 : 0;
            const int32_t fy1 = p->filter_h < in_d->h - iy0 ? p->filter_h : in_d->h - iy0;
            for (int32_t ox = 0; ox < out_d->w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
                const int32_t fx1 = p->filter_w < in_d->w - ix0 ? p->filter_w : in_d->w - ix0;
                const int32_t ny = fy1 > fy0 ? fy1 - fy0 : 0, nx = fx1 > fx0 ? fx1 - fx0 : 0;
                const int32_t count = ny * nx;
                float *o = out + (((size_t)b * (size_t)out_d->h + (size_t)oy) * (size_t)out_d->w + (size_t)ox) * (size_t)ch;
                if (count == 0) {
                    for (int32_t c = 0; c < ch; c++) o[c] = clampf(p, 0.0f);
                    continue;
                }
                /* in[b, iy0+fy0, ix0+fx0, 0] */
                const float *x0 = in + (((size_t)b * (size_t)in_d->h + (size_t)(iy0 + fy0)) * (size_t)in_d->w +
                                        (size_t)(ix0 + fx0)) * (size_t)ch;
                const float fc = (float)count;
                int32_t c = 0;
                for (; c + 4 <= ch; c += 4) {
                    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
                    for (int32_t y = 0; y < ny; y++) {
                        const float *x = x0 + (size_t)y * in_row + (size_t)c;
                        for (int32_t i = 0; i < nx; i++, x += ch) {
                            s0 += x[0];
                            s1 += x[1];
                            s2 += x[2];
                            s3 += x[3];
                        }
                    }
                    o[c] = clampf(p, s0 / fc);
                    o[c + 1] = clampf(p, s1 / fc);
                    o[c + 2] = clampf(p, s2 / fc);
                    o[c + 3] = clampf(p, s3 / fc);
                }
                for (; c < ch; c++) {
                    float s = 0.0f;
                    for (int32_t y = 0; y < ny; y++) {
                        const float *x = x0 + (size_t)y * in_row + (size_t)c;
                        for (int32_t i = 0; i < nx; i++, x += ch) s += *x;
                    }
                    o[c] = clampf(p, s / fc);
                }
            }
        }
    }
}
