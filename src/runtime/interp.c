/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interpreter: prepare every op, plan tensors into the arena, invoke.
 *
 * Planning (greedy first fit over several orderings; placement lives in planner.c):
 *   1. Lifetimes: every non-constant tensor an op touches gets a buffer whose [first, last] op range
 *      covers its uses; graph inputs start at op 0 and graph outputs end at the last op. A RESHAPE /
 *      SQUEEZE output shares its input's buffer (same bytes, no copy). Kernel scratch buffers live
 *      for their op only.
 *   2. Placement: buffers taken in one order each go to the lowest offset where they overlap no
 *      already placed buffer alive at the same time. TFLM uses one order (largest first); picoml
 *      tries four (size, size x lifetime, lifetime, first use) and keeps the smallest peak, which
 *      reaches the live-tensor bound on models where size order alone does not (VWW: 55,296 vs
 *      64,512 bytes). Deterministic, so host and target get the same offsets.
 * Memory: the workspace is one 16-byte pml__buf per buffer; sorting and placement work in place
 * (O(n^2) selection, O(n^2) conflict scans: n is tens to a few hundred).
 */
#include <string.h>

#include "pml_runtime_internal.h"

/* ---- prepare context ------------------------------------------------------------------------ */

pml_status pml__prep_alloc(pml_prep_ctx *pc, size_t bytes, void **out) {
    size_t sz = pml__align_up(bytes ? bytes : 1, PML_PREP_ALIGN);
    *out = NULL;
    if (sz < bytes || !pml__add_size(pc->persistent, sz, &pc->persistent))
        return pml__error(pc->err, PML_ERR_MODEL, (int32_t)pc->op_index, -1, "size overflow");
    if (pc->measuring) return PML_OK;
    if ((size_t)(pc->hi - pc->lo) < sz) {
        pc->out_of_arena = true;
        return pml__error(pc->err, PML_ERR_ARENA, (int32_t)pc->op_index, -1, "arena too small");
    }
    pc->hi -= sz;
    memset(pc->hi, 0, sz);
    *out = pc->hi;
    return PML_OK;
}

pml_status pml__prep_commit(pml_prep_ctx *pc, pml_node *n, pml_eval_fn eval, const void *data, size_t bytes) {
    void *mem;
    PML_TRY(pml__prep_alloc(pc, bytes, &mem));
    n->eval = eval;
    if (!mem) return PML_OK; /* measuring */
    memcpy(mem, data, bytes);
    n->data = mem;
    return PML_OK;
}

pml_status pml__prep_scratch(pml_prep_ctx *pc, pml_node *n, size_t bytes) {
    (void)n;
    if (bytes == 0) return PML_OK;
    if (bytes > (size_t)INT32_MAX)
        return pml__error(pc->err, PML_ERR_UNSUPPORTED, (int32_t)pc->op_index, -1, "scratch too large");
    if (pc->n_bufs >= pc->cap_bufs)
        return pml__error(pc->err, PML_ERR_INTERNAL, (int32_t)pc->op_index, -1, "more than one scratch per op");
    pml__buf *b = &pc->bufs[pc->n_bufs++];
    b->size = (uint32_t)pml__align_up(bytes, PML_ARENA_ALIGN);
    b->offset = UINT32_MAX;
    b->first = b->last = (int16_t)pc->op_index;
    b->tensor = (int16_t)(-1 - (int32_t)pc->op_index);
    b->alias = -1;
    return PML_OK;
}

/* `bytes` of the free gap [lo, hi) of a real init's arena, or NULL (measuring, or too small). */
static void *arena_gap(const pml_prep_ctx *pc, size_t bytes) {
    return (!pc->measuring && (size_t)(pc->hi - pc->lo) >= bytes) ? pc->lo : NULL;
}

static PML_NOINLINE pml_status prep_run_on_stack(pml_prep_ctx *pc, pml_node *n, pml_prep_body body) {
    pml__tinfo t[PML_PREP_TINFOS];
    return body(pc, n, t);
}

pml_status pml__prep_run(pml_prep_ctx *pc, pml_node *n, pml_prep_body body) {
    pml__tinfo *t = (pml__tinfo *)arena_gap(pc, sizeof(pml__tinfo) * PML_PREP_TINFOS);
    return t ? body(pc, n, t) : prep_run_on_stack(pc, n, body);
}

bool pml__prep_has_input(const pml_prep_ctx *pc, int32_t k) { return k >= 0 && k < pc->op.n_in && pc->op.in[k] >= 0; }

pml_status pml__prep_tensor(pml_prep_ctx *pc, int32_t which, pml__tinfo *ti) {
    int32_t t;
    if (which >= 0) {
        if (!pml__prep_has_input(pc, which))
            return pml__error(pc->err, PML_ERR_MODEL, (int32_t)pc->op_index, -1, "missing input %d", (int)which);
        t = pc->op.in[which];
    } else {
        int32_t k = -1 - which;
        if (k >= pc->op.n_out)
            return pml__error(pc->err, PML_ERR_MODEL, (int32_t)pc->op_index, -1, "missing output %d", (int)k);
        t = pc->op.out[k];
    }
    pml_status s = pml__tensor_info(pc->m, (uint32_t)t, ti);
    if (s != PML_OK) return pml__error(pc->err, s, (int32_t)pc->op_index, t, "tensor %d: unsupported shape", (int)t);
    /* constants are read in place: their alignment must suit their element type */
    size_t esz = pml_dtype_size(ti->dtype);
    if (ti->data && esz > 1 && ((uintptr_t)ti->data % (esz > 4 ? 4 : esz)) != 0)
        return pml__error(pc->err, PML_ERR_MODEL, (int32_t)pc->op_index, t,
                          "constant tensor %d is misaligned (align the model buffer to 16 bytes)", (int)t);
    if (which < 0 && ti->data)
        return pml__error(pc->err, PML_ERR_MODEL, (int32_t)pc->op_index, t, "output tensor %d is a constant",
                          (int)t);
    return PML_OK;
}

/* ---- lifetimes ------------------------------------------------------------------------------ */

static int32_t find_buf(const pml_prep_ctx *pc, int32_t t) {
    for (uint32_t i = 0; i < pc->n_bufs; i++)
        if (pc->bufs[i].tensor == t || pc->bufs[i].alias == t) return (int32_t)i;
    return -1;
}

/* Buffer for tensor t (created if new); -1 for constants and absent tensors. ti: a work record. */
static pml_status touch(pml_prep_ctx *pc, int32_t t, int32_t op, int32_t *out_idx, pml__tinfo *ti) {
    *out_idx = -1;
    if (t < 0) return PML_OK;
    int32_t b = find_buf(pc, t);
    if (b < 0) {
        pml_status s = pml__tensor_info(pc->m, (uint32_t)t, ti);
        if (s != PML_OK) return pml__error(pc->err, s, op, t, "tensor %d: unsupported or malformed", (int)t);
        if (ti->data) return PML_OK;
        if (ti->bytes == 0 && pml_dtype_size(ti->dtype) == 0)
            return pml__error(pc->err, PML_ERR_UNSUPPORTED, op, t, "tensor %d has type %s", (int)t,
                              pml_dtype_str(ti->dtype));
        if (ti->bytes > (size_t)INT32_MAX - PML_ARENA_ALIGN)
            return pml__error(pc->err, PML_ERR_UNSUPPORTED, op, t, "tensor %d too large", (int)t);
        if (pc->n_bufs >= pc->cap_bufs)
            return pml__error(pc->err, PML_ERR_UNSUPPORTED, op, t,
                              "more than %u planned buffers (raise PML_PLAN_STACK_BUFFERS)", (unsigned)pc->cap_bufs);
        b = (int32_t)pc->n_bufs++;
        pml__buf *nb = &pc->bufs[b];
        nb->size = (uint32_t)pml__align_up(ti->bytes, PML_ARENA_ALIGN);
        nb->offset = UINT32_MAX;
        nb->first = (int16_t)op;
        nb->last = (int16_t)op;
        nb->tensor = (int16_t)t;
        nb->alias = -1;
    }
    pml__buf *pb = &pc->bufs[b];
    if (op < pb->first) pb->first = (int16_t)op;
    if (op > pb->last) pb->last = (int16_t)op;
    *out_idx = b;
    return PML_OK;
}

static bool is_alias_op(int32_t code) {
    return code == PML_OP_RESHAPE || code == PML_OP_SQUEEZE || code == PML_OP_EXPAND_DIMS;
}

/* The lifetime pass's records: in the arena's free middle during a real init (see pml__prep_run). */
typedef struct life_work {
    pml__opinfo op;
    pml__tinfo ti, to;
} life_work;

static PML_NOINLINE pml_status lifetimes_with(pml_prep_ctx *pc, life_work *w) {
    const pml_model *m = pc->m;
    int32_t b, last = m->n_operators ? (int32_t)m->n_operators - 1 : 0;
    pml__opinfo *op = &w->op;
    /* graph inputs and outputs live in the arena: the caller writes and reads them */
    for (uint32_t k = 0; k < 2; k++)
        for (uint32_t i = 0; i < (k ? m->n_outputs : m->n_inputs); i++) {
            int32_t t = pml__model_io(m, k != 0, i);
            if (pml__tensor_info(m, (uint32_t)t, &w->ti) == PML_OK && w->ti.data)
                return pml__error(pc->err, PML_ERR_MODEL, -1, t, "graph %s %u is a constant tensor", k ? "output" : "input",
                                  (unsigned)i);
        }
    for (uint32_t i = 0; i < m->n_inputs; i++) PML_TRY(touch(pc, pml__model_io(m, false, i), 0, &b, &w->ti));
    for (uint32_t k = 0; k < m->n_operators; k++) {
        pml_status s = pml__op_info(m, k, op);
        if (s != PML_OK) return pml__error(pc->err, s, (int32_t)k, -1, "operator %u is malformed", (unsigned)k);
        for (int32_t i = 0; i < op->n_in; i++) PML_TRY(touch(pc, op->in[i], (int32_t)k, &b, &w->ti));
        if (is_alias_op(op->code) && op->n_in >= 1 && op->n_out == 1 && op->in[0] >= 0 && find_buf(pc, op->out[0]) < 0) {
            int32_t ib = find_buf(pc, op->in[0]);
            if (ib >= 0 && pc->bufs[ib].alias < 0 && pml__tensor_info(m, (uint32_t)op->in[0], &w->ti) == PML_OK &&
                pml__tensor_info(m, (uint32_t)op->out[0], &w->to) == PML_OK && !w->to.data && w->ti.bytes == w->to.bytes) {
                pc->bufs[ib].alias = (int16_t)op->out[0];
                continue; /* output shares the input's bytes */
            }
        }
        for (int32_t i = 0; i < op->n_out; i++) PML_TRY(touch(pc, op->out[i], (int32_t)k, &b, &w->ti));
    }
    for (uint32_t i = 0; i < m->n_outputs; i++) {
        PML_TRY(touch(pc, pml__model_io(m, true, i), last, &b, &w->ti));
    }
    return PML_OK;
}

static PML_NOINLINE pml_status lifetimes_on_stack(pml_prep_ctx *pc) {
    life_work w;
    return lifetimes_with(pc, &w);
}

static pml_status lifetimes(pml_prep_ctx *pc) {
    life_work *w = (life_work *)arena_gap(pc, sizeof(life_work));
    return w ? lifetimes_with(pc, w) : lifetimes_on_stack(pc);
}

/* ---- build: shared by measuring and real init ----------------------------------------------- */

typedef struct build_out {
    size_t required, planned, persistent;
    pml_interp *it;
} build_out;

/* Bind: constants point into the model, activations and scratch into the head. noinline: its
 * tensor record stays off the prepare path's stack. */
static PML_NOINLINE void bind(pml_interp *it, const pml__buf *bufs, uint32_t n_bufs) {
    const pml_model *m = it->m;
    for (uint32_t t = 0; t < m->n_tensors; t++) {
        pml__tinfo ti;
        it->tensor[t] = (pml__tensor_info(m, t, &ti) == PML_OK && ti.data) ? (void *)(uintptr_t)ti.data : NULL;
    }
    /* Copy the plan out of the workspace first: the workspace itself lies in the head. */
    for (uint32_t i = 0; i < n_bufs; i++) {
        pml__buf b = bufs[i];
        void *ptr = it->base + b.offset;
        if (b.tensor >= 0) {
            it->tensor[b.tensor] = ptr;
            if (b.alias >= 0) it->tensor[b.alias] = ptr;
        } else {
            it->nodes[-1 - b.tensor].scratch = ptr;
        }
    }
}

/* What measuring mode works in (real init uses the arena instead): the planner workspace and a
 * node to prepare into, both in the measuring caller's frame, off the exact-arena init's stack. */
typedef struct measure_ws {
    pml__buf *bufs;
    uint32_t cap;
    pml_node node;
} measure_ws;

/* base == NULL: measuring in `mw`. */
static pml_status build(const pml_model *m, const pml_op_set *ops, uint8_t *base, size_t usable, measure_ws *mw,
                        pml_error *err, build_out *bo) {
    pml_prep_ctx pc;
    pml_interp *it = NULL;
    memset(&pc, 0, sizeof pc);
    pc.m = m;
    pc.err = err;
    pc.measuring = (base == NULL);
    bool measuring = pc.measuring;
    pc.hi = base ? base + usable : NULL;
    pc.lo = base;

    /* persistent: interp, tensor table, nodes */
    void *p;
    size_t tab_bytes, node_bytes;
    if (!pml__mul_size(m->n_tensors, sizeof(void *), &tab_bytes) || !pml__mul_size(m->n_operators, sizeof(pml_node), &node_bytes))
        return pml__error(err, PML_ERR_MODEL, -1, -1, "model too large");
    PML_TRY(pml__prep_alloc(&pc, sizeof(pml_interp), &p));
    it = (pml_interp *)p;
    PML_TRY(pml__prep_alloc(&pc, tab_bytes, &p));
    void **tensor = (void **)p;
    PML_TRY(pml__prep_alloc(&pc, node_bytes, &p));
    pml_node *nodes = (pml_node *)p;

    /* workspace: one buffer per non-constant tensor + one scratch per op, at most */
    uint32_t cap = m->n_operators;
    for (uint32_t t = 0; t < m->n_tensors; t++)
        if (!pml__tensor_is_const(m, t)) cap++;
    size_t ws_bytes = (size_t)cap * sizeof(pml__buf);
    if (measuring) {
        if (cap > mw->cap) cap = mw->cap; /* touch() reports if the model really needs more */
        pc.bufs = mw->bufs;
    } else {
        if (ws_bytes > (size_t)(pc.hi - pc.lo)) {
            pc.out_of_arena = true;
            return pml__error(err, PML_ERR_ARENA, -1, -1, "arena too small");
        }
        pc.bufs = (pml__buf *)(void *)base;
        pc.lo = base + ws_bytes;
    }
    pc.cap_bufs = cap;
    PML_TRY(lifetimes(&pc));

    /* prepare every op */
    for (uint32_t k = 0; k < m->n_operators; k++) {
        pml_node *n = measuring ? &mw->node : &nodes[k];
        memset(n, 0, sizeof *n);
        pc.op_index = k;
        PML_TRY(pml__op_info(m, k, &pc.op));
        const pml_kernel *kern = pml__find_kernel(ops, pc.op.code);
        if (!kern)
            return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, -1, "op %u: %s (code %d) is not supported",
                              (unsigned)k, pml_op_name(pc.op.code), (int)pc.op.code);
        if (pc.op.n_in > PML_NODE_MAX_IN || pc.op.n_out > PML_NODE_MAX_OUT || pc.op.n_out < 1)
            return pml__error(err, PML_ERR_UNSUPPORTED, (int32_t)k, -1, "op %u: %s with %d inputs / %d outputs",
                              (unsigned)k, kern->name, (int)pc.op.n_in, (int)pc.op.n_out);
        for (int32_t i = 0; i < PML_NODE_MAX_IN; i++) n->in[i] = (int16_t)(i < pc.op.n_in ? pc.op.in[i] : -1);
        for (int32_t i = 0; i < PML_NODE_MAX_OUT; i++) n->out[i] = (int16_t)(i < pc.op.n_out ? pc.op.out[i] : -1);
        uint32_t nb_before = pc.n_bufs;
        PML_TRY(kern->prepare(&pc, n));
        if (!measuring && !n->eval) return pml__error(err, PML_ERR_INTERNAL, (int32_t)k, -1, "kernel set no eval");
        if (pc.n_bufs > nb_before + 1)
            return pml__error(err, PML_ERR_INTERNAL, (int32_t)k, -1, "kernel asked for two scratch buffers");
    }

    size_t peak = pml__plan(pc.bufs, pc.n_bufs);
    size_t head = peak > ws_bytes ? peak : ws_bytes;
    size_t required;
    if (!pml__add_size(head, pc.persistent, &required) || required > SIZE_MAX - PML_ARENA_ALIGN)
        return pml__error(err, PML_ERR_MODEL, -1, -1, "model too large");
    bo->required = pml__align_up(required, PML_ARENA_ALIGN);
    bo->planned = peak;
    bo->persistent = pc.persistent;
    if (measuring) return PML_OK;
    if (bo->required > usable) {
        pc.out_of_arena = true;
        return pml__error(err, PML_ERR_ARENA, -1, -1, "arena too small");
    }

    it->m = m;
    it->base = base;
    it->planned = peak;
    it->persistent = pc.persistent;
    it->required = bo->required;
    it->n_tensors = m->n_tensors;
    it->n_ops = m->n_operators;
    it->tensor = tensor;
    it->nodes = nodes;
    it->err_status = PML_OK;
    it->err_op = -1;
    bind(it, pc.bufs, pc.n_bufs);
    bo->it = it;
    return PML_OK;
}

/* noinline: the 16-byte-per-buffer workspace (1 KB on MCUs) must stay in this frame, off the stack
 * of pml_interp_init's exact-arena path, which plans in the arena and never comes here. */
static PML_NOINLINE pml_status measure(const pml_model *m, const pml_op_set *ops, pml_error *err, build_out *bo) {
    pml__buf ws[PML_PLAN_STACK_BUFFERS];
    measure_ws mw = {ws, PML_PLAN_STACK_BUFFERS, {0}};
    return build(m, ops, NULL, 0, &mw, err, bo);
}

/* Measuring with a caller buffer as the planner workspace (init's too-small arena): no stack. */
static pml_status measure_in(const pml_model *m, const pml_op_set *ops, uint8_t *buf, size_t len, pml_error *err,
                             build_out *bo) {
    uint32_t cap = (uint32_t)(len / sizeof(pml__buf) > 32767 ? 32767 : len / sizeof(pml__buf));
    if (cap < 16) return measure(m, ops, err, bo);
    measure_ws mw = {(pml__buf *)(void *)buf, cap, {0}};
    pml_status s = build(m, ops, NULL, 0, &mw, err, bo);
    return s == PML_ERR_UNSUPPORTED && cap < PML_PLAN_STACK_BUFFERS ? measure(m, ops, err, bo) : s;
}

pml_status pml_interp_arena_size(const pml_model *m, const pml_op_set *ops, size_t *out_bytes, pml_error *err) {
    build_out bo;
    if (err) memset(err, 0, sizeof *err);
    if (!m || !m->buf || !out_bytes || !ops || (ops->count && !ops->kernels))
        return pml__error(err, PML_ERR_ARG, -1, -1, "NULL argument (the op set too: pml_op_set_all() for every kernel)");
    memset(&bo, 0, sizeof bo);
    PML_TRY(measure(m, ops, err, &bo));
    *out_bytes = bo.required;
    return PML_OK;
}

/* init's arena-too-small path: report the exact need; measuring rebuilds from scratch and touches
 * no arena. Out of line, so the exact-arena path does not carry its frame. */
static PML_NOINLINE pml_status too_small(const pml_model *m, const pml_op_set *ops, uint8_t *base, size_t usable,
                                         size_t arena_len, pml_error *err) {
    build_out need;
    pml_error local;
    if (!err) err = &local;
    memset(&need, 0, sizeof need);
    pml_status ms = measure_in(m, ops, base, usable, err, &need);
    if (ms != PML_OK) return ms;
    err->arena_needed = need.required;
    return pml__error(err, PML_ERR_ARENA, -1, -1, "arena too small: %zu bytes given, %zu needed", arena_len,
                      need.required);
}

pml_status pml_interp_init(pml_interp **out, const pml_model *m, const pml_op_set *ops, void *arena, size_t arena_len,
                           pml_error *err) {
    build_out bo;
    if (err) {
        memset(err, 0, sizeof *err);
        err->op_index = err->tensor_index = -1;
    }
    if (out) *out = NULL;
    if (!out || !m || !m->buf || (!arena && arena_len) || !ops || (ops->count && !ops->kernels))
        return pml__error(err, PML_ERR_ARG, -1, -1, "NULL argument (the op set too: pml_op_set_all() for every kernel)");
    uintptr_t a = (uintptr_t)arena, e = a + arena_len;
    uintptr_t base = (a + (PML_ARENA_ALIGN - 1)) & ~(uintptr_t)(PML_ARENA_ALIGN - 1);
    uintptr_t end = e & ~(uintptr_t)(PML_ARENA_ALIGN - 1);
    size_t usable = (arena && end > base) ? (size_t)(end - base) : 0;
    memset(&bo, 0, sizeof bo);
    pml_status s = usable ? build(m, ops, (uint8_t *)base, usable, NULL, err, &bo) : PML_ERR_ARENA;
    if (s == PML_ERR_ARENA) return too_small(m, ops, (uint8_t *)base, usable, arena_len, err);
    if (s != PML_OK) return s;
    *out = bo.it;
    return PML_OK;
}

/* ---- invoke and views ------------------------------------------------------------------------ */

pml_status pml_interp_invoke_hooked(pml_interp *it, const pml_invoke_hooks *hooks) {
    if (!it) return PML_ERR_ARG;
    for (uint32_t k = 0; k < it->n_ops; k++) {
        const pml_node *n = &it->nodes[k];
        if (hooks && hooks->before_op) hooks->before_op(hooks->user, it, k);
        pml_status s = n->eval(it, n);
        if (s != PML_OK) {
            it->err_status = s;
            it->err_op = (int32_t)k;
            return s;
        }
        if (hooks && hooks->after_op) hooks->after_op(hooks->user, it, k);
    }
    return PML_OK;
}

pml_status pml_interp_invoke(pml_interp *it) { return pml_interp_invoke_hooked(it, NULL); }

pml_status pml_interp_tensor(const pml_interp *it, uint32_t index, pml_tensor *view) {
    if (!it || !view || index >= it->n_tensors) return PML_ERR_ARG;
    PML_TRY(pml_model_tensor(it->m, index, view));
    view->data = it->tensor[index];
    return PML_OK;
}

pml_status pml_interp_input(const pml_interp *it, uint32_t i, pml_tensor *view) {
    if (!it || i >= it->m->n_inputs) return PML_ERR_ARG;
    return pml_interp_tensor(it, (uint32_t)pml__model_io(it->m, false, i), view);
}

pml_status pml_interp_output(const pml_interp *it, uint32_t i, pml_tensor *view) {
    if (!it || i >= it->m->n_outputs) return PML_ERR_ARG;
    return pml_interp_tensor(it, (uint32_t)pml__model_io(it->m, true, i), view);
}

size_t pml_interp_arena_used(const pml_interp *it) {
    return it ? it->required : 0;
}

void pml_interp_arena_split(const pml_interp *it, size_t *planned, size_t *persistent) {
    if (planned) *planned = it ? it->planned : 0;
    if (persistent) *persistent = it ? it->persistent : 0;
}

const char *pml_interp_kernel_name(const pml_interp *it, uint32_t op_index) {
    if (!it || op_index >= it->n_ops) return "";
    return it->nodes[op_index].variant ? it->nodes[op_index].variant : "";
}

pml_status pml_interp_last_error(const pml_interp *it, pml_error *out) {
    if (out) {
        memset(out, 0, sizeof *out);
        out->op_index = out->tensor_index = -1;
    }
    if (!it || !out) return pml__error(out, PML_ERR_ARG, -1, -1, "NULL argument");
    if (it->err_status == PML_OK) return PML_OK;
    return pml__error(out, (pml_status)it->err_status, it->err_op, -1, "op %d (%s) failed", (int)it->err_op,
                      pml_interp_kernel_name(it, (uint32_t)it->err_op));
}

/* Plan entries, re-derived from the bound pointers (no arena spent on them). Tensors first, in
 * index order, then scratch buffers in op order. */
static void tensor_span(const pml_interp *it, int32_t t, uint32_t *first, uint32_t *last) {
    const pml_model *m = it->m;
    uint32_t f = UINT32_MAX, l = 0;
    for (uint32_t i = 0; i < m->n_inputs; i++)
        if (pml__model_io(m, false, i) == t) f = 0;
    for (uint32_t i = 0; i < m->n_outputs; i++)
        if (pml__model_io(m, true, i) == t) l = it->n_ops ? it->n_ops - 1 : 0;
    for (uint32_t k = 0; k < it->n_ops; k++) {
        const pml_node *n = &it->nodes[k];
        bool uses = false;
        for (int i = 0; i < PML_NODE_MAX_IN; i++) uses |= n->in[i] >= 0 && n->in[i] == t;
        for (int i = 0; i < PML_NODE_MAX_OUT; i++) uses |= n->out[i] >= 0 && n->out[i] == t;
        if (uses) {
            if (k < f) f = k;
            if (k > l) l = k;
        }
    }
    *first = f == UINT32_MAX ? 0 : f;
    *last = l;
}

static bool is_planned(const pml_interp *it, uint32_t t) {
    uint8_t *p = (uint8_t *)it->tensor[t];
    return p && p >= it->base && p < it->base + it->planned;
}

uint32_t pml_interp_plan_count(const pml_interp *it) {
    uint32_t n = 0;
    if (!it) return 0;
    for (uint32_t t = 0; t < it->n_tensors; t++) n += is_planned(it, t);
    for (uint32_t k = 0; k < it->n_ops; k++) n += it->nodes[k].scratch != NULL;
    return n;
}

pml_status pml_interp_plan_entry(const pml_interp *it, uint32_t k, pml_plan_entry *out) {
    if (!it || !out) return PML_ERR_ARG;
    for (uint32_t t = 0; t < it->n_tensors; t++) {
        if (!is_planned(it, t)) continue;
        if (k-- == 0) {
            pml__tinfo ti;
            PML_TRY(pml__tensor_info(it->m, t, &ti));
            out->tensor_index = (int32_t)t;
            out->op_index = -1;
            out->offset = (size_t)((uint8_t *)it->tensor[t] - it->base);
            out->bytes = ti.bytes;
            tensor_span(it, (int32_t)t, &out->first_op, &out->last_op);
            return PML_OK;
        }
    }
    for (uint32_t op = 0; op < it->n_ops; op++) {
        if (!it->nodes[op].scratch) continue;
        if (k-- == 0) {
            out->tensor_index = -1;
            out->op_index = (int32_t)op;
            out->offset = (size_t)((uint8_t *)it->nodes[op].scratch - it->base);
            out->bytes = 0; /* size is known to the kernel only */
            out->first_op = out->last_op = op;
            return PML_OK;
        }
    }
    return PML_ERR_ARG;
}
