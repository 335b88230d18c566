/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FULLY_CONNECTED backward (out[b,u] = sum_d in[b,d] * w[u,d] + bias[u]):
 *   din[b,d] += sum_u dout[b,u] * w[u,d]
 *   dw[u,d]  += gscale * sum_b dout[b,u] * in[b,d]
 *   db[u]    += gscale * sum_b dout[b,u]
 * Loops are axpy-shaped (no reductions in the inner loop) so compilers vectorize them.
 */
#include "pml_train_internal.h"

void pml_fc_bwd_f32_ref(int32_t batches, int32_t depth, int32_t units, const float *in, const float *w,
                        const float *dout, float gscale, int32_t pw, int32_t pb, float *din, float *dw, float *db)
{
    /* in [batches, depth], w [units, depth], dout [batches, units] */
    for (int32_t b = 0; b < batches; b++) {
        const float *x = in + (size_t)b * (size_t)depth; /* [depth] */
        float *dx = din ? din + (size_t)b * (size_t)depth : NULL;
        for (int32_t u = 0; u < units; u++) {
            const float g = dout[(size_t)b * (size_t)units + (size_t)u];
            if (g == 0.0f) {
                continue;
            }
            if (dx) {
                const float *wr = w + (size_t)u * (size_t)depth; /* [depth] */
                for (int32_t d = 0; d < depth; d++) {
                    dx[d] += g * wr[d];
                }
            }
            const float gw = g * gscale;
            if (dw && u < pw) {
                float *dwr = dw + (size_t)u * (size_t)depth; /* [depth] */
                for (int32_t d = 0; d < depth; d++) {
                    dwr[d] += gw * x[d];
                }
            }
            if (db && u < pb) {
                db[u] += gw;
            }
        }
    }
}
