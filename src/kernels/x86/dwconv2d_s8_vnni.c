/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DEPTHWISE_CONV_2D int8, x86-64 AVX-VNNI (depth multiplier 1, dilation 1, channels a multiple of
 * 16; chosen at prepare when the CPU has AVX-VNNI).
 *
 * vpdpbusd adds four byte products per int32 lane, so taps go in groups of four: the inputs of
 * taps 4g..4g+3 for 32 channels are interleaved by two rounds of unpacks into four vectors whose
 * lanes hold one channel's four taps, and the weights, interleaved the same way once per call into
 * a stack table, multiply them. The input rows a strip of up to 8 output rows reads are copied,
 * with their padding, into a stack buffer made unsigned (x ^ 0x80 = x + 128; padding = zero point),
 * so every window is read in place at fixed offsets. Then
 *   sum_t w_t (x_t + off) = sum_t w_t (x_t + 128) + (off - 128) * sum_t w_t,
 * the last term folded into an effective bias; a padding tap adds w (zp + 128) + (off - 128) w = 0
 * since zp = -off, as the reference's skipped tap. The missing taps of the last group have weight 0.
 * A block of 16 channels uses the lower halves. Exact integer arithmetic (int32 wraps only where
 * the reference's true result fits): bit-exact. Stack: about 80 KB; nothing from the arena.
 */
#include <stddef.h>
#include <string.h>

#include "../conv_s8_loops.h"
#include "pml_dot_s8_vnni.h"

#define MAX_TAPS 32
#define MAX_GROUPS (MAX_TAPS / 4)
#define MAX_C 1024
#define TABLE_BYTES 16384 /* interleaved weights: groups x ceil(C / 32) x 128 bytes */
#define IMG_BYTES 32768   /* padded input rows of a strip of output rows, made unsigned */
#define STRIP 8           /* output rows per strip at most */

/* padded input columns one output row needs, times the channels, times the filter rows */
static size_t strip_row_bytes(const pml_conv_params *p, const pml_dims4 *f_d, const pml_dims4 *out_d, int32_t C) {
    return (size_t)((out_d->w - 1) * p->stride_w + f_d->w) * (size_t)C;
}

bool pml_dwconv2d_s8_vnni_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                  const pml_dims4 *out_d) {
    const int32_t T = f_d->h * f_d->w, C = in_d->c;
    return pml_dwconv2d_s8_fast_applies(p, in_d, f_d, out_d) && C % 16 == 0 && C <= MAX_C && T <= MAX_TAPS &&
           (int64_t)((T + 3) / 4) * ((C + 31) / 32) * 128 <= TABLE_BYTES &&
           strip_row_bytes(p, f_d, out_d, C) * (size_t)f_d->h <= IMG_BYTES && pml__x86_has_avxvnni();
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
    pml__rq8 rq[MAX_C / 8];       /* requantization constants per 8 channels ([0] if per-tensor) */
    uint8_t img[IMG_BYTES + 32];  /* padded input rows of a strip, x + 128 (+32: the copy's last store) */
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
    }
    const bool pc = q->count != 1;
    for (int32_t c = 0; c < (pc ? C : 8); c += 8) rq[c / 8] = pml__rq8_load(q, c, 8);
    const __m256i voff = _mm256_set1_epi32(p->output_offset);
    const __m128i lo8 = _mm_set1_epi8((char)p->act_min), hi8 = _mm_set1_epi8((char)p->act_max);
    const int32_t WP = (OW - 1) * p->stride_w + KW; /* padded columns the windows reach */
    const size_t rowb = (size_t)WP * C;
    int32_t SH = (int32_t)((IMG_BYTES / rowb - (size_t)KH) / (size_t)p->stride_h) + 1; /* output rows per strip */
    SH = SH < STRIP ? SH : STRIP;
    ptrdiff_t toff[MAX_GROUPS * 4]; /* tap offsets from the window origin; missing taps (weight 0) read the origin */
    for (int32_t t = 0; t < 4 * G; t++) toff[t] = t < T ? ((ptrdiff_t)(t / KW) * WP + t % KW) * C : 0;
    const uint8_t zu = (uint8_t)((-p->input_offset) ^ 0x80); /* the zero point, unsigned: padding */
    const int32_t x0 = p->pad_w < WP ? p->pad_w : WP, x1 = W + p->pad_w < WP ? W + p->pad_w : WP; /* input columns */
    for (int32_t b = 0; b < out_d->n; b++) {
        const int8_t *inb = in + (size_t)b * H * W * C;
        for (int32_t oy0 = 0; oy0 < OH; oy0 += SH) {
            const int32_t ns = OH - oy0 < SH ? OH - oy0 : SH, NR = (ns - 1) * p->stride_h + KH;
            for (int32_t r = 0; r < NR; r++) {
                const int32_t iy = oy0 * p->stride_h - p->pad_h + r;
                uint8_t *row = img + (size_t)r * rowb;
                if (iy < 0 || iy >= H) {
                    memset(row, zu, rowb);
                    continue;
                }
                memset(row, zu, (size_t)x0 * C);
                const int8_t *src = inb + (size_t)iy * W * C;
                for (size_t i = 0; i < (size_t)(x1 - x0) * C; i += 32)
                    _mm256_storeu_si256((__m256i *)(void *)(row + (size_t)x0 * C + i),
                                        _mm256_xor_si256(ld_ch(src + i, (size_t)(x1 - x0) * C - i < 32), flip));
                memset(row + (size_t)x1 * C, zu, (size_t)(WP - x1) * C);
            }
            for (int32_t oy = oy0; oy < oy0 + ns; oy++) {
                const uint8_t *rowo = img + (size_t)(oy - oy0) * p->stride_h * rowb;
                for (int32_t ox = 0; ox < OW; ox++) {
                    const uint8_t *org = rowo + (size_t)ox * p->stride_w * C;
                    int8_t *o = out + (((size_t)b * OH + oy) * OW + ox) * C;
                    const __m256i *wb = wt;
                    for (int32_t c0 = 0; c0 < C; c0 += 32, wb += 4 * G) {
                        const bool half = C - c0 < 32;
                        __m256i a0 = zero, a1 = zero, a2 = zero, a3 = zero;
                        for (int32_t g = 0; g < G; g++) {
                            __m256i x[4];
                            const uint8_t *tg = org + c0;
                            quads(ld_ch((const int8_t *)(tg + toff[4 * g]), half), ld_ch((const int8_t *)(tg + toff[4 * g + 1]), half),
                                  ld_ch((const int8_t *)(tg + toff[4 * g + 2]), half), ld_ch((const int8_t *)(tg + toff[4 * g + 3]), half),
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
                            pml__store16_s8(pml__outq8_avx2(v2, pc ? r + 2 : r, voff), pml__outq8_avx2(v3, pc ? r + 3 : r, voff),
                                            lo8, hi8, o + c0 + 16);
                        }
                    }
                }
            }
        }
    }
}
