/* SPDX-License-Identifier: Apache-2.0 */
/*
 * picoml wakeword MODEL WAV [--threshold T] [--truth JSON] [--json] [--bench]
 * picoml kws MODEL WAV [--all] [--json] [--bench]
 *
 * The WAV goes through the library's streaming front end (pml_afe) in 512-sample chunks, as a
 * microphone driver would feed it, and every feature frame goes to the model as soon as it exists.
 * Host only: stdio and malloc are fine here. Every error: one line on stderr, exit status != 0.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "cli_util.h"
#include "cmd_audio.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pml/pml.h"
#include "pml/pml_audio.h"

#define EXIT_USAGE 2
#define CHUNK 512 /* samples handed to the front end per push, like a DMA half-buffer */

static void die(int code, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "picoml: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(code);
}

/* ---- model + wav ------------------------------------------------------------------------------- */

typedef struct audio_job {
    const char *model_path, *wav_path;
    uint8_t *model_buf, *wav_buf;
    pml_model m;
    void *arena;
    pml_interp *it;
    pml_tensor in, out;
    pml_wav w;
    int16_t *pcm; /* channel 0, w.frames samples */
} audio_job;

static void job_open(audio_job *j, const char *what) {
    size_t len;
    j->model_buf = pml_cli_read_file_or_die(j->model_path, &len);
    pml_status s = pml_model_open(&j->m, j->model_buf, len);
    if (s != PML_OK) die(1, "%s: not a valid .tflite model (%s)", j->model_path, pml_status_str(s));
    size_t need = 0;
    pml_error e;
    s = pml_interp_arena_size(&j->m, pml_op_set_all(), &need, &e);
    if (s != PML_OK) die(1, "%s: cannot plan: %s", j->model_path, e.msg[0] ? e.msg : pml_status_str(s));
    j->arena = aligned_alloc(16, (need + 15) & ~(size_t)15);
    if (!j->arena) die(1, "out of memory (%zu bytes of arena)", need);
    s = pml_interp_init(&j->it, &j->m, pml_op_set_all(), j->arena, need, &e);
    if (s != PML_OK) die(1, "%s: cannot initialise: %s", j->model_path, e.msg[0] ? e.msg : pml_status_str(s));
    if (pml_model_num_inputs(&j->m) != 1 || pml_model_num_outputs(&j->m) != 1)
        die(1, "%s: a %s model has one input and one output", j->model_path, what);
    pml_interp_input(j->it, 0, &j->in);
    pml_interp_output(j->it, 0, &j->out);

    size_t wlen;
    j->wav_buf = pml_cli_read_file_or_die(j->wav_path, &wlen);
    s = pml_wav_open(&j->w, j->wav_buf, wlen, 16000);
    if (s != PML_OK) {
        if (j->w.error == PML_WAV_ERR_RATE)
            die(1, "%s: sample rate %u Hz; the %s front end needs 16000 Hz (resample first)", j->wav_path,
                (unsigned)j->w.sample_rate, what);
        if (j->w.error == PML_WAV_ERR_BITS)
            die(1, "%s: %u-bit samples; only 16-bit PCM is supported", j->wav_path, (unsigned)j->w.bits);
        die(1, "%s: %s", j->wav_path, pml_wav_error_str(j->w.error));
    }
    j->pcm = malloc(j->w.frames * sizeof(int16_t));
    if (!j->pcm) die(1, "out of memory");
    pml_wav_read(&j->w, 0, 0, j->pcm, j->w.frames);
}

static void job_close(audio_job *j) {
    free(j->pcm);
    free(j->wav_buf);
    free(j->arena);
    free(j->model_buf);
}

static void front_end(pml_afe *fe, void **mem, const pml_afe_config *cfg) {
    size_t need;
    if (pml_afe_mem_size(cfg, &need) != PML_OK) die(1, "internal error: bad front-end configuration");
    *mem = aligned_alloc(16, (need + 15) & ~(size_t)15);
    if (!*mem || pml_afe_init(fe, cfg, *mem, need) != PML_OK) die(1, "internal error: front-end init");
}

static double quant_p(const pml_tensor *t, size_t i) {
    if (t->dtype == PML_DTYPE_F32) return (double)((const float *)t->data)[i];
    return (double)t->scale * (double)(((const int8_t *)t->data)[i] - t->zero_point);
}

static void print_json_str(const char *s) {
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* ---- ground truth (MLPerf Tiny JSON: [{"wav_file": ..., "detection_windows": [[s, e], ...]}]) ----- */

static const char *skip_ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

static int read_truth(const char *path, const char *wav, float **out) {
    size_t len;
    char *js = (char *)pml_cli_read_file_or_die(path, &len);
    const char *key = "\"detection_windows\"";
    const char *p = NULL;
    /* the entry for this WAV if the file names it, else the only entry */
    char name[512];
    snprintf(name, sizeof name, "\"%s\"", base_name(wav));
    const char *at = strstr(js, name);
    if (at) p = strstr(at, key);
    if (!p) {
        p = strstr(js, key);
        if (p && strstr(p + 1, key)) die(1, "%s: several detection_windows lists and none for '%s'", path, base_name(wav));
    }
    if (!p) die(1, "%s: no \"detection_windows\" list", path);
    p = skip_ws(p + strlen(key));
    if (*p++ != ':') die(1, "%s: malformed detection_windows", path);
    p = skip_ws(p);
    if (*p++ != '[') die(1, "%s: malformed detection_windows", path);
    int n = 0, cap = 16;
    float *t = malloc((size_t)cap * 2 * sizeof(float));
    for (;;) {
        p = skip_ws(p);
        if (*p == ']') break;
        if (*p++ != '[') die(1, "%s: malformed detection_windows (expected [start, end])", path);
        char *end;
        double s = strtod(p, &end);
        if (end == p) die(1, "%s: malformed detection_windows (expected a number)", path);
        p = skip_ws(end);
        if (*p++ != ',') die(1, "%s: malformed detection_windows (expected [start, end])", path);
        double e = strtod(p, &end);
        if (end == p) die(1, "%s: malformed detection_windows (expected a number)", path);
        p = skip_ws(end);
        if (*p++ != ']') die(1, "%s: malformed detection_windows (expected [start, end])", path);
        if (!(e >= s) || s < 0) die(1, "%s: detection window [%g, %g] is not a time interval", path, s, e);
        if (n == cap) {
            cap *= 2;
            t = realloc(t, (size_t)cap * 2 * sizeof(float));
        }
        t[2 * n] = (float)s;
        t[2 * n + 1] = (float)e;
        n++;
        p = skip_ws(p);
        if (*p == ',') p++;
        else if (*p != ']') die(1, "%s: malformed detection_windows (expected , or ])", path);
    }
    free(js);
    *out = t;
    return n;
}

/* ---- wakeword ---------------------------------------------------------------------------------- */

typedef struct ww_run {
    uint32_t frames, windows;
    float *t, *p; /* (windows) decision time, p(wakeword) */
    double fe_s, model_s;
} ww_run;

static void ww_pipeline(audio_job *j, int win_frames, int n_feat, ww_run *r) {
    pml_afe_config cfg;
    pml_afe_config_wakeword(&cfg);
    pml_afe fe;
    void *mem;
    front_end(&fe, &mem, &cfg);
    if (fe.n_out != (uint32_t)n_feat) die(1, "internal error: feature count");
    size_t max_frames = j->w.frames >= cfg.frame_len ? (j->w.frames - cfg.frame_len) / cfg.hop + 1 : 0;
    int8_t *ring = malloc((size_t)win_frames * (size_t)n_feat); /* (win_frames, n_feat) oldest first */
    r->t = malloc((max_frames + 1) * sizeof(float));
    r->p = malloc((max_frames + 1) * sizeof(float));
    r->frames = r->windows = 0;
    r->fe_s = r->model_s = 0;
    size_t off = 0;
    while (off < j->w.frames) {
        size_t n = j->w.frames - off < CHUNK ? j->w.frames - off : CHUNK, used = 0;
        double t0 = pml_cli_now_s();
        bool got = false;
        const float *f = NULL;
        while (used < n) { /* one chunk can complete at most one frame (hop = 512 = CHUNK), but loop anyway */
            size_t u;
            pml_afe_push(&fe, j->pcm + off + used, n - used, &u);
            used += u;
            if (pml_afe_pull(&fe, &f)) {
                got = true;
                break;
            }
        }
        off += used;
        if (!got) {
            r->fe_s += pml_cli_now_s() - t0;
            continue;
        }
        memmove(ring, ring + n_feat, (size_t)(win_frames - 1) * (size_t)n_feat);
        pml_afe_quantize(f, (size_t)n_feat, j->in.scale, j->in.zero_point, PML_AFE_ROUND_TRUNC,
                         ring + (size_t)(win_frames - 1) * (size_t)n_feat);
        r->frames++;
        double t1 = pml_cli_now_s();
        r->fe_s += t1 - t0;
        if (r->frames < (uint32_t)win_frames) continue;
        memcpy(j->in.data, ring, (size_t)win_frames * (size_t)n_feat);
        pml_status s = pml_interp_invoke(j->it);
        if (s != PML_OK) die(1, "%s: inference failed: %s", j->model_path, pml_status_str(s));
        r->model_s += pml_cli_now_s() - t1;
        uint32_t end = (r->frames - 1) * cfg.hop + cfg.frame_len; /* sample after the last frame */
        r->t[r->windows] = (float)end / (float)cfg.sample_rate;
        r->p[r->windows] = (float)quant_p(&j->out, 0);
        r->windows++;
    }
    free(ring);
    free(mem);
}

int pml_cli_wakeword(int argc, char **argv) {
    audio_job j;
    memset(&j, 0, sizeof j);
    const char *truth_path = NULL;
    double thr = 0.95;
    bool json = false, bench = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) json = true;
        else if (!strcmp(a, "--bench")) bench = true;
        else if (!strcmp(a, "--threshold")) {
            char *end;
            if (i + 1 >= argc) die(EXIT_USAGE, "--threshold needs a number");
            thr = strtod(argv[++i], &end);
            if (*end || !(thr >= 0.0 && thr < 1.0)) die(EXIT_USAGE, "--threshold: '%s' is not a number in [0, 1)", argv[i]);
        } else if (!strcmp(a, "--truth")) {
            if (i + 1 >= argc) die(EXIT_USAGE, "--truth needs a JSON file");
            truth_path = argv[++i];
        } else if (a[0] == '-' && a[1]) die(EXIT_USAGE, "unknown option '%s' (see 'picoml help')", a);
        else if (!j.model_path) j.model_path = a;
        else if (!j.wav_path) j.wav_path = a;
        else die(EXIT_USAGE, "unexpected argument '%s'", a);
    }
    if (!j.model_path || !j.wav_path) die(EXIT_USAGE, "usage: picoml wakeword MODEL WAV [--threshold T] [--truth JSON] [--json] [--bench]");
    job_open(&j, "wakeword");
    /* the model sees (1, frames, 1, 40) int8 log-mel windows; class 0 is the wakeword */
    int win = j.in.rank >= 2 ? (int)j.in.dims[1] : 0, feat = 40;
    if (j.in.dtype != PML_DTYPE_I8 || win < 1 || j.in.bytes != (size_t)win * (size_t)feat)
        die(1, "%s: input %s of %zu bytes is not an int8 (1, frames, 1, 40) log-mel window", j.model_path,
            pml_dtype_str(j.in.dtype), j.in.bytes);
    if ((j.out.dtype != PML_DTYPE_I8 && j.out.dtype != PML_DTYPE_F32) || j.out.bytes < 1)
        die(1, "%s: output is not int8/float class scores", j.model_path);
    float *truth = NULL;
    int n_truth = truth_path ? read_truth(truth_path, j.wav_path, &truth) : 0;

    ww_run r;
    ww_pipeline(&j, win, feat, &r);
    if (bench) { /* best of 10 full runs */
        for (int k = 0; k < 9; k++) {
            ww_run r2;
            ww_pipeline(&j, win, feat, &r2);
            if (r2.fe_s < r.fe_s) r.fe_s = r2.fe_s;
            if (r2.model_s < r.model_s) r.model_s = r2.model_s;
            free(r2.t);
            free(r2.p);
        }
    }
    double dur = (double)j.w.frames / 16000.0;
    if (r.windows == 0)
        die(1, "%s: %.3f s of audio is shorter than one %d-frame window (%.3f s)", j.wav_path, dur, win,
            ((double)(win - 1) * 512 + 1024) / 16000.0);
    bool *pos = malloc(r.windows * sizeof(bool));
    for (uint32_t k = 0; k < r.windows; k++) pos[k] = (double)r.p[k] > thr;
    pml_ww_score_result sc;
    int32_t *found = calloc((size_t)n_truth + 1, sizeof(int32_t));
    pml_ww_score(r.t, pos, r.windows, truth, (size_t)n_truth, found, &sc);
    /* audio time attributed to the model: each invocation consumes one hop of new audio */
    double model_audio = (double)r.windows * 512.0 / 16000.0;

    if (json) {
        printf("{\"wav\": ");
        print_json_str(j.wav_path);
        printf(", \"duration_s\": %.6f, \"channels\": %u, \"frames\": %u, \"windows\": %u, \"threshold\": %.6g, \"detections\": [",
               dur, (unsigned)j.w.channels, (unsigned)r.frames, (unsigned)r.windows, thr);
        int nd = 0;
        for (uint32_t k = 0; k < r.windows; k++)
            if (pos[k] && (k == 0 || !pos[k - 1])) printf("%s{\"time_s\": %.3f, \"p\": %.6f}", nd++ ? ", " : "", (double)r.t[k], (double)r.p[k]);
        printf("]");
        if (truth_path) {
            printf(", \"truth\": [");
            for (int i = 0; i < n_truth; i++) {
                printf("%s{\"start_s\": %.6g, \"end_s\": %.6g, \"detected_s\": ", i ? ", " : "", (double)truth[2 * i], (double)truth[2 * i + 1]);
                if (found[i] >= 0) printf("%.3f}", (double)r.t[found[i]]);
                else printf("null}");
            }
            printf("], \"true_positives\": %u, \"false_negatives\": %u, \"false_positives\": %u", sc.true_pos, sc.false_neg, sc.false_pos);
        }
        if (bench)
            printf(", \"bench\": {\"frontend_s\": %.6f, \"model_s\": %.6f, \"frontend_rtf\": %.1f, \"model_rtf\": %.1f}", r.fe_s, r.model_s,
                   dur / r.fe_s, model_audio / r.model_s);
        printf("}\n");
    } else {
        printf("wakeword: %s, %.3f s (channel 0 of %u), %u frames, %u windows of %d, threshold %.3g\n", j.wav_path, dur,
               (unsigned)j.w.channels, (unsigned)r.frames, (unsigned)r.windows, win, thr);
        int nd = 0;
        for (uint32_t k = 0; k < r.windows; k++)
            if (pos[k] && (k == 0 || !pos[k - 1])) {
                printf("detection at %.3f s (p = %.4f)\n", (double)r.t[k], (double)r.p[k]);
                nd++;
            }
        if (!nd) printf("no detection\n");
        for (int i = 0; i < n_truth; i++) {
            float s = truth[2 * i], e = truth[2 * i + 1];
            printf("wakeword %.3f-%.3f s: ", (double)s, (double)e);
            if (found[i] >= 0) printf("detected at %.3f s\n", (double)r.t[found[i]]);
            else {
                float best = -1, bt = 0;
                for (uint32_t k = 0; k < r.windows; k++)
                    if (r.t[k] >= s && r.t[k] <= e + 0.5f && r.p[k] > best) {
                        best = r.p[k];
                        bt = r.t[k];
                    }
                if (best >= 0) printf("missed (max p = %.4f at %.3f s)\n", (double)best, (double)bt);
                else printf("missed (no window ends in [%.3f, %.3f] s)\n", (double)s, (double)e + 0.5);
            }
        }
        if (truth_path) printf("true positives %u, false negatives %u, false positives %u\n", sc.true_pos, sc.false_neg, sc.false_pos);
        if (bench) {
            printf("front end: %.3f ms for %.3f s of audio: real-time factor %.0f (seconds of audio per second)\n", r.fe_s * 1e3,
                   dur, dur / r.fe_s);
            printf("model:     %.3f ms for %u windows (%.3f s of new audio): real-time factor %.0f\n", r.model_s * 1e3,
                   (unsigned)r.windows, model_audio, model_audio / r.model_s);
        }
    }
    free(found);
    free(pos);
    free(truth);
    free(r.t);
    free(r.p);
    job_close(&j);
    return 0;
}

/* ---- KWS --------------------------------------------------------------------------------------- */

static const char *const kws_labels[12] = {"down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", "silence", "unknown"};

/* One second (zero-padded) through the MFCC front end into the input tensor; returns seconds taken. */
static double kws_features(audio_job *j, pml_afe *fe) {
    double t0 = pml_cli_now_s();
    pml_afe_reset(fe);
    static const int16_t zeros[CHUNK];
    size_t total = 16000, off = 0;
    uint32_t k = 0;
    while (off < total) {
        size_t n = total - off < CHUNK ? total - off : CHUNK, used;
        const int16_t *src = zeros;
        if (off < j->w.frames) {
            src = j->pcm + off;
            if (n > j->w.frames - off) n = j->w.frames - off;
        }
        pml_afe_push(fe, src, n, &used);
        off += used;
        const float *f;
        if (pml_afe_pull(fe, &f) && k < 49) {
            pml_afe_quantize(f, fe->n_out, j->in.scale, j->in.zero_point, PML_AFE_ROUND_NEAREST,
                             (int8_t *)j->in.data + (size_t)k * fe->n_out);
            k++;
        }
    }
    if (k != 49) die(1, "internal error: %u MFCC frames", (unsigned)k);
    return pml_cli_now_s() - t0;
}

int pml_cli_kws(int argc, char **argv) {
    audio_job j;
    memset(&j, 0, sizeof j);
    bool json = false, all = false, bench = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) json = true;
        else if (!strcmp(a, "--all")) all = true;
        else if (!strcmp(a, "--bench")) bench = true;
        else if (a[0] == '-' && a[1]) die(EXIT_USAGE, "unknown option '%s' (see 'picoml help')", a);
        else if (!j.model_path) j.model_path = a;
        else if (!j.wav_path) j.wav_path = a;
        else die(EXIT_USAGE, "unexpected argument '%s'", a);
    }
    if (!j.model_path || !j.wav_path) die(EXIT_USAGE, "usage: picoml kws MODEL WAV [--all] [--json] [--bench]");
    job_open(&j, "KWS");
    if (j.in.dtype != PML_DTYPE_I8 || j.in.bytes != 490)
        die(1, "%s: input %s of %zu bytes is not an int8 (1, 49, 10, 1) MFCC block", j.model_path, pml_dtype_str(j.in.dtype), j.in.bytes);
    size_t n_out = j.out.bytes / (j.out.dtype == PML_DTYPE_F32 ? 4 : 1);
    if ((j.out.dtype != PML_DTYPE_I8 && j.out.dtype != PML_DTYPE_F32) || n_out != 12)
        die(1, "%s: output is not 12 class scores (down, go, ..., silence, unknown)", j.model_path);
    pml_afe_config cfg;
    pml_afe_config_kws(&cfg);
    pml_afe fe;
    void *mem;
    front_end(&fe, &mem, &cfg);
    double fe_s = kws_features(&j, &fe), t0 = pml_cli_now_s();
    pml_status s = pml_interp_invoke(j.it);
    double model_s = pml_cli_now_s() - t0;
    if (s != PML_OK) die(1, "%s: inference failed: %s", j.model_path, pml_status_str(s));
    double p[12];
    int top = 0;
    for (int i = 0; i < 12; i++) {
        p[i] = quant_p(&j.out, (size_t)i);
        if (p[i] > p[top]) top = i;
    }
    if (bench) { /* best of 200 */
        for (int k = 0; k < 200; k++) {
            double a = kws_features(&j, &fe);
            if (a < fe_s) fe_s = a;
            t0 = pml_cli_now_s();
            pml_interp_invoke(j.it);
            double b = pml_cli_now_s() - t0;
            if (b < model_s) model_s = b;
        }
    }
    double dur = (double)j.w.frames / 16000.0;
    if (json) {
        printf("{\"wav\": ");
        print_json_str(j.wav_path);
        printf(", \"duration_s\": %.6f, \"label\": \"%s\", \"p\": %.6f, \"scores\": {", dur, kws_labels[top], p[top]);
        for (int i = 0; i < 12; i++) printf("%s\"%s\": %.6f", i ? ", " : "", kws_labels[i], p[i]);
        printf("}");
        if (bench) printf(", \"bench\": {\"frontend_s\": %.6f, \"model_s\": %.6f, \"frontend_rtf\": %.1f, \"model_rtf\": %.1f}", fe_s, model_s, 1.0 / fe_s, 1.0 / model_s);
        printf("}\n");
    } else {
        printf("%s %.4f\n", kws_labels[top], p[top]);
        if (all)
            for (int i = 0; i < 12; i++) printf("  %-8s %.4f\n", kws_labels[i], p[i]);
        if (dur > 1.0) printf("(used the first 1.000 s of %.3f s)\n", dur);
        if (bench) {
            printf("front end: %.1f us per 1 s clip: real-time factor %.0f\n", fe_s * 1e6, 1.0 / fe_s);
            printf("model:     %.1f us per 1 s clip: real-time factor %.0f\n", model_s * 1e6, 1.0 / model_s);
        }
    }
    free(mem);
    job_close(&j);
    return 0;
}
