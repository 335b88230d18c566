/* SPDX-License-Identifier: Apache-2.0 */
/*
 * On-target test of the audio path (scripts/qemu_audio_test.sh; Cortex-M4 under QEMU mps2-an386):
 * the MLPerf Tiny WAVs go through the library's WAV reader, the streaming front end and the
 * reference models exactly as `picoml kws` / `picoml wakeword` do on the host (tools/cli/cmd_audio.c:
 * 512-sample chunks, channel 0, the same quantization, the same windows and scoring), and the
 * results are checked against the TensorFlow references in tests/data/audio/:
 *
 *   KWS       marvin_617de221_0.wav (first 1 s, zero-padded) -> 49 x 10 MFCCs, rounded half away
 *             from zero; >= 99% within +-1 step of kws_mfcc.s8; kws_ref_model's top label `unknown`.
 *   wakeword  short_wav_easy10s.wav -> 311 x 40 log-mel frames, truncated toward zero; >= 99% within
 *             +-1 step of ww_features.s8; str_ww_ref_model on every 30-frame window, p(wakeword) >
 *             0.95; detections at 1.408 s and 5.024 s (+-32 ms); MLPerf Tiny scoring against the
 *             three truth windows: TP 2, FN 1, FP 0 (the third wakeword is missed, as TFLite's is).
 *
 * Each check prints PASS/FAIL; the last line is "audio_m4: N passed, M failed" and the exit status is
 * nonzero if any check failed. Memory is static: the front ends get exactly pml_afe_mem_size bytes,
 * each model exactly pml_interp_arena_size bytes of one static arena (used by one model at a time).
 * No printf, no malloc.
 *
 * insncount regions (COUNT=1 ports/qemu-run.sh; scripts/qemu_audio_test.sh reports them):
 *   0 empty (harness overhead)      1 KWS front end, one 1 s clip     2 KWS model, one inference
 *   3 the whole 10 s wakeword run: WAV read + front end + quantize + 282 model inferences
 *   4 the same run without the model (WAV read + front end + quantize)
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "pml/pml.h"
#include "pml/pml_audio.h"
#include "fw_io.h"

#define CHUNK 512          /* samples per push, as the host CLI (a DMA half-buffer) */
#define WW_FEAT 40         /* log-mel bands per frame                                 */
#define WW_MAX_WIN 32      /* frames per model window (str_ww_ref_model: 30)          */
#define WW_MAX_FRAMES 640  /* > 10 s of audio at one frame per 512 samples            */
#define ARENA_BYTES 65536  /* generous; each model uses exactly pml_interp_arena_size   */

extern const uint8_t aud_kws_model[], aud_kws_model_end[], aud_kws_wav[], aud_kws_wav_end[];
extern const uint8_t aud_kws_ref[], aud_kws_ref_end[];
extern const uint8_t aud_ww_model[], aud_ww_model_end[], aud_ww_wav[], aud_ww_wav_end[];
extern const uint8_t aud_ww_ref[], aud_ww_ref_end[];

static float mem_ww[20820 / sizeof(float)], mem_kws[10892 / sizeof(float)]; /* checked vs pml_afe_mem_size */
static uint8_t arena[ARENA_BYTES] __attribute__((aligned(PML_ARENA_ALIGN)));
static int16_t chunk[CHUNK];
static int8_t ring[WW_MAX_WIN * WW_FEAT];                 /* (win, 40), oldest frame first      */
static int8_t feat1[WW_MAX_FRAMES * WW_FEAT], feat2[WW_MAX_FRAMES * WW_FEAT]; /* every quantized frame */
static float win_t[WW_MAX_FRAMES], win_p[WW_MAX_FRAMES];
static bool win_pos[WW_MAX_FRAMES];

/* MLPerf Tiny truth for short_wav_easy10s.wav: the three "detection_windows" of
 * tests/data/audio/short_wav_easy10s.json, in seconds (copied as the float the host CLI parses). */
static const float ww_truth[6] = {1.0f, 1.6476250000000001f, 4.0f, 4.76175f, 7.0f, 7.358625f};
static const float ww_expect[2] = {1.408f, 5.024f}; /* host `picoml wakeword` detections */
#define WW_THRESHOLD 0.95

static const char *const kws_labels[12] = {"down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", "silence", "unknown"};

static unsigned n_pass, n_fail;

/* ---- output ------------------------------------------------------------------------------------ */
/* v >= 0 with `dec` decimals, rounded */
static void put_fix(double v, int dec) {
    uint32_t scale = 1;
    for (int i = 0; i < dec; i++) scale *= 10u;
    if (v < 0) {
        put("-");
        v = -v;
    }
    uint32_t x = (uint32_t)(v * (double)scale + 0.5);
    put_u(x / scale);
    if (dec > 0) {
        put(".");
        char b[10];
        uint32_t f = x % scale;
        for (int i = dec - 1; i >= 0; i--) {
            b[i] = (char)('0' + f % 10u);
            f /= 10u;
        }
        board_write(b, (size_t)dec);
    }
}

/* percentage num/den with 3 decimals */
static void put_pct(uint32_t num, uint32_t den) { put_fix(den ? 100.0 * (double)num / (double)den : 0.0, 3); }

static bool check(bool ok, const char *what) {
    put(ok ? "PASS " : "FAIL ");
    put(what);
    put("\n");
    if (ok) n_pass++;
    else n_fail++;
    return ok;
}

/* ---- shared pieces -------------------------------------------------------------------------------- */

typedef struct model_run {
    pml_model m;
    pml_interp *it;
    pml_tensor in, out;
    size_t need, used;
} model_run;

/* Open the model and init it in exactly pml_interp_arena_size bytes of the static arena. */
static bool model_init(model_run *r, const uint8_t *buf, const uint8_t *end, const char *name) {
    pml_error e;
    memset(&e, 0, sizeof e);
    bool ok = pml_model_open(&r->m, buf, (size_t)(end - buf)) == PML_OK &&
              pml_interp_arena_size(&r->m, pml_op_set_all(), &r->need, &e) == PML_OK && r->need <= sizeof arena &&
              pml_interp_init(&r->it, &r->m, pml_op_set_all(), arena, r->need, &e) == PML_OK &&
              pml_model_num_inputs(&r->m) == 1 && pml_model_num_outputs(&r->m) == 1;
    if (ok) {
        pml_interp_input(r->it, 0, &r->in);
        pml_interp_output(r->it, 0, &r->out);
        r->used = pml_interp_arena_used(r->it);
        ok = r->used <= r->need && r->in.dtype == PML_DTYPE_I8 &&
             (r->out.dtype == PML_DTYPE_I8 || r->out.dtype == PML_DTYPE_F32);
    }
    put(name);
    put(": arena ");
    put_u((uint32_t)r->need);
    put(" B (pml_interp_arena_size; static arena ");
    put_u((uint32_t)sizeof arena);
    put(" B), arena_used ");
    put_u((uint32_t)r->used);
    put(" B");
    if (e.msg[0]) {
        put(": ");
        put(e.msg);
    }
    put("\n");
    return ok;
}

static double quant_p(const pml_tensor *t, size_t i) {
    if (t->dtype == PML_DTYPE_F32) return (double)((const float *)t->data)[i];
    return (double)t->scale * (double)(((const int8_t *)t->data)[i] - t->zero_point);
}

static bool wav_open(pml_wav *w, const uint8_t *buf, const uint8_t *end, const char *name) {
    bool ok = pml_wav_open(w, buf, (size_t)(end - buf), 16000) == PML_OK;
    put(name);
    put(": ");
    if (ok) {
        put_u((uint32_t)w->frames);
        put(" samples at 16000 Hz, ");
        put_u(w->channels);
        put(" channel(s) (channel 0 used)\n");
    } else {
        put(pml_wav_error_str(w->error));
        put("\n");
    }
    return ok;
}

static bool fe_init(pml_afe *fe, const pml_afe_config *cfg, void *mem, size_t len) {
    size_t need;
    return pml_afe_mem_size(cfg, &need) == PML_OK && need == len && pml_afe_init(fe, cfg, mem, len) == PML_OK;
}

/* Quantized features vs the TensorFlow reference: >= 99% within +-1 step. */
static bool compare_q(const char *what, const int8_t *mine, const int8_t *ref, uint32_t n) {
    uint32_t within = 0, exact = 0;
    int maxd = 0;
    for (uint32_t i = 0; i < n; i++) {
        int d = (int)mine[i] - (int)ref[i];
        if (d < 0) d = -d;
        within += d <= 1;
        exact += d == 0;
        if (d > maxd) maxd = d;
    }
    put(what);
    put(" vs TensorFlow: ");
    put_u(n);
    put(" values, ");
    put_pct(within, n);
    put("% within +-1 step (");
    put_pct(exact, n);
    put("% identical), max difference ");
    put_u((uint32_t)maxd);
    put(" steps\n");
    return n > 0 && (uint64_t)within * 100u >= (uint64_t)n * 99u;
}

/* ---- KWS --------------------------------------------------------------------------------------- */

/* One second (zero-padded) through the MFCC front end into the input tensor, as the host's
 * kws_features(); returns the frames produced. */
static uint32_t kws_features(pml_afe *fe, const pml_wav *w, const pml_tensor *in) {
    pml_afe_reset(fe);
    size_t total = 16000, off = 0;
    uint32_t k = 0;
    while (off < total) {
        size_t n = total - off < CHUNK ? total - off : CHUNK, used;
        memset(chunk, 0, sizeof chunk);
        if (off < w->frames) {
            if (n > w->frames - off) n = w->frames - off;
            pml_wav_read(w, 0, off, chunk, n);
        }
        pml_afe_push(fe, chunk, n, &used);
        off += used;
        const float *f;
        if (pml_afe_pull(fe, &f) && k < 49) {
            pml_afe_quantize(f, fe->n_out, in->scale, in->zero_point, PML_AFE_ROUND_NEAREST,
                             (int8_t *)in->data + (size_t)k * fe->n_out);
            k++;
        }
    }
    return k;
}

static void test_kws(void) {
    put("-- KWS: marvin_617de221_0.wav, kws_ref_model\n");
    pml_wav w;
    if (!check(wav_open(&w, aud_kws_wav, aud_kws_wav_end, "marvin_617de221_0.wav"), "KWS WAV parsed (16 kHz PCM)")) return;
    pml_afe_config cfg;
    pml_afe_config_kws(&cfg);
    pml_afe fe;
    if (!check(fe_init(&fe, &cfg, mem_kws, sizeof mem_kws), "KWS front end: memory = pml_afe_mem_size, init")) return;
    model_run r;
    if (!check(model_init(&r, aud_kws_model, aud_kws_model_end, "kws_ref_model") && r.in.bytes == 490 &&
                   r.out.bytes / (r.out.dtype == PML_DTYPE_F32 ? 4u : 1u) == 12,
               "KWS model: init in exactly pml_interp_arena_size bytes, (1,49,10,1) -> 12 classes"))
        return;

    insn_region_begin();
    insn_region_end();
    insn_region_begin();
    uint32_t k = kws_features(&fe, &w, &r.in);
    insn_region_end();
    check(k == 49 && (size_t)(aud_kws_ref_end - aud_kws_ref) == 490 &&
              compare_q("KWS MFCCs", (const int8_t *)r.in.data, (const int8_t *)aud_kws_ref, 490),
          "KWS MFCCs: 49 frames, >= 99% within +-1 step of kws_mfcc.s8");

    insn_region_begin();
    pml_status s = pml_interp_invoke(r.it);
    insn_region_end();
    int top = 0;
    double p[12];
    for (int i = 0; i < 12; i++) {
        p[i] = quant_p(&r.out, (size_t)i);
        if (p[i] > p[top]) top = i;
    }
    put("KWS top label: ");
    put(kws_labels[top]);
    put(" (p = ");
    put_fix(p[top], 4);
    put(")\n");
    check(s == PML_OK && top == 11, "KWS top label is `unknown`");
}

/* ---- wakeword ---------------------------------------------------------------------------------- */

/* The host's ww_pipeline(): 512-sample chunks, every frame quantized (truncation) into the ring,
 * the model on every full window. With model == NULL, the front end only. Every quantized frame
 * is kept in feats; returns the frame count, *windows the model invocations. */
static uint32_t ww_pipeline(pml_afe *fe, const pml_afe_config *cfg, const pml_wav *w, model_run *model, int win,
                            float scale, int32_t zp, int8_t *feats, uint32_t *windows, bool *ok) {
    pml_afe_reset(fe);
    uint32_t frames = 0, nwin = 0;
    size_t off = 0;
    while (off < w->frames) {
        size_t n = w->frames - off < CHUNK ? w->frames - off : CHUNK, used = 0;
        pml_wav_read(w, 0, off, chunk, n);
        bool got = false;
        const float *f = NULL;
        while (used < n) {
            size_t u;
            pml_afe_push(fe, chunk + used, n - used, &u);
            used += u;
            if (pml_afe_pull(fe, &f)) {
                got = true;
                break;
            }
        }
        off += used;
        if (!got) continue;
        memmove(ring, ring + WW_FEAT, (size_t)(win - 1) * WW_FEAT);
        int8_t *row = ring + (size_t)(win - 1) * WW_FEAT;
        pml_afe_quantize(f, WW_FEAT, scale, zp, PML_AFE_ROUND_TRUNC, row);
        if (frames < WW_MAX_FRAMES) memcpy(feats + (size_t)frames * WW_FEAT, row, WW_FEAT);
        frames++;
        if (!model || frames < (uint32_t)win || nwin >= WW_MAX_FRAMES) continue;
        memcpy(model->in.data, ring, (size_t)win * WW_FEAT);
        if (pml_interp_invoke(model->it) != PML_OK) *ok = false;
        uint32_t end = (frames - 1) * cfg->hop + cfg->frame_len; /* sample after the last frame */
        win_t[nwin] = (float)end / (float)cfg->sample_rate;
        win_p[nwin] = (float)quant_p(&model->out, 0);
        nwin++;
    }
    *windows = nwin;
    return frames;
}

static void test_wakeword(void) {
    put("-- wakeword: short_wav_easy10s.wav, str_ww_ref_model\n");
    pml_wav w;
    if (!check(wav_open(&w, aud_ww_wav, aud_ww_wav_end, "short_wav_easy10s.wav"), "wakeword WAV parsed (16 kHz PCM)")) return;
    pml_afe_config cfg;
    pml_afe_config_wakeword(&cfg);
    pml_afe fe;
    if (!check(fe_init(&fe, &cfg, mem_ww, sizeof mem_ww) && fe.n_out == WW_FEAT,
               "wakeword front end: memory = pml_afe_mem_size, init, 40 features"))
        return;
    model_run r;
    bool mok = model_init(&r, aud_ww_model, aud_ww_model_end, "str_ww_ref_model");
    int win = r.in.rank >= 2 ? (int)r.in.dims[1] : 0;
    if (!check(mok && win >= 1 && win <= WW_MAX_WIN && r.in.bytes == (size_t)win * WW_FEAT,
               "wakeword model: init in exactly pml_interp_arena_size bytes, (1,frames,1,40) input"))
        return;

    bool ok = true;
    uint32_t windows = 0, windows2 = 0;
    insn_region_begin();
    uint32_t frames = ww_pipeline(&fe, &cfg, &w, &r, win, r.in.scale, r.in.zero_point, feat1, &windows, &ok);
    insn_region_end();
    insn_region_begin();
    uint32_t frames2 = ww_pipeline(&fe, &cfg, &w, NULL, win, r.in.scale, r.in.zero_point, feat2, &windows2, &ok);
    insn_region_end();

    uint32_t n_ref = (uint32_t)(aud_ww_ref_end - aud_ww_ref);
    put("wakeword: ");
    put_u(frames);
    put(" frames, ");
    put_u(windows);
    put(" windows of ");
    put_u((uint32_t)win);
    put("\n");
    check(frames <= WW_MAX_FRAMES && frames * WW_FEAT == n_ref &&
              compare_q("wakeword log-mel", feat1, (const int8_t *)aud_ww_ref, n_ref),
          "wakeword features: 311 frames, >= 99% within +-1 step of ww_features.s8");
    check(frames2 == frames && memcmp(feat1, feat2, (size_t)frames * WW_FEAT) == 0,
          "wakeword front end after pml_afe_reset: identical features");

    /* decisions and detection events (first positive window of each run), as the host CLI */
    uint32_t n_ev = 0;
    float ev[8];
    for (uint32_t k = 0; k < windows; k++) {
        win_pos[k] = (double)win_p[k] > WW_THRESHOLD;
        if (win_pos[k] && (k == 0 || !win_pos[k - 1])) {
            if (n_ev < 8) ev[n_ev] = win_t[k];
            n_ev++;
            put("detection at ");
            put_fix((double)win_t[k], 3);
            put(" s (p = ");
            put_fix((double)win_p[k], 4);
            put(")\n");
        }
    }
    bool near = n_ev == 2;
    for (uint32_t i = 0; i < 2 && i < n_ev; i++) {
        float d = ev[i] - ww_expect[i];
        if (d < 0) d = -d;
        near = near && d <= 0.032f + 1e-4f;
    }
    check(ok && windows == frames - (uint32_t)win + 1 && near,
          "wakeword detections: exactly two, within 32 ms of 1.408 s and 5.024 s");

    pml_ww_score_result sc = {0, 0, 0};
    int32_t found[3] = {-1, -1, -1};
    pml_status s = pml_ww_score(win_t, win_pos, windows, ww_truth, 3, found, &sc);
    for (int i = 0; i < 3; i++) {
        put("wakeword ");
        put_fix((double)ww_truth[2 * i], 3);
        put("-");
        put_fix((double)ww_truth[2 * i + 1], 3);
        put(" s: ");
        if (found[i] >= 0) {
            put("detected at ");
            put_fix((double)win_t[found[i]], 3);
            put(" s\n");
        } else {
            put("missed\n");
        }
    }
    put("true positives ");
    put_u(sc.true_pos);
    put(", false negatives ");
    put_u(sc.false_neg);
    put(", false positives ");
    put_u(sc.false_pos);
    put("\n");
    check(s == PML_OK && sc.true_pos == 2 && sc.false_neg == 1 && sc.false_pos == 0 && found[2] == -1,
          "wakeword score (MLPerf Tiny rules): TP 2, FN 1, FP 0");
}

int main(void) {
    put("picoml on-target audio test (Cortex-M4): WAV reader, streaming front ends, models\n");
    test_kws();
    test_wakeword();
    put("audio_m4: ");
    put_u(n_pass);
    put(" passed, ");
    put_u(n_fail);
    put(" failed\n");
    board_exit(n_fail == 0 && n_pass > 0 ? 0 : 1);
}
