#!/bin/sh
# Install what building and testing picoml needs, from Debian's packages, if it is missing.
# Idempotent and quick when everything is there. Needs root (or sudo) only when something is missing.
#   install-deps.sh            host build and tests
#   install-deps.sh --arm      + Cortex-M cross compiler, newlib, qemu-system-arm (make qemu-test, make test)
#   install-deps.sh --riscv    + RISC-V cross compiler, picolibc, qemu-system-riscv32 (qemu-test-all, ...)
#   install-deps.sh --bench    + valgrind (bench/callgrind.sh, make bench; not make test)
#   install-deps.sh --datasets + dataset-fashion-mnist (bench/train/fashion_mnist_*.sh; not make test)
#   install-deps.sh --tensorflow + tensorflow-cpu from PyPI (scripts/gen_transfer_models.py, dev time only)
set -eu
arm=0
riscv=0
datasets=0
bench=0
tensorflow=0
for a in "$@"; do
  case $a in
    --arm) arm=1 ;;
    --riscv) riscv=1 ;;
    --datasets) datasets=1 ;;
    --bench) bench=1 ;;
    --tensorflow) tensorflow=1 ;;
    *) echo "install-deps: unknown option $a" >&2; exit 2 ;;
  esac
done
need=""
command -v cmake >/dev/null 2>&1 || need="$need cmake"
command -v make >/dev/null 2>&1 || need="$need make"
command -v gcc >/dev/null 2>&1 || need="$need gcc"
command -v clang >/dev/null 2>&1 || need="$need clang"
command -v nm >/dev/null 2>&1 || need="$need binutils"
command -v python3 >/dev/null 2>&1 || need="$need python3"
# libFuzzer runtime (ships with clang on Debian as libclang-rt-<ver>-dev)
if command -v clang >/dev/null 2>&1; then
  rt=$(clang -print-resource-dir 2>/dev/null)/lib/linux/libclang_rt.fuzzer-x86_64.a
  if [ "$(uname -m)" = x86_64 ] && [ ! -f "$rt" ]; then
    ver=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n1)
    need="$need libclang-rt-${ver}-dev"
  fi
fi
if [ "$arm" = 1 ]; then
  command -v arm-none-eabi-gcc >/dev/null 2>&1 || need="$need gcc-arm-none-eabi"
  [ -f /usr/lib/arm-none-eabi/lib/nano.specs ] || need="$need libnewlib-arm-none-eabi"
  command -v qemu-system-arm >/dev/null 2>&1 || need="$need qemu-system-arm"
fi
if [ "$riscv" = 1 ]; then
  command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 || need="$need gcc-riscv64-unknown-elf"
  [ -f /usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs ] || need="$need picolibc-riscv64-unknown-elf"
  command -v qemu-system-riscv32 >/dev/null 2>&1 || need="$need qemu-system-misc"
fi
if [ "$bench" = 1 ]; then
  command -v valgrind >/dev/null 2>&1 || need="$need valgrind"
fi
if [ "$datasets" = 1 ]; then
  [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need="$need dataset-fashion-mnist"
fi
# Python modules the DUT tests use (pyserial drives the pty as the MLPerf Tiny runner does; PyYAML for
# the runner wrapper test). PyPI through pip, for whichever python3 is on PATH.
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import serial, yaml' >/dev/null 2>&1; then
  python3 -m pip install --quiet pyserial pyyaml >/dev/null 2>&1 || echo "install-deps: pip install pyserial pyyaml failed (the DUT pty test falls back to termios)"
fi
# LiteRT (the TFLite interpreter) and numpy: tests/cli/test_cli.sh runs a `picoml pack` output in it
# (skipped without it), bench/litert_wall.py times against it, the fixture generators use it.
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ai_edge_litert, numpy' >/dev/null 2>&1; then
  python3 -m pip install --quiet ai-edge-litert numpy >/dev/null 2>&1 || echo "install-deps: pip install ai-edge-litert numpy failed (the LiteRT check of packed models is skipped)"
fi
if [ "$tensorflow" = 1 ] && ! python3 -c 'import tensorflow' >/dev/null 2>&1; then
  python3 -m pip install --quiet tensorflow-cpu || echo "install-deps: pip install tensorflow-cpu failed"
fi
[ -z "$need" ] && exit 0
echo "install-deps: installing:$need"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $need
