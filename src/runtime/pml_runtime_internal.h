/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interpreter internals shared by the runtime and the op glue (src/ops).
 *
 * Arena layout (one caller buffer, aligned up to PML_ARENA_ALIGN):
 *
 *   base                                                              end
 *   | planned: activations + scratch (offsets from the planner) | ... | persistent: interp,
 *   |                                                            |     | tensor table, nodes, op data |
 *
 * While init runs, the planner's workspace (one pml__buf per planned buffer) sits at the head and
 * persistent data is bump-allocated down from the end. Planning then assigns head offsets, which
 * overwrite the workspace at the first invoke. The gap between workspace and tail holds the
 * lifetime pass's and the prepares' work records when it is large enough (pml__prep_run), which
 * keeps them off the stack of an exact-arena init without changing the size. Required bytes =
 * max(planned peak, workspace) + persistent, rounded to PML_ARENA_ALIGN. pml_interp_arena_size runs
 * the same code in measuring mode: the workspace lives on the stack and persistent allocations
 * return NULL (prepare functions request all their memory first and return once they get NULL).
 */
#ifndef PML_RUNTIME_INTERNAL_H
#define PML_RUNTIME_INTERNAL_H

#include "pml/pml.h"
#include "../common/pml_check.h"
#include "../common/pml_compiler.h"
#include "../format/pml_format_internal.h"
#include "pml_planner_internal.h"

/* pml_interp_arena_size keeps one 16-byte planner entry per planned buffer on the stack. MCU builds
 * default to 64 (1 KB; the MLPerf Tiny models plan at most 33), hosts to 512. */
#ifndef PML_PLAN_STACK_BUFFERS
#if defined(__arm__) || defined(__riscv)
#define PML_PLAN_STACK_BUFFERS 64
#else
#define PML_PLAN_STACK_BUFFERS 512
#endif
#endif

#define PML_NODE_MAX_IN 4
#define PML_NODE_MAX_OUT 2

typedef struct pml_node pml_node;
typedef struct pml_prep_ctx pml_prep_ctx;
typedef pml_status (*pml_eval_fn)(const pml_interp *it, const pml_node *n);

struct pml_node {
    pml_eval_fn eval;
    const char *variant;          /* kernel variant name, e.g. "conv2d_s8_ref" */
    void *data;                   /* persistent op data                         */
    void *scratch;                /* planned scratch buffer or NULL              */
    int16_t in[PML_NODE_MAX_IN];  /* tensor indices, -1 absent (or beyond the op's count) */
    int16_t out[PML_NODE_MAX_OUT];
};

struct pml_kernel {
    int32_t op;       /* TFLite builtin code */
    const char *name; /* "CONV_2D" ...       */
    pml_status (*prepare)(pml_prep_ctx *pc, pml_node *n);
};

struct pml_prep_ctx {
    const pml_model *m;
    pml__opinfo op;
    uint32_t op_index;
    pml_error *err;
    bool measuring;
    uint8_t *lo, *hi;    /* real mode: head end of workspace / current tail start */
    size_t persistent;   /* persistent bytes so far */
    pml__buf *bufs;
    uint32_t n_bufs, cap_bufs;
    bool out_of_arena;   /* real mode ran out of space: caller re-measures */
};

struct pml_interp {
    const pml_model *m;
    uint8_t *base;
    size_t planned, persistent;
    size_t required; /* what init needed: max(planned, planner workspace) + persistent, aligned */
    uint32_t n_tensors, n_ops;
    void **tensor;   /* [n_tensors] data pointers (model for constants, arena for activations) */
    pml_node *nodes; /* [n_ops] */
    int32_t err_status, err_op; /* last failed invoke (pml_interp_last_error formats the detail) */
};

/* Alignment of persistent allocations: the widest member the interpreter, its tables and the op
 * data hold (pointers, size_t, int32_t, float; none holds a 64-bit integer or a double), so 4 bytes
 * on 32-bit targets and 8 on 64-bit hosts. Every op data type is checked against it (PML_OP_DATA). */
typedef union pml__prep_max_align {
    void *p;
    void (*fn)(void);
    size_t z;
    int32_t i;
    float f;
} pml__prep_max_align;
#define PML_PREP_ALIGN _Alignof(pml__prep_max_align)
#define PML_OP_DATA(type) _Static_assert(_Alignof(type) <= PML_PREP_ALIGN, #type " needs a wider alignment")

/* Persistent allocation (PML_PREP_ALIGN-aligned). Measuring: *out = NULL and PML_OK. */
PML_INTERNAL pml_status pml__prep_alloc(pml_prep_ctx *pc, size_t bytes, void **out);
/* Finish a prepare: allocate the op data, copy `data` (bytes) into it and set the node's eval.
 * Measuring: only counts the bytes. */
PML_INTERNAL pml_status pml__prep_commit(pml_prep_ctx *pc, pml_node *n, pml_eval_fn eval, const void *data, size_t bytes);
/* Run `body` with PML_PREP_TINFOS tensor records as its work memory. Init puts them in the arena's
 * middle, between the planner workspace and the persistent tail (bytes the activations take only
 * after init) when that gap is large enough, else (and when measuring) they live on the stack of an
 * out-of-line frame: a production init keeps about 300 bytes off its stack peak this way, the arena
 * size is unchanged. The records are valid until `body` allocates (pml__prep_alloc / commit may
 * take the same bytes): read what you need from them first. */
#define PML_PREP_TINFOS 4
typedef pml_status (*pml_prep_body)(pml_prep_ctx *pc, pml_node *n, pml__tinfo *t);
PML_INTERNAL pml_status pml__prep_run(pml_prep_ctx *pc, pml_node *n, pml_prep_body body);
/* Request one scratch buffer for this node, live only during its eval. */
PML_INTERNAL pml_status pml__prep_scratch(pml_prep_ctx *pc, pml_node *n, size_t bytes);
/* Tensor info for input k (k >= 0) or output k (PML_OUT(k)); fails with PML_ERR_MODEL if absent. */
#define PML_OUT(k) (-1 - (k))
PML_INTERNAL pml_status pml__prep_tensor(pml_prep_ctx *pc, int32_t which, pml__tinfo *ti);
/* Is input k present (optional inputs are -1)? */
PML_INTERNAL bool pml__prep_has_input(const pml_prep_ctx *pc, int32_t k);
/* Record a prepare failure for this op (sets the error detail, returns status). */
#define PML_PREP_CHECK(pc, cond, status, ...)                                                              \
    do {                                                                                                   \
        if (!(cond)) return pml__error((pc)->err, (status), (int32_t)(pc)->op_index, -1, __VA_ARGS__);    \
    } while (0)

#define PML_IN(it, n, k) ((it)->tensor[(n)->in[k]])
#define PML_OUTP(it, n, k) ((it)->tensor[(n)->out[k]])
/* optional input k (< PML_NODE_MAX_IN): NULL if absent */
#define PML_IN_OPT(it, n, k) ((n)->in[k] >= 0 ? (it)->tensor[(n)->in[k]] : NULL)

/* Registry: every kernel the library has. */
PML_INTERNAL const pml_kernel *pml__find_kernel(const pml_op_set *ops, int32_t code);

#endif /* PML_RUNTIME_INTERNAL_H */
