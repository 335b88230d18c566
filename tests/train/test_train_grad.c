/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Training gradients against central finite differences.
 *   Kernels: for each backward kernel, random small shapes and a random projection r, the scalar
 *   L = sum(r * forward(...)) in double; analytic d/d(every input, weight, bias) from the backward
 *   kernel with dout = r must equal (L(x+e) - L(x-e)) / (2e) (per element, all elements).
 *   Engine: the same through pml_train (forward, loss, backward over whole graphs with fused
 *   activations, ADD, RESHAPE, fused SOFTMAX + cross-entropy, MSE, cross-entropy on logits),
 *   perturbing the trained tensors' arena copies and re-running pml_train_loss.
 *   SGD with momentum: two steps (batch 1) and one batch of 2, against the update written out.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/pml_kernels.h"
#include "pml/pml_train.h"
#include "pml_test.h"
#include "pml_test_util.h"
#include "train/pml_train_internal.h"

static uint64_t rs = 0x5eed1234abcdull;
static float frand(void) { return tu_frand(&rs) * 2.0f - 1.0f; }
static int32_t irand(int32_t lo, int32_t hi) { return lo + (int32_t)(tu_rand(&rs) % (uint64_t)(hi - lo + 1)); }
static void fill(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] = frand();
}
static double dot(const float *a, const float *b, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * (double)b[i];
    return s;
}

typedef double (*loss_fn)(void *ctx);

static double g_max_err; /* worst |analytic - numeric| / (1 + |numeric|) seen, for the summary */

static double central(float *x, size_t i, loss_fn f, void *ctx, float eps) {
    float save = x[i], xp = save + eps, xm = save - eps;
    x[i] = xp;
    double lp = f(ctx);
    x[i] = xm;
    double lm = f(ctx);
    x[i] = save;
    return (lp - lm) / ((double)xp - (double)xm);
}

/* |forward - backward| one-sided difference: ~0 where f is smooth, the slope jump at a kink. */
static double one_sided_gap(float *x, size_t i, loss_fn f, void *ctx, float eps) {
    float save = x[i], xp = save + eps, xm = save - eps;
    double l0 = f(ctx);
    x[i] = xp;
    double lp = f(ctx);
    x[i] = xm;
    double lm = f(ctx);
    x[i] = save;
    return fabs((lp - l0) / ((double)xp - (double)save) - (l0 - lm) / ((double)save - (double)xm));
}

static int g_kinks; /* elements skipped because the loss is not smooth there (ReLU kink) */

/* Compare analytic[i] with the central difference of f over x[i], for every i. With `kinks`, an
 * element whose forward and backward differences disagree (a ReLU / clamp kink within eps: the
 * loss is not differentiable there) is skipped and counted. */
static int fd_check_k(const char *what, float *x, size_t n, const float *analytic, loss_fn f, void *ctx, float eps,
                      double tol, bool kinks) {
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        double num = central(x, i, f, ctx, eps);
        if (kinks && one_sided_gap(x, i, f, ctx, eps) > 0.5 * tol * (1.0 + fabs(num))) {
            g_kinks++;
            continue;
        }
        double err = fabs(num - (double)analytic[i]) / (1.0 + fabs(num));
        if (err > g_max_err) g_max_err = err;
        if (err > tol) {
            if (bad < 3)
                fprintf(stderr, "  %s[%zu]: analytic %.6g, numeric %.6g\n", what, i, (double)analytic[i], num);
            bad++;
        }
    }
    return bad;
}
static int fd_check(const char *what, float *x, size_t n, const float *analytic, loss_fn f, void *ctx, float eps,
                    double tol) {
    return fd_check_k(what, x, n, analytic, f, ctx, eps, tol, false);
}

/* ---- FULLY_CONNECTED ------------------------------------------------------------------------ */
typedef struct fc_ctx {
    int32_t b, d, u;
    float *in, *w, *bias, *out, *r;
    pml_fc_params p;
} fc_ctx;
static double fc_loss(void *c) {
    fc_ctx *k = c;
    pml_fc_f32_ref(&k->p, k->b, k->d, k->u, k->in, k->w, k->bias, k->out);
    return dot(k->out, k->r, (size_t)(k->b * k->u));
}

PML_TEST(fc_backward_matches_finite_differences) {
    for (int trial = 0; trial < 4; trial++) {
        fc_ctx k = {irand(1, 3), irand(1, 9), irand(1, 7), 0, 0, 0, 0, 0, {0}};
        k.p.act_min_f = -INFINITY;
        k.p.act_max_f = INFINITY;
        size_t ni = (size_t)(k.b * k.d), nw = (size_t)(k.u * k.d), no = (size_t)(k.b * k.u);
        k.in = malloc(ni * 4), k.w = malloc(nw * 4), k.bias = malloc((size_t)k.u * 4), k.out = malloc(no * 4),
        k.r = malloc(no * 4);
        float *di = calloc(ni, 4), *dw = calloc(nw, 4), *db = calloc((size_t)k.u, 4);
        fill(k.in, ni), fill(k.w, nw), fill(k.bias, (size_t)k.u), fill(k.r, no);
        pml_fc_bwd_f32_ref(k.b, k.d, k.u, k.in, k.w, k.r, 1.0f, k.u, k.u, di, dw, db);
        CHECK(fd_check("fc din", k.in, ni, di, fc_loss, &k, 1e-2f, 1e-3) == 0);
        CHECK(fd_check("fc dw", k.w, nw, dw, fc_loss, &k, 1e-2f, 1e-3) == 0);
        CHECK(fd_check("fc db", k.bias, (size_t)k.u, db, fc_loss, &k, 1e-2f, 1e-3) == 0);
        /* gscale scales parameter gradients only; accumulation adds */
        pml_fc_bwd_f32_ref(k.b, k.d, k.u, k.in, k.w, k.r, 0.5f, k.u, k.u, NULL, dw, db);
        float *dw2 = calloc(nw, 4);
        pml_fc_bwd_f32_ref(k.b, k.d, k.u, k.in, k.w, k.r, 1.5f, k.u, k.u, NULL, dw2, NULL);
        for (size_t i = 0; i < nw; i++) CHECK(fabsf(dw[i] - dw2[i]) <= 1e-5f * (1.0f + fabsf(dw2[i])));
        free(dw2), free(k.in), free(k.w), free(k.bias), free(k.out), free(k.r), free(di), free(dw), free(db);
    }
}

/* ---- CONV_2D / DEPTHWISE_CONV_2D --------------------------------------------------------------- */
typedef struct conv_ctx {
    bool dw;
    pml_conv_params p;
    pml_dims4 in_d, f_d, out_d;
    float *in, *f, *bias, *out, *r;
} conv_ctx;
static double conv_loss(void *c) {
    conv_ctx *k = c;
    if (k->dw)
        pml_dwconv2d_f32_ref(&k->p, &k->in_d, k->in, &k->f_d, k->f, k->bias, &k->out_d, k->out);
    else
        pml_conv2d_f32_ref(&k->p, &k->in_d, k->in, &k->f_d, k->f, k->bias, &k->out_d, k->out);
    size_t no = (size_t)k->out_d.n * (size_t)k->out_d.h * (size_t)k->out_d.w * (size_t)k->out_d.c;
    return dot(k->out, k->r, no);
}
static int32_t geom(bool same, int32_t in, int32_t f, int32_t s, int32_t d, int32_t *pad) {
    int32_t eff = (f - 1) * d + 1, o = same ? (in + s - 1) / s : (in - eff + s) / s;
    int32_t total = (o - 1) * s + eff - in;
    *pad = total > 0 ? total / 2 : 0;
    return o;
}

static void conv_case(bool dw, int trial) {
    conv_ctx k;
    memset(&k, 0, sizeof k);
    k.dw = dw;
    bool same = trial % 2 == 0;
    int32_t cin = irand(1, 3), dm = dw ? irand(1, 2) : 1, cout = dw ? cin * dm : irand(1, 4);
    int32_t kh = irand(1, 3), kw = irand(1, 3);
    k.p.stride_h = irand(1, 2), k.p.stride_w = irand(1, 2);
    k.p.dilation_h = trial == 3 ? 2 : 1, k.p.dilation_w = trial == 3 ? 2 : 1;
    k.p.depth_multiplier = dm;
    k.p.act_min_f = -INFINITY, k.p.act_max_f = INFINITY;
    k.in_d = (pml_dims4){irand(1, 2), irand(5, 7), irand(5, 7), cin};
    k.f_d = dw ? (pml_dims4){1, kh, kw, cout} : (pml_dims4){cout, kh, kw, cin};
    k.out_d.n = k.in_d.n, k.out_d.c = cout;
    k.out_d.h = geom(same, k.in_d.h, kh, k.p.stride_h, k.p.dilation_h, &k.p.pad_h);
    k.out_d.w = geom(same, k.in_d.w, kw, k.p.stride_w, k.p.dilation_w, &k.p.pad_w);
    size_t ni = (size_t)k.in_d.n * (size_t)(k.in_d.h * k.in_d.w * cin), nf = (size_t)(kh * kw * cout) * (size_t)(dw ? 1 : cin);
    size_t no = (size_t)k.out_d.n * (size_t)(k.out_d.h * k.out_d.w * cout);
    k.in = malloc(ni * 4), k.f = malloc(nf * 4), k.bias = malloc((size_t)cout * 4), k.out = malloc(no * 4), k.r = malloc(no * 4);
    float *di = calloc(ni, 4), *df = calloc(nf, 4), *db = calloc((size_t)cout, 4);
    fill(k.in, ni), fill(k.f, nf), fill(k.bias, (size_t)cout), fill(k.r, no);
    if (dw)
        pml_dwconv2d_bwd_f32_ref(&k.p, &k.in_d, k.in, &k.f_d, k.f, &k.out_d, k.r, 1.0f, di, df, db);
    else
        pml_conv2d_bwd_f32_ref(&k.p, &k.in_d, k.in, &k.f_d, k.f, &k.out_d, k.r, 1.0f, k.out_d.c, k.out_d.c, di, df, db);
    CHECK(fd_check(dw ? "dw din" : "conv din", k.in, ni, di, conv_loss, &k, 1e-2f, 1e-3) == 0);
    CHECK(fd_check(dw ? "dw df" : "conv df", k.f, nf, df, conv_loss, &k, 1e-2f, 1e-3) == 0);
    CHECK(fd_check(dw ? "dw db" : "conv db", k.bias, (size_t)cout, db, conv_loss, &k, 1e-2f, 1e-3) == 0);
    free(k.in), free(k.f), free(k.bias), free(k.out), free(k.r), free(di), free(df), free(db);
}

PML_TEST(conv2d_backward_matches_finite_differences) {
    for (int t = 0; t < 6; t++) conv_case(false, t);
}
PML_TEST(dwconv2d_backward_matches_finite_differences) {
    for (int t = 0; t < 6; t++) conv_case(true, t);
}

/* ---- AVERAGE_POOL_2D -------------------------------------------------------------------------- */
typedef struct pool_ctx {
    pml_pool_params p;
    pml_dims4 in_d, out_d;
    float *in, *out, *r;
} pool_ctx;
static double pool_loss(void *c) {
    pool_ctx *k = c;
    pml_avgpool_f32_ref(&k->p, &k->in_d, k->in, &k->out_d, k->out);
    return dot(k->out, k->r, (size_t)(k->out_d.n * k->out_d.h * k->out_d.w * k->out_d.c));
}
PML_TEST(avgpool_backward_matches_finite_differences) {
    for (int t = 0; t < 4; t++) {
        pool_ctx k;
        memset(&k, 0, sizeof k);
        bool same = t % 2 == 0; /* SAME: edge windows have fewer valid taps */
        k.p.filter_h = irand(2, 3), k.p.filter_w = irand(2, 3), k.p.stride_h = irand(1, 2), k.p.stride_w = irand(1, 2);
        k.p.act_min_f = -INFINITY, k.p.act_max_f = INFINITY;
        k.in_d = (pml_dims4){irand(1, 2), irand(4, 7), irand(4, 7), irand(1, 3)};
        k.out_d = k.in_d;
        k.out_d.h = geom(same, k.in_d.h, k.p.filter_h, k.p.stride_h, 1, &k.p.pad_h);
        k.out_d.w = geom(same, k.in_d.w, k.p.filter_w, k.p.stride_w, 1, &k.p.pad_w);
        size_t ni = (size_t)(k.in_d.n * k.in_d.h * k.in_d.w * k.in_d.c), no = (size_t)(k.out_d.n * k.out_d.h * k.out_d.w * k.out_d.c);
        k.in = malloc(ni * 4), k.out = malloc(no * 4), k.r = malloc(no * 4);
        float *di = calloc(ni, 4);
        fill(k.in, ni), fill(k.r, no);
        pml_avgpool_bwd_f32_ref(&k.p, &k.in_d, &k.out_d, k.r, di);
        CHECK(fd_check("avgpool din", k.in, ni, di, pool_loss, &k, 1e-2f, 1e-3) == 0);
        free(k.in), free(k.out), free(k.r), free(di);
    }
}

/* ---- ADD (broadcast) -------------------------------------------------------------------------- */
typedef struct add_ctx {
    pml_add_params p;
    pml_bcast5 b;
    float *a, *c, *out, *r;
    size_t no;
} add_ctx;
static double add_loss(void *c) {
    add_ctx *k = c;
    pml_add_f32_ref(&k->p, &k->b, k->a, k->c, k->out);
    return dot(k->out, k->r, k->no);
}
PML_TEST(add_backward_with_broadcast_matches_finite_differences) {
    static const int32_t shapes[3][3][5] = {
        {{1, 1, 2, 3, 4}, {1, 1, 2, 3, 4}, {1, 1, 2, 3, 4}},
        {{1, 1, 2, 3, 4}, {1, 1, 2, 3, 4}, {1, 1, 1, 1, 4}},
        {{1, 2, 1, 3, 1}, {1, 2, 1, 3, 4}, {1, 1, 5, 1, 4}}};
    for (int t = 0; t < 3; t++) {
        add_ctx k;
        memset(&k, 0, sizeof k);
        k.p.act_min_f = -INFINITY, k.p.act_max_f = INFINITY;
        size_t na = 1, nc = 1;
        k.no = 1;
        for (int i = 0; i < 5; i++) {
            k.b.in1[i] = shapes[t][0][i], k.b.in2[i] = shapes[t][2][i];
            k.b.out[i] = shapes[t][0][i] > shapes[t][2][i] ? shapes[t][0][i] : shapes[t][2][i];
            k.b.out[i] = k.b.out[i] > shapes[t][1][i] ? k.b.out[i] : shapes[t][1][i];
            if (k.b.in1[i] != 1 && k.b.in1[i] != k.b.out[i]) k.b.in1[i] = k.b.out[i];
            na *= (size_t)k.b.in1[i], nc *= (size_t)k.b.in2[i], k.no *= (size_t)k.b.out[i];
        }
        bool ok = true;
        for (int i = 0; i < 5; i++) ok = ok && (k.b.in2[i] == 1 || k.b.in2[i] == k.b.out[i]);
        REQUIRE(ok);
        k.a = malloc(na * 4), k.c = malloc(nc * 4), k.out = malloc(k.no * 4), k.r = malloc(k.no * 4);
        float *da = calloc(na, 4), *dc = calloc(nc, 4);
        fill(k.a, na), fill(k.c, nc), fill(k.r, k.no);
        pml_add_bwd_f32_ref(&k.b, k.r, da, dc);
        CHECK(fd_check("add d1", k.a, na, da, add_loss, &k, 1e-2f, 1e-3) == 0);
        CHECK(fd_check("add d2", k.c, nc, dc, add_loss, &k, 1e-2f, 1e-3) == 0);
        free(k.a), free(k.c), free(k.out), free(k.r), free(da), free(dc);
    }
}

/* ---- SOFTMAX, losses, activation mask ------------------------------------------------------------ */
typedef struct sm_ctx {
    pml_softmax_params p;
    int32_t rows, depth;
    float *in, *out, *r, *t;
    int mode; /* 0: sum r*softmax, 1: xent on logits, 2: xent after softmax, 3: mse */
} sm_ctx;
static double sm_loss(void *c) {
    sm_ctx *k = c;
    size_t n = (size_t)(k->rows * k->depth);
    switch (k->mode) {
    case 0: pml_softmax_f32_ref(&k->p, k->rows, k->depth, k->in, k->out); return dot(k->out, k->r, n);
    case 1: return (double)pml_softmax_xent_f32_ref(k->depth, k->in, k->t, NULL);
    case 2:
        pml_softmax_f32_ref(&k->p, 1, k->depth, k->in, k->out);
        return (double)pml_softmax_xent_probs_f32_ref(k->depth, k->p.beta, k->out, k->t, NULL);
    default: return (double)pml_mse_f32_ref(n, k->in, k->t, NULL);
    }
}
PML_TEST(softmax_and_losses_match_finite_differences) {
    for (int mode = 0; mode < 4; mode++) {
        for (int t = 0; t < 3; t++) {
            if (mode == 1 && t == 2) continue; /* logits form has no beta */
            sm_ctx k;
            memset(&k, 0, sizeof k);
            k.mode = mode;
            k.rows = mode == 0 ? irand(1, 3) : 1;
            k.depth = irand(2, 8);
            k.p.beta = t == 2 ? 0.5f : 1.0f;
            size_t n = (size_t)(k.rows * k.depth);
            k.in = malloc(n * 4), k.out = malloc(n * 4), k.r = malloc(n * 4), k.t = calloc(n, 4);
            float *g = calloc(n, 4);
            fill(k.in, n), fill(k.r, n);
            for (size_t i = 0; i < n; i++) k.in[i] *= 3.0f;
            if (mode == 3) fill(k.t, n);
            else if (t == 1) { /* soft target */
                for (size_t i = 0; i < n; i++) k.t[i] = 1.0f / (float)n;
            } else
                k.t[(size_t)irand(0, k.depth - 1)] = 1.0f;
            if (mode == 0) {
                pml_softmax_f32_ref(&k.p, k.rows, k.depth, k.in, k.out);
                pml_softmax_bwd_f32_ref(k.p.beta, k.rows, k.depth, k.out, k.r, g);
            } else if (mode == 1) {
                pml_softmax_xent_f32_ref(k.depth, k.in, k.t, g);
            } else if (mode == 2) {
                pml_softmax_f32_ref(&k.p, 1, k.depth, k.in, k.out);
                pml_softmax_xent_probs_f32_ref(k.depth, k.p.beta, k.out, k.t, g);
            } else {
                pml_mse_f32_ref(n, k.in, k.t, g);
            }
            static const char *const names[4] = {"softmax", "xent", "xent_probs", "mse"};
            CHECK(fd_check(names[mode], k.in, n, g, sm_loss, &k, 1e-3f, 2e-3) == 0);
            free(k.in), free(k.out), free(k.r), free(k.t), free(g);
        }
    }
}

PML_TEST(activation_mask) {
    float y[6] = {-1.0f, 0.0f, 0.5f, 6.0f, 7.0f, 3.0f}, dy[6] = {1, 1, 1, 1, 1, 1};
    pml_act_bwd_f32_ref(0.0f, 6.0f, 6, y, dy); /* RELU6 */
    static const float want[6] = {0, 0, 1, 0, 0, 1};
    for (int i = 0; i < 6; i++) CHECK(dy[i] == want[i]);
}

/* ---- whole graphs through pml_train --------------------------------------------------------------- */
static uint8_t *load_test_model(const char *name, pml_model *m) {
    char rel[256];
    if (strchr(name, '/')) return tu_open_model(name, m, NULL); /* a path from the repository root */
    return tu_open_model(tu_path(rel, sizeof rel, "tests/data/train/%s.tflite", name), m, NULL);
}

typedef struct eng_ctx {
    pml_train *t;
    const float *x, *target;
    size_t nx;
} eng_ctx;
static double eng_loss(void *c) {
    eng_ctx *k = c;
    pml_tensor in;
    pml_train_input(k->t, 0, &in);
    memcpy(in.data, k->x, k->nx * 4);
    float l;
    pml_train_loss(k->t, k->target, &l);
    return (double)l;
}

/* One sample, batch 1, momentum 0: every velocity equals the gradient; compare with FD. */
static void engine_case(const char *model, pml_loss loss, const pml_train_layer *layers, uint32_t n_layers) {
    pml_model m;
    uint8_t *buf = load_test_model(model, &m);
    REQUIRE(buf != NULL);
    pml_train_config cfg = {layers, n_layers, loss, 1, 0.1f, 0.0f, 0};
    size_t need;
    pml_error e;
    REQUIRE_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, &e), PML_OK);
    void *arena = aligned_alloc(16, need);
    pml_train *t;
    REQUIRE_EQ(pml_train_init(&t, &m, pml_op_set_all(), &cfg, arena, need, &e), PML_OK);
    pml_tensor in, out;
    pml_train_input(t, 0, &in);
    pml_train_output(t, 0, &out);
    size_t nx = in.bytes / 4, ny = out.bytes / 4;
    float *x = malloc(nx * 4), *target = calloc(ny, 4);
    for (int s = 0; s < 3; s++) {
        fill(x, nx);
        for (size_t i = 0; i < nx; i++) x[i] *= 2.0f;
        memset(target, 0, ny * 4);
        if (loss == PML_LOSS_MSE) fill(target, ny);
        else target[(size_t)irand(0, (int32_t)ny - 1)] = 1.0f;
        /* clear velocities: momentum 0 scales them to 0 at the batch start anyway */
        memcpy(in.data, x, nx * 4);
        float l;
        REQUIRE_EQ(pml_train_sample(t, target, &l), PML_OK);
        eng_ctx k = {t, x, target, nx};
        CHECK(fabs(eng_loss(&k) - (double)l) < 1e-5 * (1.0 + fabs((double)l)));
        for (uint32_t p = 0; p < pml_train_param_count(t); p++) {
            pml_train_param tp;
            REQUIRE_EQ(pml_train_get_param(t, p, &tp), PML_OK);
            float *g = malloc(tp.count * 4);
            memcpy(g, tp.velocity, tp.count * 4);
            char what[96];
            snprintf(what, sizeof what, "%s op %d %s", model, (int)tp.op_index, tp.what == PML_TRAIN_WEIGHTS ? "w" : "b");
            CHECK(fd_check_k(what, tp.value, tp.count, g, eng_loss, &k, 1e-3f, 5e-3, true) == 0);
            free(g);
        }
        pml_train_update(t); /* lr 0.1: next sample at new weights */
    }
    free(x), free(target), free(arena), free(buf);
}

PML_TEST(engine_cnn_all_layers_xent_fused_softmax) { engine_case("tiny_cnn_f32", PML_LOSS_SOFTMAX_XENT, NULL, 0); }
PML_TEST(engine_cnn_sparse_mse_through_softmax) {
    static const pml_train_layer l[] = {{1, PML_TRAIN_BIAS}, {6, PML_TRAIN_WEIGHTS}};
    engine_case("tiny_cnn_f32", PML_LOSS_MSE, l, 2);
}
/* Only some output channels train (CONV 3->first 2 of 3, CONV 1x1 first 4 of 6, FC first 3 of 5):
 * the gradients of the trained channels still equal finite differences of the loss. */
PML_TEST(engine_cnn_partial_channels) {
    static const pml_train_layer l[] = {{0, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS | PML_TRAIN_CHANNELS(2)},
                                        {3, PML_TRAIN_WEIGHTS | PML_TRAIN_CHANNELS(4)},
                                        {6, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS | PML_TRAIN_CHANNELS(3)}};
    engine_case("tiny_cnn_f32", PML_LOSS_SOFTMAX_XENT, l, 3);
}
PML_TEST(engine_mlp_xent_on_logits) { engine_case("tiny_mlp_f32", PML_LOSS_SOFTMAX_XENT, NULL, 0); }
PML_TEST(engine_mlp_mse) { engine_case("tiny_mlp_f32", PML_LOSS_MSE, NULL, 0); }
/* CONV_2D 1x1 -> DEPTHWISE_CONV_2D -> ADD(both) -> AVERAGE_POOL_2D -> FC (the float twin of the int8
 * graph test_train_s8.c compares against): every layer, and the depthwise layer frozen */
PML_TEST(engine_dw_add_pool_mse) {
    static const pml_train_layer l[] = {{0, PML_TRAIN_BIAS}, {5, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}};
    engine_case("tests/train/data/tiny_dw_f32.tflite", PML_LOSS_MSE, NULL, 0);
    engine_case("tests/train/data/tiny_dw_f32.tflite", PML_LOSS_MSE, l, 2);
}

/* ---- SGD with momentum, by hand --------------------------------------------------------------------- */
/* tiny_mlp, MSE, only the last layer's bias trains: y = W h + b with h fixed, so dL/db = 2(y - t)/n
 * and y moves by exactly the bias change. Written out:
 *   step 1: g1 = 2(y0 - t)/n, v1 = g1, b1 = b0 - lr v1, y1 = y0 - lr v1
 *   step 2: g2 = 2(y1 - t)/n, v2 = m v1 + g2, b2 = b1 - lr v2
 *   batch of 2 (samples a, c; from b2): v3 = m v2 + (g_a + g_c)/2, b3 = b2 - lr v3 */
PML_TEST(sgd_momentum_steps_by_hand) {
    pml_model m;
    uint8_t *buf = load_test_model("tiny_mlp_f32", &m);
    REQUIRE(buf != NULL);
    static const pml_train_layer l[] = {{1, PML_TRAIN_BIAS}};
    const float lr = 0.25f, mom = 0.5f;
    pml_train_config cfg = {l, 1, PML_LOSS_MSE, 1, lr, mom, 0};
    size_t need;
    REQUIRE_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, NULL), PML_OK);
    void *arena = aligned_alloc(16, need);
    pml_train *t;
    REQUIRE_EQ(pml_train_init(&t, &m, pml_op_set_all(), &cfg, arena, need, NULL), PML_OK);
    REQUIRE_EQ(pml_train_param_count(t), 1);
    pml_train_param p;
    pml_train_get_param(t, 0, &p);
    REQUIRE_EQ(p.count, 4);
    pml_tensor in, out;
    pml_train_input(t, 0, &in);
    pml_train_output(t, 0, &out);
    float x[8] = {0.5f, -1.0f, 0.25f, 2.0f, -0.75f, 1.5f, 0.0f, -0.5f}, tgt[4] = {1.0f, -1.0f, 0.5f, 0.0f};
    float b0[4], y0[4], v1[4], b1[4], y1[4], v2[4], b2[4];
    memcpy(in.data, x, sizeof x);
    pml_train_forward(t);
    memcpy(y0, out.data, sizeof y0);
    memcpy(b0, p.value, sizeof b0);
    for (int i = 0; i < 4; i++) {
        v1[i] = 2.0f * (y0[i] - tgt[i]) / 4.0f;
        b1[i] = b0[i] - lr * v1[i];
        y1[i] = y0[i] - lr * v1[i];
        v2[i] = mom * v1[i] + 2.0f * (y1[i] - tgt[i]) / 4.0f;
        b2[i] = b1[i] - lr * v2[i];
    }
    pml_train_sample(t, tgt, NULL);
    for (int i = 0; i < 4; i++) CHECK(fabsf(p.velocity[i] - v1[i]) < 1e-6f);
    pml_train_update(t);
    for (int i = 0; i < 4; i++) CHECK(fabsf(p.value[i] - b1[i]) < 1e-6f);
    pml_train_sample(t, tgt, NULL);
    pml_train_update(t);
    for (int i = 0; i < 4; i++) {
        CHECK(fabsf(p.velocity[i] - v2[i]) < 1e-6f);
        CHECK(fabsf(p.value[i] - b2[i]) < 1e-6f);
    }
    free(arena);
    /* mini-batch of 2 by accumulation */
    cfg.batch = 2;
    REQUIRE_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, NULL), PML_OK);
    arena = aligned_alloc(16, need);
    REQUIRE_EQ(pml_train_init(&t, &m, pml_op_set_all(), &cfg, arena, need, NULL), PML_OK);
    pml_train_get_param(t, 0, &p);
    pml_train_input(t, 0, &in);
    pml_train_output(t, 0, &out);
    float xc[8] = {-1.0f, 0.5f, 1.0f, 0.0f, 0.25f, -0.5f, 2.0f, 1.0f}, ya[4], yc[4], want_b[4];
    memcpy(in.data, x, sizeof x);
    pml_train_forward(t);
    memcpy(ya, out.data, sizeof ya);
    memcpy(in.data, xc, sizeof xc);
    pml_train_forward(t);
    memcpy(yc, out.data, sizeof yc);
    for (int i = 0; i < 4; i++)
        want_b[i] = b0[i] - lr * (2.0f * (ya[i] - tgt[i]) / 4.0f + 2.0f * (yc[i] - tgt[i]) / 4.0f) * 0.5f;
    memcpy(in.data, x, sizeof x);
    pml_train_sample(t, tgt, NULL);
    memcpy(in.data, xc, sizeof xc);
    pml_train_sample(t, tgt, NULL);
    pml_train_update(t);
    for (int i = 0; i < 4; i++) CHECK(fabsf(p.value[i] - want_b[i]) < 1e-6f);
    free(arena);
    free(buf);
}

int main(void) {
    PML_RUN(fc_backward_matches_finite_differences);
    PML_RUN(conv2d_backward_matches_finite_differences);
    PML_RUN(dwconv2d_backward_matches_finite_differences);
    PML_RUN(avgpool_backward_matches_finite_differences);
    PML_RUN(add_backward_with_broadcast_matches_finite_differences);
    PML_RUN(softmax_and_losses_match_finite_differences);
    PML_RUN(activation_mask);
    PML_RUN(engine_cnn_all_layers_xent_fused_softmax);
    PML_RUN(engine_cnn_sparse_mse_through_softmax);
    PML_RUN(engine_cnn_partial_channels);
    PML_RUN(engine_mlp_xent_on_logits);
    PML_RUN(engine_mlp_mse);
    PML_RUN(engine_dw_add_pool_mse);
    PML_RUN(sgd_momentum_steps_by_hand);
    printf("train_grad: worst relative gradient error %.2e (%d elements skipped at ReLU kinks)\n", g_max_err, g_kinks);
    return PML_TEST_END("train_grad");
}
