#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Fuzz the model loader and interpreter with libFuzzer (clang, ASan + UBSan).
#
#   scripts/fuzz.sh [SECONDS] [extra libFuzzer options...]     (default 60 s)
#
# Builds $FUZZ_DIR/fuzz_model from src/ and tests/fuzz/fuzz_model.c, seeds $FUZZ_DIR/fuzz-corpus
# from models/*.tflite (files up to 300,000 bytes: kws_ref_model, kws_ref_model_float32, str_ww_ref_model,
# pretrainedResnet_quant, ad01_int8; larger ones make every iteration slow), and runs with
# tests/fuzz/tflite.dict. Crash reproducers go to $FUZZ_DIR/fuzz-crashes/. Exits non-zero if
# the fuzzer found a crash (or failed to build). FUZZ_DIR defaults to build/ in the repository;
# CC defaults to clang; FUZZ_JOBS > 1 runs that many fuzzing processes on the shared corpus.
#
# Reproduce a crash:   build/fuzz_model build/fuzz-crashes/crash-<sha1>
# Minimize it:         build/fuzz_model -minimize_crash=1 -runs=100000 \
#                          -exact_artifact_path=min.tflite build/fuzz-crashes/crash-<sha1>
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
out=${FUZZ_DIR:-$root/build}
cc=${CC:-clang}
jobs=${FUZZ_JOBS:-1}
bin=$out/fuzz_model
corpus=$out/fuzz-corpus
crashes=$out/fuzz-crashes
mkdir -p "$out" "$corpus" "$crashes"

# shellcheck disable=SC2046
"$cc" -g -O1 -std=c11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root/include" -I"$root/src" $(find "$root/src" -name '*.c' -not -path '*/kernels/x86/*' -not -path '*/kernels/armv7em/*' -not -path '*/kernels/mve/*' | sort) "$root/tests/fuzz/fuzz_model.c" -lm \
    -o "$bin"

# Seeds. libFuzzer truncates corpus files to -max_len, so max_len is at least the largest seed.
max_len=131072
for f in "$root"/models/*.tflite; do
    n=$(wc -c < "$f")
    [ "$n" -le 300000 ] || continue
    cp -f "$f" "$corpus/seed-$(basename "$f")"
    [ "$n" -le "$max_len" ] || max_len=$n
done
# every per-op golden model too (all small), so each op's prepare and eval are reached from a seed
for f in "$root"/tests/data/ops/*.tflite; do
    cp -f "$f" "$corpus/seed-op-$(basename "$f")"
done
# inputs that once crashed (tests/fuzz/regress, also run by test_malformed's fuzz_regressions)
for f in "$root"/tests/fuzz/regress/*.tflite; do
    cp -f "$f" "$corpus/seed-regress-$(basename "$f")"
done

before=$(find "$crashes" -type f | wc -l)
cd "$out" # with -jobs, libFuzzer writes fuzz-<n>.log to the current directory
status=0
if [ "$jobs" -gt 1 ]; then
    "$bin" -dict="$root/tests/fuzz/tflite.dict" -max_len="$max_len" -rss_limit_mb=2048 -timeout=25 \
        -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$crashes/" \
        -jobs="$jobs" -workers="$jobs" "$@" "$corpus" || status=$?
else
    "$bin" -dict="$root/tests/fuzz/tflite.dict" -max_len="$max_len" -rss_limit_mb=2048 -timeout=25 \
        -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$crashes/" "$@" "$corpus" || status=$?
fi
after=$(find "$crashes" -type f | wc -l)
if [ "$status" -ne 0 ] || [ "$after" -gt "$before" ]; then
    echo "fuzz.sh: crash found (libFuzzer status $status); reproducers in $crashes:" >&2
    ls -1t "$crashes" >&2
    exit 1
fi
echo "fuzz.sh: no crash in ${secs}s"
