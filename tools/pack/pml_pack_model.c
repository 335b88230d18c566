/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The model rewrite behind `picoml pack` (tools/cli/cmd_pack.c) and the packed-model tests.
 *
 * Makes a copy of MODEL with picoml's packed weights (src/format/pml_packed.h): for every int8
 * FULLY_CONNECTED with constant symmetric weights, the weights widened to int16 and interleaved
 * for the Arm v7E-M DSP kernel (fc_s8_dsp_w16), the input offset folded into the bias. Flash cost:
 * about twice each packed op's weight bytes. The output is still a valid TFLite model that every
 * runtime runs exactly as MODEL: the original weights stay, the packed buffers are reached only
 * through a metadata entry "picoml.packed.v1".
 *
 * How the file is rewritten: flatbuffer offsets only point forward, so the new parts go in FRONT of
 * the unchanged original bytes: a new root (Model) table that copies every field of the old root
 * (its offsets now point into the original bytes, shifted by the length of the front part),
 * a new buffers vector (old buffers + new), a new metadata vector (old entries + ours), the new
 * Buffer and Metadata tables and the packed data (16-byte aligned). The front part is a multiple
 * of 16 bytes, so every original buffer keeps its alignment. Models whose buffers use absolute
 * file offsets (> 2 GB models) are refused, as are models already packed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pml/pml.h"
#include "pml_pack_fc.h"
#include "pml_pack_model.h"

/* Model: version operator_codes subgraphs description buffers metadata_buffer metadata signature_defs */
#define MODEL_FIELDS 8

typedef struct out_buf {
    uint8_t *p;
    size_t n, cap;
} out_buf;


static size_t put(out_buf *o, const void *src, size_t n) {
    if (o->n + n > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap < o->n + n) cap *= 2;
        uint8_t *q = realloc(o->p, cap);
        if (!q) {
            fprintf(stderr, "picoml: pack: out of memory\n");
            abort();
        }
        o->p = q;
        o->cap = cap;
    }
    size_t at = o->n;
    if (src) memcpy(o->p + at, src, n);
    else memset(o->p + at, 0, n);
    o->n += n;
    return at;
}
static size_t put_u32(out_buf *o, uint32_t v) { return put(o, &v, 4); }
static void put_u16(out_buf *o, uint16_t v) { put(o, &v, 2); }
static void align(out_buf *o, size_t a, size_t rem) {
    while (o->n % a != rem) put(o, NULL, 1);
}
static void set_u32(out_buf *o, size_t at, uint32_t v) { memcpy(o->p + at, &v, 4); }
static uint32_t rd32(const uint8_t *b, size_t at) {
    uint32_t v;
    memcpy(&v, b + at, 4);
    return v;
}
static uint16_t rd16(const uint8_t *b, size_t at) {
    uint16_t v;
    memcpy(&v, b + at, 2);
    return v;
}

/* One uoffset field of the old root: absolute target in the old file (0 if absent). */
typedef struct root_info {
    uint32_t version;
    uint64_t target[MODEL_FIELDS];
} root_info;

static const char *read_root(const uint8_t *b, size_t len, root_info *ri) {
    memset(ri, 0, sizeof *ri);
    uint32_t r = rd32(b, 0);
    if ((uint64_t)r + 4 > len) return "bad root offset";
    int64_t vt = (int64_t)r - (int32_t)rd32(b, r);
    if (vt < 0 || (uint64_t)vt + 4 > len) return "bad root vtable";
    uint16_t vl = rd16(b, (size_t)vt), tl = rd16(b, (size_t)vt + 2);
    if (vl < 4 || (uint64_t)vt + vl > len || (uint64_t)r + tl > len) return "bad root vtable";
    for (uint32_t f = 0; 4 + 2 * f + 2 <= vl; f++) {
        uint16_t off = rd16(b, (size_t)vt + 4 + 2 * f);
        if (!off) continue;
        if (f >= MODEL_FIELDS) return "the Model table has fields this packer does not know";
        if ((uint32_t)off + 4 > tl) return "bad root field";
        uint32_t v = rd32(b, r + off);
        if (f == 0) {
            ri->version = v;
        } else {
            ri->target[f] = (uint64_t)r + off + v;
            if (ri->target[f] + 4 > len) return "bad root field offset";
        }
    }
    return NULL;
}

/* Elements of an old vector of tables (absolute targets); n = 0 when absent. */
static const char *old_table_vector(const uint8_t *b, size_t len, uint64_t at, uint32_t *n, uint64_t **elems) {
    *n = 0;
    *elems = NULL;
    if (!at) return NULL;
    uint32_t cnt = rd32(b, (size_t)at);
    if (at + 4 + 4ull * cnt > len) return "bad vector";
    *elems = calloc(cnt ? cnt : 1, sizeof **elems);
    for (uint32_t i = 0; i < cnt; i++) {
        uint64_t p = at + 4 + 4ull * i;
        (*elems)[i] = p + rd32(b, (size_t)p);
        if ((*elems)[i] + 4 > len) return "bad vector element";
    }
    *n = cnt;
    return NULL;
}

/* The name of a Metadata table (field 0), or NULL. */
static const char *meta_name(const uint8_t *b, size_t len, uint64_t t, uint32_t *nlen) {
    int64_t vt = (int64_t)t - (int32_t)rd32(b, (size_t)t);
    if (vt < 0 || (uint64_t)vt + 6 > len || rd16(b, (size_t)vt) < 6) return NULL;
    uint16_t off = rd16(b, (size_t)vt + 4);
    if (!off || t + off + 4 > len) return NULL;
    uint64_t s = t + off + rd32(b, (size_t)(t + off));
    if (s + 4 > len || s + 4 + rd32(b, (size_t)s) > len) return NULL;
    *nlen = rd32(b, (size_t)s);
    return (const char *)b + s + 4;
}

typedef struct packed_op {
    uint32_t op;
    uint8_t *data;
    size_t bytes;
} packed_op;


const char *pml_pack_model(const uint8_t *b, size_t len, uint8_t **out, size_t *out_len, uint32_t *n_packed) {
    const char *err = NULL;
    uint32_t nbuf = 0, nmeta = 0, nops = 0, npk = 0;
    uint64_t *bufs = NULL, *metas = NULL;
    packed_op *pk = NULL;
    out_buf o = {NULL, 0, 0};
    pml_model m;
    *out = NULL;
    *out_len = 0;
    *n_packed = 0;
#define FAIL(msg)                                                                                                      \
    do {                                                                                                               \
        err = (msg);                                                                                                   \
        goto done;                                                                                                     \
    } while (0)
    if (pml_model_open(&m, b, len) != PML_OK) FAIL("not a valid model");
    nops = pml_model_num_ops(&m);
    pk = calloc(nops ? nops : 1, sizeof *pk);
    /* 1. the ops to pack */
    for (uint32_t i = 0; i < nops; i++) {
        pml_op_info op;
        pml_tensor in, w, bias, ot;
        if (pml_model_op(&m, i, &op) != PML_OK || op.code != 9 /* FULLY_CONNECTED */ || op.n_inputs < 2) continue;
        if (pml_model_tensor(&m, (uint32_t)op.inputs[0], &in) != PML_OK ||
            pml_model_tensor(&m, (uint32_t)op.inputs[1], &w) != PML_OK ||
            pml_model_tensor(&m, (uint32_t)op.outputs[0], &ot) != PML_OK)
            continue;
        if (in.dtype != PML_DTYPE_I8 || w.dtype != PML_DTYPE_I8 || ot.dtype != PML_DTYPE_I8 || !w.data || w.rank != 2 ||
            w.zero_point != 0 || w.dims[0] < 1 || w.dims[1] < 1 || w.dims[1] > 65536)
            continue;
        const int32_t *bp = NULL;
        if (op.n_inputs > 2 && op.inputs[2] >= 0) {
            if (pml_model_tensor(&m, (uint32_t)op.inputs[2], &bias) != PML_OK || bias.dtype != PML_DTYPE_I32 ||
                !bias.data || bias.bytes != 4u * (size_t)w.dims[0])
                continue;
            bp = (const int32_t *)bias.data;
        }
        if (in.zero_point < -128 || in.zero_point > 127) continue;
        pk[npk].op = i;
        pk[npk].bytes = (size_t)pml_packed_fc_w16_bytes((uint32_t)w.dims[0], (uint32_t)w.dims[1]);
        pk[npk].data = aligned_alloc(16, (pk[npk].bytes + 15) & ~(size_t)15);
        pml_pack_fc_w16((const int8_t *)w.data, bp, w.dims[0], w.dims[1], -in.zero_point, pk[npk].data);
        npk++;
    }
    if (!npk) FAIL("no int8 FULLY_CONNECTED with constant symmetric weights to pack");

    /* 2. the old root, its buffers and metadata */
    root_info ri;
    const char *why = read_root(b, len, &ri);
    if (!why) why = old_table_vector(b, len, ri.target[4], &nbuf, &bufs);
    if (!why) why = old_table_vector(b, len, ri.target[6], &nmeta, &metas);
    if (why) FAIL(why);
    for (uint32_t i = 0; i < nbuf; i++) { /* Buffer: offset[1] (absolute, > 2 GB models) must be unused */
        uint64_t t = bufs[i];
        int64_t vt = (int64_t)t - (int32_t)rd32(b, (size_t)t);
        if (vt < 0 || (uint64_t)vt + 4 > len) FAIL("bad buffer table");
        uint16_t vl = rd16(b, (size_t)vt);
        if (vl >= 8 && rd16(b, (size_t)vt + 6)) FAIL("buffers with file offsets (models > 2 GB) are not supported");
    }
    for (uint32_t i = 0; i < nmeta; i++) {
        uint32_t nl;
        const char *nm = meta_name(b, len, metas[i], &nl);
        if (nm && nl == strlen(PML_PACKED_META_NAME) && !memcmp(nm, PML_PACKED_META_NAME, nl))
            FAIL("the model is already packed");
    }
    const uint32_t tab_buf = nbuf, first_pk_buf = nbuf + 1, nbuf_new = nbuf + 1 + npk;

    /* 3. the front part. Forward references are patched once the target positions are known; an
     * offset to the original bytes is (P + old position) - field position, P = front length. */
    put_u32(&o, 0); /* root offset */
    put(&o, "TFL3", 4);
    const size_t root_vt = o.n;
    put_u16(&o, 4 + 2 * MODEL_FIELDS);
    put_u16(&o, 4 + 4 * MODEL_FIELDS);
    for (uint16_t f = 0; f < MODEL_FIELDS; f++) /* absent fields stay absent */
        put_u16(&o, (uint16_t)((f == 0 || f == 4 || f == 6 || ri.target[f]) ? 4 + 4 * f : 0));
    align(&o, 4, 0);
    const size_t root = o.n;
    set_u32(&o, 0, (uint32_t)root);
    put_u32(&o, (uint32_t)(root - root_vt));
    size_t field[MODEL_FIELDS];
    for (int f = 0; f < MODEL_FIELDS; f++) field[f] = put_u32(&o, 0);
    set_u32(&o, field[0], ri.version);
    /* vectors: buffers (old + table + packed), metadata (old + ours) */
    const size_t bvec = put_u32(&o, nbuf_new);
    for (uint32_t i = 0; i < nbuf_new; i++) put_u32(&o, 0);
    const size_t mvec = put_u32(&o, nmeta + 1);
    for (uint32_t i = 0; i <= nmeta; i++) put_u32(&o, 0);
    /* our Metadata table: vtable {8, 12, 4, 8}, then soffset, name, buffer */
    const size_t mvt = o.n;
    put_u16(&o, 8), put_u16(&o, 12), put_u16(&o, 4), put_u16(&o, 8);
    const size_t mtab = put_u32(&o, (uint32_t)(o.n - mvt));
    const size_t mname = put_u32(&o, 0);
    put_u32(&o, tab_buf);
    set_u32(&o, mvec + 4 + 4 * nmeta, (uint32_t)(mtab - (mvec + 4 + 4 * nmeta)));
    const size_t str = put_u32(&o, (uint32_t)strlen(PML_PACKED_META_NAME));
    put(&o, PML_PACKED_META_NAME, strlen(PML_PACKED_META_NAME) + 1);
    set_u32(&o, mname, (uint32_t)(str - mname));
    /* the new Buffer tables share one vtable {6, 8, 4}: soffset, data */
    align(&o, 2, 0);
    const size_t bvt = o.n;
    put_u16(&o, 6), put_u16(&o, 8), put_u16(&o, 4);
    size_t bdata[1 + 1024];
    if (npk > 1024) FAIL("more than 1024 ops to pack");
    for (uint32_t k = 0; k <= npk; k++) {
        align(&o, 4, 0);
        const size_t t = put_u32(&o, (uint32_t)(o.n - bvt));
        bdata[k] = put_u32(&o, 0);
        const size_t slot = bvec + 4 + 4 * (size_t)(tab_buf + k);
        set_u32(&o, slot, (uint32_t)(t - slot));
    }
    /* data vectors, 16-byte aligned contents: the table, then each packed op */
    for (uint32_t k = 0; k <= npk; k++) {
        align(&o, 16, 12);
        const size_t bytes = k == 0 ? 4 + (size_t)PML_PACKED_ENTRY_BYTES * npk : pk[k - 1].bytes;
        const size_t v = put_u32(&o, (uint32_t)bytes);
        set_u32(&o, bdata[k], (uint32_t)(v - bdata[k]));
        if (k == 0) {
            put_u32(&o, npk);
            for (uint32_t i = 0; i < npk; i++) {
                put_u32(&o, pk[i].op);
                put_u32(&o, PML_PACKED_FC_W16X4);
                put_u32(&o, first_pk_buf + i);
            }
        } else {
            put(&o, pk[k - 1].data, bytes);
        }
    }
    align(&o, 16, 0);
    const uint64_t P = o.n;
    /* now every offset into the original bytes */
    for (int f = 1; f < MODEL_FIELDS; f++)
        if (ri.target[f] && f != 4 && f != 6) set_u32(&o, field[f], (uint32_t)(P + ri.target[f] - field[f]));
    set_u32(&o, field[4], (uint32_t)(bvec - field[4]));
    set_u32(&o, field[6], (uint32_t)(mvec - field[6]));
    for (uint32_t i = 0; i < nbuf; i++) set_u32(&o, bvec + 4 + 4 * i, (uint32_t)(P + bufs[i] - (bvec + 4 + 4 * i)));
    for (uint32_t i = 0; i < nmeta; i++) set_u32(&o, mvec + 4 + 4 * i, (uint32_t)(P + metas[i] - (mvec + 4 + 4 * i)));
    if (P + len > 0x7fffffffu) FAIL("the packed model would exceed 2 GB");
    put(&o, b, len);

    {
        pml_model m2;
        if (pml_model_open(&m2, o.p, o.n) != PML_OK) FAIL("internal error: the packed model does not open");
    }
    *out = o.p;
    *out_len = o.n;
    *n_packed = npk;
    o.p = NULL;
done:
#undef FAIL
    for (uint32_t i = 0; pk && i < npk; i++) free(pk[i].data);
    free(pk);
    free(bufs);
    free(metas);
    free(o.p);
    return err;
}
