/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Randomized checks of the data-movement and elementwise reference kernels added for Keras-style
 * models (STRIDED_SLICE, TRANSPOSE, MAXIMUM / MINIMUM, HARD_SWISH, LEAKY_RELU, PRELU) against independent
 * formulations: each output element recomputed from its own coordinates (slices, transposes,
 * broadcasts), and, for the int8 activations, the real-valued function (the quantized result must
 * be within one output step plus the reference's fixed-point error of round(f(x) / scale) + zp).
 * Bit-exactness against LiteRT is tests/golden/test_ops.c's job; these cover many more shapes.
 * Fixed seeds; the failing case is printed.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/kernels/pml_kernels.h"
#include "../pml_test.h"
#include "../pml_test_util.h"

static int32_t rnd(uint64_t *s, int32_t lo, int32_t hi) { /* [lo, hi] */
    return lo + (int32_t)(tu_rand(s) % (uint64_t)(hi - lo + 1));
}

/* element `i` of a buffer of esz-byte elements, as a 64-bit value */
static uint64_t elem(const uint8_t *b, size_t esz, size_t i) {
    uint64_t v = 0;
    memcpy(&v, b + i * esz, esz);
    return v;
}

#define MAXN 4096

PML_TEST(strided_slice_visits_the_resolved_ranges) {
    static uint8_t in[MAXN * 8], out[MAXN * 8];
    uint64_t seed = 0x5EED51CEull;
    for (int iter = 0; iter < 3000; iter++) {
        const size_t esz = (size_t)1 << rnd(&seed, 0, 3);
        int32_t dims[5], cnt[5];
        pml_slice_params p;
        size_t total = 1, n_out = 1;
        for (int a = 0; a < 5; a++) dims[a] = rnd(&seed, 1, 5);
        for (int a = 4; a >= 0; a--) {
            p.in_stride[a] = total;
            total *= (size_t)dims[a];
        }
        for (int a = 0; a < 5; a++) {
            /* a valid resolved range: step > 0: 0 <= start, stop <= size; step < 0: -1 <= stop, start < size */
            const int32_t step = rnd(&seed, 1, 3) * (rnd(&seed, 0, 1) ? 1 : -1);
            int32_t start, stop;
            if (step > 0) {
                start = rnd(&seed, 0, dims[a]);
                stop = rnd(&seed, 0, dims[a]);
            } else {
                start = rnd(&seed, -1, dims[a] - 1);
                stop = rnd(&seed, -1, dims[a] - 1);
            }
            const int32_t len = step > 0 ? stop - start : start - stop, as = step > 0 ? step : -step;
            cnt[a] = len <= 0 ? 0 : (len - 1) / as + 1;
            p.start[a] = start;
            p.stop[a] = stop;
            p.step[a] = step;
            n_out *= (size_t)cnt[a];
        }
        for (size_t i = 0; i < total * esz; i++) in[i] = (uint8_t)tu_rand(&seed);
        memset(out, 0xEE, sizeof out);
        pml_strided_slice_ref(&p, esz, in, out);
        /* output element o with coordinates c[a] is input (start[a] + c[a] * step[a]) along each axis */
        size_t bad = 0;
        for (size_t o = 0; o < n_out; o++) {
            size_t rem = o, src = 0;
            for (int a = 4; a >= 0; a--) {
                const size_t c = rem % (size_t)cnt[a];
                rem /= (size_t)cnt[a];
                src += (size_t)(p.start[a] + (int32_t)c * p.step[a]) * p.in_stride[a];
            }
            if (elem(out, esz, o) != elem(in, esz, src)) bad++;
        }
        /* nothing written past the slice */
        for (size_t i = n_out * esz; i < n_out * esz + 16; i++)
            if (out[i] != 0xEE) bad++;
        if (bad) {
            PML_FAIL_AT("iter %d: %zu bad elements (dims %d,%d,%d,%d,%d esz %zu)", iter, bad, (int)dims[0], (int)dims[1],
                        (int)dims[2], (int)dims[3], (int)dims[4], esz);
            return;
        }
    }
}

PML_TEST(transpose_moves_every_element_to_its_permuted_place) {
    static uint8_t in[MAXN * 8], out[MAXN * 8];
    uint64_t seed = 0x7A175E5Eull;
    for (int iter = 0; iter < 3000; iter++) {
        const size_t esz = (size_t)1 << rnd(&seed, 0, 3);
        const int32_t rank = rnd(&seed, 1, 6);
        int32_t dims[6], perm[6];
        size_t in_stride[6], total = 1;
        for (int32_t a = 0; a < rank; a++) {
            dims[a] = rnd(&seed, 1, 4);
            perm[a] = a;
        }
        for (int32_t a = rank - 1; a > 0; a--) { /* Fisher-Yates */
            const int32_t j = rnd(&seed, 0, a), t = perm[a];
            perm[a] = perm[j];
            perm[j] = t;
        }
        for (int32_t a = rank - 1; a >= 0; a--) {
            in_stride[a] = total;
            total *= (size_t)dims[a];
        }
        pml_transpose_params p;
        memset(&p, 0, sizeof p);
        p.rank = rank;
        for (int32_t k = 0; k < rank; k++) {
            p.out[k] = dims[perm[k]];
            p.in_stride[k] = in_stride[perm[k]];
        }
        for (size_t i = 0; i < total * esz; i++) in[i] = (uint8_t)tu_rand(&seed);
        pml_transpose_ref(&p, esz, in, out);
        /* input element with coordinates x goes to the output coordinates y, y[k] = x[perm[k]] */
        size_t bad = 0;
        for (size_t i = 0; i < total; i++) {
            int32_t x[6];
            size_t rem = i;
            for (int32_t a = rank - 1; a >= 0; a--) {
                x[a] = (int32_t)(rem % (size_t)dims[a]);
                rem /= (size_t)dims[a];
            }
            size_t o = 0;
            for (int32_t k = 0; k < rank; k++) o = o * (size_t)p.out[k] + (size_t)x[perm[k]];
            if (elem(out, esz, o) != elem(in, esz, i)) bad++;
        }
        if (bad) {
            PML_FAIL_AT("iter %d: rank %d, %zu misplaced elements", iter, (int)rank, bad);
            return;
        }
    }
}

PML_TEST(maxmin_broadcasts_like_the_coordinates_say) {
    static int8_t a[MAXN], b[MAXN], o8[MAXN];
    static float af[MAXN], bf[MAXN], of[MAXN];
    uint64_t seed = 0x3A3B3C3Dull;
    for (int iter = 0; iter < 1000; iter++) {
        pml_bcast5 bc;
        size_t n1 = 1, n2 = 1, n = 1;
        for (int d = 0; d < 5; d++) {
            bc.out[d] = rnd(&seed, 1, 4);
            bc.in1[d] = rnd(&seed, 0, 2) ? bc.out[d] : 1;
            bc.in2[d] = rnd(&seed, 0, 2) ? bc.out[d] : 1;
            n1 *= (size_t)bc.in1[d];
            n2 *= (size_t)bc.in2[d];
            n *= (size_t)bc.out[d];
        }
        for (size_t i = 0; i < n1; i++) {
            a[i] = (int8_t)tu_rand(&seed);
            af[i] = (float)a[i] * 0.25f;
        }
        for (size_t i = 0; i < n2; i++) {
            b[i] = (int8_t)tu_rand(&seed);
            bf[i] = (float)b[i] * 0.25f;
        }
        const bool is_max = iter & 1;
        pml_maxmin_s8_ref(is_max, &bc, a, b, o8);
        pml_maxmin_f32_ref(is_max, &bc, af, bf, of);
        size_t bad = 0;
        for (size_t o = 0; o < n; o++) {
            size_t rem = o, i1 = 0, i2 = 0, s1 = 1, s2 = 1;
            for (int d = 4; d >= 0; d--) {
                const size_t c = rem % (size_t)bc.out[d];
                rem /= (size_t)bc.out[d];
                i1 += (bc.in1[d] == 1 ? 0 : c) * s1;
                i2 += (bc.in2[d] == 1 ? 0 : c) * s2;
                s1 *= (size_t)bc.in1[d];
                s2 *= (size_t)bc.in2[d];
            }
            const int8_t want = is_max ? (a[i1] > b[i2] ? a[i1] : b[i2]) : (a[i1] < b[i2] ? a[i1] : b[i2]);
            if (o8[o] != want || of[o] != (float)want * 0.25f) bad++;
        }
        if (bad) {
            PML_FAIL_AT("iter %d: %zu wrong elements", iter, bad);
            return;
        }
    }
}

static float hard_swish(float x) { return x * fminf(6.0f, fmaxf(0.0f, x + 3.0f)) / 6.0f; }

/* Derive the kernel parameters the way op_hard_swish.c does (float ratios, Q0.15 multipliers). */
static pml_hard_swish_params hs_params(float s_in, int32_t z_in, float s_out, int32_t z_out) {
    pml_hard_swish_params p;
    int32_t q, e;
    const float hires = (1.0f / 128.0f) * s_in;
    pml__quantize_multiplier((double)(hires / s_out), &q, &e);
    p.output_mult = (int16_t)(q >= INT32_MAX - (1 << 15) ? INT16_MAX : (q + (1 << 15)) >> 16);
    p.output_exp = e;
    pml__quantize_multiplier((double)(hires / (3.0f / 32768.0f)), &q, &e);
    p.reluish_mult = (int16_t)(q >= INT32_MAX - (1 << 15) ? INT16_MAX : (q + (1 << 15)) >> 16);
    p.reluish_exp = e;
    p.input_zp = z_in;
    p.output_zp = z_out;
    return p;
}

PML_TEST(hard_swish_s8_tracks_the_real_function) {
    /* Input ranges from narrow to wide (reluish exponent negative to positive); output quantized
     * for the real output range. The 16-bit pipeline loses a few bits against round(f(x)): allow one
     * output step. */
    static const float ranges[][2] = {{-0.2f, 0.3f}, {-1.0f, 2.0f}, {-5.0f, 5.0f}, {-6.0f, 12.0f}, {-30.0f, 40.0f}};
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        const float lo = ranges[r][0], hi = ranges[r][1];
        const float s_in = (hi - lo) / 255.0f;
        const int32_t z_in = (int32_t)lroundf(-128.0f - lo / s_in);
        const float ylo = lo <= -1.5f ? -0.375f : hard_swish(lo), yhi = hard_swish(hi); /* minimum at x = -1.5 */
        const float s_out = (yhi - fminf(ylo, 0.0f)) / 255.0f;
        const int32_t z_out = (int32_t)lroundf(-128.0f - fminf(ylo, 0.0f) / s_out);
        const pml_hard_swish_params p = hs_params(s_in, z_in, s_out, z_out);
        int8_t in[256], out[256];
        for (int i = 0; i < 256; i++) in[i] = (int8_t)(i - 128);
        pml_hard_swish_s8_ref(&p, 256, in, out);
        int worst = 0;
        for (int i = 0; i < 256; i++) {
            const float x = s_in * (float)(in[i] - z_in);
            long want = lroundf(hard_swish(x) / s_out) + z_out;
            want = want < -128 ? -128 : want > 127 ? 127 : want;
            const int d = abs((int)out[i] - (int)want);
            if (d > worst) worst = d;
        }
        printf("kernels3: hard_swish int8, input range [%g, %g]: at most %d output step(s) from round(f(x))\n", (double)lo,
               (double)hi, worst);
        if (worst > 1) PML_FAIL_AT("range [%g, %g]: %d output steps from round(f(x))", (double)lo, (double)hi, worst);
    }
}

PML_TEST(leaky_relu_s8_tracks_the_real_function) {
    static const float alphas[] = {0.2f, 0.01f, 0.3f, 1.7f, -0.5f, 0.0f};
    for (size_t k = 0; k < sizeof alphas / sizeof alphas[0]; k++) {
        const float alpha = alphas[k], s_in = 6.0f / 255.0f, s_out = 0.03f;
        const int32_t z_in = 3, z_out = -20;
        pml_leaky_relu_params p;
        p.input_zp = z_in;
        p.output_zp = z_out;
        pml__quantize_multiplier((double)(s_in * alpha / s_out), &p.alpha_mult, &p.alpha_shift);
        pml__quantize_multiplier((double)(s_in / s_out), &p.identity_mult, &p.identity_shift);
        int8_t in[256], out[256];
        for (int i = 0; i < 256; i++) in[i] = (int8_t)(i - 128);
        pml_leaky_relu_s8_ref(&p, 256, in, out);
        for (int i = 0; i < 256; i++) {
            const float x = s_in * (float)(in[i] - z_in), y = x > 0.0f ? x : x * alpha;
            long want = lroundf(y / s_out) + z_out;
            want = want < -128 ? -128 : want > 127 ? 127 : want;
            if (abs((int)out[i] - (int)want) > 1) {
                PML_FAIL_AT("alpha %g, x %g: got %d, want %ld", (double)alpha, (double)x, (int)out[i], want);
                break;
            }
        }
    }
}

PML_TEST(prelu_s8_tracks_the_real_function) {
    /* input [2, 3, 4] (every code pattern repeated), alpha [4] per channel, asymmetric alpha */
    const float s_in = 5.0f / 255.0f, s_a = 0.004f, s_out = 0.025f;
    const int32_t z_in = 25, z_a = -60, z_out = 40;
    pml_prelu_params p;
    p.input_zp = z_in;
    p.alpha_zp = z_a;
    p.output_zp = z_out;
    pml__quantize_multiplier((double)s_in / (double)s_out, &p.identity_mult, &p.identity_shift);
    pml__quantize_multiplier((double)s_in * (double)s_a / (double)s_out, &p.alpha_mult, &p.alpha_shift);
    const int32_t o5[5] = {1, 1, 2, 3, 4}, a5[5] = {1, 1, 1, 1, 4};
    pml_bcast5 b;
    memcpy(b.out, o5, sizeof o5);
    memcpy(b.in1, o5, sizeof o5);
    memcpy(b.in2, a5, sizeof a5);
    const int8_t alpha[4] = {-128, -60, 0, 127}; /* real -0.272, 0, 0.24, 0.748 */
    int8_t in[24], out[24];
    uint64_t seed = 0x9E1Dull;
    for (int iter = 0; iter < 200; iter++) {
        for (int i = 0; i < 24; i++) in[i] = (int8_t)tu_rand(&seed);
        pml_prelu_s8_ref(&p, &b, in, alpha, out);
        for (int i = 0; i < 24; i++) {
            const float x = s_in * (float)(in[i] - z_in), a = s_a * (float)(alpha[i % 4] - z_a);
            long want = lroundf((x >= 0.0f ? x : x * a) / s_out) + z_out;
            want = want < -128 ? -128 : want > 127 ? 127 : want;
            if (abs((int)out[i] - (int)want) > 1) {
                PML_FAIL_AT("x %g alpha %g: got %d, want %ld", (double)x, (double)a, (int)out[i], want);
                return;
            }
        }
    }
    float fin[24], fout[24];
    const float falpha[4] = {-0.5f, 0.0f, 0.25f, 2.0f};
    for (int i = 0; i < 24; i++) fin[i] = (float)(i - 12) * 0.5f;
    pml_prelu_f32_ref(&b, fin, falpha, fout);
    for (int i = 0; i < 24; i++) CHECK(fout[i] == (fin[i] >= 0.0f ? fin[i] : fin[i] * falpha[i % 4]));
}

PML_TEST(float_activations) {
    const float xs[] = {-4.0f, -3.0f, -1.5f, 0.0f, 1.0f, 3.0f, 5.0f};
    /* hard_swish: 0, 0, -1.5 * 1.5 / 6 = -0.375, 0, 1 * 4 / 6, 3 * 6 / 6 = 3, 5 */
    const float hs[] = {0.0f, 0.0f, -0.375f, 0.0f, 4.0f / 6.0f, 3.0f, 5.0f};
    float out[7];
    pml_hard_swish_f32_ref(7, xs, out);
    for (int i = 0; i < 7; i++) CHECK(fabsf(out[i] - hs[i]) <= 1e-6f);
    pml_leaky_relu_f32_ref(0.25f, 7, xs, out);
    /* x > 0 ? x : 0.25 x */
    const float lr[] = {-1.0f, -0.75f, -0.375f, 0.0f, 1.0f, 3.0f, 5.0f};
    for (int i = 0; i < 7; i++) CHECK(out[i] == lr[i]);
}

int main(void) {
    PML_RUN(strided_slice_visits_the_resolved_ranges);
    PML_RUN(transpose_moves_every_element_to_its_permuted_place);
    PML_RUN(maxmin_broadcasts_like_the_coordinates_say);
    PML_RUN(hard_swish_s8_tracks_the_real_function);
    PML_RUN(leaky_relu_s8_tracks_the_real_function);
    PML_RUN(prelu_s8_tracks_the_real_function);
    PML_RUN(float_activations);
    return PML_TEST_END("kernels3");
}
