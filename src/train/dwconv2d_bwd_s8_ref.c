/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DEPTHWISE_CONV_2D backward for int8 graphs, in the dequantized domain, straight-through over
 * the output requantization; the conventions of pml_conv2d_bwd_s8_ref (pml_qgrad), the geometry
 * of pml_dwconv2d_bwd_f32_ref (oc = ic * depth_multiplier + m, filter [1,kh,kw,c_out], weight
 * scales per output channel):
 *   din[b,iy,ix,ic]    += sum dout[b,oy,ox,oc] * s_w[oc] * f_q[0,fy,fx,oc]
 *   dfilter[0,fy,fx,oc] += gscale * wfac[oc] * sum dout[b,oy,ox,oc] * s_x (in_q - zp_x)
 *   dbias[oc]          += gscale * bfac[oc] * sum dout[b,oy,ox,oc]
 */
#include "pml_train_internal.h"

static size_t offset4(const pml_dims4 *d4, int32_t a, int32_t b, int32_t c, int32_t d)
{
    return (((size_t)a * (size_t)d4->h + (size_t)b) * (size_t)d4->w + (size_t)c) * (size_t)d4->c + (size_t)d;
}

void pml_dwconv2d_bwd_s8_ref(const pml_conv_params *p, const pml_qgrad *q, const pml_dims4 *in_d, const int8_t *in,
                             const pml_dims4 *f_d, const int8_t *filter, const pml_dims4 *out_d, const float *dout,
                             float gscale, float *din, float *dfilter, float *dbias)
{
    /* in/din [n,h,w,c_in], filter/dfilter [1,kh,kw,c_out], dout [n,oh,ow,c_out], dbias [c_out] */
    const int32_t dm = p->depth_multiplier;
    for (int32_t b = 0; b < out_d->n; b++) {
        for (int32_t oy = 0; oy < out_d->h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            for (int32_t ox = 0; ox < out_d->w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                for (int32_t oc = 0; oc < out_d->c; oc++) {
                    const int32_t ic = oc / dm;
                    const float g = dout[offset4(out_d, b, oy, ox, oc)];
                    if (g == 0.0f) {
                        continue;
                    }
                    float wfac, bfac;
                    pml__qgrad_factors(q, oc, &wfac, &bfac);
                    const float gx = g * q->w_scale[q->w_scale_count == 1 ? 0 : oc];
                    const float gw = g * gscale * wfac * q->in_scale;
                    if (dbias) {
                        dbias[oc] += g * gscale * bfac;
                    }
                    for (int32_t fy = 0; fy < f_d->h; fy++) {
                        const int32_t iy = iy0 + p->dilation_h * fy;
                        if (iy < 0 || iy >= in_d->h) {
                            continue;
                        }
                        for (int32_t fx = 0; fx < f_d->w; fx++) {
                            const int32_t ix = ix0 + p->dilation_w * fx;
                            if (ix < 0 || ix >= in_d->w) {
                                continue;
                            }
                            const size_t io = offset4(in_d, b, iy, ix, ic);
                            const size_t fo = offset4(f_d, 0, fy, fx, oc);
                            if (din) {
                                din[io] += gx * (float)filter[fo];
                            }
                            if (dfilter) {
                                dfilter[fo] += gw * (float)((int32_t)in[io] - q->in_zp);
                            }
                        }
                    }
                }
            }
        }
    }
}
