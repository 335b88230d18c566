/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zero-copy, bounds-checked reader for .tflite flatbuffers.
 *
 * A flatbuffer is a graph of tables reached through 32-bit offsets. Every access here checks that
 * the offset, the vtable, the field and the vector it reaches lie inside [buf, buf + len) using
 * 64-bit arithmetic, so no input can make the reader leave the buffer or overflow. Scalars are read
 * with memcpy (the file gives no alignment guarantee relative to the caller's pointer).
 * pml_model_open walks everything the runtime will later touch (subgraph 0, its tensors,
 * operators, buffers, operator codes), so a model that opens cleanly cannot fail these checks later;
 * the accessors still check, because they are cheap and run only at prepare time.
 *
 * Schema fields used (tflite schema.fbs, field id in brackets):
 *   Model: version[0] operator_codes[1] subgraphs[2] buffers[4]
 *   OperatorCode: deprecated_builtin_code[0] (int8) version[2] builtin_code[3] (int32)
 *   SubGraph: tensors[0] inputs[1] outputs[2] operators[3]
 *   Tensor: shape[0] type[1] buffer[2] name[3] quantization[4] sparsity[6]
 *   QuantizationParameters: scale[2] zero_point[3] details_type[4] quantized_dimension[6]
 *   Operator: opcode_index[0] inputs[1] outputs[2] builtin_options_type[3] builtin_options[4]
 *   Buffer: data[0] offset[1] size[2]
 *   Metadata: name[0] buffer[1]   (Model: metadata[6]; only "picoml.packed.v1" is read)
 */
#include <string.h>

#include "pml_format_internal.h"
#include "pml_packed.h"
#include "../common/pml_check.h"

static bool in_range(const pml_model *m, uint64_t pos, uint64_t n) { return pos <= m->len && n <= m->len - pos; }

static uint32_t rd_u32(const pml_model *m, uint32_t pos) {
    uint32_t v;
    memcpy(&v, m->buf + pos, 4);
    return v;
}
static uint16_t rd_u16(const pml_model *m, uint32_t pos) {
    uint16_t v;
    memcpy(&v, m->buf + pos, 2);
    return v;
}

uint32_t pml__rd_u32(const pml_model *m, uint32_t pos) { return rd_u32(m, pos); }
int32_t pml__rd_i32(const pml_model *m, uint32_t pos) {
    int32_t v;
    memcpy(&v, m->buf + pos, 4);
    return v;
}
float pml__rd_f32(const pml_model *m, uint32_t pos) {
    float v;
    memcpy(&v, m->buf + pos, 4);
    return v;
}
int64_t pml__rd_i64(const pml_model *m, uint32_t pos) {
    int64_t v;
    memcpy(&v, m->buf + pos, 8);
    return v;
}

bool pml__fb_table_at(const pml_model *m, uint32_t pos, pml__fbt *t) {
    if (!in_range(m, pos, 4)) return false;
    int32_t soff = pml__rd_i32(m, pos);
    int64_t vt = (int64_t)pos - (int64_t)soff;
    if (vt < 0 || !in_range(m, (uint64_t)vt, 4)) return false;
    uint16_t vt_len = rd_u16(m, (uint32_t)vt), t_len = rd_u16(m, (uint32_t)vt + 2);
    if (vt_len < 4 || (vt_len & 1) || !in_range(m, (uint64_t)vt, vt_len)) return false;
    if (t_len < 4 || !in_range(m, pos, t_len)) return false;
    t->pos = pos;
    t->vt = (uint32_t)vt;
    t->vt_len = vt_len;
    t->t_len = t_len;
    return true;
}

/* Position of field `id` if present and `size` bytes fit in the table, else 0. */
static uint32_t field_pos(const pml__fbt *t, const pml_model *m, uint32_t id, uint32_t size) {
    uint32_t e = 4 + 2 * id;
    if (e + 2 > t->vt_len) return 0;
    uint16_t off = rd_u16(m, t->vt + e);
    if (off == 0 || (uint32_t)off + size > t->t_len) return 0;
    return t->pos + off;
}

/* Follow a uoffset field; 0 when absent or out of the buffer. */
static bool field_target(const pml_model *m, const pml__fbt *t, uint32_t id, uint32_t *target) {
    uint32_t p = field_pos(t, m, id, 4);
    if (!p) return false;
    uint64_t tgt = (uint64_t)p + rd_u32(m, p);
    if (!in_range(m, tgt, 4)) return false;
    *target = (uint32_t)tgt;
    return true;
}

bool pml__fb_field_table(const pml_model *m, const pml__fbt *t, uint32_t id, pml__fbt *out) {
    uint32_t tgt;
    return field_target(m, t, id, &tgt) && pml__fb_table_at(m, tgt, out);
}

bool pml__fb_field_vector(const pml_model *m, const pml__fbt *t, uint32_t id, uint32_t elem, pml__fbv *out) {
    out->pos = 0;
    out->n = 0;
    if (!field_pos(t, m, id, 4)) return true; /* absent: empty */
    uint32_t tgt;
    if (!field_target(m, t, id, &tgt)) return false;
    uint32_t n = rd_u32(m, tgt);
    if (!in_range(m, (uint64_t)tgt + 4, (uint64_t)n * elem)) return false;
    out->pos = tgt + 4;
    out->n = n;
    return true;
}

bool pml__fb_vector_table(const pml_model *m, const pml__fbv *v, uint32_t i, pml__fbt *out) {
    if (i >= v->n) return false;
    uint32_t p = v->pos + 4 * i;
    uint64_t tgt = (uint64_t)p + rd_u32(m, p);
    return tgt <= UINT32_MAX && pml__fb_table_at(m, (uint32_t)tgt, out);
}

int32_t pml__fb_i32(const pml_model *m, const pml__fbt *t, uint32_t id, int32_t dflt) {
    uint32_t p = field_pos(t, m, id, 4);
    return p ? pml__rd_i32(m, p) : dflt;
}
uint32_t pml__fb_u32(const pml_model *m, const pml__fbt *t, uint32_t id, uint32_t dflt) {
    uint32_t p = field_pos(t, m, id, 4);
    return p ? rd_u32(m, p) : dflt;
}
int32_t pml__fb_i8(const pml_model *m, const pml__fbt *t, uint32_t id, int32_t dflt) {
    uint32_t p = field_pos(t, m, id, 1);
    return p ? (int32_t)(int8_t)m->buf[p] : dflt;
}
uint32_t pml__fb_u8(const pml_model *m, const pml__fbt *t, uint32_t id, uint32_t dflt) {
    uint32_t p = field_pos(t, m, id, 1);
    return p ? m->buf[p] : dflt;
}
float pml__fb_f32(const pml_model *m, const pml__fbt *t, uint32_t id, float dflt) {
    uint32_t p = field_pos(t, m, id, 4);
    return p ? pml__rd_f32(m, p) : dflt;
}
uint64_t pml__fb_u64(const pml_model *m, const pml__fbt *t, uint32_t id, uint64_t dflt) {
    uint32_t p = field_pos(t, m, id, 8);
    uint64_t v;
    if (!p) return dflt;
    memcpy(&v, m->buf + p, 8);
    return v;
}

/* ---- model-level helpers ------------------------------------------------------------------- */

static bool subgraph_table(const pml_model *m, pml__fbt *sg) { return pml__fb_table_at(m, m->subgraph, sg); }

static bool tensor_table(const pml_model *m, uint32_t index, pml__fbt *t) {
    pml__fbv v = {m->tensors, m->n_tensors};
    return pml__fb_vector_table(m, &v, index, t);
}

/* Constant data of buffer `b`: data vector, or (offset, size) for models > 2 GB. `bt` and `v` are
 * the caller's work records (inlined into pml__tensor_info, whose init-time stack it shares). */
PML_INLINE bool buffer_data(const pml_model *m, uint32_t b, pml__fbt *bt, pml__fbv *v, const uint8_t **data,
                            size_t *len) {
    *data = NULL;
    *len = 0;
    v->pos = m->buffers;
    v->n = m->n_buffers;
    if (b >= m->n_buffers || !pml__fb_vector_table(m, v, b, bt)) return false;
    if (!pml__fb_field_vector(m, bt, 0, 1, v)) return false;
    if (v->n) {
        *data = m->buf + v->pos;
        *len = v->n;
        return true;
    }
    uint64_t off = pml__fb_u64(m, bt, 1, 0), size = pml__fb_u64(m, bt, 2, 0);
    if (off > 1 && size) {
        if (!in_range(m, off, size)) return false;
        *data = m->buf + off;
        *len = (size_t)size;
    }
    return true;
}

size_t pml_dtype_size(int32_t dtype) {
    switch (dtype) {
    case PML_DTYPE_F32: case PML_DTYPE_I32: return 4;
    case PML_DTYPE_F16: case PML_DTYPE_I16: return 2;
    case PML_DTYPE_U8: case PML_DTYPE_I8: case PML_DTYPE_BOOL: return 1;
    case PML_DTYPE_I64: case PML_DTYPE_F64: case PML_DTYPE_C64: return 8;
    default: return 0;
    }
}

const char *pml_dtype_str(int32_t dtype) {
    static const char *const names[PML_DTYPE_COUNT] = {"float32", "float16", "int32", "uint8",     "int64", "string",
                                                       "bool",    "int16",   "complex64", "int8", "float64"};
    return (dtype >= 0 && dtype < PML_DTYPE_COUNT) ? names[dtype] : "?";
}

pml_status pml__tensor_info(const pml_model *m, uint32_t index, pml__tinfo *ti) {
    pml__fbt t, u; /* the tensor; its buffer, then its quantization */
    pml__fbv v;    /* its name, its shape, then the buffers and the data */
    memset(ti, 0, sizeof *ti);
    if (index >= m->n_tensors || !tensor_table(m, index, &t)) return PML_ERR_MODEL;
    if (!pml__fb_field_vector(m, &t, 3, 1, &v)) return PML_ERR_MODEL;
    ti->name = (const char *)(m->buf + v.pos);
    ti->name_len = v.n;
    if (!pml__fb_field_vector(m, &t, 0, 4, &v)) return PML_ERR_MODEL;
    if (v.n > PML_MAX_DIMS) return PML_ERR_UNSUPPORTED;
    ti->dtype = (int32_t)pml__fb_u8(m, &t, 1, 0);
    ti->rank = (int32_t)v.n;
    size_t count = 1;
    for (uint32_t i = 0; i < v.n; i++) {
        int32_t d = pml__rd_i32(m, v.pos + 4 * i);
        if (d < 0) return PML_ERR_UNSUPPORTED; /* dynamic dimension */
        ti->dims[i] = d;
        if (!pml__mul_size(count, (size_t)d, &count)) return PML_ERR_MODEL;
    }
    size_t esz = pml_dtype_size(ti->dtype);
    ti->count = count;
    if (esz == 0) {
        ti->bytes = 0;
    } else if (!pml__mul_size(count, esz, &ti->bytes) || ti->bytes > (size_t)INT32_MAX) {
        return PML_ERR_MODEL;
    }
    const uint8_t *data;
    size_t dlen;
    if (!buffer_data(m, pml__fb_u32(m, &t, 2, 0), &u, &v, &data, &dlen)) return PML_ERR_MODEL;
    if (data) {
        if (esz == 0 || dlen < ti->bytes) return PML_ERR_MODEL; /* constant shorter than its shape */
        ti->data = data;
    }
    ti->quantized_dim = 0;
    if (pml__fb_field_table(m, &t, 4, &u)) {
        if (!pml__fb_field_vector(m, &u, 2, 4, &ti->scale) || !pml__fb_field_vector(m, &u, 3, 8, &ti->zero_point))
            return PML_ERR_MODEL;
        ti->quantized_dim = pml__fb_i32(m, &u, 6, 0);
        if (ti->scale.n > 1 && (ti->quantized_dim < 0 || ti->quantized_dim >= ti->rank ||
                                (uint32_t)ti->dims[ti->quantized_dim] != ti->scale.n))
            return PML_ERR_MODEL;
        if (ti->zero_point.n != 0 && ti->zero_point.n != ti->scale.n) return PML_ERR_MODEL;
    }
    if (field_pos(&t, m, 6, 4)) return PML_ERR_UNSUPPORTED; /* sparse tensors */
    return PML_OK;
}

float pml__tinfo_scale(const pml_model *m, const pml__tinfo *ti, uint32_t i) {
    if (ti->scale.n == 0) return 0.0f;
    if (i >= ti->scale.n) i = 0;
    return pml__rd_f32(m, ti->scale.pos + 4 * i);
}

int32_t pml__tinfo_zp(const pml_model *m, const pml__tinfo *ti, uint32_t i) {
    if (ti->zero_point.n == 0) return 0;
    if (i >= ti->zero_point.n) i = 0;
    int64_t z = pml__rd_i64(m, ti->zero_point.pos + 8 * i);
    return (z < INT32_MIN || z > INT32_MAX) ? INT32_MIN : (int32_t)z;
}

bool pml__tensor_is_const(const pml_model *m, uint32_t index) {
    pml__tinfo ti;
    return pml__tensor_info(m, index, &ti) == PML_OK && ti.data != NULL;
}

static bool opcode_code(const pml_model *m, uint32_t idx, int32_t *code, int32_t *version) {
    pml__fbv v = {m->opcodes, m->n_opcodes};
    pml__fbt t;
    if (!pml__fb_vector_table(m, &v, idx, &t)) return false;
    int32_t dep = pml__fb_i8(m, &t, 0, 0), bc = pml__fb_i32(m, &t, 3, 0);
    *code = dep > bc ? dep : bc; /* TFLite GetBuiltinCode: the larger of the two */
    *version = pml__fb_i32(m, &t, 2, 1);
    return true;
}

pml_status pml__op_info(const pml_model *m, uint32_t index, pml__opinfo *op) {
    pml__fbv ops = {m->operators, m->n_operators}, in, out;
    pml__fbt t;
    memset(op, 0, sizeof *op);
    if (index >= m->n_operators || !pml__fb_vector_table(m, &ops, index, &t)) return PML_ERR_MODEL;
    if (!opcode_code(m, pml__fb_u32(m, &t, 0, 0), &op->code, &op->version)) return PML_ERR_MODEL;
    if (!pml__fb_field_vector(m, &t, 1, 4, &in) || !pml__fb_field_vector(m, &t, 2, 4, &out)) return PML_ERR_MODEL;
    if (in.n > PML_OP_MAX_IO || out.n > PML_OP_MAX_IO) return PML_ERR_UNSUPPORTED;
    op->n_in = (int32_t)in.n;
    op->n_out = (int32_t)out.n;
    for (uint32_t i = 0; i < in.n; i++) {
        int32_t ti = pml__rd_i32(m, in.pos + 4 * i);
        if (ti < -1 || ti >= (int32_t)m->n_tensors) return PML_ERR_MODEL;
        op->in[i] = (int16_t)ti;
    }
    for (uint32_t i = 0; i < out.n; i++) {
        int32_t ti = pml__rd_i32(m, out.pos + 4 * i);
        if (ti < 0 || ti >= (int32_t)m->n_tensors) return PML_ERR_MODEL;
        op->out[i] = (int16_t)ti;
    }
    op->opt_type = pml__fb_u8(m, &t, 3, 0);
    op->has_opt = pml__fb_field_table(m, &t, 4, &op->opt);
    if (field_pos(&t, m, 4, 4) && !op->has_opt) return PML_ERR_MODEL; /* present but broken */
    return PML_OK;
}

int32_t pml__model_io(const pml_model *m, bool output, uint32_t i) {
    uint32_t n = output ? m->n_outputs : m->n_inputs;
    if (i >= n) return -1;
    return pml__rd_i32(m, (output ? m->outputs : m->inputs) + 4 * i);
}

/* ---- picoml packed section (pml_packed.h) ------------------------------------------------- */

const uint8_t *pml__packed_find(const pml_model *m, uint32_t op, uint32_t kind, size_t *len) {
    static const char name[] = PML_PACKED_META_NAME;
    pml__fbt t; /* the root, then each Metadata table, then buffer_data's work record */
    pml__fbv meta, v;
    const uint8_t *d;
    *len = 0;
    if (!m || !m->buf || !pml__fb_table_at(m, rd_u32(m, 0), &t) || !pml__fb_field_vector(m, &t, 6, 4, &meta))
        return NULL;
    for (uint32_t i = 0; i < meta.n; i++) {
        if (!pml__fb_vector_table(m, &meta, i, &t) || !pml__fb_field_vector(m, &t, 0, 1, &v)) return NULL;
        if (v.n != sizeof name - 1 || memcmp(m->buf + v.pos, name, sizeof name - 1) != 0) continue;
        /* the table: count, then count x {op, kind, buffer} */
        if (!buffer_data(m, pml__fb_u32(m, &t, 1, UINT32_MAX), &t, &v, &d, len) || !d || *len < 4) break;
        const size_t n = *len / PML_PACKED_ENTRY_BYTES; /* entries that fit after the count */
        uint32_t k, e;
        memcpy(&k, d, 4);
        if (k > n || (size_t)k * PML_PACKED_ENTRY_BYTES > *len - 4) break;
        const uint8_t *end = d + 4 + (size_t)k * PML_PACKED_ENTRY_BYTES;
        for (const uint8_t *p = d + 4; p < end; p += PML_PACKED_ENTRY_BYTES) {
            memcpy(&e, p, 4);
            if (e != op) continue;
            memcpy(&e, p + 4, 4);
            if (e != kind) continue;
            memcpy(&e, p + 8, 4);
            if (!buffer_data(m, e, &t, &v, &d, len) || !d || ((uintptr_t)d & 3u)) break;
            return d;
        }
        break;
    }
    *len = 0;
    return NULL;
}

/* ---- open: validate everything once ------------------------------------------------------- */

pml_status pml_model_open(pml_model *m, const void *buf, size_t len) {
    pml__fbt root, sg;
    pml__fbv v;
    if (!m || !buf) return PML_ERR_ARG;
    memset(m, 0, sizeof *m);
    m->buf = (const uint8_t *)buf;
    m->len = len;
    if (len < 8 || len > UINT32_MAX) goto bad;
    if (memcmp(m->buf + 4, "TFL3", 4) != 0) goto bad; /* file identifier */
    if (!pml__fb_table_at(m, rd_u32(m, 0), &root)) goto bad;
    m->version = pml__fb_u32(m, &root, 0, 0);
    if (m->version != 3) goto bad;

    if (!pml__fb_field_vector(m, &root, 1, 4, &v)) goto bad;
    m->opcodes = v.pos;
    m->n_opcodes = v.n;
    if (!pml__fb_field_vector(m, &root, 4, 4, &v)) goto bad;
    m->buffers = v.pos;
    m->n_buffers = v.n;
    if (!pml__fb_field_vector(m, &root, 2, 4, &v) || v.n < 1 || !pml__fb_vector_table(m, &v, 0, &sg)) goto bad;
    m->subgraph = sg.pos;

    if (!pml__fb_field_vector(m, &sg, 0, 4, &v)) goto bad;
    m->tensors = v.pos;
    m->n_tensors = v.n;
    if (!pml__fb_field_vector(m, &sg, 3, 4, &v)) goto bad;
    m->operators = v.pos;
    m->n_operators = v.n;
    if (!pml__fb_field_vector(m, &sg, 1, 4, &v)) goto bad;
    m->inputs = v.pos;
    m->n_inputs = v.n;
    if (!pml__fb_field_vector(m, &sg, 2, 4, &v)) goto bad;
    m->outputs = v.pos;
    m->n_outputs = v.n;
    if (m->n_tensors > 32767 || m->n_operators > 32767) goto bad; /* indices are kept in int16 */

    for (uint32_t i = 0; i < m->n_opcodes; i++) {
        int32_t code, ver;
        if (!opcode_code(m, i, &code, &ver)) goto bad;
    }
    for (uint32_t i = 0; i < m->n_buffers; i++) {
        const uint8_t *d;
        size_t dl;
        pml__fbt bt;
        pml__fbv dv;
        if (!buffer_data(m, i, &bt, &dv, &d, &dl)) goto bad;
    }
    for (uint32_t i = 0; i < m->n_tensors; i++) {
        pml__tinfo ti;
        pml__fbt tt;
        /* unsupported features (dynamic dims, sparsity, rank > 6) are reported when an op uses the
         * tensor; only structural damage fails here */
        if (!tensor_table(m, i, &tt)) goto bad;
        if (pml__tensor_info(m, i, &ti) == PML_ERR_MODEL) goto bad;
    }
    for (uint32_t k = 0; k < 2; k++) {
        uint32_t n = k ? m->n_outputs : m->n_inputs;
        for (uint32_t i = 0; i < n; i++) {
            int32_t t = pml__model_io(m, k != 0, i);
            if (t < 0 || (uint32_t)t >= m->n_tensors) goto bad;
        }
    }
    for (uint32_t i = 0; i < m->n_operators; i++) {
        pml__opinfo op;
        if (pml__op_info(m, i, &op) == PML_ERR_MODEL) goto bad;
    }
    (void)subgraph_table;
    return PML_OK;
bad:
    memset(m, 0, sizeof *m);
    return PML_ERR_MODEL;
}

uint32_t pml_model_num_inputs(const pml_model *m) { return m ? m->n_inputs : 0; }
uint32_t pml_model_num_outputs(const pml_model *m) { return m ? m->n_outputs : 0; }
uint32_t pml_model_num_ops(const pml_model *m) { return m ? m->n_operators : 0; }
uint32_t pml_model_num_tensors(const pml_model *m) { return m ? m->n_tensors : 0; }

pml_status pml_model_tensor(const pml_model *m, uint32_t index, pml_tensor *out) {
    pml__tinfo ti;
    if (!m || !out || !m->buf) return PML_ERR_ARG;
    if (index >= m->n_tensors) return PML_ERR_ARG;
    pml_status s = pml__tensor_info(m, index, &ti);
    if (s != PML_OK) return s;
    memset(out, 0, sizeof *out);
    out->data = (void *)(uintptr_t)ti.data;
    out->bytes = ti.bytes;
    out->dtype = ti.dtype;
    out->rank = ti.rank;
    memcpy(out->dims, ti.dims, sizeof out->dims);
    out->scale = pml__tinfo_scale(m, &ti, 0);
    out->zero_point = pml__tinfo_zp(m, &ti, 0);
    out->index = (int32_t)index;
    out->name = ti.name;
    out->name_len = ti.name_len;
    return PML_OK;
}

pml_status pml_model_input(const pml_model *m, uint32_t i, pml_tensor *out) {
    if (!m || i >= m->n_inputs) return PML_ERR_ARG;
    return pml_model_tensor(m, (uint32_t)pml__model_io(m, false, i), out);
}

pml_status pml_model_output(const pml_model *m, uint32_t i, pml_tensor *out) {
    if (!m || i >= m->n_outputs) return PML_ERR_ARG;
    return pml_model_tensor(m, (uint32_t)pml__model_io(m, true, i), out);
}
