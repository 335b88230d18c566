/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the Arm Helium (M-profile Vector Extension, Cortex-M55) kernels in src/kernels/mve,
 * built when PML_KERNELS_MVE is defined (ports/Makefile PML_KERNELS=mve).
 *
 * pml__mbqm_mve: the reference's MultiplyByQuantizedMultiplier (src/common/pml_quant.c) on 4 lanes:
 *   x << left         VSHL (register), wraps like the reference's (uint32_t)x << left
 *   srdhm             VQRDMULH: (2ab + 2^31) >> 32 = floor((ab + 2^30) / 2^31), ties towards +inf and
 *                     INT32_MIN * INT32_MIN saturated, as gemmlowp's SaturatingRoundingDoublingHighMul
 *   rdivpot(h, r)     VRSHL by -r rounds ties towards +inf; gemmlowp rounds them away from zero, so a
 *                     negative h first gets -1 (VQADD: INT32_MIN stays, it has no tie). With r = 0 the
 *                     fix-up is 0 (h & -0 = 0).
 * Every lane equals pml__mbqm(x, mult, shift) for shift in -31..31 (the prop test checks the kernels).
 */
#ifndef PML_MVE_H
#define PML_MVE_H

#include <arm_mve.h>

#include "../pml_kernels.h"

/* per-lane requantization parameters: mult, left shift (>= 0), minus the right shift (-31..0) */
typedef struct pml__rq4 {
    int32x4_t mult, left, negright;
} pml__rq4;

PML_INLINE pml__rq4 pml__rq4_make(int32x4_t mult, int32x4_t shift) {
    const pml__rq4 r = {mult, vmaxq_s32(shift, vdupq_n_s32(0)),
                        vmaxq_s32(vminq_s32(shift, vdupq_n_s32(0)), vdupq_n_s32(-31))};
    return r;
}

/* channels c .. c + 3 of q (c + 3 may pass the last channel: those lanes are zero and never stored) */
PML_INLINE pml__rq4 pml__rq4_load(const pml_requant *q, int32_t c, mve_pred16_t p32) {
    if (q->count == 1)
        return pml__rq4_make(vdupq_n_s32(q->mult[0]), vdupq_n_s32(q->shift[0]));
    return pml__rq4_make(vldrwq_z_s32(q->mult + c, p32), vldrbq_z_s32(q->shift + c, p32));
}

/* noleft: every lane's shift is <= 0 (no left shift: one instruction and two registers fewer) */
PML_INLINE int32x4_t pml__mbqm_mve_nl(int32x4_t x, const pml__rq4 *r, bool noleft) {
    const int32x4_t h = vqrdmulhq_s32(noleft ? x : vshlq_s32(x, r->left), r->mult);
    const int32x4_t fix = vshrq_n_s32(vandq_s32(h, r->negright), 31);
    return vrshlq_s32(vqaddq_s32(h, fix), r->negright);
}

PML_INLINE int32x4_t pml__mbqm_mve(int32x4_t x, const pml__rq4 *r) {
    const int32x4_t h = vqrdmulhq_s32(vshlq_s32(x, r->left), r->mult);
    const int32x4_t fix = vshrq_n_s32(vandq_s32(h, r->negright), 31);
    return vrshlq_s32(vqaddq_s32(h, fix), r->negright);
}

/* requantize 4 accumulators, add the output offset, clamp, store the lanes of p32 as int8 */
PML_INLINE void pml__rq4_store(int8_t *out, int32x4_t acc, const pml__rq4 *r, int32_t ooff, int32_t lo, int32_t hi,
                               mve_pred16_t p32) {
    int32x4_t v = vaddq_n_s32(pml__mbqm_mve(acc, r), ooff);
    v = vminq_s32(vmaxq_s32(v, vdupq_n_s32(lo)), vdupq_n_s32(hi));
    vstrbq_p_s32(out, v, p32);
}

/* lanes 0..3 = a, b, c, d */
PML_INLINE int32x4_t pml__v4(int32_t a, int32_t b, int32_t c, int32_t d) {
    int32x4_t v = vdupq_n_s32(a);
    v = vsetq_lane_s32(b, v, 1);
    v = vsetq_lane_s32(c, v, 2);
    return vsetq_lane_s32(d, v, 3);
}

/* One step of 16 (or, predicated, fewer) bytes: VMLADAVA of x with each row; with SUMS also the
 * row sums (VADDVA). The predicated loads read (and fault on) only the active bytes, the others are 0. */
#define PML__DOT4_STEP(LD, SUMS)                                                                                       \
    do {                                                                                                               \
        const int8x16_t xv = LD(x + i), w0 = LD(r0 + i), w1 = LD(r1 + i), w2 = LD(r2 + i), w3 = LD(r3 + i);            \
        d0 = vmladavaq_s8(d0, xv, w0);                                                                                 \
        d1 = vmladavaq_s8(d1, xv, w1);                                                                                 \
        d2 = vmladavaq_s8(d2, xv, w2);                                                                                 \
        d3 = vmladavaq_s8(d3, xv, w3);                                                                                 \
        if (SUMS) {                                                                                                    \
            s0 = vaddvaq_s8(s0, w0);                                                                                   \
            s1 = vaddvaq_s8(s1, w1);                                                                                   \
            s2 = vaddvaq_s8(s2, w2);                                                                                   \
            s3 = vaddvaq_s8(s3, w3);                                                                                   \
        }                                                                                                              \
    } while (0)
#define PML__LD_Z(ptr) vldrbq_z_s8((ptr), tp)

/* Lanes k = 0..3: sum of x[i] * rk[i] over i < n, 16 int8 MACs per VMLADAVA; with sums != NULL
 * also *sums = the row sums (the input offset then enters as offset * row sum). */
PML_INLINE int32x4_t pml__dot4_s8_mve(const int8_t *x, const int8_t *r0, const int8_t *r1, const int8_t *r2,
                                      const int8_t *r3, int32_t n, int32x4_t *sums) {
    int32_t d0 = 0, d1 = 0, d2 = 0, d3 = 0, s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int32_t i = 0;
    if (sums) {
        for (; i + 16 <= n; i += 16)
            PML__DOT4_STEP(vldrbq_s8, 1);
        if (i < n) {
            const mve_pred16_t tp = vctp8q((uint32_t)(n - i));
            PML__DOT4_STEP(PML__LD_Z, 1);
        }
        *sums = pml__v4(s0, s1, s2, s3);
    } else {
        for (; i + 16 <= n; i += 16)
            PML__DOT4_STEP(vldrbq_s8, 0);
        if (i < n) {
            const mve_pred16_t tp = vctp8q((uint32_t)(n - i));
            PML__DOT4_STEP(PML__LD_Z, 0);
        }
    }
    return pml__v4(d0, d1, d2, d3);
}

/* The same over `rows` runs of n bytes: run j at x + j * xs and rk + j * rs (interior convolution
 * pixels: one run per filter row); the four sums stay in scalars until the end. */
PML_INLINE int32x4_t pml__dot4r_s8_mve(const int8_t *x, size_t xs, const int8_t *r0, const int8_t *r1, const int8_t *r2,
                                       const int8_t *r3, size_t rs, int32_t rows, int32_t n) {
    int32_t d0 = 0, d1 = 0, d2 = 0, d3 = 0, s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    (void)s0, (void)s1, (void)s2, (void)s3;
    const int32_t nf = n & ~15;
    const mve_pred16_t tp = vctp8q((uint32_t)(n - nf));
    for (int32_t j = 0; j < rows; j++, x += xs, r0 += rs, r1 += rs, r2 += rs, r3 += rs) {
        int32_t i = 0;
        for (; i < nf; i += 16)
            PML__DOT4_STEP(vldrbq_s8, 0);
        if (i < n)
            PML__DOT4_STEP(PML__LD_Z, 0);
    }
    return pml__v4(d0, d1, d2, d3);
}

/* lanes k = 0..3: sum of rk[0..n) */
PML_INLINE int32x4_t pml__sum4_s8_mve(const int8_t *r0, const int8_t *r1, const int8_t *r2, const int8_t *r3,
                                      int32_t n) {
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int32_t i = 0; i < n; i += 16) {
        const mve_pred16_t tp = vctp8q((uint32_t)(n - i));
        s0 = vaddvaq_s8(s0, vldrbq_z_s8(r0 + i, tp));
        s1 = vaddvaq_s8(s1, vldrbq_z_s8(r1 + i, tp));
        s2 = vaddvaq_s8(s2, vldrbq_z_s8(r2 + i, tp));
        s3 = vaddvaq_s8(s3, vldrbq_z_s8(r3 + i, tp));
    }
    return pml__v4(s0, s1, s2, s3);
}

/* bias[c .. c + 3] (lanes beyond p32, or no bias: 0) */
PML_INLINE int32x4_t pml__bias4_mve(const int32_t *bias, int32_t c, mve_pred16_t p32) {
    return bias ? vldrwq_z_s32(bias + c, p32) : vdupq_n_s32(0);
}

#endif
