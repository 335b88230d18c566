#!/bin/sh
# Run every test stage and end with one summary line "tests: N passed, M failed".
#   run_tests.sh RELEASE_BUILD_DIR ASAN_BUILD_DIR FUZZ_SECONDS
set -u
rel=${1:-build}
asan=${2:-build-asan}
fuzz_secs=${3:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
pass=0
fail=0

# ctest ends with "NN% tests passed, F tests failed out of T"
run_ctest() {
  label=$1; dir=$2
  echo "== $label"
  log=$(mktemp)
  (cd "$dir" && ctest --output-on-failure -j2) > "$log" 2>&1
  cat "$log"
  line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$log" | tail -n1)
  rm -f "$log"
  if [ -z "$line" ]; then
    echo "run_tests: $label: ctest gave no summary"; fail=$((fail + 1)); return
  fi
  f=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
  t=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/')
  pass=$((pass + t - f)); fail=$((fail + f))
}

run_ctest "Release build" "$root/$rel"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run_ctest "ASan+UBSan build" "$root/$asan"

# Bare metal: the Cortex-M4 firmware under QEMU (KWS, IC, AD on the TFLM golden inputs), one test
# per firmware run; scripts/qemu.sh ends with "qemu: N passed, M failed".
echo "== QEMU Cortex-M4 (mps2-an386): KWS, IC, AD firmware vs TFLM golden outputs"
log=$(mktemp)
JOBS=2 PML_KERNELS=portable sh "$root/scripts/qemu.sh" test > "$log" 2>&1
cat "$log"
line=$(grep -E '^qemu: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
rm -f "$log"
if [ -z "$line" ]; then
  echo "run_tests: QEMU stage gave no summary"; fail=$((fail + 1))
else
  pass=$((pass + $(echo "$line" | sed -E 's/qemu: ([0-9]+) passed.*/\1/')))
  fail=$((fail + $(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')))
fi

# a stage whose output ends with "<word>: N passed, M failed"
run_counted() {
  label=$1; word=$2; shift 2
  echo "== $label"
  log=$(mktemp)
  "$@" > "$log" 2>&1
  cat "$log"
  line=$(grep -E "^$word: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n1)
  rm -f "$log"
  if [ -z "$line" ]; then
    echo "run_tests: $label gave no summary"; fail=$((fail + 1)); return
  fi
  pass=$((pass + $(echo "$line" | sed -E "s/$word: ([0-9]+) passed.*/\1/")))
  fail=$((fail + $(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')))
}

run_counted "QEMU Cortex-M4, Arm DSP kernels: KWS, IC, AD firmware vs TFLM golden outputs" qemu \
  env JOBS=2 PML_KERNELS=dsp sh "$root/scripts/qemu.sh" test
run_counted "QEMU Cortex-M4: every DSP kernel variant vs its reference twin (1000 random cases per op)" prop_dsp \
  sh "$root/scripts/qemu_prop_dsp.sh" m4 1000
run_counted "QEMU Cortex-M55: every Helium (MVE) and DSP kernel variant vs its reference twin (1000 random cases per op)" \
  prop_dsp sh "$root/scripts/qemu_prop_dsp.sh" m55 1000
run_counted "QEMU Cortex-M55, Helium kernels: KWS firmware vs TFLM golden outputs" qemu \
  env JOBS=2 TARGETS=m55 PML_KERNELS=mve MODELS=kws_ref_model sh "$root/scripts/qemu.sh" test
run_counted "QEMU Cortex-M4: audio front ends + models on the MLPerf Tiny WAVs" audio_m4 \
  sh "$root/scripts/qemu_audio_test.sh"

run_counted "QEMU Cortex-M4: on-device training (Fashion-MNIST CNN float32, ad01 int8) vs its host twin" train_m4 \
  sh "$root/scripts/qemu_train_test.sh" all

run_counted "QEMU Cortex-M4: MLPerf Tiny DUT firmware (kws01) driven like the benchmark runner" qemu \
  sh "$root/scripts/qemu.sh" dut

echo "== libFuzzer, $fuzz_secs s"
if sh "$root/scripts/fuzz.sh" "$fuzz_secs" > "$root/$rel/fuzz.log" 2>&1; then
  pass=$((pass + 1)); tail -n 12 "$root/$rel/fuzz.log"
else
  fail=$((fail + 1)); tail -n 60 "$root/$rel/fuzz.log"
fi

echo "== libFuzzer, WAV reader and audio front ends, 20 s"
if sh "$root/scripts/fuzz_wav.sh" 20 > "$root/$rel/fuzz_wav.log" 2>&1; then
  pass=$((pass + 1)); tail -n 3 "$root/$rel/fuzz_wav.log"
else
  fail=$((fail + 1)); tail -n 60 "$root/$rel/fuzz_wav.log"
fi

echo "== libFuzzer, MLPerf Tiny DUT command parser, 15 s"
if sh "$root/scripts/fuzz_dut.sh" 15 > "$root/$rel/fuzz_dut.log" 2>&1; then
  pass=$((pass + 1)); tail -n 3 "$root/$rel/fuzz_dut.log"
else
  fail=$((fail + 1)); tail -n 60 "$root/$rel/fuzz_dut.log"
fi

echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
