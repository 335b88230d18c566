/* SPDX-License-Identifier: Apache-2.0 */
/* Bounds-checked access to a .tflite flatbuffer (schema v3), for the runtime's own use. */
#ifndef PML_FORMAT_INTERNAL_H
#define PML_FORMAT_INTERNAL_H

#include "pml/pml.h"
#include "../common/pml_compiler.h"

/* TFLite BuiltinOperator codes picoml knows by name. */
enum {
    PML_OP_ADD = 0,
    PML_OP_AVERAGE_POOL_2D = 1,
    PML_OP_CONCATENATION = 2,
    PML_OP_CONV_2D = 3,
    PML_OP_DEPTHWISE_CONV_2D = 4,
    PML_OP_DEQUANTIZE = 6,
    PML_OP_FULLY_CONNECTED = 9,
    PML_OP_LOGISTIC = 14,
    PML_OP_MAX_POOL_2D = 17,
    PML_OP_MUL = 18,
    PML_OP_RELU = 19,
    PML_OP_RELU_N1_TO_1 = 20,
    PML_OP_RELU6 = 21,
    PML_OP_RESHAPE = 22,
    PML_OP_SOFTMAX = 25,
    PML_OP_TANH = 28,
    PML_OP_PAD = 34,
    PML_OP_MEAN = 40,
    PML_OP_SUB = 41,
    PML_OP_SQUEEZE = 43,
    PML_OP_PADV2 = 60,
    PML_OP_TRANSPOSE = 39,
    PML_OP_STRIDED_SLICE = 45,
    PML_OP_PRELU = 54,
    PML_OP_MAXIMUM = 55,
    PML_OP_MINIMUM = 57,
    PML_OP_EXPAND_DIMS = 70,
    PML_OP_LEAKY_RELU = 98,
    PML_OP_QUANTIZE = 114,
    PML_OP_HARD_SWISH = 117,
    PML_OP_CUSTOM = 32
};

/* Builtin options union types we read. */
enum {
    PML_OPT_CONV2D = 1,
    PML_OPT_DWCONV2D = 2,
    PML_OPT_POOL2D = 5,
    PML_OPT_FC = 8,
    PML_OPT_SOFTMAX = 9,
    PML_OPT_CONCATENATION = 10, /* axis[0] i32, fused_activation_function[1] */
    PML_OPT_ADD = 11,
    PML_OPT_RESHAPE = 17,
    PML_OPT_MUL = 21,           /* fused_activation_function[0] */
    PML_OPT_PAD = 22,           /* no fields */
    PML_OPT_REDUCER = 27,       /* keep_dims[0] bool */
    PML_OPT_SUB = 28,           /* fused_activation_function[0], pot_scale_int16[1] */
    PML_OPT_STRIDED_SLICE = 32, /* begin_mask[0] end_mask[1] ellipsis_mask[2] new_axis_mask[3]
                                   shrink_axis_mask[4] (i32), offset[5] bool */
    PML_OPT_PADV2 = 43,         /* no fields */
    PML_OPT_LEAKY_RELU = 75     /* alpha[0] f32 */
};

/* A table inside the buffer: its position and its vtable. */
typedef struct pml__fbt {
    uint32_t pos;    /* table start                */
    uint32_t vt;     /* vtable start               */
    uint16_t vt_len; /* vtable length in bytes     */
    uint16_t t_len;  /* inline table size in bytes */
} pml__fbt;

/* A vector inside the buffer: position of element 0 and count. */
typedef struct pml__fbv {
    uint32_t pos;
    uint32_t n;
} pml__fbv;

PML_INTERNAL bool pml__fb_table_at(const pml_model *m, uint32_t pos, pml__fbt *t);
/* Follow the uoffset stored in field `id` to a table; false if absent or invalid. */
PML_INTERNAL bool pml__fb_field_table(const pml_model *m, const pml__fbt *t, uint32_t id, pml__fbt *out);
/* Vector of elements of `elem` bytes in field `id`; absent gives an empty vector (true). */
PML_INTERNAL bool pml__fb_field_vector(const pml_model *m, const pml__fbt *t, uint32_t id, uint32_t elem,
                                       pml__fbv *out);
/* Element i of a vector of tables. */
PML_INTERNAL bool pml__fb_vector_table(const pml_model *m, const pml__fbv *v, uint32_t i, pml__fbt *out);
PML_INTERNAL int32_t pml__fb_i32(const pml_model *m, const pml__fbt *t, uint32_t id, int32_t dflt);
PML_INTERNAL uint32_t pml__fb_u32(const pml_model *m, const pml__fbt *t, uint32_t id, uint32_t dflt);
PML_INTERNAL int32_t pml__fb_i8(const pml_model *m, const pml__fbt *t, uint32_t id, int32_t dflt);
PML_INTERNAL uint32_t pml__fb_u8(const pml_model *m, const pml__fbt *t, uint32_t id, uint32_t dflt);
PML_INTERNAL float pml__fb_f32(const pml_model *m, const pml__fbt *t, uint32_t id, float dflt);
PML_INTERNAL uint64_t pml__fb_u64(const pml_model *m, const pml__fbt *t, uint32_t id, uint64_t dflt);
/* Element readers for validated vectors. */
PML_INTERNAL int32_t pml__rd_i32(const pml_model *m, uint32_t pos);
PML_INTERNAL uint32_t pml__rd_u32(const pml_model *m, uint32_t pos);
PML_INTERNAL float pml__rd_f32(const pml_model *m, uint32_t pos);
PML_INTERNAL int64_t pml__rd_i64(const pml_model *m, uint32_t pos);

/* Everything about one tensor that the runtime needs; constant data points into the model. */
typedef struct pml__tinfo {
    int32_t dtype;
    int32_t rank;
    int32_t dims[PML_MAX_DIMS];
    size_t count;              /* elements                       */
    size_t bytes;              /* count * element size           */
    const uint8_t *data;       /* constant data, NULL if none     */
    pml__fbv scale;            /* float vector (n may be 0)       */
    pml__fbv zero_point;       /* int64 vector                    */
    int32_t quantized_dim;
    const char *name;
    uint32_t name_len;
} pml__tinfo;

PML_INTERNAL pml_status pml__tensor_info(const pml_model *m, uint32_t index, pml__tinfo *ti);
PML_INTERNAL float pml__tinfo_scale(const pml_model *m, const pml__tinfo *ti, uint32_t i);
PML_INTERNAL int32_t pml__tinfo_zp(const pml_model *m, const pml__tinfo *ti, uint32_t i);

#define PML_OP_MAX_IO 8
/* One operator as stored. */
typedef struct pml__opinfo {
    int32_t code;
    int32_t version;
    int32_t n_in, n_out;
    int16_t in[PML_OP_MAX_IO];  /* tensor indices (< 32767, pml_model_open checks), -1 absent */
    int16_t out[PML_OP_MAX_IO];
    uint32_t opt_type;
    pml__fbt opt;      /* valid if has_opt */
    bool has_opt;
} pml__opinfo;

PML_INTERNAL pml_status pml__op_info(const pml_model *m, uint32_t index, pml__opinfo *op);
/* Is tensor `index` a constant (has buffer data)? */
PML_INTERNAL bool pml__tensor_is_const(const pml_model *m, uint32_t index);
PML_INTERNAL int32_t pml__model_io(const pml_model *m, bool output, uint32_t i);

/* The packed buffer of `kind` for operator `op` (src/format/pml_packed.h), 4-byte aligned, from the
 * model's "picoml.packed.v1" metadata; NULL (and *len 0) if there is none or anything on the way is
 * malformed (packed data is optional: a damaged section is ignored, never trusted). */
PML_INTERNAL const uint8_t *pml__packed_find(const pml_model *m, uint32_t op, uint32_t kind, size_t *len);

#endif /* PML_FORMAT_INTERNAL_H */
