/* SPDX-License-Identifier: Apache-2.0 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "cli_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void fail(const char *what, const char *path) {
    fprintf(stderr, "picoml: %s '%s'\n", what, path);
    exit(1);
}

uint8_t *pml_cli_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0) fail("cannot read", path);
    long n = ftell(f);
    if (n < 0) fail("cannot read", path);
    rewind(f);
    uint8_t *buf = aligned_alloc(16, ((size_t)n + 16) & ~(size_t)15);
    if (!buf) fail("out of memory reading", path);
    if (n && fread(buf, 1, (size_t)n, f) != (size_t)n) fail("cannot read", path);
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

uint8_t *pml_cli_read_file_or_die(const char *path, size_t *len) {
    uint8_t *buf = pml_cli_read_file(path, len);
    if (!buf) fail("cannot open", path);
    return buf;
}

double pml_cli_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
