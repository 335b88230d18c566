/* SPDX-License-Identifier: Apache-2.0 */
/*
 * On-device training of float32 .tflite graphs, in one caller arena (no allocation anywhere).
 *
 *     pml_train_layer what[] = {{3, PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS}};   // or layers = NULL: all
 *     pml_train_config cfg = {what, 1, PML_LOSS_SOFTMAX_XENT, 32, 0.01f, 0.9f, 0};
 *     size_t need;
 *     pml_train_arena_size(&m, ops, &cfg, &need, NULL);      // exact bytes, before init
 *     pml_train *t;
 *     pml_train_init(&t, &m, ops, &cfg, arena, need, NULL);  // copies the trained weights to RAM
 *     (ops: the kernels the model's ops need, as for pml_interp_init, or pml_op_set_all())
 *     for each sample:  pml_train_input(t, 0, &in); memcpy(in.data, x, in.bytes);
 *                       pml_train_sample(t, one_hot, &loss);  // forward, loss, backward, accumulate
 *                       every `batch` samples: pml_train_update(t);   // SGD with momentum
 *     inference with the trained weights: pml_train_forward(t), pml_train_output(t, 0, &out)
 *     pml_train_get_param(t, k, &p): p.value (float) / p.quantized (int8) is the trained tensor
 *                       (tensor_count elements: write it back into a model copy)
 *
 * The arena holds: the trainer and its tables (tail), and, planned by the interpreter's planner
 * with lifetimes over one training step (forward ops, loss, backward ops in reverse): forward
 * activations (kept alive until the backward op that needs them), activation gradients, and for
 * each trained tensor a float copy of its values plus one velocity buffer (which also accumulates
 * the mini-batch gradient). Frozen weights stay in the model buffer.
 *
 * Sparse update: only the layers listed train; gradients flow only into tensors that lead from a
 * trained layer to the loss, so backpropagation stops at the earliest trained layer, and
 * activations are kept only where a trained layer's weight gradient (or a fused activation's mask)
 * needs them. A layer may train only its first k output channels (PML_TRAIN_CHANNELS(k)):
 * velocities (and, for int8 graphs, float masters) then hold only those channels' values; the
 * forward still reads a whole RAM copy of the tensor (float graphs: the float value, int8 graphs:
 * the int8 / int32 copy), the frozen channels copied from the model.
 *
 * Supported (float32 and int8): FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D (trainable),
 * AVERAGE_POOL_2D, ADD, RESHAPE, SQUEEZE, SOFTMAX with fused NONE / RELU / RELU6 / RELU_N1_TO_1;
 * MAX_POOL_2D only before the earliest trained layer (no backward); an int8 SOFTMAX runs backward
 * only as the last op, fused with the cross-entropy loss. The loss applies to graph output 0.
 *
 * int8 graphs (int8 activations, symmetric int8 weights per tensor or per channel, int32 bias):
 * the forward runs the int8 kernels inference would pick (bit-exact with the reference); each
 * trained tensor has a float master in the QUANTIZED domain (W/s_w, b/(s_w s_x); scales stay those
 * of the file) and an int8/int32 RAM copy re-quantized from it (round to nearest, ties to even;
 * saturate; weight masters clamped to [-127, 127]) after each update.
 * Backward (FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D: trained, or frozen passing the input
 * gradient on; AVERAGE_POOL_2D, ADD; from the loss back to the earliest trained layer) works
 * in the dequantized domain, straight-through over requantization (gradient zeroed where the int8
 * output sat on its clamp), dequantizing saved int8 activations on the fly. QAS (default) scales
 * the master gradients by s_w^-2 (weights) and s_w^-2 s_x^-2 (bias) per output channel, which makes
 * the update equal to float SGD on the real-valued weights; PML_TRAIN_NO_QAS turns it off. The
 * loss dequantizes output 0 (or the logits before a final SOFTMAX) and targets are real values.
 *
 * Lifetimes: the model (and its buffer) and the arena must outlive the trainer; nothing needs
 * freeing. After a failed pml_train_init the arena content is undefined and *out is NULL.
 */
#ifndef PML_PML_TRAIN_H
#define PML_PML_TRAIN_H

#include "pml.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pml_train pml_train;

/** What of a layer trains (bit mask). */
enum { PML_TRAIN_WEIGHTS = 1, PML_TRAIN_BIAS = 2 };

/** pml_train_config.flags. PML_TRAIN_NO_QAS: int8 graphs without quantization-aware scaling
 *  (an ablation: the update then is s_w^2 (weights) / (s_w s_x)^2 (bias) times too small). */
enum { PML_TRAIN_NO_QAS = 1 };

/** pml_train_layer.what may add PML_TRAIN_CHANNELS(k), 1 <= k < 2^24: for the parts named in that
 *  entry (weights and/or bias) only the first k output channels (FULLY_CONNECTED: units, CONV_2D:
 *  filters; DEPTHWISE_CONV_2D only takes all of them) get gradients, masters and optimizer state;
 *  the others stay as in the model. Without it every output channel trains. Weights and bias may
 *  take different counts in two entries ({9, W | CHANNELS(160)}, {9, B}); one part named twice
 *  must get the same count both times. */
#define PML_TRAIN_CHANNELS(k) ((uint32_t)(k) << 8)
#define PML_TRAIN_CHANNELS_OF(what) ((uint32_t)(what) >> 8)

/** One trained layer: an op index of a FULLY_CONNECTED / CONV_2D / DEPTHWISE_CONV_2D op. */
typedef struct pml_train_layer {
    uint32_t op_index;
    uint32_t what; /**< PML_TRAIN_WEIGHTS and/or PML_TRAIN_BIAS, optionally | PML_TRAIN_CHANNELS(k) */
} pml_train_layer;

typedef enum pml_loss {
    /** Cross-entropy against a target distribution (one-hot). If graph output 0 comes from a
     *  SOFTMAX op, that op is fused with the loss; otherwise output 0 is taken as logits. */
    PML_LOSS_SOFTMAX_XENT = 0,
    /** Mean squared error over graph output 0 (autoencoders, regression). */
    PML_LOSS_MSE = 1,
    PML_LOSS_COUNT = 2
} pml_loss;

typedef struct pml_train_config {
    const pml_train_layer *layers; /**< NULL: every trainable layer, weights and bias  */
    uint32_t n_layers;
    pml_loss loss;
    uint32_t batch;  /**< samples per update, >= 1; gradients are averaged over it */
    float lr;        /**< learning rate, >= 0                                       */
    float momentum;  /**< 0 <= momentum < 1                                         */
    uint32_t flags;  /**< 0 or PML_TRAIN_NO_QAS                                      */
} pml_train_config;

/**
 * Exact arena bytes pml_train_init needs (for a PML_ARENA_ALIGN-aligned arena). Validates the
 * model (every op's prepare from `ops`, as pml_interp_arena_size does) and the configuration as
 * init does; touches no arena. `ops` (required, never NULL): the kernels the model's ops need;
 * listing only those (not pml_op_set_all()) lets the linker drop the other ops' prepare code.
 * @return PML_OK, PML_ERR_ARG (NULL, bad config: unknown layer, nothing trainable, lr/momentum out
 *         of range), PML_ERR_MODEL, PML_ERR_UNSUPPORTED (op or dtype training cannot handle, or an
 *         op `ops` lacks; see err).
 */
PML_API pml_status pml_train_arena_size(const pml_model *m, const pml_op_set *ops, const pml_train_config *cfg,
                                        size_t *out_bytes, pml_error *err);

/**
 * Plan and build the trainer inside `arena`; copies every trained tensor from the model into the
 * arena and clears the velocities. `ops` as for pml_train_arena_size. With too small an arena:
 * PML_ERR_ARENA and err->arena_needed.
 */
PML_API pml_status pml_train_init(pml_train **out, const pml_model *m, const pml_op_set *ops,
                                  const pml_train_config *cfg, void *arena, size_t arena_len, pml_error *err);

/** View of graph input i: write the sample here; it stays intact through pml_train_sample,
 *  _forward and _loss (so one write serves several calls). */
PML_API pml_status pml_train_input(const pml_train *t, uint32_t i, pml_tensor *view);
/** View of graph output i: valid after pml_train_forward, _loss or _sample. */
PML_API pml_status pml_train_output(const pml_train *t, uint32_t i, pml_tensor *view);

/** Inference with the current weights. */
PML_API pml_status pml_train_forward(pml_train *t);
/** Forward and the loss of output 0 against `target` (output 0's element count), no gradients. */
PML_API pml_status pml_train_loss(pml_train *t, const float *target, float *loss);
/** One training sample: forward, loss (into *loss if non-NULL), backward; parameter gradients
 *  / batch are added into the velocities (the first sample of a batch first scales them by the
 *  momentum). */
PML_API pml_status pml_train_sample(pml_train *t, const float *target, float *loss);
/** SGD-momentum step with what was accumulated since the last update: w -= lr * v. */
PML_API pml_status pml_train_update(pml_train *t);
PML_API pml_status pml_train_set_lr(pml_train *t, float lr);

/** One trained tensor. */
typedef struct pml_train_param {
    int32_t op_index;     /**< the layer                                   */
    int32_t tensor_index; /**< the model tensor (its data in the model file) */
    uint32_t what;        /**< PML_TRAIN_WEIGHTS or PML_TRAIN_BIAS          */
    float *value;         /**< [count] current values, in the arena (int8 graphs: the float master in
                               the quantized domain, W/s_w or b/(s_w s_x); float graphs:
                               [tensor_count], the frozen channels after the trained ones) */
    float *velocity;      /**< [count] velocity / gradient accumulator      */
    size_t count;         /**< trained values: the first `count` of the tensor's elements */
    void *quantized;      /**< int8 graphs: [tensor_count] int8 weights / int32 bias the forward uses
                               (the trained ones re-quantized from value after each update); else NULL */
    size_t tensor_count;  /**< elements of the whole tensor (> count when only some output channels
                               train); float graphs: value holds all of them (the forward reads it) */
} pml_train_param;
PML_API uint32_t pml_train_param_count(const pml_train *t);
PML_API pml_status pml_train_get_param(const pml_train *t, uint32_t k, pml_train_param *out);

/** Arena bytes in use (equals pml_train_arena_size), and its planned / persistent split. */
PML_API size_t pml_train_arena_used(const pml_train *t);
PML_API void pml_train_arena_split(const pml_train *t, size_t *planned, size_t *persistent);
PML_API const pml_error *pml_train_last_error(const pml_train *t);

#ifdef __cplusplus
}
#endif
#endif /* PML_PML_TRAIN_H */
