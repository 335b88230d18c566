/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The board interface (board.h) on the host, for host twins of the firmware (ports/common/fw_train.c
 * built with -DPML_FW_HOST): console = stdout, exit = exit(), the insncount markers do nothing.
 */
#include <stdio.h>
#include <stdlib.h>

#include "board.h"

void board_write(const char *buf, size_t len) { fwrite(buf, 1, len, stdout); }
void board_exit(int code) {
    fflush(stdout);
    exit(code);
}
void insn_region_begin(void) {}
void insn_region_end(void) {}
