/* SPDX-License-Identifier: Apache-2.0 */
/*
 * On-target property test for the kernel variants of a bare-metal build (PML_KERNELS=dsp on
 * Cortex-M4/M7/M55, PML_KERNELS=mve on Cortex-M55): every optimised variant in the build's tables must equal its _ref twin byte for
 * byte, on the random cases of tests/prop/prop_cases.h (the same cases the host test
 * tests/prop/test_prop.c checks). Static buffers (no malloc, no stdio); seeds printed on failure;
 * guard bytes after every output must stay untouched.
 * Prints "prop_dsp: N passed, M failed" and returns nonzero on any mismatch.
 * Build and run: scripts/qemu_prop_dsp.sh [m4|m7|m55] [cases]
 */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "fw_io.h"
#include "prop/prop_cases.h"
#include "pml_pack_fc.h"

#ifndef PROP_CASES
#define PROP_CASES 1500 /* per op */
#endif
#define GUARD 32

/* ---- static buffers for the largest case of prop_cases.h -------------------------------------- */
static int8_t g_in[PROP_MAX_IN], g_in2[PROP_MAX_IN], g_f[PROP_MAX_F];
static int8_t g_ref[PROP_MAX_OUT + GUARD], g_got[PROP_MAX_OUT + GUARD];
static int32_t g_bias[PROP_MAX_CH], g_mult[PROP_MAX_CH];
static int8_t g_shift[PROP_MAX_CH];
static int32_t g_packed[PROP_MAX_PACKED / 4 + 1];

static int passed, failed;

static void check(const char *name, uint64_t seed, size_t n) {
    for (size_t i = 0; i < n + GUARD; i++)
        if (g_ref[i] != g_got[i]) {
            failed++;
            if (failed <= 20) {
                put("FAIL ");
                put(name);
                put(" seed ");
                put_i64((int64_t)seed);
                put(" byte ");
                put_i64((int64_t)i);
                put(i >= n ? " (guard)" : "");
                put(": ");
                put_i64(g_got[i]);
                put(" vs ref ");
                put_i64(g_ref[i]);
                put("\n");
            }
            return;
        }
    passed++;
}

static void conv_like(bool depthwise) {
    uint32_t nv;
    const pml_conv_s8_variant *tab = depthwise ? pml__dwconv2d_s8_variants(&nv) : pml__conv2d_s8_variants(&nv);
    for (int k = 0; k < PROP_CASES; k++) {
        uint64_t seed, s;
        prop_conv_case c;
        if (!prop_conv_case_draw(k, depthwise, &seed, &s, &c)) continue;
        const size_t in_n = (size_t)c.in.n * c.in.h * c.in.w * c.in.c, f_n = (size_t)c.f.n * c.f.h * c.f.w * c.f.c,
                     out_n = (size_t)c.out.n * c.out.h * c.out.w * c.out.c;
        prop_fill_s8(&s, g_in, in_n, c.extreme);
        prop_fill_s8(&s, g_f, f_n, c.extreme);
        prop_bias(&s, g_bias, c.out.c);
        prop_requant(&s, c.out.c, c.per_channel, g_mult, g_shift);
        const pml_requant q = {g_mult, g_shift, c.per_channel ? c.out.c : 1};
        const int32_t *bias = c.no_bias ? NULL : g_bias;
        memset(g_ref, 0x5a, out_n + GUARD);
        if (depthwise)
            pml_dwconv2d_s8_ref(&c.p, &q, &c.in, g_in, &c.f, g_f, bias, &c.out, g_ref);
        else
            pml_conv2d_s8_ref(&c.p, &q, &c.in, g_in, &c.f, g_f, bias, &c.out, g_ref);
        for (uint32_t v = 0; v + 1 < nv; v++) {
            if (tab[v].applies && !tab[v].applies(&c.p, &c.in, &c.f, &c.out)) continue;
            memset(g_got, 0x5a, out_n + GUARD);
            tab[v].run(&c.p, &q, &c.in, g_in, &c.f, g_f, bias, &c.out, g_got);
            check(tab[v].name, seed, out_n);
        }
    }
}

/* FULLY_CONNECTED case k: inputs, weights, bias and requantization drawn, the reference output in
 * g_ref; returns the bias (NULL for a case without one) */
static const int32_t *fc_case(int k, uint64_t *seed, prop_fc_case *c, pml_requant *q) {
    uint64_t s;
    prop_fc_case_draw(k, seed, &s, c);
    prop_fill_s8(&s, g_in, (size_t)c->batches * c->depth, c->extreme);
    prop_fill_s8(&s, g_f, (size_t)c->units * c->depth, c->extreme);
    prop_bias(&s, g_bias, c->units);
    prop_requant(&s, c->units, c->per_channel, g_mult, g_shift);
    *q = (pml_requant){g_mult, g_shift, c->per_channel ? c->units : 1};
    const int32_t *bias = c->no_bias ? NULL : g_bias;
    memset(g_ref, 0x5a, (size_t)c->batches * c->units + GUARD);
    pml_fc_s8_ref(&c->p, q, c->batches, c->depth, c->units, g_in, g_f, bias, g_ref);
    return bias;
}

static void fc(void) {
    uint32_t nv;
    const pml_fc_s8_variant *tab = pml__fc_s8_variants(&nv);
    for (int k = 0; k < PROP_CASES; k++) {
        uint64_t seed;
        prop_fc_case c;
        pml_requant q;
        const int32_t *bias = fc_case(k, &seed, &c, &q);
        const size_t out_n = (size_t)c.batches * c.units;
        for (uint32_t v = 0; v + 1 < nv; v++) {
            if (tab[v].applies && !tab[v].applies(&c.p)) continue;
            memset(g_got, 0x5a, out_n + GUARD);
            tab[v].run(&c.p, &q, c.batches, c.depth, c.units, g_in, g_f, bias, g_got);
            check(tab[v].name, seed, out_n);
        }
    }
}

/* the same cases with the weights packed (tools/pack/pml_pack_fc.c): every packed variant vs the reference */
static void fc_packed(void) {
    uint32_t nv;
    const pml_fc_s8_w16_variant *tab = pml__fc_s8_w16_variants(&nv);
    for (int k = 0; k < PROP_CASES; k++) {
        uint64_t seed;
        prop_fc_case c;
        pml_requant q;
        const int32_t *bias = fc_case(k, &seed, &c, &q);
        const size_t out_n = (size_t)c.batches * c.units;
        const int32_t u4 = (c.units + 3) & ~3;
        pml_pack_fc_w16(g_f, bias, c.units, c.depth, c.p.input_offset, g_packed);
        for (uint32_t v = 0; v < nv; v++) {
            memset(g_got, 0x5a, out_n + GUARD);
            tab[v].run(&c.p, &q, c.batches, c.depth, c.units, g_in, g_packed + 4, (const int16_t *)(g_packed + 4 + u4),
                       g_got);
            check(tab[v].name, seed, out_n);
        }
    }
}

static void add(void) {
    uint32_t nv;
    const pml_add_s8_variant *tab = pml__add_s8_variants(&nv);
    for (int k = 0; k < PROP_CASES; k++) {
        uint64_t seed, s;
        prop_add_case c;
        prop_add_case_draw(k, &seed, &s, &c);
        prop_fill_s8(&s, g_in, (size_t)c.n, false);
        prop_fill_s8(&s, g_in2, (size_t)c.n, c.extreme2);
        memset(g_ref, 0x5a, (size_t)c.n + GUARD);
        pml_add_s8_ref(&c.p, &c.b, g_in, g_in2, g_ref);
        for (uint32_t v = 0; v + 1 < nv; v++) {
            if (tab[v].applies && !tab[v].applies(&c.p, &c.b)) continue;
            memset(g_got, 0x5a, (size_t)c.n + GUARD);
            tab[v].run(&c.p, &c.b, g_in, g_in2, g_got);
            check(tab[v].name, seed, (size_t)c.n);
        }
    }
}

static void avgpool(void) {
    uint32_t nv;
    const pml_avgpool_s8_variant *tab = pml__avgpool_s8_variants(&nv);
    for (int k = 0; k < PROP_CASES; k++) {
        uint64_t seed, s;
        prop_pool_case c;
        if (!prop_pool_case_draw(k, &seed, &s, &c)) continue;
        const size_t in_n = (size_t)c.in.n * c.in.h * c.in.w * c.in.c;
        const size_t out_n = (size_t)c.out.n * c.out.h * c.out.w * c.out.c;
        prop_fill_s8(&s, g_in, in_n, c.extreme);
        memset(g_ref, 0x5a, out_n + GUARD);
        const bool ok_ref = pml_avgpool_s8_ref(&c.p, &c.in, g_in, &c.out, g_ref);
        for (uint32_t v = 0; v + 1 < nv; v++) {
            if (tab[v].applies && !tab[v].applies(&c.p, &c.in, &c.out)) continue;
            memset(g_got, 0x5a, out_n + GUARD);
            if (tab[v].run(&c.p, &c.in, g_in, &c.out, g_got) != ok_ref) g_got[out_n] ^= 1; /* counted as a mismatch */
            check(tab[v].name, seed, out_n);
        }
    }
}

int main(void) {
    uint32_t n1, n2, n3, n4, n5, n6;
    const pml_conv_s8_variant *c = pml__conv2d_s8_variants(&n1);
    const pml_conv_s8_variant *d = pml__dwconv2d_s8_variants(&n2);
    const pml_fc_s8_variant *f = pml__fc_s8_variants(&n3);
    const pml_add_s8_variant *a = pml__add_s8_variants(&n4);
    const pml_avgpool_s8_variant *ap = pml__avgpool_s8_variants(&n5);
    const pml_fc_s8_w16_variant *fw = pml__fc_s8_w16_variants(&n6);
    put("prop_dsp: variants:");
    for (uint32_t i = 0; i + 1 < n1; i++) put(" "), put(c[i].name);
    for (uint32_t i = 0; i + 1 < n2; i++) put(" "), put(d[i].name);
    for (uint32_t i = 0; i + 1 < n3; i++) put(" "), put(f[i].name);
    for (uint32_t i = 0; i + 1 < n4; i++) put(" "), put(a[i].name);
    for (uint32_t i = 0; i + 1 < n5; i++) put(" "), put(ap[i].name);
    for (uint32_t i = 0; i < n6; i++) put(" "), put(fw[i].name);
    put("\n");
    conv_like(false);
    conv_like(true);
    fc();
    fc_packed();
    add();
    avgpool();
    put("prop_dsp: ");
    put_i64(passed);
    put(" passed, ");
    put_i64(failed);
    put(" failed\n");
    return failed == 0 && passed > 0 ? 0 : 1;
}
