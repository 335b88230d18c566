/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Packed models (`picoml pack`, tools/pack; layout src/format/pml_packed.h):
 *   pack       ad01_int8 packed in memory: it opens, every FULLY_CONNECTED has a packed buffer that
 *              the runtime's check accepts, and the model runs to the same output as the original
 *   targeted   damage to the picoml.packed.v1 table (count, buffer index, name) and to one op's
 *              packed buffer (header, bias, one weight): that op's packed data is refused, the others
 *              stay usable, and the model still opens and runs to the original output
 *   mutation   random bytes in the packed part of the file through open, the packed lookup and
 *              check of every op, arena_size, init, invoke (exact heap buffers: ASan sees overruns)
 */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/pml_format_internal.h"
#include "format/pml_packed.h"
#include "ops/pml_ops_internal.h"
#include "pml_pack_fc.h"
#include "pml_pack_model.h"
#include "pml_test.h"
#include "pml_test_util.h"

static uint8_t *dup_exact(const uint8_t *src, size_t len) {
    void *p = NULL;
    if (posix_memalign(&p, 16, len ? len : 1) != 0) return NULL;
    memcpy(p, src, len);
    return (uint8_t *)p;
}

/* Run the model on the pattern input; output 0 into out (cap bytes). Status of the first failure. */
static pml_status run(const uint8_t *buf, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
    pml_model m;
    pml_status s = pml_model_open(&m, buf, len);
    if (s != PML_OK) return s;
    size_t need = 0;
    if ((s = pml_interp_arena_size(&m, pml_op_set_all(), &need, NULL)) != PML_OK) return s;
    if (need > ((size_t)64 << 20)) return PML_ERR_ARENA;
    void *arena = NULL;
    if (posix_memalign(&arena, 16, need ? need : 16) != 0) return PML_ERR_ARENA;
    pml_interp *it;
    s = pml_interp_init(&it, &m, pml_op_set_all(), arena, need, NULL);
    pml_tensor in, o;
    if (s == PML_OK && (s = pml_interp_input(it, 0, &in)) == PML_OK) {
        for (size_t i = 0; i < in.bytes; i++) ((uint8_t *)in.data)[i] = (uint8_t)((i * 7 + 3) % 256);
        if ((s = pml_interp_invoke(it)) == PML_OK && (s = pml_interp_output(it, 0, &o)) == PML_OK) {
            *out_len = o.bytes < cap ? o.bytes : cap;
            memcpy(out, o.data, *out_len);
        }
    }
    free(arena);
    return s;
}

/* The packed buffer of every FULLY_CONNECTED op as the runtime's prepare would accept it (NULL if refused). */
static int accepted_ops(const uint8_t *buf, size_t len, const uint8_t **acc, uint32_t cap) {
    pml_model m;
    if (pml_model_open(&m, buf, len) != PML_OK) return -1;
    int n = 0;
    for (uint32_t k = 0; k < m.n_operators && k < cap; k++) {
        pml__opinfo op;
        pml__tinfo in, w, b;
        acc[k] = NULL;
        if (pml__op_info(&m, k, &op) != PML_OK || op.code != PML_OP_FULLY_CONNECTED) continue;
        if (pml__tensor_info(&m, (uint32_t)op.in[0], &in) != PML_OK ||
            pml__tensor_info(&m, (uint32_t)op.in[1], &w) != PML_OK || !w.data || w.rank != 2)
            continue;
        const bool hb =
            op.n_in > 2 && op.in[2] >= 0 && pml__tensor_info(&m, (uint32_t)op.in[2], &b) == PML_OK && b.data;
        size_t plen;
        const uint8_t *pk = pml__packed_find(&m, k, PML_PACKED_FC_W16X4, &plen);
        acc[k] = pml__fc_packed_ok(pk, plen, (const int8_t *)w.data, hb ? (const int32_t *)(const void *)b.data : NULL,
                                   w.dims[0], w.dims[1], -pml__tinfo_zp(&m, &in, 0))
                     ? pk
                     : NULL;
        n += acc[k] != NULL;
    }
    return n;
}

typedef struct fixture {
    uint8_t *orig, *packed;
    size_t orig_len, packed_len;
    uint32_t n_packed;
    uint8_t want[1024];
    size_t want_len;
    size_t table; /* offset of the picoml.packed.v1 table (count) in the packed file */
} fixture;

static bool setup(fixture *f) {
    memset(f, 0, sizeof *f);
    f->orig = tu_read_repo("models/ad01_int8.tflite", &f->orig_len);
    if (!f->orig) return false;
    const char *why = pml_pack_model(f->orig, f->orig_len, &f->packed, &f->packed_len, &f->n_packed);
    if (why) {
        printf("pack: %s\n", why);
        return false;
    }
    if (run(f->orig, f->orig_len, f->want, sizeof f->want, &f->want_len) != PML_OK) return false;
    /* the table: count, then {op, kind, buffer}; the packer writes it in the front part */
    for (size_t p = 0; p + 16 <= f->packed_len - f->orig_len; p += 4) {
        uint32_t v[3];
        memcpy(v, f->packed + p, sizeof v);
        if (v[0] == f->n_packed && v[1] == 0 && v[2] == PML_PACKED_FC_W16X4) {
            f->table = p;
            return true;
        }
    }
    return false;
}

static void teardown(fixture *f) {
    free(f->orig);
    free(f->packed);
}

PML_TEST(pack_ad01) {
    fixture f;
    CHECK(setup(&f));
    if (!f.packed) return;
    CHECK_EQ(f.n_packed, 10u); /* AD: ten FULLY_CONNECTED ops */
    const uint8_t *acc[64];
    CHECK_EQ(accepted_ops(f.packed, f.packed_len, acc, 64), 10);
    CHECK_EQ(accepted_ops(f.orig, f.orig_len, acc, 64), 0);
    uint8_t got[1024];
    size_t got_len = 0;
    CHECK_EQ(run(f.packed, f.packed_len, got, sizeof got, &got_len), PML_OK);
    CHECK(got_len == f.want_len && memcmp(got, f.want, got_len) == 0);
    uint8_t *again;
    size_t again_len;
    uint32_t n;
    CHECK(pml_pack_model(f.packed, f.packed_len, &again, &again_len, &n) != NULL); /* already packed */
    teardown(&f);
}

typedef struct damage {
    const char *what;
    int where;      /* 0: table word index w, 1: op 0's packed buffer at byte offset, 2: metadata name */
    size_t off;
    uint32_t value; /* stored as a u32 (table, packed buffer) or xor into a byte (name) */
    int op0_ok, others_ok; /* expected: op 0's packed data accepted / all other ops accepted */
} damage;

PML_TEST(targeted_damage) {
    fixture f;
    CHECK(setup(&f));
    if (!f.packed) return;
    const uint8_t *acc[64];
    CHECK_EQ(accepted_ops(f.packed, f.packed_len, acc, 64), 10);
    const size_t blob0 = (size_t)(acc[0] - f.packed);
    size_t name = 0;
    for (size_t p = 0; p + 16 < f.packed_len; p++)
        if (!memcmp(f.packed + p, PML_PACKED_META_NAME, 16)) {
            name = p;
            break;
        }
    CHECK(name != 0);
    const damage cases[] = {
        {"count 0xffffffff", 0, 0, 0xffffffffu, 0, 0},
        {"count one past the table", 0, 0, 11, 0, 0},
        {"count 0", 0, 0, 0, 0, 0},
        {"op 0 kind 2", 0, 2, 2, 0, 1},
        {"op 0 buffer out of range", 0, 3, 0xfffffff0u, 0, 1},
        {"op 0 buffer 0 (empty)", 0, 3, 0, 0, 1},
        {"op 0 header units", 1, 0, 129, 0, 1},
        {"op 0 header depth", 1, 4, 639, 0, 1},
        {"op 0 header input offset", 1, 8, 0, 0, 1},
        {"op 0 header reserved", 1, 12, 1, 0, 1},
        {"op 0 bias", 1, 16, 12345, 0, 1},
        {"op 0 one weight", 1, 16 + 4 * 128 + 2 * 1000, 0x7fff7fffu, 0, 1},
        {"name", 2, 15, 1, 0, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const damage *d = &cases[c];
        uint8_t *b = dup_exact(f.packed, f.packed_len);
        if (d->where == 0) memcpy(b + f.table + 4 * d->off, &d->value, 4);
        else if (d->where == 1) memcpy(b + blob0 + d->off, &d->value, 4);
        else b[name + d->off] ^= (uint8_t)d->value;
        const int n = accepted_ops(b, f.packed_len, acc, 64);
        const int want = (d->op0_ok ? 1 : 0) + (d->others_ok ? 9 : 0);
        if (n != want) PML_FAIL_AT("%s: %d ops accepted, expected %d", d->what, n, want);
        if (n >= 0 && !d->op0_ok && acc[0]) PML_FAIL_AT("%s: op 0's damaged packed data accepted", d->what);
        uint8_t got[1024];
        size_t got_len = 0;
        const pml_status s = run(b, f.packed_len, got, sizeof got, &got_len);
        if (s != PML_OK || got_len != f.want_len || memcmp(got, f.want, got_len) != 0)
            PML_FAIL_AT("%s: status %d or output differs from the unpacked model's", d->what, (int)s);
        free(b);
    }
    teardown(&f);
}

PML_TEST(mutants_of_packed_part) {
    fixture f;
    CHECK(setup(&f));
    if (!f.packed) return;
    const size_t front = f.packed_len - f.orig_len;
    const char *e = getenv("PML_MALFORMED_MUTANTS");
    const int n = e ? atoi(e) / 10 : 300;
    uint64_t st = 0x243F6A8885A308D3ull;
    int opened = 0, ran = 0;
    const uint8_t *acc[64];
    for (int k = 0; k < n; k++) {
        uint8_t *b = dup_exact(f.packed, f.packed_len);
        /* the table and headers are in the first few hundred bytes: hit them often */
        const int hits = 1 + (int)(tu_rand(&st) % 4);
        for (int h = 0; h < hits; h++) {
            const size_t span = (tu_rand(&st) % 2) ? 512 : front;
            b[tu_rand(&st) % span] = (uint8_t)tu_rand(&st);
        }
        const int na = accepted_ops(b, f.packed_len, acc, 64);
        opened += na >= 0;
        uint8_t got[1024];
        size_t got_len = 0;
        const pml_status s = run(b, f.packed_len, got, sizeof got, &got_len);
        CHECK(s <= 0 && s >= PML_ERR_INTERNAL);
        ran += s == PML_OK;
        free(b);
    }
    printf("packed mutants: %d, %d opened, %d ran\n", n, opened, ran);
    CHECK(n == 0 || opened > 0);
    teardown(&f);
}

/* The prepare-time check on odd shapes (padding rows and columns): the packer's output passes,
 * any one changed value (header, bias, weight, padding) fails, a short buffer fails. */
PML_TEST(check_odd_shapes) {
    uint64_t st = 0x9E3779B97F4A7C15ull;
    int8_t w[13 * 17];
    int32_t bias[13];
    static int32_t buf[4096];
    int changed = 0;
    for (int k = 0; k < 200; k++) {
        const int32_t units = 1 + (int32_t)(tu_rand(&st) % 13), depth = 1 + (int32_t)(tu_rand(&st) % 17);
        const int32_t off = (int32_t)(tu_rand(&st) % 256) - 127;
        for (int32_t i = 0; i < units * depth; i++) w[i] = (int8_t)tu_rand(&st);
        for (int32_t i = 0; i < units; i++) bias[i] = (int32_t)tu_rand(&st);
        const int32_t *b = (k % 5 == 0) ? NULL : bias;
        const size_t len = (size_t)pml_packed_fc_w16_bytes((uint32_t)units, (uint32_t)depth);
        CHECK(len <= sizeof buf);
        pml_pack_fc_w16(w, b, units, depth, off, buf);
        const uint8_t *pk = (const uint8_t *)buf;
        if (!pml__fc_packed_ok(pk, len, w, b, units, depth, off)) PML_FAIL_AT("case %d: packer output refused", k);
        if (pml__fc_packed_ok(pk, len - 1, w, b, units, depth, off)) PML_FAIL_AT("case %d: short buffer accepted", k);
        const size_t i = (size_t)(tu_rand(&st) % (len / 2)); /* one int16 anywhere */
        int16_t *h = (int16_t *)(void *)buf;
        h[i] = (int16_t)(h[i] + 1);
        if (pml__fc_packed_ok(pk, len, w, b, units, depth, off))
            PML_FAIL_AT("case %d: int16 %zu changed, accepted", k, i);
        changed++;
    }
    CHECK_EQ(changed, 200);
}

int main(void) {
    PML_RUN(check_odd_shapes);
    PML_RUN(pack_ad01);
    PML_RUN(targeted_damage);
    PML_RUN(mutants_of_packed_part);
    return PML_TEST_END("packed");
}
