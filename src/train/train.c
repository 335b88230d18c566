/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Training engine: forward, loss, backward and SGD-momentum for float32 graphs, in one arena.
 *
 * Timeline of one training sample, N = number of ops: step k (0..N-1) runs op k forward, step N
 * the loss, step 2N-k op k backward. Every buffer gets an inclusive [first, last] step range and
 * the interpreter's planner (src/runtime/planner.c) places them all:
 *   act(r)   the forward value of tensor root r (RESHAPE/SQUEEZE outputs share their input's root),
 *            alive from its producer to its last forward use, extended to the backward step of
 *            any op that needs it (weight gradient: the op's input; fused activation / SOFTMAX:
 *            the op's output); graph inputs and outputs stay alive the whole step (an input
 *            written once serves pml_train_forward, _loss and _sample alike; outputs are readable
 *            after any of them).
 *   grad(r)  dL/d(root r), from its first writer (the loss, or the backward of its last consumer)
 *            to the backward of its producer.
 *   value(p), vel(p)  a trained tensor's float copy and its velocity: alive the whole step.
 * Which ops run backward (autograd's rule): an op's output requires a gradient if the op trains
 * or one of its inputs requires one; an op runs backward if its output requires a gradient and
 * reaches the loss; an input gradient is computed only if that input requires one. So with a
 * sparse update nothing below the earliest trained layer is kept or computed.
 *
 * Arena: [planned head | ... | tail: trainer, tensor tables, nodes, params]. While building, the
 * workspace (one pml__buf per buffer, one tinfo per tensor) sits at the head; binding reads it out
 * before the trained weights are copied in. pml_train_arena_size runs the same code in measuring
 * mode with the workspace on the stack (PML_TRAIN_STACK_BUFFERS x 16 + PML_TRAIN_STACK_TENSORS x 8
 * bytes).
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "pml/pml_train.h"
#include "../ops/pml_ops_internal.h"
#include "pml_train_internal.h"

#ifndef PML_TRAIN_STACK_BUFFERS
#if defined(__arm__) || defined(__riscv)
#define PML_TRAIN_STACK_BUFFERS 128
#else
#define PML_TRAIN_STACK_BUFFERS 1024
#endif
#endif
#ifndef PML_TRAIN_STACK_TENSORS
#if defined(__arm__) || defined(__riscv)
#define PML_TRAIN_STACK_TENSORS 128
#else
#define PML_TRAIN_STACK_TENSORS 1024
#endif
#endif

/* One op as training runs it. */
typedef struct tnode {
    int32_t code;
    int32_t x, x2, w, b, y;      /* tensor indices (-1 absent): input, ADD's 2nd input, weights, bias, output */
    uint32_t what;               /* PML_TRAIN_* parts that train                                  */
    int32_t ch;                  /* output channels (trainable ops: units / filters), else 0       */
    int32_t pw, pb;              /* leading output channels whose weights / bias train (ch unless configured) */
    bool bwd;                    /* run backward                                                   */
    bool dx, dx2;                /* compute d(x), d(x2)                                            */
    bool zero_dx, zero_dx2;      /* first writer of that gradient: clear it first                  */
    bool has_act;                /* fused activation other than NONE                               */
    float lo, hi;                /* its clamp range                                                */
    pml_conv_params cp;
    pml_pool_params pp;
    pml_fc_params fp;
    pml_add_params ap;
    pml_softmax_params sp;
    pml_bcast5 bc;
    pml_dims4 in_d, f_d, out_d;
    int32_t batches, depth, units, rows;
    size_t x_count, x2_count, y_count;
    const float *wv, *bv;        /* weights / bias in use: arena copy if trained, else the model  */
    float *vw, *vb;              /* velocities (gradient accumulators) of trained parts, or NULL */
    /* int8 graphs */
    bool q;                      /* int8 node (activations int8, weights int8, bias int32)         */
    int32_t nq;                  /* weight scales: 1 (per tensor) or output channels               */
    int32_t qlo, qhi;            /* quantized output clamp (fused activation and int8 range)       */
    size_t esz;                  /* activation element size (4 float, 1 int8)                      */
    pml_requant rq;              /* forward requantization (arrays in the tail)                    */
    pml_qgrad qg;                /* backward: input quantization, weight scales (tail), QAS        */
    const int8_t *wq;            /* weights in use: RAM copy if trained, else the model            */
    const int32_t *bq;           /* bias in use: RAM copy if trained, else the model               */
    pml_conv_s8_fn conv_s8;      /* CONV_2D / DEPTHWISE_CONV_2D forward: the variant the kernel table */
    pml_fc_s8_fn fc_s8;          /* picks, as the interpreter's prepare does (no scratch needed)      */
    bool fast_f32;               /* float CONV_2D (forward, backward), FULLY_CONNECTED and
                                    AVERAGE_POOL_2D (forward): the _fast twins apply (src/train)     */
} tnode;

/* Per-tensor workspace entry. */
typedef struct tinfo {
    int16_t root;  /* tensor whose buffer this one shares (itself if none) */
    int16_t wr;    /* op that writes d(root) first in backward order, -1 none */
    uint8_t flags;
    uint8_t pad[3];
} tinfo;
enum { F_RG = 1, F_REACH = 2, F_CONST = 4 };
enum { K_ACT, K_GRAD, K_VALUE, K_VEL, K_QV };

struct pml_train {
    const pml_model *m;
    uint8_t *base;
    size_t required, planned, persistent;
    uint32_t n_tensors, n_ops, n_params;
    float **act;             /* [n_tensors] forward values (arena, or model for constants) */
    float **grad;            /* [n_tensors] gradients or NULL                              */
    tnode *nodes;            /* [n_ops]                                                    */
    pml_train_param *params; /* [n_params]                                                 */
    pml_loss loss;
    float lr, momentum, gscale;
    int32_t out_t;  /* graph output 0                          */
    int32_t loss_t; /* tensor whose gradient the loss writes    */
    bool fused;     /* CE fused with a final SOFTMAX            */
    float beta;
    size_t out_count;
    bool batch_open;
    bool q;          /* int8 graph: masters in the quantized domain, re-quantized after each update */
    float lq_scale;  /* int8: quantization of the loss tensor (dequantized for the loss) */
    int32_t lq_zp;
    pml_error err;
};

/* ---- reading ops ----------------------------------------------------------------------------- */

static bool is_trainable_code(int32_t c) {
    return c == PML_OP_FULLY_CONNECTED || c == PML_OP_CONV_2D || c == PML_OP_DEPTHWISE_CONV_2D;
}
static bool is_alias_code(int32_t c) { return c == PML_OP_RESHAPE || c == PML_OP_SQUEEZE; }

/* The int8 part of parse_node: quantization parameters (ti: x, x2, w, b, y as parse_node read them). */
static pml_status parse_node_s8(const pml_model *m, uint32_t k, tnode *nd, const pml__tinfo *ti, int32_t act,
                                pml_error *err) {
    const char *name = pml_op_name(nd->code);
    float in_s = pml__tinfo_scale(m, &ti[0], 0), out_s = pml__tinfo_scale(m, &ti[4], 0);
    int32_t in_zp = pml__tinfo_zp(m, &ti[0], 0), out_zp = pml__tinfo_zp(m, &ti[4], 0);
    if (!pml__valid_q8(m, &ti[0]) || !pml__valid_q8(m, &ti[4]))
        return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, -1, "%s: int8 tensors without quantization", name);
    if (!pml__act_range_s8(act, out_s, out_zp, &nd->qlo, &nd->qhi))
        return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, -1, "%s: fused activation %d", name, (int)act);
    nd->esz = 1;
    nd->cp.input_offset = nd->fp.input_offset = -in_zp;
    nd->cp.output_offset = nd->fp.output_offset = out_zp;
    nd->fp.weights_offset = 0;
    nd->cp.act_min = nd->fp.act_min = nd->pp.act_min = nd->qlo;
    nd->cp.act_max = nd->fp.act_max = nd->pp.act_max = nd->qhi;
    nd->qg.in_scale = in_s;
    nd->qg.in_zp = in_zp;
    if (nd->code == PML_OP_SOFTMAX) pml__softmax_params_s8((double)nd->sp.beta, (double)in_s, &nd->sp);
    if (nd->code == PML_OP_ADD) { /* the interpreter's prepare checked x2's quantization */
        pml__add_params_s8(in_s, in_zp, pml__tinfo_scale(m, &ti[1], 0), pml__tinfo_zp(m, &ti[1], 0), out_s, out_zp,
                           &nd->ap);
        nd->ap.act_min = nd->qlo;
        nd->ap.act_max = nd->qhi;
    }
    /* the backward clamps the gradient where the int8 output saturated (or a fused activation did) */
    nd->has_act = nd->code == PML_OP_AVERAGE_POOL_2D || nd->code == PML_OP_ADD;
    if (is_trainable_code(nd->code)) {
        int32_t ch = nd->code == PML_OP_FULLY_CONNECTED ? nd->units : nd->out_d.c;
        int32_t qdim = nd->code == PML_OP_DEPTHWISE_CONV_2D ? 3 : 0;
        if (!pml__valid_w8(m, &ti[2], ch, qdim))
            return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, -1, "%s: needs symmetric int8 weights", name);
        nd->nq = ti[2].scale.n == 1 ? 1 : ch;
        nd->has_act = true; /* int8 saturation clamps too */
        nd->wq = (const int8_t *)(const void *)ti[2].data;
        nd->bq = nd->b >= 0 ? (const int32_t *)(const void *)ti[3].data : NULL;
        nd->qg.w_scale_count = nd->nq;
        /* the forward runs the same variant inference would (bit-exact twins of the reference) */
        if (nd->code == PML_OP_FULLY_CONNECTED) {
            nd->fc_s8 = pml__fc_s8_select(&nd->fp)->run;
        } else {
            uint32_t nv;
            const pml_conv_s8_variant *tab =
                nd->code == PML_OP_CONV_2D ? pml__conv2d_s8_variants(&nv) : pml__dwconv2d_s8_variants(&nv);
            nd->conv_s8 = pml__conv_s8_select(tab, nv, &nd->cp, &nd->in_d, &nd->f_d, &nd->out_d)->run;
        }
    }
    return PML_OK;
}

/* Fill `nd` for op k (the interpreter's prepare has validated the shapes already). */
static pml_status parse_node(const pml_model *m, uint32_t k, tnode *nd, pml_error *err) {
    pml__opinfo op;
    pml__tinfo ti[5];
    memset(nd, 0, sizeof *nd);
    if (pml__op_info(m, k, &op) != PML_OK) return pml__error(err, PML_ERR_MODEL, (int32_t)k, -1, "op %u malformed", (unsigned)k);
    nd->code = op.code;
    nd->x = nd->x2 = nd->w = nd->b = nd->y = -1;
    int32_t act = 0;
    const pml__fbt *o = &op.opt;
    const char *name = pml_op_name(op.code);
    if (op.n_in < 1 || op.n_out < 1 || op.in[0] < 0)
        return pml__error(err, PML_ERR_MODEL, (int32_t)k, -1, "op %u: %s without input/output", (unsigned)k, name);
    nd->x = op.in[0];
    nd->y = op.out[0];
    switch (op.code) {
    case PML_OP_FULLY_CONNECTED:
        nd->w = op.n_in > 1 ? op.in[1] : -1;
        nd->b = op.n_in > 2 ? op.in[2] : -1;
        if (op.has_opt) act = (int32_t)pml__fb_u8(m, o, 0, 0);
        break;
    case PML_OP_CONV_2D:
    case PML_OP_DEPTHWISE_CONV_2D: {
        bool dw = op.code == PML_OP_DEPTHWISE_CONV_2D;
        nd->w = op.n_in > 1 ? op.in[1] : -1;
        nd->b = op.n_in > 2 ? op.in[2] : -1;
        if (!op.has_opt) return pml__error(err, PML_ERR_MODEL, (int32_t)k, -1, "%s without options", name);
        int32_t padding = (int32_t)pml__fb_u8(m, o, 0, 0);
        nd->cp.stride_w = pml__fb_i32(m, o, 1, 0);
        nd->cp.stride_h = pml__fb_i32(m, o, 2, 0);
        act = (int32_t)pml__fb_u8(m, o, dw ? 4 : 3, 0);
        nd->cp.dilation_w = pml__fb_i32(m, o, dw ? 5 : 4, 1);
        nd->cp.dilation_h = pml__fb_i32(m, o, dw ? 6 : 5, 1);
        PML_TRY(pml__tensor_info(m, (uint32_t)nd->x, &ti[0]));
        if (nd->w < 0 || pml__tensor_info(m, (uint32_t)nd->w, &ti[1]) != PML_OK)
            return pml__error(err, PML_ERR_MODEL, (int32_t)k, -1, "%s without filter", name);
        PML_TRY(pml__tensor_info(m, (uint32_t)nd->y, &ti[2]));
        if (ti[0].rank != 4 || ti[1].rank != 4 || ti[2].rank != 4)
            return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, -1, "%s needs rank-4 tensors", name);
        nd->in_d = pml__dims4(&ti[0]);
        nd->f_d = pml__dims4(&ti[1]);
        nd->out_d = pml__dims4(&ti[2]);
        int32_t oh, ow;
        if (!pml__conv_geometry(padding, nd->in_d.h, nd->f_d.h, nd->cp.stride_h, nd->cp.dilation_h, &oh, &nd->cp.pad_h) ||
            !pml__conv_geometry(padding, nd->in_d.w, nd->f_d.w, nd->cp.stride_w, nd->cp.dilation_w, &ow, &nd->cp.pad_w) ||
            oh != nd->out_d.h || ow != nd->out_d.w || nd->in_d.c <= 0)
            return pml__error(err, PML_ERR_MODEL, (int32_t)k, -1, "%s: bad geometry", name);
        nd->cp.depth_multiplier = dw ? nd->out_d.c / nd->in_d.c : 1;
        if (!dw && nd->f_d.c != nd->in_d.c)
            return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, -1, "CONV_2D: grouped convolution");
        break;
    }
    case PML_OP_AVERAGE_POOL_2D:
    case PML_OP_MAX_POOL_2D: {
        if (!op.has_opt) return pml__error(err, PML_ERR_MODEL, (int32_t)k, -1, "%s without options", name);
        int32_t padding = (int32_t)pml__fb_u8(m, o, 0, 0);
        nd->pp.stride_w = pml__fb_i32(m, o, 1, 0);
        nd->pp.stride_h = pml__fb_i32(m, o, 2, 0);
        nd->pp.filter_w = pml__fb_i32(m, o, 3, 0);
        nd->pp.filter_h = pml__fb_i32(m, o, 4, 0);
        act = (int32_t)pml__fb_u8(m, o, 5, 0);
        PML_TRY(pml__tensor_info(m, (uint32_t)nd->x, &ti[0]));
        PML_TRY(pml__tensor_info(m, (uint32_t)nd->y, &ti[2]));
        if (ti[0].rank != 4 || ti[2].rank != 4)
            return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, -1, "%s needs rank-4 tensors", name);
        nd->in_d = pml__dims4(&ti[0]);
        nd->out_d = pml__dims4(&ti[2]);
        int32_t oh, ow;
        if (!pml__conv_geometry(padding, nd->in_d.h, nd->pp.filter_h, nd->pp.stride_h, 1, &oh, &nd->pp.pad_h) ||
            !pml__conv_geometry(padding, nd->in_d.w, nd->pp.filter_w, nd->pp.stride_w, 1, &ow, &nd->pp.pad_w) ||
            oh != nd->out_d.h || ow != nd->out_d.w)
            return pml__error(err, PML_ERR_MODEL, (int32_t)k, -1, "%s: bad geometry", name);
        break;
    }
    case PML_OP_ADD:
        if (op.n_in < 2 || op.in[1] < 0) return pml__error(err, PML_ERR_MODEL, (int32_t)k, -1, "ADD needs two inputs");
        nd->x2 = op.in[1];
        if (op.has_opt) act = (int32_t)pml__fb_u8(m, o, 0, 0);
        PML_TRY(pml__tensor_info(m, (uint32_t)nd->x, &ti[0]));
        PML_TRY(pml__tensor_info(m, (uint32_t)nd->x2, &ti[1]));
        PML_TRY(pml__tensor_info(m, (uint32_t)nd->y, &ti[2]));
        if (!pml__broadcast5(&ti[0], &ti[1], &ti[2], &nd->bc))
            return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, -1, "ADD: shapes do not broadcast");
        break;
    case PML_OP_RESHAPE:
    case PML_OP_SQUEEZE:
        break;
    case PML_OP_SOFTMAX:
        nd->sp.beta = op.has_opt ? pml__fb_f32(m, o, 0, 0.0f) : 0.0f;
        break;
    default:
        return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, -1, "op %u: training cannot run %s", (unsigned)k, name);
    }
    /* float32 everywhere, or int8 activations / int8 weights / int32 bias; sizes */
    int32_t ts[5] = {nd->x, nd->x2, nd->w, nd->b, nd->y};
    for (int i = 0; i < 5; i++) {
        if (ts[i] < 0) continue;
        if (pml__tensor_info(m, (uint32_t)ts[i], &ti[i]) != PML_OK)
            return pml__error(err, PML_ERR_MODEL, (int32_t)k, ts[i], "tensor %d malformed", (int)ts[i]);
    }
    nd->q = ti[0].dtype == PML_DTYPE_I8;
    for (int i = 0; i < 5; i++) {
        if (ts[i] < 0) continue;
        int32_t want = !nd->q ? PML_DTYPE_F32 : i == 3 ? PML_DTYPE_I32 : PML_DTYPE_I8;
        if (ti[i].dtype != want)
            return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, ts[i],
                              "op %u (%s): training needs float32 or int8 (int32 bias), tensor %d is %s", (unsigned)k,
                              name, (int)ts[i], pml_dtype_str(ti[i].dtype));
    }
    nd->x_count = ti[0].count;
    nd->x2_count = nd->x2 >= 0 ? ti[1].count : 0;
    nd->y_count = ti[4].count;
    if (op.code == PML_OP_FULLY_CONNECTED) {
        if (nd->w < 0 || ti[2].rank != 2 || !ti[2].data)
            return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, -1, "FULLY_CONNECTED needs constant 2-D weights");
        nd->units = ti[2].dims[0];
        nd->depth = ti[2].dims[1];
        if (nd->depth <= 0 || nd->units <= 0 || ti[0].count % (size_t)nd->depth != 0)
            return pml__error(err, PML_ERR_MODEL, (int32_t)k, -1, "FULLY_CONNECTED: bad shapes");
        nd->batches = (int32_t)(ti[0].count / (size_t)nd->depth);
        nd->ch = nd->units;
    }
    if (op.code == PML_OP_CONV_2D || op.code == PML_OP_DEPTHWISE_CONV_2D) nd->ch = nd->out_d.c;
    if (op.code == PML_OP_SOFTMAX) {
        nd->depth = ti[0].rank >= 1 ? ti[0].dims[ti[0].rank - 1] : 0;
        if (nd->depth <= 0) return pml__error(err, PML_ERR_MODEL, (int32_t)k, -1, "SOFTMAX: empty last dimension");
        nd->rows = (int32_t)(ti[0].count / (size_t)nd->depth);
    }
    if ((nd->w >= 0 && !ti[2].data) || (nd->b >= 0 && !ti[3].data))
        return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, -1, "%s with non-constant weights", name);
    if (is_alias_code(op.code) && ti[0].count != ti[4].count)
        return pml__error(err, PML_ERR_MODEL, (int32_t)k, -1, "%s changes the element count", name);
    if (!pml__act_range_f32(act, &nd->lo, &nd->hi))
        return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, -1, "%s: fused activation %d", name, (int)act);
    nd->has_act = act != 0;
    nd->cp.act_min_f = nd->pp.act_min_f = nd->fp.act_min_f = nd->ap.act_min_f = nd->lo;
    nd->cp.act_max_f = nd->pp.act_max_f = nd->fp.act_max_f = nd->ap.act_max_f = nd->hi;
    nd->esz = sizeof(float);
    if (nd->q) return parse_node_s8(m, k, nd, ti, act, err);
#if !defined(PML_KERNELS_REF) /* reference builds run the reference kernels only */
    nd->fast_f32 = op.code == PML_OP_FULLY_CONNECTED || op.code == PML_OP_AVERAGE_POOL_2D ||
                   (op.code == PML_OP_CONV_2D && pml_conv2d_f32_fast_applies(&nd->cp, &nd->in_d, &nd->f_d, &nd->out_d) &&
                    pml_conv2d_bwd_f32_fast_applies(&nd->cp, &nd->in_d, &nd->f_d, &nd->out_d));
#endif
    nd->wv = nd->w >= 0 ? (const float *)(const void *)ti[2].data : NULL;
    nd->bv = nd->b >= 0 ? (const float *)(const void *)ti[3].data : NULL;
    return PML_OK;
}

/* ---- configuration --------------------------------------------------------------------------- */

static uint32_t what_of(const pml_train_config *cfg, int32_t code, uint32_t k) {
    if (!is_trainable_code(code)) return 0;
    if (!cfg->layers) return PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS;
    uint32_t w = 0;
    for (uint32_t i = 0; i < cfg->n_layers; i++)
        if (cfg->layers[i].op_index == k) w |= cfg->layers[i].what & (PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS);
    return w;
}

/* Leading output channels of op k whose `part` (PML_TRAIN_WEIGHTS or _BIAS) trains, nd parsed for
 * k: the count of the entry naming that part, else all. */
static int32_t pch_of(const pml_train_config *cfg, const tnode *nd, uint32_t k, uint32_t part) {
    if (cfg->layers)
        for (uint32_t i = 0; i < cfg->n_layers; i++)
            if (cfg->layers[i].op_index == k && (cfg->layers[i].what & part) && PML_TRAIN_CHANNELS_OF(cfg->layers[i].what))
                return (int32_t)PML_TRAIN_CHANNELS_OF(cfg->layers[i].what);
    return nd->ch;
}

/* Elements of a trained tensor of nd (`count` elements in all) when its first `pch` channels train. */
static size_t trained_count(const tnode *nd, size_t count, int32_t pch) {
    return nd->ch > 0 ? count / (size_t)nd->ch * (size_t)pch : count;
}

static pml_status check_config(const pml_model *m, const pml_train_config *cfg, pml_error *err) {
    if (cfg->batch < 1 || !(cfg->lr >= 0.0f && cfg->lr < 1e6f) || !(cfg->momentum >= 0.0f && cfg->momentum < 1.0f) ||
        (uint32_t)cfg->loss >= PML_LOSS_COUNT || (cfg->flags & ~(uint32_t)PML_TRAIN_NO_QAS))
        return pml__error(err, PML_ERR_ARG, -1, -1, "bad training config (batch >= 1, lr >= 0, 0 <= momentum < 1, loss)");
    if (cfg->layers) {
        if (cfg->n_layers == 0) return pml__error(err, PML_ERR_ARG, -1, -1, "no layer to train");
        for (uint32_t i = 0; i < cfg->n_layers; i++) {
            const pml_train_layer *l = &cfg->layers[i];
            pml__opinfo op;
            if (l->op_index >= m->n_operators || pml__op_info(m, l->op_index, &op) != PML_OK)
                return pml__error(err, PML_ERR_ARG, -1, -1, "layer %u: no op %u", (unsigned)i, (unsigned)l->op_index);
            if (!is_trainable_code(op.code))
                return pml__error(err, PML_ERR_ARG, (int32_t)l->op_index, -1, "op %u (%s) has no trainable weights",
                                  (unsigned)l->op_index, pml_op_name(op.code));
            const uint32_t chn = PML_TRAIN_CHANNELS_OF(l->what);
            if ((l->what & (PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS)) == 0 ||
                (l->what & 0xFFu & ~(uint32_t)(PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS)))
                return pml__error(err, PML_ERR_ARG, (int32_t)l->op_index, -1, "layer %u: bad 'what' %u", (unsigned)i,
                                  (unsigned)l->what);
            if (chn) {
                tnode nd;
                PML_TRY(parse_node(m, l->op_index, &nd, err));
                if (chn > (uint32_t)nd.ch)
                    return pml__error(err, PML_ERR_ARG, (int32_t)l->op_index, -1, "op %u: %u channels, it has %d",
                                      (unsigned)l->op_index, (unsigned)chn, (int)nd.ch);
                if (nd.code == PML_OP_DEPTHWISE_CONV_2D && chn != (uint32_t)nd.ch)
                    return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)l->op_index, -1,
                                      "op %u: DEPTHWISE_CONV_2D trains all channels or none", (unsigned)l->op_index);
            }
            for (uint32_t j = 0; j < i; j++)
                if (cfg->layers[j].op_index == l->op_index &&
                    (cfg->layers[j].what & l->what & (PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS)) &&
                    PML_TRAIN_CHANNELS_OF(cfg->layers[j].what) != chn)
                    return pml__error(err, PML_ERR_ARG, (int32_t)l->op_index, -1,
                                      "op %u: weights or bias listed with different channel counts", (unsigned)l->op_index);
        }
    }
    return PML_OK;
}

/* ---- build ----------------------------------------------------------------------------------- */

typedef struct bctx {
    const pml_model *m;
    pml_error *err;
    bool measuring;
    uint8_t *lo, *hi; /* real mode: workspace end / tail start */
    size_t persistent;
    pml__buf *bufs;
    uint32_t n_bufs, cap_bufs;
    tinfo *ti;
} bctx;

static pml_status tail_alloc(bctx *c, size_t bytes, void **out) {
    size_t sz = pml__align_up(bytes ? bytes : 1, 8);
    *out = NULL;
    if (sz < bytes || !pml__add_size(c->persistent, sz, &c->persistent))
        return pml__error(c->err, PML_ERR_MODEL, -1, -1, "size overflow");
    if (c->measuring) return PML_OK;
    if ((size_t)(c->hi - c->lo) < sz) return pml__error(c->err, PML_ERR_ARENA, -1, -1, "arena too small");
    c->hi -= sz;
    memset(c->hi, 0, sz);
    *out = c->hi;
    return PML_OK;
}

static int32_t find_buf(const bctx *c, int32_t id, int32_t kind) {
    for (uint32_t i = 0; i < c->n_bufs; i++)
        if (c->bufs[i].tensor == id && c->bufs[i].alias == kind) return (int32_t)i;
    return -1;
}

/* Extend (or create) buffer (id, kind) of `bytes` to cover `step`. */
static pml_status touch(bctx *c, int32_t id, int32_t kind, size_t bytes, int32_t step) {
    int32_t b = find_buf(c, id, kind);
    if (b < 0) {
        if (bytes > (size_t)INT32_MAX - PML_ARENA_ALIGN)
            return pml__error(c->err, PML_ERR_UNSUPPORTED, -1, id, "buffer too large");
        if (c->n_bufs >= c->cap_bufs)
            return pml__error(c->err, PML_ERR_UNSUPPORTED, -1, id,
                              "more than %u training buffers (raise PML_TRAIN_STACK_BUFFERS)", (unsigned)c->cap_bufs);
        b = (int32_t)c->n_bufs++;
        pml__buf *nb = &c->bufs[b];
        nb->size = (uint32_t)pml__align_up(bytes ? bytes : 1, PML_ARENA_ALIGN);
        nb->offset = UINT32_MAX;
        nb->first = nb->last = (int16_t)step;
        nb->tensor = (int16_t)id;
        nb->alias = (int16_t)kind;
    }
    pml__buf *pb = &c->bufs[b];
    if (step < pb->first) pb->first = (int16_t)step;
    if (step > pb->last) pb->last = (int16_t)step;
    return PML_OK;
}

static size_t tensor_bytes(const pml_model *m, int32_t t) {
    pml__tinfo ti;
    return pml__tensor_info(m, (uint32_t)t, &ti) == PML_OK ? ti.bytes : 0;
}
/* Bytes of a float buffer shaped like tensor t (gradients, masters, velocities). */
static size_t float_bytes(const pml_model *m, int32_t t) {
    pml__tinfo ti;
    size_t b;
    return pml__tensor_info(m, (uint32_t)t, &ti) == PML_OK && pml__mul_size(ti.count, sizeof(float), &b) ? b : 0;
}
/* int8 graphs: per-channel tables in the tail (requant multipliers / shifts; weight scales when
 * the node runs backward). Sizes and carving order must agree: both go through this. */
static size_t qtab_bytes(const tnode *nd) {
    if (!nd->q || nd->nq <= 0) return 0;
    size_t n = (size_t)nd->nq;
    return pml__align_up(n * sizeof(int32_t), 8) + pml__align_up(n, 8) + (nd->bwd ? pml__align_up(n * sizeof(float), 8) : 0);
}

#define ROOT(c, t) ((int32_t)(c)->ti[(t)].root)
#define FLAGS(c, t) ((c)->ti[(c)->ti[(t)].root].flags)
static bool is_act(const bctx *c, int32_t t) { return t >= 0 && !(c->ti[t].flags & F_CONST); }

/* Backward decisions for node k from the tensor flags (fused: the SOFTMAX fused with the loss). */
static void decide(const bctx *c, tnode *nd, bool fused) {
    bool y_ok = (FLAGS(c, nd->y) & (F_RG | F_REACH)) == (F_RG | F_REACH);
    nd->bwd = y_ok && !fused && !is_alias_code(nd->code);
    nd->dx = nd->bwd && is_act(c, nd->x) && (FLAGS(c, nd->x) & F_RG);
    nd->dx2 = nd->bwd && is_act(c, nd->x2) && (FLAGS(c, nd->x2) & F_RG);
}

typedef struct build_out {
    size_t required, planned, persistent;
    pml_train *t;
} build_out;

static pml_status build(const pml_model *m, const pml_train_config *cfg, uint8_t *base, size_t usable,
                        pml__buf *stack_bufs, uint32_t stack_cap, tinfo *stack_ti, pml_error *err, build_out *bo) {
    bctx c;
    memset(&c, 0, sizeof c);
    c.m = m;
    c.err = err;
    c.measuring = base == NULL;
    c.lo = base;
    c.hi = base ? base + usable : NULL;
    const uint32_t N = m->n_operators, NT = m->n_tensors;
    if (N == 0 || N > 16000 || NT > 32000) return pml__error(err, PML_ERR_UNSUPPORTED, -1, -1, "graph too large to train");
    const int32_t LOSS = (int32_t)N, END = 2 * (int32_t)N;
    tnode nd;

    /* count trained tensors */
    uint32_t n_params = 0;
    for (uint32_t k = 0; k < N; k++) {
        PML_TRY(parse_node(m, k, &nd, err));
        uint32_t w = what_of(cfg, nd.code, k);
        n_params += (w & PML_TRAIN_WEIGHTS) && nd.w >= 0;
        n_params += (w & PML_TRAIN_BIAS) && nd.b >= 0;
    }
    if (n_params == 0) return pml__error(err, PML_ERR_ARG, -1, -1, "nothing to train (no weights or bias selected)");

    /* persistent: trainer, tables, nodes, params */
    void *p;
    pml_train *t;
    size_t tab, nodes_b, params_b;
    if (!pml__mul_size(NT, sizeof(float *), &tab) || !pml__mul_size(N, sizeof(tnode), &nodes_b) ||
        !pml__mul_size(n_params, sizeof(pml_train_param), &params_b))
        return pml__error(err, PML_ERR_MODEL, -1, -1, "model too large");
    PML_TRY(tail_alloc(&c, sizeof(pml_train), &p));
    t = (pml_train *)p;
    PML_TRY(tail_alloc(&c, tab, &p));
    float **act = (float **)p;
    PML_TRY(tail_alloc(&c, tab, &p));
    float **grad = (float **)p;
    PML_TRY(tail_alloc(&c, nodes_b, &p));
    tnode *nodes = (tnode *)p;
    PML_TRY(tail_alloc(&c, params_b, &p));
    pml_train_param *params = (pml_train_param *)p;

    /* workspace */
    uint32_t cap = 2 * NT + 2 * n_params + 2;
    size_t ws_bytes = (size_t)cap * sizeof(pml__buf) + (size_t)NT * sizeof(tinfo);
    if (c.measuring) {
        if (NT > PML_TRAIN_STACK_TENSORS)
            return pml__error(err, PML_ERR_UNSUPPORTED, -1, -1, "more than %u tensors (raise PML_TRAIN_STACK_TENSORS)",
                              (unsigned)PML_TRAIN_STACK_TENSORS);
        if (cap > stack_cap) cap = stack_cap;
        c.bufs = stack_bufs;
        c.ti = stack_ti;
    } else {
        if (ws_bytes > (size_t)(c.hi - c.lo)) return pml__error(err, PML_ERR_ARENA, -1, -1, "arena too small");
        c.bufs = (pml__buf *)(void *)base;
        c.ti = (tinfo *)(void *)(base + (size_t)cap * sizeof(pml__buf));
        c.lo = base + ws_bytes;
    }
    c.cap_bufs = cap;
    for (uint32_t i = 0; i < NT; i++) {
        c.ti[i].root = (int16_t)i;
        c.ti[i].wr = -1;
        c.ti[i].flags = pml__tensor_is_const(m, i) ? F_CONST : 0;
    }

    /* pass A (forward): roots and requires-grad */
    int32_t fused_op = -1;
    bool q = false;
    for (uint32_t k = 0; k < N; k++) {
        PML_TRY(parse_node(m, k, &nd, err));
        if (k == 0) q = nd.q;
        if (nd.q != q)
            return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, -1, "op %u: mixed float32 / int8 graph", (unsigned)k);
        if (is_alias_code(nd.code) && is_act(&c, nd.x) && is_act(&c, nd.y)) c.ti[nd.y].root = (int16_t)ROOT(&c, nd.x);
        bool rg = what_of(cfg, nd.code, k) != 0;
        rg = rg || (is_act(&c, nd.x) && (FLAGS(&c, nd.x) & F_RG)) || (is_act(&c, nd.x2) && (FLAGS(&c, nd.x2) & F_RG));
        if (rg && is_act(&c, nd.y)) FLAGS(&c, nd.y) |= F_RG;
    }

    /* the loss */
    int32_t out_t = pml__model_io(m, true, 0), loss_t = out_t;
    pml__tinfo oti;
    PML_TRY(pml__tensor_info(m, (uint32_t)out_t, &oti));
    if (oti.dtype != (q ? PML_DTYPE_I8 : PML_DTYPE_F32) || !is_act(&c, out_t))
        return pml__error(err, PML_ERR_UNSUPPORTED, -1, out_t, "output 0 must be a float32 (or int8) activation");
    float beta = 1.0f;
    if (cfg->loss == PML_LOSS_SOFTMAX_XENT) {
        for (uint32_t k = 0; k < N; k++) {
            PML_TRY(parse_node(m, k, &nd, err));
            if (nd.code == PML_OP_SOFTMAX && nd.y == out_t) {
                fused_op = (int32_t)k;
                loss_t = nd.x;
                beta = nd.sp.beta;
                if (nd.rows != 1)
                    return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, -1, "cross-entropy needs one row of classes");
            }
        }
    }
    if (!is_act(&c, loss_t) || !(FLAGS(&c, loss_t) & F_RG))
        return pml__error(err, PML_ERR_ARG, -1, -1, "no trained layer leads to output 0");
    FLAGS(&c, loss_t) |= F_REACH;

    /* pass B (backward order): which tensors reach the loss; first gradient writers */
    for (uint32_t kk = N; kk-- > 0;) {
        PML_TRY(parse_node(m, kk, &nd, err));
        decide(&c, &nd, (int32_t)kk == fused_op);
        if (!nd.bwd) continue;
        if (nd.code == PML_OP_MAX_POOL_2D)
            return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)kk, -1,
                              "op %u: MAX_POOL_2D has no backward (train only layers after it)", (unsigned)kk);
        if (q && !is_trainable_code(nd.code) && nd.code != PML_OP_AVERAGE_POOL_2D && nd.code != PML_OP_ADD)
            return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)kk, -1,
                              "op %u: int8 training has no backward for %s yet (train only layers after it)",
                              (unsigned)kk, pml_op_name(nd.code));
        int32_t xs[2] = {nd.dx ? nd.x : -1, nd.dx2 ? nd.x2 : -1};
        for (int i = 0; i < 2; i++) {
            if (xs[i] < 0) continue;
            FLAGS(&c, xs[i]) |= F_REACH;
            if (c.ti[ROOT(&c, xs[i])].wr < 0) c.ti[ROOT(&c, xs[i])].wr = (int16_t)kk;
        }
    }

    /* int8: per-channel tables (tail) */
    uint8_t *qtab = NULL;
    if (q) {
        size_t qb = 0;
        for (uint32_t k = 0; k < N; k++) {
            PML_TRY(parse_node(m, k, &nd, err));
            decide(&c, &nd, (int32_t)k == fused_op);
            if (!pml__add_size(qb, qtab_bytes(&nd), &qb)) return pml__error(err, PML_ERR_MODEL, -1, -1, "model too large");
        }
        void *qp = NULL;
        if (qb) PML_TRY(tail_alloc(&c, qb, &qp));
        qtab = (uint8_t *)qp;
    }

    /* pass C: lifetimes */
    for (uint32_t i = 0; i < m->n_inputs; i++) {
        int32_t in = pml__model_io(m, false, i);
        if (!is_act(&c, in)) continue;
        PML_TRY(touch(&c, ROOT(&c, in), K_ACT, tensor_bytes(m, ROOT(&c, in)), 0));
        PML_TRY(touch(&c, ROOT(&c, in), K_ACT, tensor_bytes(m, ROOT(&c, in)), END)); /* kept: reusable */
    }
    for (uint32_t k = 0; k < N; k++) {
        PML_TRY(parse_node(m, k, &nd, err));
        decide(&c, &nd, (int32_t)k == fused_op);
        int32_t s = (int32_t)k, sb = END - (int32_t)k;
        int32_t ts[3] = {nd.x, nd.x2, nd.y};
        for (int i = 0; i < 3; i++)
            if (is_act(&c, ts[i])) PML_TRY(touch(&c, ROOT(&c, ts[i]), K_ACT, tensor_bytes(m, ROOT(&c, ts[i])), s));
        if (!nd.bwd) continue;
        uint32_t w = what_of(cfg, nd.code, k);
        if ((w & PML_TRAIN_WEIGHTS) && is_act(&c, nd.x))
            PML_TRY(touch(&c, ROOT(&c, nd.x), K_ACT, tensor_bytes(m, ROOT(&c, nd.x)), sb));
        if (nd.has_act || nd.code == PML_OP_SOFTMAX)
            PML_TRY(touch(&c, ROOT(&c, nd.y), K_ACT, tensor_bytes(m, ROOT(&c, nd.y)), sb));
        PML_TRY(touch(&c, ROOT(&c, nd.y), K_GRAD, float_bytes(m, ROOT(&c, nd.y)), sb));
        if (nd.dx) PML_TRY(touch(&c, ROOT(&c, nd.x), K_GRAD, float_bytes(m, ROOT(&c, nd.x)), sb));
        if (nd.dx2) PML_TRY(touch(&c, ROOT(&c, nd.x2), K_GRAD, float_bytes(m, ROOT(&c, nd.x2)), sb));
    }
    PML_TRY(touch(&c, ROOT(&c, out_t), K_ACT, tensor_bytes(m, ROOT(&c, out_t)), LOSS));
    if (q) PML_TRY(touch(&c, ROOT(&c, loss_t), K_ACT, tensor_bytes(m, ROOT(&c, loss_t)), LOSS)); /* dequantized */
    PML_TRY(touch(&c, ROOT(&c, loss_t), K_GRAD, float_bytes(m, ROOT(&c, loss_t)), LOSS));
    for (uint32_t i = 0; i < m->n_outputs; i++) {
        int32_t o = pml__model_io(m, true, i);
        if (is_act(&c, o)) PML_TRY(touch(&c, ROOT(&c, o), K_ACT, tensor_bytes(m, ROOT(&c, o)), END));
    }
    uint32_t pi = 0;
    for (uint32_t k = 0; k < N; k++) {
        PML_TRY(parse_node(m, k, &nd, err));
        uint32_t w = what_of(cfg, nd.code, k);
        int32_t pt[2] = {(w & PML_TRAIN_WEIGHTS) ? nd.w : -1, (w & PML_TRAIN_BIAS) ? nd.b : -1};
        for (int i = 0; i < 2; i++) {
            if (pt[i] < 0) continue;
            /* velocities (and int8 masters): the trained channels; float values: the whole tensor,
             * which the forward reads */
            int32_t pch = pch_of(cfg, &nd, k, i == 0 ? PML_TRAIN_WEIGHTS : PML_TRAIN_BIAS);
            size_t bytes = trained_count(&nd, float_bytes(m, pt[i]) / sizeof(float), pch) * sizeof(float);
            size_t vbytes = q ? bytes : float_bytes(m, pt[i]);
            PML_TRY(touch(&c, (int32_t)pi, K_VALUE, vbytes, 0));
            PML_TRY(touch(&c, (int32_t)pi, K_VALUE, vbytes, END));
            PML_TRY(touch(&c, (int32_t)pi, K_VEL, bytes, 0));
            PML_TRY(touch(&c, (int32_t)pi, K_VEL, bytes, END));
            if (q) { /* the quantized copy the int8 forward reads */
                PML_TRY(touch(&c, (int32_t)pi, K_QV, tensor_bytes(m, pt[i]), 0));
                PML_TRY(touch(&c, (int32_t)pi, K_QV, tensor_bytes(m, pt[i]), END));
            }
            pi++;
        }
    }

    /* place */
    size_t peak = pml__plan(c.bufs, c.n_bufs);
    size_t head = peak > ws_bytes ? peak : ws_bytes, required;
    if (!pml__add_size(head, c.persistent, &required) || required > SIZE_MAX - PML_ARENA_ALIGN)
        return pml__error(err, PML_ERR_MODEL, -1, -1, "model too large");
    bo->required = pml__align_up(required, PML_ARENA_ALIGN);
    bo->planned = peak;
    bo->persistent = c.persistent;
    if (c.measuring) return PML_OK;
    if (bo->required > usable) return pml__error(err, PML_ERR_ARENA, -1, -1, "arena too small");

    /* bind (reads the workspace; writes only the tail) */
    memset(t, 0, sizeof *t);
    t->m = m;
    t->base = base;
    t->required = bo->required;
    t->planned = peak;
    t->persistent = c.persistent;
    t->n_tensors = NT;
    t->n_ops = N;
    t->n_params = n_params;
    t->act = act;
    t->grad = grad;
    t->nodes = nodes;
    t->params = params;
    t->loss = cfg->loss;
    t->lr = cfg->lr;
    t->momentum = cfg->momentum;
    t->gscale = 1.0f / (float)cfg->batch;
    t->out_t = out_t;
    t->loss_t = loss_t;
    t->fused = fused_op >= 0;
    t->beta = beta;
    t->out_count = oti.count;
    t->q = q;
    if (q) {
        pml__tinfo lti;
        PML_TRY(pml__tensor_info(m, (uint32_t)loss_t, &lti));
        t->lq_scale = pml__tinfo_scale(m, &lti, 0);
        t->lq_zp = pml__tinfo_zp(m, &lti, 0);
    }
    t->err.op_index = t->err.tensor_index = -1;
    for (uint32_t i = 0; i < NT; i++) {
        pml__tinfo ti;
        act[i] = grad[i] = NULL;
        if (c.ti[i].flags & F_CONST) {
            if (pml__tensor_info(m, i, &ti) == PML_OK) act[i] = (float *)(uintptr_t)ti.data;
            continue;
        }
        int32_t ba = find_buf(&c, ROOT(&c, (int32_t)i), K_ACT), bg = find_buf(&c, ROOT(&c, (int32_t)i), K_GRAD);
        if (ba >= 0) act[i] = (float *)(void *)(base + c.bufs[ba].offset);
        if (bg >= 0) grad[i] = (float *)(void *)(base + c.bufs[bg].offset);
    }
    pi = 0;
    for (uint32_t k = 0; k < N; k++) {
        tnode *n = &nodes[k];
        PML_TRY(parse_node(m, k, n, err));
        decide(&c, n, (int32_t)k == fused_op);
        int32_t lr_root = ROOT(&c, loss_t);
        n->zero_dx = n->dx && c.ti[ROOT(&c, n->x)].wr == (int16_t)k && ROOT(&c, n->x) != lr_root;
        n->zero_dx2 = n->dx2 && c.ti[ROOT(&c, n->x2)].wr == (int16_t)k && ROOT(&c, n->x2) != lr_root &&
                      !(n->zero_dx && ROOT(&c, n->x2) == ROOT(&c, n->x));
        n->what = what_of(cfg, n->code, k);
        n->pw = pch_of(cfg, n, k, PML_TRAIN_WEIGHTS);
        n->pb = pch_of(cfg, n, k, PML_TRAIN_BIAS);
        if (n->q && n->nq > 0) { /* carve this node's tables (qtab_bytes order) */
            pml__tinfo wti, xti, yti;
            size_t nq = (size_t)n->nq;
            PML_TRY(pml__tensor_info(m, (uint32_t)n->w, &wti));
            PML_TRY(pml__tensor_info(m, (uint32_t)n->x, &xti));
            PML_TRY(pml__tensor_info(m, (uint32_t)n->y, &yti));
            int32_t *mult = (int32_t *)(void *)qtab;
            qtab += pml__align_up(nq * sizeof(int32_t), 8);
            int8_t *shift = (int8_t *)qtab;
            qtab += pml__align_up(nq, 8);
            if (!pml__fill_requant(m, &wti, pml__tinfo_scale(m, &xti, 0), pml__tinfo_scale(m, &yti, 0), n->nq, mult,
                                   shift))
                return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, -1, "requantization scale out of range");
            n->rq.mult = mult;
            n->rq.shift = shift;
            n->rq.count = n->nq;
            if (n->bwd) {
                float *ws = (float *)(void *)qtab;
                qtab += pml__align_up(nq * sizeof(float), 8);
                for (uint32_t ch = 0; ch < (uint32_t)nq; ch++) ws[ch] = pml__tinfo_scale(m, &wti, ch);
                n->qg.w_scale = ws;
            }
            n->qg.qas = !(cfg->flags & PML_TRAIN_NO_QAS);
        }
        int32_t pt[2] = {(n->what & PML_TRAIN_WEIGHTS) ? n->w : -1, (n->what & PML_TRAIN_BIAS) ? n->b : -1};
        for (int i = 0; i < 2; i++) {
            if (pt[i] < 0) continue;
            pml_train_param *pp = &params[pi];
            pml__tinfo ti;
            PML_TRY(pml__tensor_info(m, (uint32_t)pt[i], &ti));
            pp->op_index = (int32_t)k;
            pp->tensor_index = pt[i];
            pp->what = i == 0 ? PML_TRAIN_WEIGHTS : PML_TRAIN_BIAS;
            pp->count = trained_count(n, ti.count, i == 0 ? n->pw : n->pb);
            pp->tensor_count = ti.count;
            pp->value = (float *)(void *)(base + c.bufs[find_buf(&c, (int32_t)pi, K_VALUE)].offset);
            pp->velocity = (float *)(void *)(base + c.bufs[find_buf(&c, (int32_t)pi, K_VEL)].offset);
            if (q) pp->quantized = base + c.bufs[find_buf(&c, (int32_t)pi, K_QV)].offset;
            if (i == 0) {
                n->wv = pp->value;
                n->vw = n->bwd ? pp->velocity : NULL;
                if (q) n->wq = (const int8_t *)pp->quantized;
            } else {
                n->bv = pp->value;
                n->vb = n->bwd ? pp->velocity : NULL;
                if (q) n->bq = (const int32_t *)pp->quantized;
            }
            pi++;
        }
    }
    /* the workspace is dead from here: copy the trained tensors in, clear the velocities */
    for (uint32_t i = 0; i < n_params; i++) {
        pml__tinfo ti;
        PML_TRY(pml__tensor_info(m, (uint32_t)params[i].tensor_index, &ti));
        if (q) { /* masters hold the quantized values themselves (int8 or int32 units) */
            memcpy(params[i].quantized, ti.data, ti.bytes);
            for (size_t j = 0; j < params[i].count; j++)
                params[i].value[j] = ti.dtype == PML_DTYPE_I8 ? (float)((const int8_t *)ti.data)[j]
                                                               : (float)((const int32_t *)(const void *)ti.data)[j];
        } else {
            memcpy(params[i].value, ti.data, ti.bytes);
        }
        memset(params[i].velocity, 0, params[i].count * sizeof(float));
    }
    bo->t = t;
    return PML_OK;
}

static pml_status measure(const pml_model *m, const pml_train_config *cfg, pml_error *err, build_out *bo) {
    pml__buf bufs[PML_TRAIN_STACK_BUFFERS];
    tinfo ti[PML_TRAIN_STACK_TENSORS];
    return build(m, cfg, NULL, 0, bufs, PML_TRAIN_STACK_BUFFERS, ti, err, bo);
}

/* Validate the model as the interpreter does (every op's prepare, from `ops`), then the config. */
static pml_status validate(const pml_model *m, const pml_op_set *ops, const pml_train_config *cfg, pml_error *err) {
    size_t need;
    PML_TRY(pml_interp_arena_size(m, ops, &need, err));
    return check_config(m, cfg, err);
}

pml_status pml_train_arena_size(const pml_model *m, const pml_op_set *ops, const pml_train_config *cfg,
                                size_t *out_bytes, pml_error *err) {
    build_out bo;
    if (err) memset(err, 0, sizeof *err);
    if (!m || !m->buf || !ops || !cfg || !out_bytes || (cfg->layers == NULL && cfg->n_layers != 0))
        return pml__error(err, PML_ERR_ARG, -1, -1, "NULL argument");
    PML_TRY(validate(m, ops, cfg, err));
    memset(&bo, 0, sizeof bo);
    PML_TRY(measure(m, cfg, err, &bo));
    *out_bytes = bo.required;
    return PML_OK;
}

pml_status pml_train_init(pml_train **out, const pml_model *m, const pml_op_set *ops, const pml_train_config *cfg,
                          void *arena, size_t arena_len, pml_error *err) {
    build_out bo;
    pml_error local;
    if (!err) err = &local;
    memset(err, 0, sizeof *err);
    err->op_index = err->tensor_index = -1;
    if (out) *out = NULL;
    if (!out || !m || !m->buf || !ops || !cfg || (!arena && arena_len) ||
        (cfg->layers == NULL && cfg->n_layers != 0))
        return pml__error(err, PML_ERR_ARG, -1, -1, "NULL argument");
    PML_TRY(validate(m, ops, cfg, err));
    uintptr_t a = (uintptr_t)arena, e = a + arena_len;
    uintptr_t base = (a + (PML_ARENA_ALIGN - 1)) & ~(uintptr_t)(PML_ARENA_ALIGN - 1);
    uintptr_t end = e & ~(uintptr_t)(PML_ARENA_ALIGN - 1);
    size_t usable = (arena && end > base) ? (size_t)(end - base) : 0;
    memset(&bo, 0, sizeof bo);
    pml_status s = usable ? build(m, cfg, (uint8_t *)base, usable, NULL, 0, NULL, err, &bo) : PML_ERR_ARENA;
    if (s == PML_ERR_ARENA) {
        build_out need;
        memset(&need, 0, sizeof need);
        pml_status ms = measure(m, cfg, err, &need);
        if (ms != PML_OK) return ms;
        err->arena_needed = need.required;
        return pml__error(err, PML_ERR_ARENA, -1, -1, "arena too small: %zu bytes given, %zu needed", arena_len,
                          need.required);
    }
    if (s != PML_OK) return s;
    *out = bo.t;
    return PML_OK;
}

/* ---- running --------------------------------------------------------------------------------- */

/* int8 forward: the kernel variants the interpreter would pick (FULLY_CONNECTED, CONV_2D,
 * DEPTHWISE_CONV_2D; reference kernels for the other ops), with the trained tensors' RAM copies. */
static void forward_op_s8(const pml_train *t, const tnode *n) {
    int8_t *x = (int8_t *)(void *)t->act[n->x], *y = (int8_t *)(void *)t->act[n->y];
    switch (n->code) {
    case PML_OP_FULLY_CONNECTED:
        n->fc_s8(&n->fp, &n->rq, n->batches, n->depth, n->units, x, n->wq, n->bq, y);
        break;
    case PML_OP_CONV_2D:
    case PML_OP_DEPTHWISE_CONV_2D:
        n->conv_s8(&n->cp, &n->rq, &n->in_d, x, &n->f_d, n->wq, n->bq, &n->out_d, y);
        break;
    case PML_OP_AVERAGE_POOL_2D:
        (void)pml_avgpool_s8_ref(&n->pp, &n->in_d, x, &n->out_d, y); /* the interpreter's prepare checked the windows */
        break;
    case PML_OP_MAX_POOL_2D:
        pml_maxpool_s8_ref(&n->pp, &n->in_d, x, &n->out_d, y);
        break;
    case PML_OP_ADD:
        pml_add_s8_ref(&n->ap, &n->bc, x, (const int8_t *)(const void *)t->act[n->x2], y);
        break;
    case PML_OP_SOFTMAX:
        pml_softmax_s8_ref(&n->sp, n->rows, n->depth, x, y);
        break;
    default: /* RESHAPE, SQUEEZE */
        if (x != y) memmove(y, x, n->x_count);
        break;
    }
}

/* int8 backward (FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, ADD): gradients in
 * the dequantized domain, see pml_qgrad. */
static void backward_op_s8(const pml_train *t, const tnode *n) {
    const int8_t *x = (const int8_t *)(const void *)t->act[n->x], *y = (const int8_t *)(const void *)t->act[n->y];
    float *dy = t->grad[n->y], *dx = n->dx ? t->grad[n->x] : NULL, *dx2 = n->dx2 ? t->grad[n->x2] : NULL;
    pml_act_bwd_s8_ref(n->qlo, n->qhi, n->y_count, y, dy);
    if (n->zero_dx) memset(dx, 0, n->x_count * sizeof(float));
    if (n->zero_dx2) memset(dx2, 0, n->x2_count * sizeof(float));
    switch (n->code) {
    case PML_OP_FULLY_CONNECTED:
#if defined(PML_KERNELS_REF)
        pml_fc_bwd_s8_ref(n->batches, n->depth, n->units, &n->qg, x, n->wq, dy, t->gscale, n->pw, n->pb, dx, n->vw, n->vb);
#else
        pml_fc_bwd_s8_fast(n->batches, n->depth, n->units, &n->qg, x, n->wq, dy, t->gscale, n->pw, n->pb, dx, n->vw, n->vb);
#endif
        break;
    case PML_OP_CONV_2D:
        pml_conv2d_bwd_s8_ref(&n->cp, &n->qg, &n->in_d, x, &n->f_d, n->wq, &n->out_d, dy, t->gscale, n->pw, n->pb, dx, n->vw,
                              n->vb);
        break;
    case PML_OP_DEPTHWISE_CONV_2D:
        pml_dwconv2d_bwd_s8_ref(&n->cp, &n->qg, &n->in_d, x, &n->f_d, n->wq, &n->out_d, dy, t->gscale, dx, n->vw, n->vb);
        break;
    case PML_OP_AVERAGE_POOL_2D: /* equal input / output quantization: y = mean(x) in the real domain */
        if (dx) pml_avgpool_bwd_f32_ref(&n->pp, &n->in_d, &n->out_d, dy, dx);
        break;
    case PML_OP_ADD: /* inputs rescaled to the output's: y = x1 + x2 in the real domain */
        pml_add_bwd_f32_ref(&n->bc, dy, dx, dx2);
        break;
    default:
        break;
    }
}

static void forward_op(const pml_train *t, const tnode *n) {
    float *const *A = t->act;
    if (n->q) {
        forward_op_s8(t, n);
        return;
    }
    switch (n->code) {
    case PML_OP_FULLY_CONNECTED:
        (n->fast_f32 ? pml_fc_f32_fast : pml_fc_f32_ref)(&n->fp, n->batches, n->depth, n->units, A[n->x], n->wv, n->bv,
                                                         A[n->y]);
        break;
    case PML_OP_CONV_2D:
        (n->fast_f32 ? pml_conv2d_f32_fast : pml_conv2d_f32_ref)(&n->cp, &n->in_d, A[n->x], &n->f_d, n->wv, n->bv,
                                                                 &n->out_d, A[n->y]);
        break;
    case PML_OP_DEPTHWISE_CONV_2D:
        pml_dwconv2d_f32_ref(&n->cp, &n->in_d, A[n->x], &n->f_d, n->wv, n->bv, &n->out_d, A[n->y]);
        break;
    case PML_OP_AVERAGE_POOL_2D:
        (n->fast_f32 ? pml_avgpool_f32_fast : pml_avgpool_f32_ref)(&n->pp, &n->in_d, A[n->x], &n->out_d, A[n->y]);
        break;
    case PML_OP_MAX_POOL_2D:
        pml_maxpool_f32_ref(&n->pp, &n->in_d, A[n->x], &n->out_d, A[n->y]);
        break;
    case PML_OP_ADD:
        pml_add_f32_ref(&n->ap, &n->bc, A[n->x], A[n->x2], A[n->y]);
        break;
    case PML_OP_SOFTMAX:
        pml_softmax_f32_ref(&n->sp, n->rows, n->depth, A[n->x], A[n->y]);
        break;
    default: /* RESHAPE, SQUEEZE */
        if (A[n->x] != A[n->y]) memmove(A[n->y], A[n->x], n->x_count * sizeof(float));
        break;
    }
}

static void backward_op(const pml_train *t, const tnode *n) {
    float *const *A = t->act;
    if (n->q) {
        backward_op_s8(t, n);
        return;
    }
    float *dy = t->grad[n->y];
    float *dx = n->dx ? t->grad[n->x] : NULL, *dx2 = n->dx2 ? t->grad[n->x2] : NULL;
    if (n->has_act) pml_act_bwd_f32_ref(n->lo, n->hi, n->y_count, A[n->y], dy);
    if (n->zero_dx) memset(dx, 0, n->x_count * sizeof(float));
    if (n->zero_dx2) memset(dx2, 0, n->x2_count * sizeof(float));
    switch (n->code) {
    case PML_OP_FULLY_CONNECTED:
        pml_fc_bwd_f32_ref(n->batches, n->depth, n->units, A[n->x], n->wv, dy, t->gscale, n->pw, n->pb, dx, n->vw, n->vb);
        break;
    case PML_OP_CONV_2D:
        (n->fast_f32 ? pml_conv2d_bwd_f32_fast : pml_conv2d_bwd_f32_ref)(&n->cp, &n->in_d, A[n->x], &n->f_d, n->wv,
                                                                         &n->out_d, dy, t->gscale, n->pw, n->pb, dx,
                                                                         n->vw, n->vb);
        break;
    case PML_OP_DEPTHWISE_CONV_2D:
        pml_dwconv2d_bwd_f32_ref(&n->cp, &n->in_d, A[n->x], &n->f_d, n->wv, &n->out_d, dy, t->gscale, dx, n->vw,
                                 n->vb);
        break;
    case PML_OP_AVERAGE_POOL_2D:
        if (dx) pml_avgpool_bwd_f32_ref(&n->pp, &n->in_d, &n->out_d, dy, dx);
        break;
    case PML_OP_ADD:
        pml_add_bwd_f32_ref(&n->bc, dy, dx, dx2);
        break;
    case PML_OP_SOFTMAX:
        if (dx) pml_softmax_bwd_f32_ref(n->sp.beta, n->rows, n->depth, A[n->y], dy, dx);
        break;
    default:
        break;
    }
}

static void forward_all(const pml_train *t) {
    for (uint32_t k = 0; k < t->n_ops; k++) forward_op(t, &t->nodes[k]);
}

static float loss_of(const pml_train *t, const float *target, float *g) {
    const float *y = t->act[t->out_t];
    if (t->q) { /* dequantize the loss tensor into its gradient buffer; the loss then works in place */
        float *z = t->grad[t->loss_t];
        pml_dequantize_s8_f32_ref(t->lq_scale, t->lq_zp, t->out_count, (const int8_t *)(const void *)t->act[t->loss_t], z);
        if (t->loss == PML_LOSS_MSE) return pml_mse_f32_ref(t->out_count, z, target, g ? z : NULL);
        for (size_t i = 0; i < t->out_count; i++) z[i] *= t->beta; /* softmax(beta z) */
        float l = pml_softmax_xent_f32_ref((int32_t)t->out_count, z, target, g ? z : NULL);
        if (g)
            for (size_t i = 0; i < t->out_count; i++) z[i] *= t->beta;
        return l;
    }
    if (t->loss == PML_LOSS_MSE) return pml_mse_f32_ref(t->out_count, y, target, g);
    if (t->fused) return pml_softmax_xent_probs_f32_ref((int32_t)t->out_count, t->beta, y, target, g);
    return pml_softmax_xent_f32_ref((int32_t)t->out_count, y, target, g);
}

pml_status pml_train_forward(pml_train *t) {
    if (!t) return PML_ERR_ARG;
    forward_all(t);
    return PML_OK;
}

pml_status pml_train_loss(pml_train *t, const float *target, float *loss) {
    if (!t || !target) return PML_ERR_ARG;
    forward_all(t);
    float l = loss_of(t, target, NULL);
    if (loss) *loss = l;
    return PML_OK;
}

pml_status pml_train_sample(pml_train *t, const float *target, float *loss) {
    if (!t || !target) return PML_ERR_ARG;
    if (!t->batch_open) {
        for (uint32_t i = 0; i < t->n_params; i++)
            pml_sgd_begin_f32_ref(t->params[i].count, t->momentum, t->params[i].velocity);
        t->batch_open = true;
    }
    forward_all(t);
    float l = loss_of(t, target, t->grad[t->loss_t]);
    for (uint32_t k = t->n_ops; k-- > 0;)
        if (t->nodes[k].bwd) backward_op(t, &t->nodes[k]);
    if (loss) *loss = l;
    return PML_OK;
}

/* int8: the forward copy from the float master, same scales: round to nearest, ties to even (as
 * lrintf; pml__rint_f32), saturate (weights to the symmetric [-127, 127], bias to int32); weight
 * masters are clamped to [-127, 127] too. */
static void requantize(pml_train_param *p) {
    const size_t n = p->count;
    float *val = p->value; /* [n] */
    if (p->what == PML_TRAIN_WEIGHTS) {
        int8_t *w = (int8_t *)p->quantized; /* [n] */
        for (size_t i = 0; i < n; i++) {
            float v = val[i];
            v = v < -127.0f ? -127.0f : v > 127.0f ? 127.0f : v;
            val[i] = v; /* the master stays representable: no drift past the saturation */
            w[i] = (int8_t)(int32_t)pml__rint_small_f32(v);
        }
    } else {
        int32_t *b = (int32_t *)p->quantized; /* [n] */
        for (size_t i = 0; i < n; i++) {
            float v = val[i];
            v = v < -2147483520.0f ? -2147483520.0f : v > 2147483520.0f ? 2147483520.0f : v;
            b[i] = (int32_t)pml__rint_f32(v);
        }
    }
}

pml_status pml_train_update(pml_train *t) {
    if (!t) return PML_ERR_ARG;
    if (!t->batch_open) return PML_OK; /* nothing accumulated */
    for (uint32_t i = 0; i < t->n_params; i++) {
        pml_train_param *p = &t->params[i];
        pml_sgd_step_f32_ref(p->count, t->lr, p->velocity, p->value);
        if (t->q) requantize(p);
    }
    t->batch_open = false;
    return PML_OK;
}

pml_status pml_train_set_lr(pml_train *t, float lr) {
    if (!t || !(lr >= 0.0f && lr < 1e6f)) return PML_ERR_ARG;
    t->lr = lr;
    return PML_OK;
}

static pml_status view(const pml_train *t, int32_t idx, pml_tensor *v) {
    if (idx < 0) return PML_ERR_ARG;
    PML_TRY(pml_model_tensor(t->m, (uint32_t)idx, v));
    v->data = t->act[idx];
    return PML_OK;
}

pml_status pml_train_input(const pml_train *t, uint32_t i, pml_tensor *v) {
    if (!t || !v || i >= t->m->n_inputs) return PML_ERR_ARG;
    return view(t, pml__model_io(t->m, false, i), v);
}

pml_status pml_train_output(const pml_train *t, uint32_t i, pml_tensor *v) {
    if (!t || !v || i >= t->m->n_outputs) return PML_ERR_ARG;
    return view(t, pml__model_io(t->m, true, i), v);
}

uint32_t pml_train_param_count(const pml_train *t) { return t ? t->n_params : 0; }

pml_status pml_train_get_param(const pml_train *t, uint32_t k, pml_train_param *out) {
    if (!t || !out || k >= t->n_params) return PML_ERR_ARG;
    *out = t->params[k];
    return PML_OK;
}

size_t pml_train_arena_used(const pml_train *t) { return t ? t->required : 0; }

void pml_train_arena_split(const pml_train *t, size_t *planned, size_t *persistent) {
    if (planned) *planned = t ? t->planned : 0;
    if (persistent) *persistent = t ? t->persistent : 0;
}

const pml_error *pml_train_last_error(const pml_train *t) { return t ? &t->err : NULL; }
