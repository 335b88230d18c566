/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DEPTHWISE_CONV_2D int8, x86-64 AVX-VNNI (depth multiplier 1, dilation 1, channels a multiple of
 * 16; chosen at prepare when the CPU has AVX-VNNI).
 *
 * vpdpbusd adds four byte products per int32 lane, so taps go in groups of four: the inputs of
 * taps 4g..4g+3 for 32 channels are interleaved by two rounds of unpacks into four vectors whose
 * lanes hold one channel's four taps, and the weights, interleaved the same way once per call into
 * a stack table, multiply them. The input is made unsigned (x ^ 0x80 = x + 128), so
 *   sum_t w_t (x_t + off) = sum_t w_t (x_t + 128) + (off - 128) * sum_t w_t,
 * the last term folded into an effective bias. Taps in the padding, and the missing taps of the
 * last group (weight 0), read a buffer of input zero points: w (zp + 128) + (off - 128) w = 0
 * since zp = -off, as the reference's skipped tap. A block of 16 channels uses the lower halves.
 * Exact integer arithmetic (int32 wraps only where the reference's true result fits): bit-exact.
 */
#include <stddef.h>

#include "../conv_s8_loops.h"
#include "pml_dot_s8_vnni.h"

#define MAX_TAPS 32
#define MAX_GROUPS (MAX_TAPS / 4)
#define MAX_C 1024
#define TABLE_BYTES 16384 /* interleaved weights: groups x ceil(C / 32) x 128 bytes */

bool pml_dwconv2d_s8_vnni_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                  const pml_dims4 *out_d) {
    const int32_t T = f_d->h * f_d->w, C = in_d->c;
    return pml_dwconv2d_s8_fast_applies(p, in_d, f_d, out_d) && C % 16 == 0 && C <= MAX_C && T <= MAX_TAPS &&
           (int64_t)((T + 3) / 4) * ((C + 31) / 32) * 128 <= TABLE_BYTES && pml__x86_has_avxvnni();
}

/* Interleave four vectors of 32 bytes (taps t0..t3, channels c..c+31) into the tap-quad layout:
 * q[0] = channels 0-3 | 16-19, q[1] = 4-7 | 20-23, q[2] = 8-11 | 24-27, q[3] = 12-15 | 28-31. */
PML_INLINE void quads(__m256i v0, __m256i v1, __m256i v2, __m256i v3, __m256i q[4]) {
    const __m256i l01 = _mm256_unpacklo_epi8(v0, v1), h01 = _mm256_unpackhi_epi8(v0, v1);
    const __m256i l23 = _mm256_unpacklo_epi8(v2, v3), h23 = _mm256_unpackhi_epi8(v2, v3);
    q[0] = _mm256_unpacklo_epi16(l01, l23);
    q[1] = _mm256_unpackhi_epi16(l01, l23);
    q[2] = _mm256_unpacklo_epi16(h01, h23);
    q[3] = _mm256_unpackhi_epi16(h01, h23);
}

/* 16 or 32 bytes at p (the upper half zero for 16) */
PML_INLINE __m256i ld_ch(const int8_t *p, bool half) {
    return half ? _mm256_zextsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)p))
                : _mm256_loadu_si256((const __m256i *)(const void *)p);
}

void pml_dwconv2d_s8_vnni(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                          const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d,
                          int8_t *out) {
    const int32_t H = in_d->h, W = in_d->w, C = in_d->c, KH = f_d->h, KW = f_d->w, T = KH * KW, G = (T + 3) / 4;
    const int32_t OH = out_d->h, OW = out_d->w;
    __m256i wt[TABLE_BYTES / 32]; /* [C / 32 blocks][G][4]: weight quads of a block */
    int32_t eb[MAX_C];            /* bias + (off - 128) * sum_t w_t, per channel     */
    int8_t zpb[MAX_C];            /* input zero point: the padding taps' input       */
    pml__rq8 rq[MAX_C / 8];       /* requantization constants per 8 channels ([0] if per-tensor) */
    const int8_t *tp[MAX_GROUPS * 4]; /* one output pixel's tap pointers (block offset added later) */
    const __m256i zero = _mm256_setzero_si256(), flip = _mm256_set1_epi8((char)0x80);
    const uint32_t k = (uint32_t)(p->input_offset - 128);
    for (int32_t c0 = 0, bk = 0; c0 < C; c0 += 32, bk++) {
        const bool half = C - c0 < 32;
        for (int32_t g = 0; g < G; g++) {
            __m256i v[4];
            for (int32_t i = 0; i < 4; i++) v[i] = 4 * g + i < T ? ld_ch(filter + (size_t)(4 * g + i) * C + c0, half) : zero;
            quads(v[0], v[1], v[2], v[3], &wt[((size_t)bk * G + g) * 4]);
        }
    }
    for (int32_t c = 0; c < C; c++) {
        int32_t sw = 0;
        for (int32_t t = 0; t < T; t++) sw += filter[(size_t)t * C + c];
        eb[c] = (int32_t)((uint32_t)(bias ? bias[c] : 0) + k * (uint32_t)sw);
        zpb[c] = (int8_t)(-p->input_offset);
    }
    const bool pc = q->count != 1;
    for (int32_t c = 0; c < (pc ? C : 8); c += 8) rq[c / 8] = pml__rq8_load(q, c, 8);
    const __m256i voff = _mm256_set1_epi32(p->output_offset);
    const __m128i lo8 = _mm_set1_epi8((char)p->act_min), hi8 = _mm_set1_epi8((char)p->act_max);
    for (int32_t t = T; t < 4 * G; t++) tp[t] = zpb; /* weight 0 */
    ptrdiff_t toff[MAX_TAPS];                        /* tap offsets from the window origin, in bytes */
    for (int32_t t = 0; t < T; t++) toff[t] = ((ptrdiff_t)(t / KW) * W + t % KW) * C;
    for (int32_t b = 0; b < out_d->n; b++) {
        const int8_t *inb = in + (size_t)b * H * W * C;
        for (int32_t oy = 0; oy < OH; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            for (int32_t ox = 0; ox < OW; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                if (iy0 >= 0 && ix0 >= 0 && iy0 + KH <= H && ix0 + KW <= W) {
                    const int8_t *org = inb + ((size_t)iy0 * W + ix0) * C;
                    for (int32_t t = 0; t < T; t++) tp[t] = org + toff[t];
                } else {
                    for (int32_t t = 0, ty = 0, tx = 0; t < T; t++) {
                        const int32_t y = iy0 + ty, x = ix0 + tx;
                        tp[t] = (y >= 0 && y < H && x >= 0 && x < W) ? inb + ((size_t)y * W + x) * C : zpb;
                        if (++tx == KW) {
                            tx = 0;
                            ty++;
                        }
                    }
                }
                int8_t *o = out + (((size_t)b * OH + oy) * OW + ox) * C;
                const __m256i *wb = wt;
                for (int32_t c0 = 0; c0 < C; c0 += 32, wb += 4 * G) {
                    const bool half = C - c0 < 32;
                    __m256i a0 = zero, a1 = zero, a2 = zero, a3 = zero;
                    for (int32_t g = 0; g < G; g++) {
                        __m256i x[4];
                        quads(_mm256_xor_si256(ld_ch(tp[4 * g] + c0, half), flip), _mm256_xor_si256(ld_ch(tp[4 * g + 1] + c0, half), flip),
                              _mm256_xor_si256(ld_ch(tp[4 * g + 2] + c0, half), flip), _mm256_xor_si256(ld_ch(tp[4 * g + 3] + c0, half), flip),
                              x);
                        a0 = pml__dpbusd(a0, x[0], wb[4 * g]);
                        a1 = pml__dpbusd(a1, x[1], wb[4 * g + 1]);
                        a2 = pml__dpbusd(a2, x[2], wb[4 * g + 2]);
                        a3 = pml__dpbusd(a3, x[3], wb[4 * g + 3]);
                    }
                    /* natural channel order: c0..c0+7, +8..15, +16..23, +24..31 */
                    const __m256i v0 = _mm256_add_epi32(_mm256_permute2x128_si256(a0, a1, 0x20),
                                                        _mm256_loadu_si256((const __m256i *)(const void *)(eb + c0)));
                    const __m256i v1 = _mm256_add_epi32(_mm256_permute2x128_si256(a2, a3, 0x20),
                                                        _mm256_loadu_si256((const __m256i *)(const void *)(eb + c0 + 8)));
                    const pml__rq8 *r = pc ? &rq[c0 / 8] : rq;
                    pml__store16_s8(pml__outq8_avx2(v0, r, voff), pml__outq8_avx2(v1, pc ? r + 1 : r, voff), lo8, hi8, o + c0);
                    if (!half) {
                        const __m256i v2 = _mm256_add_epi32(_mm256_permute2x128_si256(a0, a1, 0x31),
                                                            _mm256_loadu_si256((const __m256i *)(const void *)(eb + c0 + 16)));
                        const __m256i v3 = _mm256_add_epi32(_mm256_permute2x128_si256(a2, a3, 0x31),
                                                            _mm256_loadu_si256((const __m256i *)(const void *)(eb + c0 + 24)));
                        pml__store16_s8(pml__outq8_avx2(v2, pc ? r + 2 : r, voff), pml__outq8_avx2(v3, pc ? r + 3 : r, voff), lo8,
                                        hi8, o + c0 + 16);
                    }
                }
            }
        }
    }
}
