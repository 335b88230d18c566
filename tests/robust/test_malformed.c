/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Robustness against hostile .tflite files and API misuse.
 *
 *   truncation   every prefix of a real model, in an exactly sized heap buffer (so ASan sees any
 *                read past the end), through open -> arena_size -> init -> invoke
 *   mutation     thousands of random byte / word mutants of four real models through the same
 *                pipeline; the arena is exactly what arena_size reported, followed by a canary
 *   targeted     hand-made damage to located flatbuffer fields (shapes, buffer / tensor / opcode
 *                indices, vtables, uoffsets, options, quantization) with the expected status
 *   api          NULL and out-of-range arguments to every public function
 *   op params    well-formed single-op models with hostile parameters (tests/data/ops/REJECTS.txt,
 *                made by scripts/gen_op_models.py: strided-slice begin out of range, stride 0,
 *                transpose perm repeated / out of range, ...), each refused by arena_size with the
 *                listed status and a message, never run
 *
 * Any status is acceptable from a mutant except a crash, a sanitizer report or a status outside
 * pml_status; the targeted cases must fail, with the specific code where one is clearly right.
 * PML_MALFORMED_MUTANTS overrides the number of mutants per model (default 3000).
 */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pml/pml.h"
#include "pml_test.h"
#include "pml_test_util.h"

#define CANARY_BYTES 64
#define CANARY_BYTE 0xA5
#define MAX_ARENA ((size_t)64 << 20) /* mutants asking for more are counted, not initialised */

/* ---- small utilities ------------------------------------------------------------------------ */

static uint8_t *load_raw(const char *name, size_t *len) {
    char rel[256];
    return tu_read_repo(tu_path(rel, sizeof rel, "models/%s.tflite", name), len);
}

/* Exactly `len` bytes on the heap, 16-byte aligned as the library wants a model buffer: any read
 * at or past buf + len is a heap overflow ASan reports (posix_memalign, unlike C11 aligned_alloc,
 * needs no size rounding, so there is no slack after the end). */
static uint8_t *dup_exact(const uint8_t *src, size_t len) {
    void *p = NULL;
    if (posix_memalign(&p, 16, len ? len : 1) != 0) return NULL;
    if (len) memcpy(p, src, len);
    return (uint8_t *)p;
}

static int status_valid(pml_status s) {
    return s == PML_OK || s == PML_ERR_ARG || s == PML_ERR_MODEL || s == PML_ERR_UNSUPPORTED || s == PML_ERR_ARENA ||
           s == PML_ERR_STATE || s == PML_ERR_INTERNAL;
}

/* status -> 0..6 for the counters */
static int status_slot(pml_status s) { return s <= 0 && s >= PML_ERR_INTERNAL ? -(int)s : 7; }
static const char *const slot_name[8] = {"ok", "arg", "model", "unsupported", "arena", "state", "internal", "BAD"};

static uint32_t rd32(const uint8_t *b, uint32_t p) {
    uint32_t v;
    memcpy(&v, b + p, 4);
    return v;
}
static uint16_t rd16(const uint8_t *b, uint32_t p) {
    uint16_t v;
    memcpy(&v, b + p, 2);
    return v;
}
static void wr32(uint8_t *b, uint32_t p, uint32_t v) { memcpy(b + p, &v, 4); }
static void wr16(uint8_t *b, uint32_t p, uint16_t v) { memcpy(b + p, &v, 2); }

/* ---- the pipeline --------------------------------------------------------------------------- */

enum { ST_OPEN, ST_ARENA, ST_INIT, ST_INVOKE, ST_DONE, ST_BIG, ST_COUNT };
static const char *const stage_name[ST_COUNT] = {"open", "arena_size", "init", "invoke", "done", "too-big"};

typedef struct outcome {
    long n[ST_COUNT][8]; /* [stage where it stopped][status slot] */
    long canary_hits, bad_status, view_escapes, used_mismatch;
} outcome;

/* Fill every input through its view: int8/uint8 get a byte pattern, float32 small values (the
 * test is about hostile models, not hostile activations), other types zeros. */
static void fill_inputs(pml_interp *it, const pml_model *m, uint8_t *arena, size_t need, outcome *oc) {
    for (uint32_t i = 0; i < pml_model_num_inputs(m); i++) {
        pml_tensor v;
        if (pml_interp_input(it, i, &v) != PML_OK || !v.data) continue;
        uint8_t *d = (uint8_t *)v.data;
        if (d < arena || d > arena + need || v.bytes > (size_t)(arena + need - d)) {
            oc->view_escapes++; /* an input view must lie inside the arena */
            continue;
        }
        if (v.dtype == PML_DTYPE_F32) {
            for (size_t k = 0; k + 4 <= v.bytes; k += 4) {
                float f = (float)((int)((k / 4) % 17) - 8) / 8.0f;
                memcpy(d + k, &f, 4);
            }
        } else if (v.dtype == PML_DTYPE_I8 || v.dtype == PML_DTYPE_U8) {
            for (size_t k = 0; k < v.bytes; k++) d[k] = (uint8_t)(k * 7 + 3);
        } else {
            memset(d, 0, v.bytes);
        }
    }
}

static int canary_intact(const uint8_t *c) {
    for (int i = 0; i < CANARY_BYTES; i++)
        if (c[i] != CANARY_BYTE) return 0;
    return 1;
}

/* open -> arena_size -> init (exact arena + canary) -> fill inputs -> invoke. Returns the stage
 * reached (ST_DONE when invoke returned) and the last status in *st. */
static int run_pipeline(const uint8_t *buf, size_t len, outcome *oc, pml_status *st) {
    pml_model m;
    pml_error err;
    size_t need = 0;
    int stage;
    pml_status s = pml_model_open(&m, buf, len);
    if (s != PML_OK) {
        stage = ST_OPEN;
        goto out;
    }
    s = pml_interp_arena_size(&m, pml_op_set_all(), &need, &err);
    if (s != PML_OK) {
        stage = ST_ARENA;
        goto out;
    }
    if (need > MAX_ARENA) {
        stage = ST_BIG;
        goto out;
    }
    uint8_t *arena = aligned_alloc(PML_ARENA_ALIGN, need + CANARY_BYTES);
    if (!arena) {
        stage = ST_BIG;
        goto out;
    }
    memset(arena + need, CANARY_BYTE, CANARY_BYTES);
    pml_interp *it = (pml_interp *)&m; /* must be overwritten */
    s = pml_interp_init(&it, &m, pml_op_set_all(), arena, need, &err);
    if (s != PML_OK) {
        if (it != NULL) oc->bad_status++; /* documented: *out is NULL after a failed init */
        stage = ST_INIT;
    } else {
        if (pml_interp_arena_used(it) != need) oc->used_mismatch++;
        fill_inputs(it, &m, arena, need, oc);
        s = pml_interp_invoke(it);
        stage = s == PML_OK ? ST_DONE : ST_INVOKE;
        /* a failed invoke's detail agrees with its status and names the op */
        if (s != PML_OK && (pml_interp_last_error(it, &err) != s || err.status != s || err.op_index < 0 ||
                            (uint32_t)err.op_index >= pml_model_num_ops(&m)))
            oc->bad_status++;
        if (s == PML_OK) {
            /* outputs must be readable views inside the arena or the model */
            for (uint32_t i = 0; i < pml_model_num_outputs(&m); i++) {
                pml_tensor v;
                if (pml_interp_output(it, i, &v) == PML_OK && v.data) {
                    const uint8_t *d = (const uint8_t *)v.data;
                    int in_arena = d >= arena && d <= arena + need && v.bytes <= (size_t)(arena + need - d);
                    int in_model = d >= buf && d <= buf + len && v.bytes <= (size_t)(buf + len - d);
                    if (!in_arena && !in_model) oc->view_escapes++;
                }
            }
        }
    }
    if (!canary_intact(arena + need)) oc->canary_hits++;
    free(arena);
out:
    if (!status_valid(s)) oc->bad_status++;
    oc->n[stage][status_slot(s)]++;
    *st = s;
    return stage;
}

static void print_outcome(const char *what, const outcome *oc) {
    printf("%s:", what);
    for (int st = 0; st < ST_COUNT; st++)
        for (int k = 0; k < 8; k++)
            if (oc->n[st][k]) printf(" %s/%s=%ld", stage_name[st], slot_name[k], oc->n[st][k]);
    printf("\n");
}

static long stage_total(const outcome *oc, int stage) {
    long t = 0;
    for (int k = 0; k < 8; k++) t += oc->n[stage][k];
    return t;
}

/* ---- truncation ----------------------------------------------------------------------------- */

static void truncations(const char *name, size_t dense_upto, size_t stride) {
    size_t len;
    uint8_t *orig = load_raw(name, &len);
    REQUIRE(orig != NULL);
    outcome oc;
    memset(&oc, 0, sizeof oc);
    long tried = 0;
    for (size_t n = 0; n < len; n += (n < dense_upto ? 1 : stride)) {
        uint8_t *b = dup_exact(orig, n);
        REQUIRE(b != NULL);
        pml_status s;
        run_pipeline(b, n, &oc, &s);
        free(b);
        tried++;
    }
    /* and the full file, as a control: it must run */
    {
        uint8_t *b = dup_exact(orig, len);
        pml_status s;
        CHECK_EQ(run_pipeline(b, len, &oc, &s), ST_DONE);
        free(b);
    }
    char what[96];
    snprintf(what, sizeof what, "truncate %s (%ld prefixes, %ld rejected at open)", name, tried,
             stage_total(&oc, ST_OPEN));
    print_outcome(what, &oc);
    CHECK_EQ(oc.canary_hits, 0);
    CHECK_EQ(oc.bad_status, 0);
    CHECK_EQ(oc.view_escapes, 0);
    CHECK_EQ(oc.used_mismatch, 0);
    /* Every buffer's data is referenced and lies before the end of these files, so no proper
     * prefix is a valid model: open rejects them all (with PML_ERR_MODEL, never a crash). */
    CHECK_EQ(stage_total(&oc, ST_OPEN), tried);
    CHECK_EQ(oc.n[ST_OPEN][status_slot(PML_ERR_MODEL)], tried);
    free(orig);
}

PML_TEST(truncate_kws) { truncations("kws_ref_model", SIZE_MAX, 1); }
PML_TEST(truncate_ad01_int8) { truncations("ad01_int8", 4096, 7); }

/* ---- minimal flatbuffer navigation (for the unmodified fixtures only) ------------------------- */

/* Absolute position of field `id` of the table at `t`, 0 if absent. */
static uint32_t fb_field(const uint8_t *b, uint32_t t, uint32_t id) {
    uint32_t vt = (uint32_t)((int64_t)t - (int32_t)rd32(b, t));
    if (4 + 2 * id + 2 > rd16(b, vt)) return 0;
    uint16_t off = rd16(b, vt + 4 + 2 * id);
    return off ? t + off : 0;
}
static uint32_t fb_deref(const uint8_t *b, uint32_t p) { return p + rd32(b, p); }
/* Position of the length word of the vector in field `id` (0 if absent). */
static uint32_t fb_vec(const uint8_t *b, uint32_t t, uint32_t id) {
    uint32_t p = fb_field(b, t, id);
    return p ? fb_deref(b, p) : 0;
}
static uint32_t fb_vec_len(const uint8_t *b, uint32_t v) { return rd32(b, v); }
/* Position of element i (4-byte elements). */
static uint32_t fb_elem(uint32_t v, uint32_t i) { return v + 4 + 4 * i; }
static uint32_t fb_vtable(const uint8_t *b, uint32_t t) { return (uint32_t)((int64_t)t - (int32_t)rd32(b, t)); }

/* The places of a model the targeted tests damage. */
typedef struct fb_map {
    uint32_t root, opcodes, subgraphs, buffers, sg, tensors, operators, inputs, outputs;
} fb_map;

static void fb_map_model(const uint8_t *b, fb_map *f) {
    f->root = rd32(b, 0);
    f->opcodes = fb_vec(b, f->root, 1);
    f->subgraphs = fb_vec(b, f->root, 2);
    f->buffers = fb_vec(b, f->root, 4);
    f->sg = fb_deref(b, fb_elem(f->subgraphs, 0));
    f->tensors = fb_vec(b, f->sg, 0);
    f->inputs = fb_vec(b, f->sg, 1);
    f->outputs = fb_vec(b, f->sg, 2);
    f->operators = fb_vec(b, f->sg, 3);
}
static uint32_t fb_tensor(const uint8_t *b, const fb_map *f, uint32_t i) { return fb_deref(b, fb_elem(f->tensors, i)); }
static uint32_t fb_op(const uint8_t *b, const fb_map *f, uint32_t i) { return fb_deref(b, fb_elem(f->operators, i)); }
static uint32_t fb_buffer(const uint8_t *b, const fb_map *f, uint32_t i) { return fb_deref(b, fb_elem(f->buffers, i)); }

/* Marks the bytes of every buffer's data vector; the mutator aims most hits elsewhere. */
static uint8_t *data_mask(const uint8_t *b, size_t len) {
    uint8_t *mask = calloc(len, 1);
    fb_map f;
    if (!mask) return NULL;
    fb_map_model(b, &f);
    for (uint32_t i = 0; i < fb_vec_len(b, f.buffers); i++) {
        uint32_t dv = fb_vec(b, fb_buffer(b, &f, i), 0);
        if (!dv) continue;
        uint32_t n = fb_vec_len(b, dv);
        if (dv + 4 + (size_t)n <= len) memset(mask + dv + 4, 1, n);
    }
    return mask;
}

/* ---- random mutation ------------------------------------------------------------------------ */

static long mutants_per_model(void) {
    const char *e = getenv("PML_MALFORMED_MUTANTS");
    long n = e && *e ? strtol(e, NULL, 10) : 3000;
    return n > 0 ? n : 3000;
}

/* Three edits in four land on structure (anything outside the buffers' data), the rest anywhere. */
static size_t pick_pos(uint64_t *rng, const uint32_t *structure, size_t n_structure, size_t len) {
    if (n_structure && tu_rand(rng) % 4 != 0) return structure[tu_rand(rng) % n_structure];
    return (size_t)(tu_rand(rng) % len);
}

static void mutate(uint8_t *b, size_t len, uint64_t *rng, const uint32_t *structure, size_t n_structure) {
    static const uint32_t interesting[] = {0u,          0xFFFFFFFFu, 0x7FFFFFFFu, 0x80000000u, 1u,  2u,  3u, 4u,
                                           6u,          7u,          8u,          16u,         64u, 255u, 256u,
                                           0xFFFFu,     0x10000u,    0xFFFFFFFEu, 0xFFFFFFF0u, 0x7FFFu};
    int edits = 1 + (int)(tu_rand(rng) % 8);
    for (int e = 0; e < edits; e++) {
        size_t p = pick_pos(rng, structure, n_structure, len);
        switch (tu_rand(rng) % 4) {
        case 0: /* random byte */
        case 1:
            b[p] = (uint8_t)tu_rand(rng);
            break;
        case 2: { /* interesting 32-bit word, usually at an aligned position */
            size_t q = tu_rand(rng) % 4 ? (p & ~(size_t)3) : p;
            if (q + 4 > len) q = len >= 4 ? len - 4 : 0;
            if (len >= 4)
                wr32(b, (uint32_t)q,
                     interesting[tu_rand(rng) % (sizeof interesting / sizeof interesting[0])]);
            break;
        }
        default: { /* small signed delta to an aligned word (offsets, lengths, indices) */
            size_t q = p & ~(size_t)3;
            if (q + 4 <= len) wr32(b, (uint32_t)q, rd32(b, (uint32_t)q) + (uint32_t)((int)(tu_rand(rng) % 17) - 8));
            break;
        }
        }
    }
}

/* With PML_MALFORMED_DUMP=<dir>, a mutant that breaks an invariant is saved there as a reproducer. */
static void dump_mutant(const char *name, long k, const uint8_t *b, size_t len) {
    const char *dir = getenv("PML_MALFORMED_DUMP");
    char p[512];
    if (!dir || !*dir) return;
    FILE *fp = fopen(tu_path(p, sizeof p, "%s/%s-mutant-%ld.tflite", dir, name, k), "wb");
    if (!fp) return;
    fwrite(b, 1, len, fp);
    fclose(fp);
    fprintf(stderr, "  saved %s\n", p);
}

static void mutants(const char *name, uint64_t seed) {
    size_t len;
    uint8_t *orig = load_raw(name, &len);
    REQUIRE(orig != NULL);
    uint8_t *mask = data_mask(orig, len);
    REQUIRE(mask != NULL);
    uint32_t *structure = malloc(len * sizeof *structure);
    REQUIRE(structure != NULL);
    size_t n_structure = 0;
    for (size_t i = 0; i < len; i++)
        if (!mask[i]) structure[n_structure++] = (uint32_t)i;

    long count = mutants_per_model();
    outcome oc;
    memset(&oc, 0, sizeof oc);
    uint64_t rng = seed;
    uint8_t *b = dup_exact(orig, len);
    REQUIRE(b != NULL);
    for (long k = 0; k < count; k++) {
        memcpy(b, orig, len);
        uint64_t at = rng;
        mutate(b, len, &rng, structure, n_structure);
        pml_status s;
        long before = oc.canary_hits + oc.bad_status + oc.view_escapes + oc.used_mismatch;
        run_pipeline(b, len, &oc, &s);
        if (oc.canary_hits + oc.bad_status + oc.view_escapes + oc.used_mismatch != before)
        {
            PML_FAIL_AT("%s mutant %ld (rng state %llu) broke an invariant", name, k, (unsigned long long)at);
            dump_mutant(name, k, b, len);
        }
    }
    char what[96];
    snprintf(what, sizeof what, "mutate %s (%ld mutants, %zu structure bytes)", name, count, n_structure);
    print_outcome(what, &oc);
    CHECK_EQ(oc.canary_hits, 0);
    CHECK_EQ(oc.bad_status, 0);
    CHECK_EQ(oc.view_escapes, 0);
    CHECK_EQ(oc.used_mismatch, 0);
    /* the mutator must exercise every stage, invoke included */
    CHECK(stage_total(&oc, ST_OPEN) > 0);
    CHECK(stage_total(&oc, ST_ARENA) > 0);
    CHECK(stage_total(&oc, ST_DONE) >= count / 20);
    free(b);
    free(structure);
    free(mask);
    free(orig);
}

PML_TEST(mutate_kws) { mutants("kws_ref_model", 0x9E3779B97F4A7C15ull); }
PML_TEST(mutate_ad01_int8) { mutants("ad01_int8", 0xD1B54A32D192ED03ull); }
PML_TEST(mutate_str_ww) { mutants("str_ww_ref_model", 0x2545F4914F6CDD1Dull); }
PML_TEST(mutate_kws_f32) { mutants("kws_ref_model_float32", 0xBF58476D1CE4E5B9ull); } /* float kernels */

/* ---- targeted hostile fields ---------------------------------------------------------------- */

/* Run open -> arena_size -> init; returns the stage that failed (ST_DONE if none) and its status. */
static int first_failure(const uint8_t *buf, size_t len, pml_status *st) {
    pml_model m;
    size_t need = 0;
    pml_error err;
    *st = pml_model_open(&m, buf, len);
    if (*st != PML_OK) return ST_OPEN;
    *st = pml_interp_arena_size(&m, pml_op_set_all(), &need, &err);
    if (*st != PML_OK) {
        if (err.status != *st) *st = PML_ERR_INTERNAL; /* err must agree with the return value */
        return ST_ARENA;
    }
    if (need > MAX_ARENA) {
        *st = PML_ERR_ARENA;
        return ST_BIG;
    }
    uint8_t *arena = aligned_alloc(PML_ARENA_ALIGN, need + CANARY_BYTES);
    if (!arena) return ST_BIG;
    memset(arena + need, CANARY_BYTE, CANARY_BYTES);
    pml_interp *it;
    *st = pml_interp_init(&it, &m, pml_op_set_all(), arena, need, &err);
    int stage = ST_DONE;
    if (*st != PML_OK) {
        stage = ST_INIT;
    } else {
        fill_inputs(it, &m, arena, need, &(outcome){0});
        if (pml_interp_invoke(it) != PML_OK) stage = ST_INVOKE;
    }
    if (!canary_intact(arena + need)) stage = -1;
    free(arena);
    return stage;
}

typedef struct target_ctx {
    const uint8_t *orig;
    size_t len;
    fb_map f;
    uint8_t *b; /* the current mutant */
} target_ctx;

static uint8_t *fresh(target_ctx *c) {
    free(c->b);
    c->b = dup_exact(c->orig, c->len);
    return c->b;
}

/* want_status 0 (PML_OK) means "any failure at that stage or earlier". */
static void expect(target_ctx *c, int line, const char *what, int want_stage, pml_status want_status) {
    pml_status s;
    int stage = first_failure(c->b, c->len, &s);
    int ok = stage == want_stage && (want_status == PML_OK ? s != PML_OK : s == want_status);
    if (!ok) {
        pml_t.cur_failed = 1;
        fprintf(stderr, "%s:%d: [%s] %s: got %s at %s, want %s at %s\n", __FILE__, line, pml_t.cur, what,
                pml_status_str(s), stage >= 0 && stage < ST_COUNT ? stage_name[stage] : "CANARY",
                want_status == PML_OK ? "any error" : pml_status_str(want_status), stage_name[want_stage]);
    }
}
#define EXPECT(c, what, stage, status) expect((c), __LINE__, (what), (stage), (status))

/* kws_ref_model layout, checked at run time so a changed fixture is noticed (values from the
 * python `tflite` package: Model.GetRootAsModel(...).Subgraphs(0).Tensors(i).ShapeAsNumpy(), ...):
 *   35 tensors, 13 operators, 6 operator codes (CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D,
 *   RESHAPE, FULLY_CONNECTED, SOFTMAX), 37 buffers; input tensor 0 [1,49,10,1] int8;
 *   tensor 17 = conv filter [64,10,4,1] int8 in buffer 18 (per-channel, 64 scales);
 *   tensor 22 = op 0 output [1,25,5,64]; op 0 = CONV_2D(0, 17, 3) -> 22; op 12 = SOFTMAX(33) -> 34. */
static int kws_layout_ok(const uint8_t *b, const fb_map *f) {
    static const int32_t t22[4] = {1, 25, 5, 64}, t17[4] = {64, 10, 4, 1}, op0_in[3] = {0, 17, 3};
    if (memcmp(b + 4, "TFL3", 4) != 0) return 0;
    if (fb_vec_len(b, f->tensors) != 35 || fb_vec_len(b, f->operators) != 13 || fb_vec_len(b, f->opcodes) != 6 ||
        fb_vec_len(b, f->buffers) != 37 || fb_vec_len(b, f->inputs) != 1 || fb_vec_len(b, f->outputs) != 1)
        return 0;
    uint32_t s22 = fb_vec(b, fb_tensor(b, f, 22), 0), s17 = fb_vec(b, fb_tensor(b, f, 17), 0);
    if (fb_vec_len(b, s22) != 4 || fb_vec_len(b, s17) != 4) return 0;
    for (uint32_t i = 0; i < 4; i++)
        if ((int32_t)rd32(b, fb_elem(s22, i)) != t22[i] || (int32_t)rd32(b, fb_elem(s17, i)) != t17[i]) return 0;
    uint32_t op0 = fb_op(b, f, 0), in0 = fb_vec(b, op0, 1), out0 = fb_vec(b, op0, 2);
    if (fb_vec_len(b, in0) != 3 || fb_vec_len(b, out0) != 1 || rd32(b, fb_elem(out0, 0)) != 22) return 0;
    for (uint32_t i = 0; i < 3; i++)
        if ((int32_t)rd32(b, fb_elem(in0, i)) != op0_in[i]) return 0;
    uint32_t p17 = fb_field(b, fb_tensor(b, f, 17), 2); /* buffer index */
    if (!p17 || rd32(b, p17) != 18) return 0;
    uint32_t t0 = fb_tensor(b, f, 0), type0 = fb_field(b, t0, 1);
    if (!type0 || b[type0] != PML_DTYPE_I8) return 0;
    uint32_t q17 = fb_deref(b, fb_field(b, fb_tensor(b, f, 17), 4));
    if (fb_vec_len(b, fb_vec(b, q17, 2)) != 64) return 0;
    return 1;
}

PML_TEST(targeted_kws) {
    target_ctx c;
    memset(&c, 0, sizeof c);
    c.orig = load_raw("kws_ref_model", &c.len);
    REQUIRE(c.orig != NULL);
    REQUIRE_EQ(c.len, 53936);
    fb_map_model(c.orig, &c.f);
    REQUIRE(kws_layout_ok(c.orig, &c.f));
    const fb_map *f = &c.f;
    uint8_t *b;

    /* control: the unmodified model runs */
    fresh(&c);
    {
        pml_status s;
        CHECK_EQ(first_failure(c.b, c.len, &s), ST_DONE);
    }

    /* -- header and root ------------------------------------------------------------------- */
    b = fresh(&c), memcpy(b + 4, "TFL2", 4);
    EXPECT(&c, "file identifier", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr32(b, 0, 0);
    EXPECT(&c, "root offset 0 (table at itself)", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr32(b, 0, (uint32_t)c.len);
    EXPECT(&c, "root offset = file length", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr32(b, 0, (uint32_t)c.len - 2);
    EXPECT(&c, "root offset straddling the end", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr32(b, 0, 0xFFFFFFFFu);
    EXPECT(&c, "root offset 0xFFFFFFFF", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr32(b, fb_field(b, f->root, 0), 2);
    EXPECT(&c, "schema version 2", ST_OPEN, PML_ERR_MODEL);

    /* -- vtables and soffsets ------------------------------------------------------------------ */
    uint32_t t22 = fb_tensor(c.orig, f, 22), vt22 = fb_vtable(c.orig, t22);
    b = fresh(&c), wr32(b, f->root, (uint32_t)(int32_t)-(int32_t)(c.len + 64 - f->root));
    EXPECT(&c, "root vtable past the end", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr32(b, t22, 0x80000000u);
    EXPECT(&c, "tensor soffset INT32_MIN", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr32(b, t22, 0x7FFFFFFFu);
    EXPECT(&c, "tensor soffset INT32_MAX (vtable before the file)", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr32(b, t22, 0);
    EXPECT(&c, "tensor soffset 0 (vtable = table)", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr16(b, vt22, 3);
    EXPECT(&c, "tensor vtable length 3", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr16(b, vt22, 0xFFFE);
    EXPECT(&c, "tensor vtable length 0xFFFE (past the end)", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr16(b, vt22 + 2, 2);
    EXPECT(&c, "tensor inline size 2", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr16(b, vt22 + 2, 0xFFFF);
    EXPECT(&c, "tensor inline size 0xFFFF", ST_OPEN, PML_ERR_MODEL);
    /* a field offset past the table's inline size reads as "absent": the shape disappears, which
     * leaves rank-0 tensors where CONV_2D needs rank 4 (the vtable may be shared by several) */
    b = fresh(&c), wr16(b, vt22 + 4, 0xFFF0);
    EXPECT(&c, "shape field offset past the table", ST_ARENA, PML_ERR_UNSUPPORTED);

    /* -- uoffsets -------------------------------------------------------------------------------- */
    b = fresh(&c), wr32(b, fb_elem(f->subgraphs, 0), 0);
    EXPECT(&c, "subgraph uoffset to itself", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr32(b, fb_field(b, f->sg, 0), 0);
    EXPECT(&c, "tensors uoffset to itself (an empty vector)", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr32(b, fb_elem(f->tensors, 5), 0x7FFFFFF0u);
    EXPECT(&c, "tensor uoffset far past the end", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr32(b, fb_elem(f->tensors, 5), 0xFFFFFFFFu);
    EXPECT(&c, "tensor uoffset 0xFFFFFFFF", ST_OPEN, PML_ERR_MODEL);
    {
        /* "cycles" (uoffsets only point forward, so a vector can only be re-pointed at a later
         * one): the tensors vector re-pointed at the operators vector makes every tensor an
         * Operator table, and only 13 of them remain while operators index up to 34 */
        uint32_t p = fb_field(c.orig, f->sg, 0), q = fb_field(c.orig, f->sg, 3), r = fb_field(c.orig, f->root, 2);
        REQUIRE(f->operators > p && f->tensors > q && f->opcodes > r);
        b = fresh(&c), wr32(b, p, f->operators - p);
        EXPECT(&c, "tensors -> operators vector", ST_OPEN, PML_ERR_MODEL);
        /* operators re-pointed at the tensors vector: Tensor tables read as Operators */
        b = fresh(&c), wr32(b, q, f->tensors - q);
        EXPECT(&c, "operators -> tensors vector", ST_OPEN, PML_OK);
        /* subgraphs re-pointed at the operator codes: subgraph 0 is an OperatorCode table */
        b = fresh(&c), wr32(b, r, f->opcodes - r);
        EXPECT(&c, "subgraphs -> operator codes vector", ST_OPEN, PML_OK);
    }
    b = fresh(&c), wr32(b, f->tensors, 0xFFFFFFFFu);
    EXPECT(&c, "tensor vector length 0xFFFFFFFF", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr32(b, f->tensors, 0x40000000u);
    EXPECT(&c, "tensor vector length 2^30 (length * 4 wraps in 32 bits)", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr32(b, f->opcodes, 0);
    EXPECT(&c, "no operator codes", ST_OPEN, PML_ERR_MODEL);

    /* -- tensor shapes --------------------------------------------------------------------------- */
    uint32_t s22 = fb_vec(c.orig, t22, 0), s0 = fb_vec(c.orig, fb_tensor(c.orig, f, 0), 0);
    b = fresh(&c), wr32(b, fb_elem(s22, 1), 0x7FFFFFFFu);
    EXPECT(&c, "dim 0x7fffffff (bytes > INT32_MAX)", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c);
    for (uint32_t i = 0; i < 4; i++) wr32(b, fb_elem(s0, i), 0x7FFFFFFFu);
    EXPECT(&c, "four dims 0x7fffffff (count overflows size_t)", ST_OPEN, PML_ERR_MODEL);
    b = fresh(&c), wr32(b, fb_elem(s22, 1), 0xFFFFFFFFu);
    EXPECT(&c, "dim -1 (dynamic)", ST_ARENA, PML_ERR_UNSUPPORTED);
    b = fresh(&c), wr32(b, fb_elem(s22, 2), 0x80000000u);
    EXPECT(&c, "dim INT32_MIN", ST_ARENA, PML_ERR_UNSUPPORTED);
    b = fresh(&c), wr32(b, fb_elem(s22, 3), 0);
    EXPECT(&c, "conv output with 0 channels", ST_ARENA, PML_ERR_MODEL);
    b = fresh(&c), wr32(b, fb_elem(s0, 1), 0);
    EXPECT(&c, "input height 0", ST_ARENA, PML_OK);
    b = fresh(&c), wr32(b, fb_elem(s22, 1), 1000000);
    EXPECT(&c, "conv output height 10^6 (mismatch)", ST_ARENA, PML_ERR_MODEL);
    b = fresh(&c), wr32(b, s22, 7);
    EXPECT(&c, "rank 7", ST_ARENA, PML_ERR_UNSUPPORTED);
    b = fresh(&c), wr32(b, s22, 0x3FFFFFFFu);
    EXPECT(&c, "shape length 2^30-1 (past the end)", ST_OPEN, PML_ERR_MODEL);
    {
        uint32_t s17 = fb_vec(c.orig, fb_tensor(c.orig, f, 17), 0);
        b = fresh(&c), wr32(b, fb_elem(s17, 1), 11);
        EXPECT(&c, "constant filter larger than its buffer", ST_OPEN, PML_ERR_MODEL);
    }

    /* -- tensor type, buffer, quantization ----------------------------------------------------- */
    {
        uint32_t t17 = fb_tensor(c.orig, f, 17), pb = fb_field(c.orig, t17, 2);
        uint32_t type0 = fb_field(c.orig, fb_tensor(c.orig, f, 0), 1);
        b = fresh(&c), wr32(b, pb, 0x7FFFFFFFu);
        EXPECT(&c, "buffer index 0x7fffffff", ST_OPEN, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, pb, 37);
        EXPECT(&c, "buffer index = number of buffers", ST_OPEN, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, pb, 0xFFFFFFFFu);
        EXPECT(&c, "buffer index -1", ST_OPEN, PML_ERR_MODEL);
        b = fresh(&c), b[type0] = PML_DTYPE_STRING;
        EXPECT(&c, "string input", ST_ARENA, PML_ERR_UNSUPPORTED);
        b = fresh(&c), b[type0] = 200;
        EXPECT(&c, "input type 200", ST_ARENA, PML_ERR_UNSUPPORTED);
        b = fresh(&c), b[type0] = PML_DTYPE_F32;
        EXPECT(&c, "float input into an int8 conv", ST_ARENA, PML_ERR_UNSUPPORTED);

        uint32_t bt = fb_buffer(c.orig, f, 18), dv = fb_vec(c.orig, bt, 0);
        REQUIRE(dv != 0);
        REQUIRE_EQ(fb_vec_len(c.orig, dv), 64 * 10 * 4);
        b = fresh(&c), wr32(b, dv, 0xFFFFFFFFu);
        EXPECT(&c, "buffer data length 0xFFFFFFFF", ST_OPEN, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, dv, 64 * 10 * 4 - 1);
        EXPECT(&c, "buffer data one byte short", ST_OPEN, PML_ERR_MODEL);
        /* activation tensor 22 pointed at the filter's 2560 bytes: it needs 8000 */
        b = fresh(&c), wr32(b, fb_field(b, t22, 2), 18);
        EXPECT(&c, "activation backed by a too short constant", ST_OPEN, PML_ERR_MODEL);

        uint32_t q17 = fb_deref(c.orig, fb_field(c.orig, t17, 4)), sc17 = fb_vec(c.orig, q17, 2);
        b = fresh(&c), wr32(b, sc17, 63);
        EXPECT(&c, "63 per-channel scales for 64 channels", ST_OPEN, PML_ERR_MODEL);
        uint32_t q0 = fb_deref(c.orig, fb_field(c.orig, fb_tensor(c.orig, f, 0), 4)), zp0 = fb_vec(c.orig, q0, 3);
        REQUIRE(zp0 != 0);
        b = fresh(&c), wr32(b, fb_elem(zp0, 0), 1000), wr32(b, fb_elem(zp0, 0) + 4, 0);
        EXPECT(&c, "int8 zero point 1000", ST_ARENA, PML_ERR_UNSUPPORTED);
        b = fresh(&c), wr32(b, fb_elem(zp0, 0) + 4, 0x80000000u);
        EXPECT(&c, "int64 zero point below INT32_MIN", ST_ARENA, PML_ERR_UNSUPPORTED);
        uint32_t sc0 = fb_vec(c.orig, q0, 2);
        b = fresh(&c), wr32(b, fb_elem(sc0, 0), 0x7FC00000u);
        EXPECT(&c, "NaN input scale", ST_ARENA, PML_ERR_UNSUPPORTED);
        b = fresh(&c), wr32(b, fb_elem(sc0, 0), 0xBF800000u);
        EXPECT(&c, "negative input scale", ST_ARENA, PML_ERR_UNSUPPORTED);
    }

    /* -- operator indices ------------------------------------------------------------------------ */
    {
        uint32_t op0 = fb_op(c.orig, f, 0), in0 = fb_vec(c.orig, op0, 1), out0 = fb_vec(c.orig, op0, 2);
        /* op 0's opcode_index is 0, the default, so it is not stored: use op 1 (opcode 1) */
        uint32_t opc = fb_field(c.orig, fb_op(c.orig, f, 1), 0);
        REQUIRE(opc != 0);
        REQUIRE_EQ(rd32(c.orig, opc), 1);
        b = fresh(&c), wr32(b, fb_elem(in0, 1), 35);
        EXPECT(&c, "input index = number of tensors", ST_OPEN, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, fb_elem(in0, 1), 0x7FFFFFFFu);
        EXPECT(&c, "input index 0x7fffffff", ST_OPEN, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, fb_elem(in0, 0), (uint32_t)-2);
        EXPECT(&c, "input index -2", ST_OPEN, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, fb_elem(in0, 1), (uint32_t)-1);
        EXPECT(&c, "required filter marked absent (-1)", ST_ARENA, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, fb_elem(out0, 0), (uint32_t)-1);
        EXPECT(&c, "output index -1", ST_OPEN, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, fb_elem(out0, 0), 35);
        EXPECT(&c, "output index = number of tensors", ST_OPEN, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, fb_elem(out0, 0), 17);
        EXPECT(&c, "output written into a constant", ST_ARENA, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, in0, 9);
        EXPECT(&c, "9 inputs", ST_ARENA, PML_ERR_UNSUPPORTED);
        b = fresh(&c), wr32(b, in0, 0x20000000u);
        EXPECT(&c, "input vector length 2^29", ST_OPEN, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, out0, 0);
        EXPECT(&c, "no outputs", ST_ARENA, PML_OK);
        b = fresh(&c), wr32(b, opc, 6);
        EXPECT(&c, "opcode index = number of opcodes", ST_OPEN, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, opc, 0xFFFFFFFFu);
        EXPECT(&c, "opcode index 0xFFFFFFFF", ST_OPEN, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, opc, 5);
        EXPECT(&c, "depthwise conv running the SOFTMAX opcode", ST_ARENA, PML_OK);
        b = fresh(&c), wr32(b, fb_elem(f->inputs, 0), 35);
        EXPECT(&c, "graph input index = number of tensors", ST_OPEN, PML_ERR_MODEL);
        /* a graph input that is a constant: pml_interp_input would hand out a writable view of
         * the model's own (read-only, possibly flash) bytes, and the documented usage
         * memcpy(in.data, ...) would overwrite the weights; it must be refused */
        b = fresh(&c), wr32(b, fb_elem(f->inputs, 0), 17);
        EXPECT(&c, "graph input is a constant tensor", ST_ARENA, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, fb_elem(f->outputs, 0), 17);
        EXPECT(&c, "graph output is a constant tensor", ST_ARENA, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, fb_elem(f->outputs, 0), (uint32_t)-1);
        EXPECT(&c, "graph output index -1", ST_OPEN, PML_ERR_MODEL);

        /* opcode 0 (CONV_2D) stores only deprecated_builtin_code (int8, field 0); builtin_code
         * (field 3) is absent and reads as 0, and the code is the larger of the two */
        uint32_t oc0 = fb_deref(c.orig, fb_elem(f->opcodes, 0)), dep = fb_field(c.orig, oc0, 0);
        REQUIRE(dep != 0 && fb_field(c.orig, oc0, 3) == 0);
        REQUIRE_EQ(c.orig[dep], 3);
        b = fresh(&c), b[dep] = 0x7F;
        EXPECT(&c, "builtin code 127", ST_ARENA, PML_ERR_UNSUPPORTED);
        b = fresh(&c), b[dep] = 32;
        EXPECT(&c, "CUSTOM op", ST_ARENA, PML_ERR_UNSUPPORTED);
        b = fresh(&c), b[dep] = 0xFF; /* -1: the code becomes max(-1, 0) = ADD, with conv operands */
        EXPECT(&c, "conv operands under ADD", ST_ARENA, PML_OK);

        /* conv options (Conv2DOptions: padding[0] (absent: SAME) stride_w[1] stride_h[2]
         * fused_activation_function[3]) */
        uint32_t opt = fb_field(c.orig, op0, 4);
        REQUIRE(opt != 0);
        uint32_t ot = fb_deref(c.orig, opt), sw = fb_field(c.orig, ot, 1), act = fb_field(c.orig, ot, 3);
        REQUIRE(sw != 0 && act != 0);
        REQUIRE_EQ(rd32(c.orig, sw), 2);
        b = fresh(&c), wr32(b, sw, 0);
        EXPECT(&c, "stride 0", ST_ARENA, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, sw, 0x80000000u);
        EXPECT(&c, "stride INT32_MIN", ST_ARENA, PML_ERR_MODEL);
        b = fresh(&c), wr32(b, sw, 0x7FFFFFFFu);
        EXPECT(&c, "stride INT32_MAX", ST_ARENA, PML_ERR_MODEL);
        b = fresh(&c), b[act] = 200;
        EXPECT(&c, "fused activation 200", ST_ARENA, PML_ERR_UNSUPPORTED);
        b = fresh(&c), wr32(b, opt, 0xFFFFFF00u);
        EXPECT(&c, "options uoffset past the end", ST_OPEN, PML_ERR_MODEL);
        {
            uint32_t ott = fb_field(c.orig, op0, 3);
            REQUIRE(ott != 0);
            b = fresh(&c), b[ott] = 9; /* SoftmaxOptions */
            EXPECT(&c, "conv with softmax options", ST_ARENA, PML_ERR_MODEL);
        }
    }
    free(c.b);
    free((void *)(uintptr_t)c.orig);
}

/* ---- API misuse ------------------------------------------------------------------------------- */

static int g_hook_calls;
static void count_hook(void *user, const pml_interp *it, uint32_t op) {
    (void)user;
    (void)it;
    (void)op;
    g_hook_calls++;
}

PML_TEST(api_misuse) {
    size_t len;
    pml_model m, bad;
    pml_tensor v;
    pml_op_info oi;
    pml_error err;
    pml_plan_entry pe;
    size_t need = 0;
    uint8_t *buf = tu_load_model("kws_ref_model", &m, &len);
    REQUIRE(buf != NULL);

    /* strings never NULL */
    CHECK(pml_version() != NULL);
    CHECK(pml_status_str((pml_status)42) != NULL);
    CHECK(pml_status_str((pml_status)-100) != NULL);
    CHECK(pml_dtype_str(-1) != NULL && pml_dtype_str(PML_DTYPE_COUNT) != NULL && pml_dtype_str(INT32_MAX) != NULL);
    CHECK_EQ(pml_dtype_size(-1), 0);
    CHECK_EQ(pml_dtype_size(INT32_MIN), 0);
    CHECK(pml_op_name(-1) != NULL && pml_op_name(INT32_MAX) != NULL && pml_op_name(INT32_MIN) != NULL);

    /* model */
    CHECK_EQ(pml_model_open(NULL, buf, len), PML_ERR_ARG);
    CHECK_EQ(pml_model_open(&bad, NULL, len), PML_ERR_ARG);
    CHECK_EQ(pml_model_open(&bad, NULL, 0), PML_ERR_ARG);
    CHECK_EQ(pml_model_open(&bad, buf, 0), PML_ERR_MODEL);
    CHECK_EQ(pml_model_open(&bad, buf, 7), PML_ERR_MODEL);
    /* a model whose open failed is zeroed: everything on it is an argument error, never a crash */
    CHECK_EQ(pml_model_num_inputs(&bad), 0);
    CHECK_EQ(pml_model_tensor(&bad, 0, &v), PML_ERR_ARG);
    CHECK_EQ(pml_model_input(&bad, 0, &v), PML_ERR_ARG);
    CHECK_EQ(pml_model_op(&bad, 0, &oi), PML_ERR_ARG);
    CHECK_EQ(pml_interp_arena_size(&bad, pml_op_set_all(), &need, NULL), PML_ERR_ARG);
    {
        pml_interp *it = (pml_interp *)&bad;
        uint8_t a[64];
        CHECK_EQ(pml_interp_init(&it, &bad, pml_op_set_all(), a, sizeof a, NULL), PML_ERR_ARG);
        CHECK(it == NULL);
    }

    CHECK_EQ(pml_model_num_inputs(NULL), 0);
    CHECK_EQ(pml_model_num_outputs(NULL), 0);
    CHECK_EQ(pml_model_num_ops(NULL), 0);
    CHECK_EQ(pml_model_num_tensors(NULL), 0);
    CHECK_EQ(pml_model_tensor(NULL, 0, &v), PML_ERR_ARG);
    CHECK_EQ(pml_model_tensor(&m, 0, NULL), PML_ERR_ARG);
    CHECK_EQ(pml_model_tensor(&m, pml_model_num_tensors(&m), &v), PML_ERR_ARG);
    CHECK_EQ(pml_model_tensor(&m, UINT32_MAX, &v), PML_ERR_ARG);
    CHECK_EQ(pml_model_input(NULL, 0, &v), PML_ERR_ARG);
    CHECK_EQ(pml_model_input(&m, 0, NULL), PML_ERR_ARG);
    CHECK_EQ(pml_model_input(&m, 1, &v), PML_ERR_ARG);
    CHECK_EQ(pml_model_output(NULL, 0, &v), PML_ERR_ARG);
    CHECK_EQ(pml_model_output(&m, 0, NULL), PML_ERR_ARG);
    CHECK_EQ(pml_model_output(&m, UINT32_MAX, &v), PML_ERR_ARG);
    CHECK_EQ(pml_model_op(NULL, 0, &oi), PML_ERR_ARG);
    CHECK_EQ(pml_model_op(&m, 0, NULL), PML_ERR_ARG);
    CHECK_EQ(pml_model_op(&m, pml_model_num_ops(&m), &oi), PML_ERR_ARG);
    CHECK_EQ(pml_model_op(&m, 0, &oi), PML_OK);

    /* arena size */
    memset(&err, 0x5A, sizeof err);
    CHECK_EQ(pml_interp_arena_size(NULL, pml_op_set_all(), &need, &err), PML_ERR_ARG);
    CHECK_EQ(err.status, PML_ERR_ARG);
    CHECK_EQ(pml_interp_arena_size(&m, pml_op_set_all(), NULL, &err), PML_ERR_ARG);
    CHECK_EQ(pml_interp_arena_size(&m, pml_op_set_all(), NULL, NULL), PML_ERR_ARG);
    {
        /* an empty op set supports nothing; a set with NULL entries is skipped over */
        static const pml_kernel *const none[] = {NULL, NULL};
        pml_op_set empty = {NULL, 0}, nulls = {none, 2};
        CHECK_EQ(pml_interp_arena_size(&m, &empty, &need, &err), PML_ERR_UNSUPPORTED);
        CHECK_EQ(pml_interp_arena_size(&m, &nulls, &need, &err), PML_ERR_UNSUPPORTED);
        CHECK_EQ(err.op_index, 0);
        /* kernels == NULL with a non-zero count is an argument error, not a crash */
        pml_op_set bad_set = {NULL, 3};
        CHECK_EQ(pml_interp_arena_size(&m, &bad_set, &need, &err), PML_ERR_ARG);
        /* the op set is required (a NULL default would link every kernel into every firmware) */
        CHECK_EQ(pml_interp_arena_size(&m, NULL, &need, &err), PML_ERR_ARG);
        pml_interp *none_it = NULL;
        uint8_t small[64];
        CHECK_EQ(pml_interp_init(&none_it, &m, NULL, small, sizeof small, &err), PML_ERR_ARG);
        CHECK(none_it == NULL);
    }
    REQUIRE_EQ(pml_interp_arena_size(&m, pml_op_set_all(), &need, &err), PML_OK);
    REQUIRE(need > 0 && need % PML_ARENA_ALIGN == 0);

    /* init */
    uint8_t *arena = aligned_alloc(PML_ARENA_ALIGN, need + 2 * PML_ARENA_ALIGN);
    REQUIRE(arena != NULL);
    pml_interp *it = (pml_interp *)&m;
    CHECK_EQ(pml_interp_init(NULL, &m, pml_op_set_all(), arena, need, &err), PML_ERR_ARG);
    CHECK_EQ(pml_interp_init(&it, NULL, pml_op_set_all(), arena, need, &err), PML_ERR_ARG);
    CHECK(it == NULL);
    it = (pml_interp *)&m;
    CHECK_EQ(pml_interp_init(&it, &m, pml_op_set_all(), NULL, need, &err), PML_ERR_ARG);
    CHECK(it == NULL);
    CHECK_EQ(pml_interp_init(&it, &m, pml_op_set_all(), NULL, 0, &err), PML_ERR_ARENA);
    CHECK_EQ(err.arena_needed, need);
    CHECK_EQ(pml_interp_init(&it, &m, pml_op_set_all(), arena, need - PML_ARENA_ALIGN, &err), PML_ERR_ARENA);
    CHECK_EQ(err.arena_needed, need);
    CHECK(it == NULL);
    CHECK_EQ(pml_interp_init(&it, &m, pml_op_set_all(), arena, 1, NULL), PML_ERR_ARENA);
    /* misaligned: `need` bytes from arena + 1 hold only need - 16 aligned bytes */
    CHECK_EQ(pml_interp_init(&it, &m, pml_op_set_all(), arena + 1, need, &err), PML_ERR_ARENA);
    CHECK_EQ(pml_interp_init(&it, &m, pml_op_set_all(), arena + 1, need + PML_ARENA_ALIGN - 1, &err), PML_OK);
    REQUIRE_EQ(pml_interp_init(&it, &m, pml_op_set_all(), arena, need, &err), PML_OK);
    REQUIRE(it != NULL);

    /* interpreter views */
    CHECK_EQ(pml_interp_invoke(NULL), PML_ERR_ARG);
    CHECK_EQ(pml_interp_invoke_hooked(NULL, NULL), PML_ERR_ARG);
    CHECK_EQ(pml_interp_input(NULL, 0, &v), PML_ERR_ARG);
    CHECK_EQ(pml_interp_input(it, 1, &v), PML_ERR_ARG);
    CHECK_EQ(pml_interp_input(it, UINT32_MAX, &v), PML_ERR_ARG);
    CHECK_EQ(pml_interp_input(it, 0, NULL), PML_ERR_ARG);
    CHECK_EQ(pml_interp_output(NULL, 0, &v), PML_ERR_ARG);
    CHECK_EQ(pml_interp_output(it, 1, &v), PML_ERR_ARG);
    CHECK_EQ(pml_interp_output(it, 0, NULL), PML_ERR_ARG);
    CHECK_EQ(pml_interp_tensor(NULL, 0, &v), PML_ERR_ARG);
    CHECK_EQ(pml_interp_tensor(it, pml_model_num_tensors(&m), &v), PML_ERR_ARG);
    CHECK_EQ(pml_interp_tensor(it, 0, NULL), PML_ERR_ARG);
    CHECK_EQ(pml_interp_arena_used(NULL), 0);
    CHECK_EQ(pml_interp_arena_used(it), need);
    {
        size_t pl = 1, ps = 1;
        pml_interp_arena_split(NULL, &pl, &ps);
        CHECK(pl == 0 && ps == 0);
        pml_interp_arena_split(it, NULL, NULL);
        pml_interp_arena_split(it, &pl, NULL);
        pml_interp_arena_split(it, NULL, &ps);
    }
    CHECK(pml_interp_kernel_name(NULL, 0) != NULL);
    CHECK(pml_interp_kernel_name(it, pml_model_num_ops(&m)) != NULL);
    CHECK(pml_interp_kernel_name(it, UINT32_MAX) != NULL);
    {
        pml_error e;
        CHECK_EQ(pml_interp_last_error(NULL, &e), PML_ERR_ARG);
        CHECK_EQ(e.status, PML_ERR_ARG);
        CHECK_EQ(pml_interp_last_error(it, NULL), PML_ERR_ARG);
        CHECK_EQ(pml_interp_last_error(it, &e), PML_OK); /* no invoke has failed */
        CHECK_EQ(e.status, PML_OK);
        CHECK(e.msg[0] == '\0' && e.op_index == -1);
    }
    CHECK_EQ(pml_interp_plan_count(NULL), 0);
    CHECK_EQ(pml_interp_plan_entry(NULL, 0, &pe), PML_ERR_ARG);
    CHECK_EQ(pml_interp_plan_entry(it, 0, NULL), PML_ERR_ARG);
    CHECK_EQ(pml_interp_plan_entry(it, pml_interp_plan_count(it), &pe), PML_ERR_ARG);
    CHECK_EQ(pml_interp_plan_entry(it, UINT32_MAX, &pe), PML_ERR_ARG);

    /* invoke works before any input was written (garbage in, no crash) and with empty hooks */
    pml_invoke_hooks none = {NULL, NULL, NULL}, counting = {count_hook, count_hook, NULL};
    CHECK_EQ(pml_interp_invoke_hooked(it, &none), PML_OK);
    g_hook_calls = 0;
    CHECK_EQ(pml_interp_invoke_hooked(it, &counting), PML_OK);
    CHECK_EQ(g_hook_calls, 2 * (int)pml_model_num_ops(&m));
    CHECK_EQ(pml_interp_invoke(it), PML_OK);

    free(arena);
    free(buf);
}

/* A degenerate but well-formed model: the subgraphs vector re-pointed at the buffers vector makes
 * subgraph 0 an empty Buffer table (no tensors, no operators, no inputs). It may open; if it does,
 * every view of it must be an argument error and invoke a no-op. */
PML_TEST(empty_graph) {
    size_t len;
    uint8_t *orig = load_raw("kws_ref_model", &len);
    REQUIRE(orig != NULL);
    fb_map f;
    fb_map_model(orig, &f);
    uint32_t p = fb_field(orig, f.root, 2);
    REQUIRE(p != 0 && f.buffers > p);
    uint8_t *b = dup_exact(orig, len);
    wr32(b, p, f.buffers - p);
    pml_model m;
    pml_status s = pml_model_open(&m, b, len);
    CHECK(status_valid(s));
    if (s == PML_OK) {
        size_t need = 0;
        pml_tensor v;
        CHECK_EQ(pml_model_num_ops(&m), 0);
        CHECK_EQ(pml_model_input(&m, 0, &v), PML_ERR_ARG);
        s = pml_interp_arena_size(&m, pml_op_set_all(), &need, NULL);
        CHECK(status_valid(s));
        if (s == PML_OK) {
            uint8_t *arena = aligned_alloc(PML_ARENA_ALIGN, need + PML_ARENA_ALIGN);
            pml_interp *it;
            REQUIRE(arena != NULL);
            CHECK_EQ(pml_interp_init(&it, &m, pml_op_set_all(), arena, need, NULL), PML_OK);
            if (it) {
                CHECK_EQ(pml_interp_input(it, 0, &v), PML_ERR_ARG);
                CHECK_EQ(pml_interp_output(it, 0, &v), PML_ERR_ARG);
                CHECK_EQ(pml_interp_invoke(it), PML_OK);
            }
            free(arena);
        }
    }
    free(b);
    free(orig);
}

/* ---- hostile op parameters ----------------------------------------------------------------- */

static pml_status status_named(const char *s) {
    static const struct {
        const char *name;
        pml_status st;
    } t[] = {{"PML_ERR_ARG", PML_ERR_ARG},     {"PML_ERR_MODEL", PML_ERR_MODEL},     {"PML_ERR_UNSUPPORTED", PML_ERR_UNSUPPORTED},
             {"PML_ERR_ARENA", PML_ERR_ARENA}, {"PML_ERR_STATE", PML_ERR_STATE},     {"PML_ERR_INTERNAL", PML_ERR_INTERNAL}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(s, t[i].name) == 0) return t[i].st;
    return PML_OK;
}

/* The next line of a list file that is neither empty nor a # comment, into line (cut to cap - 1
 * characters); false at the end of the list. */
static bool list_next(const char *list, size_t len, size_t *pos, char *line, size_t cap) {
    while (*pos < len) {
        size_t end = *pos;
        while (end < len && list[end] != '\n') end++;
        const size_t l = end - *pos < cap - 1 ? end - *pos : cap - 1;
        memcpy(line, list + *pos, l);
        line[l] = '\0';
        *pos = end + 1;
        if (line[0] != '#' && line[0] != '\0') return true;
    }
    return false;
}

PML_TEST(hostile_op_params) {
    size_t len;
    char *list = (char *)tu_read_repo("tests/data/ops/REJECTS.txt", &len);
    REQUIRE(list != NULL);
    int cases = 0;
    size_t pos = 0;
    char line[512];
    while (list_next(list, len, &pos, line, sizeof line)) {
        char name[128], status[32];
        REQUIRE(sscanf(line, "%127s %31s", name, status) == 2);
        const pml_status want = status_named(status);
        CHECK(want != PML_OK);
        char rel[256];
        size_t mlen;
        uint8_t *raw = tu_read_repo(tu_path(rel, sizeof rel, "tests/data/ops/%s.tflite", name), &mlen);
        REQUIRE(raw != NULL);
        uint8_t *b = dup_exact(raw, mlen); /* ASan sees any read past the end */
        pml_model m;
        pml_error err;
        memset(&err, 0, sizeof err);
        size_t need = 0;
        pml_status s = pml_model_open(&m, b, mlen);
        CHECK_EQ(s, PML_OK); /* the flatbuffer itself is fine */
        if (s == PML_OK) {
            s = pml_interp_arena_size(&m, pml_op_set_all(), &need, &err);
            if (s != want) {
                pml_t.cur_failed = 1;
                fprintf(stderr, "%s:%d: [%s] %s: arena_size gives %s (%s), want %s\n", __FILE__, __LINE__, pml_t.cur,
                        name, pml_status_str(s), err.msg, status);
            } else {
                CHECK(err.status == s && err.msg[0] != '\0' && err.op_index == 0);
            }
            /* init over a generous arena must refuse the same way (and write nothing past it) */
            uint8_t *arena = aligned_alloc(PML_ARENA_ALIGN, 4096 + CANARY_BYTES);
            REQUIRE(arena != NULL);
            memset(arena + 4096, CANARY_BYTE, CANARY_BYTES);
            pml_interp *it = NULL;
            CHECK_EQ(pml_interp_init(&it, &m, pml_op_set_all(), arena, 4096, NULL), want);
            CHECK(it == NULL);
            CHECK(canary_intact(arena + 4096));
            free(arena);
        }
        free(b);
        free(raw);
        cases++;
    }
    free(list);
    printf("malformed: %d hostile op-parameter models refused with the listed status\n", cases);
    CHECK(cases >= 20);
}

/* Inputs the fuzzer once found crashing (tests/fuzz/regress/LIST.txt): the whole API runs on each
 * under ASan/UBSan without a report, whatever status it returns. */
PML_TEST(fuzz_regressions) {
    size_t len;
    char *list = (char *)tu_read_repo("tests/fuzz/regress/LIST.txt", &len);
    REQUIRE(list != NULL);
    int cases = 0;
    size_t pos = 0;
    char name[128];
    while (list_next(list, len, &pos, name, sizeof name)) {
        char rel[256];
        size_t mlen;
        uint8_t *raw = tu_read_repo(tu_path(rel, sizeof rel, "tests/fuzz/regress/%s", name), &mlen);
        REQUIRE(raw != NULL);
        uint8_t *b = dup_exact(raw, mlen);
        pml_model m;
        pml_error err;
        size_t need = 0;
        pml_status s = pml_model_open(&m, b, mlen);
        if (s == PML_OK) s = pml_interp_arena_size(&m, pml_op_set_all(), &need, &err);
        if (s == PML_OK && need <= ((size_t)4 << 20)) {
            uint8_t *arena = aligned_alloc(PML_ARENA_ALIGN, need + CANARY_BYTES);
            REQUIRE(arena != NULL);
            memset(arena, 0, need);
            memset(arena + need, CANARY_BYTE, CANARY_BYTES);
            pml_interp *it = NULL;
            CHECK_EQ(pml_interp_init(&it, &m, pml_op_set_all(), arena, need, &err), PML_OK);
            if (it) {
                const pml_status si = pml_interp_invoke(it);
                CHECK(si <= PML_OK && si >= PML_ERR_INTERNAL);
            }
            CHECK(canary_intact(arena + need));
            free(arena);
        }
        CHECK(s <= PML_OK && s >= PML_ERR_INTERNAL);
        free(b);
        free(raw);
        cases++;
    }
    free(list);
    printf("malformed: %d fuzz regression inputs ran clean\n", cases);
    CHECK(cases >= 1);
}

int main(void) {
    PML_RUN(api_misuse);
    PML_RUN(hostile_op_params);
    PML_RUN(targeted_kws);
    PML_RUN(empty_graph);
    PML_RUN(truncate_kws);
    PML_RUN(truncate_ad01_int8);
    PML_RUN(mutate_kws);
    PML_RUN(mutate_ad01_int8);
    PML_RUN(mutate_str_ww);
    PML_RUN(mutate_kws_f32);
    PML_RUN(fuzz_regressions);
    return PML_TEST_END("malformed");
}
