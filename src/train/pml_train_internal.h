/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Backward reference kernels, losses and the optimizer (float32). Plain loops, no allocation.
 * Conventions:
 *   - dout is dL/d(output) of one forward call; gradients are ACCUMULATED (+=) into din / dw / db,
 *     so several consumers of a tensor, and several samples of a mini-batch, add up. The caller
 *     clears a buffer before its first writer.
 *   - Parameter gradients (dw, db) are scaled by `gscale` (1/batch) as they are added; input
 *     gradients (din) are not. Any of din / dw / db may be NULL: that gradient is skipped.
 *   - `pw` / `pb`: weight / bias gradients only for the first pw / pb output channels (sparse update
 *     of some channels); dw / db then hold just those channels' rows ([pw, ...] / [pb]).
 *   - Fused activations are handled by pml_act_bwd_f32_ref on dout before the op's backward.
 *   - Layouts and geometry are the forward kernels' (src/kernels/pml_kernels.h).
 */
#ifndef PML_TRAIN_INTERNAL_H
#define PML_TRAIN_INTERNAL_H

#include <float.h>
#include <math.h>

#include "../kernels/pml_kernels.h"

/* Fused activation: dy[i] = 0 where the forward output y[i] sat on the clamp (y <= lo or y >= hi). */
PML_INTERNAL void pml_act_bwd_f32_ref(float lo, float hi, size_t n, const float *y, float *dy);

/* FULLY_CONNECTED: in [batches, depth], w [units, depth], dout [batches, units]. */
PML_INTERNAL void pml_fc_bwd_f32_ref(int32_t batches, int32_t depth, int32_t units, const float *in, const float *w,
                                     const float *dout, float gscale, int32_t pw, int32_t pb, float *din, float *dw,
                                     float *db);

/* CONV_2D (no groups: f_d->c == in_d->c): in [n,h,w,c_in], filter [c_out,kh,kw,c_in], dout [n,oh,ow,c_out]. */
PML_INTERNAL void pml_conv2d_bwd_f32_ref(const pml_conv_params *p, const pml_dims4 *in_d, const float *in,
                                         const pml_dims4 *f_d, const float *filter, const pml_dims4 *out_d,
                                         const float *dout, float gscale, int32_t pw, int32_t pb, float *din,
                                         float *dfilter, float *dbias);

/* DEPTHWISE_CONV_2D: in [n,h,w,c_in], filter [1,kh,kw,c_out], c_out = c_in * depth_multiplier. */
PML_INTERNAL void pml_dwconv2d_bwd_f32_ref(const pml_conv_params *p, const pml_dims4 *in_d, const float *in,
                                           const pml_dims4 *f_d, const float *filter, const pml_dims4 *out_d,
                                           const float *dout, float gscale, float *din, float *dfilter,
                                           float *dbias);

/* AVERAGE_POOL_2D: each output's gradient spread evenly over its window's valid taps. */
PML_INTERNAL void pml_avgpool_bwd_f32_ref(const pml_pool_params *p, const pml_dims4 *in_d, const pml_dims4 *out_d,
                                          const float *dout, float *din);

/* ADD with broadcasting: din1/din2 [b->in1/in2 shapes] += dout summed over broadcast dims. */
PML_INTERNAL void pml_add_bwd_f32_ref(const pml_bcast5 *b, const float *dout, float *din1, float *din2);

/* SOFTMAX (rows x depth, beta): din += beta * y * (dout - sum(dout * y)) per row, y = forward output. */
PML_INTERNAL void pml_softmax_bwd_f32_ref(float beta, int32_t rows, int32_t depth, const float *y,
                                          const float *dout, float *din);

/* Softmax + cross-entropy on logits z [n]: returns -sum t*log softmax(z); dz (if non-NULL) is SET to
 * softmax(z)*sum(t) - t. */
PML_INTERNAL float pml_softmax_xent_f32_ref(int32_t n, const float *z, const float *target, float *dz);
/* The same when the graph's last op is SOFTMAX(beta) with output p [n]: dz is SET to
 * beta*(p*sum(t) - t), the gradient w.r.t. that softmax's input. */
PML_INTERNAL float pml_softmax_xent_probs_f32_ref(int32_t n, float beta, const float *p, const float *target,
                                                  float *dz);
/* Mean squared error over n values: returns mean((y-t)^2); dy (if non-NULL) is SET to 2(y-t)/n. */
PML_INTERNAL float pml_mse_f32_ref(size_t n, const float *y, const float *target, float *dy);

/* SGD with momentum (PyTorch form: v = m*v + g; w -= lr*v) with the gradient summed into v:
 * begin: v *= m before the first sample of a batch; step: w -= lr * v after the last. */
PML_INTERNAL void pml_sgd_begin_f32_ref(size_t n, float momentum, float *v);
PML_INTERNAL void pml_sgd_step_f32_ref(size_t n, float lr, const float *v, float *w);

/* ---- int8 graphs (quantization-aware scaling) ------------------------------------------------
 * Gradients are computed in the dequantized (real) domain, straight-through over requantization,
 * with activations and weights dequantized on the fly. Parameter gradients are accumulated in the
 * domain of the float masters, which hold the QUANTIZED values (W_bar = W / s_w[c], int8 units;
 * b_bar = b / (s_w[c] s_x), int32 units): d/dW_bar = s_w dL/dW and d/db_bar = s_w s_x dL/db.
 * With QAS (Lin et al. 2022) those are scaled by s_w^-2 and s_w^-2 s_x^-2, i.e. the factors are
 * wfac = 1/s_w, bfac = 1/(s_w s_x); without QAS wfac = s_w, bfac = s_w s_x. */
typedef struct pml_qgrad {
    float in_scale;         /* s_x                               */
    int32_t in_zp;          /* input zero point                  */
    const float *w_scale;   /* [w_scale_count] s_w per out channel */
    int32_t w_scale_count;  /* 1 (per tensor) or c_out            */
    bool qas;
} pml_qgrad;
PML_INTERNAL void pml__qgrad_factors(const pml_qgrad *q, int32_t ch, float *wfac, float *bfac);
/* Fused activation / int8 saturation: dy[i] = 0 where y[i] <= lo or y[i] >= hi (quantized clamp). */
PML_INTERNAL void pml_act_bwd_s8_ref(int32_t lo, int32_t hi, size_t n, const int8_t *y, float *dy);
/* FULLY_CONNECTED int8: in [batches, depth], w [units, depth]; din real-domain, dw / db master-domain. */
PML_INTERNAL void pml_fc_bwd_s8_ref(int32_t batches, int32_t depth, int32_t units, const pml_qgrad *q,
                                    const int8_t *in, const int8_t *w, const float *dout, float gscale, int32_t pw,
                                    int32_t pb, float *din, float *dw, float *db);
/* CONV_2D int8 (no groups), shapes as pml_conv2d_bwd_f32_ref. */
PML_INTERNAL void pml_conv2d_bwd_s8_ref(const pml_conv_params *p, const pml_qgrad *q, const pml_dims4 *in_d,
                                        const int8_t *in, const pml_dims4 *f_d, const int8_t *filter,
                                        const pml_dims4 *out_d, const float *dout, float gscale, int32_t pw,
                                        int32_t pb, float *din, float *dfilter, float *dbias);
/* DEPTHWISE_CONV_2D int8, shapes as pml_dwconv2d_bwd_f32_ref (every channel trains: no pw / pb). */
PML_INTERNAL void pml_dwconv2d_bwd_s8_ref(const pml_conv_params *p, const pml_qgrad *q, const pml_dims4 *in_d,
                                          const int8_t *in, const pml_dims4 *f_d, const int8_t *filter,
                                          const pml_dims4 *out_d, const float *dout, float gscale, float *din,
                                          float *dfilter, float *dbias);
/* AVERAGE_POOL_2D and ADD int8: the int8 forward needs equal input / output quantization for the
 * pool and rescales ADD's inputs to the output's, so in the real domain y = mean(x) and
 * y = x1 + x2 (straight-through over rounding): their backward is the float one on real-domain
 * gradients (pml_avgpool_bwd_f32_ref, pml_add_bwd_f32_ref) after pml_act_bwd_s8_ref. */

/* ---- faster float variants (training picks them at init; each has a reference twin above or in
 * src/kernels, and tests/train/test_train_fast.c compares them). They keep the reference's
 * summation order per output / per gradient element, so without floating-point contraction they
 * are bit-identical to it; only the loop nests differ. */
/* CONV_2D forward, dilation 1, no groups (pml_conv2d_f32_ref). */
PML_INTERNAL bool pml_conv2d_f32_fast_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                              const pml_dims4 *out_d);
PML_INTERNAL void pml_conv2d_f32_fast(const pml_conv_params *p, const pml_dims4 *in_d, const float *in,
                                      const pml_dims4 *f_d, const float *filter, const float *bias,
                                      const pml_dims4 *out_d, float *out);
/* FULLY_CONNECTED forward (pml_fc_f32_ref). */
PML_INTERNAL void pml_fc_f32_fast(const pml_fc_params *p, int32_t batches, int32_t depth, int32_t units,
                                  const float *in, const float *w, const float *bias, float *out);

/* AVERAGE_POOL_2D forward (pml_avgpool_f32_ref). */
PML_INTERNAL void pml_avgpool_f32_fast(const pml_pool_params *p, const pml_dims4 *in_d, const float *in,
                                       const pml_dims4 *out_d, float *out);
/* CONV_2D backward, dilation 1, no groups (pml_conv2d_bwd_f32_ref; same arguments). */
PML_INTERNAL bool pml_conv2d_bwd_f32_fast_applies(const pml_conv_params *p, const pml_dims4 *in_d,
                                                  const pml_dims4 *f_d, const pml_dims4 *out_d);
PML_INTERNAL void pml_conv2d_bwd_f32_fast(const pml_conv_params *p, const pml_dims4 *in_d, const float *in,
                                          const pml_dims4 *f_d, const float *filter, const pml_dims4 *out_d,
                                          const float *dout, float gscale, int32_t pw, int32_t pb, float *din,
                                          float *dfilter, float *dbias);

/* FULLY_CONNECTED backward, int8 graphs (pml_fc_bwd_s8_ref; same arguments). */
PML_INTERNAL void pml_fc_bwd_s8_fast(int32_t batches, int32_t depth, int32_t units, const pml_qgrad *q,
                                     const int8_t *in, const int8_t *w, const float *dout, float gscale, int32_t pw,
                                     int32_t pb, float *din, float *dw, float *db);

/* Round to an integral float exactly as lrintf does in the default rounding mode (to nearest, ties
 * to even: 0.5 -> 0, 1.5 -> 2, -2.5 -> -2), without a libm call (newlib's lrintf is software, ~50
 * instructions on a Cortex-M4; this is an add, a subtract and two compares). For |v| < 2^23, v +
 * 2^23 (same sign as v) lies where floats are spaced 1 apart, so the addition itself rounds (in the
 * FPU's current mode, as lrintf); subtracting 2^23 again is exact. |v| >= 2^23 is integral already
 * (NaN is returned as is).
 * Needs float arithmetic in float precision (FLT_EVAL_METHOD 0, no -ffast-math); otherwise rintf. */
PML_INLINE float pml__rint_small_f32(float v) { /* the same for |v| < 2^23 only (one compare less) */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
    const float m = v < 0.0f ? -8388608.0f : 8388608.0f; /* 2^23 */
    return (v + m) - m;
#else
    return rintf(v);
#endif
}
PML_INLINE float pml__rint_f32(float v) {
    return v < 8388608.0f && v > -8388608.0f ? pml__rint_small_f32(v) : v;
}

#endif /* PML_TRAIN_INTERNAL_H */
