/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DEPTHWISE_CONV_2D int8, Arm v7E-M DSP (depth multiplier 1, dilation 1).
 *
 * Fast path (the window has at most DW_TAPS taps and the accumulators are small enough for the
 * SMMLAR requantization, pml__rqf_mode): channel groups of four are the outer loop. For each group
 * the weights of all taps are unpacked once to int16 lanes on the stack (lanes (0,2) and (1,3):
 * one LDRD per tap) and the four channels' requantization constants are prepared once; then every
 * output pixel costs, per valid tap, one input word (SXTAB16 adds the input offset), one LDRD and
 * four SMLABB/SMLATT, and per output about eight instructions of requantization. A 3x3 filter with
 * every shift in -22..-1 and the full int8 clamp, whose windows span at most DW3_WIDE columns, takes
 * dw3_run (below): input rows unpacked once into a ring of row buffers, every pixel one inline-asm
 * window. Otherwise (and for the last C % 4 channels) the per-pixel loop below with the general
 * one-shift requantization.
 * Stack: wu 2 * DW_TAPS words (200 B) + 4 requantization entries; dw3_run 34 words + its row
 * buffers (192 B up to DW3_NARROW columns, 1,248 B up to DW3_WIDE).
 */
#include "pml_dot_s8_dsp.h"

#define DW_TAPS 25 /* taps (KH * KW) of the fast path's unpacked weights */

bool pml_dwconv2d_s8_dsp_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                 const pml_dims4 *out_d) {
    (void)f_d;
    return p->dilation_h == 1 && p->dilation_w == 1 && p->depth_multiplier == 1 && out_d->c == in_d->c;
}

static PML_NOINLINE int8_t rq1_any(int32_t acc, const pml_requant *q, int32_t ch, int32_t off, int32_t lo,
                                   int32_t hi, int mode) {
    return mode == 1 ? pml__rq1_dsp(acc, q, ch, off, lo, hi, 1, false) : pml__rq1_dsp(acc, q, ch, off, lo, hi, mode, false);
}

PML_INLINE void dw_dsp(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                       const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d,
                       int8_t *out, int mode, int32_t cstart) {
    const int32_t H = in_d->h, W = in_d->w, C = in_d->c, KH = f_d->h, KW = f_d->w;
    const int32_t off = p->input_offset, ooff = p->output_offset, lo = p->act_min, hi = p->act_max;
    const uint32_t o2 = pml__off2(off);
    const int32_t C4 = C & ~3;
    for (int32_t b = 0; b < out_d->n; b++) {
        for (int32_t oy = 0; oy < out_d->h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_h;
            const int32_t fy0 = iy0 < 0 ? -iy0 : 0, fy1 = (H - iy0) < KH ? (H - iy0) : KH;
            for (int32_t ox = 0; ox < out_d->w; ox++) {
                const int32_t ix0 = ox * p->stride_w - p->pad_w;
                const int32_t fx0 = ix0 < 0 ? -ix0 : 0, fx1 = (W - ix0) < KW ? (W - ix0) : KW;
                int8_t *o = out + (((size_t)b * out_d->h + oy) * out_d->w + ox) * C;
                const int32_t rows = fy1 - fy0 > 0 ? fy1 - fy0 : 0, cols = fx1 - fx0 > 0 ? fx1 - fx0 : 0;
                const int8_t *x0 = in + (((size_t)b * H + (iy0 + fy0)) * W + (ix0 + fx0)) * C;
                const int8_t *w0 = filter + ((size_t)fy0 * KW + fx0) * C;
                const int32_t xskip = (W - cols) * C, wskip = (KW - cols) * C; /* to the next window row */
                int32_t c = cstart;
                for (; c < C4; c += 4) {
                    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    if (bias) {
                        a0 = bias[c];
                        a1 = bias[c + 1];
                        a2 = bias[c + 2];
                        a3 = bias[c + 3];
                    }
                    const int8_t *xp = x0 + c, *wp = w0 + c;
                    for (int32_t r = 0; r < rows; r++, xp += xskip, wp += wskip)
                        for (int32_t t = 0; t < cols; t++, xp += C, wp += C) {
                            const uint32_t xv = pml__ld32(xp), wv = pml__ld32(wp);
                            const uint32_t xe = pml__sxtab16(o2, xv), we = pml__sxtb16(wv);
                            const uint32_t xo = pml__sxtab16_r8(o2, xv), wo = pml__sxtb16_r8(wv);
                            a0 = pml__smlabb(xe, we, a0);
                            a2 = pml__smlatt(xe, we, a2);
                            a1 = pml__smlabb(xo, wo, a1);
                            a3 = pml__smlatt(xo, wo, a3);
                        }
                    o[c] = rq1_any(a0, q, c, ooff, lo, hi, mode);
                    o[c + 1] = rq1_any(a1, q, c + 1, ooff, lo, hi, mode);
                    o[c + 2] = rq1_any(a2, q, c + 2, ooff, lo, hi, mode);
                    o[c + 3] = rq1_any(a3, q, c + 3, ooff, lo, hi, mode);
                }
                for (; c < C; c++) {
                    int32_t a = bias ? bias[c] : 0;
                    const int8_t *xp = x0 + c, *wp = w0 + c;
                    for (int32_t r = 0; r < rows; r++, xp += xskip, wp += wskip)
                        for (int32_t t = 0; t < cols; t++, xp += C, wp += C) a += (*xp + off) * *wp;
                    o[c] = rq1_any(a, q, c, ooff, lo, hi, mode);
                }
            }
        }
    }
}

/* channels cstart .. C-1 (cstart a multiple of 4) with the per-pixel loop; a rare path (the last
 * C % 4 channels, or accumulators too large for pml__rqf_mode), so one instance with the mode at run time */
static PML_NOINLINE void dw_general(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d,
                                    const int8_t *in, const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias,
                                    const pml_dims4 *out_d, int8_t *out, int32_t cstart) {
    const int mode = pml__rq_mode(q);
    dw_dsp(p, q, in_d, in, f_d, filter, bias, out_d, out, mode, cstart);
}

/* Four channels' accumulators over taps (rows x cols) of one pixel: x row stride xrs, tap stride C. */
PML_INLINE void dw_taps(const int8_t *xp, int32_t xrs, int32_t C, const uint32_t *wu, int32_t wrs, int32_t rows,
                        int32_t cols, uint32_t o2, int32_t a[4]) {
    int32_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    for (int32_t r = 0; r < rows; r++, xp += xrs, wu += wrs) {
        const int8_t *x = xp;
        const uint32_t *w = wu;
        for (int32_t t = 0; t < cols; t++, x += C, w += 2) {
            const uint32_t xv = pml__ld32(x);
            const uint32_t xe = pml__sxtab16(o2, xv), xo = pml__sxtab16_r8(o2, xv);
            a0 = pml__smlabb(xe, w[0], a0);
            a2 = pml__smlatt(xe, w[0], a2);
            a1 = pml__smlabb(xo, w[1], a1);
            a3 = pml__smlatt(xo, w[1], a3);
        }
    }
    a[0] = a0;
    a[1] = a1;
    a[2] = a2;
    a[3] = a3;
}

PML_INLINE void dw_fast(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                        const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d,
                        int8_t *out, int fm, bool full) {
    uint32_t wu[2 * DW_TAPS]; /* (KH*KW taps, 2 words): one group's weights, lanes (0,2) and (1,3) */
    pml__rqf t[4];           /* the group's requantization constants */
    const int32_t H = in_d->h, W = in_d->w, C = in_d->c, KH = f_d->h, KW = f_d->w;
    const int32_t OH = out_d->h, OW = out_d->w, sh = p->stride_h, sw = p->stride_w;
    const int32_t ooff = p->output_offset, lo = p->act_min, hi = p->act_max;
    const uint32_t o2 = pml__off2(p->input_offset);
    const int32_t xrs = W * C;
    for (int32_t c = 0; c + 4 <= C; c += 4) {
        for (int32_t k = 0; k < KH * KW; k++) {
            const uint32_t v = pml__ld32(filter + (size_t)k * C + c);
            wu[2 * k] = pml__sxtb16(v);
            wu[2 * k + 1] = pml__sxtb16_r8(v);
        }
        for (int32_t j = 0; j < 4; j++) t[j] = pml__rqf_prep(q, c + j, fm);
        const int32_t b0 = bias ? bias[c] : 0, b1 = bias ? bias[c + 1] : 0;
        const int32_t b2 = bias ? bias[c + 2] : 0, b3 = bias ? bias[c + 3] : 0;
        for (int32_t b = 0; b < out_d->n; b++) {
            const int8_t *inb = in + (size_t)b * H * xrs + c;
            int8_t *o = out + (size_t)b * OH * OW * C + c;
            for (int32_t oy = 0; oy < OH; oy++) {
                const int32_t iy0 = oy * sh - p->pad_h;
                const int32_t fy0 = iy0 < 0 ? -iy0 : 0, fy1 = (H - iy0) < KH ? (H - iy0) : KH;
                const int32_t rows = fy1 - fy0 > 0 ? fy1 - fy0 : 0;
                for (int32_t ox = 0; ox < OW; ox++, o += C) {
                    const int32_t ix0 = ox * sw - p->pad_w;
                    const int32_t fx0 = ix0 < 0 ? -ix0 : 0, fx1 = (W - ix0) < KW ? (W - ix0) : KW;
                    const int32_t cols = fx1 - fx0 > 0 ? fx1 - fx0 : 0;
                    const int8_t *xp = inb + ((size_t)(iy0 + fy0) * W + (ix0 + fx0)) * C;
                    int32_t a[4] = {b0, b1, b2, b3};
                    if (rows && cols)
                        dw_taps(xp, xrs, C, wu + 2 * (fy0 * KW + fx0), 2 * KW, rows, cols, o2, a);
                    o[0] = (int8_t)pml__clamp8(pml__rqf_apply(a[0], &t[0], fm) + ooff, lo, hi, full);
                    o[1] = (int8_t)pml__clamp8(pml__rqf_apply(a[1], &t[1], fm) + ooff, lo, hi, full);
                    o[2] = (int8_t)pml__clamp8(pml__rqf_apply(a[2], &t[2], fm) + ooff, lo, hi, full);
                    o[3] = (int8_t)pml__clamp8(pml__rqf_apply(a[3], &t[3], fm) + ooff, lo, hi, full);
                }
            }
        }
    }
}

static PML_NOINLINE int dw_mode(const pml_requant *q, const int32_t *bias, const pml_dims4 *f_d,
                                const pml_dims4 *out_d) {
    const int32_t taps = f_d->h * f_d->w;
    return taps <= DW_TAPS ? pml__rqf_mode(q, bias, out_d->c, taps) : PML__RQF_NONE;
}

/* One function per instance, all with the entry point's arguments (tail calls: only the instance's
 * own buffers are on the stack). Each also runs the last C % 4 channels (dw_general). */
#define DW_ARGS                                                                                                        \
    const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in, const pml_dims4 *f_d,   \
        const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d, int8_t *out

/* ---- 3x3, SMMLAR NEG form, full int8 range -------------------------------------------------------
 * Per group of four channels, the input rows a window needs are unpacked once into a ring of three
 * row buffers on the stack: per column the two words SXTAB16 gives (x + input_offset in int16
 * lanes (0,2) and (1,3)), with zero columns and zero rows for the padding, where x + offset is 0
 * by definition. Every output pixel is then the same full 3x3 window: one inline-asm block of 9
 * taps (LDRD input, LDRD weights, 4 SMLAxy) and four requantizations packed into one word.
 * Constants per group: the bias and the weights doubled (2w fits int16, so the accumulators come
 * out doubled, the 2x that SMMLAR's NEG form wants, with no shift), and per channel (m, R, r) with
 * R = 2^(r-1) + (output_offset << r):
 *   out = ssat8((smmlar(2acc, m, R) - [acc < 0]) >> r)
 * equals clamp(mbqm(acc) + output_offset): R adds the offset as a multiple of 2^r before the shift
 * (exact while |R| + 2^30 < 2^31, i.e. r <= 22: dw3_ok). */
#define DW3_B 0   /* block word offsets: doubled bias [4] */
#define DW3_Q 4   /* (m, R, r) [4] */
#define DW3_W 16  /* weights [9 taps][2 words] */
#define DW3_N 34
#define DW3_NARROW 8  /* row buffer columns of the narrow entry (3 x 8 x 8 B on the stack): KWS's 5 + 2 */
#define DW3_WIDE 52   /* and of the wide one (3 x 52 x 8 B): a 48-wide 3x3 layer and its padding */

static bool dw3_ok(const pml_requant *q) {
    /* |output_offset| <= 128 (a negated int8 zero point): 128 << 22 + 2^21 + 2^30 < 2^31 */
    for (int32_t c = 0; c < q->count; c++)
        if (q->shift[c] < -22) return false;
    return true;
}

/* row buffer columns a layer reads: (OW - 1) * stride + 3 */
PML_INLINE int32_t dw3_cols(const pml_conv_params *p, const pml_dims4 *out_d) {
    return (out_d->w - 1) * p->stride_w + 3;
}

/* The 3x3 window whose rows start at r0, r1, r2 (two words per column) of four channels,
 * requantized and stored at o (four bytes). */
PML_INLINE void dw3_pix(const uint32_t *r0, const uint32_t *r1, const uint32_t *r2, const uint32_t *blk, int8_t *o) {
    /* fixed registers where LDM fills them (ascending register numbers = ascending addresses) */
    register uint32_t a0 __asm__("r8"), a1 __asm__("r9"), a2 __asm__("r10"), a3 __asm__("r11");
    register uint32_t xe __asm__("r4"), xo __asm__("r5"), w0 __asm__("r6");
    uint32_t w1;
#define DW3_TAP(row, xoff, woff)                                                                                       \
    "ldrd %[xe], %[xo], [%[" #row "], #" #xoff "]\n\t"                                                                 \
    "ldrd %[w0], %[w1], [%[k], #" #woff "]\n\t"                                                                        \
    "smlabb %[a0], %[xe], %[w0], %[a0]\n\t"                                                                            \
    "smlatt %[a2], %[xe], %[w0], %[a2]\n\t"                                                                            \
    "smlabb %[a1], %[xo], %[w1], %[a1]\n\t"                                                                            \
    "smlatt %[a3], %[xo], %[w1], %[a3]\n\t"
#define DW3_RQ(acc)                                                                                                    \
    "ldm %[k]!, {%[xe], %[xo], %[w0]}\n\t"                                                                             \
    "smmlar %[xe], %[" #acc "], %[xe], %[xo]\n\t"                                                                      \
    "sub %[xe], %[xe], %[" #acc "], lsr #31\n\t"                                                                       \
    "asr %[xe], %[xe], %[w0]\n\t"
    const uint32_t *k = blk;
    /* k walks the block: bias (LDM with writeback), then the weights at k + 48.., then (m, R, r) */
    __asm__ volatile("ldm %[k]!, {%[a0], %[a1], %[a2], %[a3]}\n\t" /* doubled bias */
            DW3_TAP(r0, 0, 48) DW3_TAP(r0, 8, 56) DW3_TAP(r0, 16, 64)
            DW3_TAP(r1, 0, 72) DW3_TAP(r1, 8, 80) DW3_TAP(r1, 16, 88)
            DW3_TAP(r2, 0, 96) DW3_TAP(r2, 8, 104) DW3_TAP(r2, 16, 112)
            DW3_RQ(a0) "ssat %[a0], #8, %[xe]\n\t"
            DW3_RQ(a1) "ssat %[xe], #8, %[xe]\n\t"
            "bfi %[a0], %[xe], #8, #8\n\t"
            DW3_RQ(a2) "ssat %[xe], #8, %[xe]\n\t"
            "bfi %[a0], %[xe], #16, #8\n\t"
            DW3_RQ(a3) "ssat %[xe], #8, %[xe]\n\t"
            "bfi %[a0], %[xe], #24, #8\n\t"
            "str %[a0], [%[o]]"
            : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [xe] "=&r"(xe), [xo] "=&r"(xo),
              [w0] "=&r"(w0), [w1] "=&r"(w1), [k] "+&r"(k)
            : [r0] "r"(r0), [r1] "r"(r1), [r2] "r"(r2), [o] "r"(o)
            : "memory");
#undef DW3_RQ
#undef DW3_TAP
    (void)a1;
    (void)a2;
    (void)a3;
    (void)w1;
    (void)xo;
    (void)a0;
    (void)k;
}

/* The n input columns of one buffer row (from the row's first input column): input row x of four
 * channels, or zeros for a padding row (x NULL). The padding columns stay zero from dw3_run. */
static PML_NOINLINE void dw3_fill(uint32_t *row, const int8_t *x, int32_t n, int32_t C, uint32_t o2) {
    uint32_t *const end = row + 2 * n;
    if (!x) {
        memset(row, 0, (size_t)n * 8);
        return;
    }
    for (; end - row >= 4; row += 4, x += 2 * C) {
        const uint32_t v = pml__ld32(x), u = pml__ld32(x + C);
        row[0] = pml__sxtab16(o2, v);
        row[1] = pml__sxtab16_r8(o2, v);
        row[2] = pml__sxtab16(o2, u);
        row[3] = pml__sxtab16_r8(o2, u);
    }
    if (row < end) {
        const uint32_t v = pml__ld32(x);
        row[0] = pml__sxtab16(o2, v);
        row[1] = pml__sxtab16_r8(o2, v);
    }
}

static PML_NOINLINE void dw3_run(DW_ARGS, uint32_t *rows, int32_t cap) {
    uint32_t blk[DW3_N];
    const int32_t H = in_d->h, W = in_d->w, C = in_d->c, OH = out_d->h, OW = out_d->w;
    const int32_t sh = p->stride_h, sw = p->stride_w, ph = p->pad_h, pw = p->pad_w, ooff = p->output_offset;
    const int32_t ncols = dw3_cols(p, out_d);
    /* buffer columns of input columns 0 .. W - 1: pw .. pw + W - 1, as far as the windows reach */
    const int32_t ndata = (pw + W < ncols ? pw + W : ncols) - (pw < ncols ? pw : ncols);
    const uint32_t o2 = pml__off2(p->input_offset);
    memset(rows, 0, (size_t)cap * 3 * 8); /* the padding columns, zero for good */
    for (int32_t c = 0; c + 4 <= C; c += 4) {
        for (int32_t j = 0; j < 4; j++) {
            const int32_t qi = q->count == 1 ? 0 : c + j, r = -q->shift[qi];
            blk[DW3_B + j] = bias ? 2u * (uint32_t)bias[c + j] : 0u;
            blk[DW3_Q + 3 * j] = (uint32_t)q->mult[qi];
            blk[DW3_Q + 3 * j + 1] = (1u << (r - 1)) + ((uint32_t)ooff << r);
            blk[DW3_Q + 3 * j + 2] = (uint32_t)r;
        }
        for (int32_t k = 0; k < 9; k++) {
            const uint32_t v = pml__ld32(filter + (size_t)k * C + c);
            blk[DW3_W + 2 * k] = pml__sxtb16(v) << 1 & 0xFFFEFFFEu; /* 2w per int16 lane */
            blk[DW3_W + 2 * k + 1] = pml__sxtb16_r8(v) << 1 & 0xFFFEFFFEu;
        }
        for (int32_t b = 0; b < out_d->n; b++) {
            const int8_t *inb = in + (size_t)b * H * W * C + c;
            int8_t *o = out + (size_t)b * OH * OW * C + c;
            /* the window's rows: three slots, rotated as the window moves down by the stride */
            uint32_t *rp[3] = {rows + 2 * pw, rows + 2 * cap + 2 * pw, rows + 4 * cap + 2 * pw};
            for (int32_t oy = 0; oy < OH; oy++) {
                const int32_t iy0 = oy * sh - ph;
                int32_t j = 0; /* rows kept from the previous window: 3 - stride */
                if (oy > 0 && sh < 3) {
                    uint32_t *const t0 = rp[0], *const t1 = rp[1];
                    if (sh == 1) {
                        rp[0] = rp[1], rp[1] = rp[2], rp[2] = t0;
                    } else {
                        rp[0] = rp[2], rp[1] = t0, rp[2] = t1;
                    }
                    j = 3 - sh;
                }
                for (; j < 3; j++) {
                    const int32_t iy = iy0 + j;
                    dw3_fill(rp[j], iy < 0 || iy >= H ? NULL : inb + (size_t)iy * W * C, ndata, C, o2);
                }
                const uint32_t *r0 = rp[0] - 2 * pw, *r1 = rp[1] - 2 * pw, *r2 = rp[2] - 2 * pw;
                for (const uint32_t *const r0end = r0 + (size_t)2 * sw * OW; r0 != r0end;
                     o += C, r0 += 2 * sw, r1 += 2 * sw, r2 += 2 * sw)
                    dw3_pix(r0, r1, r2, blk, o);
            }
        }
    }
    if (C & 3) dw_general(p, q, in_d, in, f_d, filter, bias, out_d, out, C & ~3);
}

/* two entry points, one body: the row buffers' size is the stack they take */
static PML_NOINLINE PML__NOCLONE void dw_fast3n(DW_ARGS) {
    uint32_t rows[3 * 2 * DW3_NARROW];
    dw3_run(p, q, in_d, in, f_d, filter, bias, out_d, out, rows, DW3_NARROW);
}

static PML_NOINLINE PML__NOCLONE void dw_fast3w(DW_ARGS) {
    uint32_t rows[3 * 2 * DW3_WIDE];
    dw3_run(p, q, in_d, in, f_d, filter, bias, out_d, out, rows, DW3_WIDE);
}

/* the other fast-path cases (POS form, a narrower clamp, other window sizes): one instance */
static PML_NOINLINE PML__NOCLONE void dw_fast_any(DW_ARGS) {
    const bool full = p->act_min == -128 && p->act_max == 127;
    dw_fast(p, q, in_d, in, f_d, filter, bias, out_d, out, dw_mode(q, bias, f_d, out_d), full);
    if (in_d->c & 3) dw_general(p, q, in_d, in, f_d, filter, bias, out_d, out, in_d->c & ~3);
}

void pml_dwconv2d_s8_dsp(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                         const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d,
                         int8_t *out) {
    const bool full = p->act_min == -128 && p->act_max == 127;
    const int fm = dw_mode(q, bias, f_d, out_d);
    const bool k3 = fm == PML__RQF_NEG && full && f_d->h == 3 && f_d->w == 3 && dw3_ok(q);
    if (k3 && dw3_cols(p, out_d) <= DW3_NARROW)
        dw_fast3n(p, q, in_d, in, f_d, filter, bias, out_d, out);
    else if (k3 && dw3_cols(p, out_d) <= DW3_WIDE)
        dw_fast3w(p, q, in_d, in, f_d, filter, bias, out_d, out);
    else if (fm != PML__RQF_NONE)
        dw_fast_any(p, q, in_d, in, f_d, filter, bias, out_d, out);
    else
        dw_general(p, q, in_d, in, f_d, filter, bias, out_d, out, 0);
}
