/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CONV_2D int8, Arm v7E-M DSP (dilation 1).
 *
 * Two output pixels at a time (CMSIS-NN's mat_mult_kernel_s8_s16 blocking): the windows of both
 * pixels are gathered once into `xbuf` as int16 with the input offset already added (padding taps
 * become 0, so they add nothing), in SMLAD lane order: per group of 4 window elements k..k+3 and
 * pixel, the words (x[k], x[k+2]) and (x[k+1], x[k+3]). Then for each pair of output channels the
 * inner loop is, per 4 window elements: 2 weight loads, 4 SXTB16, 2 LDRD and 8 SMLAD for
 * 16 MACs, and the four sums are requantized at once (channel parameters loaded once for both
 * pixels). Windows longer than XCAP elements are split into chunks; the partial sums of up to
 * OCB output channels then wait in `accb` between chunks. The window is gathered in runs (per
 * window row: left padding, the in-bounds taps, right padding; a pixel whose window lies inside
 * the input skips the clipping). Requantization (conv_mode): the SMMLAR NEG form when every shift
 * is -31..-1 (-31..0 with a zero multiplier) and the sums provably stay below 2^30, else the
 * one-shift SMLAL form with the same shifts, else the mode of pml__rq_mode at run time; channels
 * with a zero multiplier give 0 in every form, whatever their shift (TFLite flushes tiny scales to
 * multiplier 0, shift 0).
 * 1x1 convolutions with a window of up to QCAP elements (a multiple of 8), a bias and per-channel
 * requantization in the SMMLAR or SMLAL form go four pixels per pass, one output channel per asm
 * iteration (conv_quad: the per-channel work, which dominates short windows, is shared by four
 * pixels); conv_rest does the remaining pixels and every other shape. Their frames are not nested.
 * Stack: xbuf 2 * XCAP int16 (640 B); a window longer than XCAP is gathered in chunks of XCAP - 2 * OCB
 * elements, and accb takes the end of xbuf.
 */
#include "pml_dot_s8_dsp.h"

#define XCAP 160 /* window elements gathered per pixel and chunk (multiple of 4) */
_Static_assert(XCAP - 2 * 32 >= 4 && (XCAP - 2 * 32) % 4 == 0, "chunk length");
#define QCAP 88 /* conv_quad: window elements (four pixels in 2 * QCAP words) */
#define OCB 32   /* output channels per block when the window needs several chunks */
#define OCB4 128 /* OCB * 4: byte offset of pixel 1's partial sums in accb (an asm immediate) */
#define PML__XSTR(x) #x
#define PML__STR(x) PML__XSTR(x)
_Static_assert(OCB4 == OCB * 4, "OCB4");

bool pml_conv2d_s8_dsp_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                               const pml_dims4 *out_d) {
    (void)out_d;
    return p->dilation_h == 1 && p->dilation_w == 1 && f_d->c == in_d->c;
}

/* ng (>= 1) groups of 4 int8 at src, + off (o2: both lanes), to int16 lane pairs at d, d + 4, ...
 * (one pixel slot of xbuf); returns the next group's d. */
#define CVT16_GROUP                                                                                                    \
    "ldr     %[v], [%[s]], #4\n\t"                                                                                      \
    "sxtab16 %[e], %[o2], %[v]\n\t"                                                                                     \
    "sxtab16 %[o], %[o2], %[v], ror #8\n\t"                                                                             \
    "strd    %[e], %[o], [%[d]], #16\n\t"
#define CVT16_OPERANDS                                                                                                 \
    : [d] "+r"(d), [s] "+r"(src), [n] "+r"(n), [v] "=&r"(v), [e] "=&r"(e), [o] "=&r"(o) : [o2] "r"(o2) : "cc", "memory"

PML_INLINE uint32_t *cvt16(uint32_t *d, const int8_t *src, int32_t ng, uint32_t o2) {
    uint32_t v, e, o;
    int32_t n = ng >> 1;
    if (ng & 1) __asm__ volatile(CVT16_GROUP CVT16_OPERANDS);
    if (n) __asm__ volatile("1:\n\t" CVT16_GROUP CVT16_GROUP "subs %[n], %[n], #1\n\tbne 1b\n\t" CVT16_OPERANDS);
    return d;
}

/* copy n bytes (word-wise: unaligned LDR/STR are fine on v7-M); returns d + n */
PML_INLINE int8_t *copy8(int8_t *d, const int8_t *s, int32_t n) {
    int32_t nw = n >> 2;
    uint32_t v;
    if (nw) /* asm: GCC turns such C loops into memcpy calls */
        __asm__ volatile("1:\n\tldr %[v], [%[s]], #4\n\tstr %[v], [%[d]], #4\n\tsubs %[n], %[n], #1\n\tbne 1b"
                         : [d] "+r"(d), [s] "+r"(s), [n] "+r"(nw), [v] "=&r"(v)
                         :
                         : "cc", "memory");
    n &= 3;
    if (n > 0) d[0] = s[0];
    if (n > 1) d[1] = s[1];
    if (n > 2) d[2] = s[2];
    return d + n;
}

/* n bytes of (int8)-off at d: padding taps, x + off = 0 */
PML_INLINE void pad8(int8_t *d, int32_t n, int32_t off) {
    const uint32_t v = 0x01010101u * (uint8_t)-off;
    int32_t nw = n >> 2;
    if (nw)
        __asm__ volatile("1:\n\tstr %[v], [%[d]], #4\n\tsubs %[n], %[n], #1\n\tbne 1b"
                         : [d] "+r"(d), [n] "+r"(nw)
                         : [v] "r"(v)
                         : "cc", "memory");
    n &= 3;
    if (n > 0) d[0] = (int8_t)v;
    if (n > 1) d[1] = (int8_t)v;
    if (n > 2) d[2] = (int8_t)v;
}

/* Where gather puts a run of window elements: G16 int16 groups directly (run start and length are
 * multiples of 4), S8 int8 bytes into a staging window converted afterwards, E16 one int16 lane at a
 * time (any alignment). */
enum { SINK_G16 = 0, SINK_S8 = 1, SINK_E16 = 2 };

/* Chunk elements [e, e+n) of pixel slot px: src[0..n) + off, or padding (src NULL: contributes 0) */
PML_INLINE void put_run(uint32_t *xbuf, int8_t *win, int32_t px, int32_t e, const int8_t *src, int32_t n, int32_t off,
                        int sink) {
    if (sink == SINK_G16) {
        const uint32_t o2 = pml__off2(off);
        uint32_t *d = xbuf + e + px * 2; /* group e/4 starts at word e */
        if (src)
            cvt16(d, src, n >> 2, o2);
        else
            for (; n > 0; n -= 4, d += 4) d[0] = d[1] = 0;
    } else if (sink == SINK_S8) {
        int8_t *d = win + e;
        if (src) {
            copy8(d, src, n);
        } else {
            pad8(d, n, off);
        }
    } else {
        static const uint8_t lane[4] = {0, 2, 1, 3};
        int16_t *xb = (int16_t *)(void *)xbuf;
        for (int32_t i = 0; i < n; i++, e++) xb[(e >> 2) * 8 + px * 4 + lane[e & 3]] = src ? (int16_t)(src[i] + off) : 0;
    }
}

/* Window elements [k0, k1) of the pixel whose window starts at input (iy0, ix0), as int16 + off, into
 * slot px (0 or 1) of xbuf, in runs: per window row, the taps left of the input, the in-bounds taps
 * (contiguous in memory), the taps right of it; rows above or below the input are padding. */
PML_INLINE void gather_rows(const int8_t *in, int32_t H, int32_t W, int32_t C, int32_t KW, int32_t iy0, int32_t ix0,
                            int32_t k0, int32_t k1, int32_t off, uint32_t *xbuf, int8_t *win, int32_t px, int sink) {
    const int32_t RW = KW * C;
    const int32_t fa = ix0 < 0 ? -ix0 : 0;
    int32_t fb = W - ix0 < KW ? W - ix0 : KW;
    fb = fb < fa ? fa : fb;
    const int32_t sa = fa * C, sb = fb * C; /* in-bounds part of a window row */
    int32_t fy = k0 / RW;
    for (int32_t e0 = fy * RW; e0 < k1; fy++, e0 += RW) {
        const int32_t iy = iy0 + fy;
        int32_t lo = e0 > k0 ? e0 : k0;
        const int32_t hi = e0 + RW < k1 ? e0 + RW : k1;
        if (iy < 0 || iy >= H) {
            put_run(xbuf, win, px, lo - k0, NULL, hi - lo, off, sink);
            continue;
        }
        int32_t x = e0 + sa < hi ? e0 + sa : hi;
        if (x > lo) {
            put_run(xbuf, win, px, lo - k0, NULL, x - lo, off, sink);
            lo = x;
        }
        x = e0 + sb < hi ? e0 + sb : hi;
        if (x > lo) {
            put_run(xbuf, win, px, lo - k0, in + ((iy * W + ix0) * C + (lo - e0)), x - lo, off, sink);
            lo = x;
        }
        if (hi > lo) put_run(xbuf, win, px, lo - k0, NULL, hi - lo, off, sink);
    }
}

/* Window chunk [k0, k1) of one pixel into slot px of xbuf. Channel counts that are multiples of 4 give
 * whole groups; others go through an int8 staging window in the free part of xbuf (cap words: the
 * chunk's groups and the staging window must fit) when there is room, else element by element. A partial last group is zero-filled. */
PML_INLINE void gather(const int8_t *in, int32_t H, int32_t W, int32_t C, int32_t KH, int32_t KW, int32_t iy0,
                                int32_t ix0, int32_t k0, int32_t k1, int32_t off, uint32_t *xbuf, int32_t cap, int32_t px) {
    const int32_t len = k1 - k0, ng = (len + 3) >> 2;
    if ((C & 3) == 0 && iy0 >= 0 && iy0 + KH <= H && ix0 >= 0 && ix0 + KW <= W) {
        /* the whole window inside the input: KH runs of KW * C bytes, W * C apart */
        const int32_t RW = KW * C, RS = W * C;
        const int32_t fy = k0 < RW ? 0 : k0 / RW, e0 = fy * RW;
        const int8_t *row = in + (iy0 + fy) * RS + ix0 * C;
        const uint32_t o2 = pml__off2(off);
        uint32_t *d = cvt16(xbuf + px * 2, row + (k0 - e0), ((e0 + RW < k1 ? e0 + RW : k1) - k0) >> 2, o2);
        for (int32_t e = e0 + RW; e < k1; e += RW) {
            row += RS;
            d = cvt16(d, row, ((e + RW < k1 ? e + RW : k1) - e) >> 2, o2);
        }
    } else if ((C & 3) == 0) {
        gather_rows(in, H, W, C, KW, iy0, ix0, k0, k1, off, xbuf, NULL, px, SINK_G16);
    } else if (ng * 20 <= cap * 4) {
        int8_t *win = (int8_t *)(void *)(xbuf + ng * 4); /* past the groups in use */
        if (iy0 >= 0 && iy0 + KH <= H && ix0 >= 0 && ix0 + KW <= W) {
            const int32_t RW = KW * C, RS = W * C;
            const int32_t fy = k0 < RW ? 0 : k0 / RW, e0 = fy * RW;
            const int8_t *row = in + (iy0 + fy) * RS + ix0 * C;
            int8_t *d = copy8(win, row + (k0 - e0), (e0 + RW < k1 ? e0 + RW : k1) - k0);
            for (int32_t e = e0 + RW; e < k1; e += RW) {
                row += RS;
                d = copy8(d, row, (e + RW < k1 ? e + RW : k1) - e);
            }
        } else {
            gather_rows(in, H, W, C, KW, iy0, ix0, k0, k1, off, xbuf, win, px, SINK_S8);
        }
        pad8(win + len, ng * 4 - len, off);
        cvt16(xbuf + px * 2, win, ng, pml__off2(off));
    } else {
        gather_rows(in, H, W, C, KW, iy0, ix0, k0, k1, off, xbuf, NULL, px, SINK_E16);
        put_run(xbuf, NULL, px, len, NULL, ng * 4 - len, off, SINK_E16);
    }
}

/* Weight word of a partial last group: the `n` (1..3) remaining bytes, zero above. */
PML_INLINE uint32_t ld_tail(const int8_t *w, int32_t n) {
    uint32_t v = (uint8_t)w[0];
    if (n > 1) v |= (uint32_t)(uint8_t)w[1] << 8;
    if (n > 2) v |= (uint32_t)(uint8_t)w[2] << 16;
    return v;
}

/* One group of 4 window elements for 2 pixels x 2 channels: 2 LDR, 4 SXTB16, 2 LDRD, 8 SMLAD. */
#define MK2X2_GROUP                                                                                                  \
    "ldr    %[t0], [%[wa]], #4\n\t"                                                                                  \
    "ldrd   %[x0], %[x1], [%[xb]], #8\n\t"                                                                           \
    "sxtb16 %[t1], %[t0], ror #8\n\t"                                                                                \
    "sxtb16 %[t0], %[t0]\n\t"                                                                                        \
    "smlad  %[a00], %[x0], %[t0], %[a00]\n\t"                                                                        \
    "smlad  %[a00], %[x1], %[t1], %[a00]\n\t"                                                                        \
    "ldr    %[t2], [%[wb]], #4\n\t"                                                                                  \
    "sxtb16 %[t3], %[t2], ror #8\n\t"                                                                                \
    "sxtb16 %[t2], %[t2]\n\t"                                                                                        \
    "smlad  %[a01], %[x0], %[t2], %[a01]\n\t"                                                                        \
    "smlad  %[a01], %[x1], %[t3], %[a01]\n\t"                                                                        \
    "ldrd   %[x0], %[x1], [%[xb]], #8\n\t"                                                                           \
    "smlad  %[a10], %[x0], %[t0], %[a10]\n\t"                                                                        \
    "smlad  %[a10], %[x1], %[t1], %[a10]\n\t"                                                                        \
    "smlad  %[a11], %[x0], %[t2], %[a11]\n\t"                                                                        \
    "smlad  %[a11], %[x1], %[t3], %[a11]\n\t"

/* acc[4] = (px0 oc0, px0 oc1, px1 oc0, px1 oc1) += window chunk . weights, `full` whole groups
 * (inline asm: the 14 live values fill r0-r12 and lr, which the compiler's own allocation spilled) */
PML_INLINE void mk2x2(const uint32_t *xb, const int8_t *wa, const int8_t *wb, int32_t full, int32_t tail,
                      int32_t acc[4]) {
    int32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
    uint32_t t0, t1, t2, t3, x0, x1;
    int32_t n4 = full >> 2;
    if (n4 > 0)
        __asm__("1:\n\t" MK2X2_GROUP MK2X2_GROUP MK2X2_GROUP MK2X2_GROUP "subs %[n], %[n], #1\n\t"
                "bne 1b\n\t"
                : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [xb] "+r"(xb), [wa] "+r"(wa),
                  [wb] "+r"(wb), [n] "+r"(n4), [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3),
                  [x0] "=&r"(x0), [x1] "=&r"(x1)
                :
                : "cc", "memory");
    for (int32_t g = full & 3; g > 0; g--)
        __asm__(MK2X2_GROUP
                : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [xb] "+r"(xb), [wa] "+r"(wa),
                  [wb] "+r"(wb), [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [x0] "=&r"(x0),
                  [x1] "=&r"(x1)
                :
                : "memory");
    if (tail) {
        uint32_t v = ld_tail(wa, tail);
        const uint32_t wae = pml__sxtb16(v), wao = pml__sxtb16_r8(v);
        v = ld_tail(wb, tail);
        const uint32_t wbe = pml__sxtb16(v), wbo = pml__sxtb16_r8(v);
        a00 = pml__smlad(xb[1], wao, pml__smlad(xb[0], wae, a00));
        a01 = pml__smlad(xb[1], wbo, pml__smlad(xb[0], wbe, a01));
        a10 = pml__smlad(xb[3], wao, pml__smlad(xb[2], wae, a10));
        a11 = pml__smlad(xb[3], wbo, pml__smlad(xb[2], wbe, a11));
    }
    acc[0] = a00;
    acc[1] = a01;
    acc[2] = a10;
    acc[3] = a11;
}

/* acc[2] = (px0, px1) for one output channel */
PML_INLINE void mk2x1(const uint32_t *xb, const int8_t *wa, int32_t full, int32_t tail, int32_t acc[2]) {
    int32_t a0 = acc[0], a1 = acc[1];
    for (int32_t g = 0; g < full; g++, xb += 4, wa += 4) {
        const uint32_t v = pml__ld32(wa);
        const uint32_t we = pml__sxtb16(v), wo = pml__sxtb16_r8(v);
        a0 = pml__smlad(xb[1], wo, pml__smlad(xb[0], we, a0));
        a1 = pml__smlad(xb[3], wo, pml__smlad(xb[2], we, a1));
    }
    if (tail) {
        const uint32_t v = ld_tail(wa, tail);
        const uint32_t we = pml__sxtb16(v), wo = pml__sxtb16_r8(v);
        a0 = pml__smlad(xb[1], wo, pml__smlad(xb[0], we, a0));
        a1 = pml__smlad(xb[3], wo, pml__smlad(xb[2], we, a1));
    }
    acc[0] = a0;
    acc[1] = a1;
}

/* mode 0 of rq_ch, out of line (the run-time mode switch is large and not on a hot path) */
static PML_NOINLINE void rq_any2(int32_t a0, int32_t a1, const pml_requant *q, int32_t ch, int32_t off, int32_t lo,
                                 int32_t hi, int rm, bool full, int8_t *o0, int8_t *o1) {
    *o0 = pml__rq1_dsp(a0, q, ch, off, lo, hi, rm, full);
    *o1 = pml__rq1_dsp(a1, q, ch, off, lo, hi, rm, full);
}

/* Requantize the sums of one channel for both pixels (a0: pixel 0, a1: pixel 1). m, sh: the channel's
 * multiplier and shift. Mode 3: the SMMLAR NEG form; 1: the one-shift SMLAL form (both: a zero
 * multiplier, whatever its shift, takes shift -1 and gives 0, as the reference); 0: mode rm of
 * pml__rq_mode at run time, clamp to [lo, hi]. */
PML_INLINE void rq_ch(int32_t a0, int32_t a1, int32_t m, int32_t sh, const pml_requant *q, int32_t ch, int32_t off,
                      int32_t lo, int32_t hi, int mode, int rm, bool full, int8_t *o0, int8_t *o1) {
    if (mode == 3) {
        const int32_t r = m ? -sh : 1;
        const pml__rqf t = {m, (int32_t)((1u << r) >> 1), r};
        *o0 = (int8_t)pml__clamp8(pml__rqf_apply(a0, &t, PML__RQF_NEG) + off, lo, hi, full);
        *o1 = (int8_t)pml__clamp8(pml__rqf_apply(a1, &t, PML__RQF_NEG) + off, lo, hi, full);
    } else if (mode == 1) {
        const pml__rq_ch c = pml__rq_prep1(m, m ? sh : -1);
        *o0 = (int8_t)pml__clamp8(pml__rq_apply(a0, c) + off, lo, hi, full);
        *o1 = (int8_t)pml__clamp8(pml__rq_apply(a1, c) + off, lo, hi, full);
    } else {
        rq_any2(a0, a1, q, ch, off, lo, hi, rm, full, o0, o1);
    }
}

static const int32_t zero2[2] = {0, 0}; /* the bias of a convolution without one */

/* State of pairs_neg in memory (the loop needs all 14 registers; these are loaded around it). */
typedef struct pair_state {
    const int8_t *w;    /* weights of the next channel pair          */
    const int32_t *bp;  /* its bias                                  */
    const int32_t *mp;  /* its multiplier                            */
    const int8_t *shp;  /* its shift                                 */
    int8_t *op;         /* its output, pixel 0                       */
    int32_t cnt;        /* channel pairs left                        */
    const uint32_t *xb; /* xbuf                                      */
    int32_t k, bs, qs, d1, off;
    int32_t grp; /* groups / 4 << 4 | chunk flags << 2 | groups % 4 (flags, pairs_negc: 1 first chunk,
                  * 2 last chunk); conv_quad: passes of 4 groups << 1 | odd group-pair count */
    int32_t *ab; /* pairs_negc: the pair's partial sums in accb  */
} pair_state;

PML_INLINE void st_set(pair_state *st, const int8_t *w, const int32_t *bp, const int32_t *mp, const int8_t *shp,
                       int8_t *op, int32_t cnt, int32_t d1, int32_t groups, int32_t fl) {
    st->w = w;
    st->bp = bp;
    st->mp = mp;
    st->shp = shp;
    st->op = op;
    st->cnt = cnt;
    st->d1 = d1;
    st->grp = (groups >> 2) << 4 | fl << 2 | (groups & 3);
}

/* Whole-window, full-range channel pairs in one asm loop each (the C loop spills and reloads its
 * pointers around the micro-kernel, which needs all 14 registers): per pair the bias pair,
 * grp / 16 * 4 + grp % 4 groups of mk2x2 (PAIR_HEAD), the requantization of the four sums, the output step
 * (PAIR_TAIL). Needs st->cnt >= 1; a partial last group is read whole, so its x lanes must be 0 and
 * the rows must not end the filter. */
/* the bias pair into a00, a01, bp stepped: by bs (any bias, or none: zero2 and bs 0), or by 8 (_PC: a bias) */
#define PAIR_BIAS \
        "ldr     %[t0], %[bp]\n\t" \
        "ldrd    %[a00], %[a01], [%[t0]]\n\t" \
        "ldr     %[t1], %[bs]\n\t" \
        "add     %[t0], %[t0], %[t1]\n\t" \
        "str     %[t0], %[bp]\n\t"
#define PAIR_BIAS_PC \
        "ldr     %[t0], %[bp]\n\t" \
        "ldrd    %[a00], %[a01], [%[t0]], #8\n\t" \
        "str     %[t0], %[bp]\n\t"
/* One output-channel pair over the window: the two weight rows (the next pair 2K further: the
 * groups may pass K by a tail), then the 2x2 MAC groups, four at a time and the rest one by one. */
#define PAIR_GROUPS \
        "ldr     %[wa], %[w]\n\t" \
        "ldr     %[t0], %[k]\n\t" \
        "add     %[wb], %[wa], %[t0]\n\t" \
        "add     %[t1], %[wb], %[t0]\n\t" \
        "str     %[t1], %[w]\n\t" \
        "ldr     %[xb], %[xbp]\n\t" \
        "ldr     %[n], %[grp]\n\t" \
        "lsrs    %[n], %[n], #4\n\t" \
        "beq     3f\n\t" \
        "2:\n\t" MK2X2_GROUP MK2X2_GROUP MK2X2_GROUP MK2X2_GROUP \
        "subs    %[n], %[n], #1\n\t" \
        "bne     2b\n\t" \
        "3:\n\t" \
        "ldr     %[n], %[grp]\n\t" \
        "ands    %[n], %[n], #3\n\t" \
        "beq     5f\n\t" \
        "4:\n\t" MK2X2_GROUP \
        "subs    %[n], %[n], #1\n\t" \
        "bne     4b\n\t" \
        "5:\n\t"
#define PAIR_HEAD PAIR_HEAD_B(PAIR_BIAS)
#define PAIR_HEAD_B(BIAS) \
        "9:\n\t" BIAS \
        "mov     %[a10], %[a00]\n\t" \
        "mov     %[a11], %[a01]\n\t" \
        PAIR_GROUPS
#define PAIR_TAIL \
        "add     %[wa], %[wa], #2\n\t" \
        "str     %[wa], %[op]\n\t" \
        "ldr     %[n], %[cnt]\n\t" \
        "subs    %[n], %[n], #1\n\t" \
        "str     %[n], %[cnt]\n\t" \
        "bne     9b\n\t"
#define PAIR_LOCALS \
    pair_state *st = stp; /* conv_dsp's, on its stack: the "m" operands are sp-relative, need no register */ \
    int32_t a00, a01, a10, a11; \
    uint32_t t0, t1, t2, t3, x0, x1; \
    const uint32_t *xb; \
    const int8_t *wa, *wb; \
    int32_t n;
#define PAIR_OPERANDS \
        : [a00] "=&r"(a00), [a01] "=&r"(a01), [a10] "=&r"(a10), [a11] "=&r"(a11), [xb] "=&r"(xb), [wa] "=&r"(wa), \
          [wb] "=&r"(wb), [n] "=&r"(n), [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), \
          [x0] "=&r"(x0), [x1] "=&r"(x1) \
        /* the fields are updated in place (stores through "m" operands, hence the memory clobber; \
         * "+m" would exceed the 30-operand limit) */ \
        : [w] "m"(st->w), [bp] "m"(st->bp), [mp] "m"(st->mp), [shp] "m"(st->shp), [op] "m"(st->op), \
          [cnt] "m"(st->cnt), [xbp] "m"(st->xb), [k] "m"(st->k), [bs] "m"(st->bs), [qs] "m"(st->qs), [d1] "m"(st->d1), \
          [off] "m"(st->off), [grp] "m"(st->grp) \
        : "cc", "memory"

/* the SMMLAR requantization of the four sums of a pair (pairs_neg, pairs_negc). st->off holds
 * 2 * output offset + 1, so R = ((2 off + 1) << r) >> 1 = 2^(r-1) + off * 2^r is the rounding term with
 * the output offset already in (conv_mode bounds |R| so that R + the product stays in range); a zero
 * multiplier takes r | 1 (its shift may be 0) and gives off. */
/* the pair's multipliers into t2, t3 and shifts into x0, x1, mp and shp stepped: by qs (per-tensor: 0), or
 * for per-channel requantization (_PC) */
#define PAIR_MS \
        "ldr     %[t0], %[mp]\n\t" \
        "ldr     %[t1], %[qs]\n\t" \
        "ldr     %[t2], [%[t0]]\n\t" \
        "ldr     %[t3], [%[t0], %[t1], lsl #2]\n\t" \
        "add     %[t0], %[t0], %[t1], lsl #3\n\t" \
        "str     %[t0], %[mp]\n\t" \
        "ldr     %[t0], %[shp]\n\t" \
        "ldrsb   %[x0], [%[t0]]\n\t" \
        "ldrsb   %[x1], [%[t0], %[t1]]\n\t" \
        "add     %[t0], %[t0], %[t1], lsl #1\n\t" \
        "str     %[t0], %[shp]\n\t"
#define PAIR_MS_PC \
        "ldr     %[t0], %[mp]\n\t" \
        "ldrd    %[t2], %[t3], [%[t0]], #8\n\t" \
        "str     %[t0], %[mp]\n\t" \
        "ldr     %[t0], %[shp]\n\t" \
        "ldrsb   %[x1], [%[t0], #1]\n\t" \
        "ldrsb   %[x0], [%[t0]], #2\n\t" \
        "str     %[t0], %[shp]\n\t"
#define PAIR_NEG_RQ PAIR_NEG_RQ_L(PAIR_MS)
#define PAIR_NEG_RQ_L(MS) \
        MS \
        "ldr     %[xb], %[off]\n\t" \
        "ldr     %[wa], %[op]\n\t" \
        "ldr     %[wb], %[d1]\n\t" \
        /* channel 0: m t2, r x0; pixel 0 a00 -> [wa], pixel 1 a10 -> [wa, wb] */ \
        "rsb     %[x0], %[x0], #0\n\t" \
        "clz     %[t0], %[t2]\n\t" \
        "orr     %[x0], %[x0], %[t0], lsr #5\n\t" \
        "lsl     %[t0], %[xb], %[x0]\n\t" \
        "asr     %[t0], %[t0], #1\n\t" \
        "lsl     %[t1], %[a00], #1\n\t" \
        "smmlar  %[t1], %[t1], %[t2], %[t0]\n\t" \
        "sub     %[t1], %[t1], %[a00], lsr #31\n\t" \
        "asr     %[t1], %[t1], %[x0]\n\t" \
        "ssat    %[t1], #8, %[t1]\n\t" \
        "strb    %[t1], [%[wa]]\n\t" \
        "lsl     %[t1], %[a10], #1\n\t" \
        "smmlar  %[t1], %[t1], %[t2], %[t0]\n\t" \
        "sub     %[t1], %[t1], %[a10], lsr #31\n\t" \
        "asr     %[t1], %[t1], %[x0]\n\t" \
        "ssat    %[t1], #8, %[t1]\n\t" \
        "strb    %[t1], [%[wa], %[wb]]\n\t" \
        /* channel 1: m t3, r x1; a01 -> [wa, #1], a11 -> [wa, wb + 1] */ \
        "rsb     %[x1], %[x1], #0\n\t" \
        "clz     %[t0], %[t3]\n\t" \
        "orr     %[x1], %[x1], %[t0], lsr #5\n\t" \
        "lsl     %[t0], %[xb], %[x1]\n\t" \
        "asr     %[t0], %[t0], #1\n\t" \
        "lsl     %[t1], %[a01], #1\n\t" \
        "smmlar  %[t1], %[t1], %[t3], %[t0]\n\t" \
        "sub     %[t1], %[t1], %[a01], lsr #31\n\t" \
        "asr     %[t1], %[t1], %[x1]\n\t" \
        "ssat    %[t1], #8, %[t1]\n\t" \
        "strb    %[t1], [%[wa], #1]\n\t" \
        "lsl     %[t1], %[a11], #1\n\t" \
        "smmlar  %[t1], %[t1], %[t3], %[t0]\n\t" \
        "sub     %[t1], %[t1], %[a11], lsr #31\n\t" \
        "asr     %[t1], %[t1], %[x1]\n\t" \
        "ssat    %[t1], #8, %[t1]\n\t" \
        "add     %[wb], %[wb], #1\n\t" \
        "strb    %[t1], [%[wa], %[wb]]\n\t"

/* SMMLAR form: per channel r = -shift, rnd = 2^(r-1), per output ssat(((smmlar(2a, m, rnd) - [a < 0])
 * >> r) + off). Exact when every sum is below 2^30 in magnitude and no multiplier is 0. */
PML_INLINE void pairs_neg(pair_state *stp) {
    PAIR_LOCALS
    __asm__ volatile(PAIR_HEAD PAIR_NEG_RQ
        PAIR_TAIL PAIR_OPERANDS);
}

/* pairs_neg with a bias and per-channel requantization */
PML_INLINE void pairs_neg_pc(pair_state *stp) {
    PAIR_LOCALS
    __asm__ volatile(PAIR_HEAD_B(PAIR_BIAS_PC) PAIR_NEG_RQ_L(PAIR_MS_PC) PAIR_TAIL PAIR_OPERANDS);
}

/* one channel in the SMLAL form (pml__rq_prep1 / pml__rq_apply): m, shift from mp / shp (stepped),
 * r = -shift (a zero multiplier takes r = 1), t = 2^r, start value (hi:lo) = (t >> 2 : 2^30 | t << 30)
 * minus [a < 0] * 2^31, result hi >> (r - 1); pixel 0 to [wa, #j], pixel 1 to [wa, wb] (wb = d1 + j) */
#define PAIR_M1_MS \
    "ldr     %[t0], %[mp]\n\t" \
    "ldr     %[t1], %[qs]\n\t" \
    "ldr     %[t2], [%[t0]]\n\t" \
    "add     %[t0], %[t0], %[t1], lsl #2\n\t" \
    "str     %[t0], %[mp]\n\t" \
    "ldr     %[t0], %[shp]\n\t" \
    "ldrsb   %[x0], [%[t0]]\n\t" \
    "add     %[t0], %[t0], %[t1]\n\t" \
    "str     %[t0], %[shp]\n\t"
#define PAIR_M1_MS_PC /* per-channel requantization */ \
    "ldr     %[t0], %[mp]\n\t" \
    "ldr     %[t2], [%[t0]], #4\n\t" \
    "str     %[t0], %[mp]\n\t" \
    "ldr     %[t0], %[shp]\n\t" \
    "ldrsb   %[x0], [%[t0]], #1\n\t" \
    "str     %[t0], %[shp]\n\t"
#define PAIR_M1_CH(A, B, j) PAIR_M1_CH_L(A, B, j, PAIR_M1_MS)
#define PAIR_M1_CH_L(A, B, j, MS) \
    MS \
    "cmp     %[t2], #0\n\t" \
    "it      eq\n\t" \
    "mvneq   %[x0], #0\n\t" \
    "rsb     %[x0], %[x0], #0\n\t" \
    "mov     %[t3], #1\n\t" \
    "lsl     %[t3], %[t3], %[x0]\n\t" \
    "lsl     %[x1], %[t3], #30\n\t" \
    "orr     %[x1], %[x1], #0x40000000\n\t" \
    "lsr     %[t3], %[t3], #2\n\t" \
    "sub     %[x0], %[x0], #1\n\t" \
    PAIR_M1_OUT(A, "[%[wa], #" #j "]") \
    PAIR_M1_OUT(B, "[%[wa], %[wb]]")
#define PAIR_M1_OUT(A, dst) \
    "asr     %[t1], %[" #A "], #31\n\t" \
    "adds    %[t0], %[x1], %[t1], lsl #31\n\t" \
    "adc     %[t1], %[t3], %[t1]\n\t" \
    "smlal   %[t0], %[t1], %[" #A "], %[t2]\n\t" \
    "asr     %[t1], %[t1], %[x0]\n\t" \
    "add     %[t1], %[t1], %[n]\n\t" \
    "ssat    %[t1], #8, %[t1]\n\t" \
    "strb    %[t1], " dst "\n\t"

/* the SMLAL requantization of the four sums of a pair (pairs_m1, pairs_m1c) */
#define PAIR_M1_RQ PAIR_M1_RQ_L(PAIR_M1_MS)
#define PAIR_M1_RQ_L(MS) \
        "ldr     %[n], %[off]\n\t" \
        "ldr     %[wa], %[op]\n\t" \
        "ldr     %[wb], %[d1]\n\t" \
        PAIR_M1_CH_L(a00, a10, 0, MS) \
        "add     %[wb], %[wb], #1\n\t" \
        PAIR_M1_CH_L(a01, a11, 1, MS)

/* SMLAL form: exact for any sum, zero multipliers allowed (every shift -31..-1) */
PML_INLINE void pairs_m1(pair_state *stp) {
    PAIR_LOCALS
    __asm__ volatile(PAIR_HEAD PAIR_M1_RQ PAIR_TAIL PAIR_OPERANDS);
}

/* pairs_m1 with a bias and per-channel requantization */
PML_INLINE void pairs_m1_pc(pair_state *stp) {
    PAIR_LOCALS
    __asm__ volatile(PAIR_HEAD_B(PAIR_BIAS_PC) PAIR_M1_RQ_L(PAIR_M1_MS_PC) PAIR_TAIL PAIR_OPERANDS);
}

/* One chunk of a window split into chunks, channel pairs in one asm loop: sums start from the bias
 * (first chunk) or st->ab, end requantized by RQ (last chunk) or in st->ab (px 0 at ab[0..1], px 1 at
 * ab[OCB..OCB+1]) */
#define PAIR_CHUNK_ASM(RQ, BIAS) \
        "9:\n\t" \
        "ldr     %[t0], %[grp]\n\t" \
        "tst     %[t0], #4\n\t" \
        "beq     6f\n\t" \
        BIAS \
        "mov     %[a10], %[a00]\n\t" \
        "mov     %[a11], %[a01]\n\t" \
        "b       7f\n\t" \
        "6:\n\t" \
        "ldr     %[t0], %[ab]\n\t" \
        "ldrd    %[a00], %[a01], [%[t0]]\n\t" \
        "ldrd    %[a10], %[a11], [%[t0], #" PML__STR(OCB4) "]\n\t" \
        "7:\n\t" \
        PAIR_GROUPS \
        "ldr     %[t0], %[grp]\n\t" \
        "tst     %[t0], #8\n\t" \
        "bne     8f\n\t" \
        "ldr     %[t0], %[ab]\n\t" \
        "strd    %[a00], %[a01], [%[t0]]\n\t" \
        "strd    %[a10], %[a11], [%[t0], #" PML__STR(OCB4) "]\n\t" \
        "b       10f\n\t" \
        "8:\n\t" RQ \
        "add     %[wa], %[wa], #2\n\t" \
        "str     %[wa], %[op]\n\t" \
        "10:\n\t" \
        "ldr     %[t0], %[ab]\n\t" \
        "add     %[t0], %[t0], #8\n\t" \
        "str     %[t0], %[ab]\n\t" \
        "ldr     %[n], %[cnt]\n\t" \
        "subs    %[n], %[n], #1\n\t" \
        "str     %[n], %[cnt]\n\t" \
        "bne     9b\n\t"
#define PAIR_CHUNK_OPERANDS \
        : [a00] "=&r"(a00), [a01] "=&r"(a01), [a10] "=&r"(a10), [a11] "=&r"(a11), [xb] "=&r"(xb), [wa] "=&r"(wa), \
          [wb] "=&r"(wb), [n] "=&r"(n), [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), \
          [x0] "=&r"(x0), [x1] "=&r"(x1) \
        : [w] "m"(st->w), [bp] "m"(st->bp), [mp] "m"(st->mp), [shp] "m"(st->shp), [op] "m"(st->op), [cnt] "m"(st->cnt), \
          [xbp] "m"(st->xb), [k] "m"(st->k), [bs] "m"(st->bs), [qs] "m"(st->qs), [d1] "m"(st->d1), [off] "m"(st->off), \
          [grp] "m"(st->grp), [ab] "m"(st->ab) \
        : "cc", "memory"

/* pairs_neg for one chunk (PAIR_CHUNK_ASM) */
PML_INLINE void pairs_negc(pair_state *stp) {
    PAIR_LOCALS
    __asm__ volatile(PAIR_CHUNK_ASM(PAIR_NEG_RQ, PAIR_BIAS) PAIR_CHUNK_OPERANDS);
}

/* pairs_negc with a bias and per-channel requantization */
PML_INLINE void pairs_negc_pc(pair_state *stp) {
    PAIR_LOCALS
    __asm__ volatile(PAIR_CHUNK_ASM(PAIR_NEG_RQ_L(PAIR_MS_PC), PAIR_BIAS_PC) PAIR_CHUNK_OPERANDS);
}

/* pairs_m1 for one chunk (PAIR_CHUNK_ASM) */
PML_INLINE void pairs_m1c(pair_state *stp) {
    PAIR_LOCALS
    __asm__ volatile(PAIR_CHUNK_ASM(PAIR_M1_RQ, PAIR_BIAS) PAIR_CHUNK_OPERANDS);
}


/* Four pixels of a 1x1 convolution, one output channel per iteration (for short windows the
 * per-channel work, not the MACs, dominates; here it is shared by four pixels): xbuf holds per group
 * of 4 window elements the lane-pair words of pixels 0..3 (8 words); per group 1 LDR, 2 SXTB16,
 * 4 LDRD, 8 SMLAD for 16 MACs. Needs K % 8 == 0 (K >= 8), a bias, per-channel
 * multipliers and shifts, conv_mode 3 (PAIR_NEG_RQ's rounding term with the offset, st->off =
 * 2 off + 1); the output of pixel p goes to st->op + p * st->d1; the weight rows follow each other
 * (the loop reads exactly K bytes per channel). */
#define QUAD_GROUP \
        "ldr     %[t3], [%[wa]], #4\n\t" \
        "sxtb16  %[t2], %[t3]\n\t" \
        "sxtb16  %[t3], %[t3], ror #8\n\t" \
        "ldrd    %[x0], %[x1], [%[xb]], #8\n\t" \
        "smlad   %[a00], %[x0], %[t2], %[a00]\n\t" \
        "smlad   %[a00], %[x1], %[t3], %[a00]\n\t" \
        "ldrd    %[x0], %[x1], [%[xb]], #8\n\t" \
        "smlad   %[a01], %[x0], %[t2], %[a01]\n\t" \
        "smlad   %[a01], %[x1], %[t3], %[a01]\n\t" \
        "ldrd    %[x0], %[x1], [%[xb]], #8\n\t" \
        "smlad   %[a10], %[x0], %[t2], %[a10]\n\t" \
        "smlad   %[a10], %[x1], %[t3], %[a10]\n\t" \
        "ldrd    %[x0], %[x1], [%[xb]], #8\n\t" \
        "smlad   %[a11], %[x0], %[t2], %[a11]\n\t" \
        "smlad   %[a11], %[x1], %[t3], %[a11]\n\t"
#define QUAD_OUT(A, dst) \
        "lsl     %[t1], %[" #A "], #1\n\t" \
        "smmlar  %[t1], %[t1], %[x0], %[t0]\n\t" \
        "sub     %[t1], %[t1], %[" #A "], lsr #31\n\t" \
        "asr     %[t1], %[t1], %[x1]\n\t" \
        "ssat    %[t1], #8, %[t1]\n\t" \
        "strb    %[t1], " dst "\n\t"

#define QUAD_HEAD \
        "ldr     %[wa], %[w]\n\t" \
        "9:\n\t" \
        "ldr     %[t0], %[bp]\n\t" \
        "ldr     %[a00], [%[t0]], #4\n\t" \
        "str     %[t0], %[bp]\n\t" \
        "mov     %[a01], %[a00]\n\t" \
        "mov     %[a10], %[a00]\n\t" \
        "mov     %[a11], %[a00]\n\t" \
        "ldr     %[xb], %[xbp]\n\t" \
        "ldr     %[n], %[grp]\n\t" \
        "lsrs    %[n], %[n], #1\n\t" /* passes of 4 groups; an odd count of group pairs: */ \
        "bcs     1f\n\t"             /* the first pass does the second half only */ \
        "2:\n\t" QUAD_GROUP QUAD_GROUP \
        "1:\n\t" QUAD_GROUP QUAD_GROUP \
        "subs    %[n], %[n], #1\n\t" \
        "bne     2b\n\t"
#define QUAD_TAIL \
        "ldr     %[n], %[cnt]\n\t" \
        "subs    %[n], %[n], #1\n\t" \
        "str     %[n], %[cnt]\n\t" \
        "bne     9b\n\t"

PML_INLINE void quad_neg(pair_state *stp) {
    PAIR_LOCALS
    __asm__ volatile(
        QUAD_HEAD
        /* m x0, r x1 (r | 1 for a zero multiplier), R t0 (as PAIR_NEG_RQ) */
        "ldr     %[t0], %[mp]\n\t"
        "ldr     %[x0], [%[t0]], #4\n\t"
        "str     %[t0], %[mp]\n\t"
        "ldr     %[t0], %[shp]\n\t"
        "ldrsb   %[x1], [%[t0]], #1\n\t"
        "str     %[t0], %[shp]\n\t"
        "rsb     %[x1], %[x1], #0\n\t"
        "clz     %[t0], %[x0]\n\t"
        "orr     %[x1], %[x1], %[t0], lsr #5\n\t"
        "ldr     %[t1], %[off]\n\t"
        "lsl     %[t0], %[t1], %[x1]\n\t"
        "asr     %[t0], %[t0], #1\n\t"
        "ldr     %[t2], %[op]\n\t"
        "ldr     %[t3], %[d1]\n\t"
        QUAD_OUT(a00, "[%[t2]]")
        QUAD_OUT(a01, "[%[t2], %[t3]]")
        "add     %[xb], %[t2], %[t3], lsl #1\n\t"
        QUAD_OUT(a10, "[%[xb]]")
        QUAD_OUT(a11, "[%[xb], %[t3]]")
        "add     %[t2], %[t2], #1\n\t"
        "str     %[t2], %[op]\n\t"
        QUAD_TAIL
        PAIR_OPERANDS);
}

/* one output in the SMLAL form (PAIR_M1_CH's): m t2, r - 1 x0, start x1 (lo), t3 (hi), offset n; to t1 */
#define QUAD_M1_OUT(A) \
        "asr     %[t1], %[" #A "], #31\n\t" \
        "adds    %[t0], %[x1], %[t1], lsl #31\n\t" \
        "adc     %[t1], %[t3], %[t1]\n\t" \
        "smlal   %[t0], %[t1], %[" #A "], %[t2]\n\t" \
        "asr     %[t1], %[t1], %[x0]\n\t" \
        "add     %[t1], %[t1], %[n]\n\t" \
        "ssat    %[t1], #8, %[t1]\n\t"

/* quad_neg with the SMLAL form (conv_mode 1; st->off = off): after each sum is used its register
 * holds the output addressing (a00: d1, a01: pixel 2's output) */
PML_INLINE void quad_m1(pair_state *stp) {
    PAIR_LOCALS
    __asm__ volatile(
        QUAD_HEAD
        "ldr     %[t0], %[mp]\n\t"
        "ldr     %[t2], [%[t0]], #4\n\t"
        "str     %[t0], %[mp]\n\t"
        "ldr     %[t0], %[shp]\n\t"
        "ldrsb   %[x0], [%[t0]], #1\n\t"
        "str     %[t0], %[shp]\n\t"
        "cmp     %[t2], #0\n\t"
        "it      eq\n\t"
        "mvneq   %[x0], #0\n\t"
        "rsb     %[x0], %[x0], #0\n\t"
        "mov     %[t3], #1\n\t"
        "lsl     %[t3], %[t3], %[x0]\n\t"
        "lsl     %[x1], %[t3], #30\n\t"
        "orr     %[x1], %[x1], #0x40000000\n\t"
        "lsr     %[t3], %[t3], #2\n\t"
        "sub     %[x0], %[x0], #1\n\t"
        "ldr     %[n], %[off]\n\t"
        "ldr     %[xb], %[op]\n\t"
        QUAD_M1_OUT(a00)
        "strb    %[t1], [%[xb]]\n\t"
        "ldr     %[a00], %[d1]\n\t"
        QUAD_M1_OUT(a01)
        "strb    %[t1], [%[xb], %[a00]]\n\t"
        "add     %[a01], %[xb], %[a00], lsl #1\n\t"
        QUAD_M1_OUT(a10)
        "strb    %[t1], [%[a01]]\n\t"
        QUAD_M1_OUT(a11)
        "strb    %[t1], [%[a01], %[a00]]\n\t"
        "add     %[xb], %[xb], #1\n\t"
        "str     %[xb], %[op]\n\t"
        QUAD_TAIL
        PAIR_OPERANDS);
}

/* cvt16 for the four-pixel layout of quad_neg (8 words per group) */
PML_INLINE void cvt16q(uint32_t *d, const int8_t *src, int32_t ng, uint32_t o2) {
    uint32_t v, e, o;
    for (; ng > 0; ng--)
        __asm__ volatile("ldr     %[v], [%[s]], #4\n\t"
                         "sxtab16 %[e], %[o2], %[v]\n\t"
                         "sxtab16 %[o], %[o2], %[v], ror #8\n\t"
                         "strd    %[e], %[o], [%[d]], #32\n\t"
                         : [d] "+r"(d), [s] "+r"(src), [v] "=&r"(v), [e] "=&r"(e), [o] "=&r"(o)
                         : [o2] "r"(o2)
                         : "memory");
}

/* 3: every nonzero multiplier has shift -31..-1, every zero one shift -31..0, the sums stay below
 * 2^30 and the rounding term with the output offset in (PAIR_NEG_RQ) below 2^30 (the SMMLAR form is
 * exact); 1: every channel with a nonzero multiplier has shift -31..-1; 0: anything else. */
PML_INLINE int conv_mode(const pml_requant *q, const int32_t *bias, int32_t OC, int32_t K, int32_t ooff) {
    bool neg = true;
    int32_t rmax = 1;
    for (int32_t c = 0; c < q->count; c++) {
        const int32_t m = q->mult[c], sh = q->shift[c];
        if (m < 0) return 0;
        if (m != 0 && (sh < -31 || sh > -1)) return 0;
        if (m == 0 && (sh < -31 || sh > 0)) neg = false;
        const int32_t r = m ? -sh : (-sh) | 1;
        rmax = r > rmax ? r : rmax;
    }
    if (!neg) return 1;
    int64_t bmax = 0;
    for (int32_t c = 0; bias && c < OC; c++) {
        const int64_t b = bias[c] < 0 ? -(int64_t)bias[c] : (int64_t)bias[c];
        bmax = b > bmax ? b : bmax;
    }
    const int64_t o = ooff < 0 ? -(int64_t)ooff : (int64_t)ooff;
    if ((2 * o + 1) << rmax > ((int64_t)1 << 30)) return 1;
    return bmax + (int64_t)K * 32640 < ((int64_t)1 << 30) ? 3 : 1;
}

/* conv_quad's shapes, besides conv_mode 3 or 1: 1x1, full range, a bias, per-channel requantization, K
 * a multiple of 8 up to QCAP */
PML_INLINE bool quad_applies(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d,
                             const pml_dims4 *f_d, const int32_t *bias, const pml_dims4 *out_d) {
    const int32_t C = in_d->c;
    return p->act_min == -128 && p->act_max == 127 && bias && f_d->h == 1 && f_d->w == 1 && C >= 8 && (C & 7) == 0 &&
           C <= QCAP && q->count == out_d->c && out_d->c >= 1;
}

/* The pixels of a 1x1 convolution with a short window (quad_applies, conv_mode 3 or 1) four at a time
 * (quad_neg, quad_m1) while four remain; returns how many (conv_rest does the rest). Its own xbuf and
 * state: the frames of conv_quad and conv_rest are not nested. */
static PML_NOINLINE int32_t conv_quad(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d,
                                      const int8_t *in, const pml_dims4 *f_d, const int8_t *filter,
                                      const int32_t *bias, const pml_dims4 *out_d, int8_t *out) {
    if (!quad_applies(p, q, in_d, f_d, bias, out_d)) return 0;
    const int mode = conv_mode(q, bias, out_d->c, in_d->c, p->output_offset);
    if (mode == 0) return 0;
    const bool nz = mode == 3;
    uint32_t xbuf[2 * QCAP];
    pair_state stv;
    pair_state *const st = &stv;
    const int32_t H = in_d->h, W = in_d->w, C = in_d->c, OC = out_d->c, OW = out_d->w, OHW = out_d->h * OW;
    const int32_t npix = out_d->n * OHW;
    const uint32_t o2 = pml__off2(p->input_offset);
    int32_t pix = 0;
    st->xb = xbuf;
    st->off = nz ? 2 * p->output_offset + 1 : p->output_offset;
    st->grp = ((C + 8) >> 4) << 1 | ((C >> 3) & 1); /* QUAD_HEAD: passes << 1 | odd pair count */
    st->d1 = OC;
    for (; pix + 4 <= npix; pix += 4) {
        for (int32_t px = 0; px < 4; px++) {
            const int32_t pp = pix + px, b = pp / OHW, r = pp - b * OHW, oy = r / OW, ox = r - oy * OW;
            const int32_t iy = oy * p->stride_h - p->pad_h, ix = ox * p->stride_w - p->pad_w;
            cvt16q(xbuf + 2 * px, in + (((size_t)b * H + iy) * W + ix) * C, C >> 2, o2);
        }
        st->w = filter;
        st->bp = bias;
        st->mp = q->mult;
        st->shp = q->shift;
        st->op = out + (size_t)pix * OC;
        st->cnt = OC;
        if (nz)
            quad_neg(st);
        else
            quad_m1(st);
    }
    return pix;
}

/* Channels c0 .. c0+n-1 of one window chunk for the pixel pair: w = their weights at the chunk start
 * (row stride K), sums start from the bias (first chunk) or accb, end requantized into op (pixel 0)
 * and op + d1 (pixel 1) (last chunk) or in accb. Pointers step along with the channels, so each
 * channel pair reloads few values around the micro-kernel (which needs all registers). */
PML_INLINE void chan_loop(const uint32_t *xbuf, const int8_t *w, int32_t K, int32_t c0, int32_t n, int32_t fullg,
                          int32_t tail, bool first, bool last, const int32_t *bias, int32_t *accb, const pml_requant *q,
                          int32_t qs, int8_t *op, int32_t d1, int32_t ooff, int32_t lo, int32_t hi, int mode, int rm,
                          bool full) {
    const int32_t *bp = bias ? bias + c0 : zero2;
    const int32_t bs = bias ? 2 : 0;
    const int32_t *mp = q->mult + c0 * qs;
    const int8_t *shp = q->shift + c0 * qs;
    int32_t *ab = accb;
    int32_t ch = c0;
    for (int32_t i = n >> 1; i > 0; i--, w += 2 * K, bp += bs, ab += 2, op += 2, ch += 2) {
        int32_t a[4];
        if (first) {
            a[0] = a[2] = bp[0];
            a[1] = a[3] = bp[1];
        } else {
            a[0] = ab[0];
            a[1] = ab[1];
            a[2] = ab[OCB];
            a[3] = ab[OCB + 1];
        }
        mk2x2(xbuf, w, w + K, fullg, tail, a);
        if (last) {
            rq_ch(a[0], a[2], mp[0], shp[0], q, ch, ooff, lo, hi, mode, rm, full, op, op + d1);
            rq_ch(a[1], a[3], mp[qs], shp[qs], q, ch + 1, ooff, lo, hi, mode, rm, full, op + 1, op + d1 + 1);
            mp += 2 * qs;
            shp += 2 * qs;
        } else {
            ab[0] = a[0];
            ab[1] = a[1];
            ab[OCB] = a[2];
            ab[OCB + 1] = a[3];
        }
    }
    if (n & 1) {
        int32_t a[2];
        if (first) {
            a[0] = a[1] = bp[0];
        } else {
            a[0] = ab[0];
            a[1] = ab[OCB];
        }
        mk2x1(xbuf, w, fullg, tail, a);
        if (last) {
            rq_ch(a[0], a[1], mp[0], shp[0], q, ch, ooff, lo, hi, mode, rm, full, op, op + d1);
        } else {
            ab[0] = a[0];
            ab[OCB] = a[1];
        }
    }
}

/* mode: 3 / 1 / 0 as rq_ch; full: the activation range is all of int8 (SSAT clamp) */
PML_INLINE void conv_dsp(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                         const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d,
                         int8_t *out, int mode, bool full, int32_t pix0) {
    uint32_t xbuf[XCAP]; /* (XCAP/4 groups, 2 pixels, 2 words): int16 window chunk of two pixels */
    /* (2 pixels, OCB channels): partial sums between chunks, in the end of xbuf when chunked */
    int32_t *const accb = (int32_t *)(void *)(xbuf + (XCAP - 2 * OCB));
    pair_state st;         /* the asm channel-pair loops' state */
    const int32_t H = in_d->h, W = in_d->w, C = in_d->c, KH = f_d->h, KW = f_d->w, OC = out_d->c, OW = out_d->w, OHW = out_d->h * OW;
    const int32_t K = KH * KW * C, npix = out_d->n * OHW;
    const int32_t off = p->input_offset, ooff = p->output_offset, lo = p->act_min, hi = p->act_max;
    const int rm = mode == 0 ? pml__rq_mode(q) : mode;
    const int32_t qs = q->count == 1 ? 0 : 1; /* per-tensor: every channel reads entry 0 */
    const int32_t ocb = K <= XCAP ? OC : OCB;
    const int32_t cap = K <= XCAP ? XCAP : XCAP - 2 * OCB; /* elements per chunk = xbuf words it may use */
    st.xb = xbuf; /* the fields that stay; st_set sets the others per call (field by field: a compound
                   * literal would be built aside and copied with memcpy) */
    st.k = K;
    st.bs = bias ? 8 : 0;
    st.qs = qs;
    const bool nz = mode == 3; /* pairs_neg applies, else pairs_m1 */
    st.off = nz ? 2 * ooff + 1 : ooff; /* pairs_neg(c): 2 off + 1 (PAIR_NEG_RQ) */
    const bool pc = qs == 1 && bias; /* the _pc forms apply */
    for (int32_t pix = pix0; pix < npix; pix += 2) {
        const int32_t pb = pix + 1 < npix ? pix + 1 : pix; /* an odd last pixel pairs with itself */
        const int32_t b0 = pix / OHW, r0 = pix - b0 * OHW, b1 = pb / OHW, r1 = pb - b1 * OHW;
        const int32_t oy0 = r0 / OW, ox0 = r0 - oy0 * OW, oy1 = r1 / OW, ox1 = r1 - oy1 * OW;
        const int8_t *in0 = in + (size_t)b0 * H * W * C, *in1 = in + (size_t)b1 * H * W * C;
        const int32_t iy0 = oy0 * p->stride_h - p->pad_h, ix0 = ox0 * p->stride_w - p->pad_w;
        const int32_t iy1 = oy1 * p->stride_h - p->pad_h, ix1 = ox1 * p->stride_w - p->pad_w;
        int8_t *const o0 = out + (size_t)pix * OC, *const o1 = out + (size_t)pb * OC;
        for (int32_t c0 = 0; c0 < OC; c0 += ocb) {
            const int32_t cend = OC - c0 < ocb ? OC : c0 + ocb;
            for (int32_t k0 = 0; k0 < K; k0 += cap) {
                const int32_t k1 = K - k0 < cap ? K : k0 + cap;
                const bool first = k0 == 0, last = k1 == K;
                const int32_t len = k1 - k0, fullg = len >> 2, tail = len & 3;
                if (KH * KW == 1 && (C & 3) == 0) { /* 1x1 (never padded): the window is the pixel's C bytes */
                    const uint32_t o2 = pml__off2(off);
                    cvt16(xbuf, in0 + ((size_t)iy0 * W + ix0) * C + k0, fullg, o2);
                    cvt16(xbuf + 2, in1 + ((size_t)iy1 * W + ix1) * C + k0, fullg, o2);
                } else {
                    for (int32_t px = 0; px < 2; px++) /* one inlined copy for both pixels */
                        gather(px ? in1 : in0, H, W, C, KH, KW, px ? iy1 : iy0, px ? ix1 : ix0, k0, k1, off, xbuf, cap,
                               px);
                }
                const int8_t *w = filter + (size_t)c0 * K + k0;
                /* a partial last group is read whole (its x lanes are 0), except by the pair holding the
                 * tensor's last channel, whose row ends the filter */
                const int32_t np1 = (cend - c0) >> 1, np = tail && c0 + 2 * np1 == OC ? np1 - 1 : np1;
                if (mode != 0 && full && first && last && np >= 1) {
                    st_set(&st, w, bias ? bias + c0 : zero2, q->mult + c0 * qs, q->shift + c0 * qs, o0 + c0, np,
                           (int32_t)(o1 - o0), fullg + (tail != 0), 3);
                    if (nz && pc)
                        pairs_neg_pc(&st);
                    else if (nz)
                        pairs_neg(&st);
                    else if (pc)
                        pairs_m1_pc(&st);
                    else
                        pairs_m1(&st);
                    if (cend - c0 > 2 * np) /* an odd last channel, the exact last pair */
                        chan_loop(xbuf, w + (size_t)2 * np * K, K, c0 + 2 * np, cend - c0 - 2 * np, fullg, tail, true,
                                  true, bias, accb, q, qs, o0 + c0 + 2 * np, (int32_t)(o1 - o0), ooff, lo, hi, mode,
                                  rm, full);
                } else if (mode != 0 && full && !(first && last) && tail == 0 && cend - c0 >= 2) {
                    st_set(&st, w, bias ? bias + c0 : zero2, q->mult + c0 * qs, q->shift + c0 * qs, o0 + c0, np,
                           (int32_t)(o1 - o0), fullg, (first ? 1 : 0) | (last ? 2 : 0));
                    st.ab = accb;
                    if (nz && pc)
                        pairs_negc_pc(&st);
                    else if (nz)
                        pairs_negc(&st);
                    else
                        pairs_m1c(&st);
                    if ((cend - c0) & 1)
                        chan_loop(xbuf, w + (size_t)2 * np * K, K, c0 + 2 * np, 1, fullg, 0, first, last, bias,
                                  accb + 2 * np, q, qs, o0 + c0 + 2 * np, (int32_t)(o1 - o0), ooff, lo, hi, mode, rm,
                                  full);
                } else
                    chan_loop(xbuf, w, K, c0, cend - c0, fullg, tail, first, last, bias, accb, q, qs, o0 + c0,
                              (int32_t)(o1 - o0), ooff, lo, hi, mode, rm, full);
            }
        }
    }
}

/* One instance for every mode and range (the asm pair loops are picked at run time; the C paths
 * around them are not hot), so the kernel's code is there once. */
/* conv_dsp after conv_quad: the pixels conv_quad did not (a function of its own, so that their frames
 * are not nested) */
static PML_NOINLINE void conv_rest(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d,
                                   const int8_t *in, const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias,
                                   const pml_dims4 *out_d, int8_t *out) {
    const int mode = conv_mode(q, bias, out_d->c, f_d->h * f_d->w * f_d->c, p->output_offset);
    const bool full = p->act_min == -128 && p->act_max == 127;
    const int32_t npix = out_d->n * out_d->h * out_d->w;
    const int32_t pix0 = mode != 0 && quad_applies(p, q, in_d, f_d, bias, out_d) ? npix & ~3 : 0;
    conv_dsp(p, q, in_d, in, f_d, filter, bias, out_d, out, mode, full, pix0);
}

void pml_conv2d_s8_dsp(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                       const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d, int8_t *out) {
    conv_quad(p, q, in_d, in, f_d, filter, bias, out_d, out);
    conv_rest(p, q, in_d, in, f_d, filter, bias, out_d, out);
}
