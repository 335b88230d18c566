/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The training's faster float kernels against their reference twins, on random shapes (strides,
 * paddings, windows partly or wholly off the image, channel counts that are and are not multiples
 * of the kernels' blocks, bias or none, fused clamps, zero output gradients, partial-channel
 * parameter gradients, gradients accumulated into non-zero buffers). The fast kernels keep the
 * reference's summation order, so they must agree exactly (tolerance 0). The same for the int8
 * graphs' FULLY_CONNECTED backward (real-domain input gradient, master-domain parameter gradients).
 * And the int8 update's rounding (pml__rint_f32) against lrintf, ties included.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/pml_kernels.h"
#include "pml_test.h"
#include "pml_test_util.h"
#include "train/pml_train_internal.h"

static uint64_t rs = 0xfa57c0de1234ull;
static float frand(void) { return tu_frand(&rs) * 2.0f - 1.0f; }
static int32_t irand(int32_t lo, int32_t hi) { return lo + (int32_t)(tu_rand(&rs) % (uint64_t)(hi - lo + 1)); }
static float *rnd(size_t n, int zero_pct) {
    float *x = malloc((n ? n : 1) * sizeof(float));
    for (size_t i = 0; i < n; i++) x[i] = irand(0, 99) < zero_pct ? 0.0f : frand();
    return x;
}
static float *dup(const float *x, size_t n) {
    float *y = malloc((n ? n : 1) * sizeof(float));
    memcpy(y, x, n * sizeof(float));
    return y;
}
static void clamp_of(pml_conv_params *p) {
    static const float lo[3] = {-INFINITY, 0.0f, -1.0f}, hi[3] = {INFINITY, 6.0f, 1.0f};
    int a = irand(0, 2);
    p->act_min_f = lo[a];
    p->act_max_f = hi[a];
}

/* A random CONV_2D geometry (dilation 1, no groups); every window may be partly off the image. */
static void conv_case(pml_conv_params *p, pml_dims4 *in_d, pml_dims4 *f_d, pml_dims4 *out_d) {
    memset(p, 0, sizeof *p);
    p->stride_h = irand(1, 3);
    p->stride_w = irand(1, 3);
    p->dilation_h = p->dilation_w = 1;
    *in_d = (pml_dims4){irand(1, 2), irand(1, 9), irand(1, 9), irand(1, 10)};
    *f_d = (pml_dims4){irand(1, 11), irand(1, 4), irand(1, 4), in_d->c};
    p->pad_h = irand(0, f_d->h);
    p->pad_w = irand(0, f_d->w);
    int32_t eh = in_d->h + p->pad_h + irand(0, f_d->h) - f_d->h, ew = in_d->w + p->pad_w + irand(0, f_d->w) - f_d->w;
    *out_d = (pml_dims4){in_d->n, eh < 0 ? 1 : eh / p->stride_h + 1, ew < 0 ? 1 : ew / p->stride_w + 1, f_d->n};
    clamp_of(p);
}

static size_t count4(const pml_dims4 *d) { return (size_t)d->n * (size_t)d->h * (size_t)d->w * (size_t)d->c; }

PML_TEST(conv2d_f32_fast_equals_ref) {
    for (int it = 0; it < 400; it++) {
        pml_conv_params p;
        pml_dims4 in_d, f_d, out_d;
        conv_case(&p, &in_d, &f_d, &out_d);
        REQUIRE(pml_conv2d_f32_fast_applies(&p, &in_d, &f_d, &out_d));
        size_t no = count4(&out_d);
        float *in = rnd(count4(&in_d), 10), *f = rnd(count4(&f_d), 0), *bias = irand(0, 1) ? rnd((size_t)f_d.n, 0) : NULL;
        float *want = malloc(no * sizeof(float)), *got = malloc(no * sizeof(float));
        pml_conv2d_f32_ref(&p, &in_d, in, &f_d, f, bias, &out_d, want);
        pml_conv2d_f32_fast(&p, &in_d, in, &f_d, f, bias, &out_d, got);
        CHECK_ARR_F32(got, want, (int)no, 0.0f);
        free(in), free(f), free(bias), free(want), free(got);
    }
    pml_conv_params p = {0};
    p.dilation_h = 2;
    p.dilation_w = 1;
    pml_dims4 d = {1, 4, 4, 2}, fd = {1, 2, 2, 2};
    CHECK(!pml_conv2d_f32_fast_applies(&p, &d, &fd, &d));
}

PML_TEST(fc_f32_fast_equals_ref) {
    for (int it = 0; it < 300; it++) {
        int32_t batches = irand(1, 3), depth = irand(1, 70), units = irand(1, 13);
        pml_fc_params p;
        memset(&p, 0, sizeof p);
        pml_conv_params cp;
        clamp_of(&cp);
        p.act_min_f = cp.act_min_f;
        p.act_max_f = cp.act_max_f;
        size_t no = (size_t)batches * (size_t)units;
        float *in = rnd((size_t)batches * (size_t)depth, 10), *w = rnd((size_t)units * (size_t)depth, 0);
        float *bias = irand(0, 1) ? rnd((size_t)units, 0) : NULL;
        float *want = malloc(no * sizeof(float)), *got = malloc(no * sizeof(float));
        pml_fc_f32_ref(&p, batches, depth, units, in, w, bias, want);
        pml_fc_f32_fast(&p, batches, depth, units, in, w, bias, got);
        CHECK_ARR_F32(got, want, (int)no, 0.0f);
        free(in), free(w), free(bias), free(want), free(got);
    }
}

PML_TEST(avgpool_f32_fast_equals_ref) {
    for (int it = 0; it < 300; it++) {
        pml_pool_params p;
        memset(&p, 0, sizeof p);
        p.filter_h = irand(1, 4);
        p.filter_w = irand(1, 4);
        p.stride_h = irand(1, 3);
        p.stride_w = irand(1, 3);
        p.pad_h = irand(0, p.filter_h - 1);
        p.pad_w = irand(0, p.filter_w - 1);
        pml_conv_params cp;
        clamp_of(&cp);
        p.act_min_f = cp.act_min_f;
        p.act_max_f = cp.act_max_f;
        pml_dims4 in_d = {irand(1, 2), irand(1, 9), irand(1, 9), irand(1, 10)};
        int32_t eh = in_d.h + p.pad_h + irand(0, p.filter_h - 1) - p.filter_h;
        int32_t ew = in_d.w + p.pad_w + irand(0, p.filter_w - 1) - p.filter_w;
        pml_dims4 out_d = {in_d.n, eh < 0 ? 1 : eh / p.stride_h + 1, ew < 0 ? 1 : ew / p.stride_w + 1, in_d.c};
        size_t no = count4(&out_d);
        float *in = rnd(count4(&in_d), 10), *want = malloc(no * sizeof(float)), *got = malloc(no * sizeof(float));
        pml_avgpool_f32_ref(&p, &in_d, in, &out_d, want);
        pml_avgpool_f32_fast(&p, &in_d, in, &out_d, got);
        CHECK_ARR_F32(got, want, (int)no, 0.0f);
        free(in), free(want), free(got);
    }
}

PML_TEST(conv2d_bwd_f32_fast_equals_ref) {
    for (int it = 0; it < 400; it++) {
        pml_conv_params p;
        pml_dims4 in_d, f_d, out_d;
        conv_case(&p, &in_d, &f_d, &out_d);
        if (it % 4 == 3) f_d.n = out_d.c = irand(33, 70); /* more channels than one listing chunk */
        REQUIRE(pml_conv2d_bwd_f32_fast_applies(&p, &in_d, &f_d, &out_d));
        int32_t cout = out_d.c, pw = irand(1, cout), pb = irand(1, cout);
        size_t ni = count4(&in_d), nf = count4(&f_d), fs = nf / (size_t)cout;
        float *in = rnd(ni, 10), *f = rnd(nf, 0), *dout = rnd(count4(&out_d), 40);
        const float gscale = 1.0f / (float)irand(1, 32);
        /* accumulate into non-zero buffers, as over a mini-batch; any of them may be absent */
        float *din0 = irand(0, 3) ? rnd(ni, 0) : NULL, *df0 = irand(0, 3) ? rnd(fs * (size_t)pw, 0) : NULL;
        float *db0 = irand(0, 3) ? rnd((size_t)pb, 0) : NULL;
        float *din1 = din0 ? dup(din0, ni) : NULL, *df1 = df0 ? dup(df0, fs * (size_t)pw) : NULL;
        float *db1 = db0 ? dup(db0, (size_t)pb) : NULL;
        pml_conv2d_bwd_f32_ref(&p, &in_d, in, &f_d, f, &out_d, dout, gscale, pw, pb, din0, df0, db0);
        pml_conv2d_bwd_f32_fast(&p, &in_d, in, &f_d, f, &out_d, dout, gscale, pw, pb, din1, df1, db1);
        if (din0) CHECK_ARR_F32(din1, din0, (int)ni, 0.0f);
        if (df0) CHECK_ARR_F32(df1, df0, (int)(fs * (size_t)pw), 0.0f);
        if (db0) CHECK_ARR_F32(db1, db0, pb, 0.0f);
        free(in), free(f), free(dout), free(din0), free(df0), free(db0), free(din1), free(df1), free(db1);
    }
}

PML_TEST(fc_bwd_s8_fast_equals_ref) {
    for (int it = 0; it < 300; it++) {
        int32_t batches = irand(1, 3), depth = irand(1, 150), units = irand(1, it % 4 == 3 ? 90 : 12);
        int32_t pw = irand(1, units), pb = irand(1, units);
        size_t ni = (size_t)batches * (size_t)depth, nw = (size_t)units * (size_t)depth;
        int8_t *in = malloc(ni), *w = malloc(nw);
        for (size_t i = 0; i < ni; i++) in[i] = (int8_t)irand(-128, 127);
        for (size_t i = 0; i < nw; i++) w[i] = (int8_t)irand(-127, 127);
        float *ws = malloc((size_t)units * sizeof(float));
        for (int32_t u = 0; u < units; u++) ws[u] = 0.001f + 0.01f * tu_frand(&rs);
        pml_qgrad q = {0.05f + 0.1f * tu_frand(&rs), irand(-128, 127), ws, irand(0, 1) ? units : 1, irand(0, 1) != 0};
        float *dout = rnd((size_t)batches * (size_t)units, 40);
        const float gscale = 1.0f / (float)irand(1, 32);
        float *din0 = irand(0, 3) ? rnd(ni, 0) : NULL, *dw0 = irand(0, 3) ? rnd((size_t)pw * (size_t)depth, 0) : NULL;
        float *db0 = irand(0, 3) ? rnd((size_t)pb, 0) : NULL;
        float *din1 = din0 ? dup(din0, ni) : NULL, *dw1 = dw0 ? dup(dw0, (size_t)pw * (size_t)depth) : NULL;
        float *db1 = db0 ? dup(db0, (size_t)pb) : NULL;
        pml_fc_bwd_s8_ref(batches, depth, units, &q, in, w, dout, gscale, pw, pb, din0, dw0, db0);
        pml_fc_bwd_s8_fast(batches, depth, units, &q, in, w, dout, gscale, pw, pb, din1, dw1, db1);
        if (din0) CHECK_ARR_F32(din1, din0, (int)ni, 0.0f);
        if (dw0) CHECK_ARR_F32(dw1, dw0, pw * depth, 0.0f);
        if (db0) CHECK_ARR_F32(db1, db0, pb, 0.0f);
        free(in), free(w), free(ws), free(dout), free(din0), free(dw0), free(db0), free(din1), free(dw1), free(db1);
    }
}

/* pml__rint_f32 (and pml__rint_small_f32 below 2^23) equals lrintf (default rounding mode: to nearest, ties to even). */
PML_TEST(rint_equals_lrintf) {
    long n = 0;
    for (int32_t k = -1200; k <= 1200; k++) { /* quarters: every tie and its neighbours in [-300, 300] */
        float v = (float)k * 0.25f;
        if ((long)pml__rint_f32(v) != lrintf(v)) PML_FAIL_AT("rint(%g) = %g, lrintf %ld", (double)v, (double)pml__rint_f32(v), lrintf(v));
        n++;
    }
    for (int32_t k = -127 * 64; k <= 127 * 64; k++) { /* the int8 weight masters' range, in 1/64 steps */
        float v = (float)k / 64.0f;
        if ((long)pml__rint_small_f32(v) != lrintf(v)) PML_FAIL_AT("rint_small(%g) != lrintf", (double)v);
        n++;
    }
    CHECK_EQ((long)pml__rint_f32(0.5f), 0);
    CHECK_EQ((long)pml__rint_f32(1.5f), 2);
    CHECK_EQ((long)pml__rint_f32(2.5f), 2);
    CHECK_EQ((long)pml__rint_f32(-0.5f), 0);
    CHECK_EQ((long)pml__rint_f32(-2.5f), -2);
    /* around 2^22, 2^23, 2^24 and the int32 clamp of the bias masters, and random magnitudes */
    static const float edges[] = {4194304.0f, 8388608.0f, 16777216.0f, 2147483520.0f};
    for (int e = 0; e < 4; e++)
        for (int s = -1; s <= 1; s += 2)
            for (int d = -40; d <= 40; d++) {
                float v = nextafterf((float)s * edges[e], 0.0f);
                for (int i = 0; i < (d < 0 ? -d : d); i++) v = nextafterf(v, d < 0 ? 0.0f : (float)s * INFINITY);
                if ((long)pml__rint_f32(v) != lrintf(v)) PML_FAIL_AT("rint(%.9g) = %.9g, lrintf %ld", (double)v, (double)pml__rint_f32(v), lrintf(v));
                n++;
            }
    for (int i = 0; i < 200000; i++) {
        float v = frand() * ldexpf(1.0f, irand(-4, 30));
        if ((long)pml__rint_f32(v) != lrintf(v)) PML_FAIL_AT("rint(%.9g) = %.9g, lrintf %ld", (double)v, (double)pml__rint_f32(v), lrintf(v));
        n++;
    }
    CHECK(n > 200000);
}

int main(void) {
    PML_RUN(conv2d_f32_fast_equals_ref);
    PML_RUN(fc_f32_fast_equals_ref);
    PML_RUN(avgpool_f32_fast_equals_ref);
    PML_RUN(conv2d_bwd_f32_fast_equals_ref);
    PML_RUN(fc_bwd_s8_fast_equals_ref);
    PML_RUN(rint_equals_lrintf);
    return PML_TEST_END("train_fast");
}
