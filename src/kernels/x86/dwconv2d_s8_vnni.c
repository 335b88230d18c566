/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DEPTHWISE_CONV_2D int8, x86-64 AVX-VNNI (depth multiplier 1, dilation 1, channels a multiple of
 * 8; chosen at prepare when the CPU has AVX-VNNI).
 *
 * vpdpbusd adds four byte products per int32 lane, so each filter row is cut into groups of four
 * taps (the missing taps of the last group have weight 0) and the input is laid out to match:
 * a "quad" of padded input column x holds, for 8 channels, the bytes of columns x .. x+3, one
 * channel's four bytes per int32 lane. An output pixel is then KH * ceil(KW / 4) vpdpbusd per 8
 * channels, with the weights in registers (channels outer, pixels inner). A quad is formed once
 * per input column and channel block and reused by every output that reads it; the quad rows live
 * in a ring of KH rows. Blocks of 32 channels form quads by two rounds of full-width unpacks of
 * four columns and keep the unpack's lane order through the requantization (the per-channel
 * constants are loaded in that order; three packs restore channel order); blocks of 16 or 8 form
 * them by a dword permute and a byte shuffle of four 8-byte columns, lanes in channel order.
 * Inputs are made unsigned (x ^ 0x80 = x + 128; padding = the zero point), so
 *   sum_t w_t (x_t + off) = sum_t w_t (x_t + 128) + (off - 128) * sum_t w_t,
 * the last term folded into an effective bias; a padding tap adds w (zp + 128) + (off - 128) w = 0
 * since zp = -off, as the reference's skipped tap. A one-column input with a one-column filter
 * (a 1-D convolution along H, as streaming audio models have) is the same memory read as one row,
 * so it runs as a row. Blocks whose channels meet pml__rq8f_ok (2^30 < m < 2^31, a right shift,
 * |bias| + KH * KW * 255 * 128 below 2^(30 - ctz(m))) requantize with pml__outq8f_avx2 (two
 * instructions fewer per 8 outputs). Exact integer arithmetic (int32 wraps only where the
 * reference's true result fits): bit-exact. Stack: about 40 KB; nothing from the arena.
 */
#include <stddef.h>
#include <string.h>

#include "../conv_s8_loops.h"
#include "pml_dot_s8_vnni.h"

#define MAX_WT 32         /* KH * ceil(KW / 4) weight quads per 8 channels */
#define QBUF_BYTES 32768  /* ring of KH quad rows: KH * WQ * 32 bytes per 8 channels of the block */
#define MAX_COLS 512      /* quad columns per row */

/* the geometry the kernel runs: a one-column problem turned into a one-row one */
typedef struct geom {
    int32_t H, W, C, KH, KW, OH, OW, sh, sw, ph, pw;
    int32_t NS, G, WQ; /* 8-channel planes per block (1, 2 or 4), groups per filter row, quad columns */
} geom;

static void get_geom(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d, const pml_dims4 *out_d, geom *g) {
    if (in_d->w == 1 && f_d->w == 1 && out_d->w == 1 && p->pad_w == 0 && in_d->h > 1) {
        *g = (geom){1, in_d->h, in_d->c, 1, f_d->h, 1, out_d->h, p->stride_w, p->stride_h, 0, p->pad_h, 0, 0, 0};
    } else {
        *g = (geom){in_d->h, in_d->w, in_d->c, f_d->h, f_d->w, out_d->h, out_d->w, p->stride_h, p->stride_w, p->pad_h, p->pad_w,
                    0, 0, 0};
    }
    g->NS = g->C % 32 == 0 ? 4 : g->C % 16 == 0 ? 2 : 1;
    g->G = (g->KW + 3) / 4;
    g->WQ = (g->OW - 1) * g->sw + 4 * (g->G - 1) + 1;
}

bool pml_dwconv2d_s8_vnni_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                  const pml_dims4 *out_d) {
    if (!pml_dwconv2d_s8_fast_applies(p, in_d, f_d, out_d) || in_d->c % 8 != 0 || !pml__x86_has_avxvnni()) return false;
    geom g;
    get_geom(p, in_d, f_d, out_d, &g);
    /* one output pixel per image: forming the window's quads costs more than the generic kernel's
     * direct products (kernel-only timings: 15x1x128 with a 15x1 filter 0.42 vs 0.28 us, 3x3x8 with
     * 3x3 0.086 vs 0.025 us); from 2x2 outputs on this kernel is faster on most shapes measured */
    if ((int64_t)g.OH * g.OW <= 1) return false;
    return (int64_t)g.KH * g.G <= MAX_WT && g.WQ <= MAX_COLS && (int64_t)g.KH * g.WQ * g.NS * 32 <= QBUF_BYTES;
}

PML_INLINE int64_t ld8(const int8_t *p) {
    int64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Four vectors of 32 bytes (columns or taps t0..t3, channels c..c+31) to quads, in the unpack
 * order: q[0] = channels 0-3 | 16-19, q[1] = 4-7 | 20-23, q[2] = 8-11 | 24-27, q[3] = 12-15 | 28-31. */
PML_INLINE void quads4(__m256i v0, __m256i v1, __m256i v2, __m256i v3, __m256i *q) {
    const __m256i l01 = _mm256_unpacklo_epi8(v0, v1), h01 = _mm256_unpackhi_epi8(v0, v1);
    const __m256i l23 = _mm256_unpacklo_epi8(v2, v3), h23 = _mm256_unpackhi_epi8(v2, v3);
    _mm256_storeu_si256(q, _mm256_unpacklo_epi16(l01, l23));
    _mm256_storeu_si256(q + 1, _mm256_unpackhi_epi16(l01, l23));
    _mm256_storeu_si256(q + 2, _mm256_unpacklo_epi16(h01, h23));
    _mm256_storeu_si256(q + 3, _mm256_unpackhi_epi16(h01, h23));
}

/* the per-channel values (int32 or int8 at p, the block's first channel) of quad vector s's lanes:
 * channels 8s .. 8s + 7, or in the unpack order of a block of 32 */
PML_INLINE __m256i lanes32(const int32_t *p, int32_t NS, int32_t s) {
    if (NS != 4) return _mm256_loadu_si256((const __m256i *)(const void *)(p + 8 * s));
    const __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(p + 8 * (s >> 1)));
    const __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + 16 + 8 * (s >> 1)));
    return s & 1 ? _mm256_permute2x128_si256(a, b, 0x31) : _mm256_permute2x128_si256(a, b, 0x20);
}
PML_INLINE __m256i lanes8(const int8_t *p, int32_t NS, int32_t s) {
    if (NS != 4) return _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(p + 8 * s)));
    const __m256i a = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(p + 8 * (s >> 1))));
    const __m256i b = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(p + 16 + 8 * (s >> 1))));
    return s & 1 ? _mm256_permute2x128_si256(a, b, 0x31) : _mm256_permute2x128_si256(a, b, 0x20);
}

/* 16 bytes at a and 16 at b in one vector */
PML_INLINE __m256i ld2x16(const int8_t *a, const int8_t *b) {
    return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)a)),
                                   _mm_loadu_si128((const __m128i *)(const void *)b), 1);
}

/* four 8-byte values in one vector, formed in registers (a store of 8-byte pieces read back as
 * 32 bytes would stall on store forwarding) */
PML_INLINE __m256i cols4(int64_t a, int64_t b, int64_t c, int64_t d) {
    const __m128i lo = _mm_insert_epi64(_mm_cvtsi64_si128(a), b, 1), hi = _mm_insert_epi64(_mm_cvtsi64_si128(c), d, 1);
    return _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
}

/* 32 bytes = four 8-byte columns x..x+3 of 8 channels -> one int32 lane per channel holding its
 * four bytes (columns in order): dwords to channels 0-3 | 4-7, then a 4x4 byte transpose per lane */
PML_INLINE __m256i quad(__m256i v) {
    const __m256i perm = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
    const __m256i tr = _mm256_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15, 0, 4, 8, 12, 1, 5, 9, 13, 2, 6,
                                        10, 14, 3, 7, 11, 15);
    return _mm256_shuffle_epi8(_mm256_permutevar8x32_epi32(v, perm), tr);
}

/* One output pixel of NS planes: acc[s] = eb[s] + sum over filter rows and groups. The quad
 * at column x of plane s in ring row r is q[r] + (x * NS + s) * 32. */
PML_INLINE void pixel(const uint8_t *const q[], int32_t x, int32_t KH, int32_t G, int32_t NS, const __m256i *wt,
                      const __m256i *eb, __m256i acc[4]) {
#pragma GCC unroll 4
    for (int32_t s = 0; s < NS; s++) acc[s] = eb[s];
#pragma GCC unroll 4
    for (int32_t r = 0; r < KH; r++)
#pragma GCC unroll 4
        for (int32_t g = 0; g < G; g++)
#pragma GCC unroll 4
            for (int32_t s = 0; s < NS; s++)
            {
                const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(q[r] + ((size_t)(x + 4 * g) * NS + s) * 32));
                acc[s] = pml__dpbusd(acc[s], v, wt[(r * G + g) * NS + s]);
            }
}

/* requantization of a block, `mode` a constant in the specialised calls: RQ_ANY, RQ_RIGHT (no
 * left shift in the block) or RQ_FAST (pml__rqf_ok holds for every channel of the block) */
enum { RQ_ANY, RQ_RIGHT, RQ_FAST };
PML_INLINE __m256i oq(__m256i v, const pml__rq8 *r, const pml__rq8f *rf, __m256i voff, int mode) {
    if (mode == RQ_FAST) return pml__outq8f_avx2(v, rf, voff);
    if (mode == RQ_ANY) return pml__outq8_avx2(v, r, voff);
    pml__rq8 t = *r;
    t.has_left = 0;
    return pml__outq8_avx2(v, &t, voff);
}

/* One output row; KH, G, NS constant in the specialised calls, so the weights stay in registers. */
PML_INLINE void out_row(const uint8_t *const q[], int32_t OW, int32_t sw, int32_t KH, int32_t G, int32_t NS, bool c8, int mode,
                        const __m256i *wt, const __m256i *eb, const pml__rq8 *rq, const pml__rq8f *rf, __m256i voff, __m128i lo8, __m128i hi8,
                        int8_t *o, size_t ostride) {
    int32_t ox = 0;
    if (NS == 4) { /* lanes in the unpack order (see quads4): three packs give channels 0-31 in order */
        const __m256i lo = _mm256_broadcastsi128_si256(lo8), hi = _mm256_broadcastsi128_si256(hi8);
        for (; ox < OW; ox++, o += ostride) {
            __m256i a[4];
            pixel(q, ox * sw, KH, G, 4, wt, eb, a);
            const __m256i p01 = _mm256_packs_epi32(oq(a[0], &rq[0], &rf[0], voff, mode), oq(a[1], &rq[1], &rf[1], voff, mode));
            const __m256i p23 = _mm256_packs_epi32(oq(a[2], &rq[2], &rf[2], voff, mode), oq(a[3], &rq[3], &rf[3], voff, mode));
            _mm256_storeu_si256((__m256i *)(void *)o, _mm256_min_epi8(_mm256_max_epi8(_mm256_packs_epi16(p01, p23), lo), hi));
        }
        return;
    }
    if (NS == 2) {
        for (; ox < OW; ox++, o += ostride) {
            __m256i a[4];
            pixel(q, ox * sw, KH, G, 2, wt, eb, a);
            pml__store16_s8(oq(a[0], &rq[0], &rf[0], voff, mode), oq(a[1], &rq[1], &rf[1], voff, mode), lo8, hi8, o);
        }
        return;
    }
    for (; ox + 2 <= OW; ox += 2, o += 2 * ostride) {
        __m256i a[4], b[4];
        pixel(q, ox * sw, KH, G, 1, wt, eb, a);
        pixel(q, (ox + 1) * sw, KH, G, 1, wt, eb, b);
        const __m256i v0 = oq(a[0], rq, rf, voff, mode), v1 = oq(b[0], rq, rf, voff, mode);
        if (c8) { /* 8 channels: the two pixels are adjacent */
            pml__store16_s8(v0, v1, lo8, hi8, o);
        } else {
            pml__store8_s8(v0, lo8, hi8, o);
            pml__store8_s8(v1, lo8, hi8, o + ostride);
        }
    }
    if (ox < OW) {
        __m256i a[4];
        pixel(q, ox * sw, KH, G, 1, wt, eb, a);
        pml__store8_s8(oq(a[0], rq, rf, voff, mode), lo8, hi8, o);
    }
}

void pml_dwconv2d_s8_vnni(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                          const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d,
                          int8_t *out) {
    geom gm;
    get_geom(p, in_d, f_d, out_d, &gm);
    const int32_t H = gm.H, W = gm.W, C = gm.C, KH = gm.KH, KW = gm.KW, OH = gm.OH, OW = gm.OW, sh = gm.sh, sw = gm.sw;
    const int32_t NS = gm.NS, NB = 8 * NS, G = gm.G, WQ = gm.WQ;
    __m256i wt[MAX_WT * 4];               /* [KH][G][NS] weight quads of the block */
    uint8_t ring[QBUF_BYTES];             /* KH quad rows: [WQ][NS] x 32 bytes each */
    const int8_t *cp[MAX_COLS + 3];       /* one quad row's padded columns */
    const size_t qrow = (size_t)WQ * NS * 32;
    const uint8_t zu = (uint8_t)((-p->input_offset) ^ 0x80); /* the zero point, unsigned: padding */
    const __m256i flip = _mm256_set1_epi8((char)0x80), ones = _mm256_set1_epi8(1);
    const __m256i kk = _mm256_set1_epi32(p->input_offset - 128);
    const __m256i voff = _mm256_set1_epi32(p->output_offset);
    const __m128i lo8 = _mm_set1_epi8((char)p->act_min), hi8 = _mm_set1_epi8((char)p->act_max);
    const int32_t x0 = gm.pw, x1 = W + gm.pw; /* padded columns holding input */
    const int32_t xs = G == 1 || 4 % sw == 0 ? sw : 1; /* the windows read quads of every xs-th column only */
    int8_t zpb[32];                            /* input zero points: the padding columns */
    memset(zpb, -p->input_offset, sizeof zpb);
    const size_t ostride = (size_t)C;
    /* |accumulator| <= |bias| + acc_taps: every tap's (x + off) * w is at most 255 * 128 */
    const int64_t acc_taps = (int64_t)KH * KW * 255 * 128;
    for (int32_t c0 = 0; c0 < C; c0 += NB) {
        /* weight quads, effective bias and requantization constants of channels c0 .. c0 + NB - 1 */
        __m256i eb[4];
        pml__rq8 rq[4];
        pml__rq8f rf[4];
        bool left = false; /* some channel of the block shifts left */
        bool fast = acc_taps < (1 << 30); /* pml__rqf_ok for every channel of the block */
        for (int32_t r = 0; r < KH; r++)
            for (int32_t g = 0; g < G; g++) {
                __m256i *w = &wt[(r * G + g) * NS];
#define TAPP(j) (filter + ((size_t)r * KW + 4 * g + (j)) * C + c0)
                if (NS == 4) {
#define TAP32(j) (4 * g + (j) < KW ? _mm256_loadu_si256((const __m256i *)(const void *)TAPP(j)) : _mm256_setzero_si256())
                    quads4(TAP32(0), TAP32(1), TAP32(2), TAP32(3), w);
#undef TAP32
                } else {
                    for (int32_t s = 0; s < NS; s++) {
#define TAP(j) (4 * g + (j) < KW ? ld8(TAPP(j) + 8 * s) : 0)
                        w[s] = quad(cols4(TAP(0), TAP(1), TAP(2), TAP(3)));
#undef TAP
                    }
                }
#undef TAPP
            }
        for (int32_t s = 0; s < NS; s++) {
            __m256i sw8 = _mm256_setzero_si256();
            for (int32_t t = 0; t < KH * G; t++) sw8 = pml__dpbusd(sw8, ones, wt[t * NS + s]);
            const bool pc = q->count != 1;
            const __m256i bl = bias ? lanes32(bias + c0, NS, s) : _mm256_setzero_si256();
            const __m256i ml = pc ? lanes32(q->mult + c0, NS, s) : _mm256_set1_epi32(q->mult[0]);
            const __m256i sl = pc ? lanes8(q->shift + c0, NS, s) : _mm256_set1_epi32(q->shift[0]);
            eb[s] = _mm256_add_epi32(bl, _mm256_mullo_epi32(kk, sw8));
            rq[s] = pml__rq8_make(ml, sl);
            left |= rq[s].has_left != 0;
            fast = fast && pml__rq8f_ok(ml, sl, _mm256_add_epi32(_mm256_abs_epi32(bl), _mm256_set1_epi32((int32_t)acc_taps)));
        }
        for (int32_t s = 0; fast && s < NS; s++) {
            const bool pc = q->count != 1;
            const __m256i ml = pc ? lanes32(q->mult + c0, NS, s) : _mm256_set1_epi32(q->mult[0]);
            const __m256i sl = pc ? lanes8(q->shift + c0, NS, s) : _mm256_set1_epi32(q->shift[0]);
            rf[s] = pml__rq8f_make(ml, sl);
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
                        memset(qr, zu, qrow);
                        continue;
                    }
                    /* quads of every column the windows reach, from a pointer per padded column
                     * (into the input, or to the zero points); 8 channels straight from the input */
                    const int8_t *row = inb + (size_t)iy * W * C;
                    const int32_t e0 = x0 < WQ + 3 ? x0 : WQ + 3, e1 = x1 < WQ + 3 ? x1 : WQ + 3;
                    for (int32_t x = 0; x < e0; x++) cp[x] = zpb;
                    for (int32_t x = e0; x < e1; x++, row += C) cp[x] = row;
                    for (int32_t x = e1 < e0 ? e0 : e1; x < WQ + 3; x++) cp[x] = zpb;
                    if (NS == 4)
                        for (int32_t x = 0; x < WQ; x += xs) {
#define LD(j) _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(const void *)cp[x + (j)]), flip)
                            quads4(LD(0), LD(1), LD(2), LD(3), (__m256i *)(void *)(qr + (size_t)x * 128));
#undef LD
                        }
                    else if (NS == 2)
                        for (int32_t x = 0; x < WQ; x += xs) {
                            __m256i *qx = (__m256i *)(void *)(qr + (size_t)x * 64);
                            const __m256i y02 = ld2x16(cp[x], cp[x + 2]), y13 = ld2x16(cp[x + 1], cp[x + 3]);
                            _mm256_storeu_si256(qx, _mm256_xor_si256(quad(_mm256_unpacklo_epi64(y02, y13)), flip));
                            _mm256_storeu_si256(qx + 1, _mm256_xor_si256(quad(_mm256_unpackhi_epi64(y02, y13)), flip));
                        }
                    else
                        for (int32_t x = 0; x < WQ; x += xs) {
                            const bool inner = C == 8 && x >= x0 && x + 3 < x1; /* four adjacent input columns */
                            const __m256i v = inner ? _mm256_loadu_si256((const __m256i *)(const void *)cp[x])
                                                    : cols4(ld8(cp[x]), ld8(cp[x + 1]), ld8(cp[x + 2]), ld8(cp[x + 3]));
                            _mm256_storeu_si256((__m256i *)(void *)(qr + (size_t)x * 32), _mm256_xor_si256(quad(v), flip));
                        }
                }
                built = y0 + KH;
                const uint8_t *qp[MAX_WT];
                for (int32_t r = 0; r < KH; r++) qp[r] = ring + (size_t)((y0 + r) % KH) * qrow;
                int8_t *o = out + (((size_t)b * OH + oy) * OW) * C + c0;
                const int mode = fast ? RQ_FAST : left ? RQ_ANY : RQ_RIGHT;
                if (KH == 3 && G == 1 && NS == 4 && mode == RQ_FAST)
                    out_row(qp, OW, sw, 3, 1, 4, false, RQ_FAST, wt, eb, rq, rf, voff, lo8, hi8, o, ostride);
                else if (KH == 3 && G == 1 && NS == 2 && mode == RQ_FAST)
                    out_row(qp, OW, sw, 3, 1, 2, false, RQ_FAST, wt, eb, rq, rf, voff, lo8, hi8, o, ostride);
                else if (KH == 3 && G == 1 && NS == 1 && mode == RQ_FAST)
                    out_row(qp, OW, sw, 3, 1, 1, C == 8, RQ_FAST, wt, eb, rq, rf, voff, lo8, hi8, o, ostride);
                else if (KH == 3 && G == 1 && NS == 4 && mode == RQ_RIGHT)
                    out_row(qp, OW, sw, 3, 1, 4, false, RQ_RIGHT, wt, eb, rq, rf, voff, lo8, hi8, o, ostride);
                else if (KH == 3 && G == 1 && NS == 2 && mode == RQ_RIGHT)
                    out_row(qp, OW, sw, 3, 1, 2, false, RQ_RIGHT, wt, eb, rq, rf, voff, lo8, hi8, o, ostride);
                else if (KH == 3 && G == 1 && NS == 1 && mode == RQ_RIGHT)
                    out_row(qp, OW, sw, 3, 1, 1, C == 8, RQ_RIGHT, wt, eb, rq, rf, voff, lo8, hi8, o, ostride);
                else if (mode == RQ_FAST)
                    out_row(qp, OW, sw, KH, G, NS, C == 8, RQ_FAST, wt, eb, rq, rf, voff, lo8, hi8, o, ostride);
                else
                    out_row(qp, OW, sw, KH, G, NS, C == 8, RQ_ANY, wt, eb, rq, rf, voff, lo8, hi8, o, ostride);
            }
        }
    }
}
