/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FULLY_CONNECTED float forward for training: four units share each input load. Each output's
 * products are summed over d in order into its own accumulator from 0, then the bias is added and
 * the result clamped, as pml_fc_f32_ref does: bit-identical to it without floating-point
 * contraction (tests/train/test_train_fast.c).
 */
#include "pml_train_internal.h"

static float clampf(const pml_fc_params *p, float v)
{
    v = v < p->act_min_f ? p->act_min_f : v;
    v = p->act_max_f < v ? p->act_max_f : v;
    return v;
}

void pml_fc_f32_fast(const pml_fc_params *p, int32_t batches, int32_t depth, int32_t units, const float *in,
                     const float *w, const float *bias, float *out)
{
    /* in [batches, depth], w [units, depth], bias [units] or NULL, out [batches, units] */
    for (int32_t b = 0; b < batches; b++) {
        const float *row_in = in + (size_t)b * (size_t)depth; /* [depth] */
        float *o = out + (size_t)b * (size_t)units;            /* [units] */
        int32_t u = 0;
        for (; u + 4 <= units; u += 4) {
            const float *w0 = w + (size_t)u * (size_t)depth, *w1 = w0 + depth, *w2 = w1 + depth, *w3 = w2 + depth;
            const float *x = row_in;
            float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
            for (int32_t d = 0; d < depth; d++) {
                const float xv = *x++;
                s0 += xv * *w0++;
                s1 += xv * *w1++;
                s2 += xv * *w2++;
                s3 += xv * *w3++;
            }
            o[u] = clampf(p, s0 + (bias != NULL ? bias[u] : 0.0f));
            o[u + 1] = clampf(p, s1 + (bias != NULL ? bias[u + 1] : 0.0f));
            o[u + 2] = clampf(p, s2 + (bias != NULL ? bias[u + 2] : 0.0f));
            o[u + 3] = clampf(p, s3 + (bias != NULL ? bias[u + 3] : 0.0f));
        }
        for (; u < units; u++) {
            const float *wr = w + (size_t)u * (size_t)depth;
            float s = 0.0f;
            for (int32_t d = 0; d < depth; d++) s += row_in[d] * wr[d];
            o[u] = clampf(p, s + (bias != NULL ? bias[u] : 0.0f));
        }
    }
}
