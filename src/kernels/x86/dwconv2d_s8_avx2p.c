/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DEPTHWISE_CONV_2D int8, x86-64 AVX2, tap pairs (depth multiplier 1, dilation 1, channels a
 * multiple of 16, the interleaved weights fit a small stack table).
 *
 * Per call the weights of taps (2i, 2i+1) are interleaved as int16 pairs into a stack table, per
 * block of 16 channels, and the input offset is folded into an effective bias:
 *   sum_t w_t (x_t + off) = sum_t w_t x_t + off * sum_t w_t.
 * Per output pixel every tap gets a pointer: into the input, or, for a tap in the padding, to a
 * buffer of input zero points (x = -off, so the tap adds w (x + off) = 0, as the reference's skipped
 * tap does). The inner loop then has no bounds tests: inputs of two taps are widened and
 * interleaved like the weights, and vpmaddwd forms w0 x0 + w1 x1 for 8 channels at once. The sums
 * are requantized in registers. Exact integer arithmetic (int32 wraps only where the reference's
 * true result fits): bit-exact with the reference.
 */
#include <stddef.h>

#include "../conv_s8_loops.h"
#include "pml_dot_s8_avx2.h"

#define MAX_TAPS 32
#define TABLE_BYTES 16384 /* interleaved weights: (taps + 1) / 2 pairs x channels x 4 bytes */
#define MAX_C 1024        /* per-channel requantization constants on the stack: 24 bytes per channel */

bool pml_dwconv2d_s8_avx2p_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                   const pml_dims4 *out_d) {
    const int32_t T = f_d->h * f_d->w;
    return pml_dwconv2d_s8_fast_applies(p, in_d, f_d, out_d) && in_d->c % 16 == 0 && in_d->c <= MAX_C && T <= MAX_TAPS &&
           (int64_t)((T + 1) / 2) * in_d->c * 4 <= TABLE_BYTES;
}

void pml_dwconv2d_s8_avx2p(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                           const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d,
                           int8_t *out) {
    const int32_t H = in_d->h, W = in_d->w, C = in_d->c, KH = f_d->h, KW = f_d->w, T = KH * KW, NP = (T + 1) / 2;
    const int32_t OH = out_d->h, OW = out_d->w;
    __m256i wt[TABLE_BYTES / 32];     /* [C / 16][NP][2]: pairs of block c0, channels 0-3|8-11 then 4-7|12-15 */
    int32_t eb[MAX_C];                /* bias + off * sum_t w_t, per channel                                 */
    int8_t zpb[MAX_C];                /* input zero point, C bytes: the padding taps' input                  */
    pml__rq8 rq[MAX_C / 8];           /* requantization constants per 8 channels (one entry if per-tensor)  */
    const int8_t *tp[MAX_TAPS + 1];   /* one output pixel's tap pointers (block offset c0 added later)      */
    const __m256i zero = _mm256_setzero_si256();
    const uint32_t off = (uint32_t)p->input_offset;
    for (int32_t c0 = 0; c0 < C; c0 += 16) {
        __m256i *wb = wt + (size_t)(c0 / 16) * NP * 2;
        for (int32_t i = 0; i < NP; i++) {
            const __m256i w0 = pml__ld16_s8(filter + (size_t)(2 * i) * C + c0);
            const __m256i w1 = 2 * i + 1 < T ? pml__ld16_s8(filter + (size_t)(2 * i + 1) * C + c0) : zero;
            wb[2 * i] = _mm256_unpacklo_epi16(w0, w1);
            wb[2 * i + 1] = _mm256_unpackhi_epi16(w0, w1);
        }
    }
    for (int32_t c = 0; c < C; c++) {
        int32_t sw = 0;
        for (int32_t t = 0; t < T; t++) sw += filter[(size_t)t * C + c];
        eb[c] = (int32_t)((uint32_t)(bias ? bias[c] : 0) + off * (uint32_t)sw);
    }
    for (int32_t c = 0; c < C; c++) zpb[c] = (int8_t)(-p->input_offset);
    const bool pc = q->count != 1;
    for (int32_t c = 0; c < (pc ? C : 8); c += 8) rq[c / 8] = pml__rq8_load(q, c, 8);
    const __m256i voff = _mm256_set1_epi32(p->output_offset);
    const __m128i lo8 = _mm_set1_epi8((char)p->act_min), hi8 = _mm_set1_epi8((char)p->act_max);
    tp[T] = zpb; /* partner of the last tap when T is odd; its weights are 0 */
    for (int32_t b = 0; b < out_d->n; b++) {
        const int8_t *inb = in + (size_t)b * H * W * C;
        for (int32_t oy = 0; oy < OH; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            for (int32_t ox = 0; ox < OW; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                for (int32_t t = 0; t < T; t++) {
                    const int32_t y = iy0 + t / KW, x = ix0 + t % KW;
                    tp[t] = (y >= 0 && y < H && x >= 0 && x < W) ? inb + ((size_t)y * W + x) * C : zpb;
                }
                int8_t *o = out + (((size_t)b * OH + oy) * OW + ox) * C;
                const __m256i *wb = wt;
                for (int32_t c0 = 0; c0 < C; c0 += 16, wb += 2 * NP) {
                    __m256i alo = zero, ahi = zero;
                    for (int32_t i = 0; i < NP; i++) {
                        const __m256i x0 = pml__ld16_s8(tp[2 * i] + c0), x1 = pml__ld16_s8(tp[2 * i + 1] + c0);
                        alo = _mm256_add_epi32(alo, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1), wb[2 * i]));
                        ahi = _mm256_add_epi32(ahi, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1), wb[2 * i + 1]));
                    }
                    /* unpack order: alo = channels 0-3 | 8-11, ahi = 4-7 | 12-15 */
                    const __m256i v0 = _mm256_add_epi32(_mm256_permute2x128_si256(alo, ahi, 0x20),
                                                        _mm256_loadu_si256((const __m256i *)(const void *)(eb + c0)));
                    const __m256i v1 = _mm256_add_epi32(_mm256_permute2x128_si256(alo, ahi, 0x31),
                                                        _mm256_loadu_si256((const __m256i *)(const void *)(eb + c0 + 8)));
                    const pml__rq8 *r0 = pc ? &rq[c0 / 8] : &rq[0], *r1 = pc ? &rq[c0 / 8 + 1] : &rq[0];
                    pml__store16_s8(pml__outq8_avx2(v0, r0, voff), pml__outq8_avx2(v1, r1, voff), lo8, hi8, o + c0);
                }
            }
        }
    }
}
