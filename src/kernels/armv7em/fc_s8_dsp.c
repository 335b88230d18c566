/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FULLY_CONNECTED int8, Arm v7E-M DSP (symmetric weights).
 *
 * Four units (weight rows) per pass over the input row. Per 4 input elements: one input load
 * widened with the offset by 2 SXTAB16 and shared by the four rows, then per row one weight load,
 * 2 SXTB16 and 2 SMLAD: 23 instructions for 16 MACs (inline asm: the 14 live values fill r0-r12 and
 * lr; the rows are addressed as p0, p0 + D, p2, p2 + D so that two pointers and the row stride D
 * reach all four). Requantization per output: the SMMLAR NEG form where it is exact, else the
 * reference helper. No scratch, a few words of stack.
 */
#include "pml_dot_s8_dsp.h"

bool pml_fc_s8_dsp_applies(const pml_fc_params *p) { return p->weights_offset == 0; }

/* one group of 4 inputs for rows p0, p0 + d, p2, p2 + d (the loads through p0 / p2 step them) */
#define FC4_GROUP                                                                                                      \
    "ldr     %[w], [%[xp]], #4\n\t"                                                                                    \
    "sxtab16 %[xe], %[o2], %[w]\n\t"                                                                                   \
    "sxtab16 %[xo], %[o2], %[w], ror #8\n\t"                                                                           \
    "ldr     %[w], [%[p0], %[d]]\n\t"                                                                                  \
    "sxtb16  %[wt], %[w]\n\t"                                                                                          \
    "sxtb16  %[w], %[w], ror #8\n\t"                                                                                   \
    "smlad   %[a1], %[xe], %[wt], %[a1]\n\t"                                                                           \
    "smlad   %[a1], %[xo], %[w], %[a1]\n\t"                                                                            \
    "ldr     %[w], [%[p0]], #4\n\t"                                                                                    \
    "sxtb16  %[wt], %[w]\n\t"                                                                                          \
    "sxtb16  %[w], %[w], ror #8\n\t"                                                                                   \
    "smlad   %[a0], %[xe], %[wt], %[a0]\n\t"                                                                           \
    "smlad   %[a0], %[xo], %[w], %[a0]\n\t"                                                                            \
    "ldr     %[w], [%[p2], %[d]]\n\t"                                                                                  \
    "sxtb16  %[wt], %[w]\n\t"                                                                                          \
    "sxtb16  %[w], %[w], ror #8\n\t"                                                                                   \
    "smlad   %[a3], %[xe], %[wt], %[a3]\n\t"                                                                           \
    "smlad   %[a3], %[xo], %[w], %[a3]\n\t"                                                                            \
    "ldr     %[w], [%[p2]], #4\n\t"                                                                                    \
    "sxtb16  %[wt], %[w]\n\t"                                                                                          \
    "sxtb16  %[w], %[w], ror #8\n\t"                                                                                   \
    "smlad   %[a2], %[xe], %[wt], %[a2]\n\t"                                                                           \
    "smlad   %[a2], %[xo], %[w], %[a2]\n\t"

#define FC4_OPERANDS                                                                                                   \
    : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [xp] "+r"(x), [p0] "+r"(p0), [p2] "+r"(p2),        \
      [n] "+r"(n), [w] "=&r"(wv), [wt] "=&r"(wt), [xe] "=&r"(xe), [xo] "=&r"(xo)                                       \
    : [d] "r"(D), [o2] "r"(o2)                                                                                         \
    : "cc", "memory"

/* acc[r] += sum over i < 4 * ng of (x[i] + off) * row_r[i], rows r = 0..3 at w + r * D (ng >= 1).
 * noinline: inlined into the row loop, GCC finds no 14 free registers for the asm */
static PML_NOINLINE void dot4rows(const int8_t *x, const int8_t *w, int32_t D, int32_t ng, uint32_t o2, int32_t acc[4]) {
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    const int8_t *p0 = w, *p2 = w + 2 * D;
    uint32_t wv, wt, xe, xo;
    int32_t n = 1;
    for (int32_t g = ng & 3; g > 0; g--) __asm__(FC4_GROUP FC4_OPERANDS);
    n = ng >> 2;
    if (n > 0)
        __asm__("1:\n\t" FC4_GROUP FC4_GROUP FC4_GROUP FC4_GROUP "subs %[n], %[n], #1\n\tbne 1b\n\t" FC4_OPERANDS);
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* one row: acc += sum over i < 4 * ng of (x[i] + off) * w[i] */
PML_INLINE int32_t dot1row(const int8_t *x, const int8_t *w, int32_t ng, uint32_t o2, int32_t acc) {
    for (int32_t g = 0; g < ng; g++, x += 4, w += 4) {
        const uint32_t xv = pml__ld32(x), wv = pml__ld32(w);
        acc = pml__smlad(pml__sxtab16(o2, xv), pml__sxtb16(wv), acc);
        acc = pml__smlad(pml__sxtab16_r8(o2, xv), pml__sxtb16_r8(wv), acc);
    }
    return acc;
}

/* fast: per-tensor multiplier >= 0 with shift -31..-1 (m, r, rnd hoisted) and the full int8 range */
PML_INLINE void fc_rows(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth, int32_t units,
                        const int8_t *in, const int8_t *w, const int32_t *bias, int8_t *out, bool fast) {
    const int32_t off = p->input_offset, ooff = p->output_offset, lo = p->act_min, hi = p->act_max;
    const uint32_t o2 = pml__off2(off);
    const int32_t ng = depth >> 2, t0 = ng * 4, qs = q->count == 1 ? 0 : 1;
    const int32_t m = q->mult[0], r = -q->shift[0];
    const pml__rqf t = {m, fast ? (int32_t)((1u << r) >> 1) : 0, r};
    for (int32_t b = 0; b < batches; b++, in += depth, out += units) {
        const int8_t *wr = w;
        int32_t u = 0;
        for (; u < units; wr += 4 * depth) {
            int32_t a[4] = {0, 0, 0, 0};
            const int32_t n = units - u < 4 ? units - u : 4;
            if (bias) { /* no loop or memcpy: GCC would call memcpy */
                a[0] = bias[u];
                if (n > 1) a[1] = bias[u + 1];
                if (n > 2) a[2] = bias[u + 2];
                if (n > 3) a[3] = bias[u + 3];
            }
            if (n == 4) {
                if (ng) dot4rows(in, wr, depth, ng, o2, a);
                for (int32_t i = t0; i < depth; i++) {
                    const int32_t xv = in[i] + off;
                    for (int32_t k = 0; k < 4; k++) a[k] += xv * wr[k * depth + i];
                }
            } else {
                for (int32_t k = 0; k < n; k++) {
                    a[k] = dot1row(in, wr + k * depth, ng, o2, a[k]);
                    for (int32_t i = t0; i < depth; i++) a[k] += (in[i] + off) * wr[k * depth + i];
                }
            }
            for (int32_t k = 0; k < n; k++, u++) {
                if (fast && (uint32_t)a[k] + 0x40000000u < 0x80000000u)
                    out[u] = (int8_t)pml__ssat8(pml__rqf_apply(a[k], &t, PML__RQF_NEG) + ooff);
                else
                    out[u] = pml__rq1_neg_dsp(a[k], q->mult[u * qs], q->shift[u * qs], q, u, ooff, lo, hi);
            }
        }
    }
}

#define FC_ARGS                                                                                                        \
    const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth, int32_t units, const int8_t *in,     \
        const int8_t *w, const int32_t *bias, int8_t *out

static PML_NOINLINE PML__NOCLONE void fc_fast(FC_ARGS) { fc_rows(p, q, batches, depth, units, in, w, bias, out, true); }
static PML_NOINLINE PML__NOCLONE void fc_any(FC_ARGS) { fc_rows(p, q, batches, depth, units, in, w, bias, out, false); }

void pml_fc_s8_dsp(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth, int32_t units,
                   const int8_t *in, const int8_t *w, const int32_t *bias, int8_t *out) {
    if (q->count == 1 && q->mult[0] > 0 && q->shift[0] >= -31 && q->shift[0] <= -1 && p->act_min == -128 &&
        p->act_max == 127)
        fc_fast(p, q, batches, depth, units, in, w, bias, out);
    else
        fc_any(p, q, batches, depth, units, in, w, bias, out);
}
