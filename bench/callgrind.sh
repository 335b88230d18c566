#!/bin/sh
# Instructions per inference on the host, counted by valgrind's callgrind with collection
# toggled on pml_interp_invoke only (as TFLM's figures count MicroInterpreter::Invoke()).
# Input: the MLPerf Tiny "pattern" input (picoml's default), the same TFLM was measured on.
#   bench/callgrind.sh [PICOML] [MODEL...]   (valgrind: sh scripts/install-deps.sh --bench)
set -eu
cd "$(dirname "$0")/.."
PICOML=${1:-build/picoml}
[ $# -gt 0 ] && shift
models=${*:-"kws_ref_model vww_96_int8 ad01_int8 pretrainedResnet_quant str_ww_ref_model"}
runs=3
printf '%-24s %14s %12s %10s\n' model "instr/infer" MACs "instr/MAC"
for m in $models; do
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect=pml_interp_invoke \
    "$PICOML" bench "models/$m.tflite" --runs $runs --warmup 0 --no-op-times > /dev/null 2>&1
  total=$(sed -n 's/^summary: \([0-9]*\)/\1/p' "$out")
  rm -f "$out"
  macs=$("$PICOML" info "models/$m.tflite" --json | sed -n 's/.*"macs": \([0-9]*\).*/\1/p')
  per=$((total / runs))
  printf '%-24s %14d %12d %10s\n' "$m" "$per" "$macs" "$(echo "$per $macs" | awk '{printf "%.2f", $1/$2}')"
done
