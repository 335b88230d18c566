/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PICOML_CMD_PACK_H
#define PICOML_CMD_PACK_H

#include <stddef.h>
#include <stdint.h>

/* picoml pack MODEL -o OUT.tflite [--target armv7em] */
int picoml_cmd_pack(int argc, char **argv);

#endif
