/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Training mechanics: the arena size query is exact (every smaller arena fails cleanly with the
 * same arena_needed, the exact size works and leaves canaries intact through training steps); a
 * sparse update needs a smaller arena than full training and leaves frozen layers alone; the loss
 * falls on a tiny problem; bad configurations are refused.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pml/pml_train.h"
#include "pml_test.h"
#include "pml_test_util.h"

#define CANARY 64

static uint64_t rs = 77;
static float frand(void) { return tu_frand(&rs); }

static void one_step(pml_train *t) {
    pml_tensor in, out;
    pml_train_input(t, 0, &in);
    pml_train_output(t, 0, &out);
    float *x = in.data, target[16] = {0};
    for (size_t i = 0; i < in.bytes / 4; i++) x[i] = frand();
    target[0] = 1.0f;
    pml_train_sample(t, target, NULL);
    pml_train_update(t);
}

static void exact_case(const char *rel, const pml_train_layer *layers, uint32_t n, size_t stride) {
    pml_model m;
    uint8_t *buf = tu_open_model(rel, &m, NULL);
    REQUIRE(buf != NULL);
    pml_train_config cfg = {layers, n, PML_LOSS_SOFTMAX_XENT, 4, 0.01f, 0.9f, 0};
    size_t need = 0;
    pml_error e;
    REQUIRE_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, &e), PML_OK);
    REQUIRE(need > 0 && need % PML_ARENA_ALIGN == 0);
    uint8_t *mem = aligned_alloc(16, need + 2 * CANARY), *arena = mem + CANARY;
    pml_train *t = (pml_train *)&e;
    for (size_t sz = 0; sz < need; sz += (need - sz > 64 ? stride : 1)) {
        memset(&e, 0, sizeof e);
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
    for (int i = 0; i < 9; i++) one_step(t);
    for (size_t i = 0; i < CANARY; i++) {
        CHECK(mem[i] == 0xA5);
        CHECK(mem[CANARY + need + i] == 0xA5);
    }
    free(mem);
    free(buf);
}

PML_TEST(arena_size_is_exact_tiny_cnn_all) { exact_case("tests/data/train/tiny_cnn_f32.tflite", NULL, 0, 1); }
PML_TEST(arena_size_is_exact_tiny_cnn_sparse) {
    static const pml_train_layer l[] = {{1, PML_TRAIN_BIAS}, {6, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}};
    exact_case("tests/data/train/tiny_cnn_f32.tflite", l, 2, 1);
}
PML_TEST(arena_size_is_exact_fmnist_cnn) { exact_case("models/train/fmnist_cnn_f32.tflite", NULL, 0, 997); }

static size_t need_of(const pml_model *m, const pml_train_layer *l, uint32_t n) {
    pml_train_config cfg = {l, n, PML_LOSS_SOFTMAX_XENT, 1, 0.01f, 0.9f, 0};
    size_t need = 0;
    pml_error e;
    if (pml_train_arena_size(m, pml_op_set_all(), &cfg, &need, &e) != PML_OK) fprintf(stderr, "  %s\n", e.msg);
    return need;
}

PML_TEST(sparse_update_shrinks_the_arena) {
    pml_model m;
    uint8_t *buf = tu_open_model("models/train/fmnist_cnn_f32.tflite", &m, NULL);
    REQUIRE(buf != NULL);
    /* ops: 0 CONV 1->8, 1 AVG, 2 CONV 8->16, 3 AVG, 4 RESHAPE, 5 FC 784->10, 6 SOFTMAX */
    static const pml_train_layer last[] = {{5, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}};
    static const pml_train_layer last_bias[] = {{5, PML_TRAIN_BIAS}};
    static const pml_train_layer from2[] = {{2, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}, {5, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}};
    static const pml_train_layer first_bias[] = {{0, PML_TRAIN_BIAS}};
    size_t all = need_of(&m, NULL, 0), a_last = need_of(&m, last, 1), a_bias = need_of(&m, last_bias, 1);
    size_t a_from2 = need_of(&m, from2, 2), a_first_bias = need_of(&m, first_bias, 1);
    size_t infer = 0;
    pml_interp_arena_size(&m, pml_op_set_all(), &infer, NULL);
    printf("fmnist_cnn training arena: all %zu, conv2+fc %zu, fc %zu, fc bias %zu, conv1 bias %zu (inference %zu)\n",
           all, a_from2, a_last, a_bias, a_first_bias, infer);
    CHECK(all > 0 && a_last > 0 && a_bias > 0 && a_from2 > 0 && a_first_bias > 0);
    CHECK(a_from2 < all);
    CHECK(a_last < a_from2);
    CHECK(a_bias < a_last);
    /* the first layer's bias only: every activation gradient above it, but no weight copies and
     * no saved inputs for weight gradients */
    CHECK(a_first_bias < all);
    CHECK(all <= 256 * 1024);

    /* frozen layers stay put, trained ones move */
    pml_train_config cfg = {last, 1, PML_LOSS_SOFTMAX_XENT, 1, 0.1f, 0.0f, 0};
    void *arena = aligned_alloc(16, a_last);
    pml_train *t;
    REQUIRE_EQ(pml_train_init(&t, &m, pml_op_set_all(), &cfg, arena, a_last, NULL), PML_OK);
    REQUIRE_EQ(pml_train_param_count(t), 2);
    pml_train_param p;
    pml_train_get_param(t, 0, &p);
    CHECK_EQ(p.op_index, 5);
    pml_tensor w;
    pml_model_tensor(&m, (uint32_t)p.tensor_index, &w);
    one_step(t);
    CHECK(memcmp(w.data, p.value, w.bytes) != 0); /* the copy trained, the model buffer is untouched */
    free(arena);
    free(buf);
}

PML_TEST(loss_decreases_on_a_tiny_problem) {
    pml_model m;
    uint8_t *buf = tu_open_model("tests/data/train/tiny_cnn_f32.tflite", &m, NULL);
    REQUIRE(buf != NULL);
    pml_train_config cfg = {NULL, 0, PML_LOSS_SOFTMAX_XENT, 4, 0.05f, 0.9f, 0};
    size_t need;
    REQUIRE_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, NULL), PML_OK);
    void *arena = aligned_alloc(16, need);
    pml_train *t;
    REQUIRE_EQ(pml_train_init(&t, &m, pml_op_set_all(), &cfg, arena, need, NULL), PML_OK);
    enum { N = 16, D = 72, C = 5 };
    static float xs[N][D];
    int labels[N];
    for (int i = 0; i < N; i++) {
        labels[i] = i % C;
        for (int k = 0; k < D; k++) xs[i][k] = frand() + (k % C == labels[i] ? 1.0f : 0.0f);
    }
    pml_tensor in;
    pml_train_input(t, 0, &in);
    REQUIRE_EQ(in.bytes, sizeof xs[0]);
    double first = 0.0, last = 0.0;
    for (int epoch = 0; epoch < 40; epoch++) {
        double sum = 0.0;
        for (int i = 0; i < N; i++) {
            float target[C] = {0}, l;
            target[labels[i]] = 1.0f;
            memcpy(in.data, xs[i], sizeof xs[i]);
            REQUIRE_EQ(pml_train_sample(t, target, &l), PML_OK);
            sum += (double)l;
            if (i % 4 == 3) pml_train_update(t);
        }
        if (epoch == 0) first = sum / N;
        last = sum / N;
    }
    printf("tiny_cnn: mean loss %.4f -> %.4f after 40 epochs\n", first, last);
    CHECK(last < 0.25 * first);
    free(arena);
    free(buf);
}

PML_TEST(bad_configs_are_refused) {
    pml_model m;
    uint8_t *buf = tu_open_model("tests/data/train/tiny_cnn_f32.tflite", &m, NULL);
    REQUIRE(buf != NULL);
    size_t need;
    pml_error e;
    static const pml_train_layer pool[] = {{2, PML_TRAIN_WEIGHTS}};
    static const pml_train_layer nosuch[] = {{99, PML_TRAIN_WEIGHTS}};
    static const pml_train_layer nowhat[] = {{0, 0}};
    pml_train_config c1 = {pool, 1, PML_LOSS_SOFTMAX_XENT, 1, 0.1f, 0.0f, 0};
    CHECK_EQ(pml_train_arena_size(&m, pml_op_set_all(), &c1, &need, &e), PML_ERR_ARG);
    pml_train_config c2 = {nosuch, 1, PML_LOSS_SOFTMAX_XENT, 1, 0.1f, 0.0f, 0};
    CHECK_EQ(pml_train_arena_size(&m, pml_op_set_all(), &c2, &need, &e), PML_ERR_ARG);
    pml_train_config c3 = {nowhat, 1, PML_LOSS_SOFTMAX_XENT, 1, 0.1f, 0.0f, 0};
    CHECK_EQ(pml_train_arena_size(&m, pml_op_set_all(), &c3, &need, &e), PML_ERR_ARG);
    pml_train_config c4 = {NULL, 0, PML_LOSS_SOFTMAX_XENT, 0, 0.1f, 0.0f, 0};
    CHECK_EQ(pml_train_arena_size(&m, pml_op_set_all(), &c4, &need, &e), PML_ERR_ARG);
    pml_train_config c5 = {NULL, 0, PML_LOSS_SOFTMAX_XENT, 1, 0.1f, 1.0f, 0};
    CHECK_EQ(pml_train_arena_size(&m, pml_op_set_all(), &c5, &need, &e), PML_ERR_ARG);
    CHECK_EQ(pml_train_arena_size(NULL, pml_op_set_all(), &c5, &need, &e), PML_ERR_ARG);
    /* unknown flags are refused; an int8 model trains (tests/train/test_train_s8.c) */
    pml_model q;
    size_t len;
    uint8_t *qb = tu_load_model("ad01_int8", &q, &len);
    if (qb) {
        pml_train_config c6 = {NULL, 0, PML_LOSS_MSE, 1, 0.1f, 0.0f, 2};
        CHECK_EQ(pml_train_arena_size(&q, pml_op_set_all(), &c6, &need, &e), PML_ERR_ARG);
        c6.flags = 0;
        CHECK_EQ(pml_train_arena_size(&q, pml_op_set_all(), &c6, &need, &e), PML_OK);
        free(qb);
    }
    free(buf);
}

/* The op set is required and is what validates the model: the kernels the model needs suffice (same
 * arena as with every kernel), one missing is refused, NULL is an argument error. */
PML_TEST(op_set_is_required_and_used) {
    pml_model m;
    uint8_t *buf = tu_open_model("tests/data/train/tiny_cnn_f32.tflite", &m, NULL);
    REQUIRE(buf != NULL);
    static const pml_kernel *const k[] = {&pml_kernel_conv2d,  &pml_kernel_dwconv2d, &pml_kernel_average_pool2d,
                                          &pml_kernel_add,     &pml_kernel_reshape,  &pml_kernel_fully_connected,
                                          &pml_kernel_softmax};
    const pml_op_set just = {k, 7}, lacking = {k, 6}; /* lacking: no SOFTMAX */
    pml_train_config cfg = {NULL, 0, PML_LOSS_SOFTMAX_XENT, 1, 0.1f, 0.0f, 0};
    size_t all_need = 0, need = 0;
    pml_error e;
    REQUIRE_EQ(pml_train_arena_size(&m, pml_op_set_all(), &cfg, &all_need, &e), PML_OK);
    REQUIRE_EQ(pml_train_arena_size(&m, &just, &cfg, &need, &e), PML_OK);
    CHECK_EQ(need, all_need);
    CHECK_EQ(pml_train_arena_size(&m, &lacking, &cfg, &need, &e), PML_ERR_UNSUPPORTED);
    CHECK_EQ(pml_train_arena_size(&m, NULL, &cfg, &need, &e), PML_ERR_ARG);
    void *arena = aligned_alloc(16, all_need);
    pml_train *t = NULL;
    CHECK_EQ(pml_train_init(&t, &m, NULL, &cfg, arena, all_need, &e), PML_ERR_ARG);
    CHECK_EQ(pml_train_init(&t, &m, &lacking, &cfg, arena, all_need, &e), PML_ERR_UNSUPPORTED);
    CHECK(t == NULL);
    CHECK_EQ(pml_train_init(&t, &m, &just, &cfg, arena, all_need, &e), PML_OK);
    CHECK(t != NULL);
    free(arena);
    free(buf);
}

int main(void) {
    PML_RUN(arena_size_is_exact_tiny_cnn_all);
    PML_RUN(arena_size_is_exact_tiny_cnn_sparse);
    PML_RUN(arena_size_is_exact_fmnist_cnn);
    PML_RUN(sparse_update_shrinks_the_arena);
    PML_RUN(loss_decreases_on_a_tiny_problem);
    PML_RUN(op_set_is_required_and_used);
    PML_RUN(bad_configs_are_refused);
    return PML_TEST_END("train");
}
