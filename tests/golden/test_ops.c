/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-op golden tests: small single-op (and a few two/three-op) models covering the parameter space
 * of every supported op, with reference tensors from the TFLite interpreter (LiteRT, reference
 * kernels), made by scripts/gen_op_models.py into tests/data/ops. The case list is read at run time
 * from tests/data/ops/CASES.txt, so a new case needs no change here.
 *
 * For each case and each fixture <case>.<k>.tensors.bin: the model is opened, its exact arena
 * (pml_interp_arena_size) is allocated on the heap, inputs are set from the records, and the graph
 * runs with hooks that, like test_litert, overwrite each op's inputs with LiteRT's values before it
 * runs and compare its outputs after, so in a chain every op is checked in isolation.
 *   int8: byte for byte, except where LiteRT and TFLM (picoml's reference) compute differently and
 *         +-1 is allowed, counted and printed per op:
 *         FULLY_CONNECTED: LiteRT rounds the requantization once, TFLM twice (see test_litert.c);
 *         RELU, RELU_N1_TO_1, RELU6: LiteRT forms the multiplier in_scale / out_scale in float,
 *           TFLM (activations_common.cc) in double; with equal scales both are exact;
 *         MEAN: LiteRT's reference int8 mean rounds (it rescales with a multiplier), TFLM's
 *           EvalIntegerMean truncates the integer mean (equal quantization) or rounds in float.
 *   float32: |x - ref| <= 1e-5 * max|ref| + 1e-6; hybrid ops (float input, int8 weights):
 *         <= 1e-4 * max|ref| + 1e-6 (the input is quantized per row, so one rounding flip moves a
 *         result by a weight step).
 * A case picoml rejects (any status other than PML_OK) fails, unless it is listed in
 * documented_unsupported below, in which case it must be rejected with PML_ERR_UNSUPPORTED (if it is
 * accepted after all, it is compared like any other case).
 * The data-movement ops (STRIDED_SLICE, TRANSPOSE, EXPAND_DIMS, and MAXIMUM / MINIMUM on shared
 * quantization) and HARD_SWISH / LEAKY_RELU / PRELU have no allowance: every int8 element matches
 * (PRELU: LiteRT forms its multipliers in float, TFLM in double; on these cases they agree).
 * A second test checks, on the same models, that pml_interp_arena_used equals what
 * pml_interp_arena_size reported (as pml.h promises).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pml_test.h"
#include "pml_test_util.h"

/* Combinations LiteRT runs but picoml documents as unsupported; NULL ends the list (empty now: the
 * per-channel hybrid CONV_2D / DEPTHWISE_CONV_2D cases that were here run TFLite's asymmetric input
 * quantization, src/kernels/conv2d_hybrid_pc_ref.c and dwconv2d_hybrid_pc_ref.c). */
static const char *const documented_unsupported[] = {
    NULL,
};

#define MAX_RECORDS 64
#define MAX_FIXTURES 8

static int n_cases, n_fixtures, n_tensors, n_unsupported, n_failed_cases;
static long n_fc_off_by_one;         /* int8 FULLY_CONNECTED elements 1 away from LiteRT (allowed) */
static long n_relu_off_by_one;       /* int8 RELU / RELU_N1_TO_1 / RELU6 elements 1 away (allowed)   */
static long n_mean_off_by_one;       /* int8 MEAN elements 1 away (allowed)                          */
static double worst_f32, worst_hybrid; /* largest |x - ref| / max|ref| seen */

typedef struct record {
    int32_t tensor;
    uint32_t type, bytes;
    const uint8_t *data;
} record;

typedef struct ctx {
    const pml_model *m;
    record rec[MAX_RECORDS];
    uint32_t n;
    const char *label;
    int ops_checked, tensors_compared, mismatches;
} ctx;

static const record *find(const ctx *c, int32_t t) {
    for (uint32_t i = 0; i < c->n; i++)
        if (c->rec[i].tensor == t) return &c->rec[i];
    return NULL;
}

static bool parse(ctx *c, const uint8_t *b, size_t len) {
    uint32_t v, n;
    if (len < 12 || memcmp(b, "PMLT", 4) != 0) return false;
    memcpy(&v, b + 4, 4);
    memcpy(&n, b + 8, 4);
    size_t p = 12;
    c->n = 0;
    for (uint32_t i = 0; i < n; i++) {
        record r;
        if (c->n >= MAX_RECORDS || p + 12 > len) return false;
        memcpy(&r.tensor, b + p, 4);
        memcpy(&r.type, b + p + 4, 4);
        memcpy(&r.bytes, b + p + 8, 4);
        p += 12;
        if (r.bytes > len - p) return false;
        r.data = b + p;
        p += r.bytes;
        c->rec[c->n++] = r;
    }
    return v == 1 && c->n == n && p == len;
}

/* "[i,j,k]" for flat element index `e` of a tensor. */
static void coords(const pml_tensor *t, size_t e, char *dst, size_t cap) {
    size_t idx[PML_MAX_DIMS];
    for (int32_t d = t->rank - 1; d >= 0; d--) {
        size_t n = t->dims[d] > 0 ? (size_t)t->dims[d] : 1;
        idx[d] = e % n;
        e /= n;
    }
    size_t p = 0;
    p += (size_t)snprintf(dst + p, cap - p, "[");
    for (int32_t d = 0; d < t->rank && p < cap; d++)
        p += (size_t)snprintf(dst + p, cap - p, "%s%zu", d ? "," : "", idx[d]);
    if (p < cap) snprintf(dst + p, cap - p, "]");
}

static void before(void *user, const pml_interp *it, uint32_t op) {
    ctx *c = (ctx *)user;
    pml_op_info oi;
    if (pml_model_op(c->m, op, &oi) != PML_OK) return;
    for (int32_t i = 0; i < oi.n_inputs && i < 8; i++) {
        const record *r = find(c, oi.inputs[i]);
        pml_tensor t;
        if (!r || pml_interp_tensor(it, (uint32_t)oi.inputs[i], &t) != PML_OK || !t.data) continue;
        if (t.bytes == r->bytes) memcpy(t.data, r->data, r->bytes);
    }
}

static bool is_hybrid(const pml_model *m, const pml_op_info *oi) {
    pml_tensor a, w;
    return oi->n_inputs >= 2 && oi->inputs[1] >= 0 && pml_model_tensor(m, (uint32_t)oi->inputs[0], &a) == PML_OK &&
           pml_model_tensor(m, (uint32_t)oi->inputs[1], &w) == PML_OK && a.dtype == PML_DTYPE_F32 &&
           w.dtype == PML_DTYPE_I8;
}

static void after(void *user, const pml_interp *it, uint32_t op) {
    ctx *c = (ctx *)user;
    pml_op_info oi;
    if (pml_model_op(c->m, op, &oi) != PML_OK) return;
    for (int32_t i = 0; i < oi.n_outputs && i < 4; i++) {
        const record *r = find(c, oi.outputs[i]);
        pml_tensor t;
        if (!r) {
            PML_FAIL_AT("%s op %u (%s): no record for output tensor %d", c->label, op, oi.name, oi.outputs[i]);
            c->mismatches++;
            continue;
        }
        if (pml_interp_tensor(it, (uint32_t)oi.outputs[i], &t) != PML_OK || !t.data) {
            PML_FAIL_AT("%s op %u (%s): output tensor %d not readable", c->label, op, oi.name, oi.outputs[i]);
            c->mismatches++;
            continue;
        }
        if (t.bytes != r->bytes || (uint32_t)t.dtype != r->type) {
            PML_FAIL_AT("%s op %u (%s): output %zu bytes type %d vs record %u bytes type %u", c->label, op, oi.name,
                        t.bytes, (int)t.dtype, r->bytes, r->type);
            c->mismatches++;
            continue;
        }
        size_t bad = 0, first = 0, n = 0;
        double worst = 0, got = 0, want = 0, tol = 0;
        if (t.dtype == PML_DTYPE_I8) {
            /* FULLY_CONNECTED (9), RELU (19), RELU_N1_TO_1 (20), RELU6 (21), MEAN (40): see the top */
            int itol = (oi.code == 9 || oi.code == 19 || oi.code == 20 || oi.code == 21 || oi.code == 40) ? 1 : 0;
            long *off = oi.code == 9 ? &n_fc_off_by_one : oi.code == 40 ? &n_mean_off_by_one : &n_relu_off_by_one;
            const int8_t *x = (const int8_t *)t.data, *y = (const int8_t *)r->data;
            n = t.bytes;
            tol = itol;
            for (size_t k = 0; k < n; k++) {
                int d = abs((int)x[k] - (int)y[k]);
                if (d == 1 && itol) (*off)++;
                if (d > itol && !bad++) {
                    first = k;
                    got = x[k];
                    want = y[k];
                }
                if (d > worst) worst = d;
            }
        } else if (t.dtype == PML_DTYPE_F32) {
            const float *x = (const float *)t.data;
            n = t.bytes / 4;
            float *y = malloc(n * sizeof *y + 1); /* the record may not be 4-byte aligned */
            memcpy(y, r->data, n * sizeof *y);
            float mx = 0;
            for (size_t k = 0; k < n; k++) mx = fmaxf(mx, fabsf(y[k]));
            bool hyb = is_hybrid(c->m, &oi);
            float ftol = (hyb ? 1e-4f : 1e-5f) * mx + 1e-6f;
            tol = (double)ftol;
            for (size_t k = 0; k < n; k++) {
                float d = fabsf(x[k] - y[k]);
                if (!(d <= ftol) && !bad++) {
                    first = k;
                    got = (double)x[k];
                    want = (double)y[k];
                }
                if (!(d <= (float)worst)) worst = (double)d;
            }
            free(y);
            double rel = mx > 0 ? worst / (double)mx : worst, *w = hyb ? &worst_hybrid : &worst_f32;
            if (rel > *w) *w = rel;
        } else {
            if (memcmp(t.data, r->data, t.bytes) != 0) bad = 1;
            n = t.bytes;
        }
        c->ops_checked += i == 0;
        c->tensors_compared++;
        if (bad) {
            char at[64];
            coords(&t, first, at, sizeof at);
            c->mismatches++;
            PML_FAIL_AT("%s op %u (%s, %s): %zu of %zu elements differ; first at element %zu %s: picoml %.9g, "
                        "LiteRT %.9g (tolerance %g); worst |diff| %g",
                        c->label, op, oi.name, pml_interp_kernel_name(it, op), bad, n, first, at, got, want, tol, worst);
        }
    }
}

static bool expected_unsupported(const char *name) {
    for (size_t i = 0; documented_unsupported[i] != NULL; i++)
        if (strcmp(documented_unsupported[i], name) == 0) return true;
    return false;
}

/* Run one case; returns false if anything failed. */
static bool run_case(const char *name) {
    char p[600], label[300];
    size_t len, need = 0;
    pml_model m;
    pml_error err;
    memset(&err, 0, sizeof err);
    uint8_t *buf = tu_read(tu_path(p, sizeof p, "%s/tests/data/ops/%s.tflite", tu_repo(), name), &len);
    if (!buf) {
        PML_FAIL_AT("%s: missing model %s", name, p);
        return false;
    }
    bool ok = true;
    pml_status st = pml_model_open(&m, buf, len);
    if (st == PML_OK) st = pml_interp_arena_size(&m, pml_op_set_all(), &need, &err);
    uint8_t *arena = NULL;
    pml_interp *it = NULL;
    if (st == PML_OK) {
        arena = aligned_alloc(PML_ARENA_ALIGN, (need + PML_ARENA_ALIGN - 1) / PML_ARENA_ALIGN * PML_ARENA_ALIGN);
        st = pml_interp_init(&it, &m, pml_op_set_all(), arena, need, &err);
    }
    if (st != PML_OK) {
        if (st == PML_ERR_UNSUPPORTED && expected_unsupported(name)) {
            printf("ops: %s: rejected as documented (%s)\n", name, err.msg);
            n_unsupported++;
        } else {
            PML_FAIL_AT("%s: picoml rejects it: %s (op %d: %s)", name, pml_status_str(st), (int)err.op_index, err.msg);
            ok = false;
        }
        free(arena);
        free(buf);
        return ok;
    }
    int fixtures = 0;
    for (int k = 0; k < MAX_FIXTURES; k++) {
        size_t flen;
        uint8_t *fx = tu_read(tu_path(p, sizeof p, "%s/tests/data/ops/%s.%d.tensors.bin", tu_repo(), name, k), &flen);
        if (!fx) break;
        fixtures++;
        ctx *c = calloc(1, sizeof *c);
        c->m = &m;
        snprintf(label, sizeof label, "%s.%d", name, k);
        c->label = label;
        if (!parse(c, fx, flen)) {
            PML_FAIL_AT("%s: bad fixture", label);
            ok = false;
        } else {
            for (uint32_t i = 0; i < pml_model_num_inputs(&m); i++) {
                pml_tensor in;
                const record *r = NULL;
                if (pml_interp_input(it, i, &in) == PML_OK) r = find(c, in.index);
                if (!r || r->bytes != in.bytes) {
                    PML_FAIL_AT("%s: input %u has no matching record", label, i);
                    ok = false;
                    continue;
                }
                memcpy(in.data, r->data, r->bytes);
            }
            pml_invoke_hooks h = {before, after, c};
            pml_status ist = pml_interp_invoke_hooked(it, &h);
            if (ist != PML_OK) {
                pml_error e;
                pml_interp_last_error(it, &e);
                PML_FAIL_AT("%s: invoke: %s (%s)", label, pml_status_str(ist), e.msg);
                ok = false;
            }
            if (c->ops_checked != (int)pml_model_num_ops(&m)) {
                PML_FAIL_AT("%s: %d of %u ops checked", label, c->ops_checked, pml_model_num_ops(&m));
                ok = false;
            }
            if (c->mismatches) ok = false;
            n_tensors += c->tensors_compared;
            n_fixtures++;
        }
        free(c);
        free(fx);
    }
    if (fixtures == 0) {
        PML_FAIL_AT("%s: no fixtures", name);
        ok = false;
    }
    free(arena);
    free(buf);
    return ok;
}

/* Call fn(name) for every case in CASES.txt; returns the number of cases (-1 if the list is missing). */
static int for_each_case(bool (*fn)(const char *name), int *failed) {
    char p[512];
    size_t len;
    char *list = (char *)tu_read(tu_path(p, sizeof p, "%s/tests/data/ops/CASES.txt", tu_repo()), &len);
    if (!list) return -1;
    int n = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && list[end] != '\n') end++;
        char line[512];
        size_t l = end - pos < sizeof line - 1 ? end - pos : sizeof line - 1;
        memcpy(line, list + pos, l);
        line[l] = '\0';
        pos = end + 1;
        if (line[0] == '#' || line[0] == '\0' || line[0] == ' ') continue;
        char name[256];
        size_t nl = strcspn(line, " \t\r");
        if (nl == 0 || nl >= sizeof name) continue;
        memcpy(name, line, nl);
        name[nl] = '\0';
        n++;
        if (!fn(name)) (*failed)++;
    }
    free(list);
    return n;
}

PML_TEST(every_op_case_matches_litert) {
    n_cases = for_each_case(run_case, &n_failed_cases);
    REQUIRE(n_cases > 0);
    printf("ops: %d cases (%d documented unsupported), %d fixtures, %d op outputs compared, %d cases failed; "
           "int8 elements off by 1: FULLY_CONNECTED %ld, RELU* %ld, MEAN %ld; worst |diff|/max|ref|: float32 %.3g, "
           "hybrid %.3g\n",
           n_cases, n_unsupported, n_fixtures, n_tensors, n_failed_cases, n_fc_off_by_one, n_relu_off_by_one,
           n_mean_off_by_one, worst_f32, worst_hybrid);
}

/* pml.h: pml_interp_arena_used "equals what pml_interp_arena_size reported". */
static bool arena_used_matches(const char *name) {
    char p[600];
    size_t len, need = 0;
    pml_model m;
    uint8_t *buf = tu_read(tu_path(p, sizeof p, "%s/tests/data/ops/%s.tflite", tu_repo(), name), &len);
    bool ok = true;
    if (buf && pml_model_open(&m, buf, len) == PML_OK && pml_interp_arena_size(&m, pml_op_set_all(), &need, NULL) == PML_OK) {
        uint8_t *arena = aligned_alloc(PML_ARENA_ALIGN, (need + PML_ARENA_ALIGN - 1) / PML_ARENA_ALIGN * PML_ARENA_ALIGN);
        pml_interp *it;
        if (pml_interp_init(&it, &m, pml_op_set_all(), arena, need, NULL) != PML_OK) {
            PML_FAIL_AT("%s: init with the reported %zu bytes fails", name, need);
            ok = false;
        } else if (pml_interp_arena_used(it) != need) {
            PML_FAIL_AT("%s: pml_interp_arena_used %zu, pml_interp_arena_size %zu", name, pml_interp_arena_used(it),
                        need);
            ok = false;
        }
        free(arena);
    }
    free(buf);
    return ok;
}

PML_TEST(arena_used_equals_arena_size) {
    int failed = 0;
    CHECK(for_each_case(arena_used_matches, &failed) > 0);
    CHECK_EQ(failed, 0);
}

int main(void) {
    PML_RUN(every_op_case_matches_litert);
    PML_RUN(arena_used_equals_arena_size);
    return PML_TEST_END("ops");
}
