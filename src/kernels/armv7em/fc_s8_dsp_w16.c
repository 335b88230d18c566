/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FULLY_CONNECTED int8, Arm v7E-M DSP, on offline-packed weights (src/format/pml_packed.h, kind
 * PML_PACKED_FC_W16X4, written by `picoml pack`): the weights are already int16 in SXTB16 lane
 * order and interleaved by 4 rows, and the input offset is folded into the bias. Per 4 input
 * elements: one input load and 2 SXTB16 shared by the four rows, then per row one LDRD and 2 SMLAD:
 * 15 instructions for 16 MACs (the int8 kernel, fc_s8_dsp.c, needs 23: the weights' SXTB16 and the
 * offset). The input is read in place (no buffer); a depth that is not a multiple of 4 ends with
 * one group built in C (the packed weights are zero there). Bit-exact twin: fc_s8_w16.c.
 */
#include "pml_dot_s8_dsp.h"

#define W16_ROW(a)                                                                                                     \
    "ldrd    %[w0], %[w1], [%[wp]], #8\n\t"                                                                            \
    "smlad   %[" a "], %[xe], %[w0], %[" a "]\n\t"                                                                     \
    "smlad   %[" a "], %[xo], %[w1], %[" a "]\n\t"
#define W16_GROUP                                                                                                      \
    "ldr     %[xo], [%[xp]], #4\n\t"                                                                                   \
    "sxtb16  %[xe], %[xo]\n\t"                                                                                         \
    "sxtb16  %[xo], %[xo], ror #8\n\t" W16_ROW("a0") W16_ROW("a1") W16_ROW("a2") W16_ROW("a3")
#define W16_OPERANDS                                                                                                   \
    : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [xp] "+r"(x), [wp] "+r"(w), [n] "+r"(n),            \
      [w0] "=&r"(w0), [w1] "=&r"(w1), [xe] "=&r"(xe), [xo] "=&r"(xo)                                                   \
    :                                                                                                                  \
    : "cc", "memory"

/* acc[r] += sum over the block's depth of x[i] * row_r[i] (ng full groups, then rem < 4 inputs) */
static PML_NOINLINE void dot4w16(const int8_t *x, const int16_t *w, int32_t ng, int32_t rem, int32_t acc[4]) {
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    uint32_t w0, w1, xe, xo;
    int32_t n = 1;
    for (int32_t g = ng & 3; g > 0; g--) __asm__(W16_GROUP W16_OPERANDS);
    n = ng >> 2;
    if (n > 0)
        __asm__("1:\n\t" W16_GROUP W16_GROUP W16_GROUP W16_GROUP "subs %[n], %[n], #1\n\tbne 1b\n\t" W16_OPERANDS);
    if (rem) {
        uint32_t xv = (uint8_t)x[0];
        if (rem > 1) xv |= (uint32_t)(uint8_t)x[1] << 8;
        if (rem > 2) xv |= (uint32_t)(uint8_t)x[2] << 16;
        const uint32_t e = pml__sxtb16(xv), o = pml__sxtb16_r8(xv);
        uint32_t wv[8];
        memcpy(wv, w, sizeof wv);
        a0 = pml__smlad(o, wv[1], pml__smlad(e, wv[0], a0));
        a1 = pml__smlad(o, wv[3], pml__smlad(e, wv[2], a1));
        a2 = pml__smlad(o, wv[5], pml__smlad(e, wv[4], a2));
        a3 = pml__smlad(o, wv[7], pml__smlad(e, wv[6], a3));
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* fast: per-tensor multiplier > 0 with shift -31..-1 and the full int8 range */
PML_INLINE void w16_rows(const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth, int32_t units,
                         const int8_t *in, const int32_t *bias, const int16_t *w, int8_t *out, bool fast) {
    const int32_t ooff = p->output_offset, lo = p->act_min, hi = p->act_max;
    const int32_t ng = depth >> 2, rem = depth & 3, bs = 16 * (ng + (rem != 0)), qs = q->count == 1 ? 0 : 1;
    const int32_t m = q->mult[0], r = -q->shift[0];
    const pml__rqf t = {m, fast ? (int32_t)((1u << r) >> 1) : 0, r};
    for (int32_t b = 0; b < batches; b++, in += depth, out += units) {
        const int16_t *wb = w;
        for (int32_t u = 0; u < units; wb += bs) {
            int32_t a[4] = {bias[u], bias[u + 1], bias[u + 2], bias[u + 3]}; /* padded to 4 rows */
            dot4w16(in, wb, ng, rem, a);
            const int32_t n = units - u < 4 ? units - u : 4;
            for (int32_t k = 0; k < n; k++, u++) {
                if (fast && (uint32_t)a[k] + 0x40000000u < 0x80000000u)
                    out[u] = (int8_t)pml__ssat8(pml__rqf_apply(a[k], &t, PML__RQF_NEG) + ooff);
                else
                    out[u] = pml__rq1_neg_dsp(a[k], q->mult[u * qs], q->shift[u * qs], q, u, ooff, lo, hi);
            }
            if (n < 4) break;
        }
    }
}

#define W16_ARGS                                                                                                       \
    const pml_fc_params *p, const pml_requant *q, int32_t batches, int32_t depth, int32_t units, const int8_t *in,     \
        const int32_t *bias, const int16_t *w, int8_t *out

static PML_NOINLINE PML__NOCLONE void w16_fast(W16_ARGS) {
    w16_rows(p, q, batches, depth, units, in, bias, w, out, true);
}
static PML_NOINLINE PML__NOCLONE void w16_any(W16_ARGS) {
    w16_rows(p, q, batches, depth, units, in, bias, w, out, false);
}

void pml_fc_s8_w16_dsp(W16_ARGS) {
    if (q->count == 1 && q->mult[0] > 0 && q->shift[0] >= -31 && q->shift[0] <= -1 && p->act_min == -128 &&
        p->act_max == 127)
        w16_fast(p, q, batches, depth, units, in, bias, w, out);
    else
        w16_any(p, q, batches, depth, units, in, bias, w, out);
}
