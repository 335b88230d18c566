/* SPDX-License-Identifier: Apache-2.0 */
/*
 * picoml train MODEL --data DIR [--epochs E] [--batch B] [--lr LR] [--momentum M] [--train LAYERS]
 *              [--classes LIST] [--no-qas] [--out OUT.tflite] [--curve CURVE.svg] [--json] [--limit N]
 *              [--test-limit N] [--seed S] [--schedule constant|cosine] [--loss xent|mse]
 *
 * Trains a float32 or int8 .tflite classifier with the library's pml_train API on IDX image/label
 * files (DIR/train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
 * t10k-labels-idx1-ubyte, uncompressed: Fashion-MNIST / MNIST layout). Pixels are scaled to [0, 1]
 * (int8 inputs: then quantized with the input's scale and zero point). int8 graphs train with
 * quantization-aware scaling unless --no-qas. --classes "5-9" (or "0,2,4-6") keeps only those
 * labels, in training and test, mapped to outputs 0, 1, ... in the order given (transfer learning
 * onto a head of the same size). The test split (of those classes) is evaluated before training
 * and after each epoch. Each epoch: shuffled samples (xorshift, --seed), the first --limit of them,
 * mini-batches of B by gradient accumulation. --epochs 0 only evaluates. Progress on stderr; one
 * line per epoch on stdout (stderr with --json, whose stdout is one JSON object). --out writes the
 * model with the trained tensors overwritten in place (same graph, same size; int8 graphs: the
 * int8 weights / int32 bias the forward uses); --curve draws the learning curve.
 * LAYERS: "all" (default) or a comma list of OP[:w|:b|:wb][@K] (op index; weights, bias or both;
 * @K: only the first K output channels train, or with 0 < K < 1 that fraction of them).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_util.h"
#include "cmd_train.h"
#include "pml/pml.h"
#include "pml/pml_train.h"

static void tdie(const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "picoml: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* IDX set: images [n, rows*cols] uint8, labels [n]. */
typedef struct idx_set {
    uint8_t *img_buf, *lab_buf;
    const uint8_t *images, *labels;
    uint32_t n, pixels;
} idx_set;

static void load_idx(idx_set *s, const char *dir, const char *prefix) {
    char pi[4096], pl[4096];
    size_t li, ll;
    snprintf(pi, sizeof pi, "%s/%s-images-idx3-ubyte", dir, prefix);
    snprintf(pl, sizeof pl, "%s/%s-labels-idx1-ubyte", dir, prefix);
    s->img_buf = pml_cli_read_file(pi, &li);
    if (!s->img_buf) tdie("cannot open '%s' (uncompressed IDX; gunzip the .gz files first)", pi);
    s->lab_buf = pml_cli_read_file(pl, &ll);
    if (!s->lab_buf) tdie("cannot open '%s' (uncompressed IDX; gunzip the .gz files first)", pl);
    if (li < 16 || be32(s->img_buf) != 0x803) tdie("'%s' is not an IDX image file", pi);
    if (ll < 8 || be32(s->lab_buf) != 0x801) tdie("'%s' is not an IDX label file", pl);
    uint32_t n = be32(s->img_buf + 4), r = be32(s->img_buf + 8), c = be32(s->img_buf + 12);
    if (r == 0 || c == 0 || r > 4096 || c > 4096 || n != be32(s->lab_buf + 4) || (uint64_t)n * r * c + 16 > li ||
        (uint64_t)n + 8 > ll)
        tdie("'%s' / '%s': inconsistent sizes", pi, pl);
    s->n = n;
    s->pixels = r * c;
    s->images = s->img_buf + 16;
    s->labels = s->lab_buf + 8;
}

static uint64_t rng_state;
static uint32_t rng_next(void) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return (uint32_t)(x >> 32);
}

/* One image into input 0: pixels scaled to [0, 1]; int8 inputs quantized with the input's scale / zero point. */
static void fill_input(const pml_tensor *in, const idx_set *s, uint32_t i) {
    const uint8_t *p = s->images + (size_t)i * s->pixels;
    if (in->dtype == PML_DTYPE_I8) {
        int8_t *q = (int8_t *)in->data;
        for (uint32_t k = 0; k < s->pixels; k++) {
            long v = lrintf((float)p[k] * (1.0f / 255.0f) / in->scale) + in->zero_point;
            q[k] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
        }
        return;
    }
    float *x = (float *)in->data;
    for (uint32_t k = 0; k < s->pixels; k++) x[k] = (float)p[k] * (1.0f / 255.0f);
}

/* Class of the highest output (int8 outputs: the quantized values order as the real ones). */
static uint32_t out_argmax(const pml_tensor *out, size_t n) {
    uint32_t b = 0;
    if (out->dtype == PML_DTYPE_I8) {
        const int8_t *y = (const int8_t *)out->data;
        for (size_t i = 1; i < n; i++)
            if (y[i] > y[b]) b = (uint32_t)i;
        return b;
    }
    const float *y = (const float *)out->data;
    for (size_t i = 1; i < n; i++)
        if (y[i] > y[b]) b = (uint32_t)i;
    return b;
}

/* --classes "5-9" or "0,2,4-6": the classes used, in order; label c becomes its position (map[c]),
 * others are left out (map[c] = -1). Returns the class count. */
static uint32_t parse_classes(const char *spec, int16_t map[256]) {
    uint32_t n = 0;
    const char *p = spec;
    for (int c = 0; c < 256; c++) map[c] = -1;
    while (*p) {
        char *end;
        long a = strtol(p, &end, 10), b;
        if (end == p || a < 0 || a > 255) tdie("--classes: bad list '%s' (e.g. 5-9 or 0,2,4)", spec);
        p = end;
        b = a;
        if (*p == '-') {
            b = strtol(p + 1, &end, 10);
            if (end == p + 1 || b < a || b > 255) tdie("--classes: bad range in '%s'", spec);
            p = end;
        }
        for (long c = a; c <= b; c++) {
            if (map[c] >= 0) tdie("--classes: class %ld given twice", c);
            map[c] = (int16_t)n++;
        }
        if (*p == ',') p++;
        else if (*p) tdie("--classes: bad list '%s'", spec);
    }
    if (n == 0) tdie("--classes: empty list");
    return n;
}

/* The samples of s whose class is kept, and their (mapped) labels. */
typedef struct subset {
    uint32_t *idx;
    uint8_t *lab;
    uint32_t n;
} subset;

static void make_subset(subset *u, const idx_set *s, const int16_t map[256]) {
    u->idx = malloc(sizeof(uint32_t) * (s->n ? s->n : 1));
    u->lab = malloc(s->n ? s->n : 1);
    if (!u->idx || !u->lab) tdie("out of memory");
    u->n = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        int16_t c = map[s->labels[i]];
        if (c < 0) continue;
        u->idx[u->n] = i;
        u->lab[u->n++] = (uint8_t)c;
    }
}

/* "all" or "3,5:b,7:wb,9:wb@64,9@0.25": op index, what trains (default wb), @K: only the first K
 * output channels, @F with 0 < F < 1: that fraction of them (rounded up). */
static uint32_t parse_layers(const char *spec, const pml_model *m, pml_train_layer *out, uint32_t cap) {
    if (!strcmp(spec, "all")) return 0;
    uint32_t n = 0;
    const char *p = spec;
    while (*p) {
        char *end;
        long op = strtol(p, &end, 10);
        if (end == p || op < 0 || op > 1000000) tdie("--train: bad layer list '%s' (e.g. 0,3:b,7:wb,9@0.25)", spec);
        uint32_t what = PML_TRAIN_WEIGHTS | PML_TRAIN_BIAS;
        p = end;
        if (*p == ':') {
            p++;
            what = 0;
            while (*p == 'w' || *p == 'b') what |= *p++ == 'w' ? PML_TRAIN_WEIGHTS : PML_TRAIN_BIAS;
            if (!what) tdie("--train: after ':' give w, b or wb ('%s')", spec);
        }
        if (*p == '@') {
            double v = strtod(p + 1, &end);
            pml_op_info oi;
            pml_tensor ot;
            if (end == p + 1 || !(v > 0.0) || v >= 16777216.0)
                tdie("--train: after '@' give a channel count or a fraction ('%s')", spec);
            if (pml_model_op(m, (uint32_t)op, &oi) != PML_OK || oi.n_outputs < 1 ||
                pml_model_tensor(m, (uint32_t)oi.outputs[0], &ot) != PML_OK || ot.rank < 1)
                tdie("--train: op %ld: no such op with an output", op);
            uint32_t ch = (uint32_t)ot.dims[ot.rank - 1], k;
            if (v < 1.0) k = (uint32_t)ceil(v * ch);
            else if (v != floor(v)) tdie("--train: '@%g': a whole channel count or a fraction below 1", v);
            else k = (uint32_t)v;
            what |= PML_TRAIN_CHANNELS(k ? k : 1);
            p = end;
        }
        if (n >= cap) tdie("--train: too many layers");
        out[n].op_index = (uint32_t)op;
        out[n].what = what;
        n++;
        if (*p == ',') p++;
        else if (*p) tdie("--train: bad layer list '%s'", spec);
    }
    if (n == 0) tdie("--train: empty layer list");
    return n;
}

typedef struct epoch_stat {
    double train_loss, train_acc, test_loss, test_acc, seconds;
} epoch_stat;

static void evaluate(pml_train *t, const idx_set *s, const subset *u, uint32_t limit, double *loss, double *acc) {
    pml_tensor in, out;
    pml_train_input(t, 0, &in);
    pml_train_output(t, 0, &out);
    size_t nc = out.bytes / pml_dtype_size(out.dtype);
    float *target = calloc(nc, sizeof(float));
    uint32_t n = limit && limit < u->n ? limit : u->n, correct = 0;
    double sum = 0.0;
    for (uint32_t i = 0; i < n; i++) {
        fill_input(&in, s, u->idx[i]);
        uint32_t lab = u->lab[i];
        memset(target, 0, nc * sizeof(float));
        if (lab < nc) target[lab] = 1.0f;
        float l;
        pml_train_loss(t, target, &l);
        sum += (double)l;
        correct += out_argmax(&out, nc) == lab;
    }
    free(target);
    *loss = n ? sum / (double)n : 0.0;
    *acc = n ? (double)correct / (double)n : 0.0;
}

/* Learning curve: training loss (every chunk, left axis) and test accuracy per epoch (right axis). */
static void write_svg(const char *path, const char *title, const float *chunk_loss, uint32_t n_chunks,
                      double chunk_epochs, const epoch_stat *ep, uint32_t n_ep) {
    FILE *f = fopen(path, "w");
    if (!f) tdie("cannot write '%s'", path);
    const double W = 720, H = 420, L = 70, R = 70, T = 40, B = 50, pw = W - L - R, ph = H - T - B;
    double lmax = 0.0;
    for (uint32_t i = 0; i < n_chunks; i++) lmax = (double)chunk_loss[i] > lmax ? (double)chunk_loss[i] : lmax;
    lmax = lmax > 0 ? ceil(lmax * 4.0) / 4.0 : 1.0;
    double xmax = (double)n_ep;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" "
               "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", W, H);
    fprintf(f, "<text x=\"%.0f\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">%s</text>\n", W / 2, title);
    fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#444\"/>\n", L, T, pw, ph);
    for (int i = 0; i <= 4; i++) {
        double y = T + ph * (1.0 - i / 4.0);
        fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, L + pw, y, y);
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#1f77b4\">%.2f</text>\n", L - 6, y + 4, lmax * i / 4.0);
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" fill=\"#d62728\">%.0f%%</text>\n", L + pw + 6, y + 4, 50.0 + 12.5 * i);
    }
    for (uint32_t e = 0; e <= n_ep; e++) {
        double x = L + pw * e / xmax;
        fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%u</text>\n", x, T + ph + 18, (unsigned)e);
    }
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">epoch</text>\n", L + pw / 2, H - 10);
    fprintf(f, "<text x=\"16\" y=\"%.0f\" fill=\"#1f77b4\" transform=\"rotate(-90 16 %.0f)\" text-anchor=\"middle\">"
               "training loss</text>\n", T + ph / 2, T + ph / 2);
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" fill=\"#d62728\" transform=\"rotate(90 %.0f %.0f)\" text-anchor=\"middle\">"
               "test accuracy</text>\n", W - 14, T + ph / 2, W - 14, T + ph / 2);
    fprintf(f, "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"");
    for (uint32_t i = 0; i < n_chunks; i++)
        fprintf(f, "%.1f,%.1f ", L + pw * ((i + 1) * chunk_epochs) / xmax, T + ph * (1.0 - (double)chunk_loss[i] / lmax));
    fprintf(f, "\"/>\n<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" points=\"");
    for (uint32_t e = 0; e < n_ep; e++) {
        double a = ep[e].test_acc * 100.0, y = T + ph * (1.0 - (a < 50 ? 0 : a - 50) / 50.0);
        fprintf(f, "%.1f,%.1f ", L + pw * (e + 1) / xmax, y);
    }
    fprintf(f, "\"/>\n");
    for (uint32_t e = 0; e < n_ep; e++) {
        double a = ep[e].test_acc * 100.0, y = T + ph * (1.0 - (a < 50 ? 0 : a - 50) / 50.0);
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#d62728\"/>\n", L + pw * (e + 1) / xmax, y);
    }
    fprintf(f, "</svg>\n");
    fclose(f);
}

static double num_arg(int argc, char **argv, int *i, double lo, double hi) {
    if (*i + 1 >= argc) tdie("%s needs a number", argv[*i]);
    char *end;
    double v = strtod(argv[*i + 1], &end);
    if (*end || !(v >= lo && v <= hi)) tdie("%s: bad value '%s'", argv[*i], argv[*i + 1]);
    (*i)++;
    return v;
}

/* ---- benchmark 3: online adaptation of an int8 autoencoder (picoml train MODEL --ad-adapt FEATURES) ----
 * FEATURES: float32 LE log-mel frames of 128 bins; windows of 5 consecutive frames (640 values).
 * New normal = frames + offset + N(0, noise); windows split 70 % train / 30 % test (in order).
 * Anomalies (from the test windows' new-normal frames): "tilt" adds a spectral tilt of -tilt..+tilt dB
 * across the bins; "tones" adds +tone dB at bins 30-31 and 70-71. Error = mean squared reconstruction
 * error in the dequantized domain, against the quantized input. */
static double gauss(void) {
    double u = ((double)rng_next() + 1.0) / 4294967297.0, v = ((double)rng_next() + 1.0) / 4294967297.0;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static double auc_of(const double *neg, uint32_t nn, const double *pos, uint32_t np) {
    double w = 0.0;
    for (uint32_t i = 0; i < np; i++)
        for (uint32_t j = 0; j < nn; j++) w += pos[i] > neg[j] ? 1.0 : pos[i] == neg[j] ? 0.5 : 0.0;
    return w / ((double)nn * (double)np);
}

static void ad_errors(pml_train *t, const float *win, uint32_t first, uint32_t n, float in_s, int32_t in_zp,
                      double *err, double *mean) {
    pml_tensor in;
    pml_train_input(t, 0, &in);
    float target[640];
    double sum = 0.0;
    for (uint32_t k = 0; k < n; k++) {
        const float *x = win + (size_t)(first + k) * 640;
        int8_t *q = in.data;
        for (int i = 0; i < 640; i++) {
            long v = lrintf(x[i] / in_s) + in_zp;
            q[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
            target[i] = in_s * (float)(q[i] - in_zp);
        }
        float l;
        pml_train_loss(t, target, &l);
        err[k] = l;
        sum += (double)l;
    }
    *mean = sum / n;
}

/* Detection accuracy on the test windows: a window is called anomalous when its error exceeds the
 * largest error on the (new-normal) training windows; normal test windows (en) should not be, the
 * anomalies (ea, eb) should. */
static double ad_accuracy(const double *etr, uint32_t ntr, const double *en, const double *ea, const double *eb,
                          uint32_t nte) {
    double thr = etr[0];
    for (uint32_t k = 1; k < ntr; k++) thr = etr[k] > thr ? etr[k] : thr;
    uint32_t ok = 0;
    for (uint32_t k = 0; k < nte; k++) ok += (en[k] <= thr) + (ea[k] > thr) + (eb[k] > thr);
    return (double)ok / (3.0 * nte);
}

static int ad_adapt(const char *model_path, const char *feat_path, const char *layers_spec, uint32_t epochs,
                    uint32_t batch, double lr, double momentum, uint64_t seed, double offset, double noise,
                    double tilt, double tone, bool no_qas, bool json) {
    size_t mlen, flen;
    uint8_t *mb = pml_cli_read_file_or_die(model_path, &mlen), *fb = pml_cli_read_file_or_die(feat_path, &flen);
    pml_model m;
    if (pml_model_open(&m, mb, mlen) != PML_OK) tdie("%s: not a model", model_path);
    uint32_t nf = (uint32_t)(flen / (128 * sizeof(float)));
    if (nf < 10) tdie("%s: too few frames", feat_path);
    rng_state = seed;
    float *fr = malloc((size_t)nf * 128 * sizeof(float));
    for (uint32_t i = 0; i < nf * 128; i++) {
        float v;
        memcpy(&v, fb + (size_t)i * 4, 4);
        fr[i] = v + (float)offset + (float)(noise * gauss());
    }
    uint32_t nw = nf - 4, ntr = nw * 7 / 10, nte = nw - ntr;
    float *win = malloc((size_t)nw * 3 * 640 * sizeof(float)); /* normal, tilt anomaly, tone anomaly */
    for (uint32_t w = 0; w < nw; w++)
        for (int f = 0; f < 5; f++)
            for (int b = 0; b < 128; b++) {
                float v = fr[(size_t)(w + (uint32_t)f) * 128 + (size_t)b];
                size_t o = (size_t)w * 640 + (size_t)f * 128 + (size_t)b;
                win[o] = v;
                win[(size_t)nw * 640 + o] = v + (float)(tilt * (2.0 * b / 127.0 - 1.0));
                win[(size_t)2 * nw * 640 + o] = v + ((b == 30 || b == 31 || b == 70 || b == 71) ? (float)tone : 0.0f);
            }
    pml_train_layer layers[256];
    uint32_t n_layers = parse_layers(layers_spec, &m, layers, 256);
    pml_train_config cfg = {n_layers ? layers : NULL, n_layers, PML_LOSS_MSE, batch, (float)lr, (float)momentum,
                            no_qas ? PML_TRAIN_NO_QAS : 0};
    size_t need;
    pml_error e;
    pml_status s = pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, &e);
    if (s != PML_OK) tdie("%s: cannot plan training: %s", model_path, e.msg[0] ? e.msg : pml_status_str(s));
    void *arena = aligned_alloc(16, need);
    pml_train *t;
    if (pml_train_init(&t, &m, pml_op_set_all(), &cfg, arena, need, &e) != PML_OK) tdie("init: %s", e.msg);
    pml_tensor in;
    pml_train_input(t, 0, &in);
    float in_s = in.scale;
    int32_t in_zp = in.zero_point;
    double *en = malloc(sizeof(double) * nte), *ea = malloc(sizeof(double) * nte), *eb = malloc(sizeof(double) * nte);
    double before[3], after[3], auc_b[2], auc_a[2], tr0, tr1;
    double *etr = malloc(sizeof(double) * ntr);
    ad_errors(t, win, 0, ntr, in_s, in_zp, etr, &tr0);
    ad_errors(t, win, ntr, nte, in_s, in_zp, en, &before[0]);
    ad_errors(t, win + (size_t)nw * 640, ntr, nte, in_s, in_zp, ea, &before[1]);
    ad_errors(t, win + (size_t)2 * nw * 640, ntr, nte, in_s, in_zp, eb, &before[2]);
    auc_b[0] = auc_of(en, nte, ea, nte);
    auc_b[1] = auc_of(en, nte, eb, nte);
    const double acc_b = ad_accuracy(etr, ntr, en, ea, eb, nte);
    double t0 = pml_cli_now_s();
    float target[640];
    for (uint32_t ep = 0; ep < epochs; ep++) {
        for (uint32_t k = 0; k < ntr; k++) {
            uint32_t w = rng_next() % ntr;
            const float *x = win + (size_t)w * 640;
            int8_t *q = in.data;
            for (int i = 0; i < 640; i++) {
                long v = lrintf(x[i] / in_s) + in_zp;
                q[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
                target[i] = in_s * (float)(q[i] - in_zp);
            }
            pml_train_sample(t, target, NULL);
            if ((k + 1) % batch == 0) pml_train_update(t);
        }
        pml_train_update(t);
    }
    double secs = pml_cli_now_s() - t0;
    ad_errors(t, win, 0, ntr, in_s, in_zp, etr, &tr1);
    ad_errors(t, win, ntr, nte, in_s, in_zp, en, &after[0]);
    ad_errors(t, win + (size_t)nw * 640, ntr, nte, in_s, in_zp, ea, &after[1]);
    ad_errors(t, win + (size_t)2 * nw * 640, ntr, nte, in_s, in_zp, eb, &after[2]);
    auc_a[0] = auc_of(en, nte, ea, nte);
    auc_a[1] = auc_of(en, nte, eb, nte);
    const double acc_a = ad_accuracy(etr, ntr, en, ea, eb, nte);
    printf("ad01 online adaptation: %u train / %u test windows, offset %+.1f dB noise %.1f, train %s, %u epochs, "
           "lr %g, QAS %s\n", ntr, nte, offset, noise, layers_spec, epochs, lr, no_qas ? "off" : "on");
    printf("  reconstruction MSE          before      after\n");
    printf("  new normal (train)      %10.3f %10.3f\n", tr0, tr1);
    printf("  new normal (test)       %10.3f %10.3f\n", before[0], after[0]);
    printf("  anomaly: tilt +-%.0f dB   %10.3f %10.3f   AUC %.3f -> %.3f\n", tilt, before[1], after[1], auc_b[0], auc_a[0]);
    printf("  anomaly: tones +%.0f dB   %10.3f %10.3f   AUC %.3f -> %.3f\n", tone, before[2], after[2], auc_b[1], auc_a[1]);
    printf("  detection accuracy on the test windows (threshold: largest training-window error) %.3f -> %.3f\n",
           acc_b, acc_a);
    printf("  arena %zu bytes, %.1f us per training sample\n", need, 1e6 * secs / ((double)epochs * ntr));
    if (json)
        printf("{\"normal_before\":%.4f,\"normal_after\":%.4f,\"tilt_before\":%.4f,\"tilt_after\":%.4f,"
               "\"tones_before\":%.4f,\"tones_after\":%.4f,\"auc_tilt_before\":%.4f,\"auc_tilt_after\":%.4f,"
               "\"auc_tones_before\":%.4f,\"auc_tones_after\":%.4f,\"initial_test_accuracy\":%.4f,"
               "\"test_accuracy\":%.4f,\"arena_bytes\":%zu,\"epochs\":%u}\n",
               before[0], after[0], before[1], after[1], before[2], after[2], auc_b[0], auc_a[0], auc_b[1], auc_a[1],
               acc_b, acc_a, need, epochs);
    free(en); free(ea); free(eb); free(etr); free(win); free(fr); free(arena); free(mb); free(fb);
    return 0;
}

int picoml_cmd_train(int argc, char **argv) {
    const char *model_path = NULL, *data = NULL, *out_path = NULL, *curve = NULL, *layers_spec = "all";
    const char *schedule = "constant", *loss_name = "xent", *classes_spec = NULL;
    uint32_t epochs = 5, batch = 32, limit = 0, test_limit = 0;
    double lr = 0.01, momentum = 0.9;
    uint64_t seed = 1;
    bool json = false, no_qas = false;
    const char *ad_feat = NULL;
    double ad_offset = 6.0, ad_noise = 1.5, ad_tilt = 8.0, ad_tone = 20.0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) json = true;
        else if (!strcmp(a, "--data") || !strcmp(a, "--out") || !strcmp(a, "--curve") || !strcmp(a, "--train") ||
                 !strcmp(a, "--schedule") || !strcmp(a, "--loss") || !strcmp(a, "--ad-adapt") ||
                 !strcmp(a, "--classes")) {
            if (i + 1 >= argc) tdie("%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--data")) data = v;
            else if (!strcmp(a, "--out")) out_path = v;
            else if (!strcmp(a, "--curve")) curve = v;
            else if (!strcmp(a, "--train")) layers_spec = v;
            else if (!strcmp(a, "--schedule")) schedule = v;
            else if (!strcmp(a, "--ad-adapt")) ad_feat = v;
            else if (!strcmp(a, "--classes")) classes_spec = v;
            else loss_name = v;
        } else if (!strcmp(a, "--epochs")) epochs = (uint32_t)num_arg(argc, argv, &i, 0, 10000);
        else if (!strcmp(a, "--batch")) batch = (uint32_t)num_arg(argc, argv, &i, 1, 1000000);
        else if (!strcmp(a, "--limit")) limit = (uint32_t)num_arg(argc, argv, &i, 0, 1e9);
        else if (!strcmp(a, "--test-limit")) test_limit = (uint32_t)num_arg(argc, argv, &i, 0, 1e9);
        else if (!strcmp(a, "--seed")) seed = (uint64_t)num_arg(argc, argv, &i, 0, 1e15);
        else if (!strcmp(a, "--lr")) lr = num_arg(argc, argv, &i, 0, 1e3);
        else if (!strcmp(a, "--offset")) ad_offset = num_arg(argc, argv, &i, -100, 100);
        else if (!strcmp(a, "--noise")) ad_noise = num_arg(argc, argv, &i, 0, 100);
        else if (!strcmp(a, "--tilt")) ad_tilt = num_arg(argc, argv, &i, 0, 100);
        else if (!strcmp(a, "--tone")) ad_tone = num_arg(argc, argv, &i, 0, 100);
        else if (!strcmp(a, "--no-qas")) no_qas = true;
        else if (!strcmp(a, "--momentum")) momentum = num_arg(argc, argv, &i, 0, 0.999999);
        else if (a[0] == '-' && a[1]) tdie("train: unknown option '%s' (see 'picoml help')", a);
        else if (!model_path) model_path = a;
        else tdie("train: unexpected argument '%s'", a);
    }
    if (!model_path) tdie("train needs a MODEL (.tflite file)");
    if (ad_feat) {
        if (epochs == 0) tdie("--ad-adapt needs --epochs >= 1");
        return ad_adapt(model_path, ad_feat, layers_spec, epochs, batch, lr, momentum, seed, ad_offset, ad_noise, ad_tilt,
                        ad_tone, no_qas, json);
    }
    if (!data) tdie("train needs --data DIR (IDX files)");
    if (strcmp(schedule, "constant") && strcmp(schedule, "cosine")) tdie("--schedule: constant or cosine");
    pml_loss loss_kind = PML_LOSS_SOFTMAX_XENT;
    if (!strcmp(loss_name, "mse")) loss_kind = PML_LOSS_MSE;
    else if (strcmp(loss_name, "xent")) tdie("--loss: xent or mse");

    size_t model_len;
    uint8_t *model_buf = pml_cli_read_file(model_path, &model_len);
    if (!model_buf) tdie("cannot open '%s'", model_path);
    pml_model m;
    pml_status s = pml_model_open(&m, model_buf, model_len);
    if (s != PML_OK) tdie("%s: not a valid .tflite model (%s)", model_path, pml_status_str(s));

    idx_set tr, te;
    load_idx(&tr, data, "train");
    load_idx(&te, data, "t10k");
    int16_t cmap[256];
    uint32_t n_classes = 0;
    if (classes_spec) n_classes = parse_classes(classes_spec, cmap);
    else
        for (int c = 0; c < 256; c++) cmap[c] = (int16_t)c;
    subset trs, tes;
    make_subset(&trs, &tr, cmap);
    make_subset(&tes, &te, cmap);
    if (trs.n == 0 || tes.n == 0) tdie("--classes %s: no training or no test sample of those classes", classes_spec);

    pml_train_layer layers[256];
    uint32_t n_layers = parse_layers(layers_spec, &m, layers, 256);
    pml_train_config cfg = {n_layers ? layers : NULL, n_layers, loss_kind, batch, (float)lr, (float)momentum,
                            no_qas ? PML_TRAIN_NO_QAS : 0};
    size_t need = 0;
    pml_error e;
    s = pml_train_arena_size(&m, pml_op_set_all(), &cfg, &need, &e);
    if (s != PML_OK) tdie("%s: cannot plan training: %s", model_path, e.msg[0] ? e.msg : pml_status_str(s));
    void *arena = aligned_alloc(16, need);
    if (!arena) tdie("out of memory (%zu bytes of arena)", need);
    pml_train *t;
    s = pml_train_init(&t, &m, pml_op_set_all(), &cfg, arena, need, &e);
    if (s != PML_OK) tdie("%s: cannot initialise training: %s", model_path, e.msg[0] ? e.msg : pml_status_str(s));
    size_t planned, persistent, n_values = 0;
    pml_train_arena_split(t, &planned, &persistent);
    for (uint32_t k = 0; k < pml_train_param_count(t); k++) {
        pml_train_param p;
        pml_train_get_param(t, k, &p);
        n_values += p.count;
    }

    pml_tensor in, out;
    pml_train_input(t, 0, &in);
    pml_train_output(t, 0, &out);
    bool q = in.dtype == PML_DTYPE_I8;
    if ((in.dtype != PML_DTYPE_F32 && !q) || in.bytes != (size_t)tr.pixels * pml_dtype_size(in.dtype) ||
        (q && !(in.scale > 0.0f)))
        tdie("%s: input 0 must be float32 or (quantized) int8 with %u values (one image)", model_path,
             (unsigned)tr.pixels);
    if (te.pixels != tr.pixels) tdie("train and test images differ in size");
    size_t nc = out.bytes / pml_dtype_size(out.dtype);
    if (classes_spec && n_classes > nc)
        tdie("--classes %s: %u classes, the model has %zu outputs", classes_spec, (unsigned)n_classes, nc);
    FILE *log = json ? stderr : stdout;
    fprintf(log, "training %s (%s): %zu trained values in %u tensors, arena %zu bytes (planned %zu, persistent %zu)%s\n",
            model_path, q ? (no_qas ? "int8, no QAS" : "int8, QAS") : "float32", n_values,
            (unsigned)pml_train_param_count(t), need, planned, persistent, "");
    if (classes_spec)
        fprintf(log, "classes %s mapped to outputs 0..%u: %u training, %u test samples\n", classes_spec,
                (unsigned)(n_classes - 1), (unsigned)trs.n, (unsigned)tes.n);
    double init_loss, init_acc;
    evaluate(t, &te, &tes, test_limit, &init_loss, &init_acc);
    fprintf(log, "before training: test_loss %.4f  test_acc %.2f%%\n", init_loss, 100.0 * init_acc);

    uint32_t n_train = limit && limit < trs.n ? limit : trs.n;
    uint32_t *order = malloc(sizeof(uint32_t) * trs.n);
    float *target = calloc(nc, sizeof(float));
    epoch_stat *ep = calloc(epochs ? epochs : 1, sizeof *ep);
    const uint32_t chunk = n_train / 20 ? n_train / 20 : 1;
    uint32_t max_chunks = epochs * (n_train / chunk + 1) + 1;
    float *chunk_loss = calloc(max_chunks, sizeof(float));
    uint32_t n_chunks = 0;
    if (!order || !target || !ep || !chunk_loss) tdie("out of memory");
    for (uint32_t i = 0; i < trs.n; i++) order[i] = i;
    rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
    bool tty = isatty(2);
    double train_seconds = 0.0;
    uint64_t steps_total = (uint64_t)epochs * ((n_train + batch - 1) / batch), step = 0;
    for (uint32_t epoch = 0; epoch < epochs; epoch++) {
        for (uint32_t i = trs.n - 1; i > 0; i--) { /* Fisher-Yates over the whole set, first n_train used */
            uint32_t j = rng_next() % (i + 1), tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        double t0 = pml_cli_now_s(), sum = 0.0, csum = 0.0;
        uint32_t correct = 0, in_batch = 0, cn = 0;
        for (uint32_t i = 0; i < n_train; i++) {
            uint32_t idx = trs.idx[order[i]], lab = trs.lab[order[i]];
            fill_input(&in, &tr, idx);
            memset(target, 0, nc * sizeof(float));
            if (lab < nc) target[lab] = 1.0f;
            float l;
            pml_train_sample(t, target, &l);
            sum += (double)l;
            csum += (double)l;
            cn++;
            correct += out_argmax(&out, nc) == lab;
            if (++in_batch == batch || i + 1 == n_train) {
                if (!strcmp(schedule, "cosine"))
                    pml_train_set_lr(t, (float)(lr * 0.5 * (1.0 + cos(3.14159265358979 * (double)step / (double)steps_total))));
                pml_train_update(t);
                step++;
                in_batch = 0;
            }
            if (cn == chunk || i + 1 == n_train) {
                if (n_chunks < max_chunks) chunk_loss[n_chunks++] = (float)(csum / cn);
                csum = 0.0;
                cn = 0;
            }
            if (tty && (i % 500 == 0 || i + 1 == n_train)) {
                int bar = (int)(30.0 * (i + 1) / n_train);
                fprintf(stderr, "\repoch %u/%u [%.*s%*s] %u/%u loss %.4f ", (unsigned)(epoch + 1), (unsigned)epochs, bar,
                        "##############################", 30 - bar, "", (unsigned)(i + 1), (unsigned)n_train,
                        sum / (i + 1));
                fflush(stderr);
            }
        }
        double dt = pml_cli_now_s() - t0;
        train_seconds += dt;
        if (tty) fprintf(stderr, "\r%*s\r", 78, "");
        ep[epoch].train_loss = sum / n_train;
        ep[epoch].train_acc = (double)correct / n_train;
        ep[epoch].seconds = dt;
        evaluate(t, &te, &tes, test_limit, &ep[epoch].test_loss, &ep[epoch].test_acc);
        fprintf(log, "epoch %u/%u  loss %.4f  train_acc %.2f%%  test_loss %.4f  test_acc %.2f%%  %.1f s (%.1f us/sample)\n",
                (unsigned)(epoch + 1), (unsigned)epochs, ep[epoch].train_loss, 100.0 * ep[epoch].train_acc,
                ep[epoch].test_loss, 100.0 * ep[epoch].test_acc, dt, 1e6 * dt / n_train);
        fflush(log);
    }

    if (out_path) { /* same graph, the trained tensors overwritten in place (int8: the int8 / int32 copies) */
        uint8_t *copy = malloc(model_len);
        if (!copy) tdie("out of memory");
        memcpy(copy, model_buf, model_len);
        for (uint32_t k = 0; k < pml_train_param_count(t); k++) {
            pml_train_param p;
            pml_tensor mt;
            pml_train_get_param(t, k, &p);
            const void *src = p.quantized ? p.quantized : (const void *)p.value;
            if (pml_model_tensor(&m, (uint32_t)p.tensor_index, &mt) != PML_OK || !mt.data ||
                mt.bytes != p.tensor_count * pml_dtype_size(mt.dtype) || (!p.quantized && mt.dtype != PML_DTYPE_F32))
                tdie("internal: trained tensor %d has no buffer", (int)p.tensor_index);
            size_t off = (size_t)((const uint8_t *)mt.data - model_buf);
            memcpy(copy + off, src, mt.bytes);
        }
        FILE *f = fopen(out_path, "wb");
        if (!f || fwrite(copy, 1, model_len, f) != model_len || fclose(f) != 0) tdie("cannot write '%s'", out_path);
        free(copy);
        fprintf(log, "wrote %s\n", out_path);
    }
    if (curve && epochs) {
        char title[256];
        snprintf(title, sizeof title, "picoml train: %s (batch %u, lr %g, momentum %g)", model_path, (unsigned)batch, lr,
                 momentum);
        write_svg(curve, title, chunk_loss, n_chunks, (double)chunk / n_train, ep, epochs);
        fprintf(log, "wrote %s\n", curve);
    }
    epoch_stat none = {0.0, 0.0, init_loss, init_acc, 0.0};
    const epoch_stat *last = epochs ? &ep[epochs - 1] : &none;
    double us = epochs ? 1e6 * train_seconds / ((double)n_train * epochs) : 0.0;
    uint32_t n_test = test_limit && test_limit < tes.n ? test_limit : tes.n;
    if (json) {
        printf("{\"model\": \"%s\", \"dtype\": \"%s\", \"qas\": %s, \"train\": \"%s\", \"classes\": \"%s\", "
               "\"epochs\": %u, \"batch\": %u, \"lr\": %g, \"momentum\": %g, \"schedule\": \"%s\", "
               "\"train_samples\": %u, \"test_samples\": %u, \"trained_values\": %zu, \"arena_bytes\": %zu, "
               "\"arena_planned\": %zu, \"arena_persistent\": %zu, \"initial_test_loss\": %.6f, "
               "\"initial_test_accuracy\": %.6f, \"train_loss\": %.6f, \"train_accuracy\": %.6f, "
               "\"test_loss\": %.6f, \"test_accuracy\": %.6f, \"train_seconds\": %.3f, \"us_per_sample\": %.2f, "
               "\"history\": [",
               model_path, q ? "int8" : "float32", q && !no_qas ? "true" : "false", layers_spec,
               classes_spec ? classes_spec : "all", (unsigned)epochs, (unsigned)batch, lr, momentum, schedule,
               (unsigned)n_train, (unsigned)n_test, n_values, need, planned, persistent, init_loss, init_acc,
               last->train_loss, last->train_acc, last->test_loss, last->test_acc, train_seconds, us);
        for (uint32_t i = 0; i < epochs; i++)
            printf("%s{\"epoch\": %u, \"train_loss\": %.6f, \"train_accuracy\": %.6f, \"test_loss\": %.6f, "
                   "\"test_accuracy\": %.6f, \"seconds\": %.3f}",
                   i ? ", " : "", (unsigned)(i + 1), ep[i].train_loss, ep[i].train_acc, ep[i].test_loss, ep[i].test_acc,
                   ep[i].seconds);
        printf("]}\n");
    } else {
        printf("test accuracy %.2f%% (before training %.2f%%), arena %zu bytes, %.1f us per training sample\n",
               100.0 * last->test_acc, 100.0 * init_acc, need, us);
    }
    free(chunk_loss);
    free(ep);
    free(target);
    free(order);
    free(arena);
    free(trs.idx);
    free(trs.lab);
    free(tes.idx);
    free(tes.lab);
    free(tr.img_buf);
    free(tr.lab_buf);
    free(te.img_buf);
    free(te.lab_buf);
    free(model_buf);
    return 0;
}
