/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MLPerf Tiny DUT protocol (see include/pml/pml_dut.h), written from the reference firmware's
 * behaviour (mlcommons/tiny benchmark/api/internally_implemented.cpp and the reference
 * submissions' submitter_implemented.cpp):
 *
 *   bytes --feed--> cmd[] until '%' --> split into words --> one handler --> reply lines
 *                                                                       --> exactly one m-ready
 *
 * Differences from the reference, all on inputs the official runner never sends: a command longer
 * than PML_DUT_CMD_MAX is rejected whole (the reference overwrote its last character); a `db` chunk
 * is checked whole before any byte is stored (the reference stored the bytes before a bad digit);
 * bytes beyond the declared size are refused with an error line (the reference wrote past its
 * buffer once it was full); `infer` with an incomplete buffer is refused (the reference ran on
 * stale data); unknown commands are echoed with anything but [A-Za-z0-9_.,:/+=() ] shown as '?', so
 * that an echo can never split a line or spell "m-ready".
 */
#include "pml/pml_dut.h"

#include <math.h>
#include <string.h>

#define DUT_MAX_WORDS 8
#define DUT_ECHO_MAX 32

/* ---- output ---------------------------------------------------------------------------------- */

static void out_flush(pml_dut *d) {
    if (d->out_len) d->cfg.port.write(d->cfg.port.user, d->out_buf, d->out_len);
    d->out_len = 0;
}

static void out_bytes(pml_dut *d, const char *s, size_t n) {
    while (n) {
        size_t room = sizeof d->out_buf - d->out_len;
        size_t k = n < room ? n : room;
        memcpy(d->out_buf + d->out_len, s, k);
        d->out_len += k;
        s += k;
        n -= k;
        if (d->out_len == sizeof d->out_buf) out_flush(d);
    }
}

static void out_str(pml_dut *d, const char *s) { out_bytes(d, s, strlen(s)); }

static void out_u64(pml_dut *d, uint64_t v) {
    char b[20];
    size_t k = sizeof b;
    do {
        b[--k] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v && k);
    out_bytes(d, b + k, sizeof b - k);
}

/* End the line and hand it to the port. */
static void out_end(pml_dut *d) {
    out_bytes(d, "\r\n", 2);
    out_flush(d);
}

static void out_line(pml_dut *d, const char *s) {
    out_str(d, s);
    out_end(d);
}

static void out_timestamp(pml_dut *d) {
    out_str(d, "m-lap-us-");
    out_u64(d, d->cfg.port.timestamp_us(d->cfg.port.user));
    out_end(d);
}

/* An echo of untrusted text: at most DUT_ECHO_MAX characters, nothing but a safe set. */
static void out_echo(pml_dut *d, const char *s, size_t n) {
    char b[DUT_ECHO_MAX + 3];
    size_t k = 0;
    for (size_t i = 0; i < n && i < DUT_ECHO_MAX; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                  c == ',' || c == ':' || c == '/' || c == '+' || c == '=' || c == ' ' || c == '(' || c == ')';
        b[k++] = ok ? c : '?';
    }
    if (n > DUT_ECHO_MAX) {
        b[k++] = '.';
        b[k++] = '.';
    }
    out_bytes(d, b, k);
}

/* ---- numbers ---------------------------------------------------------------------------------- */

size_t pml_dut_format_fixed3(float v, char *dst, size_t cap) {
    char b[32];
    size_t k = 0;
    uint32_t bits;
    if (dst == NULL || cap < 27) return 0;
    memcpy(&bits, &v, sizeof bits);
    bool neg = (bits >> 31) != 0u;
    uint32_t e = (bits >> 23) & 0xffu, m = bits & 0x7fffffu;
    if (e == 0xffu) {
        const char *s = m ? "nan" : (neg ? "-inf" : "inf");
        size_t n = strlen(s);
        memcpy(dst, s, n + 1);
        return n;
    }
    /* v = mant * 2^-sh exactly */
    uint64_t mant = e ? (m | 0x800000u) : m;
    int sh = e ? 150 - (int)e : 149;
    uint64_t ip, q = 0;
    if (sh <= 0) {
        if (sh < -39) { /* >= 2^63 */
            memcpy(dst, neg ? "-inf" : "inf", neg ? 5 : 4);
            return neg ? 4u : 3u;
        }
        ip = mant << (unsigned)(-sh);
    } else if (sh >= 64) {
        ip = 0; /* below 2^-40: 0.000 */
    } else {
        ip = mant >> (unsigned)sh;
        uint64_t rem = mant & ((UINT64_C(1) << (unsigned)sh) - 1u); /* < 2^24 */
        uint64_t s = rem * 1000u;                                   /* < 2^34 */
        q = s >> (unsigned)sh;
        uint64_t r = s & ((UINT64_C(1) << (unsigned)sh) - 1u), half = UINT64_C(1) << (unsigned)(sh - 1);
        if (r > half || (r == half && (q & 1u))) q++;
        if (q == 1000u) {
            q = 0;
            ip++;
        }
    }
    if (neg) dst[k++] = '-';
    size_t n = 0;
    do {
        b[n++] = (char)('0' + (int)(ip % 10u));
        ip /= 10u;
    } while (ip);
    while (n) dst[k++] = b[--n];
    dst[k++] = '.';
    dst[k++] = (char)('0' + (int)(q / 100u));
    dst[k++] = (char)('0' + (int)(q / 10u % 10u));
    dst[k++] = (char)('0' + (int)(q % 10u));
    dst[k] = '\0';
    return k;
}

/* Decimal digits only, no sign, at most 10 digits. */
static bool parse_u32(const char *s, size_t n, uint32_t *out) {
    uint64_t v = 0;
    if (n == 0 || n > 10) return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10u + (uint64_t)(s[i] - '0');
    }
    if (v > UINT32_MAX) return false;
    *out = (uint32_t)v;
    return true;
}

static int hex_val(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static float f32_le(const uint8_t *p) {
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* As the reference's QuantizeFloatToInt8: round(x / scale) + zero_point, clamped; NaN gives the zero point. */
static int8_t quantize_s8(float x, float scale, int32_t zp) {
    float r = roundf(x / scale);
    int32_t q;
    if (!(r == r)) q = 0;
    else if (r > 512.0f) q = 512;
    else if (r < -512.0f) q = -512;
    else q = (int32_t)r;
    q += zp;
    return (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
}

static float dequantize(const pml_tensor *t, size_t i) {
    if (t->dtype == PML_DTYPE_F32) return ((const float *)t->data)[i];
    return (float)((int32_t)((const int8_t *)t->data)[i] - t->zero_point) * t->scale;
}

/* ---- the benchmarks ----------------------------------------------------------------------------- */

/* kws01: the MFCC features arrive as the model's int8 bytes. */
static pml_status convert_copy_s8(const uint8_t *db, size_t n, const pml_tensor *in) {
    if (in->dtype != PML_DTYPE_I8 || in->bytes != n) return PML_ERR_ARG;
    memcpy(in->data, db, n);
    return PML_OK;
}

/* ic01, vww01: uint8 pixels p become int8 p - 128 (the reference's th_load_tensor). */
static pml_status convert_u8_minus_128(const uint8_t *db, size_t n, const pml_tensor *in) {
    int8_t *x = (int8_t *)in->data; /* (H, W, C) */
    if (in->dtype != PML_DTYPE_I8 || in->bytes != n) return PML_ERR_ARG;
    for (size_t i = 0; i < n; i++) x[i] = (int8_t)((int32_t)db[i] - 128);
    return PML_OK;
}

/* ad01: 640 float32 LE, quantized with the input's scale and zero point (or copied to a float input). */
static pml_status convert_ad(const uint8_t *db, size_t n, const pml_tensor *in) {
    size_t count = n / 4u;
    if (n % 4u) return PML_ERR_ARG;
    if (in->dtype == PML_DTYPE_F32 && in->bytes == n) {
        float *x = (float *)in->data; /* (640) */
        for (size_t i = 0; i < count; i++) x[i] = f32_le(db + 4 * i);
        return PML_OK;
    }
    if (in->dtype != PML_DTYPE_I8 || in->bytes != count || in->scale == 0.0f) return PML_ERR_ARG;
    int8_t *q = (int8_t *)in->data; /* (640) */
    for (size_t i = 0; i < count; i++) q[i] = quantize_s8(f32_le(db + 4 * i), in->scale, in->zero_point);
    return PML_OK;
}

static bool output_ok(const pml_tensor *out) {
    return (out->dtype == PML_DTYPE_I8 && out->scale != 0.0f) || out->dtype == PML_DTYPE_F32;
}

/* Classifiers: every output element, dequantized. */
static pml_status result_scores(const uint8_t *db, size_t n, const pml_tensor *out, float *v, uint32_t cap,
                                uint32_t *count) {
    (void)db;
    (void)n;
    if (!output_ok(out)) return PML_ERR_ARG;
    size_t k = out->bytes / pml_dtype_size(out->dtype);
    if (k == 0 || k > cap) return PML_ERR_ARG;
    for (size_t i = 0; i < k; i++) v[i] = dequantize(out, i);
    *count = (uint32_t)k;
    return PML_OK;
}

/* ad01: mean over the 640 values of (dequantized output - float input)^2, summed in float as the
 * reference's calculate_result does. */
static pml_status result_ad(const uint8_t *db, size_t n, const pml_tensor *out, float *v, uint32_t cap,
                            uint32_t *count) {
    if (!output_ok(out) || cap < 1 || n % 4u) return PML_ERR_ARG;
    size_t k = n / 4u;
    if (k == 0 || out->bytes / pml_dtype_size(out->dtype) != k) return PML_ERR_ARG;
    float sum = 0.0f;
    for (size_t i = 0; i < k; i++) {
        float diff = dequantize(out, i) - f32_le(db + 4 * i);
        sum += diff * diff;
    }
    v[0] = sum / (float)k;
    *count = 1;
    return PML_OK;
}

const pml_dut_benchmark pml_dut_kws01 = {"kws01", 490, convert_copy_s8, result_scores};
const pml_dut_benchmark pml_dut_vww01 = {"vww01", 96 * 96 * 3, convert_u8_minus_128, result_scores};
const pml_dut_benchmark pml_dut_ic01 = {"ic01", 32 * 32 * 3, convert_u8_minus_128, result_scores};
const pml_dut_benchmark pml_dut_ad01 = {"ad01", 5 * 128 * 4, convert_ad, result_ad};

const pml_dut_benchmark *pml_dut_benchmark_find(const char *name) {
    static const pml_dut_benchmark *const all[] = {&pml_dut_kws01, &pml_dut_vww01, &pml_dut_ic01, &pml_dut_ad01};
    if (name == NULL) return NULL;
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strlen(all[i]->name) == n && memcmp(all[i]->name, name, n) == 0) return all[i];
    return NULL;
}

/* ---- init ------------------------------------------------------------------------------------------ */

static pml_status init_fail(pml_error *err, const char *msg) {
    if (err) {
        size_t n = strlen(msg);
        if (n >= sizeof err->msg) n = sizeof err->msg - 1;
        err->status = PML_ERR_ARG;
        err->op_index = err->tensor_index = -1;
        err->arena_needed = 0;
        memcpy(err->msg, msg, n);
        err->msg[n] = '\0';
    }
    return PML_ERR_ARG;
}

/* Does the input tensor keep its bytes through an invoke? Only if no other planned buffer
 * overlaps it (anything that does is written after the input's last use). */
static bool input_survives(const pml_interp *it, const pml_tensor *in) {
    uint32_t n = pml_interp_plan_count(it);
    pml_plan_entry e, mine;
    bool found = false;
    for (uint32_t k = 0; k < n; k++) {
        if (pml_interp_plan_entry(it, k, &e) == PML_OK && e.tensor_index == in->index) {
            mine = e;
            found = true;
        }
    }
    if (!found) return false;
    for (uint32_t k = 0; k < n; k++) {
        if (pml_interp_plan_entry(it, k, &e) != PML_OK) return false;
        if (e.tensor_index == in->index) continue;
        size_t eb = e.bytes ? e.bytes : 1;
        if (e.offset < mine.offset + mine.bytes && mine.offset < e.offset + eb) return false;
    }
    return true;
}

pml_status pml_dut_init(pml_dut *d, const pml_dut_config *cfg, pml_error *err) {
    if (d == NULL || cfg == NULL) return init_fail(err, "dut: NULL argument");
    const pml_dut_benchmark *b = cfg->bench;
    if (b == NULL || b->convert == NULL || b->result == NULL || cfg->interp == NULL || cfg->port.write == NULL ||
        cfg->port.timestamp_us == NULL || cfg->db == NULL)
        return init_fail(err, "dut: benchmark, interpreter, port write/timestamp_us and db are required");
    if (cfg->db_cap < b->input_bytes) return init_fail(err, "dut: db buffer smaller than the benchmark's input");
    memset(d, 0, sizeof *d);
    d->cfg = *cfg;
    if (d->cfg.repeat == 0) d->cfg.repeat = 1;
    if (pml_interp_input(cfg->interp, 0, &d->in) != PML_OK || pml_interp_output(cfg->interp, 0, &d->out) != PML_OK)
        return init_fail(err, "dut: the model needs an input 0 and an output 0");
    /* Dry runs on a zeroed buffer: the conversions and result check the tensors' types and sizes. */
    memset(d->cfg.db, 0, b->input_bytes);
    if (b->convert(d->cfg.db, b->input_bytes, &d->in) != PML_OK)
        return init_fail(err, "dut: the model's input 0 does not take this benchmark's input");
    uint32_t count = 0;
    if (b->result(d->cfg.db, b->input_bytes, &d->out, d->scores, PML_DUT_MAX_SCORES, &count) != PML_OK)
        return init_fail(err, "dut: the model's output 0 does not give this benchmark's result");
    memset(d->scores, 0, sizeof d->scores);
    d->input_kept = input_survives(cfg->interp, &d->in);
    return PML_OK;
}

void pml_dut_boot(pml_dut *d) {
    if (d == NULL) return;
    out_line(d, "m-timestamp-mode-performance");
    out_timestamp(d);
    out_line(d, "m-init-done");
    out_line(d, "m-ready");
}

/* ---- commands ---------------------------------------------------------------------------------- */

typedef struct word {
    const char *s;
    size_t n;
} word;

static bool word_is(const word *w, const char *s) { return strlen(s) == w->n && memcmp(w->s, s, w->n) == 0; }

static void cmd_help(pml_dut *d) {
    static const char *const lines[] = {
        PML_DUT_FW_VERSION,
        "",
        "help         : Print this information",
        "name         : Print the name of the device",
        "timestamp    : Generate a timestamp",
        "profile      : Print the firmware profile and the model (benchmark)",
        "db SUBCMD    : Manipulate a generic byte buffer",
        "  load N     : Allocate N bytes and set load counter",
        "  db HH[HH]* : Load 8-bit hex byte(s) until N bytes",
        "  print [N] [offset=0]",
        "             : Print N loaded bytes (default all) at offset as hex",
        "infer N [W=10]: Load input, execute N inferences after W warmup loops",
        "results      : Return the result fp32 vector",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) out_line(d, lines[i]);
}

static void cmd_db(pml_dut *d, const word *w, size_t nw) {
    static const char hex[] = "0123456789abcdef";
    if (nw < 2) {
        out_line(d, "e-[Command 'db' requires a subcommand]");
        return;
    }
    if (word_is(&w[1], "load")) {
        uint32_t n;
        if (nw < 3) {
            out_line(d, "e-[Command 'db load' requires the # of bytes]");
        } else if (!parse_u32(w[2].s, w[2].n, &n)) {
            out_line(d, "e-[Command 'db load' needs a decimal byte count]");
        } else if (n == 0) {
            out_line(d, "e-[Command 'db load' must be >0 bytes]");
        } else if (n > d->cfg.db_cap) {
            out_str(d, "e-[Supplied buffer size ");
            out_u64(d, n);
            out_str(d, " exceeds maximum of ");
            out_u64(d, d->cfg.db_cap);
            out_str(d, "]");
            out_end(d);
        } else {
            d->db_size = n;
            d->db_pos = 0;
            out_str(d, "m-[Expecting ");
            out_u64(d, n);
            out_str(d, " bytes]");
            out_end(d);
        }
        return;
    }
    if (word_is(&w[1], "print")) {
        uint32_t n = (uint32_t)(d->db_pos > UINT32_MAX ? UINT32_MAX : d->db_pos), off = 0;
        if ((nw > 2 && !parse_u32(w[2].s, w[2].n, &n)) || (nw > 3 && !parse_u32(w[3].s, w[3].n, &off))) {
            out_line(d, "e-[Command 'db print' takes [N] [offset] as decimal numbers]");
            return;
        }
        size_t start = off < d->db_pos ? off : d->db_pos;
        size_t end = (size_t)n < d->db_pos - start ? start + n : d->db_pos;
        for (size_t i = start; i < end; i++) {
            char b[3] = {hex[d->cfg.db[i] >> 4], hex[d->cfg.db[i] & 15u], '-'};
            if ((i - start) % 8u == 0) out_str(d, "m-buffer-");
            bool last = (i - start) % 8u == 7u || i + 1 == end;
            out_bytes(d, b, last ? 2u : 3u);
            if (last) out_end(d);
        }
        return;
    }
    /* db HHHH...: check the whole chunk, then store it */
    const word *h = &w[1];
    if (nw > 2) {
        out_line(d, "e-[Command 'db' takes one run of hex digits]");
        return;
    }
    if (d->db_size == 0) {
        out_line(d, "e-[Command 'db' needs 'db load N' first]");
        return;
    }
    if (h->n & 1u) {
        out_line(d, "e-[Insufficient number of hex digits]");
        return;
    }
    for (size_t i = 0; i < h->n; i++) {
        if (hex_val(h->s[i]) < 0) {
            size_t p = i & ~(size_t)1;
            out_str(d, "e-[Invalid hex digit '");
            out_echo(d, h->s + p, 2);
            out_str(d, "']");
            out_end(d);
            return;
        }
    }
    if (d->db_pos >= d->db_size) {
        out_line(d, "e-[Buffer already holds the declared bytes: 'db load N' to start again]");
        return;
    }
    size_t bytes = h->n / 2u, room = d->db_size - d->db_pos, take = bytes < room ? bytes : room;
    for (size_t i = 0; i < take; i++)
        d->cfg.db[d->db_pos + i] = (uint8_t)(hex_val(h->s[2 * i]) << 4 | hex_val(h->s[2 * i + 1]));
    d->db_pos += take;
    if (d->db_pos == d->db_size) out_line(d, "m-load-done");
    if (take < bytes) {
        out_str(d, "e-[");
        out_u64(d, bytes - take);
        out_str(d, " byte(s) beyond the declared ");
        out_u64(d, d->db_size);
        out_str(d, " ignored]");
        out_end(d);
    }
}

static void print_results(pml_dut *d) {
    char b[32];
    out_str(d, "m-results-[");
    for (uint32_t i = 0; i < d->n_scores; i++) {
        if (i) out_bytes(d, ",", 1);
        out_bytes(d, b, pml_dut_format_fixed3(d->scores[i], b, sizeof b));
    }
    out_str(d, "]");
    out_end(d);
}

static bool load_input(pml_dut *d) {
    if (d->cfg.bench->convert(d->cfg.db, d->db_pos, &d->in) == PML_OK) return true;
    out_line(d, "e-[Cannot convert the buffer to the model input]");
    return false;
}

/* `count` requested inferences, each `repeat` invocations; the input is converted again before each
 * invocation unless it survives one. */
static bool run(pml_dut *d, uint32_t count) {
    uint64_t total = (uint64_t)count * d->cfg.repeat;
    for (uint64_t i = 0; i < total; i++) {
        if (!d->input_kept && i > 0 && !load_input(d)) return false;
        pml_status s = pml_interp_invoke(d->cfg.interp);
        if (s != PML_OK) {
            pml_error e;
            pml_interp_last_error(d->cfg.interp, &e);
            out_str(d, "e-[Inference failed: ");
            out_str(d, pml_status_str(s));
            if (e.msg[0]) {
                out_str(d, ": ");
                size_t n = 0;
                while (n < sizeof e.msg && e.msg[n]) n++;
                out_echo(d, e.msg, n);
            }
            out_str(d, "]");
            out_end(d);
            return false;
        }
    }
    return true;
}

static void cmd_infer(pml_dut *d, const word *w, size_t nw) {
    uint32_t n = 1, warm = 10;
    if (nw > 1 && (!parse_u32(w[1].s, w[1].n, &n) || n == 0)) {
        out_line(d, "e-[Inference iterations must be >0]");
        return;
    }
    if (nw > 2 && !parse_u32(w[2].s, w[2].n, &warm)) {
        out_line(d, "e-[Inference warmup must be >=0]");
        return;
    }
    size_t need = d->cfg.bench->input_bytes;
    if (d->db_size != need || d->db_pos != need) {
        out_str(d, "e-[Input db has ");
        out_u64(d, d->db_pos);
        out_str(d, " bytes, expected ");
        out_u64(d, need);
        out_str(d, "]");
        out_end(d);
        return;
    }
    d->n_scores = 0;
    if (!load_input(d)) return;
    out_str(d, "m-warmup-start-");
    out_u64(d, warm);
    out_end(d);
    if (warm && !run(d, warm)) return;
    out_line(d, "m-warmup-done");
    out_str(d, "m-infer-start-");
    out_u64(d, n);
    out_end(d);
    if (!d->input_kept && warm && !load_input(d)) return;
    out_timestamp(d);
    bool ok = run(d, n);
    if (!ok) return;
    out_timestamp(d);
    out_line(d, "m-infer-done");
    uint32_t count = 0;
    if (d->cfg.bench->result(d->cfg.db, d->db_pos, &d->out, d->scores, PML_DUT_MAX_SCORES, &count) != PML_OK) {
        out_line(d, "e-[Cannot compute the result from the model output]");
        return;
    }
    d->n_scores = count;
    print_results(d);
}

static void dispatch(pml_dut *d) {
    word w[DUT_MAX_WORDS];
    size_t nw = 0, i = 0;
    while (i < d->cmd_len && nw < DUT_MAX_WORDS) {
        while (i < d->cmd_len && (d->cmd[i] == ' ' || d->cmd[i] == '\t' || d->cmd[i] == '\r' || d->cmd[i] == '\n')) i++;
        if (i == d->cmd_len) break;
        size_t s = i;
        while (i < d->cmd_len && d->cmd[i] != ' ' && d->cmd[i] != '\t' && d->cmd[i] != '\r' && d->cmd[i] != '\n') i++;
        w[nw].s = d->cmd + s;
        w[nw].n = i - s;
        nw++;
    }
    if (nw == 0) {
        /* an empty command (a lone '%', as a runner sends to flush a partial command) */
    } else if (word_is(&w[0], "name")) {
        out_str(d, "m-name-dut-[");
        out_str(d, d->cfg.vendor ? d->cfg.vendor : "unspecified");
        out_str(d, "]");
        out_end(d);
    } else if (word_is(&w[0], "timestamp")) {
        out_timestamp(d);
    } else if (word_is(&w[0], "profile")) {
        out_line(d, "m-profile-[" PML_DUT_FW_VERSION "]");
        out_str(d, "m-model-[");
        out_str(d, d->cfg.bench->name);
        out_str(d, "]");
        out_end(d);
    } else if (word_is(&w[0], "help")) {
        cmd_help(d);
    } else if (word_is(&w[0], "db")) {
        cmd_db(d, w, nw);
    } else if (word_is(&w[0], "infer")) {
        cmd_infer(d, w, nw);
    } else if (word_is(&w[0], "results")) {
        if (d->n_scores) print_results(d);
        else out_line(d, "e-[No results: run 'infer' first]");
    } else {
        out_str(d, "e-[Unknown command: ");
        out_echo(d, w[0].s, w[0].n);
        out_str(d, "]");
        out_end(d);
    }
    out_line(d, "m-ready");
}

pml_status pml_dut_feed(pml_dut *d, const uint8_t *bytes, size_t n) {
    if (d == NULL || (bytes == NULL && n > 0)) return PML_ERR_ARG;
    for (size_t i = 0; i < n; i++) {
        char c = (char)bytes[i];
        if (c != '%') {
            if (d->cmd_len < PML_DUT_CMD_MAX) d->cmd[d->cmd_len++] = c;
            else d->cmd_overflow = true;
            continue;
        }
        if (d->cmd_overflow) {
            out_str(d, "e-[Command too long: more than ");
            out_u64(d, PML_DUT_CMD_MAX);
            out_str(d, " characters before the '%']");
            out_end(d);
            out_line(d, "m-ready");
        } else {
            d->cmd[d->cmd_len] = '\0';
            dispatch(d);
        }
        d->cmd_len = 0;
        d->cmd_overflow = false;
    }
    return PML_OK;
}
