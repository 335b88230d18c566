/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DEPTHWISE_CONV_2D int8, x86-64 AVX2 (depth multiplier 1, dilation 1, channels a multiple of 8):
 * the AVX2 twin of dwconv2d_s8_vnni.c, with the same loop structure (channels outer, weights in
 * registers, a ring of KH rows of column groups formed once per input column) and vpmaddwd in
 * place of vpdpbusd: a group holds two taps (columns x, x+1) of 8 channels as int16 pairs with the
 * input offset added, so padding (the zero point) becomes 0 and no bias correction is needed; an
 * output pixel is KH * ceil(KW / 2) vpmaddwd per 8 channels. (x + off) is in [-255, 255], so a
 * pair sum fits easily in int32: exact, bit-exact with the reference. Stack: about 40 KB.
 */
#include <stddef.h>
#include <string.h>

#include "../conv_s8_loops.h"
#include "pml_dot_s8_avx2.h"

#define MAX_WT 32        /* KH * ceil(KW / 2) weight pairs per 8 channels */
#define QBUF_BYTES 32768 /* ring of KH rows: KH * WQ * 32 bytes per 8 channels of the block */
#define MAX_COLS 512     /* column groups per row */

/* the geometry the kernel runs: a one-column problem turned into a one-row one */
typedef struct geom {
    int32_t H, W, C, KH, KW, OH, OW, sh, sw, ph, pw;
    int32_t NS, G, WQ; /* 8-channel planes per block (1 or 2), groups per filter row, group columns */
} geom;

static void get_geom(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d, const pml_dims4 *out_d, geom *g) {
    if (in_d->w == 1 && f_d->w == 1 && out_d->w == 1 && p->pad_w == 0 && in_d->h > 1) {
        *g = (geom){1, in_d->h, in_d->c, 1, f_d->h, 1, out_d->h, p->stride_w, p->stride_h, 0, p->pad_h, 0, 0, 0};
    } else {
        *g = (geom){in_d->h, in_d->w, in_d->c, f_d->h, f_d->w, out_d->h, out_d->w, p->stride_h, p->stride_w, p->pad_h, p->pad_w,
                    0, 0, 0};
    }
    g->NS = g->C % 16 == 0 ? 2 : 1;
    g->G = (g->KW + 1) / 2;
    g->WQ = (g->OW - 1) * g->sw + 2 * (g->G - 1) + 1;
}

bool pml_dwconv2d_s8_avx2r_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                   const pml_dims4 *out_d) {
    if (!pml_dwconv2d_s8_fast_applies(p, in_d, f_d, out_d) || in_d->c % 8 != 0) return false;
    geom g;
    get_geom(p, in_d, f_d, out_d, &g);
    /* up to 2x2 output pixels per image the per-block setup (weight pairs, forming every column
     * the windows read) costs more than the generic kernel's direct products (kernel-only timings:
     * 1 pixel 0.60 vs 0.28 us, 2x2 from 2x2x64 0.45 vs 0.27, from 4x4x32 0.23 vs 0.21, from 6x6x128
     * stride 2 0.80 vs 0.71); from 3x3 outputs on (5x5x64: 0.70 vs 0.85 us) this kernel wins */
    if ((int64_t)g.OH * g.OW <= 4) return false;
    return (int64_t)g.KH * g.G <= MAX_WT && g.WQ <= MAX_COLS && (int64_t)g.KH * g.WQ * g.NS * 32 <= QBUF_BYTES;
}

/* 8 channels of two columns (or taps), bytes interleaved per channel, to int16 pairs */
PML_INLINE __m256i pair8(const int8_t *a, const int8_t *b) {
    return _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)(const void *)a),
                                                  _mm_loadl_epi64((const __m128i *)(const void *)b)));
}

/* One output pixel of NS planes: acc[s] = bias + sum over filter rows and groups. The group at
 * column x of plane s in ring row r is q[r] + (x * NS + s) * 32. */
PML_INLINE void pixel(const uint8_t *const q[], int32_t x, int32_t KH, int32_t G, int32_t NS, const __m256i *wt,
                      const __m256i *eb, __m256i acc[2]) {
#pragma GCC unroll 2
    for (int32_t s = 0; s < NS; s++) acc[s] = eb[s];
#pragma GCC unroll 4
    for (int32_t r = 0; r < KH; r++)
#pragma GCC unroll 4
        for (int32_t g = 0; g < G; g++)
#pragma GCC unroll 2
            for (int32_t s = 0; s < NS; s++)
            {
                const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(q[r] + ((size_t)(x + 2 * g) * NS + s) * 32));
                acc[s] = _mm256_add_epi32(acc[s], _mm256_madd_epi16(v, wt[(r * G + g) * NS + s]));
            }
}

/* requantization; without a left shift in the block when `left` is a constant false */
PML_INLINE __m256i oq(__m256i v, const pml__rq8 *r, __m256i voff, bool left) {
    if (left) return pml__outq8_avx2(v, r, voff);
    pml__rq8 t = *r;
    t.has_left = 0;
    return pml__outq8_avx2(v, &t, voff);
}

/* One output row; KH, G, NS constant in the specialised calls, so the weights stay in registers. */
PML_INLINE void out_row(const uint8_t *const q[], int32_t OW, int32_t sw, int32_t KH, int32_t G, int32_t NS, bool c8, bool left,
                        const __m256i *wt, const __m256i *eb, const pml__rq8 *rq, __m256i voff, __m128i lo8, __m128i hi8,
                        int8_t *o, size_t ostride) {
    int32_t ox = 0;
    if (NS == 2) {
        for (; ox < OW; ox++, o += ostride) {
            __m256i a[2];
            pixel(q, ox * sw, KH, G, 2, wt, eb, a);
            pml__store16_s8(oq(a[0], &rq[0], voff, left), oq(a[1], &rq[1], voff, left), lo8, hi8, o);
        }
        return;
    }
    for (; ox + 2 <= OW; ox += 2, o += 2 * ostride) {
        __m256i a[2], b[2];
        pixel(q, ox * sw, KH, G, 1, wt, eb, a);
        pixel(q, (ox + 1) * sw, KH, G, 1, wt, eb, b);
        const __m256i v0 = oq(a[0], rq, voff, left), v1 = oq(b[0], rq, voff, left);
        if (c8) { /* 8 channels: the two pixels are adjacent */
            pml__store16_s8(v0, v1, lo8, hi8, o);
        } else {
            pml__store8_s8(v0, lo8, hi8, o);
            pml__store8_s8(v1, lo8, hi8, o + ostride);
        }
    }
    if (ox < OW) {
        __m256i a[2];
        pixel(q, ox * sw, KH, G, 1, wt, eb, a);
        pml__store8_s8(oq(a[0], rq, voff, left), lo8, hi8, o);
    }
}

void pml_dwconv2d_s8_avx2r(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                           const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d,
                           int8_t *out) {
    geom gm;
    get_geom(p, in_d, f_d, out_d, &gm);
    const int32_t H = gm.H, W = gm.W, C = gm.C, KH = gm.KH, KW = gm.KW, OH = gm.OH, OW = gm.OW, sh = gm.sh, sw = gm.sw;
    const int32_t NS = gm.NS, NB = 8 * NS, G = gm.G, WQ = gm.WQ;
    __m256i wt[MAX_WT * 2];         /* [KH][G][NS] weight pairs of the block */
    uint8_t ring[QBUF_BYTES];       /* KH rows of groups: [WQ][NS] x 32 bytes each */
    const int8_t *cp[MAX_COLS + 1]; /* one row's padded columns */
    const size_t qrow = (size_t)WQ * NS * 32;
    const __m256i off = _mm256_set1_epi16((int16_t)p->input_offset);
    const __m256i voff = _mm256_set1_epi32(p->output_offset);
    const __m128i lo8 = _mm_set1_epi8((char)p->act_min), hi8 = _mm_set1_epi8((char)p->act_max);
    const __m128i il = _mm_setr_epi8(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15); /* two 8-byte columns, interleaved */
    const int32_t x0 = gm.pw, x1 = W + gm.pw;                    /* padded columns holding input */
    const int32_t xs = G == 1 || 2 % sw == 0 ? sw : 1;           /* the windows read groups of every xs-th column only */
    int8_t zpb[16];                                              /* input zero points: the padding columns */
    memset(zpb, -p->input_offset, sizeof zpb);
    const int8_t zero8[8] = {0};
    const size_t ostride = (size_t)C;
    for (int32_t c0 = 0; c0 < C; c0 += NB) {
        /* weight pairs, bias and requantization constants of channels c0 .. c0 + NB - 1 */
        __m256i eb[2];
        pml__rq8 rq[2];
        bool left = false; /* some channel of the block shifts left */
        for (int32_t r = 0; r < KH; r++)
            for (int32_t g = 0; g < G; g++)
                for (int32_t s = 0; s < NS; s++) {
                    const int8_t *t0 = filter + ((size_t)r * KW + 2 * g) * C + c0 + 8 * s;
                    wt[(r * G + g) * NS + s] = pair8(t0, 2 * g + 1 < KW ? t0 + C : zero8);
                }
        for (int32_t s = 0; s < NS; s++) {
            eb[s] = bias ? _mm256_loadu_si256((const __m256i *)(const void *)(bias + c0 + 8 * s)) : _mm256_setzero_si256();
            rq[s] = pml__rq8_load(q, c0 + 8 * s, 8);
            left |= rq[s].has_left != 0;
        }
        for (int32_t b = 0; b < out_d->n; b++) {
            const int8_t *inb = in + (size_t)b * H * W * C + c0;
            int32_t built = 0; /* next padded row to form */
            for (int32_t oy = 0; oy < OH; oy++) {
                const int32_t y0 = oy * sh;
                for (int32_t yp = built > y0 ? built : y0; yp < y0 + KH; yp++) {
                    uint8_t *qr = ring + (size_t)(yp % KH) * qrow;
                    const int32_t iy = yp - gm.ph;
                    if (iy < 0 || iy >= H) {
                        memset(qr, 0, qrow); /* padding: zero point + offset = 0 */
                        continue;
                    }
                    /* groups of every column the windows reach, from a pointer per padded column
                     * (into the input, or to the zero points) */
                    const int8_t *row = inb + (size_t)iy * W * C;
                    const int32_t e0 = x0 < WQ + 1 ? x0 : WQ + 1, e1 = x1 < WQ + 1 ? x1 : WQ + 1;
                    for (int32_t x = 0; x < e0; x++) cp[x] = zpb;
                    for (int32_t x = e0; x < e1; x++, row += C) cp[x] = row;
                    for (int32_t x = e1 < e0 ? e0 : e1; x < WQ + 1; x++) cp[x] = zpb;
                    if (NS == 2)
                        for (int32_t x = 0; x < WQ; x += xs) {
                            __m256i *qx = (__m256i *)(void *)(qr + (size_t)x * 64);
                            const __m128i a = _mm_loadu_si128((const __m128i *)(const void *)cp[x]);
                            const __m128i c = _mm_loadu_si128((const __m128i *)(const void *)cp[x + 1]);
                            _mm256_storeu_si256(qx, _mm256_add_epi16(_mm256_cvtepi8_epi16(_mm_unpacklo_epi8(a, c)), off));
                            _mm256_storeu_si256(qx + 1, _mm256_add_epi16(_mm256_cvtepi8_epi16(_mm_unpackhi_epi8(a, c)), off));
                        }
                    else
                        for (int32_t x = 0; x < WQ; x += xs) {
                            const bool inner = C == 8 && x >= x0 && x + 1 < x1; /* two adjacent input columns */
                            const __m256i v = inner ? _mm256_cvtepi8_epi16(_mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)cp[x]),
                                                                                            il))
                                                    : pair8(cp[x], cp[x + 1]);
                            _mm256_storeu_si256((__m256i *)(void *)(qr + (size_t)x * 32), _mm256_add_epi16(v, off));
                        }
                }
                built = y0 + KH;
                const uint8_t *qp[MAX_WT];
                for (int32_t r = 0; r < KH; r++) qp[r] = ring + (size_t)((y0 + r) % KH) * qrow;
                int8_t *o = out + (((size_t)b * OH + oy) * OW) * C + c0;
                if (KH == 3 && G == 2 && NS == 2 && !left)
                    out_row(qp, OW, sw, 3, 2, 2, false, false, wt, eb, rq, voff, lo8, hi8, o, ostride);
                else if (KH == 3 && G == 2 && NS == 1 && !left)
                    out_row(qp, OW, sw, 3, 2, 1, C == 8, false, wt, eb, rq, voff, lo8, hi8, o, ostride);
                else
                    out_row(qp, OW, sw, KH, G, NS, C == 8, true, wt, eb, rq, voff, lo8, hi8, o, ostride);
            }
        }
    }
}
