/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Property tests: every optimised variant in this build's kernel tables must equal its reference
 * twin byte for byte, on the random cases of prop_cases.h (the same cases the on-target firmware
 * ports/tests/prop_dsp.c checks). Output buffers carry guard bytes that must stay untouched. Seeds
 * are fixed and printed on failure; PML_PROP_CASES scales the number of cases.
 */
#include <fenv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pml_test.h"
#include "pml_test_util.h"
#include "prop/prop_cases.h"
#include "pml_pack_fc.h"

#define GUARD 32

static int n_cases(int dflt) {
    const char *e = getenv("PML_PROP_CASES");
    return e ? atoi(e) : dflt;
}

/* Buffers for the largest case, from the heap (ASan sees overruns past the guard). */
typedef struct bufs {
    int8_t *in, *in2, *f, *ref, *got, *shift;
    int32_t *bias, *mult;
} bufs;

static bufs alloc_bufs(void) {
    bufs b;
    b.in = malloc(PROP_MAX_IN);
    b.in2 = malloc(PROP_MAX_IN);
    b.f = malloc(PROP_MAX_F);
    b.ref = malloc(PROP_MAX_OUT + GUARD);
    b.got = malloc(PROP_MAX_OUT + GUARD);
    b.shift = malloc(PROP_MAX_CH);
    b.bias = malloc(sizeof(int32_t) * PROP_MAX_CH);
    b.mult = malloc(sizeof(int32_t) * PROP_MAX_CH);
    return b;
}

static void free_bufs(bufs *b) {
    free(b->in);
    free(b->in2);
    free(b->f);
    free(b->ref);
    free(b->got);
    free(b->shift);
    free(b->bias);
    free(b->mult);
}

static bool same(const int8_t *a, const int8_t *b, size_t n, size_t *first) {
    for (size_t i = 0; i < n + GUARD; i++)
        if (a[i] != b[i]) {
            *first = i;
            return false;
        }
    return true;
}

/* The precondition of the x86 requantization pml__outq8f_avx2 for one channel (as pml__rqf_ok). */
static bool rqf_ok(int32_t mult, int32_t shift, int64_t bound) {
    if (mult <= (1 << 30) || shift > -1 || shift < -31) return false;
    return bound < ((int64_t)1 << (30 - __builtin_ctz((uint32_t)mult)));
}

/* Which requantization form the x86 VNNI kernels take in a case: bit 0 some block of channels uses
 * pml__outq8f_avx2, bit 1 some uses pml__outq8_avx2. Blocks: the 16-channel tiles of conv2d_s8_vnnip
 * (the first 8 of a 8..15-channel tile; the rest scalar; none below 16 output pixels), 8-channel
 * blocks approximating the
 * 8/16/32 of dwconv2d_s8_vnni; accumulator bounds |bias| + taps as the kernels take them. */
static int rq_forms(bool depthwise, const prop_conv_case *c, const pml_requant *q, const int32_t *bias) {
    const int64_t off = c->p.input_offset, xo = off + 127 > 128 - off ? off + 127 : 128 - off;
    const int64_t taps = depthwise ? (int64_t)c->f.h * c->f.w * 255 * 128 : (int64_t)c->f.h * c->f.w * c->in.c * 128 * xo;
    const int32_t OC = c->out.c, step = depthwise ? 8 : 16;
    int forms = 0;
    for (int32_t c0 = 0; c0 + 8 <= OC; c0 += step) {
        const int32_t n = OC - c0 < step ? (OC - c0) / 8 * 8 : step;
        bool ok = true;
        for (int32_t j = c0; j < c0 + n; j++) {
            const int32_t i = q->count == 1 ? 0 : j;
            const int64_t b = bias ? (bias[j] < 0 ? -(int64_t)bias[j] : bias[j]) : 0;
            ok = ok && rqf_ok(q->mult[i], q->shift[i], b + taps);
        }
        /* conv2d_s8_vnnip does not try the fast form below 16 output pixels */
        if (!depthwise && (int64_t)c->out.n * c->out.h * c->out.w < 16) ok = false;
        forms |= ok ? 1 : 2;
    }
    return forms;
}

static void conv_like(bool depthwise) {
    uint32_t nv;
    const pml_conv_s8_variant *tab = depthwise ? pml__dwconv2d_s8_variants(&nv) : pml__conv2d_s8_variants(&nv);
    int cases = n_cases(3000), ran = 0, per[32] = {0}; /* runs per variant (the table is shorter) */
    int rq_fast = 0, rq_gen = 0; /* runs of the VNNI kernel with blocks in the fast / general requantization */
    const char *rq_name = depthwise ? "dwconv2d_s8_vnni" : "conv2d_s8_vnnip";
    bufs B = alloc_bufs();
    for (int k = 0; k < cases; k++) {
        uint64_t seed, s;
        prop_conv_case c;
        if (!prop_conv_case_draw(k, depthwise, &seed, &s, &c)) continue;
        const size_t in_n = (size_t)c.in.n * c.in.h * c.in.w * c.in.c, f_n = (size_t)c.f.n * c.f.h * c.f.w * c.f.c,
                     out_n = (size_t)c.out.n * c.out.h * c.out.w * c.out.c;
        prop_fill_s8(&s, B.in, in_n, c.extreme);
        prop_fill_s8(&s, B.f, f_n, c.extreme);
        prop_bias(&s, B.bias, c.out.c);
        prop_requant(&s, c.out.c, c.per_channel, B.mult, B.shift);
        const pml_requant q = {B.mult, B.shift, c.per_channel ? c.out.c : 1};
        const int32_t *bias = c.no_bias ? NULL : B.bias;
        memset(B.ref, 0x5a, out_n + GUARD);
        if (depthwise)
            pml_dwconv2d_s8_ref(&c.p, &q, &c.in, B.in, &c.f, B.f, bias, &c.out, B.ref);
        else
            pml_conv2d_s8_ref(&c.p, &q, &c.in, B.in, &c.f, B.f, bias, &c.out, B.ref);
        for (uint32_t v = 0; v + 1 < nv; v++) {
            if (tab[v].applies && !tab[v].applies(&c.p, &c.in, &c.f, &c.out)) continue;
            memset(B.got, 0x5a, out_n + GUARD);
            tab[v].run(&c.p, &q, &c.in, B.in, &c.f, B.f, bias, &c.out, B.got);
            size_t first;
            if (!same(B.ref, B.got, out_n, &first))
                PML_FAIL_AT("%s seed %llu: in %dx%dx%dx%d filter %dx%d s%dx%d d%dx%d pad %d oc %d: byte %zu: %d vs ref %d",
                            tab[v].name, (unsigned long long)seed, c.in.n, c.in.h, c.in.w, c.in.c, c.f.h, c.f.w,
                            c.p.stride_h, c.p.stride_w, c.p.dilation_h, c.p.dilation_w, c.pad, c.out.c, first,
                            B.got[first], B.ref[first]);
            ran++;
            if (v < 32) per[v]++;
            if (strcmp(tab[v].name, rq_name) == 0) {
                const int f = rq_forms(depthwise, &c, &q, bias);
                rq_fast += f & 1;
                rq_gen += f >> 1;
            }
        }
    }
    free_bufs(&B);
    printf("prop: %s: %d variant runs compared (%u variants in this build):", depthwise ? "dwconv2d_s8" : "conv2d_s8", ran, nv);
    for (uint32_t v = 0; v + 1 < nv && v < 32; v++) printf(" %s %d", tab[v].name, per[v]);
    printf("\n");
    if (nv > 1) CHECK(ran > cases / 4);
    bool has_rq = false;
    for (uint32_t v = 0; v + 1 < nv && v < 32; v++) has_rq |= per[v] > 0 && strcmp(tab[v].name, rq_name) == 0; /* it ran (the CPU has AVX-VNNI) */
    if (has_rq && cases >= 1000) {
        printf("prop: %s: runs with blocks requantized in the fast form %d, in the general form %d\n", rq_name, rq_fast, rq_gen);
        CHECK(rq_fast > 0);
        CHECK(rq_gen > 0);
    }
}

PML_TEST(conv2d_s8_variants_match_ref) { conv_like(false); }

/* Wide convolutions the shared cases do not reach (they stop at 70 channels, for the target's
 * static buffers): 128 to 2048 input channels, up to 1024 output channels, pointwise layers with
 * more pixels than one strip of the unsigned-input copy holds, images wider than one band of it,
 * and filters whose rows are no whole number of 16 bytes. Host only; heap buffers sized per case. */
PML_TEST(conv2d_s8_wide_variants_match_ref) {
    static const int32_t cin[] = {128, 132, 256, 516, 1024, 2048}, cout[] = {16, 17, 64, 200, 1024};
    uint32_t nv;
    const pml_conv_s8_variant *tab = pml__conv2d_s8_variants(&nv);
    int cases = n_cases(3000) / 50, ran = 0;
    for (int k = 0; k < cases; k++) {
        uint64_t s = 0x2545f4914f6cdd1dull * (uint64_t)(k + 1), seed = s;
        prop_conv_case c;
        memset(&c, 0, sizeof c);
        pml_conv_params *p = &c.p;
        const bool pw = k % 3 == 0, wide_img = k % 3 == 2;
        c.in.n = 1;
        if (wide_img) { /* images wider than the unsigned-input copy holds at once */
            static const int32_t cimg[] = {3, 16, 32, 64};
            c.in.c = cimg[prop_u64(&s) % 4];
            c.in.w = prop_rnd(&s, 40, 160);
            c.in.h = c.in.c == 3 ? prop_rnd(&s, 40, 100) : prop_rnd(&s, 4, 16);
        } else {
            c.in.h = prop_rnd(&s, 1, 12);
            c.in.w = prop_rnd(&s, 1, 12);
            c.in.c = cin[prop_u64(&s) % (pw ? 6 : 3)];
        }
        c.out.c = wide_img ? 8 * prop_rnd(&s, 1, 4) : cout[prop_u64(&s) % 5];
        c.f.n = c.out.c;
        c.f.h = pw ? 1 : prop_rnd(&s, 1, wide_img && c.in.c == 3 ? 5 : 3);
        c.f.w = pw ? 1 : prop_rnd(&s, 1, wide_img && c.in.c == 3 ? 5 : 3);
        c.f.c = c.in.c;
        p->stride_h = p->stride_w = pw ? 1 : prop_rnd(&s, 1, 2);
        p->dilation_h = p->dilation_w = 1;
        p->depth_multiplier = 1;
        const int32_t pad = pw ? PML_PAD_VALID : (int32_t)(prop_u64(&s) % 2);
        if (!pml__conv_geometry(pad, c.in.h, c.f.h, p->stride_h, 1, &c.out.h, &p->pad_h) ||
            !pml__conv_geometry(pad, c.in.w, c.f.w, p->stride_w, 1, &c.out.w, &p->pad_w) || c.out.h < 1 || c.out.w < 1)
            continue;
        c.out.n = 1;
        if ((int64_t)c.out.h * c.out.w * c.out.c * c.f.h * c.f.w * c.in.c > 40000000) continue; /* the reference's time */
        p->input_offset = prop_u64(&s) % 3 == 0 ? 128 : prop_rnd(&s, -127, 128); /* 128: zero point -128, as after ReLU */
        p->output_offset = prop_rnd(&s, -128, 127);
        prop_act(&s, &p->act_min, &p->act_max);
        c.per_channel = prop_u64(&s) % 5 != 0;
        c.no_bias = prop_u64(&s) % 6 == 0;
        const size_t in_n = (size_t)c.in.h * c.in.w * c.in.c, f_n = (size_t)c.f.n * c.f.h * c.f.w * c.f.c,
                     out_n = (size_t)c.out.h * c.out.w * c.out.c;
        int8_t *in = malloc(in_n), *f = malloc(f_n), *ref = malloc(out_n + GUARD), *got = malloc(out_n + GUARD),
               *shift = malloc((size_t)c.out.c);
        int32_t *bias = malloc(sizeof(int32_t) * (size_t)c.out.c), *mult = malloc(sizeof(int32_t) * (size_t)c.out.c);
        prop_fill_s8(&s, in, in_n, prop_u64(&s) % 10 == 0);
        prop_fill_s8(&s, f, f_n, prop_u64(&s) % 10 == 0);
        prop_bias(&s, bias, c.out.c);
        prop_requant(&s, c.out.c, c.per_channel, mult, shift);
        const pml_requant q = {mult, shift, c.per_channel ? c.out.c : 1};
        memset(ref, 0x5a, out_n + GUARD);
        pml_conv2d_s8_ref(p, &q, &c.in, in, &c.f, f, c.no_bias ? NULL : bias, &c.out, ref);
        for (uint32_t v = 0; v + 1 < nv; v++) {
            if (tab[v].applies && !tab[v].applies(p, &c.in, &c.f, &c.out)) continue;
            memset(got, 0x5a, out_n + GUARD);
            tab[v].run(p, &q, &c.in, in, &c.f, f, c.no_bias ? NULL : bias, &c.out, got);
            size_t first;
            if (!same(ref, got, out_n, &first))
                PML_FAIL_AT("%s seed %llu: in %dx%dx%d filter %dx%d s%d pad %d oc %d: byte %zu: %d vs ref %d", tab[v].name,
                            (unsigned long long)seed, c.in.h, c.in.w, c.in.c, c.f.h, c.f.w, p->stride_h, pad, c.out.c, first,
                            got[first], ref[first]);
            ran++;
        }
        free(in);
        free(f);
        free(ref);
        free(got);
        free(shift);
        free(bias);
        free(mult);
    }
    printf("prop: conv2d_s8 wide: %d variant runs compared (%u variants in this build)\n", ran, nv);
    if (nv > 1) CHECK(ran > cases / 2);
}
PML_TEST(dwconv2d_s8_variants_match_ref) { conv_like(true); }

PML_TEST(fc_s8_variants_match_ref) {
    uint32_t nv;
    const pml_fc_s8_variant *tab = pml__fc_s8_variants(&nv);
    int cases = n_cases(3000), ran = 0, folded = 0;
    bufs B = alloc_bufs();
    int32_t *eb = malloc(sizeof(int32_t) * PROP_MAX_CH); /* folded bias */
    /* weights at a 32-byte boundary in even cases, 16 bytes past one in odd cases (a .tflite
     * aligns buffers to 16 bytes; kernels may address the two alignments differently) */
    int8_t *wbase = aligned_alloc(32, (PROP_MAX_F + 16 + 31) & ~(size_t)31);
    for (int k = 0; k < cases; k++) {
        uint64_t seed, s;
        prop_fc_case c;
        prop_fc_case_draw(k, &seed, &s, &c);
        prop_fill_s8(&s, B.in, (size_t)c.batches * c.depth, c.extreme);
        int8_t *wf = wbase + (k % 2 ? 16 : 0); /* [units][depth] */
        prop_fill_s8(&s, wf, (size_t)c.units * c.depth, c.extreme);
        prop_bias(&s, B.bias, c.units);
        prop_requant(&s, c.units, c.per_channel, B.mult, B.shift);
        const pml_requant q = {B.mult, B.shift, c.per_channel ? c.units : 1};
        const int32_t *bias = c.no_bias ? NULL : B.bias;
        const size_t out_n = (size_t)c.batches * c.units;
        memset(B.ref, 0x5a, out_n + GUARD);
        pml_fc_s8_ref(&c.p, &q, c.batches, c.depth, c.units, B.in, wf, bias, B.ref);
        for (uint32_t v = 0; v + 1 < nv; v++) {
            if (tab[v].applies && !tab[v].applies(&c.p)) continue;
            memset(B.got, 0x5a, out_n + GUARD);
            tab[v].run(&c.p, &q, c.batches, c.depth, c.units, B.in, wf, bias, B.got);
            size_t first;
            if (!same(B.ref, B.got, out_n, &first))
                PML_FAIL_AT("%s seed %llu: batches %d depth %d units %d: byte %zu: %d vs ref %d", tab[v].name,
                            (unsigned long long)seed, c.batches, c.depth, c.units, first, B.got[first], B.ref[first]);
            ran++;
        }
#ifdef PML_KERNELS_AVX2
        /* fc_s8_vnni with the bias folded at prepare (op_fc.c, input zero point != -128) */
        if (c.p.input_offset != 128 && pml_fc_s8_vnni_applies(&c.p)) {
            pml_fc_params p128 = c.p;
            p128.input_offset = 128;
            pml_fc_s8_vnni_fold(&c.p, c.depth, c.units, wf, bias, eb);
            memset(B.got, 0x5a, out_n + GUARD);
            pml_fc_s8_vnni(&p128, &q, c.batches, c.depth, c.units, B.in, wf, eb, B.got);
            size_t first;
            if (!same(B.ref, B.got, out_n, &first))
                PML_FAIL_AT("fc_s8_vnni folded seed %llu: batches %d depth %d units %d: byte %zu: %d vs ref %d",
                            (unsigned long long)seed, c.batches, c.depth, c.units, first, B.got[first], B.ref[first]);
            folded++;
        }
#endif
    }
    free(eb);
    free(wbase);
    free_bufs(&B);
    printf("prop: fc_s8: %d variant runs compared (%u variants in this build), %d with folded bias\n", ran, nv, folded);
    if (nv > 1) CHECK(ran >= cases);
#ifdef PML_KERNELS_AVX2
    if (pml__x86_has_avxvnni()) CHECK(folded > cases / 2);
#endif
}

/* Packed weights (`picoml pack`): the same FC cases, weights packed by the packer's own routine,
 * every packed variant of this build (the portable twin always; DSP builds add theirs) vs the
 * reference on the int8 weights. */
PML_TEST(fc_s8_packed_variants_match_ref) {
    uint32_t nv;
    const pml_fc_s8_w16_variant *tab = pml__fc_s8_w16_variants(&nv);
    int cases = n_cases(3000), ran = 0;
    bufs B = alloc_bufs();
    int32_t *packed = malloc(PROP_MAX_PACKED);
    for (int k = 0; k < cases; k++) {
        uint64_t seed, s;
        prop_fc_case c;
        prop_fc_case_draw(k, &seed, &s, &c);
        prop_fill_s8(&s, B.in, (size_t)c.batches * c.depth, c.extreme);
        prop_fill_s8(&s, B.f, (size_t)c.units * c.depth, c.extreme);
        prop_bias(&s, B.bias, c.units);
        prop_requant(&s, c.units, c.per_channel, B.mult, B.shift);
        const pml_requant q = {B.mult, B.shift, c.per_channel ? c.units : 1};
        const int32_t *bias = c.no_bias ? NULL : B.bias;
        const size_t out_n = (size_t)c.batches * c.units;
        CHECK(pml_packed_fc_w16_bytes((uint32_t)c.units, (uint32_t)c.depth) <= PROP_MAX_PACKED);
        pml_pack_fc_w16(B.f, bias, c.units, c.depth, c.p.input_offset, packed);
        const int32_t u4 = (c.units + 3) & ~3;
        memset(B.ref, 0x5a, out_n + GUARD);
        pml_fc_s8_ref(&c.p, &q, c.batches, c.depth, c.units, B.in, B.f, bias, B.ref);
        for (uint32_t v = 0; v < nv; v++) {
            memset(B.got, 0x5a, out_n + GUARD);
            tab[v].run(&c.p, &q, c.batches, c.depth, c.units, B.in, packed + 4, (const int16_t *)(packed + 4 + u4),
                       B.got);
            size_t first;
            if (!same(B.ref, B.got, out_n, &first))
                PML_FAIL_AT("%s seed %llu: batches %d depth %d units %d: byte %zu: %d vs ref %d", tab[v].name,
                            (unsigned long long)seed, c.batches, c.depth, c.units, first, B.got[first], B.ref[first]);
            ran++;
        }
    }
    free(packed);
    free_bufs(&B);
    printf("prop: fc_s8 packed: %d variant runs compared (%u variants in this build)\n", ran, nv);
    CHECK(ran >= cases);
}

PML_TEST(add_s8_variants_match_ref) {
    uint32_t nv;
    const pml_add_s8_variant *tab = pml__add_s8_variants(&nv);
    int cases = n_cases(3000), ran = 0;
    bufs B = alloc_bufs();
    for (int k = 0; k < cases; k++) {
        uint64_t seed, s;
        prop_add_case c;
        prop_add_case_draw(k, &seed, &s, &c);
        prop_fill_s8(&s, B.in, (size_t)c.n, false);
        prop_fill_s8(&s, B.in2, (size_t)c.n, c.extreme2);
        memset(B.ref, 0x5a, (size_t)c.n + GUARD);
        pml_add_s8_ref(&c.p, &c.b, B.in, B.in2, B.ref);
        for (uint32_t v = 0; v + 1 < nv; v++) {
            if (tab[v].applies && !tab[v].applies(&c.p, &c.b)) continue;
            memset(B.got, 0x5a, (size_t)c.n + GUARD);
            tab[v].run(&c.p, &c.b, B.in, B.in2, B.got);
            size_t first;
            if (!same(B.ref, B.got, (size_t)c.n, &first))
                PML_FAIL_AT("%s seed %llu: n %d: byte %zu: %d vs ref %d", tab[v].name, (unsigned long long)seed, c.n,
                            first, B.got[first], B.ref[first]);
            ran++;
        }
    }
    free_bufs(&B);
    printf("prop: add_s8: %d variant runs compared (%u variants in this build)\n", ran, nv);
    if (nv > 1) CHECK(ran >= cases);
}

/* Every pair of int8 inputs (in1 = i % 256, in2 = i / 256) through each same-shape ADD variant, for
 * parameters from random scales and zero points and, every third set, extreme ones (prop_add_extreme);
 * some sets run with another float rounding mode (add_s8_avx2s has a float front). */
PML_TEST(add_s8_variants_all_input_pairs) {
    uint32_t nv;
    const pml_add_s8_variant *tab = pml__add_s8_variants(&nv);
    const int32_t n = 256 * 256;
    int8_t *in1 = malloc((size_t)n), *in2 = malloc((size_t)n), *ref = malloc((size_t)n + GUARD), *got = malloc((size_t)n + GUARD);
    for (int32_t i = 0; i < n; i++) {
        in1[i] = (int8_t)(i % 256 - 128);
        in2[i] = (int8_t)(i / 256 - 128);
    }
    int sets = n_cases(3000) / 100, ran = 0;
    for (int k = 0; k < sets; k++) {
        uint64_t seed, s;
        prop_add_case c;
        prop_add_case_draw(100000 + k, &seed, &s, &c);
        if (k % 3 == 2) { /* extreme multipliers and offsets; shifts mostly within the 32-bit form's range */
            prop_add_extreme(&s, &c.p);
            c.p.left_shift = 20;
            c.p.input1_shift = -prop_rnd(&s, 0, 21);
            c.p.input2_shift = -prop_rnd(&s, 0, 21);
            c.p.output_shift = -prop_rnd(&s, 0, 31);
        }
        for (int i = 0; i < 5; i++) c.b.out[i] = c.b.in1[i] = c.b.in2[i] = i < 4 ? 1 : n;
        memset(ref, 0x5a, (size_t)n + GUARD);
        pml_add_s8_ref(&c.p, &c.b, in1, in2, ref);
        for (uint32_t v = 0; v + 1 < nv; v++) {
            if (tab[v].applies && !tab[v].applies(&c.p, &c.b)) continue;
            memset(got, 0x5a, (size_t)n + GUARD);
            /* every fourth set under another float rounding mode: integer kernels must not depend on it */
            const int modes[] = {FE_TONEAREST, FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD};
            CHECK(fesetround(k % 4 == 3 ? modes[(k / 4) % 4] : FE_TONEAREST) == 0);
            tab[v].run(&c.p, &c.b, in1, in2, got);
            fesetround(FE_TONEAREST);
            size_t first;
            if (!same(ref, got, (size_t)n, &first))
                PML_FAIL_AT("%s seed %llu: inputs %d, %d: %d vs ref %d", tab[v].name, (unsigned long long)seed,
                            (int)(first % 256) - 128, (int)(first / 256) - 128, got[first], ref[first]);
            ran++;
        }
    }
    free(in1);
    free(in2);
    free(ref);
    free(got);
    printf("prop: add_s8 all input pairs: %d parameter sets, %d variant runs compared\n", sets, ran);
    if (nv > 1) CHECK(ran >= sets);
}

PML_TEST(avgpool_s8_variants_match_ref) {
    uint32_t nv;
    const pml_avgpool_s8_variant *tab = pml__avgpool_s8_variants(&nv);
    int cases = n_cases(3000), ran = 0, drawn = 0;
    bufs B = alloc_bufs();
    for (int k = 0; k < cases; k++) {
        uint64_t seed, s;
        prop_pool_case c;
        if (!prop_pool_case_draw(k, &seed, &s, &c)) continue;
        drawn++;
        const size_t in_n = (size_t)c.in.n * c.in.h * c.in.w * c.in.c;
        const size_t out_n = (size_t)c.out.n * c.out.h * c.out.w * c.out.c;
        prop_fill_s8(&s, B.in, in_n, c.extreme);
        memset(B.ref, 0x5a, out_n + GUARD);
        const bool ok_ref = pml_avgpool_s8_ref(&c.p, &c.in, B.in, &c.out, B.ref);
        for (uint32_t v = 0; v + 1 < nv; v++) {
            if (tab[v].applies && !tab[v].applies(&c.p, &c.in, &c.out)) continue;
            memset(B.got, 0x5a, out_n + GUARD);
            const bool ok = tab[v].run(&c.p, &c.in, B.in, &c.out, B.got);
            size_t first;
            if (ok != ok_ref)
                PML_FAIL_AT("%s seed %llu: returned %d, ref %d", tab[v].name, (unsigned long long)seed, (int)ok,
                            (int)ok_ref);
            else if (!same(B.ref, B.got, out_n, &first))
                PML_FAIL_AT("%s seed %llu: byte %zu: %d vs ref %d", tab[v].name, (unsigned long long)seed, first,
                            B.got[first], B.ref[first]);
            ran++;
        }
    }
    free_bufs(&B);
    printf("prop: avgpool_s8: %d variant runs compared (%u variants in this build)\n", ran, nv);
    if (nv > 1) CHECK(ran >= drawn && drawn > cases / 2);
}

/* SOFTMAX int8: the portable fast twin in every build, the AVX2 one in x86 builds */
static const struct {
    const char *name;
    void (*run)(const pml_softmax_params *p, int32_t rows, int32_t depth, const int8_t *in, int8_t *out);
} softmax_s8[] = {
    {"softmax_s8_fast", pml_softmax_s8_fast},
#ifdef PML_KERNELS_AVX2
    {"softmax_s8_avx2", pml_softmax_s8_avx2},
#endif
};
#define N_SOFTMAX ((int)(sizeof softmax_s8 / sizeof softmax_s8[0]))

PML_TEST(softmax_s8_variants_match_ref) {
    int cases = n_cases(3000), clamped = 0;
    bufs B = alloc_bufs();
    for (int k = 0; k < cases; k++) {
        uint64_t seed, s;
        prop_softmax_case c;
        prop_softmax_case_draw(k, &seed, &s, &c);
        prop_softmax_fill(&s, &c, B.in);
        const size_t n = (size_t)c.rows * (size_t)c.depth;
        memset(B.ref, 0x5a, n + GUARD);
        pml_softmax_s8_ref(&c.p, c.rows, c.depth, B.in, B.ref);
        for (int v = 0; v < N_SOFTMAX; v++) {
            memset(B.got, 0x5a, n + GUARD);
            softmax_s8[v].run(&c.p, c.rows, c.depth, B.in, B.got);
            size_t first;
            if (!same(B.ref, B.got, n, &first))
                PML_FAIL_AT("%s seed %llu: rows %d depth %d: byte %zu: %d vs ref %d", softmax_s8[v].name,
                            (unsigned long long)seed, c.rows, c.depth, first, B.got[first], B.ref[first]);
        }
        clamped += c.spread <= 1 && c.depth > 600; /* rows whose output exponent TFLite would reject */
    }
    free_bufs(&B);
    printf("prop: softmax_s8: %d cases compared (%d variants), %d with near-equal rows past 600 values\n", cases, N_SOFTMAX,
           clamped);
    CHECK(clamped > 0);
}


#ifdef PML_KERNELS_AVX2
/* pml__outq8f_avx2 (the x86 requantization for 2^30 < m < 2^31, right shifts and bounded
 * accumulators) against pml__mbqm: every accumulator of small bounds, random lanes up to the
 * largest bound the precondition allows, the extremes, and the cases the precondition rejects. */
static int32_t max_bound(int32_t m) { return (int32_t)(((int64_t)1 << (30 - __builtin_ctz((uint32_t)m))) - 1); }

static int rqf_compare(const int32_t x[8], const int32_t m[8], const int32_t sh[8], int64_t bound, int32_t off) {
    int32_t got[8];
    const int r = pml__outq8f_check(x, m, sh, bound, off, got);
    if (r != 1) {
        PML_FAIL_AT("precondition refused (%d): bound %lld", r, (long long)bound);
        return 0;
    }
    for (int j = 0; j < 8; j++) {
        const int32_t want = pml__mbqm(x[j], m[j], sh[j]) + off;
        if (got[j] != want) {
            PML_FAIL_AT("x %d m %d shift %d: %d vs %d", x[j], m[j], sh[j], got[j], want);
            return 0;
        }
    }
    return 1;
}

PML_TEST(requant_fast_form_matches_mbqm) {
    long compared = 0;
    /* every x in [-bound, bound] for multipliers with many trailing zeros (small bounds), every shift */
    const int32_t ms[] = {(1 << 30) + (1 << 14), (1 << 30) + (3 << 15), (int32_t)(0x7fffc000u), (1 << 30) + (1 << 29)};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
        for (int32_t n = 1; n <= 31; n++) {
            const int32_t b = max_bound(ms[i]);
            int32_t m[8], sh[8], x[8];
            for (int j = 0; j < 8; j++) m[j] = ms[i], sh[j] = -n;
            for (int64_t x0 = -b; x0 <= b; x0 += 8) {
                for (int j = 0; j < 8; j++) x[j] = (int32_t)(x0 + j > b ? b : x0 + j);
                if (!rqf_compare(x, m, sh, b, n % 3 - 1)) return;
                compared += 8;
            }
        }
    /* random lanes: multipliers of every trailing-zero count, shifts 1..31, x up to the bound and at it */
    uint64_t s = 12345;
    const int cases = n_cases(3000) * 100;
    for (int k = 0; k < cases; k++) {
        int32_t m[8], sh[8], x[8];
        int32_t b = INT32_MAX;
        const int ctz_max = prop_u64(&s) % 4 == 0 ? 29 : 8;
        for (int j = 0; j < 8; j++) {
            const int z = (int)(prop_u64(&s) % (uint64_t)(ctz_max + 1));
            const uint32_t hi = (uint32_t)(prop_u64(&s) % ((1u << 29) >> z)); /* m = 2^30 + (2 hi + 1) 2^z < 2^31 */
            m[j] = (int32_t)((1u << 30) + ((2 * hi + 1) << z));
            sh[j] = -(prop_u64(&s) % 5 == 0 ? prop_rnd(&s, 1, 31) : prop_rnd(&s, 1, 12));
            const int32_t mb = max_bound(m[j]);
            b = mb < b ? mb : b;
        }
        if (prop_u64(&s) % 2) b = prop_rnd(&s, 0, b); /* a smaller bound, as kernels pass */
        for (int j = 0; j < 8; j++) {
            const uint64_t r = prop_u64(&s) % 8;
            x[j] = r == 0 ? b : r == 1 ? -b : r == 2 ? (b > 0 ? b - 1 : 0) : r == 3 ? -(b > 0 ? b - 1 : 0) : r == 4 ? prop_rnd(&s, b > 0 ? -1 : 0, b > 0 ? 1 : 0)
                                                                                                              : prop_rnd(&s, -b, b);
        }
        if (!rqf_compare(x, m, sh, b, prop_rnd(&s, -128, 127))) return;
        compared += 8;
    }
    /* the precondition: a multiplier of 2^30 or below, no right shift, a left shift, too large a bound */
    const int32_t x[8] = {0}, sh1[8] = {-1, -1, -1, -1, -1, -1, -1, -1}, sh0[8] = {-1, -1, -1, 0, -1, -1, -1, -1},
                  shl[8] = {-1, 2, -1, -1, -1, -1, -1, -1};
    const int32_t mok[8] = {(1 << 30) + 1, INT32_MAX, (1 << 30) + 3, (1 << 30) + 5, (1 << 30) + 7, (1 << 30) + 9, (1 << 30) + 11,
                            (1 << 30) + 13};
    int32_t m30[8], out[8];
    memcpy(m30, mok, sizeof m30);
    m30[5] = 1 << 30;
    CHECK_EQ(pml__outq8f_check(x, mok, sh1, (1 << 30) - 1, 0, out), 1);
    CHECK_EQ(pml__outq8f_check(x, mok, sh1, 1 << 30, 0, out), 0);
    CHECK_EQ(pml__outq8f_check(x, m30, sh1, 0, 0, out), 0);
    CHECK_EQ(pml__outq8f_check(x, mok, sh0, 0, 0, out), 0);
    CHECK_EQ(pml__outq8f_check(x, mok, shl, 0, 0, out), 0);
    /* the vector precondition on random lanes: any multiplier and shift, bounds around the limit */
    uint64_t t = 777;
    for (int k = 0; k < n_cases(3000) * 30; k++) {
        int32_t m[8], sh[8], xz[8] = {0};
        const int z = (int)(prop_u64(&t) % 31);
        for (int j = 0; j < 8; j++) {
            m[j] = prop_u64(&t) % 8 == 0 ? (int32_t)prop_u64(&t) : (int32_t)((1u << 30) + (((uint32_t)prop_u64(&t) | 1u) << z) % (1u << 30));
            sh[j] = prop_u64(&t) % 8 == 0 ? prop_rnd(&t, -40, 31) : prop_rnd(&t, -31, -1);
        }
        const int64_t lim = ((int64_t)1 << (30 - z)), bound = prop_u64(&t) % 2 ? lim - 1 + prop_rnd(&t, -1, 1) : (int64_t)(prop_u64(&t) % (1ull << 32));
        const int r = pml__outq8f_check(xz, m, sh, bound, 0, out);
        if (r < 0) {
            PML_FAIL_AT("vector precondition disagrees: bound %lld, m %d shift %d ...", (long long)bound, m[0], sh[0]);
            return;
        }
        compared += r;
    }
    printf("prop: requantization fast form: %ld lanes compared\n", compared);
}
#endif

int main(void) {
    PML_RUN(conv2d_s8_variants_match_ref);
    PML_RUN(conv2d_s8_wide_variants_match_ref);
    PML_RUN(dwconv2d_s8_variants_match_ref);
    PML_RUN(fc_s8_variants_match_ref);
    PML_RUN(fc_s8_packed_variants_match_ref);
    PML_RUN(add_s8_variants_match_ref);
    PML_RUN(add_s8_variants_all_input_pairs);
    PML_RUN(avgpool_s8_variants_match_ref);
    PML_RUN(softmax_s8_variants_match_ref);
#ifdef PML_KERNELS_AVX2
    PML_RUN(requant_fast_form_matches_mbqm);
#endif
    return PML_TEST_END("prop");
}
