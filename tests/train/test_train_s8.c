/* SPDX-License-Identifier: Apache-2.0 */
/*
 * int8 training (quantization-aware scaling) mechanics on tests/train/data/tiny_s8.tflite
 * (CONV_2D RELU -> RESHAPE -> FULLY_CONNECTED, per-channel int8; scripts/gen_train_models_s8.py)
 * and models/ad01_int8.tflite (last layer):
 *   - the arena query is exact (every smaller arena fails cleanly, canaries survive training);
 *   - the int8 backward kernels equal the float ones on dequantized tensors (those are checked
 *     against finite differences in test_train_grad.c), times the QAS factors;
 *   - QAS: the accumulated weight / bias gradients with and without QAS differ by exactly
 *     s_w^-2 / (s_w s_x)^-2 per output channel;
 *   - after an update the int8 / int32 copies are the rounded float masters;
 *   - the loss falls on a tiny int8 regression problem;
 *   - models/train/fmnist_transfer_s8.tflite (TensorFlow-made, transfer benchmark): the sparse update
 *     of the benchmark plans an exact arena <= 256 KB, and the trained int8 / int32 tensors written
 *     back into a copy of the model give, in the interpreter, the training forward's output bit
 *     for bit (the write-back `picoml train --out` does);
 *   - tests/train/data/tiny_dw_s8.tflite (CONV_2D 1x1 -> DEPTHWISE_CONV_2D -> ADD -> AVERAGE_POOL_2D ->
 *     FULLY_CONNECTED): the int8 DEPTHWISE_CONV_2D backward equals the float one on dequantized
 *     tensors; the whole graph's int8 gradients (through ADD, the pool, a trained or frozen depthwise
 *     layer) agree with the float engine's on its float twin tiny_dw_f32.tflite (the dequantized
 *     weights; the int8 forward rounds activations, so the agreement is close, not exact); exact
 *     arenas; sparse updates that backpropagate through those ops lower the loss (also on the
 *     MLPerf Tiny KWS DS-CNN and ResNet-8 int8 models);
 *   - PML_TRAIN_CHANNELS(k) (float and int8): a smaller arena (exact), the same gradients and
 *     updates as training every channel on the first k channels, the other channels untouched;
 *     bad channel configurations are refused.
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

#define CANARY 64

static uint64_t rs = 1234;
static float frand(void) { return tu_frand(&rs); }

static void fill_input(pml_train *t, uint64_t seed) {
    pml_tensor in;
    uint64_t s = seed;
    pml_train_input(t, 0, &in);
    int8_t *x = in.data;
    for (size_t i = 0; i < in.bytes; i++) x[i] = (int8_t)((int)(tu_rand(&s) >> 56) - 128);
}

static void exact_case(const char *rel, const pml_train_layer *layers, uint32_t n, size_t stride, pml_loss loss) {
    pml_model m;
    uint8_t *buf = tu_open_model(rel, &m, NULL);
    REQUIRE(buf != NULL);
    pml_train_config cfg = {layers, n, loss, 2, 0.01f, 0.9f, 0};
    size_t need = 0;
    pml_error e;
    REQUIRE_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, &e), PML_OK);
    REQUIRE(need > 0 && need % PML_ARENA_ALIGN == 0);
    uint8_t *mem = aligned_alloc(16, need + 2 * CANARY), *arena = mem + CANARY;
    pml_train *t = (pml_train *)&e;
    for (size_t sz = 0; sz < need; sz += (need - sz > 64 ? stride : 1)) {
        pml_status s = pml_train_init(&t, &m, pml_op_set_all(), &cfg, arena, sz, &e);
        if (s != PML_ERR_ARENA || e.arena_needed != need || t != NULL) {
            fprintf(stderr, "  %s: size %zu: status %d, needed %zu\n", rel, sz, (int)s, e.arena_needed);
            CHECK(0);
            break;
        }
    }
    memset(mem, 0xA5, need + 2 * CANARY);
    REQUIRE_EQ(pml_train_init(&t, &m, pml_op_set_all(), &cfg, arena, need, &e), PML_OK);
    CHECK_EQ(pml_train_arena_used(t), need);
    pml_tensor out;
    pml_train_output(t, 0, &out);
    float *target = calloc(out.bytes, sizeof(float));
    for (int i = 0; i < 6; i++) {
        fill_input(t, (uint64_t)i + 1);
        CHECK_EQ(pml_train_sample(t, target, NULL), PML_OK);
        if (i & 1) CHECK_EQ(pml_train_update(t), PML_OK);
    }
    for (size_t i = 0; i < CANARY; i++) {
        CHECK(mem[i] == 0xA5);
        CHECK(mem[CANARY + need + i] == 0xA5);
    }
    free(target);
    free(mem);
    free(buf);
}

PML_TEST(arena_size_is_exact_tiny_s8_all) { exact_case("tests/train/data/tiny_s8.tflite", NULL, 0, 1, PML_LOSS_MSE); }
PML_TEST(arena_size_is_exact_ad01_last) {
    static const pml_train_layer last[] = {{9, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}};
    exact_case("models/ad01_int8.tflite", last, 1, 97, PML_LOSS_MSE);
}

/* The int8 backward kernels against the float ones on dequantized values. */
PML_TEST(s8_kernels_match_float_on_dequantized) {
    enum { B = 2, D = 7, U = 3 };
    int8_t x[B * D], w[U * D];
    float xf[B * D], wf[U * D], dout[B * U], ws[U] = {0.01f, 0.02f, 0.005f};
    float dx8[B * D] = {0}, dw8[U * D] = {0}, db8[U] = {0}, dxf[B * D] = {0}, dwf[U * D] = {0}, dbf[U] = {0};
    pml_qgrad q = {0.05f, -7, ws, U, true};
    for (int i = 0; i < B * D; i++) {
        x[i] = (int8_t)((int)(frand() * 255.0f) - 128);
        xf[i] = q.in_scale * (float)(x[i] - q.in_zp);
    }
    for (int i = 0; i < U * D; i++) {
        w[i] = (int8_t)((int)(frand() * 254.0f) - 127);
        wf[i] = ws[i / D] * (float)w[i];
    }
    for (int i = 0; i < B * U; i++) dout[i] = frand() - 0.5f;
    pml_fc_bwd_s8_ref(B, D, U, &q, x, w, dout, 0.5f, U, U, dx8, dw8, db8);
    pml_fc_bwd_f32_ref(B, D, U, xf, wf, dout, 0.5f, U, U, dxf, dwf, dbf);
    for (int i = 0; i < B * D; i++) CHECK(fabsf(dx8[i] - dxf[i]) <= 1e-5f * (1.0f + fabsf(dxf[i])));
    for (int u = 0; u < U; u++) {
        for (int d = 0; d < D; d++) /* QAS: master-domain gradient = dL/dW / s_w */
            CHECK(fabsf(dw8[u * D + d] - dwf[u * D + d] / ws[u]) <= 1e-4f * (1.0f + fabsf(dwf[u * D + d] / ws[u])));
        CHECK(fabsf(db8[u] - dbf[u] / (ws[u] * q.in_scale)) <= 1e-4f * (1.0f + fabsf(db8[u])));
    }
    /* CONV_2D 3x3 SAME, stride 1, on [1,4,4,2] -> [1,4,4,3] */
    pml_conv_params cp;
    memset(&cp, 0, sizeof cp);
    cp.stride_h = cp.stride_w = cp.dilation_h = cp.dilation_w = 1;
    cp.pad_h = cp.pad_w = 1;
    pml_dims4 in_d = {1, 4, 4, 2}, f_d = {3, 3, 3, 2}, out_d = {1, 4, 4, 3};
    int8_t ci[32], cf[54];
    float cif[32], cff[54], cdo[48], a[32] = {0}, b[54] = {0}, c[3] = {0}, a2[32] = {0}, b2[54] = {0}, c2[3] = {0};
    for (int i = 0; i < 32; i++) {
        ci[i] = (int8_t)((int)(frand() * 255.0f) - 128);
        cif[i] = q.in_scale * (float)(ci[i] - q.in_zp);
    }
    for (int i = 0; i < 54; i++) {
        cf[i] = (int8_t)((int)(frand() * 254.0f) - 127);
        cff[i] = ws[i / 18] * (float)cf[i];
    }
    for (int i = 0; i < 48; i++) cdo[i] = frand() - 0.5f;
    q.qas = false;
    pml_conv2d_bwd_s8_ref(&cp, &q, &in_d, ci, &f_d, cf, &out_d, cdo, 1.0f, 3, 3, a, b, c);
    pml_conv2d_bwd_f32_ref(&cp, &in_d, cif, &f_d, cff, &out_d, cdo, 1.0f, 3, 3, a2, b2, c2);
    for (int i = 0; i < 32; i++) CHECK(fabsf(a[i] - a2[i]) <= 1e-5f * (1.0f + fabsf(a2[i])));
    for (int i = 0; i < 54; i++) /* no QAS: master-domain gradient = s_w dL/dW */
        CHECK(fabsf(b[i] - b2[i] * ws[i / 18]) <= 1e-5f * (1.0f + fabsf(b[i])));
    for (int o = 0; o < 3; o++) CHECK(fabsf(c[o] - c2[o] * ws[o] * q.in_scale) <= 1e-6f * (1.0f + fabsf(c[o])));
}

/* DEPTHWISE_CONV_2D int8 backward against the float one on dequantized tensors (multiplier 2,
 * stride 2, SAME), with and without QAS. */
PML_TEST(s8_dw_kernel_matches_float_on_dequantized) {
    enum { IC = 3, DM = 2, OC = IC * DM, H = 5, W = 6, OH = 3, OW = 3, NI = H * W * IC, NF = 9 * OC, NO = OH * OW * OC };
    pml_conv_params cp;
    memset(&cp, 0, sizeof cp);
    cp.stride_h = cp.stride_w = 2;
    cp.dilation_h = cp.dilation_w = 1;
    cp.pad_h = cp.pad_w = 1;
    cp.depth_multiplier = DM;
    pml_dims4 in_d = {1, H, W, IC}, f_d = {1, 3, 3, OC}, out_d = {1, OH, OW, OC};
    uint64_t ls = 31; /* own stream: the later tests' random draws stay as they were */
    float ws[OC] = {0.01f, 0.02f, 0.005f, 0.015f, 0.008f, 0.03f};
    int8_t xi[NI], f[NF];
    float xf[NI], ff[NF], dout[NO];
    for (int i = 0; i < NI; i++) {
        xi[i] = (int8_t)((int)(tu_frand(&ls) * 255.0f) - 128);
        xf[i] = 0.04f * (float)(xi[i] - 5);
    }
    for (int i = 0; i < NF; i++) {
        f[i] = (int8_t)((int)(tu_frand(&ls) * 254.0f) - 127);
        ff[i] = ws[i % OC] * (float)f[i];
    }
    for (int i = 0; i < NO; i++) dout[i] = tu_frand(&ls) - 0.5f;
    for (int qas = 0; qas < 2; qas++) {
        pml_qgrad q = {0.04f, 5, ws, OC, qas != 0};
        float a[NI] = {0}, b[NF] = {0}, c[OC] = {0}, a2[NI] = {0}, b2[NF] = {0}, c2[OC] = {0};
        pml_dwconv2d_bwd_s8_ref(&cp, &q, &in_d, xi, &f_d, f, &out_d, dout, 0.5f, a, b, c);
        pml_dwconv2d_bwd_f32_ref(&cp, &in_d, xf, &f_d, ff, &out_d, dout, 0.5f, a2, b2, c2);
        int nz = 0;
        for (int i = 0; i < NI; i++) {
            CHECK(fabsf(a[i] - a2[i]) <= 1e-5f * (1.0f + fabsf(a2[i])));
            nz += a2[i] != 0.0f;
        }
        CHECK(nz > NI / 2);
        for (int i = 0; i < NF; i++) { /* master domain: dL/dW / s_w (QAS) or s_w dL/dW */
            float sw = ws[i % OC], want = qas ? b2[i] / sw : b2[i] * sw;
            CHECK(fabsf(b[i] - want) <= 1e-4f * (1.0f + fabsf(want)));
        }
        for (int o = 0; o < OC; o++) {
            float sb = ws[o] * q.in_scale, want = qas ? c2[o] / sb : c2[o] * sb;
            CHECK(fabsf(c[o] - want) <= 1e-4f * (1.0f + fabsf(want)));
        }
    }
}

/* The int8 graph tiny_dw_s8 against its float twin (dequantized weights): the same input (the
 * int8 input dequantized), the same MSE target, four samples accumulated; without QAS the int8
 * velocities are s_w dL/dW and s_w s_x dL/db. Per trained tensor: cosine and norm ratio of the
 * two gradients. `layers` picks what trains (the same op indices in both graphs). */
static void dw_graph_case(const pml_train_layer *layers, uint32_t n_layers, float min_cos, float max_ratio_err) {
    pml_model m8, mf;
    uint8_t *b8 = tu_open_model("tests/train/data/tiny_dw_s8.tflite", &m8, NULL);
    uint8_t *bf = tu_open_model("tests/train/data/tiny_dw_f32.tflite", &mf, NULL);
    REQUIRE(b8 != NULL && bf != NULL);
    pml_train_config cfg = {layers, n_layers, PML_LOSS_MSE, 4, 0.0f, 0.0f, PML_TRAIN_NO_QAS};
    size_t n8 = 0, nf = 0;
    pml_error e;
    REQUIRE_EQ(pml_train_arena_size(&m8, pml_op_set_all(), &cfg, &n8, &e), PML_OK);
    REQUIRE_EQ(pml_train_arena_size(&mf, pml_op_set_all(), &cfg, &nf, &e), PML_OK);
    void *a8 = aligned_alloc(16, n8), *af = aligned_alloc(16, nf);
    pml_train *t8, *tf;
    REQUIRE_EQ(pml_train_init(&t8, &m8, pml_op_set_all(), &cfg, a8, n8, &e), PML_OK);
    REQUIRE_EQ(pml_train_init(&tf, &mf, pml_op_set_all(), &cfg, af, nf, &e), PML_OK);
    REQUIRE_EQ(pml_train_param_count(t8), pml_train_param_count(tf));
    pml_tensor i8, i32;
    pml_train_input(t8, 0, &i8);
    pml_train_input(tf, 0, &i32);
    uint64_t s = 4242;
    for (int k = 0; k < 4; k++) {
        float target[3];
        fill_input(t8, (uint64_t)k + 500);
        for (size_t i = 0; i < i8.bytes; i++) ((float *)i32.data)[i] = 0.05f * (float)(((int8_t *)i8.data)[i] + 3);
        for (int j = 0; j < 3; j++) target[j] = 4.0f * tu_frand(&s) - 2.0f;
        REQUIRE_EQ(pml_train_sample(t8, target, NULL), PML_OK);
        REQUIRE_EQ(pml_train_sample(tf, target, NULL), PML_OK);
    }
    /* scales of tiny_dw (gen_train_models_s8.py): op 0 CONV_2D [4,1,1,2] in 0.05, op 1 DEPTHWISE
     * [1,3,3,4] in 0.02, op 5 FULLY_CONNECTED [3,36] in 0.05 */
    static const float cw_s[4] = {0.004f, 0.005f, 0.0045f, 0.006f}, dw_s[4] = {0.01f, 0.012f, 0.009f, 0.011f},
                       fw_s[3] = {0.004f, 0.005f, 0.0045f};
    for (uint32_t k = 0; k < pml_train_param_count(t8); k++) {
        pml_train_param p8, pf;
        pml_train_get_param(t8, k, &p8);
        pml_train_get_param(tf, k, &pf);
        REQUIRE(p8.op_index == pf.op_index && p8.what == pf.what && p8.count == pf.count);
        double dot = 0.0, n2_8 = 0.0, n2_f = 0.0;
        for (size_t i = 0; i < p8.count; i++) {
            const bool wt = p8.what == PML_TRAIN_WEIGHTS;
            float sw, sx;
            if (p8.op_index == 0) {
                sw = cw_s[wt ? i / 2 : i];
                sx = 0.05f;
            } else if (p8.op_index == 1) {
                sw = dw_s[wt ? i % 4 : i];
                sx = 0.02f;
            } else {
                sw = fw_s[wt ? i / 36 : i];
                sx = 0.05f;
            }
            double g8 = (double)p8.velocity[i] / (double)(wt ? sw : sw * sx), gf = (double)pf.velocity[i]; /* dL/dparam, real */
            dot += g8 * gf;
            n2_8 += g8 * g8;
            n2_f += gf * gf;
        }
        double cosv = dot / (sqrt(n2_8 * n2_f) + 1e-30), ratio = sqrt(n2_8 / (n2_f + 1e-30));
        fprintf(stderr, "  op %d %s: %zu values, cos %.4f, |g8|/|gf| %.4f\n", (int)p8.op_index,
                p8.what == PML_TRAIN_WEIGHTS ? "weights" : "bias", p8.count, cosv, ratio);
        CHECK(n2_f > 0.0);
        CHECK(cosv >= (double)min_cos);
        CHECK(fabs(ratio - 1.0) <= (double)max_ratio_err);
    }
    free(a8);
    free(af);
    free(b8);
    free(bf);
}

/* every layer: the depthwise layer trains, the 1x1 CONV_2D below it needs its input gradient */
static const pml_train_layer dw_all[] = {{0, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}, {1, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS},
                                         {5, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}};
/* sparse: the depthwise layer frozen; CONV_2D's bias gets its gradient through ADD's two branches,
 * one of them the frozen depthwise layer's input gradient */
static const pml_train_layer dw_frozen[] = {{0, PML_TRAIN_BIAS}, {5, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}};
/* sparse: the depthwise layer and the last bias (nothing below the depthwise layer) */
static const pml_train_layer dw_sparse[] = {{1, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}, {5, PML_TRAIN_BIAS}};

PML_TEST(s8_dw_graph_gradients_match_float_twin) {
    dw_graph_case(dw_all, 3, 0.99f, 0.1f);
    dw_graph_case(dw_frozen, 2, 0.99f, 0.1f);
    dw_graph_case(dw_sparse, 2, 0.99f, 0.1f);
}

PML_TEST(arena_size_is_exact_tiny_dw_s8) {
    exact_case("tests/train/data/tiny_dw_s8.tflite", NULL, 0, 1, PML_LOSS_MSE);
    exact_case("tests/train/data/tiny_dw_s8.tflite", dw_frozen, 2, 1, PML_LOSS_MSE);
    exact_case("tests/train/data/tiny_dw_s8.tflite", dw_sparse, 2, 1, PML_LOSS_MSE);
}

/* Sparse updates of the int8 depthwise / ADD / pool graph on a tiny regression: the loss falls. */
static void dw_loss_case(const pml_train_layer *layers, uint32_t n_layers, float lr) {
    pml_model m;
    uint8_t *buf = tu_open_model("tests/train/data/tiny_dw_s8.tflite", &m, NULL);
    REQUIRE(buf != NULL);
    pml_train_config cfg = {layers, n_layers, PML_LOSS_MSE, 1, lr, 0.9f, 0};
    size_t need;
    REQUIRE_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, NULL), PML_OK);
    void *arena = aligned_alloc(16, need);
    pml_train *t;
    REQUIRE_EQ(pml_train_init(&t, &m, pml_op_set_all(), &cfg, arena, need, NULL), PML_OK);
    uint64_t ls = 37;
    float targets[8][3];
    for (int s = 0; s < 8; s++)
        for (int j = 0; j < 3; j++) targets[s][j] = 3.0f * tu_frand(&ls) - 1.5f;
    float first = 0.0f, check = 0.0f;
    for (int ep = 0; ep < 60; ep++) {
        float sum = 0.0f;
        for (int s = 0; s < 8; s++) {
            float l;
            fill_input(t, (uint64_t)s + 10);
            REQUIRE_EQ(pml_train_sample(t, targets[s], &l), PML_OK);
            REQUIRE_EQ(pml_train_update(t), PML_OK);
            sum += l;
        }
        if (ep == 0) first = sum / 8;
    }
    for (int s = 0; s < 8; s++) {
        float l;
        fill_input(t, (uint64_t)s + 10);
        REQUIRE_EQ(pml_train_loss(t, targets[s], &l), PML_OK);
        check += l / 8;
    }
    fprintf(stderr, "  tiny_dw_s8 (%u layers, lr %g): loss %.4f -> %.4f\n", (unsigned)n_layers, (double)lr,
            (double)first, (double)check);
    CHECK(check < 0.5f * first);
    free(arena);
    free(buf);
}

PML_TEST(loss_decreases_tiny_dw_s8_sparse) {
    dw_loss_case(dw_sparse, 2, 0.001f);
    dw_loss_case(dw_frozen, 2, 0.001f);
}

/* MLPerf Tiny int8 models, sparse updates whose backward runs through int8 DEPTHWISE_CONV_2D
 * (trained and frozen), AVERAGE_POOL_2D and ADD: exact arenas, and memorizing four random inputs
 * with random labels (cross-entropy through the final SOFTMAX) lowers the loss. Mechanics only. */
static void real_model_case(const char *rel, const pml_train_layer *layers, uint32_t n) {
    exact_case(rel, layers, n, 4093, PML_LOSS_SOFTMAX_XENT);
    pml_model m;
    uint8_t *buf = tu_open_model(rel, &m, NULL);
    REQUIRE(buf != NULL);
    pml_train_config cfg = {layers, n, PML_LOSS_SOFTMAX_XENT, 1, 0.01f, 0.9f, 0};
    size_t need;
    REQUIRE_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, NULL), PML_OK);
    void *arena = aligned_alloc(16, need);
    pml_train *t;
    REQUIRE_EQ(pml_train_init(&t, &m, pml_op_set_all(), &cfg, arena, need, NULL), PML_OK);
    pml_tensor out;
    pml_train_output(t, 0, &out);
    uint64_t ls = 41;
    float *target = calloc(4 * out.bytes, sizeof(float)); /* int8 output: bytes = classes */
    for (int s = 0; s < 4; s++) target[(size_t)s * out.bytes + (size_t)(tu_frand(&ls) * (float)out.bytes) % out.bytes] = 1.0f;
    float first = 0.0f, check = 0.0f;
    for (int ep = 0; ep < 10; ep++)
        for (int s = 0; s < 4; s++) {
            float l;
            fill_input(t, (uint64_t)s + 300);
            REQUIRE_EQ(pml_train_sample(t, target + (size_t)s * out.bytes, &l), PML_OK);
            REQUIRE_EQ(pml_train_update(t), PML_OK);
            if (ep == 0) first += l / 4;
        }
    for (int s = 0; s < 4; s++) {
        float l;
        fill_input(t, (uint64_t)s + 300);
        REQUIRE_EQ(pml_train_loss(t, target + (size_t)s * out.bytes, &l), PML_OK);
        check += l / 4;
    }
    fprintf(stderr, "  %s: %u trained tensors, arena %zu B, loss %.4f -> %.4f\n", rel, pml_train_param_count(t), need,
            (double)first, (double)check);
    CHECK(check < 0.5f * first);
    free(target);
    free(arena);
    free(buf);
}

PML_TEST(real_models_sparse_update_through_dw_pool_add) {
    /* KWS DS-CNN: op 7 DEPTHWISE_CONV_2D trained, op 8 CONV_2D bias, op 11 FULLY_CONNECTED, so the
     * gradient goes through AVERAGE_POOL_2D (op 9) and the frozen op 8 into op 7 */
    static const pml_train_layer kws[] = {{7, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}, {8, PML_TRAIN_BIAS},
                                          {11, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}};
    /* KWS: op 6's bias below the frozen depthwise op 7 (its input gradient) */
    static const pml_train_layer kws_frozen[] = {{6, PML_TRAIN_BIAS}, {11, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}};
    /* ResNet-8: biases of the last two residual blocks (ADD ops 7 and 11), pool op 12, FC op 14 */
    static const pml_train_layer resnet[] = {{4, PML_TRAIN_BIAS}, {5, PML_TRAIN_BIAS}, {8, PML_TRAIN_BIAS},
                                             {9, PML_TRAIN_BIAS}, {10, PML_TRAIN_BIAS},
                                             {14, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}};
    real_model_case("models/kws_ref_model.tflite", kws, 3);
    real_model_case("models/kws_ref_model.tflite", kws_frozen, 2);
    real_model_case("models/pretrainedResnet_quant.tflite", resnet, 6);
}

/* One sample, with and without QAS: the velocities differ by the QAS factors; an update re-quantizes. */
PML_TEST(qas_scales_gradients_and_update_requantizes) {
    pml_model m;
    uint8_t *buf = tu_open_model("tests/train/data/tiny_s8.tflite", &m, NULL);
    REQUIRE(buf != NULL);
    pml_train *t[2];
    void *ar[2];
    for (int k = 0; k < 2; k++) {
        pml_train_config cfg = {NULL, 0, PML_LOSS_MSE, 1, 0.5f, 0.0f, k ? PML_TRAIN_NO_QAS : 0};
        size_t need;
        REQUIRE_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, NULL), PML_OK);
        ar[k] = aligned_alloc(16, need);
        REQUIRE_EQ(pml_train_init(&t[k], &m, pml_op_set_all(), &cfg, ar[k], need, NULL), PML_OK);
        fill_input(t[k], 99);
        float target[4] = {1.0f, -1.0f, 0.5f, 2.0f};
        REQUIRE_EQ(pml_train_sample(t[k], target, NULL), PML_OK);
    }
    REQUIRE_EQ(pml_train_param_count(t[0]), 4u);
    /* scales of tiny_s8 (gen_train_models_s8.py): conv in 0.05, fc in 0.02 */
    const float cw_s[3] = {0.004f, 0.006f, 0.005f}, fw_s[4] = {0.003f, 0.004f, 0.0035f, 0.005f};
    int nonzero = 0;
    for (uint32_t k = 0; k < 4; k++) {
        pml_train_param p0, p1;
        pml_train_get_param(t[0], k, &p0);
        pml_train_get_param(t[1], k, &p1);
        bool fc = p0.op_index == 2;
        size_t per = p0.what == PML_TRAIN_WEIGHTS ? (fc ? 48 : 18) : 1;
        for (size_t i = 0; i < p0.count; i++) {
            float sw = fc ? fw_s[i / per] : cw_s[i / per], sx = fc ? 0.02f : 0.05f;
            float r = p0.what == PML_TRAIN_WEIGHTS ? 1.0f / (sw * sw) : 1.0f / (sw * sw * sx * sx);
            if (p1.velocity[i] != 0.0f) nonzero++;
            CHECK(fabsf(p0.velocity[i] - r * p1.velocity[i]) <= 1e-4f * (1.0f + fabsf(p0.velocity[i])));
        }
    }
    CHECK(nonzero > 20);
    REQUIRE_EQ(pml_train_update(t[0]), PML_OK);
    for (uint32_t k = 0; k < 4; k++) {
        pml_train_param p;
        pml_train_get_param(t[0], k, &p);
        for (size_t i = 0; i < p.count; i++) {
            float v = p.value[i];
            if (p.what == PML_TRAIN_WEIGHTS) {
                float c = v < -127.0f ? -127.0f : v > 127.0f ? 127.0f : v;
                CHECK(((int8_t *)p.quantized)[i] == (int8_t)lrintf(c));
            } else {
                CHECK(((int32_t *)p.quantized)[i] == (int32_t)lrintf(v));
            }
        }
    }
    free(ar[0]);
    free(ar[1]);
    free(buf);
}

/* A tiny int8 regression: fixed inputs, targets inside the output range; the loss must fall. */
PML_TEST(loss_decreases_on_a_tiny_s8_problem) {
    pml_model m;
    uint8_t *buf = tu_open_model("tests/train/data/tiny_s8.tflite", &m, NULL);
    REQUIRE(buf != NULL);
    float lr = 0.001f;
    pml_train_config cfg = {NULL, 0, PML_LOSS_MSE, 1, lr, 0.9f, 0};
    size_t need;
    REQUIRE_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, NULL), PML_OK);
    void *arena = aligned_alloc(16, need);
    pml_train *t;
    REQUIRE_EQ(pml_train_init(&t, &m, pml_op_set_all(), &cfg, arena, need, NULL), PML_OK);
    float targets[8][4];
    for (int s = 0; s < 8; s++)
        for (int j = 0; j < 4; j++) targets[s][j] = 3.0f * frand() - 1.5f;
    float first = 0.0f, last = 0.0f;
    for (int ep = 0; ep < 60; ep++) {
        float sum = 0.0f;
        for (int s = 0; s < 8; s++) {
            float l;
            fill_input(t, (uint64_t)s + 10);
            REQUIRE_EQ(pml_train_sample(t, targets[s], &l), PML_OK);
            REQUIRE_EQ(pml_train_update(t), PML_OK);
            sum += l;
        }
        if (ep == 0) first = sum / 8;
        last = sum / 8;
    }
    float check = 0.0f;
    for (int s = 0; s < 8; s++) {
        float l;
        fill_input(t, (uint64_t)s + 10);
        REQUIRE_EQ(pml_train_loss(t, targets[s], &l), PML_OK);
        check += l / 8;
    }
    fprintf(stderr, "  tiny int8: loss %.4f -> %.4f (eval %.4f)\n", (double)first, (double)last, (double)check);
    CHECK(check < 0.5f * first);
    free(arena);
    free(buf);
}

static const pml_train_layer transfer_sparse[] = {
    {0, PML_TRAIN_BIAS}, {1, PML_TRAIN_BIAS}, {2, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS},
    {4, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}};

PML_TEST(arena_size_is_exact_transfer_sparse) {
    exact_case("models/train/fmnist_transfer_s8.tflite", transfer_sparse, 4, 4093, PML_LOSS_SOFTMAX_XENT);
    pml_model m;
    uint8_t *buf = tu_open_model("models/train/fmnist_transfer_s8.tflite", &m, NULL);
    REQUIRE(buf != NULL);
    pml_train_config cfg = {transfer_sparse, 4, PML_LOSS_SOFTMAX_XENT, 32, 0.02f, 0.9f, 0};
    size_t sparse = 0, all = 0;
    CHECK_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &sparse, NULL), PML_OK);
    CHECK(sparse <= 256 * 1024); /* the benchmark's budget */
    cfg.layers = NULL;
    cfg.n_layers = 0;
    CHECK_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &all, NULL), PML_OK);
    CHECK(all > sparse);
    free(buf);
}

/* Train a few steps, write the trained int8 weights / int32 biases into a copy of the model, run the
 * copy in the interpreter: its output equals the training forward's, and the copy differs from the
 * original exactly in the trained tensors' bytes. */
PML_TEST(int8_write_back_round_trip) {
    pml_model m, m2;
    size_t len = 0;
    uint8_t *buf = tu_open_model("models/train/fmnist_transfer_s8.tflite", &m, &len);
    REQUIRE(buf != NULL);
    pml_train_config cfg = {transfer_sparse, 4, PML_LOSS_SOFTMAX_XENT, 2, 0.05f, 0.9f, 0};
    size_t need = 0;
    pml_error e;
    REQUIRE_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, &e), PML_OK);
    uint8_t *arena = aligned_alloc(16, need);
    pml_train *t;
    REQUIRE_EQ(pml_train_init(&t, &m, pml_op_set_all(), &cfg, arena, need, &e), PML_OK);
    pml_tensor out;
    pml_train_output(t, 0, &out);
    float target[5];
    for (int i = 0; i < 8; i++) {
        memset(target, 0, sizeof target);
        target[i % 5] = 1.0f;
        fill_input(t, (uint64_t)i + 11);
        CHECK_EQ(pml_train_sample(t, target, NULL), PML_OK);
        if (i & 1) CHECK_EQ(pml_train_update(t), PML_OK);
    }
    uint8_t *copy = aligned_alloc(16, (len + 15) & ~(size_t)15);
    memcpy(copy, buf, len);
    size_t trained_bytes = 0;
    CHECK_EQ(pml_train_param_count(t), 6u);
    for (uint32_t k = 0; k < pml_train_param_count(t); k++) {
        pml_train_param p;
        pml_tensor mt;
        CHECK_EQ(pml_train_get_param(t, k, &p), PML_OK);
        REQUIRE_EQ(pml_model_tensor(&m, (uint32_t)p.tensor_index, &mt), PML_OK);
        REQUIRE(p.quantized != NULL && mt.bytes == p.count * pml_dtype_size(mt.dtype));
        CHECK(mt.dtype == (p.what == PML_TRAIN_WEIGHTS ? PML_DTYPE_I8 : PML_DTYPE_I32));
        memcpy(copy + ((const uint8_t *)mt.data - buf), p.quantized, mt.bytes);
        trained_bytes += mt.bytes;
    }
    size_t differ = 0;
    for (size_t i = 0; i < len; i++) differ += copy[i] != buf[i];
    CHECK(differ > 0 && differ <= trained_bytes); /* training changed weights, nothing else changed */
    REQUIRE_EQ(pml_model_open(&m2, copy, len), PML_OK);
    size_t ineed = 0;
    REQUIRE_EQ(pml_interp_arena_size(&m2, pml_op_set_all(), &ineed, NULL), PML_OK);
    uint8_t *iarena = aligned_alloc(16, ineed);
    pml_interp *it;
    REQUIRE_EQ(pml_interp_init(&it, &m2, pml_op_set_all(), iarena, ineed, NULL), PML_OK);
    pml_tensor iin, iout, tin;
    pml_interp_input(it, 0, &iin);
    pml_interp_output(it, 0, &iout);
    pml_train_input(t, 0, &tin);
    REQUIRE_EQ(iin.bytes, tin.bytes);
    for (int i = 0; i < 5; i++) {
        fill_input(t, (uint64_t)i + 101);
        memcpy(iin.data, tin.data, tin.bytes);
        CHECK_EQ(pml_train_forward(t), PML_OK);
        CHECK_EQ(pml_interp_invoke(it), PML_OK);
        CHECK_ARR_S8((const int8_t *)iout.data, (const int8_t *)out.data, (int)out.bytes);
    }
    free(iarena);
    free(copy);
    free(arena);
    free(buf);
}

/* PML_TRAIN_CHANNELS(k) against the same layers with every channel: smaller arena; after one sample
 * the velocities are the first rows of the full run's, bit for bit; after an update the trained
 * channels equal the full run's and the frozen ones the model's. */
static void partial_case(const char *rel, pml_loss loss, const pml_train_layer *full, const pml_train_layer *part,
                         uint32_t n) {
    pml_model m;
    uint8_t *buf = tu_open_model(rel, &m, NULL);
    REQUIRE(buf != NULL);
    pml_train_config cf = {full, n, loss, 2, 0.01f, 0.9f, 0}, cp = cf;
    cp.layers = part;
    size_t nf = 0, np = 0;
    pml_error e;
    REQUIRE_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cf, &nf, &e), PML_OK);
    REQUIRE_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cp, &np, &e), PML_OK);
    CHECK(np < nf);
    uint8_t *af = aligned_alloc(16, nf), *ap = aligned_alloc(16, np);
    pml_train *tf, *tp;
    REQUIRE_EQ(pml_train_init(&tf, &m, pml_op_set_all(), &cf, af, nf, &e), PML_OK);
    REQUIRE_EQ(pml_train_init(&tp, &m, pml_op_set_all(), &cp, ap, np, &e), PML_OK);
    REQUIRE_EQ(pml_train_param_count(tf), pml_train_param_count(tp));
    pml_tensor in_f, in_p, out;
    pml_train_input(tf, 0, &in_f);
    pml_train_input(tp, 0, &in_p);
    pml_train_output(tf, 0, &out);
    size_t ny = out.bytes / pml_dtype_size(out.dtype);
    float *target = calloc(ny, sizeof(float));
    uint64_t s = 77;
    for (size_t i = 0; i < ny; i++) target[i] = loss == PML_LOSS_MSE ? tu_frand(&s) : (float)(i == 1);
    for (size_t i = 0; i < in_f.bytes; i++) ((uint8_t *)in_f.data)[i] = (uint8_t)(tu_rand(&s) >> 56);
    if (in_f.dtype == PML_DTYPE_F32)
        for (size_t i = 0; i < in_f.bytes / 4; i++) ((float *)in_f.data)[i] = tu_frand(&s) * 2.0f - 1.0f;
    memcpy(in_p.data, in_f.data, in_f.bytes);
    CHECK_EQ(pml_train_sample(tf, target, NULL), PML_OK);
    CHECK_EQ(pml_train_sample(tp, target, NULL), PML_OK);
    size_t trained_f = 0, trained_p = 0;
    for (uint32_t k = 0; k < pml_train_param_count(tf); k++) {
        pml_train_param pf, pp;
        pml_train_get_param(tf, k, &pf);
        pml_train_get_param(tp, k, &pp);
        CHECK(pp.tensor_count == pf.count && pf.tensor_count == pf.count && pp.count <= pf.count);
        CHECK(memcmp(pp.velocity, pf.velocity, pp.count * sizeof(float)) == 0);
        trained_f += pf.count;
        trained_p += pp.count;
    }
    CHECK(trained_p < trained_f);
    CHECK_EQ(pml_train_update(tf), PML_OK);
    CHECK_EQ(pml_train_update(tp), PML_OK);
    for (uint32_t k = 0; k < pml_train_param_count(tf); k++) {
        pml_train_param pf, pp;
        pml_tensor mt;
        pml_train_get_param(tf, k, &pf);
        pml_train_get_param(tp, k, &pp);
        REQUIRE_EQ(pml_model_tensor(&m, (uint32_t)pp.tensor_index, &mt), PML_OK);
        size_t es = pml_dtype_size(mt.dtype);
        const uint8_t *vf = pf.quantized ? pf.quantized : (const void *)pf.value;
        const uint8_t *vp = pp.quantized ? pp.quantized : (const void *)pp.value;
        CHECK(memcmp(vp, vf, pp.count * es) == 0);                                       /* trained */
        CHECK(memcmp(vp + pp.count * es, (const uint8_t *)mt.data + pp.count * es,       /* frozen  */
                     (pp.tensor_count - pp.count) * es) == 0);
        if (pp.quantized) CHECK(memcmp(pp.value, pf.value, pp.count * sizeof(float)) == 0); /* int8 masters */
    }
    free(target);
    free(af);
    free(ap);
    free(buf);
}

PML_TEST(partial_channels_float_cnn) {
    static const pml_train_layer full[] = {{0, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}, {6, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}};
    static const pml_train_layer part[] = {{0, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS | PML_TRAIN_CHANNELS(1)},
                                           {6, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS | PML_TRAIN_CHANNELS(3)}};
    partial_case("tests/data/train/tiny_cnn_f32.tflite", PML_LOSS_SOFTMAX_XENT, full, part, 2);
}
PML_TEST(partial_channels_s8_transfer) {
    static const pml_train_layer full[] = {{2, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}, {4, PML_TRAIN_WEIGHTS}};
    static const pml_train_layer part[] = {{2, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS | PML_TRAIN_CHANNELS(16)},
                                           {4, PML_TRAIN_WEIGHTS | PML_TRAIN_CHANNELS(2)}};
    partial_case("models/train/fmnist_transfer_s8.tflite", PML_LOSS_SOFTMAX_XENT, full, part, 2);
}
PML_TEST(partial_channels_s8_ad01_last_layer) {
    static const pml_train_layer full[] = {{9, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}};
    static const pml_train_layer part[] = {{9, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS | PML_TRAIN_CHANNELS(128)}};
    partial_case("models/ad01_int8.tflite", PML_LOSS_MSE, full, part, 1);
    exact_case("models/ad01_int8.tflite", part, 1, 997, PML_LOSS_MSE);
}

PML_TEST(partial_channels_bad_configs) {
    pml_model m;
    uint8_t *buf = tu_open_model("models/train/fmnist_transfer_s8.tflite", &m, NULL);
    REQUIRE(buf != NULL);
    size_t need;
    pml_error e;
    pml_train_layer l[2] = {{4, PML_TRAIN_WEIGHTS | PML_TRAIN_CHANNELS(6)}, {0, 0}}; /* FC has 5 units */
    pml_train_config cfg = {l, 1, PML_LOSS_SOFTMAX_XENT, 1, 0.01f, 0.9f, 0};
    CHECK_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, &e), PML_ERR_ARG);
    l[0].what = PML_TRAIN_CHANNELS(2); /* channels, but neither weights nor bias */
    CHECK_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, &e), PML_ERR_ARG);
    l[0].what = PML_TRAIN_WEIGHTS | PML_TRAIN_CHANNELS(2);
    l[1].op_index = 4;
    l[1].what = PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS | PML_TRAIN_CHANNELS(3); /* weights again, another count */
    cfg.n_layers = 2;
    CHECK_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, &e), PML_ERR_ARG);
    l[1].what = PML_TRAIN_BIAS | PML_TRAIN_CHANNELS(3); /* weights: 2 channels, bias: 3 */
    REQUIRE_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, &e), PML_OK);
    uint8_t *arena = aligned_alloc(16, need);
    pml_train *t;
    REQUIRE_EQ(pml_train_init(&t, &m, pml_op_set_all(), &cfg, arena, need, &e), PML_OK);
    pml_train_param pw, pb;
    REQUIRE_EQ(pml_train_param_count(t), 2u);
    pml_train_get_param(t, 0, &pw);
    pml_train_get_param(t, 1, &pb);
    CHECK(pw.what == PML_TRAIN_WEIGHTS && pw.count == 2 * 1024 && pw.tensor_count == 5 * 1024);
    CHECK(pb.what == PML_TRAIN_BIAS && pb.count == 3 && pb.tensor_count == 5);
    free(arena);
    free(buf);
}

int main(void) {
    PML_RUN(arena_size_is_exact_tiny_s8_all);
    PML_RUN(arena_size_is_exact_ad01_last);
    PML_RUN(s8_kernels_match_float_on_dequantized);
    PML_RUN(s8_dw_kernel_matches_float_on_dequantized);
    PML_RUN(s8_dw_graph_gradients_match_float_twin);
    PML_RUN(arena_size_is_exact_tiny_dw_s8);
    PML_RUN(loss_decreases_tiny_dw_s8_sparse);
    PML_RUN(real_models_sparse_update_through_dw_pool_add);
    PML_RUN(qas_scales_gradients_and_update_requantizes);
    PML_RUN(loss_decreases_on_a_tiny_s8_problem);
    PML_RUN(arena_size_is_exact_transfer_sparse);
    PML_RUN(int8_write_back_round_trip);
    PML_RUN(partial_channels_float_cnn);
    PML_RUN(partial_channels_s8_transfer);
    PML_RUN(partial_channels_s8_ad01_last_layer);
    PML_RUN(partial_channels_bad_configs);
    return PML_TEST_END("train_s8");
}
