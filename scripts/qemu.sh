#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Build and run the bare-metal firmware (ports/) under QEMU.
#   qemu.sh test         Cortex-M4 (mps2-an386): KWS, IC, AD (as is and packed) on golden inputs 0, 1, 2, pattern
#   qemu.sh test-all     all five int8 models, all four inputs, on every target QEMU runs:
#                        m4, m7, m55, m0plus (on an M3), rv32imac, rv32imafc
#   qemu.sh bench        instructions per inference (pattern input), every model and target, with
#                        the insncount plugin; writes bench/qemu_instructions.md (with instructions
#                        per function on Cortex-M4, from the plugin's per-instruction profile)
#   qemu.sh size-report  flash and RAM per model and target; writes the size section of bench/RESULTS.md
#   qemu.sh dut          MLPerf Tiny DUT firmware (Cortex-M4, UART): a scripted runner session per
#                        golden input (tools/mlperf/dut_client.py), results = the TFLM golden outputs'
#                        (DUT_MODELS, default kws_ref_model; any of kws/vww/ic/ad01 models)
# Each firmware exits 0 only if its output equals the TFLM golden output byte for byte (and the
# arena checks hold). Ends with one line "qemu: N passed, M failed".
# Environment: JOBS (default 2), PML_KERNELS=portable|ref|dsp|mve (default portable; see ports/Makefile),
# TARGETS, MODELS, INPUTS.
set -eu
mode=${1:?usage: qemu.sh test|test-all|bench|size-report|dut}
root=$(cd "$(dirname "$0")/.." && pwd)
JOBS=${JOBS:-2}
PML_KERNELS=${PML_KERNELS:-portable}
ALL_MODELS="kws_ref_model vww_96_int8 ad01_int8 ad01_int8_packed pretrainedResnet_quant str_ww_ref_model"
# ad01_int8_packed: ad01_int8 after `picoml pack` (FULLY_CONNECTED weights pre-widened for the DSP
# kernel, built on the fly by ports/Makefile), checked against ad01_int8's golden data.
ALL_TARGETS="m4 m7 m55 m0plus rv32imac rv32imafc"
case $mode in
  test)        targets=${TARGETS:-m4}; models=${MODELS:-kws_ref_model pretrainedResnet_quant ad01_int8 ad01_int8_packed}
               inputs=${INPUTS:-0 1 2 pattern} ;;
  test-all)    targets=${TARGETS:-$ALL_TARGETS}; models=${MODELS:-$ALL_MODELS}; inputs=${INPUTS:-0 1 2 pattern} ;;
  dut)         targets=${TARGETS:-m4}; models=${DUT_MODELS:-kws_ref_model}; inputs=${INPUTS:-0 1 2} ;;
  bench|size-report)
               targets=${TARGETS:-$ALL_TARGETS}; models=${MODELS:-$ALL_MODELS}; inputs=pattern ;;
  *) echo "qemu.sh: unknown mode $mode" >&2; exit 2 ;;
esac

build_dir() {
  make -s --no-print-directory -C "$root/ports" TARGET="$1" PML_KERNELS="$PML_KERNELS" print-build
}

pass=0
fail=0
tsv=$(mktemp)
trap 'rm -f "$tsv"' EXIT
plugin=$root/build-qemu/libinsncount.so
if [ "$mode" = bench ]; then
  make -s -C "$root/ports" plugin >/dev/null
fi

if [ "$mode" = dut ]; then
  # model -> benchmark, input scale, input zero point, output scale, output zero point
  quant() {
    case $1 in
      kws_ref_model) echo "kws01 0.584702909 83 0.00390625 -128" ;;
      vww_96_int8) echo "vww01 0.00392156886 -128 0.00390625 -128" ;;
      pretrainedResnet_quant) echo "ic01 1 -128 0.00390625 -128" ;;
      ad01_int8) echo "ad01 0.391015232 89 0.364498466 96" ;;
      *) echo "qemu.sh: dut: no benchmark for $1" >&2; exit 2 ;;
    esac
  }
  for t in $targets; do
    B=$(build_dir "$t")
    mkdir -p "$B"
    if ! make -C "$root/ports" TARGET="$t" MODELS="$models" DUT_MODELS="$models" PML_KERNELS="$PML_KERNELS" \
        -j"$JOBS" dut > "$B/dut-build.log" 2>&1; then
      tail -n 40 "$B/dut-build.log"; echo "FAIL $t: dut build"; fail=$((fail + 1)); continue
    fi
    case $t in m0plus) machine=mps2-an385 ;; m4) machine=mps2-an386 ;; m7) machine=mps2-an500 ;;
      *) echo "FAIL $t: the DUT firmware runs on the MPS2 boards (m0plus m4 m7)"; fail=$((fail + 1)); continue ;; esac
    for m in $models; do
      set -- $(quant "$m")
      for k in $inputs; do
        g=$root/tests/data/golden/$m.$k
        python3 "$root/tools/mlperf/wire.py" wire "$1" "$g.input.bin" "$tsv.wire" --scale "$2" --zero-point "$3"
        want=$(python3 "$root/tools/mlperf/wire.py" expect-golden "$1" "$g.output.bin" "$4" "$5" "$tsv.wire")
        log=$B/$m/$m.dut.$k.log
        extra=""; [ "$k" = 0 ] && extra=--garbage
        python3 "$root/tools/mlperf/dut_client.py" --model "$1" --input "$tsv.wire" --infer "2 1" $extra \
          --pipe-cmd "qemu-system-arm -machine $machine -nodefaults -display none -monitor none -net none -serial stdio -semihosting-config enable=on,target=native -kernel $B/$m/$m.dut.elf" \
          > "$log" 2>&1 && rc=0 || rc=$?
        got=$(sed -n 's/^results [^ ]* //p' "$log")
        if [ "$rc" -eq 0 ] && [ "$got" = "$want" ]; then
          pass=$((pass + 1)); echo "PASS $t $m dut input $k: m-results-[$got]"
        else
          fail=$((fail + 1)); echo "FAIL $t $m dut input $k (exit $rc; results '$got', want '$want'; log: $log)"
          grep -v 'has no peer' "$log" | tail -n 12
        fi
      done
    done
  done
  rm -f "$tsv.wire"
  echo "qemu: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit
fi

# A packed model (*_packed, `picoml pack` for the Arm v7E-M DSP kernel) only on the MPS2 DSP boards
# (M4, M7: 4 MiB flash); elsewhere it would run as the original model, and M55's board has 512 KiB.
models_for() {
  for m in $all_models; do
    case $m in *_packed) case $1 in m4|m7) echo "$m" ;; esac ;; *) echo "$m" ;; esac
  done | tr '\n' ' '
}

dirs=""
all_models=$models
for t in $targets; do
  models=$(models_for "$t")
  B=$(build_dir "$t")
  dirs="$dirs $t=$B"
  mkdir -p "$B"
  echo "== $t: building ($(echo $models | wc -w) models, inputs: $inputs, PML_KERNELS=$PML_KERNELS)"
  if ! make -C "$root/ports" TARGET="$t" MODELS="$models" INPUTS="$inputs" PML_KERNELS="$PML_KERNELS" \
      -j"$JOBS" all > "$B/build.log" 2>&1; then
    tail -n 40 "$B/build.log"
    echo "FAIL $t: build (log: $B/build.log)"
    fail=$((fail + 1))
    continue
  fi
  for m in $models; do
    for k in $inputs; do
      elf=$B/$m/$m.$k.elf
      log=$B/$m/$m.$k.log
      prof=""
      if [ "$mode" = bench ] && [ "$t" = m4 ]; then
        prof=$B/$m/$m.$k.prof  # per-instruction profile: the per-function section of the report
        rm -f "$prof"
      fi
      if [ "$mode" = bench ]; then
        COUNT=1 PLUGIN=$plugin PROF=$prof "$root/ports/qemu-run.sh" "$t" "$elf" > "$log" 2>&1 && rc=0 || rc=$?
      else
        "$root/ports/qemu-run.sh" "$t" "$elf" > "$log" 2>&1 && rc=0 || rc=$?
      fi
      if [ "$rc" -eq 0 ] && grep -q '^RESULT PASS' "$log"; then
        pass=$((pass + 1))
        extra=""
        if [ "$mode" = bench ]; then
          r0=$(awk '$1=="insncount:" && $2=="region" && $3==0 {print $5}' "$log")
          r1=$(awk '$1=="insncount:" && $2=="region" && $3==1 {print $5}' "$log")
          macs=$(sed -n 's/^macs \([0-9]*\)/\1/p' "$B/$m/probe.log")
          printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$m" "$r0" "$r1" "$macs" "$elf" "$prof" >> "$tsv"
          extra=" insns $((r1 - r0))"
        fi
        echo "PASS $t $m input $k$extra"
      else
        fail=$((fail + 1))
        echo "FAIL $t $m input $k (exit $rc; log: $log)"
        tail -n 12 "$log"
      fi
    done
  done
done

case $mode in
  bench)
    python3 "$root/scripts/fw_report.py" bench "$tsv" "$root/bench/qemu_instructions.md" "$PML_KERNELS"
    echo "qemu-bench: wrote bench/qemu_instructions.md" ;;
  size-report)
    python3 "$root/scripts/fw_report.py" size "$PML_KERNELS" "$root/bench/RESULTS.md" $dirs -- $all_models
    echo "size-report: wrote the size section of bench/RESULTS.md" ;;
esac
echo "qemu: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
