/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FULLY_CONNECTED backward for int8 graphs, in the dequantized (real) domain, straight-through
 * over the output requantization:  x = s_x (x_q - zp_x),  W[u,d] = s_w[u] W_q[u,d]
 *   din[b,d] += sum_u dout[b,u] * W[u,d]                         (float, real domain)
 *   dw[u,d]  += gscale * wfac[u] * sum_b dout[b,u] * x[b,d]        (master domain, see pml_qgrad)
 *   db[u]    += gscale * bfac[u] * sum_b dout[b,u]
 * Activations and weights are dequantized on the fly: no float copy of either exists.
 */
#include "pml_train_internal.h"

void pml__qgrad_factors(const pml_qgrad *q, int32_t ch, float *wfac, float *bfac)
{
    const float sw = q->w_scale[q->w_scale_count == 1 ? 0 : ch];
    if (q->qas) {
        *wfac = 1.0f / sw;
        *bfac = 1.0f / (sw * q->in_scale);
    } else {
        *wfac = sw;
        *bfac = sw * q->in_scale;
    }
}

void pml_act_bwd_s8_ref(int32_t lo, int32_t hi, size_t n, const int8_t *y, float *dy)
{
    /* y, dy [n] */
    for (size_t i = 0; i < n; i++) {
        if ((int32_t)y[i] <= lo || (int32_t)y[i] >= hi) {
            dy[i] = 0.0f;
        }
    }
}

void pml_fc_bwd_s8_ref(int32_t batches, int32_t depth, int32_t units, const pml_qgrad *q, const int8_t *in,
                       const int8_t *w, const float *dout, float gscale, int32_t pw, int32_t pb, float *din,
                       float *dw, float *db)
{
    /* in [batches, depth] int8, w [units, depth] int8, dout [batches, units] */
    for (int32_t b = 0; b < batches; b++) {
        const int8_t *x = in + (size_t)b * (size_t)depth; /* [depth] */
        float *dx = din ? din + (size_t)b * (size_t)depth : NULL;
        for (int32_t u = 0; u < units; u++) {
            const float g = dout[(size_t)b * (size_t)units + (size_t)u];
            if (g == 0.0f) {
                continue;
            }
            float wfac, bfac;
            pml__qgrad_factors(q, u, &wfac, &bfac);
            const int8_t *wr = w + (size_t)u * (size_t)depth; /* [depth] */
            if (dx) {
                const float gs = g * q->w_scale[q->w_scale_count == 1 ? 0 : u];
                for (int32_t d = 0; d < depth; d++) {
                    dx[d] += gs * (float)wr[d];
                }
            }
            if (dw && u < pw) {
                const float gw = g * gscale * wfac * q->in_scale;
                float *dwr = dw + (size_t)u * (size_t)depth; /* [depth] */
                for (int32_t d = 0; d < depth; d++) {
                    dwr[d] += gw * (float)((int32_t)x[d] - q->in_zp);
                }
            }
            if (db && u < pb) {
                db[u] += g * gscale * bfac;
            }
        }
    }
}
