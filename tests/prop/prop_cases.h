/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Random cases for the kernel-variant property tests, shared by the host test
 * (tests/prop/test_prop.c, heap buffers) and the on-target firmware (ports/tests/prop_dsp.c, static
 * buffers), so both check exactly the same cases. No allocation, no I/O: the caller owns buffers.
 *
 * Cases cover random shapes, strides, SAME/VALID padding, dilation, depth multipliers, channel
 * counts (1, odd, multiples of 16), a quarter of convolutions pointwise (1x1 stride 1, the shape
 * most MobileNet MACs have), a third of depthwise filters 3x3 without dilation, an eighth one input
 * column with a filter up to 16 tall, a third of
 * requantizations with every shift negative, extreme offsets / biases / data, the full multiplier and shift range,
 * per-tensor and per-channel requantization, and narrowed activation ranges.
 */
#ifndef PML_PROP_CASES_H
#define PML_PROP_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernels/pml_kernels.h"
#include "ops/pml_ops_internal.h"

/* splitmix64: deterministic, seeded per case, so a failing seed reproduces the case alone */
static inline uint64_t prop_u64(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline int32_t prop_rnd(uint64_t *s, int32_t lo, int32_t hi) {
    return lo + (int32_t)(prop_u64(s) % (uint64_t)(hi - lo + 1));
}

static inline void prop_fill_s8(uint64_t *s, int8_t *p, size_t n, bool extreme) {
    for (size_t i = 0; i < n; i++) p[i] = extreme ? (int8_t)((prop_u64(s) & 1) ? 127 : -128) : (int8_t)prop_rnd(s, -128, 127);
}

/* Requantization: mostly realistic (shift -12..1), sometimes the full range, sometimes a zero multiplier;
 * in a third of the calls every shift is -12..-1 (as in trained models: the scale ratio below 1), so that
 * the kernels' forms for that case meet many channels at once. */
static inline void prop_requant(uint64_t *s, int32_t ch, bool per_channel, int32_t *mult, int8_t *shift) {
    const bool neg = prop_u64(s) % 3 == 0; /* every shift negative, as trained models have */
    for (int32_t c = 0; c < (per_channel ? ch : 1); c++) {
        mult[c] = (int32_t)((1u << 30) + (uint32_t)(prop_u64(s) % (1u << 30)));
        shift[c] = (int8_t)(neg                     ? prop_rnd(s, (prop_u64(s) % 8 == 0) ? -31 : -12, -1)
                            : (prop_u64(s) % 8 == 0) ? prop_rnd(s, -31, 30)
                                                     : prop_rnd(s, -12, 1));
        if (prop_u64(s) % 50 == 0) mult[c] = 0;
    }
}

static inline void prop_act(uint64_t *s, int32_t *lo, int32_t *hi) {
    if (prop_u64(s) % 2) {
        *lo = -128;
        *hi = 127;
    } else {
        *lo = prop_rnd(s, -128, 20);
        *hi = prop_rnd(s, *lo, 127);
    }
}

static inline void prop_bias(uint64_t *s, int32_t *bias, int32_t n) {
    for (int32_t c = 0; c < n; c++) bias[c] = (prop_u64(s) % 20 == 0) ? (int32_t)prop_u64(s) : prop_rnd(s, -100000, 100000);
}

/* Largest case: n 2, 11 x 11, 70 channels (x3 depth multiplier), 5 x 5 filters (pools: 2 x 20 x 18 x 70). */
#define PROP_MAX_IN (2 * 11 * 11 * 70 * 3)
#define PROP_MAX_F (70 * 5 * 5 * 70)
#define PROP_MAX_OUT (2 * 11 * 11 * 70 * 3)
#define PROP_MAX_CH 256

typedef struct prop_conv_case {
    pml_conv_params p;
    pml_dims4 in, f, out;
    bool extreme, per_channel, no_bias;
    int32_t pad; /* PML_PAD_SAME / PML_PAD_VALID */
} prop_conv_case;

/* Geometry and quantization of case k; false if the drawn geometry has no output. The caller
 * then fills data with prop_fill_s8 / prop_bias / prop_requant from the same state `s`. */
static inline bool prop_conv_case_draw(int k, bool depthwise, uint64_t *seed, uint64_t *s, prop_conv_case *c) {
    static const int32_t chans[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 48, 64, 65, 70, 16, 32, 64};
    const uint64_t nch = sizeof chans / sizeof chans[0];
    *seed = 0x9e3779b97f4a7c15ull * (uint64_t)(k + 1) + (depthwise ? 7 : 3);
    *s = *seed;
    memset(c, 0, sizeof *c);
    pml_conv_params *p = &c->p;
    c->in.n = prop_rnd(s, 1, 2);
    c->in.h = prop_rnd(s, 1, 11);
    c->in.w = prop_rnd(s, 1, 11);
    c->in.c = chans[prop_u64(s) % nch];
    p->depth_multiplier = depthwise ? ((prop_u64(s) % 4 == 0) ? prop_rnd(s, 2, 3) : 1) : 1;
    const int32_t oc = depthwise ? c->in.c * p->depth_multiplier : chans[prop_u64(s) % nch];
    c->f.n = depthwise ? 1 : oc;
    c->f.h = prop_rnd(s, 1, 5);
    c->f.w = prop_rnd(s, 1, 5);
    c->f.c = depthwise ? oc : c->in.c;
    p->stride_h = prop_rnd(s, 1, 3);
    p->stride_w = prop_rnd(s, 1, 3);
    p->dilation_h = (prop_u64(s) % 5 == 0) ? 2 : 1;
    p->dilation_w = (prop_u64(s) % 5 == 0) ? 2 : 1;
    if (depthwise && prop_u64(s) % 3 == 0) { /* the MobileNet / DS-CNN shape */
        c->f.h = c->f.w = 3;
        p->dilation_h = p->dilation_w = 1;
    }
    if (depthwise && prop_u64(s) % 8 == 0) { /* one column, a tall filter: 1-D along H (streaming audio models) */
        c->in.w = c->f.w = 1;
        c->in.h = prop_rnd(s, 1, 30);
        c->f.h = prop_rnd(s, 1, 16);
        p->dilation_w = 1;
    }
    if (!depthwise && prop_u64(s) % 4 == 0) {
        c->f.h = c->f.w = 1;
        p->stride_h = p->stride_w = 1;
        p->dilation_h = p->dilation_w = 1;
    }
    c->pad = (int32_t)(prop_u64(s) % 2);
    int32_t oh, ow;
    if (!pml__conv_geometry(c->pad, c->in.h, c->f.h, p->stride_h, p->dilation_h, &oh, &p->pad_h) ||
        !pml__conv_geometry(c->pad, c->in.w, c->f.w, p->stride_w, p->dilation_w, &ow, &p->pad_w) || oh < 1 || ow < 1)
        return false;
    c->out.n = c->in.n;
    c->out.h = oh;
    c->out.w = ow;
    c->out.c = oc;
    p->input_offset = prop_rnd(s, -127, 128);
    p->output_offset = prop_rnd(s, -128, 127);
    prop_act(s, &p->act_min, &p->act_max);
    c->extreme = prop_u64(s) % 10 == 0;
    c->per_channel = prop_u64(s) % 5 != 0;
    c->no_bias = prop_u64(s) % 6 == 0;
    return true;
}

typedef struct prop_fc_case {
    pml_fc_params p;
    int32_t batches, depth, units;
    bool extreme, per_channel, no_bias;
} prop_fc_case;

static inline void prop_fc_case_draw(int k, uint64_t *seed, uint64_t *s, prop_fc_case *c) {
    *seed = 0xd1b54a32d192ed03ull * (uint64_t)(k + 1);
    *s = *seed;
    memset(c, 0, sizeof *c);
    c->batches = prop_rnd(s, 1, 4);
    c->depth = prop_rnd(s, 1, 700);
    const uint64_t dk = prop_u64(s) % 8;
    if (dk == 0) c->depth = prop_rnd(s, 1, 16);            /* bottleneck layers (autoencoders): kernels may special-case */
    if (dk == 1) c->depth = 32 * prop_rnd(s, 1, 4);       /* a few 32-byte chunks: kernels may unroll them */
    c->units = prop_rnd(s, 1, 150);
    if ((size_t)c->units * (size_t)c->depth > PROP_MAX_F) c->units = (int32_t)(PROP_MAX_F / (size_t)c->depth);
    c->p.input_offset = prop_rnd(s, -127, 128);
    if (prop_u64(s) % 4 == 0) c->p.input_offset = 128; /* input zero point -128 (after ReLU): kernels may special-case it */
    c->p.output_offset = prop_rnd(s, -128, 127);
    prop_act(s, &c->p.act_min, &c->p.act_max);
    c->extreme = prop_u64(s) % 10 == 0;
    c->per_channel = prop_u64(s) % 3 == 0;
    c->no_bias = prop_u64(s) % 5 == 0;
}

/* Bytes of the largest PML_PACKED_FC_W16X4 buffer of a prop_fc_case (units <= 150, depth <= 700,
 * units * depth <= PROP_MAX_F, both rounded up to 4): (u + 3)(d + 3) <= PROP_MAX_F + 3 * 850 + 9. */
#define PROP_MAX_PACKED (16 + 4 * 156 + 2 * (PROP_MAX_F + 3 * 850 + 9))

typedef struct prop_add_case {
    pml_add_params p;
    pml_bcast5 b;
    int32_t n;
    bool extreme2;
} prop_add_case;

/* A multiplier for the ADD edge cases: 2^30 (the input of the larger scale), either side of the
 * 32-bit form's limits (pml__add_split_make: 2^11 <= m < 2^31 - 2^15), the largest, small ones, or
 * any normalized one. */
static inline int32_t prop_add_mult(uint64_t *s) {
    switch (prop_u64(s) % 8) {
    case 0: return 1 << 30;
    case 1: return INT32_MAX - 32767 + prop_rnd(s, -2, 1);
    case 2: return INT32_MAX - prop_rnd(s, 0, 3);
    case 3: return prop_rnd(s, (1 << 11) - 2, (1 << 11) + 1);
    case 4: return prop_rnd(s, 0, 1 << 20);
    default: return (int32_t)((1u << 30) + (uint32_t)(prop_u64(s) % (1u << 30)));
    }
}

/* ADD parameters drawn directly rather than from scales: extreme multipliers, shifts across the
 * whole range (a third near -20, the 32-bit form's limit), offsets -128..128, sometimes another
 * left shift or a positive output shift. */
static inline void prop_add_extreme(uint64_t *s, pml_add_params *p) {
    p->left_shift = prop_u64(s) % 8 == 0 ? prop_rnd(s, 19, 21) : 20;
    p->input1_offset = prop_rnd(s, -128, 128);
    p->input2_offset = prop_rnd(s, -128, 128);
    p->output_offset = prop_rnd(s, -128, 127);
    p->input1_mult = prop_add_mult(s);
    p->input2_mult = prop_add_mult(s);
    p->output_mult = prop_add_mult(s);
    p->input1_shift = prop_u64(s) % 3 == 0 ? prop_rnd(s, -22, -19) : prop_rnd(s, -31, 0);
    p->input2_shift = prop_u64(s) % 3 == 0 ? prop_rnd(s, -22, -19) : prop_rnd(s, -31, 0);
    p->output_shift = prop_u64(s) % 8 == 0 ? prop_rnd(s, 1, 2) : prop_rnd(s, -31, 0);
}

/* Same-shape ADD with input scales spanning two decades either way (an eighth equal), as real models
 * have; a quarter with extreme parameters (prop_add_extreme). */
static inline void prop_add_case_draw(int k, uint64_t *seed, uint64_t *s, prop_add_case *c) {
    *seed = 0xa0761d6478bd642full * (uint64_t)(k + 1);
    *s = *seed;
    memset(c, 0, sizeof *c);
    c->n = prop_rnd(s, 1, 700);
    for (int i = 0; i < 5; i++) c->b.out[i] = c->b.in1[i] = c->b.in2[i] = i < 4 ? 1 : c->n;
    const float s1 = 0.001f + (float)(prop_u64(s) % 10000) * 1e-5f;
    const float s2 = (prop_u64(s) % 8 == 0) ? s1 : s1 * (0.02f + (float)(prop_u64(s) % 5000) * 1e-2f);
    const float so = (s1 > s2 ? s1 : s2) * (0.5f + (float)(prop_u64(s) % 300) * 1e-2f);
    const int32_t z1 = prop_rnd(s, -128, 127), z2 = prop_rnd(s, -128, 127), zo = prop_rnd(s, -128, 127);
    pml__add_params_s8(s1, z1, s2, z2, so, zo, &c->p);
    if (prop_u64(s) % 4 == 0) prop_add_extreme(s, &c->p);
    prop_act(s, &c->p.act_min, &c->p.act_max);
    c->extreme2 = prop_u64(s) % 8 == 0;
}

typedef struct prop_pool_case {
    pml_pool_params p;
    pml_dims4 in, out;
    bool extreme;
} prop_pool_case;

/* AVERAGE_POOL_2D int8: random windows (a quarter global along a dimension, an eighth global over
 * more than 255 elements), strides, SAME/VALID padding, narrowed activation ranges. False if the
 * drawn geometry has no output. */
static inline bool prop_pool_case_draw(int k, uint64_t *seed, uint64_t *s, prop_pool_case *c) {
    static const int32_t chans[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 32, 33, 64, 65, 70};
    *seed = 0x8bb84b93962eacc9ull * (uint64_t)(k + 1);
    *s = *seed;
    memset(c, 0, sizeof *c);
    pml_pool_params *p = &c->p;
    c->in.n = prop_rnd(s, 1, 2);
    c->in.h = prop_rnd(s, 1, 11);
    c->in.w = prop_rnd(s, 1, 11);
    c->in.c = chans[prop_u64(s) % (sizeof chans / sizeof chans[0])];
    p->filter_h = (prop_u64(s) % 4 == 0) ? c->in.h : prop_rnd(s, 1, 5);
    p->filter_w = (prop_u64(s) % 4 == 0) ? c->in.w : prop_rnd(s, 1, 5);
    if (prop_u64(s) % 8 == 0) { /* a global pool of more than 255 elements (KWS pools 125) */
        c->in.h = p->filter_h = prop_rnd(s, 16, 20);
        c->in.w = p->filter_w = prop_rnd(s, 16, 18);
    }
    p->stride_h = prop_rnd(s, 1, 3);
    p->stride_w = prop_rnd(s, 1, 3);
    const int32_t pad = (int32_t)(prop_u64(s) % 2);
    int32_t oh, ow;
    if (!pml__conv_geometry(pad, c->in.h, p->filter_h, p->stride_h, 1, &oh, &p->pad_h) ||
        !pml__conv_geometry(pad, c->in.w, p->filter_w, p->stride_w, 1, &ow, &p->pad_w) || oh < 1 || ow < 1)
        return false;
    c->out.n = c->in.n;
    c->out.h = oh;
    c->out.w = ow;
    c->out.c = c->in.c;
    prop_act(s, &p->act_min, &p->act_max);
    c->extreme = prop_u64(s) % 10 == 0;
    return true;
}

typedef struct prop_softmax_case {
    pml_softmax_params p;
    int32_t rows, depth;
    int32_t spread; /* inputs drawn from [127 - spread, 127] (0: all equal) */
    bool extreme;
} prop_softmax_case;

/* SOFTMAX int8: short rows (classifier heads) and long ones (past the fast twin's kept exps, and
 * up to sums so large that the output exponent is clamped), input scales over four decades, beta
 * mostly 1, inputs over the full range or bunched near the maximum. */
static inline void prop_softmax_case_draw(int k, uint64_t *seed, uint64_t *s, prop_softmax_case *c) {
    *seed = 0x2545f4914f6cdd1dull * (uint64_t)(k + 1);
    *s = *seed;
    memset(c, 0, sizeof *c);
    c->rows = prop_rnd(s, 1, 4);
    c->depth = (prop_u64(s) % 2) ? prop_rnd(s, 1, 70) : prop_rnd(s, 1, 1000);
    const double scale = 0.0005 * (double)(1 + prop_u64(s) % 10000) / (prop_u64(s) % 4 == 0 ? 10.0 : 1.0);
    const double beta = (prop_u64(s) % 4 == 0) ? 0.1 + (double)(prop_u64(s) % 400) * 0.01 : 1.0;
    pml__softmax_params_s8(beta, (double)(float)scale, &c->p);
    const int32_t spreads[] = {255, 255, 255, 40, 8, 1, 0};
    c->spread = spreads[prop_u64(s) % (sizeof spreads / sizeof spreads[0])];
    c->extreme = prop_u64(s) % 10 == 0;
}

static inline void prop_softmax_fill(uint64_t *s, const prop_softmax_case *c, int8_t *in) {
    const size_t n = (size_t)c->rows * (size_t)c->depth;
    if (c->extreme) {
        prop_fill_s8(s, in, n, true);
        return;
    }
    for (size_t i = 0; i < n; i++) in[i] = (int8_t)(127 - prop_rnd(s, 0, c->spread));
}

#endif /* PML_PROP_CASES_H */
