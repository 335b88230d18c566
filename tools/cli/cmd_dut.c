/* SPDX-License-Identifier: Apache-2.0 */
/*
 * picoml dut --model MODEL --benchmark {kws01,vww01,ic01,ad01} [--pty] [--repeat K] [--vendor NAME]
 *
 * The host as an MLPerf Tiny device under test: the protocol module (include/pml/pml_dut.h) over
 * stdin/stdout, or with --pty over a pseudo-terminal that the official runner (pyserial) opens like
 * a USB serial port. See docs/mlperf-dut.md.
 *
 * --pty: the pty is put in raw mode before anything is written (with echo on, the boot lines would
 * come back as commands); its path is the first line on stdout (flushed); this process keeps its
 * own handle on the terminal side open, so the runner can close and reopen the port; nothing is
 * written except replies after the boot lines. Runs until killed (SIGINT, SIGTERM, SIGHUP).
 * Without --pty: reads commands from stdin until end of file, replies on stdout.
 */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname, clock_gettime */
#define _DEFAULT_SOURCE   /* cfmakeraw */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "pml/pml.h"
#include "pml/pml_dut.h"
#include "cli_util.h"

int picoml_dut(int argc, char **argv);

#define DUT_DB_MIN (96 * 96 * 3) /* the reference firmware's MAX_DB_INPUT_SIZE */

static void dut_die(int code, const char *fmt, const char *a, const char *b) {
    fprintf(stderr, "picoml: dut: ");
    fprintf(stderr, fmt, a ? a : "", b ? b : "");
    fputc('\n', stderr);
    exit(code);
}

typedef struct host_port {
    int fd;
} host_port;

static void host_write(void *user, const char *bytes, size_t n) {
    host_port *p = (host_port *)user;
    while (n) {
        ssize_t k = write(p->fd, bytes, n);
        if (k < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return; /* the host went away: drop the reply, keep serving */
        }
        bytes += k;
        n -= (size_t)k;
    }
}

static uint64_t host_timestamp_us(void *user) {
    struct timespec ts;
    (void)user;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Open a pty in raw mode; returns the master, *slave_fd stays open for the life of the process. */
static int open_pty(int *slave_fd, char *path, size_t cap) {
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0) dut_die(1, "cannot open a pseudo-terminal: %s%s", strerror(errno), NULL);
    const char *name = ptsname(m);
    if (!name || strlen(name) >= cap) dut_die(1, "cannot name the pseudo-terminal%s%s", NULL, NULL);
    strcpy(path, name);
    int s = open(path, O_RDWR | O_NOCTTY);
    if (s < 0) dut_die(1, "cannot open '%s': %s", path, strerror(errno));
    struct termios t;
    if (tcgetattr(s, &t) != 0) dut_die(1, "tcgetattr '%s': %s", path, strerror(errno));
    cfmakeraw(&t);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(s, TCSANOW, &t) != 0) dut_die(1, "tcsetattr '%s': %s", path, strerror(errno));
    *slave_fd = s;
    return m;
}

int picoml_dut(int argc, char **argv) {
    const char *model = NULL, *bench_name = NULL, *vendor = "picoml";
    int use_pty = 0;
    unsigned long repeat = 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--pty")) use_pty = 1;
        else if (!strcmp(a, "--model") || !strcmp(a, "--benchmark") || !strcmp(a, "--repeat") || !strcmp(a, "--vendor")) {
            if (i + 1 >= argc) dut_die(2, "%s needs a value%s", a, NULL);
            const char *v = argv[++i];
            if (a[2] == 'm') model = v;
            else if (a[2] == 'b') bench_name = v;
            else if (a[2] == 'v') vendor = v;
            else {
                char *end;
                repeat = strtoul(v, &end, 10);
                if (*end || v[0] == '-' || repeat < 1 || repeat > 1000000) dut_die(2, "--repeat: bad number '%s'%s", v, NULL);
            }
        } else {
            dut_die(2, "unknown argument '%s' (usage: picoml dut --model MODEL --benchmark kws01|vww01|ic01|ad01 "
                       "[--pty] [--repeat K] [--vendor NAME])%s",
                    a, NULL);
        }
    }
    if (!model || !bench_name) dut_die(2, "needs --model MODEL and --benchmark kws01|vww01|ic01|ad01%s%s", NULL, NULL);
    const pml_dut_benchmark *bench = pml_dut_benchmark_find(bench_name);
    if (!bench) dut_die(2, "unknown benchmark '%s' (kws01, vww01, ic01, ad01)%s", bench_name, NULL);
    for (const char *c = vendor; *c; c++)
        if (*c == ']' || (unsigned char)*c < 0x20) dut_die(2, "--vendor: '%s' holds ']' or a control character%s", vendor, NULL);

    size_t len;
    uint8_t *buf = pml_cli_read_file(model, &len);
    if (!buf) dut_die(1, "cannot open '%s'%s", model, NULL);
    pml_model m;
    if (pml_model_open(&m, buf, len) != PML_OK) dut_die(1, "%s: not a valid .tflite model%s", model, NULL);
    size_t need = 0;
    pml_error e;
    if (pml_interp_arena_size(&m, pml_op_set_all(), &need, &e) != PML_OK) dut_die(1, "%s: cannot plan: %s", model, e.msg);
    void *arena = aligned_alloc(PML_ARENA_ALIGN, (need + PML_ARENA_ALIGN) & ~(size_t)(PML_ARENA_ALIGN - 1));
    pml_interp *it;
    if (!arena) dut_die(1, "out of memory%s%s", NULL, NULL);
    if (pml_interp_init(&it, &m, pml_op_set_all(), arena, need, &e) != PML_OK) dut_die(1, "%s: cannot initialise: %s", model, e.msg);
    size_t db_cap = bench->input_bytes > DUT_DB_MIN ? bench->input_bytes : DUT_DB_MIN;
    uint8_t *db = malloc(db_cap);
    if (!db) dut_die(1, "out of memory%s%s", NULL, NULL);

    int in_fd = 0, slave = -1;
    host_port port = {1};
    char path[256];
    if (use_pty) {
        in_fd = open_pty(&slave, path, sizeof path);
        port.fd = in_fd;
    }
    pml_dut dut;
    pml_dut_config cfg = {bench, it, {host_write, host_timestamp_us, &port}, db, db_cap, (uint32_t)repeat, vendor};
    if (pml_dut_init(&dut, &cfg, &e) != PML_OK) dut_die(1, "%s: %s", model, e.msg);
    fprintf(stderr, "picoml dut: %s on %s, arena %zu bytes, repeat %lu, input %s\n", bench->name, model, need, repeat,
            dut.input_kept ? "converted once per infer" : "converted before every invocation");
    if (use_pty) {
        printf("%s\n", path);
        fflush(stdout);
    }
    pml_dut_boot(&dut);

    uint8_t rx[4096];
    for (;;) {
        ssize_t k = read(in_fd, rx, sizeof rx);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 && use_pty && errno == EIO) { /* no terminal side open (cannot happen: we hold one) */
            struct timespec ts = {0, 10000000};
            nanosleep(&ts, NULL);
            continue;
        }
        if (k <= 0) break;
        pml_dut_feed(&dut, rx, (size_t)k);
    }
    if (slave >= 0) close(slave);
    free(db);
    free(arena);
    free(buf);
    return 0;
}
