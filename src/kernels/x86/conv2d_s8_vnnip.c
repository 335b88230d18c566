/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CONV_2D int8 (dilation 1), x86-64 AVX-VNNI with packed weight tiles (chosen at prepare when the
 * CPU has AVX-VNNI).
 *
 * Per call, the weights are repacked on the stack in tiles of 16 output channels, layout
 * [Kp/4][16][4], so one vpdpbusd multiplies a broadcast 4-byte input word by 8 channels' 4 weights:
 * accumulators hold whole output channels and need no horizontal reduction. The repack is a
 * transpose of 4-byte words, 8 rows x 16 bytes per two rounds of in-lane unpacks, with the row
 * sums taken from the transposed words. Pixels go in groups of up to 6, as even as possible (6
 * pixels x 16 channels = 12 accumulators cover vpdpbusd's latency; groups of up to 3 split the
 * words over two sets). Windows are read made unsigned (x ^ 0x80 = x + 128) from a copy of the
 * input: strips of pixels for pointwise convolutions, otherwise bands of padded input rows (one run
 * per filter row). Otherwise (filter rows no whole number of 4-byte words even with a channel
 * added, or KH input rows wider than the copy) each window is gathered (im2col) with padding taps
 * set to the input zero point, and its tail up to Kp meets packed weights of 0. Then
 *   sum_k w (x + off) = sum_k w (x + 128) + (off - 128) * sum_k w,
 * the last term folded into a per-channel effective bias, which the accumulators start from (for
 * a padding tap, w (zp + 128) and its share (off - 128) w cancel: zp = -off). Exact integer
 * arithmetic (int32 wraps only where the reference's true result fits): bit-exact. The value
 * requantized is that true result, bias + sum_k w (x + off), so |bias| + K * 128 * max|x + off|
 * (K = KH * KW * CI, the added channel's and the tail's weights being 0) bounds it whatever the
 * effective bias; tiles whose channels meet pml__rq8f_ok with that bound requantize with
 * pml__outq8f_avx2 (two instructions fewer per 8 outputs), the others with pml__outq8_avx2.
 * Stack: about 115 KB (packed tiles, image, per-channel requantization constants); nothing from
 * the arena.
 */
#include <string.h>

#include "../conv_s8_loops.h"
#include "pml_dot_s8_vnni.h"

#define TILE 16
#define VNNIP_MAX_OC 1024
#define VNNIP_MAX_KP 2048
#define VNNIP_MIN_PIX 2
#define VNNIP_ONE_PIX_MAX_KP 512 /* a single output pixel still goes here up to this window */
#define VNNIP_PACK_BYTES 40960 /* all tiles packed at once (gathering convolutions need this; 64 x 3x3x64 fits) */
#define VNNIP_IMG_BYTES 32768  /* padded input rows of a band of output rows, made unsigned (image mode) */
#define VNNIP_FPAD_BYTES 8192  /* channel-padded filter copy */
#define VNNIP_RQF_MIN_PIX 16  /* output pixels from which the cheaper requantization is tried */
#define VNNIP_STRIP 64         /* pointwise: pixels made unsigned at a time (fewer if C > VNNIP_IMG_BYTES / 64) */

static bool pointwise(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d) {
    return f_d->h == 1 && f_d->w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_h == 0 && p->pad_w == 0 &&
           in_d->c % 4 == 0;
}

bool pml_conv2d_s8_vnnip_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                 const pml_dims4 *out_d) {
    const int32_t K = f_d->h * f_d->w * f_d->c, Kp = (K + 3) & ~3, tiles = (out_d->c + TILE - 1) / TILE;
    if (!pml_conv2d_s8_fast_applies(p, in_d, f_d, out_d) || Kp > VNNIP_MAX_KP || out_d->c > VNNIP_MAX_OC) return false;
    /* The per-call repack costs about what one pixel's multiply-adds do. Measured (kernel alone,
     * against conv2d_s8_vnni and conv2d_s8_avx2; pointwise 40..2048 -> 16..512 channels, 3x3, 5x5 and
     * 10x4 filters over 1..96 channels): from 2 pixels this variant is the fastest or within 1 %;
     * with 1 pixel and windows up to 512 bytes it takes 0.12-1.13x the best other's time (median
     * 0.87), beyond that the in-place dot products win (K 576..2048: 1.0-1.7x). */
    if ((int64_t)out_d->n * out_d->h * out_d->w < VNNIP_MIN_PIX && Kp > VNNIP_ONE_PIX_MAX_KP) return false;
    if (!pointwise(p, in_d, f_d) && (size_t)tiles * TILE * (size_t)Kp > VNNIP_PACK_BYTES) return false;
    return pml__x86_has_avxvnni();
}

/* Two 16-byte runs as one vector: a in the low lane, b in the high lane. With a mask (words > 0
 * to load) only those 4-byte words are read (vpmaskmovd reads nothing else) and the rest are 0. */
PML_INLINE __m256i ld2x16(const int8_t *a, const int8_t *b, bool masked, __m128i m) {
    if (masked)
        return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_maskload_epi32((const int *)(const void *)a, m)),
                                       _mm_maskload_epi32((const int *)(const void *)b, m), 1);
    return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)a)),
                                   _mm_loadu_si128((const __m128i *)(const void *)b), 1);
}

/* Bytes [k, k + 16) of 8 rows r[0..8) as 4-byte words transposed: o[i] lane j = word i of row j.
 * Rows j and j + 4 share one load (low and high lane), so two rounds of in-lane unpacks do it:
 * 8 shuffles per 128 bytes, no lane crossing. */
PML_INLINE void tr8x4(const int8_t *const r[8], size_t k, bool masked, __m128i m, __m256i o[4]) {
    const __m256i v0 = ld2x16(r[0] + k, r[4] + k, masked, m), v1 = ld2x16(r[1] + k, r[5] + k, masked, m);
    const __m256i v2 = ld2x16(r[2] + k, r[6] + k, masked, m), v3 = ld2x16(r[3] + k, r[7] + k, masked, m);
    const __m256i t0 = _mm256_unpacklo_epi32(v0, v1), t1 = _mm256_unpackhi_epi32(v0, v1); /* rows 0 1 | 4 5 */
    const __m256i t2 = _mm256_unpacklo_epi32(v2, v3), t3 = _mm256_unpackhi_epi32(v2, v3); /* rows 2 3 | 6 7 */
    o[0] = _mm256_unpacklo_epi64(t0, t2);
    o[1] = _mm256_unpackhi_epi64(t0, t2);
    o[2] = _mm256_unpacklo_epi64(t1, t3);
    o[3] = _mm256_unpackhi_epi64(t1, t3);
}

/* Tile t of the packed weights: [Kp/4][16][4] s8, zero beyond K and beyond OC (n rows), and the
 * tile's effective biases ebias[oc0 + j] = bias + (off - 128) * sum_k w[oc0 + j][k] (0 beyond n).
 * Groups of 8 rows are transposed 16 bytes at a time; the row sums come from the transposed words
 * (four vpdpbusd chains, so their latency hides behind the shuffles). The last K % 16 bytes are
 * read by masked loads of whole words when K % 4 == 0; otherwise, and for groups with fewer than 8
 * rows, they go through a zero-padded copy. */
static void pack_tile(const int8_t *filter, int32_t K, int32_t Kp, int32_t oc0, int32_t n, const int32_t *bias,
                      int32_t off, int8_t *wp, int32_t *ebias) {
    const __m256i ones = _mm256_set1_epi8(1);
    const int32_t kw = Kp / 4;
    for (int32_t g = 0; g < TILE; g += 8) {
        const int32_t rows = n - g <= 0 ? 0 : (n - g > 8 ? 8 : n - g);
        __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0, o[4];
        int32_t k = 0;
        if (rows == 8) {
            const int8_t *r[8];
            for (int32_t j = 0; j < 8; j++) r[j] = filter + (size_t)(oc0 + g + j) * K;
            for (; k + 16 <= K; k += 16) {
                tr8x4(r, (size_t)k, false, _mm_setzero_si128(), o);
                int8_t *d = wp + ((size_t)k * TILE + (size_t)g * 4);
                _mm256_store_si256((__m256i *)(void *)d, o[0]);
                _mm256_store_si256((__m256i *)(void *)(d + 64), o[1]);
                _mm256_store_si256((__m256i *)(void *)(d + 128), o[2]);
                _mm256_store_si256((__m256i *)(void *)(d + 192), o[3]);
                s0 = pml__dpbusd(s0, ones, o[0]);
                s1 = pml__dpbusd(s1, ones, o[1]);
                s2 = pml__dpbusd(s2, ones, o[2]);
                s3 = pml__dpbusd(s3, ones, o[3]);
            }
        }
        if (rows == 8 && k < K && K % 4 == 0) { /* the last 1 to 3 words, read in place */
            const int8_t *r[8];
            for (int32_t j = 0; j < 8; j++) r[j] = filter + (size_t)(oc0 + g + j) * K;
            const __m128i m = _mm_cmpgt_epi32(_mm_set1_epi32((K - k) / 4), _mm_setr_epi32(0, 1, 2, 3));
            tr8x4(r, (size_t)k, true, m, o);
            for (int32_t i = 0; i < (K - k) / 4; i++) {
                _mm256_store_si256((__m256i *)(void *)(wp + ((size_t)(k / 4 + i) * TILE + (size_t)g) * 4), o[i]);
                s0 = pml__dpbusd(s0, ones, o[i]);
            }
            k = Kp;
        }
        for (; k < Kp; k += 16) { /* the rest through a zero-padded copy (k < K: see Kp) */
            int8_t rest[8][16];
            const int8_t *r[8];
            const int32_t len = K - k < 16 ? K - k : 16;
            memset(rest, 0, sizeof rest);
            for (int32_t j = 0; j < 8; j++) {
                if (j < rows) memcpy(rest[j], filter + (size_t)(oc0 + g + j) * K + k, (size_t)len);
                r[j] = rest[j];
            }
            tr8x4(r, 0, false, _mm_setzero_si128(), o);
            for (int32_t i = 0; i < 4 && k / 4 + i < kw; i++) {
                _mm256_store_si256((__m256i *)(void *)(wp + ((size_t)(k / 4 + i) * TILE + (size_t)g) * 4), o[i]);
                s0 = pml__dpbusd(s0, ones, o[i]);
            }
        }
        /* ebias = bias + (off - 128) * sum w, wrapping (int32 multiply-low) */
        const __m256i sw = _mm256_add_epi32(_mm256_add_epi32(s0, s1), _mm256_add_epi32(s2, s3));
        __m256i e = _mm256_mullo_epi32(_mm256_set1_epi32(off - 128), sw);
        if (rows == 8 && bias) e = _mm256_add_epi32(e, _mm256_loadu_si256((const __m256i *)(const void *)(bias + oc0 + g)));
        _mm256_storeu_si256((__m256i *)(void *)(ebias + oc0 + g), e);
        if (rows < 8 && bias)
            for (int32_t j = 0; j < rows; j++) ebias[oc0 + g + j] = pml__wadd(ebias[oc0 + g + j], bias[oc0 + g + j]);
    }
}

/* Requantization constants of 8 channels: the general form, or the cheaper one where fast[] says
 * pml__rq8f_ok holds. */
typedef union rq_block {
    pml__rq8 r;
    pml__rq8f f;
} rq_block;

/* Output stage: the accumulators (which started at the effective bias), requantized. */
typedef struct out_stage {
    const rq_block *rq;  /* [OC / 8], whole blocks of 8 channels */
    const uint8_t *fast; /* [OC / 8]: rq[i].f (pml__outq8f_avx2) applies, else rq[i].r */
    __m256i voff;
    __m256i lo8, hi8; /* activation range, bytes */
    bool clamp;       /* the range is narrower than the int8 saturation of the packs ([-128, 127]) */
    const pml_requant *q;
    const pml_conv_params *p;
} out_stage;

/* 16 channels of two pixels (channels 0-7 in lo*, 8-15 in hi*), requantized as 32 bytes: packs
 * leave 4-byte groups ordered A0-3 A8-11 B0-3 B8-11 | A4-7 A12-15 B4-7 B12-15, one dword permute
 * orders them, and one clamp serves both pixels. */
PML_INLINE __m256i oq8(__m256i v, const rq_block *r, bool fast, __m256i voff) {
    return fast ? pml__outq8f_avx2(v, &r->f, voff) : pml__outq8_avx2(v, &r->r, voff);
}

PML_INLINE __m256i rq32(__m256i loA, __m256i hiA, __m256i loB, __m256i hiB, const rq_block *r0, const rq_block *r1,
                        bool fast, const out_stage *st) {
    const __m256i pA = _mm256_packs_epi32(oq8(loA, r0, fast, st->voff), oq8(hiA, r1, fast, st->voff));
    const __m256i pB = _mm256_packs_epi32(oq8(loB, r0, fast, st->voff), oq8(hiB, r1, fast, st->voff));
    const __m256i b = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(pA, pB), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    return st->clamp ? _mm256_min_epi8(_mm256_max_epi8(b, st->lo8), st->hi8) : b;
}

/* 16 channels of NP pixels; `fast` a constant in the two calls */
PML_INLINE void finish16(const int32_t NP, __m256i a[][2], int32_t oc0, bool fast, const out_stage *st, int8_t *const out[]) {
    /* local copies: the byte stores may alias anything, so constants read through st would be
     * read again after every store */
    const out_stage s = *st;
    const rq_block r0 = s.rq[oc0 / 8], r1 = s.rq[oc0 / 8 + 1];
    int32_t j = 0;
#pragma GCC unroll 3
    for (; j + 2 <= NP; j += 2) {
        const __m256i b = rq32(a[j][0], a[j][1], a[j + 1][0], a[j + 1][1], &r0, &r1, fast, &s);
        _mm_storeu_si128((__m128i *)(void *)(out[j] + oc0), _mm256_castsi256_si128(b));
        _mm_storeu_si128((__m128i *)(void *)(out[j + 1] + oc0), _mm256_extracti128_si256(b, 1));
    }
    if (j < NP)
        _mm_storeu_si128((__m128i *)(void *)(out[j] + oc0),
                         _mm256_castsi256_si128(rq32(a[j][0], a[j][1], a[j][0], a[j][1], &r0, &r1, fast, &s)));
}

/* channels 0-7 of NP pixels, 8 bytes per pixel; `fast` a constant in the two calls */
PML_INLINE void finish8(const int32_t NP, __m256i a[][2], int32_t oc0, bool fast, const out_stage *st, int8_t *const out[]) {
    const out_stage s = *st;
    const rq_block r0 = s.rq[oc0 / 8];
#pragma GCC unroll 3
    for (int32_t j = 0; j < NP; j += 2) {
        const int32_t j1 = j + 1 < NP ? j + 1 : j;
        const __m256i pk = _mm256_packs_epi32(oq8(a[j][0], &r0, fast, s.voff), oq8(a[j1][0], &r0, fast, s.voff));
        /* bytes A0-3 B0-3 A0-3 B0-3 | A4-7 B4-7 .. ordered A0-7 B0-7 */
        const __m128i b = _mm256_castsi256_si128(
            _mm256_permutevar8x32_epi32(_mm256_packs_epi16(pk, pk), _mm256_setr_epi32(0, 4, 1, 5, 0, 0, 0, 0)));
        const __m128i c = s.clamp ? _mm_min_epi8(_mm_max_epi8(b, _mm256_castsi256_si128(s.lo8)), _mm256_castsi256_si128(s.hi8)) : b;
        _mm_storel_epi64((__m128i *)(void *)(out[j] + oc0), c);
        if (j1 != j) _mm_storel_epi64((__m128i *)(void *)(out[j1] + oc0), _mm_unpackhi_epi64(c, c));
    }
}

/* Pixels j of a group, accumulators a[j][0..2), to out[j] + oc0 (n channels). */
PML_INLINE void finish(const int32_t NP, __m256i a[][2], int32_t oc0, int32_t n, const out_stage *st, int8_t *const out[]) {
    if (n == TILE) {
        if (st->fast[oc0 / 8]) /* the same for both blocks */
            finish16(NP, a, oc0, true, st, out);
        else
            finish16(NP, a, oc0, false, st, out);
        return;
    }
    if (n >= 8) { /* channels 0-7 as above, 8 bytes per pixel, the rest (if any) one by one */
        if (st->fast[oc0 / 8])
            finish8(NP, a, oc0, true, st, out);
        else
            finish8(NP, a, oc0, false, st, out);
        if (n == 8) return;
    }
    for (int32_t j = 0; j < NP; j++) {
        int32_t acc[TILE];
        _mm256_storeu_si256((__m256i *)(void *)acc, a[j][0]);
        _mm256_storeu_si256((__m256i *)(void *)(acc + 8), a[j][1]);
        const int32_t c0 = n >= 8 ? 8 : 0;
        pml__requant_row_avx2(acc + c0, n - c0, oc0 + c0, NULL, st->q, st->p->output_offset, st->p->act_min, st->p->act_max,
                              out[j] + oc0 + c0);
    }
}

PML_INLINE __m256i bcast4(const uint8_t *x) {
    int32_t v;
    memcpy(&v, x, 4);
    return _mm256_set1_epi32(v);
}

/* Largest pixel group: 6 pixels x 16 channels keep 12 accumulators, enough to cover vpdpbusd's
 * latency (5 cycles at 2 per cycle needs 10 in flight); with the 2 weight vectors and the
 * broadcast input word that is 15 of the 16 ymm registers. */
#define GROUP_MAX 6
_Static_assert(VNNIP_IMG_BYTES >= GROUP_MAX * VNNIP_MAX_KP, "img also holds the windows of a pixel group");

/* NP pixels (a constant after inlining) against one packed tile; outputs at out[j] + oc0. Pixel
 * j's window (unsigned bytes) is nr runs of rk4 4-byte words, run r at x[j] + r * xs, matching
 * packed words [r * rk4, (r + 1) * rk4). Accumulators start at the effective bias. Groups of up to
 * 3 pixels alternate two sets of accumulators over even and odd words, so that they too have
 * enough multiply-adds in flight. */
PML_INLINE void tile_np(const int32_t NP, const uint8_t *const x[GROUP_MAX], int32_t nr, size_t xs, int32_t rk4,
                        const int8_t *wp, const int32_t *ebias, int32_t oc0, int32_t n, const out_stage *st,
                        int8_t *const out[GROUP_MAX]) {
    const __m256i e0 = _mm256_loadu_si256((const __m256i *)(const void *)(ebias + oc0));
    const __m256i e1 = _mm256_loadu_si256((const __m256i *)(const void *)(ebias + oc0 + 8));
    const bool split = NP <= 3;
    __m256i a[GROUP_MAX][2], b[GROUP_MAX][2];
#pragma GCC unroll 6
    for (int32_t j = 0; j < NP; j++) {
        a[j][0] = e0;
        a[j][1] = e1;
        b[j][0] = b[j][1] = _mm256_setzero_si256();
    }
    for (int32_t r = 0; r < nr; r++) {
        const uint8_t *xr[GROUP_MAX];
#pragma GCC unroll 6
        for (int32_t j = 0; j < NP; j++) xr[j] = x[j] + (size_t)r * xs;
        const int8_t *wr = wp + (size_t)r * (size_t)rk4 * 64;
        int32_t k4 = 0;
        if (split)
            for (; k4 + 2 <= rk4; k4 += 2) {
                const __m256i w0 = _mm256_load_si256((const __m256i *)(const void *)(wr + (size_t)k4 * 64));
                const __m256i w1 = _mm256_load_si256((const __m256i *)(const void *)(wr + (size_t)k4 * 64 + 32));
                const __m256i w2 = _mm256_load_si256((const __m256i *)(const void *)(wr + (size_t)k4 * 64 + 64));
                const __m256i w3 = _mm256_load_si256((const __m256i *)(const void *)(wr + (size_t)k4 * 64 + 96));
#pragma GCC unroll 6
                for (int32_t j = 0; j < NP; j++) {
                    const __m256i xa = bcast4(xr[j] + 4 * k4), xb = bcast4(xr[j] + 4 * k4 + 4);
                    a[j][0] = pml__dpbusd(a[j][0], xa, w0);
                    a[j][1] = pml__dpbusd(a[j][1], xa, w1);
                    b[j][0] = pml__dpbusd(b[j][0], xb, w2);
                    b[j][1] = pml__dpbusd(b[j][1], xb, w3);
                }
            }
        for (; k4 < rk4; k4++) {
            const __m256i w0 = _mm256_load_si256((const __m256i *)(const void *)(wr + (size_t)k4 * 64));
            const __m256i w1 = _mm256_load_si256((const __m256i *)(const void *)(wr + (size_t)k4 * 64 + 32));
#pragma GCC unroll 6
            for (int32_t j = 0; j < NP; j++) {
                const __m256i xb = bcast4(xr[j] + 4 * k4);
                a[j][0] = pml__dpbusd(a[j][0], xb, w0);
                a[j][1] = pml__dpbusd(a[j][1], xb, w1);
            }
        }
    }
    if (split)
#pragma GCC unroll 6
        for (int32_t j = 0; j < NP; j++) {
            a[j][0] = _mm256_add_epi32(a[j][0], b[j][0]);
            a[j][1] = _mm256_add_epi32(a[j][1], b[j][1]);
        }
    finish(NP, a, oc0, n, st, out);
}

/* One group of np pixels (1 .. GROUP_MAX) against tiles [t0, t1) of the packed weights (tile t at
 * wp + (t - t0) * tile_bytes). */
static void run_group(int32_t np, const uint8_t *const x[GROUP_MAX], int32_t nr, size_t xs, int32_t rk4, const int8_t *wp,
                      size_t tile_bytes, int32_t t0, int32_t t1, int32_t OC, const int32_t *ebias, const out_stage *st,
                      int8_t *const out[GROUP_MAX]) {
    for (int32_t t = t0; t < t1; t++) {
        const int32_t n = OC - t * TILE < TILE ? OC - t * TILE : TILE;
        const int8_t *w = wp + (size_t)(t - t0) * tile_bytes;
        switch (np) {
        case 6: tile_np(6, x, nr, xs, rk4, w, ebias, t * TILE, n, st, out); break;
        case 5: tile_np(5, x, nr, xs, rk4, w, ebias, t * TILE, n, st, out); break;
        case 4: tile_np(4, x, nr, xs, rk4, w, ebias, t * TILE, n, st, out); break;
        case 3: tile_np(3, x, nr, xs, rk4, w, ebias, t * TILE, n, st, out); break;
        case 2: tile_np(2, x, nr, xs, rk4, w, ebias, t * TILE, n, st, out); break;
        default: tile_np(1, x, nr, xs, rk4, w, ebias, t * TILE, n, st, out); break;
        }
    }
}

/* Size of the next pixel group when `left` pixels remain: as even as groups of at most GROUP_MAX
 * allow (15 = 5 + 5 + 5, not 6 + 6 + 3), so no small group runs short of accumulators. */
PML_INLINE int32_t group_size(int32_t left) {
    const int32_t groups = (left + GROUP_MAX - 1) / GROUP_MAX;
    return (left + groups - 1) / groups;
}

/* nr runs of len bytes (run r at src + r * stride) to dst back to back, made unsigned (^ 0x80).
 * Steps of 32, 16, 8 and 4 bytes, then single bytes. */
PML_INLINE void flip_runs(const int8_t *src, int32_t stride, int32_t nr, int32_t len, uint8_t *dst) {
    const __m256i flip = _mm256_set1_epi8((char)0x80);
    for (int32_t r = 0; r < nr; r++, src += stride, dst += len) {
        int32_t i = 0;
        for (; i + 32 <= len; i += 32)
            _mm256_storeu_si256((__m256i *)(void *)(dst + i),
                                _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(const void *)(src + i)), flip));
        if (i + 16 <= len) {
            _mm_storeu_si128((__m128i *)(void *)(dst + i),
                             _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)(src + i)), _mm256_castsi256_si128(flip)));
            i += 16;
        }
        if (i + 8 <= len) {
            uint64_t v;
            memcpy(&v, src + i, 8);
            v ^= 0x8080808080808080u;
            memcpy(dst + i, &v, 8);
            i += 8;
        }
        for (; i + 4 <= len; i += 4) {
            uint32_t v;
            memcpy(&v, src + i, 4);
            v ^= 0x80808080u;
            memcpy(dst + i, &v, 4);
        }
        for (; i < len; i++) dst[i] = (uint8_t)(src[i] ^ 0x80);
    }
}

/* npx pixels of 3 channels (RGB) to 4-byte pixels, made unsigned, the added channel 0: 8 pixels
 * (two 12-byte runs, one per lane) per byte shuffle while the 16-byte loads stay in the run. */
static void expand3(const int8_t *src, int32_t npx, uint8_t *dst) {
    const __m256i idx = _mm256_setr_epi8(0, 1, 2, -128, 3, 4, 5, -128, 6, 7, 8, -128, 9, 10, 11, -128, 0, 1, 2, -128, 3, 4, 5,
                                         -128, 6, 7, 8, -128, 9, 10, 11, -128);
    const __m256i flip = _mm256_set1_epi32(0x00808080);
    int32_t i = 0;
    for (; i + 10 <= npx; i += 8) { /* the upper load reads bytes 3 i + 12 .. 3 i + 27 < 3 (i + 10) */
        const __m256i v = _mm256_inserti128_si256(
            _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)(src + 3 * i))),
            _mm_loadu_si128((const __m128i *)(const void *)(src + 3 * i + 12)), 1);
        _mm256_storeu_si256((__m256i *)(void *)(dst + 4 * i), _mm256_xor_si256(_mm256_shuffle_epi8(v, idx), flip));
    }
    for (; i < npx; i++) {
        for (int32_t c = 0; c < 3; c++) dst[4 * i + c] = (uint8_t)(src[3 * i + c] ^ 0x80);
        dst[4 * i + 3] = 0;
    }
}

void pml_conv2d_s8_vnnip(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                         const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d,
                         int8_t *out) {
    const int32_t H = in_d->h, W = in_d->w, CI = in_d->c, KH = f_d->h, KW = f_d->w, OC = out_d->c;
    const int32_t OH = out_d->h, OW = out_d->w, P = out_d->n * OH * OW;
    const int32_t WP = (OW - 1) * p->stride_w + KW; /* padded width the windows reach */
    const bool direct = pointwise(p, in_d, f_d);
    /* Channel padding: with CI % 4 == 3 (RGB inputs) and filter rows not a whole number of 4-byte
     * words, one zero-weight channel is added to image and filter so that rows are (a third more
     * multiply-adds at most, instead of a window copy per pixel). */
    const int32_t CX = CI + 1, KX = KH * KW * CX, tilesx = (OC + TILE - 1) / TILE;
    const bool cpad = !direct && (KW * CI) % 4 != 0 && CI % 4 == 3 && KX <= VNNIP_MAX_KP &&
                      (size_t)tilesx * TILE * (size_t)KX <= VNNIP_PACK_BYTES && (size_t)OC * KX <= VNNIP_FPAD_BYTES &&
                      (size_t)KH * WP * CX <= VNNIP_IMG_BYTES;
    const int32_t C = cpad ? CX : CI; /* channels as the packed filter and the image hold them */
    const int32_t K = KH * KW * C, Kp = (K + 3) & ~3, tiles = (OC + TILE - 1) / TILE;
    int8_t fpad[VNNIP_FPAD_BYTES]; /* channel-padded filter [OC][KH][KW][C] */
    if (cpad)
        for (int32_t i = 0; i < OC * KH * KW; i++) {
            for (int32_t c = 0; c < CI; c++) fpad[(size_t)i * C + c] = filter[(size_t)i * CI + c];
            fpad[(size_t)i * C + CI] = 0;
        }
    const int8_t *fw = cpad ? fpad : filter;
    int32_t ebias[VNNIP_MAX_OC];   /* bias + (off - 128) * sum(w), per output channel (0 up to whole tiles) */
    rq_block rq[VNNIP_MAX_OC / 8]; /* requantization constants per 8 channels (whole blocks) */
    uint8_t fast[VNNIP_MAX_OC / 8];  /* rq[i] holds the pml__outq8f_avx2 form */
    int8_t wp[VNNIP_PACK_BYTES] __attribute__((aligned(32))); /* packed tiles */
    int8_t col[VNNIP_MAX_KP];                                 /* one gathered window */
    uint8_t img[VNNIP_IMG_BYTES]; /* image mode: padded input rows, x + 128; else the windows of a pixel group */
    const size_t tile_bytes = (size_t)TILE * (size_t)Kp;
    const bool all_packed = (size_t)tiles * tile_bytes <= VNNIP_PACK_BYTES; /* else: pointwise, tile by tile */
    const bool pc = q->count != 1;
    /* |accumulator| <= |bias| + taps: each of the K = KH * KW * CI products w (x + off) is at most
     * 128 * max|x + off| in magnitude, x in [-128, 127] */
    const int64_t off = p->input_offset, xo = off + 127 > 128 - off ? off + 127 : 128 - off;
    const int64_t taps = (int64_t)KH * KW * CI * 128 * xo;
    /* The check costs about what the fast form saves on 12 pixels (some 25 instructions per 8
     * channels against 2 per pixel): below VNNIP_RQF_MIN_PIX output pixels it is not made. */
    const bool try_fast = P >= VNNIP_RQF_MIN_PIX && taps < (1 << 30);
    for (int32_t c = 0; c + 8 <= OC; c += TILE) { /* a tile's whole blocks take one form */
        const int32_t nb = c + TILE <= OC ? 2 : 1;
        __m256i m[2], sh[2];
        bool ok = try_fast;
        for (int32_t i = 0; i < nb; i++) {
            const int32_t ci = c + 8 * i;
            m[i] = pc ? _mm256_loadu_si256((const __m256i *)(const void *)(q->mult + ci)) : _mm256_set1_epi32(q->mult[0]);
            sh[i] = pc ? _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(q->shift + ci)))
                       : _mm256_set1_epi32(q->shift[0]);
            const __m256i ab =
                bias ? _mm256_abs_epi32(_mm256_loadu_si256((const __m256i *)(const void *)(bias + ci))) : _mm256_setzero_si256();
            /* a wrapped |bias| + taps (or |INT32_MIN|) is negative and fails */
            ok = ok && pml__rq8f_ok(m[i], sh[i], _mm256_add_epi32(ab, _mm256_set1_epi32((int32_t)taps)));
        }
        for (int32_t i = 0; i < nb; i++) {
            fast[c / 8 + i] = ok;
            if (ok)
                rq[c / 8 + i].f = pml__rq8f_make(m[i], sh[i]);
            else
                rq[c / 8 + i].r = pml__rq8_make(m[i], sh[i]);
        }
    }
    const out_stage st = {rq, fast, _mm256_set1_epi32(p->output_offset), _mm256_set1_epi8((char)p->act_min),
                          _mm256_set1_epi8((char)p->act_max), p->act_min > -128 || p->act_max < 127, q, p};
    if (all_packed)
        for (int32_t t = 0; t < tiles; t++) {
            const int32_t n = OC - t * TILE < TILE ? OC - t * TILE : TILE;
            pack_tile(fw, K, Kp, t * TILE, n, bias, p->input_offset, wp + (size_t)t * tile_bytes, ebias);
        }
    const int8_t zp = (int8_t)(-p->input_offset);
    /* Image mode: the input, with the padding the windows reach, is copied made unsigned in bands
     * of output rows (as many as img holds the input rows of), and every window is read from it in
     * place, one run per filter row (the runs start on 4-byte words of the packed rows when
     * KW * C % 4 == 0). Otherwise windows are copied per pixel. */
    const bool image = direct || ((KW * C) % 4 == 0 && (size_t)KH * WP * C <= VNNIP_IMG_BYTES);
    /* image mode: output rows per band, so that the band's padded input rows fit img */
    const int32_t band = image && !direct ? (int32_t)(((size_t)VNNIP_IMG_BYTES / ((size_t)WP * C) - KH) / p->stride_h + 1) : 1;
    for (int32_t t0 = 0; t0 < (all_packed ? 1 : tiles); t0++) {
        const int32_t ta = all_packed ? 0 : t0, tb = all_packed ? tiles : t0 + 1; /* tiles of this pass, at wp */
        if (!all_packed) {
            const int32_t n = OC - t0 * TILE < TILE ? OC - t0 * TILE : TILE;
            pack_tile(fw, K, Kp, t0 * TILE, n, bias, p->input_offset, wp, ebias);
        }
        if (image) {
            for (int32_t b = 0; b < out_d->n; b++) {
                const int8_t *inb = in + (size_t)b * H * W * CI;
                if (direct) { /* in strips of at most VNNIP_STRIP pixels that fit img */
                    const int32_t PB = H * W, strip = VNNIP_IMG_BYTES / K < VNNIP_STRIP ? VNNIP_IMG_BYTES / K : VNNIP_STRIP;
                    for (int32_t s0 = 0; s0 < PB; s0 += strip) {
                        const int32_t ns = PB - s0 < strip ? PB - s0 : strip;
                        flip_runs(inb + (size_t)s0 * K, 0, 1, ns * K, img);
                        for (int32_t px = 0, np; px < ns; px += np) {
                            np = group_size(ns - px);
                            const uint8_t *x[GROUP_MAX];
                            int8_t *o[GROUP_MAX];
                            for (int32_t j = 0; j < np; j++) {
                                o[j] = out + ((size_t)b * PB + s0 + px + j) * OC;
                                x[j] = img + (size_t)(px + j) * K;
                            }
                            run_group(np, x, 1, 0, K / 4, wp, tile_bytes, ta, tb, OC, ebias, &st, o);
                        }
                    }
                    continue;
                }
                /* in bands of output rows whose input rows fit img */
                for (int32_t oy0 = 0; oy0 < OH; oy0 += band) {
                    const int32_t oy1 = OH - oy0 < band ? OH : oy0 + band, ya = oy0 * p->stride_h,
                                  yb = (oy1 - 1) * p->stride_h + KH; /* padded rows [ya, yb) */
                    for (int32_t y = ya; y < yb; y++) {
                        const int32_t iy = y - p->pad_h;
                        uint8_t *row = img + (size_t)(y - ya) * WP * C;
                        const int32_t x0 = p->pad_w < WP ? p->pad_w : WP, x1 = W + p->pad_w < WP ? W + p->pad_w : WP;
                        if (iy < 0 || iy >= H) {
                            memset(row, (uint8_t)(zp ^ 0x80), (size_t)WP * C);
                            continue;
                        }
                        memset(row, (uint8_t)(zp ^ 0x80), (size_t)x0 * C);
                        if (cpad && CI == 3 && x1 > x0)
                            expand3(inb + (size_t)iy * W * CI, x1 - x0, row + (size_t)x0 * C);
                        else if (cpad)
                            for (int32_t x = x0; x < x1; x++) {
                                const int8_t *src = inb + ((size_t)iy * W + (x - p->pad_w)) * CI;
                                for (int32_t c = 0; c < CI; c++) row[(size_t)x * C + c] = (uint8_t)(src[c] ^ 0x80);
                                row[(size_t)x * C + CI] = 0;
                            }
                        else if (x1 > x0)
                            flip_runs(inb + (size_t)iy * W * C, 0, 1, (x1 - x0) * C, row + (size_t)x0 * C);
                        memset(row + (size_t)x1 * C, (uint8_t)(zp ^ 0x80), (size_t)(WP - x1) * C);
                    }
                    const int32_t PB = OH * OW, pa = oy0 * OW, pb = oy1 * OW;
                    int32_t oy = 0, ox = 0; /* within the band */
                    for (int32_t px = pa, np; px < pb; px += np) {
                        np = group_size(pb - px);
                        const uint8_t *x[GROUP_MAX];
                        int8_t *o[GROUP_MAX];
                        for (int32_t j = 0; j < np; j++) {
                            o[j] = out + ((size_t)b * PB + px + j) * OC;
                            x[j] = img + ((size_t)oy * p->stride_h * WP + (size_t)ox * p->stride_w) * C;
                            if (++ox == OW) {
                                ox = 0;
                                oy++;
                            }
                        }
                        run_group(np, x, KH, (size_t)WP * C, KW * C / 4, wp, tile_bytes, ta, tb, OC, ebias, &st, o);
                    }
                }
            }
            continue;
        }
        /* windows copied per pixel (not pointwise), to img: xu[GROUP_MAX][VNNIP_MAX_KP] */
        uint8_t(*xu)[VNNIP_MAX_KP] = (uint8_t(*)[VNNIP_MAX_KP])(void *)img;
        int32_t cb = 0, coy = 0, cox = 0; /* batch, row and column of pixel px */
        for (int32_t px = 0, np; px < P; px += np) {
            np = group_size(P - px);
            const uint8_t *x[GROUP_MAX];
            int8_t *o[GROUP_MAX];
            for (int32_t j = 0; j < np; j++) {
                const int32_t iy = coy * p->stride_h - p->pad_h, ix = cox * p->stride_w - p->pad_w;
                const int8_t *inb = in + (size_t)cb * H * W * C;
                o[j] = out + (size_t)(px + j) * OC;
                x[j] = xu[j];
                if (iy >= 0 && ix >= 0 && iy + KH <= H && ix + KW <= W) {
                    flip_runs(inb + ((size_t)iy * W + ix) * C, W * C, KH, KW * C, xu[j]);
                } else {
                    pml__im2col_s8(inb, H, W, C, iy, ix, KH, KW, zp, col);
                    flip_runs(col, 0, 1, K, xu[j]);
                }
                for (int32_t k = K; k < Kp; k++) xu[j][k] = 0; /* meets packed weights of 0 */
                if (++cox == OW) {
                    cox = 0;
                    if (++coy == OH) {
                        coy = 0;
                        cb++;
                    }
                }
            }
            run_group(np, x, 1, 0, Kp / 4, wp, tile_bytes, ta, tb, OC, ebias, &st, o);
        }
    }
}
