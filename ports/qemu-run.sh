#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# qemu-run.sh TARGET ELF: run a picoml firmware under QEMU, print its console output, exit with the
# firmware's status. With COUNT=1, load the insncount TCG plugin and append its lines:
#   insncount: region <k> insns <N>    (one per insn_region_begin/end pair)
#   insncount: total <N> mode insn
# Adopted from the cortexm-qemu harness's run.sh (../shared/tools/cortexm-qemu); extended to the
# Cortex-M0+/M55 and RISC-V targets.
#   TARGET: m0plus (mps2-an385: a Cortex-M3 executes the ARMv6-M code), m4 (mps2-an386),
#           m7 (mps2-an500), m55 (mps3-an547), rv32imac / rv32imafc (virt)
# Environment: PLUGIN=path/libinsncount.so (COUNT=1)  TIMEOUT=seconds (default 600)
#   PROF=path (with COUNT=1): per-instruction counts of the last region into path
#   (scripts/insn_profile.py ELF path: instructions per function)
set -euo pipefail
TARGET=${1:?usage: qemu-run.sh TARGET ELF}
ELF=${2:?usage: qemu-run.sh TARGET ELF}
case "$TARGET" in
  m0plus) Q="qemu-system-arm -machine mps2-an385"; NM=arm-none-eabi-nm; IO=semi ;;
  m4)     Q="qemu-system-arm -machine mps2-an386"; NM=arm-none-eabi-nm; IO=semi ;;
  m7)     Q="qemu-system-arm -machine mps2-an500"; NM=arm-none-eabi-nm; IO=semi ;;
  m55)    Q="qemu-system-arm -machine mps3-an547"; NM=arm-none-eabi-nm; IO=semi ;;
  rv32imac|rv32imafc)
          Q="qemu-system-riscv32 -machine virt -bios none"; NM=riscv64-unknown-elf-nm; IO=uart ;;
  *) echo "qemu-run.sh: unknown TARGET=$TARGET" >&2; exit 2 ;;
esac
if [ "$IO" = semi ]; then
  IOARGS="-semihosting-config enable=on,target=native"
else
  IOARGS="-serial stdio"
fi
PARGS=""
LOG=""
if [ "${COUNT:-0}" = 1 ]; then
  PLUGIN=${PLUGIN:?COUNT=1 needs PLUGIN=.../libinsncount.so}
  sym() { "$NM" "$ELF" | awk -v s="$1" '$3==s && !f {print "0x"$1; f=1}'; }  # no early exit: SIGPIPE + pipefail
  B=$(sym insn_region_begin); E=$(sym insn_region_end)
  LOG=$(mktemp /tmp/pml-insncount.XXXXXX)
  PARGS="-plugin $PLUGIN,mode=insn,begin=$B,end=$E,out=$LOG${PROF:+,prof=$PROF}"
fi
set +e
# shellcheck disable=SC2086
timeout "${TIMEOUT:-600}" $Q -nodefaults -display none -monitor none -net none $IOARGS $PARGS \
  -kernel "$ELF" < /dev/null 2> >(grep -v 'has no peer' >&2)
rc=$?
set -e
wait 2>/dev/null || true
if [ -n "$LOG" ]; then cat "$LOG"; rm -f "$LOG"; fi
if [ $rc -eq 124 ]; then echo "qemu-run.sh: TIMEOUT after ${TIMEOUT:-600}s" >&2; fi
exit $rc
