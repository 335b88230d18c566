#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `picoml dut --pty` as the MLPerf Tiny runner sees it: tools/mlperf/dut_client.py opens the pty the
# way pyserial does (pyserial itself when installed), identifies the DUT, closes and reopens the
# port, loads a golden input in 31-byte db chunks, runs infer, and checks every reply line; the
# m-results values must equal `picoml run --json` on the same golden bytes (tools/mlperf/wire.py).
# usage: test_dut_pty.sh path/to/picoml     (PML_REPO points at the repository)
PICOML=${1:?usage: test_dut_pty.sh picoml}
REPO=${PML_REPO:-$(dirname "$0")/../..}
cd "$REPO" || exit 1
if ! command -v python3 > /dev/null; then echo "test_dut_pty: no python3, skipped"; echo "test_dut_pty: 0 passed, 0 failed"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
for pair in kws01:kws_ref_model vww01:vww_96_int8 ic01:pretrainedResnet_quant ad01:ad01_int8; do
  b=${pair%%:*}; m=${pair#*:}
  "$PICOML" info "models/$m.tflite" --json > "$tmp/info.json" || { fail=$((fail + 1)); continue; }
  sz=$(python3 -c "import json,sys; i=json.load(open(sys.argv[1]))['inputs'][0]; print(i['scale'], i['zero_point'])" "$tmp/info.json")
  for k in 0 1; do
    gold=tests/data/golden/$m.$k.input.bin
    python3 tools/mlperf/wire.py wire "$b" "$gold" "$tmp/$b.$k.bin" --scale "${sz% *}" --zero-point "${sz#* }"
    "$PICOML" run "models/$m.tflite" --input "$gold" --json > "$tmp/run.json"
    want=$(python3 tools/mlperf/wire.py expect "$b" "$tmp/run.json" "$tmp/$b.$k.bin")
    extra=""
    [ "$k" = 0 ] && extra="--garbage"
    if python3 tools/mlperf/dut_client.py --pty-cmd "$PICOML dut --model models/$m.tflite --benchmark $b --pty" \
         --input "$tmp/$b.$k.bin" --infer "2 1" --model "$b" $extra > "$tmp/client.txt" 2> "$tmp/client.err"; then
      got=$(sed -n 's/^results [^ ]* //p' "$tmp/client.txt")
      if [ "$got" = "$want" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $b input $k: dut '$got' vs picoml run '$want'"; fi
    else
      fail=$((fail + 1)); echo "FAIL $b input $k: protocol"; cat "$tmp/client.err" "$tmp/client.txt"
    fi
  done
done
# --repeat K: same results, K invocations per requested inference (the window grows about K times)
g=tests/data/golden/kws_ref_model.0.input.bin
# (a timing check: the --repeat 1 window is the smaller of three runs, so a busy machine cannot inflate it)
for i in 1 2 3; do
  python3 tools/mlperf/dut_client.py --pty-cmd "$PICOML dut --model models/kws_ref_model.tflite --benchmark kws01 --pty" \
    --input "$g" --infer "20 0" > "$tmp/r1.$i.txt" 2>/dev/null
done
u1=$(awk '$1=="window" {print $3}' "$tmp/r1.1.txt" "$tmp/r1.2.txt" "$tmp/r1.3.txt" | sort -n | head -n1)
cp "$tmp/r1.1.txt" "$tmp/r1.txt"
python3 tools/mlperf/dut_client.py --pty-cmd "$PICOML dut --model models/kws_ref_model.tflite --benchmark kws01 --pty --repeat 10" \
  --input "$g" --infer "20 0" > "$tmp/r10.txt" 2>/dev/null
u10=$(awk '$1=="window" {print $3}' "$tmp/r10.txt")
if [ -n "$u1" ] && [ -n "$u10" ] && [ "$u10" -gt $((u1 * 4)) ] && \
   [ "$(grep '^results' "$tmp/r1.txt")" = "$(grep '^results' "$tmp/r10.txt")" ]; then pass=$((pass + 1))
else fail=$((fail + 1)); echo "FAIL --repeat 10: window $u10 us vs $u1 us at --repeat 1, or results differ"; fi
# tools/mlperf/run_runner.py: the runner's port scan and usb lookup redirected to the pty, run against a
# stand-in runner (tests/dut/runner_stub; needs pyserial and PyYAML, as the runner does)
if python3 -c "import serial, yaml" 2> /dev/null; then
  if python3 tools/mlperf/run_runner.py --runner tests/dut/runner_stub --picoml "$PICOML" --model models/kws_ref_model.tflite \
       --benchmark kws01 -- -i "$PWD/tests/data/golden/kws_ref_model.0.input.bin" > "$tmp/runner.txt" 2>&1 \
     && grep -q "^name picoml model kws01" "$tmp/runner.txt" \
     && grep -q "^results \[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.992, 0.0, 0.008\]" "$tmp/runner.txt"; then
    pass=$((pass + 1))
  else fail=$((fail + 1)); echo "FAIL run_runner.py against the runner stand-in"; cat "$tmp/runner.txt"; fi
else
  echo "test_dut_pty: pyserial or PyYAML missing: run_runner.py not tested"
fi
# usage errors: one line on stderr, exit 2
"$PICOML" dut --model models/kws_ref_model.tflite --benchmark kws99 > /dev/null 2> "$tmp/err"; rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL bad --benchmark: exit $rc"; fi
"$PICOML" dut --model models/kws_ref_model.tflite --benchmark ic01 < /dev/null > /dev/null 2> "$tmp/err"; rc=$?
if [ $rc -eq 1 ] && grep -q "input 0" "$tmp/err"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL model/benchmark mismatch: exit $rc"; fi
echo "test_dut_pty: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
