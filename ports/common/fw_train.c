/* SPDX-License-Identifier: Apache-2.0 */
/*
 * picoml on-device training firmware: a few SGD-momentum steps with pml_train on an embedded model
 * and a handful of embedded samples, instruction counts per training sample and per update, and
 * every number the host twin must reproduce. Built by scripts/qemu_train_test.sh for the
 * Cortex-M4 (QEMU mps2-an386) and, from this same file with -DPML_FW_HOST, for the host
 * (ports/common/board_host.c); the script compares the two outputs.
 *
 *   1. open the model (it stays in flash: pml_train_init copies only the trained tensors to RAM);
 *      pml_train_arena_size() must equal the static arena, whose size the build took from this
 *      same call on this same target (the probe build); init with one byte less must fail with
 *      PML_ERR_ARENA naming the exact size;
 *   2. eval 0: the mean loss over the N samples (pml_train_loss, no gradients);
 *   3. PML_FW_TRAIN_STEPS training samples, sample s = step % N, each pml_train_sample() in its own
 *      insncount region (forward + loss + backward + gradient accumulation), and after every
 *      PML_FW_TRAIN_BATCH samples pml_train_update() in its own region (SGD momentum);
 *   4. eval 1: the mean loss over the N samples after training; it must be lower than eval 0
 *      (each pml_train_loss, forward + loss without gradients, in its own insncount region too);
 *   5. every trained value, the peak stack (target only), RESULT PASS / FAIL.
 *
 * Output lines (floats as their IEEE-754 bits in hex, so the comparison sees exact values):
 *   train_arena_bytes A planned P persistent Q     params K values V     samples N steps S batch B
 *   eval E HEX                     mean loss over the N samples (E = 0 before, 1 after training)
 *   loss STEP HEX                  the loss pml_train_sample returned
 *   region R sample STEP | update U | eval S     which insncount region measured what (R = 0:
 *                                                 an empty region, the marker overhead)
 *   param K op O tensor T what W count C   then C values, 8 HEX per "v" line
 *
 * Tasks (PML_FW_TRAIN_TASK):
 *   1  image classification, float32 model, uint8 images scaled to [0, 1] (as `picoml train`),
 *      cross-entropy on one-hot labels; samples blob: u8 label[N], u8 pixels[N][input elements]
 *   2  int8 autoencoder (ad01), MSE against the dequantized input (as `picoml train --ad-adapt`);
 *      samples blob: int8 inputs[N][input elements]
 * Other build-time definitions: PML_FW_TRAIN_KERNELS (the op set: the model's kernels, e.g.
 * &pml_kernel_fully_connected; only their prepare code links; undefined: pml_op_set_all()),
 * PML_FW_TRAIN_LAYERS (initializer of pml_train_layer[], e.g. {8, 3}; undefined: every layer), PML_FW_TRAIN_BATCH, PML_FW_TRAIN_LR, PML_FW_TRAIN_MOMENTUM,
 * PML_FW_TRAIN_STEPS, PML_FW_TRAIN_ARENA_BYTES (not in the probe), PML_FW_PROBE, PML_FW_NAME,
 * PML_FW_TARGET. No printf, no malloc.
 */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "pml/pml.h"
#include "pml/pml_train.h"
#include "fw_io.h"
#ifndef PML_FW_HOST
#include "fw_stack.h" /* stack measurement: target only */
#endif

#ifndef PML_FW_NAME
#define PML_FW_NAME "model"
#endif
#ifndef PML_FW_TARGET
#define PML_FW_TARGET "?"
#endif
#ifndef PML_FW_TRAIN_TASK
#define PML_FW_TRAIN_TASK 1
#endif
#ifndef PML_FW_TRAIN_BATCH
#define PML_FW_TRAIN_BATCH 8
#endif
#ifndef PML_FW_TRAIN_LR
#define PML_FW_TRAIN_LR 0.03f
#endif
#ifndef PML_FW_TRAIN_MOMENTUM
#define PML_FW_TRAIN_MOMENTUM 0.9f
#endif
#ifndef PML_FW_TRAIN_STEPS
#define PML_FW_TRAIN_STEPS 64
#endif

/* target[]: output elements (task 1: classes; task 2: the autoencoder's output = its input) */
#if PML_FW_TRAIN_TASK == 1
#define MAX_OUTPUT 64
#else
#define MAX_OUTPUT 640 /* ad01_int8: 640 */
#endif

extern const uint8_t pml_fw_model[], pml_fw_model_end[];
extern const uint8_t pml_fw_samples[], pml_fw_samples_end[];

#ifndef PML_FW_PROBE
static uint8_t arena[PML_FW_TRAIN_ARENA_BYTES] __attribute__((aligned(PML_ARENA_ALIGN)));
#endif
#ifdef PML_FW_TRAIN_KERNELS
static const pml_kernel *const fw_kernels[] = {PML_FW_TRAIN_KERNELS};
static const pml_op_set fw_op_set = {fw_kernels, (uint32_t)(sizeof fw_kernels / sizeof fw_kernels[0])};
#define FW_OPS (&fw_op_set)
#else
#define FW_OPS pml_op_set_all()
#endif
/* the probe build uses only part of this file */
#define FW_UNUSED __attribute__((unused))
FW_UNUSED static float target[MAX_OUTPUT];

/* ---- output ------------------------------------------------------------------------------------ */
static void put_kv(const char *k, size_t v) {
    put(k);
    put_u(v);
}

/* " xxxxxxxx": the float's bits */
FW_UNUSED static void put_f(float f) {
    static const char hex[] = "0123456789abcdef";
    uint32_t u;
    memcpy(&u, &f, 4);
    char b[9];
    b[0] = ' ';
    for (int i = 0; i < 8; i++) b[1 + i] = hex[(u >> (28 - 4 * i)) & 15u];
    board_write(b, 9);
}

/* ---- samples ------------------------------------------------------------------------------------ */
/* Samples in the blob, 0 if its size or a label does not fit the model. */
FW_UNUSED static size_t n_samples(size_t in_elems, size_t out_elems) {
    size_t len = (size_t)(pml_fw_samples_end - pml_fw_samples);
#if PML_FW_TRAIN_TASK == 1
    size_t n = len / (in_elems + 1u);
    if (n * (in_elems + 1u) != len) return 0;
    for (size_t s = 0; s < n; s++)
        if (pml_fw_samples[s] >= out_elems) return 0;
    return n;
#else
    (void)out_elems;
    return len % in_elems == 0u ? len / in_elems : 0u;
#endif
}

/* Write sample s into the input tensor and its target into `target`. */
FW_UNUSED static void load_sample(const pml_tensor *in, size_t out_elems, size_t n, size_t s) {
    size_t e = in->bytes / (in->dtype == PML_DTYPE_F32 ? 4u : 1u);
#if PML_FW_TRAIN_TASK == 1
    const uint8_t *px = pml_fw_samples + n + s * e;
    float *x = in->data;
    for (size_t i = 0; i < e; i++) x[i] = (float)px[i] * (1.0f / 255.0f);
    for (size_t i = 0; i < out_elems; i++) target[i] = (i == pml_fw_samples[s]) ? 1.0f : 0.0f;
#else
    (void)n;
    (void)out_elems;
    const int8_t *q = (const int8_t *)(pml_fw_samples + s * e);
    memcpy(in->data, q, e);
    for (size_t i = 0; i < e; i++) target[i] = in->scale * (float)((int32_t)q[i] - in->zero_point);
#endif
}

/* ---- main ------------------------------------------------------------------------------------------ */
int main(void) {
#ifndef PML_FW_HOST
    stack_paint();
#endif
    put("picoml training firmware: model " PML_FW_NAME " target " PML_FW_TARGET "\n");
    pml_model m;
    pml_status st = pml_model_open(&m, pml_fw_model, (size_t)(pml_fw_model_end - pml_fw_model));
    if (st != PML_OK) fail("pml_model_open", st, NULL);
#ifdef PML_FW_TRAIN_LAYERS
    static const pml_train_layer layers[] = {PML_FW_TRAIN_LAYERS};
    const uint32_t n_layers = (uint32_t)(sizeof layers / sizeof layers[0]);
#else
    const pml_train_layer *layers = NULL;
    const uint32_t n_layers = 0;
#endif
    const pml_loss loss_kind = PML_FW_TRAIN_TASK == 1 ? PML_LOSS_SOFTMAX_XENT : PML_LOSS_MSE;
    const pml_train_config cfg = {layers, n_layers, loss_kind, PML_FW_TRAIN_BATCH, PML_FW_TRAIN_LR,
                                  PML_FW_TRAIN_MOMENTUM, 0};
    pml_error err;
    size_t need = 0;
    st = pml_train_arena_size(&m, FW_OPS, &cfg, &need, &err);
    if (st != PML_OK) fail("pml_train_arena_size", st, &err);
    put_kv("train_arena_bytes ", need);
#ifdef PML_FW_PROBE
    put("\nRESULT PROBE\n");
    return 0;
#else
    int ok = 1;
    if (need != sizeof arena) {
        put(" (static arena differs: MISMATCH)");
        ok = 0;
    }
    pml_train *t = NULL;
    st = pml_train_init(&t, &m, FW_OPS, &cfg, arena, sizeof arena - 1u, &err);
    if (st != PML_ERR_ARENA || err.arena_needed != sizeof arena || t != NULL) {
        put(" (arena-1 did not fail with the exact size: MISMATCH)");
        ok = 0;
    }
    st = pml_train_init(&t, &m, FW_OPS, &cfg, arena, sizeof arena, &err);
    if (st != PML_OK) fail("pml_train_init", st, &err);
    size_t planned = 0, persistent = 0, values = 0;
    pml_train_arena_split(t, &planned, &persistent);
    put_kv(" planned ", planned);
    put_kv(" persistent ", persistent);
    uint32_t np = pml_train_param_count(t);
    for (uint32_t k = 0; k < np; k++) {
        pml_train_param p;
        if (pml_train_get_param(t, k, &p) == PML_OK) values += p.count;
    }
    put_kv("\nparams ", np);
    put_kv(" values ", values);

    pml_tensor in, out;
    if ((st = pml_train_input(t, 0, &in)) != PML_OK) fail("pml_train_input", st, NULL);
    if ((st = pml_train_forward(t)) != PML_OK) fail("pml_train_forward", st, pml_train_last_error(t));
    if ((st = pml_train_output(t, 0, &out)) != PML_OK) fail("pml_train_output", st, NULL);
    size_t in_elems = in.bytes / (in.dtype == PML_DTYPE_F32 ? 4u : 1u);
    size_t out_elems = out.bytes / (out.dtype == PML_DTYPE_F32 ? 4u : 1u);
    size_t n = n_samples(in_elems, out_elems);
    if (out_elems > MAX_OUTPUT || n == 0 ||
        (PML_FW_TRAIN_TASK == 1 ? in.dtype != PML_DTYPE_F32 : (in.dtype != PML_DTYPE_I8 || in_elems != out_elems)))
        fail("samples do not fit the model", PML_ERR_ARG, NULL);
    put_kv("\nsamples ", n);
    put_kv(" steps ", PML_FW_TRAIN_STEPS);
    put_kv(" batch ", PML_FW_TRAIN_BATCH);
    put("\n");

    float eval[2];
    uint32_t region = 0, updates = 0;
    insn_region_begin(); /* region 0: empty, the marker overhead */
    insn_region_end();
    put("region 0 empty\n");
    for (int e = 0; e < 2; e++) {
        if (e == 1) {
            /* ---- training ---- */
            for (uint32_t step = 0; step < PML_FW_TRAIN_STEPS; step++) {
                float loss = 0.0f;
                load_sample(&in, out_elems, n, step % n);
                insn_region_begin();
                st = pml_train_sample(t, target, &loss);
                insn_region_end();
                if (st != PML_OK) fail("pml_train_sample", st, pml_train_last_error(t));
                put_kv("region ", ++region);
                put_kv(" sample ", step);
                put_kv("\nloss ", step);
                put_f(loss);
                put("\n");
                if ((step + 1u) % PML_FW_TRAIN_BATCH == 0u) {
                    insn_region_begin();
                    st = pml_train_update(t);
                    insn_region_end();
                    if (st != PML_OK) fail("pml_train_update", st, pml_train_last_error(t));
                    put_kv("region ", ++region);
                    put_kv(" update ", updates++);
                    put("\n");
                }
            }
        }
        float sum = 0.0f;
        for (size_t s = 0; s < n; s++) {
            float l = 0.0f;
            load_sample(&in, out_elems, n, s);
            insn_region_begin();
            st = pml_train_loss(t, target, &l);
            insn_region_end();
            if (st != PML_OK) fail("pml_train_loss", st, pml_train_last_error(t));
            put_kv("region ", ++region);
            put_kv(" eval ", s);
            put("\n");
            sum += l;
        }
        eval[e] = sum / (float)n;
        put_kv("eval ", (size_t)e);
        put_f(eval[e]);
        put("\n");
    }
    if (!(eval[1] < eval[0])) {
        put("mean loss did not decrease (MISMATCH)\n");
        ok = 0;
    }

    for (uint32_t k = 0; k < np; k++) {
        pml_train_param p;
        if ((st = pml_train_get_param(t, k, &p)) != PML_OK) fail("pml_train_get_param", st, NULL);
        put_kv("param ", k);
        put_kv(" op ", (size_t)p.op_index);
        put_kv(" tensor ", (size_t)p.tensor_index);
        put_kv(" what ", p.what);
        put_kv(" count ", p.count);
        for (size_t i = 0; i < p.count; i++) {
            if (i % 8u == 0u) put("\nv");
            put_f(p.value[i]);
        }
        put("\n");
    }
#ifndef PML_FW_HOST
    uintptr_t low = stack_low_water();
    put_kv("stack_peak_bytes ", (size_t)((uintptr_t)__stack_top - low));
    put(" (whole run, from the top of RAM, startup included)\n");
    if (low < (uintptr_t)__stack_limit) {
        put("stack overflowed its reservation (MISMATCH)\n");
        ok = 0;
    }
#endif
    put(ok ? "RESULT PASS\n" : "RESULT FAIL\n");
    return ok ? 0 : 1;
#endif
}
