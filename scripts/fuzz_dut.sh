#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Fuzz the MLPerf Tiny DUT command parser (src/dut/pml_dut.c) with libFuzzer (clang, ASan + UBSan).
#
#   scripts/fuzz_dut.sh [SECONDS] [extra libFuzzer options...]     (default 30 s)
#
# Builds $FUZZ_DIR/fuzz_dut from src/ and tests/fuzz/fuzz_dut.c (serving kws01 on
# models/kws_ref_model.tflite), seeds $FUZZ_DIR/fuzz-dut-corpus with a runner-like session, and
# runs with tests/fuzz/dut.dict. Crash reproducers go to $FUZZ_DIR/fuzz-dut-crashes/. FUZZ_DIR
# defaults to build/ in the repository; CC defaults to clang.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-30}
[ $# -gt 0 ] && shift
out=${FUZZ_DIR:-$root/build}
cc=${CC:-clang}
bin=$out/fuzz_dut
corpus=$out/fuzz-dut-corpus
crashes=$out/fuzz-dut-crashes
mkdir -p "$out" "$corpus" "$crashes"
# shellcheck disable=SC2046
"$cc" -g -O1 -std=c11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -DFUZZ_DUT_MODEL="\"$root/models/kws_ref_model.tflite\"" -I"$root/include" -I"$root/src" \
    $(find "$root/src" -name '*.c' -not -path '*/kernels/x86/*' -not -path '*/kernels/armv7em/*' -not -path '*/kernels/mve/*' | sort) \
    "$root/tests/fuzz/fuzz_dut.c" -lm -o "$bin"
# seed: a session as the runner sends it (490 bytes in 31-byte chunks), plus the other commands
python3 - "$root/tests/data/golden/kws_ref_model.0.input.bin" "$corpus/seed-session" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
s = "name%profile%timestamp%help%db load 490%"
s += "".join("db " + d[i:i + 31].hex() + "%" for i in range(0, len(d), 31))
s += "db print 8 2%infer 1 1%results%db load 3%db 0a0b0c0d%bogus%"
open(sys.argv[2], "w").write(s)
PY
before=$(find "$crashes" -type f | wc -l)
status=0
"$bin" -dict="$root/tests/fuzz/dut.dict" -max_len=4096 -timeout=25 -max_total_time="$secs" -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$@" "$corpus" || status=$?
after=$(find "$crashes" -type f | wc -l)
if [ "$status" -ne 0 ] || [ "$after" -gt "$before" ]; then
    echo "fuzz_dut.sh: crash found (libFuzzer status $status); reproducers in $crashes" >&2
    exit 1
fi
echo "fuzz_dut.sh: no crash in ${secs}s"
