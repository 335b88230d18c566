/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Console output of the firmware harnesses (fw_main.c, fw_train.c, fw_audio.c, fw_audio_test.c,
 * ports/tests/prop_dsp.c) over board_write(): no printf, numbers are formatted here. The test
 * scripts parse these formats, so they stay as they are. Each includer uses a subset, hence
 * `unused`. fail() needs pml/pml.h included before this header.
 */
#ifndef PML_FW_IO_H
#define PML_FW_IO_H
#include <stdint.h>
#include <string.h>

#include "board.h"

#define FW_IO_FN __attribute__((unused)) static

FW_IO_FN void put(const char *s) { board_write(s, strlen(s)); }

/* decimal */
FW_IO_FN void put_u(size_t v) {
    char b[24];
    int n = (int)sizeof b;
    do {
        b[--n] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u && n > 0);
    board_write(b + n, sizeof b - (size_t)n);
}

/* signed decimal, for values that fit a long */
FW_IO_FN void put_i(long v) {
    if (v < 0) {
        put("-");
        put_u((size_t)(-v));
    } else {
        put_u((size_t)v);
    }
}

/* signed decimal, 64 bits (also on 32-bit targets, whose size_t and long are 32 bits) */
FW_IO_FN void put_i64(int64_t v) {
    char b[24];
    int n = (int)sizeof b;
    uint64_t u = v < 0 ? (uint64_t)-v : (uint64_t)v;
    do {
        b[--n] = (char)('0' + u % 10u);
        u /= 10u;
    } while (u != 0u && n > 1);
    if (v < 0) b[--n] = '-';
    board_write(b + n, sizeof b - (size_t)n);
}

/* "xx xx ... xx\n" */
FW_IO_FN void put_hex_bytes(const uint8_t *p, size_t n) {
    static const char hex[] = "0123456789abcdef";
    char b[3];
    for (size_t i = 0; i < n; i++) {
        b[0] = hex[p[i] >> 4];
        b[1] = hex[p[i] & 15u];
        b[2] = (i + 1 == n) ? '\n' : ' ';
        board_write(b, 3);
    }
}

#ifdef PML_PML_H
/* "FAIL what: status[: message]" and "RESULT FAIL", then exit 2 */
FW_IO_FN void fail(const char *what, pml_status st, const pml_error *err) __attribute__((noreturn));
FW_IO_FN void fail(const char *what, pml_status st, const pml_error *err) {
    put("FAIL ");
    put(what);
    put(": ");
    put(pml_status_str(st));
    if (err != NULL && err->msg[0] != '\0') {
        put(": ");
        put(err->msg);
    }
    put("\nRESULT FAIL\n");
    board_exit(2);
}
#endif

#endif
