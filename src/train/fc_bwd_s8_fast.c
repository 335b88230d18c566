/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FULLY_CONNECTED backward for int8 graphs: pml_fc_bwd_s8_ref's arithmetic in a cheaper loop nest.
 * Per batch row the units with a non-zero output gradient are listed once (the reference skips the
 * others too), with their factors computed as the reference computes them.
 *   din: each element gets gs[u] * (float)W_q[u, d] for u ascending, as in the reference; here it
 *     is loaded once, four elements accumulate in registers over the listed units, stored once.
 *   dw: one product per element per batch row; the dequantized input row is converted once per
 *     chunk of d (stack), not once per unit.
 * So without floating-point contraction the result is bit-identical to the reference
 * (tests/train/test_train_fast.c).
 */
#include "pml_train_internal.h"

#define NZ_CHUNK 32 /* units listed at a time  */
#define X_CHUNK 64  /* input values dequantized at a time */

void pml_fc_bwd_s8_fast(int32_t batches, int32_t depth, int32_t units, const pml_qgrad *q, const int8_t *in,
                        const int8_t *w, const float *dout, float gscale, int32_t pw, int32_t pb, float *din, float *dw,
                        float *db)
{
    /* in [batches, depth] int8, w [units, depth] int8, dout [batches, units], dw [pw, depth], db [pb] */
    float nz_g[NZ_CHUNK];        /* din: g * s_w[u] of the listed units */
    const int8_t *nz_w[NZ_CHUNK]; /* their weight rows                   */
    float xf[X_CHUNK];           /* dequantized input chunk (x - zp)    */
    for (int32_t b = 0; b < batches; b++) {
        const int8_t *x = in + (size_t)b * (size_t)depth;          /* [depth] */
        const float *g = dout + (size_t)b * (size_t)units;         /* [units] */
        float *dx = din ? din + (size_t)b * (size_t)depth : NULL; /* [depth] */
        /* parameter gradients */
        for (int32_t u = 0; db && u < pb; u++) {
            if (g[u] != 0.0f) {
                float wfac, bfac;
                pml__qgrad_factors(q, u, &wfac, &bfac);
                db[u] += g[u] * gscale * bfac;
            }
        }
        for (int32_t d0 = 0; dw && d0 < depth; d0 += X_CHUNK) {
            const int32_t nd = depth - d0 < X_CHUNK ? depth - d0 : X_CHUNK;
            for (int32_t d = 0; d < nd; d++) xf[d] = (float)((int32_t)x[d0 + d] - q->in_zp);
            for (int32_t u = 0; u < pw; u++) {
                if (g[u] == 0.0f) {
                    continue;
                }
                float wfac, bfac;
                pml__qgrad_factors(q, u, &wfac, &bfac);
                const float gw = g[u] * gscale * wfac * q->in_scale;
                float *dwr = dw + (size_t)u * (size_t)depth + (size_t)d0; /* [nd] */
                for (int32_t d = 0; d < nd; d++) dwr[d] += gw * xf[d];
            }
        }
        if (!dx) {
            continue;
        }
        /* input gradient, units in ascending order */
        for (int32_t u0 = 0; u0 < units; u0 += NZ_CHUNK) {
            const int32_t u1 = units - u0 < NZ_CHUNK ? units : u0 + NZ_CHUNK;
            int32_t nz = 0;
            for (int32_t u = u0; u < u1; u++) {
                if (g[u] != 0.0f) {
                    nz_g[nz] = g[u] * q->w_scale[q->w_scale_count == 1 ? 0 : u];
                    nz_w[nz++] = w + (size_t)u * (size_t)depth;
                }
            }
            if (nz == 0) {
                continue;
            }
            int32_t d = 0;
            for (; d + 4 <= depth; d += 4) {
                float a0 = dx[d], a1 = dx[d + 1], a2 = dx[d + 2], a3 = dx[d + 3];
                for (int32_t k = 0; k < nz; k++) {
                    const float gs = nz_g[k];
                    const int8_t *wr = nz_w[k] + d;
                    a0 += gs * (float)wr[0];
                    a1 += gs * (float)wr[1];
                    a2 += gs * (float)wr[2];
                    a3 += gs * (float)wr[3];
                }
                dx[d] = a0;
                dx[d + 1] = a1;
                dx[d + 2] = a2;
                dx[d + 3] = a3;
            }
            for (; d < depth; d++) {
                float a = dx[d];
                for (int32_t k = 0; k < nz; k++) a += nz_g[k] * (float)nz_w[k][d];
                dx[d] = a;
            }
        }
    }
}
