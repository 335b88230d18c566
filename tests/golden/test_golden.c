/* SPDX-License-Identifier: Apache-2.0 */
/*
 * End to end against TensorFlow Lite Micro: every input/output pair in tests/data/golden
 * (copied from the MLPerf Tiny golden set, produced by TFLM's reference kernels). int8 models must
 * match byte for byte; float models within 1e-4 x max|reference|.
 * The int8 models run again with the int8-only kernels (pml_kernel_conv2d_s8, ...) in place of the
 * full ones, as the firmware lists them: same arena, same bytes out. With those kernels, float32 and
 * hybrid models (MLPerf Tiny's and the per-op ones in tests/data/ops) fail with PML_ERR_UNSUPPORTED
 * naming the full kernel they need.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pml_test.h"
#include "pml_test_util.h"

static const char *const int8_models[] = {"kws_ref_model", "vww_96_int8", "ad01_int8", "pretrainedResnet_quant",
                                          "str_ww_ref_model"};
static const char *const float_models[] = {"ad01_fp32", "pretrainedResnet", "vww_96_float"};
static const char *const pairs[] = {"0", "1", "2", "pattern"};

/* The int8-only kernels first, then every other kernel with no int8-only twin (so none of the
 * full CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, ADD or SOFTMAX
 * kernels is in the set). */
static const pml_kernel *const s8_kernels[] = {
    &pml_kernel_conv2d_s8,    &pml_kernel_dwconv2d_s8, &pml_kernel_fully_connected_s8, &pml_kernel_average_pool2d_s8,
    &pml_kernel_max_pool2d_s8, &pml_kernel_add_s8,     &pml_kernel_softmax_s8,         &pml_kernel_reshape,
    &pml_kernel_squeeze,      &pml_kernel_quantize,    &pml_kernel_dequantize,         &pml_kernel_relu,
    &pml_kernel_relu6,        &pml_kernel_relu_n1_to_1, &pml_kernel_logistic,          &pml_kernel_tanh,
    &pml_kernel_pad,          &pml_kernel_padv2,       &pml_kernel_mean,               &pml_kernel_concatenation,
    &pml_kernel_mul,          &pml_kernel_sub,         &pml_kernel_hard_swish,         &pml_kernel_leaky_relu,
    &pml_kernel_maximum,      &pml_kernel_minimum,     &pml_kernel_strided_slice,      &pml_kernel_transpose,
    &pml_kernel_expand_dims,  &pml_kernel_prelu,
};
static const pml_op_set s8_set = {s8_kernels, sizeof s8_kernels / sizeof s8_kernels[0]};

/* Run one model on every golden pair with op set `ops`; returns pairs checked. */
static int run_pairs(const char *name, bool exact, const pml_op_set *ops) {
    pml_model m;
    size_t len, need;
    int checked = 0;
    uint8_t *buf = tu_load_model(name, &m, &len);
    if (!buf) {
        PML_FAIL_AT("cannot load %s", name);
        return 0;
    }
    pml_error e;
    if (pml_interp_arena_size(&m, ops, &need, &e) != PML_OK) {
        PML_FAIL_AT("%s: arena_size failed: %s", name, e.msg);
        free(buf);
        return 0;
    }
    if (ops != pml_op_set_all()) {
        size_t need_all = 0;
        CHECK_EQ(pml_interp_arena_size(&m, pml_op_set_all(), &need_all, NULL), PML_OK);
        CHECK_EQ(need, need_all);
    }
    uint8_t *arena = aligned_alloc(16, need);
    pml_interp *it;
    if (pml_interp_init(&it, &m, ops, arena, need, &e) != PML_OK) {
        PML_FAIL_AT("%s: init failed: %s", name, e.msg);
        free(arena);
        free(buf);
        return 0;
    }
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        char p[512];
        size_t in_len, out_len;
        uint8_t *in = tu_read(tu_path(p, sizeof p, "%s/tests/data/golden/%s.%s.input.bin", tu_repo(), name, pairs[k]), &in_len);
        uint8_t *ref = tu_read(tu_path(p, sizeof p, "%s/tests/data/golden/%s.%s.output.bin", tu_repo(), name, pairs[k]), &out_len);
        if (!in || !ref) {
            PML_FAIL_AT("%s: missing golden pair %s", name, pairs[k]);
            free(in);
            free(ref);
            continue;
        }
        pml_tensor ti, to;
        pml_interp_input(it, 0, &ti);
        pml_interp_output(it, 0, &to);
        if (ti.bytes != in_len || to.bytes != out_len) {
            PML_FAIL_AT("%s.%s: size mismatch (input %zu vs %zu, output %zu vs %zu)", name, pairs[k], ti.bytes, in_len,
                        to.bytes, out_len);
        } else {
            memcpy(ti.data, in, in_len);
            pml_status s = pml_interp_invoke(it);
            if (s != PML_OK) {
                PML_FAIL_AT("%s.%s: invoke failed", name, pairs[k]);
            } else if (exact) {
                size_t bad = 0, first = 0;
                for (size_t i = 0; i < out_len; i++)
                    if (((uint8_t *)to.data)[i] != ref[i] && !bad++) first = i;
                if (bad)
                    PML_FAIL_AT("%s.%s: %zu of %zu bytes differ (first at %zu: %d vs %d)", name, pairs[k], bad, out_len,
                                first, (int)((int8_t *)to.data)[first], (int)(int8_t)ref[first]);
            } else {
                const float *o = (const float *)to.data, *r = (const float *)(const void *)ref;
                size_t n = out_len / 4;
                float mx = 0.0f, worst = 0.0f;
                for (size_t i = 0; i < n; i++) mx = fmaxf(mx, fabsf(r[i]));
                for (size_t i = 0; i < n; i++) worst = fmaxf(worst, fabsf(o[i] - r[i]));
                if (!(worst <= 1e-4f * mx))
                    PML_FAIL_AT("%s.%s: max error %g > 1e-4 * %g", name, pairs[k], (double)worst, (double)mx);
            }
            checked++;
        }
        free(in);
        free(ref);
    }
    free(arena);
    free(buf);
    return checked;
}

PML_TEST(int8_models_bit_exact) {
    for (size_t i = 0; i < sizeof int8_models / sizeof int8_models[0]; i++)
        CHECK_EQ(run_pairs(int8_models[i], true, pml_op_set_all()), 4);
}

PML_TEST(int8_models_bit_exact_s8_kernels) {
    for (size_t i = 0; i < sizeof int8_models / sizeof int8_models[0]; i++)
        CHECK_EQ(run_pairs(int8_models[i], true, &s8_set), 4);
}

PML_TEST(float_models_within_tolerance) {
    for (size_t i = 0; i < sizeof float_models / sizeof float_models[0]; i++)
        CHECK_EQ(run_pairs(float_models[i], false, pml_op_set_all()), 4);
}

/* `rel` (a model under the repo) with the int8-only kernels: arena_size and init both refuse it
 * with PML_ERR_UNSUPPORTED and a message that starts with `want`; the full set takes it. */
static void check_s8_refuses(const char *rel, const char *want) {
    pml_model m;
    uint8_t *buf = tu_open_model(rel, &m, NULL);
    if (!buf) {
        PML_FAIL_AT("cannot open %s", rel);
        return;
    }
    pml_error e;
    size_t need = 0;
    memset(&e, 0, sizeof e);
    CHECK_EQ(pml_interp_arena_size(&m, &s8_set, &need, &e), PML_ERR_UNSUPPORTED);
    if (strncmp(e.msg, want, strlen(want)) != 0) PML_FAIL_AT("%s: message \"%s\", expected \"%s...\"", rel, e.msg, want);
    CHECK(e.op_index >= 0);
    CHECK_EQ(pml_interp_arena_size(&m, pml_op_set_all(), &need, NULL), PML_OK);
    uint8_t *arena = aligned_alloc(16, need);
    pml_interp *it = NULL;
    memset(&e, 0, sizeof e);
    CHECK_EQ(pml_interp_init(&it, &m, &s8_set, arena, need, &e), PML_ERR_UNSUPPORTED);
    CHECK(it == NULL);
    if (strncmp(e.msg, want, strlen(want)) != 0) PML_FAIL_AT("%s: init message \"%s\"", rel, e.msg);
    free(arena);
    free(buf);
}

PML_TEST(s8_kernels_refuse_float) {
    static const char *const tail = " tensors need pml_kernel_";
    static const struct {
        const char *rel, *op, *kernel;
    } cases[] = {
        /* MLPerf Tiny float models: the first op the int8-only set cannot take */
        {"models/ad01_fp32.tflite", "FULLY_CONNECTED", "fully_connected"},
        {"models/pretrainedResnet.tflite", "CONV_2D", "conv2d"},
        {"models/vww_96_float.tflite", "CONV_2D", "conv2d"},
        {"models/kws_ref_model_float32.tflite", "CONV_2D", "conv2d"},
        /* one float32 (or hybrid) model per int8-only kernel */
        {"tests/data/ops/conv_3x3_same_s1_c3o4_relu_f32.tflite", "CONV_2D", "conv2d"},
        {"tests/data/ops/conv_3x3_same_s1_c3o4_hyb.tflite", "CONV_2D", "conv2d"},
        {"tests/data/ops/dw_3x3_same_s1_c8m1_relu_f32.tflite", "DEPTHWISE_CONV_2D", "dwconv2d"},
        {"tests/data/ops/dw_3x3_same_s1_c4m1_perchannel_hyb.tflite", "DEPTHWISE_CONV_2D", "dwconv2d"},
        {"tests/data/ops/fc_b1_d16_u8_f32.tflite", "FULLY_CONNECTED", "fully_connected"},
        {"tests/data/ops/fc_b1_d32_u8_hyb.tflite", "FULLY_CONNECTED", "fully_connected"},
        {"tests/data/ops/avgpool_2x2_s2_valid_c3_f32.tflite", "AVERAGE_POOL_2D", "average_pool2d"},
        {"tests/data/ops/maxpool_2x2_s2_valid_c3_f32.tflite", "MAX_POOL_2D", "max_pool2d"},
        {"tests/data/ops/add_same_1x5x7x3_f32.tflite", "ADD", "add"},
        {"tests/data/ops/softmax_b1_4x10_f32.tflite", "SOFTMAX", "softmax"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[160];
        snprintf(want, sizeof want, "%s: float32%s%s, not the int8-only kernel", cases[i].op, tail,
                 cases[i].kernel);
        check_s8_refuses(cases[i].rel, want);
    }
}

int main(void) {
    PML_RUN(int8_models_bit_exact);
    PML_RUN(int8_models_bit_exact_s8_kernels);
    PML_RUN(float_models_within_tolerance);
    PML_RUN(s8_kernels_refuse_float);
    return PML_TEST_END("golden");
}
