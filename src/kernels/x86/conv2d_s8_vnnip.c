/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CONV_2D int8 (dilation 1), x86-64 AVX-VNNI with packed weight tiles (chosen at prepare when the
 * CPU has AVX-VNNI).
 *
 * Per call, the weights are repacked on the stack in tiles of 16 output channels, layout
 * [Kp/4][16][4], so one vpdpbusd multiplies a broadcast 4-byte input word by 8 channels' 4 weights:
 * accumulators hold whole output channels and need no horizontal reduction. Pixels go in groups
 * of 4; each pixel's window (Kp bytes) is copied made unsigned (x ^ 0x80 = x + 128): read from the
 * input for pointwise convolutions and, filter row by filter row, for windows inside the image;
 * otherwise gathered (im2col) with padding taps set to the input zero point. The tail up to Kp
 * meets packed weights of 0. Then
 *   sum_k w (x + off) = sum_k w (x + 128) + (off - 128) * sum_k w,
 * the last term folded into a per-channel effective bias (for a padding tap, w (zp + 128) and its
 * share (off - 128) w cancel: zp = -off). Exact integer arithmetic (int32 wraps only where the
 * reference's true result fits): bit-exact. Stack: about 120 KB (packed tiles, image, per-channel
 * requantization constants); nothing from the arena.
 */
#include <string.h>

#include "../conv_s8_loops.h"
#include "pml_dot_s8_vnni.h"

#define TILE 16
#define VNNIP_MAX_OC 1024
#define VNNIP_MAX_KP 2048
#define VNNIP_MIN_PIX 4
#define VNNIP_PACK_BYTES 40960 /* all tiles packed at once (gathering convolutions need this; 64 x 3x3x64 fits) */
#define VNNIP_IMG_BYTES 32768  /* padded input of one batch made unsigned (image mode) */
#define VNNIP_FPAD_BYTES 8192  /* channel-padded filter copy */
#define VNNIP_STRIP 64         /* pointwise: pixels made unsigned at a time (VNNIP_STRIP * C <= VNNIP_IMG_BYTES) */

static bool pointwise(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d) {
    return f_d->h == 1 && f_d->w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_h == 0 && p->pad_w == 0 &&
           in_d->c % 4 == 0;
}

bool pml_conv2d_s8_vnnip_applies(const pml_conv_params *p, const pml_dims4 *in_d, const pml_dims4 *f_d,
                                 const pml_dims4 *out_d) {
    const int32_t K = f_d->h * f_d->w * f_d->c, Kp = (K + 3) & ~3, tiles = (out_d->c + TILE - 1) / TILE;
    if (!pml_conv2d_s8_fast_applies(p, in_d, f_d, out_d) || Kp > VNNIP_MAX_KP || out_d->c > VNNIP_MAX_OC) return false;
    /* the per-call repack (4-byte transposes) costs about what a few pixels of compute save: 1 to 3
     * pixels go to the dot path (measured: 4 pixels already gain, e.g. str_ww 40 -> 20 us) */
    if ((int64_t)out_d->n * out_d->h * out_d->w < VNNIP_MIN_PIX) return false;
    if (!pointwise(p, in_d, f_d) && (size_t)tiles * TILE * (size_t)Kp > VNNIP_PACK_BYTES) return false;
    return pml__x86_has_avxvnni();
}

/* 8 rows x 32 bytes (rows r[0..8) at byte k) as an 8 x 8 transpose of 4-byte words: out[i] holds
 * word i of every row, i.e. the packed layout's [k4 = k/4 + i][rows]. */
PML_INLINE void transpose8(const int8_t *const r[8], int32_t k, __m256i out[8]) {
    __m256i v[8], t[8];
    for (int32_t j = 0; j < 8; j++) v[j] = _mm256_loadu_si256((const __m256i *)(const void *)(r[j] + k));
    for (int32_t j = 0; j < 8; j += 2) {
        t[j] = _mm256_unpacklo_epi32(v[j], v[j + 1]);     /* r_j w0, r_j+1 w0, r_j w1, r_j+1 w1 | w4.. */
        t[j + 1] = _mm256_unpackhi_epi32(v[j], v[j + 1]); /* w2, w3 | w6, w7                         */
    }
    for (int32_t j = 0; j < 8; j += 4) {
        v[j] = _mm256_unpacklo_epi64(t[j], t[j + 2]);         /* w0 of rows j..j+3 | w4 */
        v[j + 1] = _mm256_unpackhi_epi64(t[j], t[j + 2]);     /* w1 | w5 */
        v[j + 2] = _mm256_unpacklo_epi64(t[j + 1], t[j + 3]); /* w2 | w6 */
        v[j + 3] = _mm256_unpackhi_epi64(t[j + 1], t[j + 3]); /* w3 | w7 */
    }
    for (int32_t i = 0; i < 4; i++) {
        out[i] = _mm256_permute2x128_si256(v[i], v[i + 4], 0x20);
        out[i + 4] = _mm256_permute2x128_si256(v[i], v[i + 4], 0x31);
    }
}

/* Tile t of the packed weights: [Kp/4][16][4] s8, zero beyond K and beyond OC (n rows).
 * Also returns sw[j] = sum_k w[oc0 + j][k]. */
static void pack_tile(const int8_t *filter, int32_t K, int32_t Kp, int32_t oc0, int32_t n, int8_t *wp, int32_t sw[TILE]) {
    int32_t kv = 0; /* bytes [0, kv) of row groups with 8 rows present are packed by transposes */
    for (int32_t g = 0; g < TILE; g += 8) {
        if (g + 8 > n) break;
        const int8_t *r[8];
        for (int32_t j = 0; j < 8; j++) r[j] = filter + (size_t)(oc0 + g + j) * K;
        int32_t k = 0;
        for (; k + 32 <= K; k += 32) {
            __m256i o[8];
            transpose8(r, k, o);
            for (int32_t i = 0; i < 8; i++) _mm256_store_si256((__m256i *)(void *)(wp + ((size_t)(k / 4 + i) * TILE + g) * 4), o[i]);
        }
        kv = k;
    }
    for (int32_t j = 0; j < TILE; j++) {
        const int8_t *wr = filter + (size_t)(oc0 + j) * K;
        for (int32_t k4 = (j < (n & ~7) ? kv / 4 : 0); k4 < Kp / 4; k4++) {
            int8_t v[4] = {0, 0, 0, 0};
            if (j < n && 4 * k4 + 4 <= K)
                memcpy(v, wr + 4 * k4, 4);
            else if (j < n)
                for (int32_t b = 0; 4 * k4 + b < K; b++) v[b] = wr[4 * k4 + b];
            memcpy(wp + ((size_t)k4 * TILE + j) * 4, v, 4);
        }
    }
    /* row sums from the packed tile (the zero tail adds nothing) */
    const __m256i ones = _mm256_set1_epi8(1);
    __m256i s0 = _mm256_setzero_si256(), s1 = s0;
    for (int32_t k4 = 0; k4 < Kp / 4; k4++) {
        s0 = pml__dpbusd(s0, ones, _mm256_load_si256((const __m256i *)(const void *)(wp + (size_t)k4 * 64)));
        s1 = pml__dpbusd(s1, ones, _mm256_load_si256((const __m256i *)(const void *)(wp + (size_t)k4 * 64 + 32)));
    }
    _mm256_storeu_si256((__m256i *)(void *)sw, s0);
    _mm256_storeu_si256((__m256i *)(void *)(sw + 8), s1);
}

/* ebias[oc0 + j] = bias + (off - 128) * sum w, for the n rows of one tile */
PML_INLINE void set_ebias(const int32_t sw[TILE], int32_t oc0, int32_t n, const int32_t *bias, int32_t off, int32_t *ebias) {
    for (int32_t j = 0; j < n; j++)
        ebias[oc0 + j] = (int32_t)((uint32_t)(bias ? bias[oc0 + j] : 0) + (uint32_t)(off - 128) * (uint32_t)sw[j]);
}

/* Output stage of one pixel's tile: acc + ebias[oc0..], requantized. */
typedef struct out_stage {
    const int32_t *ebias; /* [OC] */
    const pml__rq8 *rq;   /* [OC / 8] per-channel, or [1] per-tensor */
    bool per_channel;
    __m256i voff;
    __m128i lo8, hi8;
    const pml_requant *q;
    const pml_conv_params *p;
} out_stage;

PML_INLINE void finish(__m256i a0, __m256i a1, int32_t oc0, int32_t n, const out_stage *st, int8_t *out) {
    if (n == TILE) {
        const pml__rq8 *r0 = st->per_channel ? &st->rq[oc0 / 8] : st->rq, *r1 = st->per_channel ? r0 + 1 : r0;
        a0 = _mm256_add_epi32(a0, _mm256_loadu_si256((const __m256i *)(const void *)(st->ebias + oc0)));
        a1 = _mm256_add_epi32(a1, _mm256_loadu_si256((const __m256i *)(const void *)(st->ebias + oc0 + 8)));
        pml__store16_s8(pml__outq8_avx2(a0, r0, st->voff), pml__outq8_avx2(a1, r1, st->voff), st->lo8, st->hi8, out + oc0);
        return;
    }
    int32_t acc[TILE];
    _mm256_storeu_si256((__m256i *)(void *)acc, a0);
    _mm256_storeu_si256((__m256i *)(void *)(acc + 8), a1);
    pml__requant_row_avx2(acc, n, oc0, st->ebias, st->q, st->p->output_offset, st->p->act_min, st->p->act_max, out + oc0);
}

PML_INLINE __m256i bcast4(const uint8_t *x) {
    int32_t v;
    memcpy(&v, x, 4);
    return _mm256_set1_epi32(v);
}

/* Up to 4 pixels against one packed tile; outputs at out[j] + oc0. Pixel j's window (unsigned
 * bytes) is nr runs of rk4 4-byte words, run r at x[j] + r * xs, matching packed words
 * [r * rk4, (r + 1) * rk4). */
PML_INLINE void tile4(const uint8_t *const x[4], int32_t np, int32_t nr, size_t xs, int32_t rk4, const int8_t *wp,
                      int32_t oc0, int32_t n, const out_stage *st, int8_t *const out[4]) {
    if (np == 4) {
        __m256i a00 = _mm256_setzero_si256(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int32_t r = 0; r < nr; r++) {
            const uint8_t *x0 = x[0] + r * xs, *x1 = x[1] + r * xs, *x2 = x[2] + r * xs, *x3 = x[3] + r * xs;
            const int8_t *wr = wp + (size_t)r * rk4 * 64;
            for (int32_t k4 = 0; k4 < rk4; k4++) {
                const __m256i w0 = _mm256_load_si256((const __m256i *)(const void *)(wr + (size_t)k4 * 64));
                const __m256i w1 = _mm256_load_si256((const __m256i *)(const void *)(wr + (size_t)k4 * 64 + 32));
                __m256i xb = bcast4(x0 + 4 * k4);
                a00 = pml__dpbusd(a00, xb, w0);
                a01 = pml__dpbusd(a01, xb, w1);
                xb = bcast4(x1 + 4 * k4);
                a10 = pml__dpbusd(a10, xb, w0);
                a11 = pml__dpbusd(a11, xb, w1);
                xb = bcast4(x2 + 4 * k4);
                a20 = pml__dpbusd(a20, xb, w0);
                a21 = pml__dpbusd(a21, xb, w1);
                xb = bcast4(x3 + 4 * k4);
                a30 = pml__dpbusd(a30, xb, w0);
                a31 = pml__dpbusd(a31, xb, w1);
            }
        }
        finish(a00, a01, oc0, n, st, out[0]);
        finish(a10, a11, oc0, n, st, out[1]);
        finish(a20, a21, oc0, n, st, out[2]);
        finish(a30, a31, oc0, n, st, out[3]);
        return;
    }
    for (int32_t j = 0; j < np; j++) {
        __m256i a0 = _mm256_setzero_si256(), a1 = a0;
        for (int32_t r = 0; r < nr; r++) {
            const uint8_t *xj = x[j] + r * xs;
            const int8_t *wr = wp + (size_t)r * rk4 * 64;
            for (int32_t k4 = 0; k4 < rk4; k4++) {
                const __m256i xb = bcast4(xj + 4 * k4);
                a0 = pml__dpbusd(a0, xb, _mm256_load_si256((const __m256i *)(const void *)(wr + (size_t)k4 * 64)));
                a1 = pml__dpbusd(a1, xb, _mm256_load_si256((const __m256i *)(const void *)(wr + (size_t)k4 * 64 + 32)));
            }
        }
        finish(a0, a1, oc0, n, st, out[j]);
    }
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

void pml_conv2d_s8_vnnip(const pml_conv_params *p, const pml_requant *q, const pml_dims4 *in_d, const int8_t *in,
                         const pml_dims4 *f_d, const int8_t *filter, const int32_t *bias, const pml_dims4 *out_d,
                         int8_t *out) {
    const int32_t H = in_d->h, W = in_d->w, CI = in_d->c, KH = f_d->h, KW = f_d->w, OC = out_d->c;
    const int32_t OH = out_d->h, OW = out_d->w, P = out_d->n * OH * OW;
    const int32_t HP = (OH - 1) * p->stride_h + KH, WP = (OW - 1) * p->stride_w + KW; /* padded extent the windows reach */
    const bool direct = pointwise(p, in_d, f_d);
    /* Channel padding: with CI % 4 == 3 (RGB inputs) and filter rows not a whole number of 4-byte
     * words, one zero-weight channel is added to image and filter so that rows are (a third more
     * multiply-adds at most, instead of a window copy per pixel). */
    const int32_t CX = CI + 1, KX = KH * KW * CX, tilesx = (OC + TILE - 1) / TILE;
    const bool cpad = !direct && (KW * CI) % 4 != 0 && CI % 4 == 3 && KX <= VNNIP_MAX_KP &&
                      (size_t)tilesx * TILE * (size_t)KX <= VNNIP_PACK_BYTES && (size_t)OC * KX <= VNNIP_FPAD_BYTES &&
                      (size_t)HP * WP * CX <= VNNIP_IMG_BYTES;
    const int32_t C = cpad ? CX : CI; /* channels as the packed filter and the image hold them */
    const int32_t K = KH * KW * C, Kp = (K + 3) & ~3, tiles = (OC + TILE - 1) / TILE;
    int8_t fpad[VNNIP_FPAD_BYTES]; /* channel-padded filter [OC][KH][KW][C] */
    if (cpad)
        for (int32_t i = 0; i < OC * KH * KW; i++) {
            for (int32_t c = 0; c < CI; c++) fpad[(size_t)i * C + c] = filter[(size_t)i * CI + c];
            fpad[(size_t)i * C + CI] = 0;
        }
    const int8_t *fw = cpad ? fpad : filter;
    int32_t ebias[VNNIP_MAX_OC];   /* bias + (off - 128) * sum(w), per output channel */
    pml__rq8 rq[VNNIP_MAX_OC / 8]; /* requantization constants per 8 channels ([0] only if per-tensor) */
    int8_t wp[VNNIP_PACK_BYTES] __attribute__((aligned(32))); /* packed tiles */
    int8_t col[VNNIP_MAX_KP];                                 /* one gathered window */
    uint8_t xu[4][VNNIP_MAX_KP];                              /* windows of a pixel group, x + 128 */
    uint8_t img[VNNIP_IMG_BYTES];                             /* image mode: padded input, x + 128 */
    const size_t tile_bytes = (size_t)TILE * (size_t)Kp;
    const bool all_packed = (size_t)tiles * tile_bytes <= VNNIP_PACK_BYTES; /* else: pointwise, tile by tile */
    const bool pc = q->count != 1;
    for (int32_t c = 0; c + 8 <= (pc ? OC : 8); c += 8) rq[c / 8] = pml__rq8_load(q, c, 8);
    const out_stage st = {ebias, rq, pc, _mm256_set1_epi32(p->output_offset), _mm_set1_epi8((char)p->act_min),
                          _mm_set1_epi8((char)p->act_max), q, p};
    int32_t sw[TILE];
    if (all_packed)
        for (int32_t t = 0; t < tiles; t++) {
            const int32_t n = OC - t * TILE < TILE ? OC - t * TILE : TILE;
            pack_tile(fw, K, Kp, t * TILE, n, wp + (size_t)t * tile_bytes, sw);
            set_ebias(sw, t * TILE, n, bias, p->input_offset, ebias);
        }
    const int8_t zp = (int8_t)(-p->input_offset);
    /* Image mode: the input of one batch, with the padding the windows reach, is copied once made
     * unsigned, and every window is read from it in place, one run per filter row (the runs start
     * on 4-byte words of the packed rows when KW * C % 4 == 0). Otherwise windows are copied per
     * pixel. */
    const bool image = direct || ((KW * C) % 4 == 0 && (size_t)HP * WP * C <= VNNIP_IMG_BYTES);
    for (int32_t t0 = 0; t0 < (all_packed ? 1 : tiles); t0++) {
        if (!all_packed) {
            const int32_t n = OC - t0 * TILE < TILE ? OC - t0 * TILE : TILE;
            pack_tile(fw, K, Kp, t0 * TILE, n, wp, sw);
            set_ebias(sw, t0 * TILE, n, bias, p->input_offset, ebias);
        }
        if (image) {
            for (int32_t b = 0; b < out_d->n; b++) {
                const int8_t *inb = in + (size_t)b * H * W * CI;
                if (direct) { /* in strips of VNNIP_STRIP pixels */
                    const int32_t PB = H * W;
                    for (int32_t s0 = 0; s0 < PB; s0 += VNNIP_STRIP) {
                        const int32_t ns = PB - s0 < VNNIP_STRIP ? PB - s0 : VNNIP_STRIP;
                        flip_runs(inb + (size_t)s0 * K, 0, 1, ns * K, img);
                        for (int32_t px = 0; px < ns; px += 4) {
                            const int32_t np = ns - px < 4 ? ns - px : 4;
                            const uint8_t *x[4];
                            int8_t *o[4];
                            for (int32_t j = 0; j < np; j++) {
                                o[j] = out + ((size_t)b * PB + s0 + px + j) * OC;
                                x[j] = img + (size_t)(px + j) * K;
                            }
                            for (int32_t t = all_packed ? 0 : t0; t < (all_packed ? tiles : t0 + 1); t++) {
                                const int32_t n = OC - t * TILE < TILE ? OC - t * TILE : TILE;
                                tile4(x, np, 1, 0, K / 4, all_packed ? wp + (size_t)t * tile_bytes : wp, t * TILE, n, &st, o);
                            }
                        }
                    }
                    continue;
                }
                {
                    for (int32_t y = 0; y < HP; y++) {
                        const int32_t iy = y - p->pad_h;
                        uint8_t *row = img + (size_t)y * WP * C;
                        const int32_t x0 = p->pad_w < WP ? p->pad_w : WP, x1 = W + p->pad_w < WP ? W + p->pad_w : WP;
                        if (iy < 0 || iy >= H) {
                            memset(row, (uint8_t)(zp ^ 0x80), (size_t)WP * C);
                            continue;
                        }
                        memset(row, (uint8_t)(zp ^ 0x80), (size_t)x0 * C);
                        if (cpad)
                            for (int32_t x = x0; x < x1; x++) {
                                const int8_t *src = inb + ((size_t)iy * W + (x - p->pad_w)) * CI;
                                for (int32_t c = 0; c < CI; c++) row[(size_t)x * C + c] = (uint8_t)(src[c] ^ 0x80);
                                row[(size_t)x * C + CI] = 0;
                            }
                        else if (x1 > x0)
                            flip_runs(inb + (size_t)iy * W * C, 0, 1, (x1 - x0) * C, row + (size_t)x0 * C);
                        memset(row + (size_t)x1 * C, (uint8_t)(zp ^ 0x80), (size_t)(WP - x1) * C);
                    }
                }
                const int32_t PB = OH * OW;
                int32_t oy = 0, ox = 0;
                for (int32_t px = 0; px < PB; px += 4) {
                    const int32_t np = PB - px < 4 ? PB - px : 4;
                    const uint8_t *x[4];
                    int8_t *o[4];
                    for (int32_t j = 0; j < np; j++) {
                        o[j] = out + ((size_t)b * PB + px + j) * OC;
                        x[j] = img + ((size_t)oy * p->stride_h * WP + (size_t)ox * p->stride_w) * C;
                        if (++ox == OW) {
                            ox = 0;
                            oy++;
                        }
                    }
                    for (int32_t t = all_packed ? 0 : t0; t < (all_packed ? tiles : t0 + 1); t++) {
                        const int32_t n = OC - t * TILE < TILE ? OC - t * TILE : TILE;
                        tile4(x, np, KH, (size_t)WP * C, KW * C / 4,
                              all_packed ? wp + (size_t)t * tile_bytes : wp, t * TILE, n, &st, o);
                    }
                }
            }
            continue;
        }
        /* windows copied per pixel (not pointwise) */
        int32_t cb = 0, coy = 0, cox = 0; /* batch, row and column of pixel px */
        for (int32_t px = 0; px < P; px += 4) {
            const int32_t np = P - px < 4 ? P - px : 4;
            const uint8_t *x[4];
            int8_t *o[4];
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
            for (int32_t t = all_packed ? 0 : t0; t < (all_packed ? tiles : t0 + 1); t++) {
                const int32_t n = OC - t * TILE < TILE ? OC - t * TILE : TILE;
                tile4(x, np, 1, 0, Kp / 4, all_packed ? wp + (size_t)t * tile_bytes : wp, t * TILE, n, &st, o);
            }
        }
    }
}
