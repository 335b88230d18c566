/* SPDX-License-Identifier: Apache-2.0 */
/*
 * picoml: run a .tflite model in one caller-provided arena.
 *
 * Quick start (no allocation anywhere in the library):
 *
 *     pml_model m;
 *     if (pml_model_open(&m, model_bytes, model_len) != PML_OK) { ... }   // zero-copy, validated
 *     size_t need;
 *     pml_interp_arena_size(&m, pml_op_set_all(), &need, NULL); // exact bytes, before init
 *     static uint8_t arena[20000] __attribute__((aligned(16)));
 *     pml_interp *it;
 *     if (pml_interp_init(&it, &m, pml_op_set_all(), arena, sizeof arena, NULL) != PML_OK) { ... }
 *     pml_tensor in, out;
 *     pml_interp_input(it, 0, &in);                           // in.data points into the arena
 *     memcpy(in.data, features, in.bytes);
 *     pml_interp_invoke(it);
 *     pml_interp_output(it, 0, &out);                         // out.data: int8/float results
 *
 * Lifetimes: `model_bytes` must outlive the pml_model; the model and the arena must outlive the
 * interpreter. Nothing needs freeing. After a failed pml_interp_init the arena content is undefined
 * and *out is NULL.
 */
#ifndef PML_PML_H
#define PML_PML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef PML_API
#define PML_API
#endif

/** Status returned by every fallible call. */
typedef enum pml_status {
    PML_OK = 0,
    PML_ERR_ARG = -1,         /**< NULL / out-of-range argument                         */
    PML_ERR_MODEL = -2,       /**< malformed or inconsistent model file                 */
    PML_ERR_UNSUPPORTED = -3, /**< op / dtype / option combination has no kernel        */
    PML_ERR_ARENA = -4,       /**< arena too small: see pml_interp_arena_size()         */
    PML_ERR_STATE = -5,       /**< call out of order                                   */
    PML_ERR_INTERNAL = -6     /**< a kernel met a condition prepare should have caught */
} pml_status;

/** Short name of a status ("ok", "malformed model", ...); never NULL. */
PML_API const char *pml_status_str(pml_status s);

/** Element types (values equal the TFLite schema's TensorType). */
typedef enum pml_dtype {
    PML_DTYPE_F32 = 0,
    PML_DTYPE_F16 = 1,
    PML_DTYPE_I32 = 2,
    PML_DTYPE_U8 = 3,
    PML_DTYPE_I64 = 4,
    PML_DTYPE_STRING = 5,
    PML_DTYPE_BOOL = 6,
    PML_DTYPE_I16 = 7,
    PML_DTYPE_C64 = 8,
    PML_DTYPE_I8 = 9,
    PML_DTYPE_F64 = 10,
    PML_DTYPE_COUNT = 11
} pml_dtype;

/** Name of a dtype ("int8", "float32", ...); "?" for unknown values. */
PML_API const char *pml_dtype_str(int32_t dtype);
/** Bytes per element, 0 for types picoml cannot hold in a tensor. */
PML_API size_t pml_dtype_size(int32_t dtype);

#define PML_MAX_DIMS 6

/** A view of one tensor. `data` points into the arena (activations) or the model (constants). */
typedef struct pml_tensor {
    void *data;                   /**< NULL for a constant viewed through a non-const API */
    size_t bytes;                 /**< element count * element size                       */
    int32_t dtype;                /**< pml_dtype                                          */
    int32_t rank;                 /**< 0..PML_MAX_DIMS                                    */
    int32_t dims[PML_MAX_DIMS];   /**< row-major, NHWC for images                         */
    float scale;                  /**< per-tensor scale (first channel if per-channel), 0 if none */
    int32_t zero_point;           /**< per-tensor zero point, 0 if none                   */
    int32_t index;                /**< tensor index in subgraph 0                          */
    const char *name;             /**< not NUL-terminated in the file: see name_len       */
    uint32_t name_len;
} pml_tensor;

/**
 * A validated, zero-copy view of a .tflite flatbuffer. Allocate it anywhere (stack, static); its
 * fields are private. pml_model_open bounds-checks the whole file once: every table, vector,
 * string, index and shape; later reads never leave the buffer.
 */
typedef struct pml_model {
    const uint8_t *buf;
    size_t len;
    uint32_t opcodes, subgraph, tensors, operators, buffers, inputs, outputs; /* vector offsets */
    uint32_t n_opcodes, n_tensors, n_operators, n_buffers, n_inputs, n_outputs;
    uint32_t version;
} pml_model;

/** Library version string, e.g. "0.1.0". */
PML_API const char *pml_version(void);

/**
 * Validate `buf` as a TFLite model and fill `m`. `buf` must outlive `m` (and every interpreter
 * built from it); it is never written and never copied.
 * @return PML_OK, PML_ERR_ARG (NULL pointer), PML_ERR_MODEL (malformed: truncated, bad offset,
 *         index out of range, size overflow, more than one subgraph in use, ...).
 */
PML_API pml_status pml_model_open(pml_model *m, const void *buf, size_t len);

PML_API uint32_t pml_model_num_inputs(const pml_model *m);
PML_API uint32_t pml_model_num_outputs(const pml_model *m);
PML_API uint32_t pml_model_num_ops(const pml_model *m);
PML_API uint32_t pml_model_num_tensors(const pml_model *m);
/** Describe tensor `index` of subgraph 0; data points into the model for constants, else NULL. */
PML_API pml_status pml_model_tensor(const pml_model *m, uint32_t index, pml_tensor *out);
PML_API pml_status pml_model_input(const pml_model *m, uint32_t i, pml_tensor *out);
PML_API pml_status pml_model_output(const pml_model *m, uint32_t i, pml_tensor *out);

/** One operator of the graph, as the file describes it. */
typedef struct pml_op_info {
    int32_t code;            /**< TFLite BuiltinOperator value                      */
    const char *name;        /**< "CONV_2D", ...; "CUSTOM"/"UNKNOWN" otherwise       */
    int32_t n_inputs, n_outputs;
    int32_t inputs[8];       /**< tensor indices (-1: optional input absent); first 8 */
    int32_t outputs[4];
    uint64_t macs;           /**< multiply-accumulates for one inference (0 if none) */
} pml_op_info;
PML_API pml_status pml_model_op(const pml_model *m, uint32_t op_index, pml_op_info *out);
/** Name of a TFLite builtin operator code ("CONV_2D"); "UNKNOWN" if out of the table. */
PML_API const char *pml_op_name(int32_t code);

/* ------------------------------------------------------------------------------------------ */
/* Interpreter                                                                                */

typedef struct pml_interp pml_interp;
typedef struct pml_kernel pml_kernel;

/**
 * The set of kernels an interpreter may use (required, never NULL). pml_op_set_all() is every
 * kernel in the library and links them all; a firmware that wants only some lists them, and the
 * linker drops the rest (as TFLM's MicroMutableOpResolver):
 *   static const pml_kernel *const k[] = { &pml_kernel_conv2d, &pml_kernel_softmax };
 *   static const pml_op_set ops = { k, 2 };
 */
typedef struct pml_op_set {
    const pml_kernel *const *kernels;
    uint32_t count;
} pml_op_set;
PML_API const pml_op_set *pml_op_set_all(void);

/* The kernels, one per TFLite builtin op (each handles every dtype it supports). */
extern PML_API const pml_kernel pml_kernel_conv2d;          /* CONV_2D            */
extern PML_API const pml_kernel pml_kernel_dwconv2d;        /* DEPTHWISE_CONV_2D  */
extern PML_API const pml_kernel pml_kernel_fully_connected; /* FULLY_CONNECTED    */
extern PML_API const pml_kernel pml_kernel_average_pool2d;  /* AVERAGE_POOL_2D    */
extern PML_API const pml_kernel pml_kernel_max_pool2d;      /* MAX_POOL_2D        */
extern PML_API const pml_kernel pml_kernel_add;             /* ADD                */
extern PML_API const pml_kernel pml_kernel_softmax;         /* SOFTMAX            */
extern PML_API const pml_kernel pml_kernel_reshape;         /* RESHAPE            */
extern PML_API const pml_kernel pml_kernel_squeeze;         /* SQUEEZE            */
extern PML_API const pml_kernel pml_kernel_quantize;        /* QUANTIZE           */
extern PML_API const pml_kernel pml_kernel_dequantize;      /* DEQUANTIZE         */
extern PML_API const pml_kernel pml_kernel_relu;            /* RELU               */
extern PML_API const pml_kernel pml_kernel_relu6;           /* RELU6              */
extern PML_API const pml_kernel pml_kernel_relu_n1_to_1;    /* RELU_N1_TO_1       */
extern PML_API const pml_kernel pml_kernel_logistic;        /* LOGISTIC           */
extern PML_API const pml_kernel pml_kernel_tanh;            /* TANH               */
extern PML_API const pml_kernel pml_kernel_pad;             /* PAD                */
extern PML_API const pml_kernel pml_kernel_padv2;           /* PADV2              */
extern PML_API const pml_kernel pml_kernel_mean;            /* MEAN               */
extern PML_API const pml_kernel pml_kernel_concatenation;   /* CONCATENATION      */
extern PML_API const pml_kernel pml_kernel_mul;             /* MUL                */
extern PML_API const pml_kernel pml_kernel_sub;             /* SUB                */
extern PML_API const pml_kernel pml_kernel_hard_swish;      /* HARD_SWISH         */
extern PML_API const pml_kernel pml_kernel_leaky_relu;      /* LEAKY_RELU         */
extern PML_API const pml_kernel pml_kernel_prelu;           /* PRELU              */
extern PML_API const pml_kernel pml_kernel_maximum;         /* MAXIMUM            */
extern PML_API const pml_kernel pml_kernel_minimum;         /* MINIMUM            */
extern PML_API const pml_kernel pml_kernel_strided_slice;   /* STRIDED_SLICE      */
extern PML_API const pml_kernel pml_kernel_transpose;       /* TRANSPOSE          */
extern PML_API const pml_kernel pml_kernel_expand_dims;     /* EXPAND_DIMS        */

/* int8-only kernels (as TFLM's Register_CONV_2D_INT8()): the same op, prepared by the same code, but
 * an op whose tensors are not int8 fails at prepare with PML_ERR_UNSUPPORTED ("CONV_2D: float32
 * tensors need pml_kernel_conv2d, not the int8-only kernel"). They reference no float or hybrid
 * code, so a firmware of int8 models that lists them instead of the full kernels links none of it.
 * pml_op_set_all() holds the full kernels. */
extern PML_API const pml_kernel pml_kernel_conv2d_s8;          /* CONV_2D, int8           */
extern PML_API const pml_kernel pml_kernel_dwconv2d_s8;        /* DEPTHWISE_CONV_2D, int8 */
extern PML_API const pml_kernel pml_kernel_fully_connected_s8; /* FULLY_CONNECTED, int8   */
extern PML_API const pml_kernel pml_kernel_average_pool2d_s8;  /* AVERAGE_POOL_2D, int8   */
extern PML_API const pml_kernel pml_kernel_max_pool2d_s8;      /* MAX_POOL_2D, int8       */
extern PML_API const pml_kernel pml_kernel_add_s8;             /* ADD, int8               */
extern PML_API const pml_kernel pml_kernel_softmax_s8;         /* SOFTMAX, int8           */
/* FULLY_CONNECTED, int8, also on the int16 weights `picoml pack` adds to a model (used on builds with
 * the Arm DSP kernels; elsewhere it is pml_kernel_fully_connected_s8). pml_kernel_fully_connected
 * looks for packed weights too; pml_kernel_fully_connected_s8 does not, and links none of that code. */
extern PML_API const pml_kernel pml_kernel_fully_connected_s8_packed;

/** Alignment of the arena and of every buffer in it. */
#define PML_ARENA_ALIGN 16

/**
 * Exact arena bytes pml_interp_init needs for `m` (for an arena aligned to PML_ARENA_ALIGN; add
 * PML_ARENA_ALIGN-1 if yours may not be). Runs the same prepare and planning code as init, in a
 * measuring mode that touches no arena; uses about 12 bytes of stack per planned buffer, up to
 * PML_PLAN_STACK_BUFFERS (pml_config.h).
 * @return PML_OK, PML_ERR_ARG (NULL model/ops/out_bytes), PML_ERR_MODEL, PML_ERR_UNSUPPORTED
 *         (unsupported op or type; the reason is in `err` if non-NULL).
 */
typedef struct pml_error {
    pml_status status;
    int32_t op_index;     /**< operator where it happened, -1 if none  */
    int32_t tensor_index; /**< tensor involved, -1 if none              */
    size_t arena_needed;  /**< with PML_ERR_ARENA: bytes init needs      */
    char msg[96];         /**< one line, NUL-terminated ("" if strings are stripped) */
} pml_error;

PML_API pml_status pml_interp_arena_size(const pml_model *m, const pml_op_set *ops, size_t *out_bytes,
                                         pml_error *err);

/**
 * Prepare every op, plan every tensor into `arena` and build the interpreter inside it (the handle
 * lives at the arena's tail). With too small an arena: PML_ERR_ARENA, and `err->arena_needed` (if
 * `err` is non-NULL) holds the exact size. `err` may be NULL.
 */
PML_API pml_status pml_interp_init(pml_interp **out, const pml_model *m, const pml_op_set *ops, void *arena,
                                   size_t arena_len, pml_error *err);

/** Run the graph once. Inputs must have been written through pml_interp_input views. */
PML_API pml_status pml_interp_invoke(pml_interp *it);

/** Per-op observer, for profilers and tests: called before and after each op (either may be NULL). */
typedef struct pml_invoke_hooks {
    void (*before_op)(void *user, const pml_interp *it, uint32_t op_index);
    void (*after_op)(void *user, const pml_interp *it, uint32_t op_index);
    void *user;
} pml_invoke_hooks;
PML_API pml_status pml_interp_invoke_hooked(pml_interp *it, const pml_invoke_hooks *hooks);

PML_API pml_status pml_interp_input(const pml_interp *it, uint32_t i, pml_tensor *view);
PML_API pml_status pml_interp_output(const pml_interp *it, uint32_t i, pml_tensor *view);
/** Any tensor; activations are only meaningful while live (e.g. in an after_op hook for that op's outputs). */
PML_API pml_status pml_interp_tensor(const pml_interp *it, uint32_t index, pml_tensor *view);
/** Arena bytes in use (equals what pml_interp_arena_size reported). */
PML_API size_t pml_interp_arena_used(const pml_interp *it);
/** Name of the kernel variant chosen for op `op_index` (e.g. "conv2d_s8_ref"). */
PML_API const char *pml_interp_kernel_name(const pml_interp *it, uint32_t op_index);
/**
 * Detail of this interpreter's last failed pml_interp_invoke (which op, its kernel variant): fills
 * *out and returns its status, PML_OK (empty message) if no invoke has failed. The interpreter keeps
 * only the status and the op index; the message is formatted here. PML_ERR_ARG for NULL arguments.
 */
PML_API pml_status pml_interp_last_error(const pml_interp *it, pml_error *out);

/** One planned buffer: what `picoml plan` prints. */
typedef struct pml_plan_entry {
    int32_t tensor_index; /**< -1 for a kernel scratch buffer        */
    int32_t op_index;     /**< for scratch: the op that owns it      */
    uint32_t first_op, last_op;
    size_t offset, bytes;
} pml_plan_entry;
PML_API uint32_t pml_interp_plan_count(const pml_interp *it);
PML_API pml_status pml_interp_plan_entry(const pml_interp *it, uint32_t k, pml_plan_entry *out);
/** Bytes of the planned (activation + scratch) region and of the persistent region. */
PML_API void pml_interp_arena_split(const pml_interp *it, size_t *planned, size_t *persistent);

#ifdef __cplusplus
}
#endif
#endif /* PML_PML_H */
