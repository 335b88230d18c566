/* SPDX-License-Identifier: Apache-2.0 */
/*
 * picoml: command line front end (host only; uses stdio and malloc, the library does not).
 *
 *   picoml info MODEL [--json]
 *   picoml run  MODEL [--input FILE]... [--output FILE]... [--json]
 *   picoml plan MODEL
 *   picoml bench MODEL [--runs N] [--warmup W] [--input FILE]... [--json] [--no-op-times]
 *   picoml pack MODEL -o OUT.tflite [--target armv7em]
 *
 * Every error: exit status != 0 and one line on stderr.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pml/pml.h"
#include "cli_util.h"
#include "cmd_audio.h"
#include "cmd_pack.h"
#include "cmd_train.h"

#define EXIT_USAGE 2

static const char *g_prog = "picoml";

static void die(int code, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "%s: ", g_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(code);
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: picoml <command> MODEL [options]\n"
            "\n"
            "commands:\n"
            "  info MODEL [--json]       inputs, outputs, ops, MACs, weight bytes, exact arena bytes\n"
            "  run MODEL [--input FILE]... [--output FILE]... [--json]\n"
            "                            run one inference; each --input holds the raw bytes of one\n"
            "                            input tensor, in order; without --input every input gets the\n"
            "                            pattern int8 x[i] = ((i*7+3) %% 256) - 128 (float: that / 128);\n"
            "                            --output writes the raw bytes of output k (in order)\n"
            "  plan MODEL                the arena plan: every buffer's offset, size and lifetime\n"
            "  bench MODEL [--runs N] [--warmup W] [--input FILE]... [--json] [--no-op-times]\n"
            "                            exactly W + N inferences after setup (default W=1, N=10):\n"
            "                            median/min time, per-op time and kernel variant, MACs, arena\n"
            "  dut --model MODEL --benchmark kws01|vww01|ic01|ad01 [--pty] [--repeat K]\n"
            "                            MLPerf Tiny device under test on stdin/stdout, or on a pty\n"
            "                            whose path is the first output line (docs/mlperf-dut.md)\n"
            "  train MODEL --data DIR [--epochs E] [--batch B] [--lr LR] [--momentum M] [--train LAYERS]\n"
            "        [--classes 5-9] [--no-qas] [--limit N] [--test-limit N] [--schedule constant|cosine]\n"
            "        [--seed S] [--out OUT.tflite] [--curve CURVE.svg] [--json]\n"
            "                            train a float32 or int8 (QAS) classifier on IDX data; LAYERS: all\n"
            "                            or OP[:w|:b|:wb][@K],... (sparse update; @K: only the first K\n"
            "                            output channels, K < 1: that fraction); --classes keeps those\n"
            "                            labels, mapped to outputs 0,1,..; --out writes the trained model\n"
            "  wakeword MODEL WAV [--threshold T] [--truth JSON] [--json] [--bench]\n"
            "                            streaming wakeword: detection times; --truth scores TP/FN/FP\n"
            "  kws MODEL WAV [--all] [--json] [--bench]   keyword spotting: top label and probability\n"
            "  pack MODEL -o OUT.tflite [--target armv7em]\n"
            "                            copy MODEL with FULLY_CONNECTED weights pre-packed for the\n"
            "                            Cortex-M DSP kernel (int16, +2x the weight bytes in flash);\n"
            "                            still a valid TFLite model (src/format/pml_packed.h)\n"
            "  help                      this text\n");
}

typedef struct loaded {
    const char *path;
    uint8_t *buf;
    size_t len;
    pml_model m;
} loaded;

static void load_model(loaded *l, const char *path) {
    l->path = path;
    l->buf = pml_cli_read_file_or_die(path, &l->len);
    pml_status s = pml_model_open(&l->m, l->buf, l->len);
    if (s != PML_OK) die(1, "%s: not a valid .tflite model (%s)", path, pml_status_str(s));
}

static void shape_str(const pml_tensor *t, char *dst, size_t cap) {
    size_t k = 0;
    k += (size_t)snprintf(dst + k, cap - k, "[");
    for (int32_t i = 0; i < t->rank && k < cap; i++) k += (size_t)snprintf(dst + k, cap - k, i ? ",%d" : "%d", (int)t->dims[i]);
    if (k < cap) snprintf(dst + k, cap - k, "]");
}

static void print_json_str(const char *s, size_t n) {
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

static void print_tensor_line(const pml_tensor *t, int idx, bool json) {
    char shp[96];
    shape_str(t, shp, sizeof shp);
    if (json) {
        printf("{\"index\": %d, \"name\": ", (int)t->index);
        print_json_str(t->name ? t->name : "", t->name_len);
        printf(", \"type\": \"%s\", \"shape\": %s, \"bytes\": %zu, \"scale\": %.9g, \"zero_point\": %d}",
               pml_dtype_str(t->dtype), shp, t->bytes, (double)t->scale, (int)t->zero_point);
    } else {
        printf("  #%d %-28.*s %-8s %-16s", idx, (int)(t->name_len > 28 ? 28 : t->name_len), t->name ? t->name : "",
               pml_dtype_str(t->dtype), shp);
        if (t->scale != 0.0f) printf(" scale %.9g zero_point %d", (double)t->scale, (int)t->zero_point);
        printf("\n");
    }
}

static void report_error(const char *what, pml_status s, const pml_error *e, const loaded *l) {
    if (e->op_index >= 0) {
        pml_op_info oi;
        const char *name = pml_model_op(&l->m, (uint32_t)e->op_index, &oi) == PML_OK ? oi.name : "?";
        die(1, "%s: %s: op %d (%s): %s", l->path, what, (int)e->op_index, name, e->msg[0] ? e->msg : pml_status_str(s));
    }
    die(1, "%s: %s: %s", l->path, what, e->msg[0] ? e->msg : pml_status_str(s));
}

static size_t arena_bytes(const loaded *l) {
    size_t need = 0;
    pml_error e;
    pml_status s = pml_interp_arena_size(&l->m, pml_op_set_all(), &need, &e);
    if (s != PML_OK) report_error("cannot plan", s, &e, l);
    return need;
}

static pml_interp *make_interp(const loaded *l, void **arena_out) {
    size_t need = arena_bytes(l);
    void *arena = aligned_alloc(16, need ? need : 16);
    pml_interp *it;
    pml_error e;
    if (!arena) die(1, "out of memory (%zu bytes of arena)", need);
    pml_status s = pml_interp_init(&it, &l->m, pml_op_set_all(), arena, need, &e);
    if (s != PML_OK) report_error("cannot initialise", s, &e, l);
    *arena_out = arena;
    return it;
}

/* ---- info ------------------------------------------------------------------------------------ */

static int cmd_info(const char *path, bool json) {
    loaded l;
    load_model(&l, path);
    const pml_model *m = &l.m;
    uint32_t nops = pml_model_num_ops(m);
    uint64_t macs = 0;
    size_t weights = 0;
    /* op histogram by code */
    int32_t codes[256];
    uint32_t counts[256], ncodes = 0;
    for (uint32_t k = 0; k < nops; k++) {
        pml_op_info oi;
        if (pml_model_op(m, k, &oi) != PML_OK) die(1, "%s: op %u is malformed", path, (unsigned)k);
        macs += oi.macs;
        uint32_t j = 0;
        while (j < ncodes && codes[j] != oi.code) j++;
        if (j == ncodes && ncodes < 256) {
            codes[ncodes] = oi.code;
            counts[ncodes++] = 0;
        }
        if (j < ncodes) counts[j]++;
    }
    for (uint32_t t = 0; t < pml_model_num_tensors(m); t++) {
        pml_tensor tv;
        if (pml_model_tensor(m, t, &tv) == PML_OK && tv.data) weights += tv.bytes;
    }
    size_t need = 0;
    pml_error e;
    pml_status s = pml_interp_arena_size(m, pml_op_set_all(), &need, &e);
    if (json) {
        printf("{\"model\": ");
        print_json_str(path, strlen(path));
        printf(", \"model_bytes\": %zu, \"schema_version\": 3, \"inputs\": [", l.len);
        for (uint32_t i = 0; i < pml_model_num_inputs(m); i++) {
            pml_tensor t;
            pml_model_input(m, i, &t);
            if (i) printf(", ");
            print_tensor_line(&t, (int)i, true);
        }
        printf("], \"outputs\": [");
        for (uint32_t i = 0; i < pml_model_num_outputs(m); i++) {
            pml_tensor t;
            pml_model_output(m, i, &t);
            if (i) printf(", ");
            print_tensor_line(&t, (int)i, true);
        }
        printf("], \"ops\": {");
        for (uint32_t j = 0; j < ncodes; j++) printf("%s\"%s\": %u", j ? ", " : "", pml_op_name(codes[j]), (unsigned)counts[j]);
        printf("}, \"op_count\": %u, \"macs\": %llu, \"weight_bytes\": %zu, ", (unsigned)nops, (unsigned long long)macs,
               weights);
        if (s == PML_OK)
            printf("\"arena_bytes\": %zu, \"supported\": true}\n", need);
        else {
            printf("\"arena_bytes\": null, \"supported\": false, \"error\": ");
            print_json_str(e.msg, strlen(e.msg));
            printf("}\n");
        }
        free(l.buf);
        return s == PML_OK ? 0 : 1;
    }
    printf("model:   %s (%zu bytes, schema v3)\n", path, l.len);
    printf("inputs:\n");
    for (uint32_t i = 0; i < pml_model_num_inputs(m); i++) {
        pml_tensor t;
        pml_model_input(m, i, &t);
        print_tensor_line(&t, (int)i, false);
    }
    printf("outputs:\n");
    for (uint32_t i = 0; i < pml_model_num_outputs(m); i++) {
        pml_tensor t;
        pml_model_output(m, i, &t);
        print_tensor_line(&t, (int)i, false);
    }
    printf("ops:     %u (", (unsigned)nops);
    for (uint32_t j = 0; j < ncodes; j++) printf("%s%s x%u", j ? ", " : "", pml_op_name(codes[j]), (unsigned)counts[j]);
    printf(")\n");
    printf("MACs:    %llu\n", (unsigned long long)macs);
    printf("weights: %zu bytes\n", weights);
    if (s != PML_OK) {
        printf("arena:   -\n");
        report_error("cannot run", s, &e, &l);
    }
    printf("arena:   %zu bytes\n", need);
    free(l.buf);
    return 0;
}

/* ---- run ------------------------------------------------------------------------------------- */

static void fill_pattern(pml_tensor *t) {
    size_t n = t->bytes / (pml_dtype_size(t->dtype) ? pml_dtype_size(t->dtype) : 1);
    for (size_t i = 0; i < n; i++) {
        int v = (int)((i * 7 + 3) % 256) - 128;
        switch (t->dtype) {
        case PML_DTYPE_F32: ((float *)t->data)[i] = (float)v / 128.0f; break;
        case PML_DTYPE_I8: ((int8_t *)t->data)[i] = (int8_t)v; break;
        case PML_DTYPE_U8: ((uint8_t *)t->data)[i] = (uint8_t)(v + 128); break;
        case PML_DTYPE_I16: ((int16_t *)t->data)[i] = (int16_t)v; break;
        case PML_DTYPE_I32: ((int32_t *)t->data)[i] = v; break;
        default: memset(t->data, 0, t->bytes); return;
        }
    }
}

static double value_at(const pml_tensor *t, size_t i, double *deq) {
    double q;
    switch (t->dtype) {
    case PML_DTYPE_I8: q = ((const int8_t *)t->data)[i]; break;
    case PML_DTYPE_U8: q = ((const uint8_t *)t->data)[i]; break;
    case PML_DTYPE_I16: q = ((const int16_t *)t->data)[i]; break;
    case PML_DTYPE_I32: q = ((const int32_t *)t->data)[i]; break;
    case PML_DTYPE_F32: q = (double)((const float *)t->data)[i]; break;
    default: q = 0; break;
    }
    *deq = (t->dtype != PML_DTYPE_F32 && t->scale != 0.0f) ? (double)t->scale * (q - t->zero_point) : q;
    return q;
}

static int cmd_run(const char *path, const char **inputs, int n_in, const char **outputs, int n_out, bool json) {
    loaded l;
    void *arena;
    load_model(&l, path);
    pml_interp *it = make_interp(&l, &arena);
    uint32_t nin = pml_model_num_inputs(&l.m), nout = pml_model_num_outputs(&l.m);
    if (n_in && (uint32_t)n_in != nin) die(1, "%s has %u input(s), %d --input file(s) given", path, (unsigned)nin, n_in);
    if ((uint32_t)n_out > nout) die(1, "%s has %u output(s), %d --output file(s) given", path, (unsigned)nout, n_out);
    for (uint32_t i = 0; i < nin; i++) {
        pml_tensor t;
        pml_interp_input(it, i, &t);
        if (n_in) {
            size_t len;
            uint8_t *b = pml_cli_read_file_or_die(inputs[i], &len);
            if (len != t.bytes) {
                free(b);
                die(1, "input %u: '%s' has %zu bytes, the model's %s input %s needs %zu", (unsigned)i, inputs[i], len,
                    pml_dtype_str(t.dtype), "tensor", t.bytes);
            }
            memcpy(t.data, b, len);
            free(b);
        } else {
            fill_pattern(&t);
        }
    }
    pml_status s = pml_interp_invoke(it);
    if (s != PML_OK) {
        pml_error e;
        pml_interp_last_error(it, &e);
        die(1, "%s: inference failed: %s", path, e.msg[0] ? e.msg : pml_status_str(s));
    }
    if (json) printf("{\"model\": \"%s\", \"arena_bytes\": %zu, \"outputs\": [", path, pml_interp_arena_used(it));
    for (uint32_t o = 0; o < nout; o++) {
        pml_tensor t;
        pml_interp_output(it, o, &t);
        size_t esz = pml_dtype_size(t.dtype), n = esz ? t.bytes / esz : 0, top = 0;
        double best = -1e300, deq;
        for (size_t i = 0; i < n; i++) {
            value_at(&t, i, &deq);
            if (deq > best) {
                best = deq;
                top = i;
            }
        }
        if ((int)o < n_out) {
            FILE *f = fopen(outputs[o], "wb");
            if (!f || fwrite(t.data, 1, t.bytes, f) != t.bytes) die(1, "cannot write '%s'", outputs[o]);
            fclose(f);
        }
        if (json) {
            printf("%s{\"index\": %u, \"type\": \"%s\", \"top\": %zu, \"values\": [", o ? ", " : "", (unsigned)o,
                   pml_dtype_str(t.dtype), top);
            for (size_t i = 0; i < n; i++) printf("%s%.9g", i ? ", " : "", value_at(&t, i, &deq));
            printf("], \"dequantized\": [");
            for (size_t i = 0; i < n; i++) {
                value_at(&t, i, &deq);
                printf("%s%.9g", i ? ", " : "", deq);
            }
            printf("]}");
            continue;
        }
        char shp[96];
        shape_str(&t, shp, sizeof shp);
        printf("output %u: %s %s (top: index %zu, value %.6g)\n", (unsigned)o, pml_dtype_str(t.dtype), shp, top, best);
        for (size_t i = 0; i < n; i++) {
            double q = value_at(&t, i, &deq);
            if (t.dtype == PML_DTYPE_F32)
                printf("  [%zu] %.9g\n", i, q);
            else
                printf("  [%zu] %6.0f  -> %.6g\n", i, q, deq);
            if (i == 63 && n > 80) {
                printf("  ... (%zu more; use --output or --json for all)\n", n - 64);
                break;
            }
        }
    }
    if (json) printf("]}\n");
    free(arena);
    free(l.buf);
    return 0;
}

/* ---- plan ------------------------------------------------------------------------------------ */

static int cmd_plan(const char *path) {
    loaded l;
    void *arena;
    load_model(&l, path);
    pml_interp *it = make_interp(&l, &arena);
    size_t planned, persistent;
    pml_interp_arena_split(it, &planned, &persistent);
    uint32_t n = pml_interp_plan_count(it), nops = pml_model_num_ops(&l.m);
    printf("model: %s\narena: %zu bytes = %zu planned (activations + scratch) + %zu persistent (interpreter, op data)\n\n",
           path, pml_interp_arena_used(it), planned, persistent);
    printf("%-8s %-10s %-10s %-9s  %s\n", "buffer", "offset", "bytes", "ops", "what");
    for (uint32_t k = 0; k < n; k++) {
        pml_plan_entry pe;
        pml_interp_plan_entry(it, k, &pe);
        if (pe.tensor_index >= 0) {
            pml_tensor t;
            pml_model_tensor(&l.m, (uint32_t)pe.tensor_index, &t);
            printf("%-8u %-10zu %-10zu %3u..%-4u  tensor %d %.*s\n", (unsigned)k, pe.offset, pe.bytes,
                   (unsigned)pe.first_op, (unsigned)pe.last_op, (int)pe.tensor_index, (int)(t.name_len > 40 ? 40 : t.name_len),
                   t.name);
        } else {
            printf("%-8u %-10zu %-10s %3u..%-4u  scratch of op %d (%s)\n", (unsigned)k, pe.offset, "-",
                   (unsigned)pe.first_op, (unsigned)pe.last_op, (int)pe.op_index,
                   pml_interp_kernel_name(it, (uint32_t)pe.op_index));
        }
    }
    /* memory map: one row per op, 64 columns across the planned region */
    printf("\nmemory map (one row per op, %zu bytes per column; letters = buffers alive):\n", planned / 64 + 1);
    for (uint32_t op = 0; op < nops; op++) {
        char row[65];
        memset(row, '.', 64);
        row[64] = '\0';
        for (uint32_t k = 0; k < n; k++) {
            pml_plan_entry pe;
            pml_interp_plan_entry(it, k, &pe);
            if (op < pe.first_op || op > pe.last_op) continue;
            size_t bytes = pe.bytes ? pe.bytes : 16, col = planned / 64 + 1;
            for (size_t c = pe.offset / col; c <= (pe.offset + bytes - 1) / col && c < 64; c++) row[c] = (char)('A' + k % 26);
        }
        printf("%4u %-20s |%s|\n", (unsigned)op, pml_interp_kernel_name(it, op), row);
    }
    free(arena);
    free(l.buf);
    return 0;
}


/* ---- bench ----------------------------------------------------------------------------------- */

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

typedef struct op_timer {
    double t0;
    double *sum; /* per op, summed over timed runs */
    bool on;
} op_timer;

static void t_before(void *u, const pml_interp *it, uint32_t op) {
    (void)it;
    (void)op;
    ((op_timer *)u)->t0 = now_us();
}
static void t_after(void *u, const pml_interp *it, uint32_t op) {
    op_timer *t = (op_timer *)u;
    (void)it;
    if (t->on) t->sum[op] += now_us() - t->t0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void load_inputs(pml_interp *it, uint32_t nin, const char **inputs, int n_in, const char *path) {
    if (n_in && (uint32_t)n_in != nin) die(1, "%s has %u input(s), %d --input file(s) given", path, (unsigned)nin, n_in);
    for (uint32_t i = 0; i < nin; i++) {
        pml_tensor t;
        pml_interp_input(it, i, &t);
        if (!n_in) {
            fill_pattern(&t);
            continue;
        }
        size_t len;
        uint8_t *b = pml_cli_read_file_or_die(inputs[i], &len);
        if (len != t.bytes) {
            free(b);
            die(1, "input %u: '%s' has %zu bytes, the model's %s input tensor needs %zu", (unsigned)i, inputs[i], len,
                pml_dtype_str(t.dtype), t.bytes);
        }
        memcpy(t.data, b, len);
        free(b);
    }
}

static int cmd_bench(const char *path, const char **inputs, int n_in, long runs, long warmup, bool json, bool op_times) {
    loaded l;
    void *arena;
    load_model(&l, path);
    pml_interp *it = make_interp(&l, &arena);
    uint32_t nops = pml_model_num_ops(&l.m);
    load_inputs(it, pml_model_num_inputs(&l.m), inputs, n_in, path);
    double *times = calloc((size_t)runs, sizeof *times);
    op_timer ot = {0, calloc(nops ? nops : 1, sizeof(double)), false};
    pml_invoke_hooks hooks = {t_before, t_after, &ot};
    if (!times || !ot.sum) die(1, "out of memory");
    for (long r = 0; r < warmup + runs; r++) {
        ot.on = r >= warmup;
        double t0 = now_us();
        pml_status s = op_times ? pml_interp_invoke_hooked(it, &hooks) : pml_interp_invoke(it);
        double dt = now_us() - t0;
        if (s != PML_OK) {
            pml_error e;
            pml_interp_last_error(it, &e);
            die(1, "%s: inference failed: %s", path, e.msg[0] ? e.msg : pml_status_str(s));
        }
        if (r >= warmup) times[r - warmup] = dt;
    }
    qsort(times, (size_t)runs, sizeof *times, cmp_double);
    double median = runs % 2 ? times[runs / 2] : 0.5 * (times[runs / 2 - 1] + times[runs / 2]), min = times[0];
    uint64_t macs = 0;
    for (uint32_t k = 0; k < nops; k++) {
        pml_op_info oi;
        if (pml_model_op(&l.m, k, &oi) == PML_OK) macs += oi.macs;
    }
#ifdef PML_BUILD_INFO
    const char *build = PML_BUILD_INFO;
#else
    const char *build = "unknown";
#endif
    if (json) {
        printf("{\"model\": ");
        print_json_str(path, strlen(path));
        printf(", \"runs\": %ld, \"warmup\": %ld, \"arena_bytes\": %zu, \"macs\": %llu, \"median_us\": %.3f, \"min_us\": %.3f, "
               "\"build\": ",
               runs, warmup, pml_interp_arena_used(it), (unsigned long long)macs, median, min);
        print_json_str(build, strlen(build));
        printf(", \"ops\": [");
        for (uint32_t k = 0; k < nops; k++) {
            pml_op_info oi;
            pml_model_op(&l.m, k, &oi);
            printf("%s{\"index\": %u, \"op\": \"%s\", \"kernel\": \"%s\", \"macs\": %llu", k ? ", " : "", (unsigned)k, oi.name,
                   pml_interp_kernel_name(it, k), (unsigned long long)oi.macs);
            if (op_times) printf(", \"mean_us\": %.3f", ot.sum[k] / (double)runs);
            printf("}");
        }
        printf("]}\n");
    } else {
        printf("model:   %s\nbuild:   %s\narena:   %zu bytes\nMACs:    %llu\nruns:    %ld timed after %ld warm-up\n", path, build,
               pml_interp_arena_used(it), (unsigned long long)macs, runs, warmup);
        printf("time:    median %.1f us, min %.1f us (%.2f GMAC/s)\n\n", median, min, min > 0 ? (double)macs / min / 1e3 : 0.0);
        printf("%4s  %-20s %-26s %12s %10s %6s\n", "op", "type", "kernel", "MACs", "mean us", "%");
        double total = 0;
        for (uint32_t k = 0; k < nops; k++) total += ot.sum[k];
        for (uint32_t k = 0; k < nops; k++) {
            pml_op_info oi;
            pml_model_op(&l.m, k, &oi);
            if (op_times)
                printf("%4u  %-20s %-26s %12llu %10.1f %5.1f%%\n", (unsigned)k, oi.name, pml_interp_kernel_name(it, k),
                       (unsigned long long)oi.macs, ot.sum[k] / (double)runs, total > 0 ? 100.0 * ot.sum[k] / total : 0.0);
            else
                printf("%4u  %-20s %-26s %12llu\n", (unsigned)k, oi.name, pml_interp_kernel_name(it, k), (unsigned long long)oi.macs);
        }
    }
    free(times);
    free(ot.sum);
    free(arena);
    free(l.buf);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("picoml %s\n", pml_version());
        return 0;
    }
    if (!strcmp(cmd, "dut")) { int picoml_dut(int argc, char **argv); return picoml_dut(argc - 2, argv + 2); }
    if (!strcmp(cmd, "train")) return picoml_cmd_train(argc - 2, argv + 2);
    if (!strcmp(cmd, "wakeword")) return pml_cli_wakeword(argc - 2, argv + 2);
    if (!strcmp(cmd, "kws")) return pml_cli_kws(argc - 2, argv + 2);
    if (!strcmp(cmd, "pack")) {
        return picoml_cmd_pack(argc - 2, argv + 2);
    }
    const char *model = NULL;
    bool json = false, op_times = true;
    long runs = 10, warmup = 1;
    const char **ins = calloc((size_t)argc, sizeof *ins), **outs = calloc((size_t)argc, sizeof *outs);
    int n_in = 0, n_out = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) json = true;
        else if (!strcmp(a, "--no-op-times")) op_times = false;
        else if (!strcmp(a, "--runs") || !strcmp(a, "--warmup")) {
            char *end;
            if (i + 1 >= argc) die(EXIT_USAGE, "%s needs a number", a);
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 0 || v > 100000000 || (a[2] == 'r' && v < 1)) die(EXIT_USAGE, "%s: bad number '%s'", a, argv[i]);
            if (a[2] == 'r') runs = v;
            else warmup = v;
        }
        else if (!strcmp(a, "--input") || !strcmp(a, "--output")) {
            if (i + 1 >= argc) die(EXIT_USAGE, "%s needs a file name", a);
            if (a[2] == 'i') ins[n_in++] = argv[++i];
            else outs[n_out++] = argv[++i];
        } else if (a[0] == '-' && a[1]) die(EXIT_USAGE, "unknown option '%s' (see 'picoml help')", a);
        else if (!model) model = a;
        else die(EXIT_USAGE, "unexpected argument '%s'", a);
    }
    if (!strcmp(cmd, "info") || !strcmp(cmd, "run") || !strcmp(cmd, "plan") || !strcmp(cmd, "bench")) {
        if (!model) die(EXIT_USAGE, "%s needs a MODEL (.tflite file)", cmd);
    } else {
        die(EXIT_USAGE, "unknown command '%s' (commands: info, run, plan, bench, help)", cmd);
    }
    int rc;
    if (!strcmp(cmd, "info")) rc = cmd_info(model, json);
    else if (!strcmp(cmd, "run")) rc = cmd_run(model, ins, n_in, outs, n_out, json);
    else if (!strcmp(cmd, "bench")) rc = cmd_bench(model, ins, n_in, runs, warmup, json, op_times);
    else rc = cmd_plan(model);
    free(ins);
    free(outs);
    return rc;
}
