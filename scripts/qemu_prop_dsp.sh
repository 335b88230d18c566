#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# On-target property test of the DSP and Helium kernel variants (ports/tests/prop_dsp.c) under QEMU.
#   scripts/qemu_prop_dsp.sh [m4|m7|m55] [cases per op]
# Builds the library exactly as the firmware does (make -C ports TARGET=<t> PML_KERNELS=<k> lib), then
# the test with the same CPU/library flags, the port's startup and linker script, and runs it on
# mps2-an386 (m4) / mps2-an500 (m7) / mps3-an547 (m55). Kernel set: dsp on m4/m7; on m55
# PML_KERNELS (default mve: the Helium variants and the DSP ones; dsp: the DSP ones only).
# Exit status: the test's (0 = every variant matched _ref).
set -eu
T=${1:-m4}
CASES=${2:-1500}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
K=dsp
KDEFS=-DPML_KERNELS_DSP
LDS=mps2.ld
case "$T" in
  m4) CPU="-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard" ;;
  m7) CPU="-mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard" ;;
  m55) CPU="-mcpu=cortex-m55 -mthumb -mfloat-abi=hard"; LDS=an547-sram.ld; K=${PML_KERNELS:-mve}
       case "$K" in mve) KDEFS="-DPML_KERNELS_DSP -DPML_KERNELS_MVE" ;; dsp) ;;
         *) echo "qemu_prop_dsp.sh: m55: PML_KERNELS mve or dsp" >&2; exit 2 ;; esac ;;
  *) echo "qemu_prop_dsp.sh: TARGET m4, m7 or m55" >&2; exit 2 ;;
esac
make -s -C "$ROOT/ports" TARGET="$T" PML_KERNELS="$K" lib >/dev/null
BUILD=$(make -s -C "$ROOT/ports" TARGET="$T" PML_KERNELS="$K" print-build)
OUT=$BUILD/prop_dsp
mkdir -p "$OUT"
CC=arm-none-eabi-gcc
COMMON="$CPU --specs=nano.specs -O2 -g -ffunction-sections -fdata-sections"
PORT=$ROOT/ports/cortexm-qemu
$CC $COMMON -std=gnu11 -Wall -Wextra -Wno-unused-parameter -I"$PORT" -I"$ROOT/ports/common" -c "$PORT/startup.c" -o "$OUT/startup.o"
$CC $COMMON -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wvla -Wdouble-promotion -Wstrict-prototypes -Wmissing-prototypes \
  -Werror $KDEFS -DPROP_CASES="$CASES" -I"$ROOT/include" -I"$ROOT/src" -I"$ROOT/tests" -I"$ROOT/ports/common" \
  -I"$ROOT/tools/pack" -c "$ROOT/ports/tests/prop_dsp.c" -o "$OUT/prop_dsp.o"
$CC $COMMON -std=c11 -Wall -Wextra -Wpedantic -Werror -I"$ROOT/src" -c "$ROOT/tools/pack/pml_pack_fc.c" -o "$OUT/pml_pack_fc.o"
$CC $CPU --specs=nano.specs -nostartfiles -T "$PORT/$LDS" -L"$PORT" -Wl,--gc-sections -o "$OUT/prop_dsp.elf" \
  "$OUT/prop_dsp.o" "$OUT/pml_pack_fc.o" "$OUT/startup.o" "$BUILD/lib/libpicoml.a" -lm
TIMEOUT=${TIMEOUT:-1200} "$ROOT/ports/qemu-run.sh" "$T" "$OUT/prop_dsp.elf"
