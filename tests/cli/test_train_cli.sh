#!/bin/sh
# `picoml train` on IDX data and --ad-adapt, mechanics only (no accuracy): the --classes filter and remap, int8
# models, the --json object, the int8 write-back (same size, only trained bytes change, `picoml run`
# loads it), and one-line errors for bad options.
# usage: test_train_cli.sh path/to/picoml   (PML_REPO points at the repo)
PICOML=${1:?usage: test_train_cli.sh picoml}
REPO=${PML_REPO:-$(dirname "$0")/../..}
cd "$REPO" || exit 1
. tests/cli/cli_lib.sh
# json_num FILE KEY: the number after "KEY": in the one-line JSON object
json_num() { sed -n "s/.*\"$2\": *\([-0-9.e]*\).*/\1/p" "$1"; }

# A small IDX set: N 28x28 images (bytes of a committed model file: deterministic, varied), labels i % 10.
be32() { printf "\\$(printf %03o $(($1 >> 24 & 255)))\\$(printf %03o $(($1 >> 16 & 255)))\\$(printf %03o $(($1 >> 8 & 255)))\\$(printf %03o $(($1 & 255)))"; }
mkidx() { # PREFIX N
  n=$2
  { printf '\000\000\010\003'; be32 "$n"; be32 28; be32 28; head -c $((n * 784)) models/train/fmnist_mlp_f32.tflite; } \
    > "$tmp/$1-images-idx3-ubyte"
  { printf '\000\000\010\001'; be32 "$n"; i=0; while [ $i -lt "$n" ]; do printf "\\$(printf %03o $((i % 10)))"; i=$((i + 1)); done; } \
    > "$tmp/$1-labels-idx1-ubyte"
}
mkidx train 47   # classes 5-9: 22 images (4 decades of 5 + 45, 46)
mkidx t10k 31    # classes 5-9: 15 images
S8=models/train/fmnist_transfer_s8.tflite

# 1. int8 model, --classes 5-9, sparse update incl. bias-only layers, JSON
if "$PICOML" train "$S8" --data "$tmp" --classes 5-9 --train 0:b,1:b,2,4 --epochs 2 --batch 4 --lr 0.05 \
     --out "$tmp/s8.tflite" --json > "$tmp/j" 2> "$tmp/log"; then ok; else ko "train int8: $(cat "$tmp/log")"; fi
[ "$(wc -l < "$tmp/j")" -eq 1 ] && ok || ko "--json prints one line"
[ "$(json_num "$tmp/j" train_samples)" = 22 ] && ok || ko "--classes 5-9: 22 training samples, got $(json_num "$tmp/j" train_samples)"
[ "$(json_num "$tmp/j" test_samples)" = 15 ] && ok || ko "--classes 5-9: 15 test samples, got $(json_num "$tmp/j" test_samples)"
[ "$(json_num "$tmp/j" epochs)" = 2 ] && ok || ko "JSON epochs"
for k in test_accuracy initial_test_accuracy arena_bytes; do
  [ -n "$(json_num "$tmp/j" $k)" ] && ok || ko "JSON has no $k"
done
grep -q '"dtype": "int8", "qas": true' "$tmp/j" && ok || ko "JSON dtype/qas"
# values: biases of ops 0 (16) and 1 (32), weights + bias of op 2 (18,432 + 64) and op 4 (5,120 + 5)
[ "$(json_num "$tmp/j" trained_values)" = 23669 ] && ok || ko "trained_values $(json_num "$tmp/j" trained_values)"
# the same arena as the library reports for that configuration (ctest test_train_s8 checks it is exact)
grep -q "arena $(json_num "$tmp/j" arena_bytes) bytes" "$tmp/log" && ok || ko "log and JSON arena differ"

# 2. the written int8 model: same size, changed bytes only inside the trained tensors' data, picoml runs it
[ "$(wc -c < "$tmp/s8.tflite")" -eq "$(wc -c < "$S8")" ] && ok || ko "--out changes the file size"
ndiff=$(cmp -l "$S8" "$tmp/s8.tflite" | wc -l)
[ "$ndiff" -gt 0 ] && [ "$ndiff" -le $((16 * 4 + 32 * 4 + 18432 + 64 * 4 + 5120 + 5 * 4)) ] && ok \
  || ko "--out: $ndiff bytes differ"
head -c 784 "$tmp/t10k-images-idx3-ubyte" > "$tmp/x.bin"
"$PICOML" run "$tmp/s8.tflite" --input "$tmp/x.bin" --output "$tmp/y.bin" > /dev/null 2>&1 && ok || ko "picoml run on the written model"
[ "$(wc -c < "$tmp/y.bin")" -eq 5 ] && ok || ko "written model: 5 int8 outputs"
# training the written model once more for 0 epochs evaluates the same weights: its initial accuracy
# equals the final accuracy of the run that wrote it
"$PICOML" train "$tmp/s8.tflite" --data "$tmp" --classes 5-9 --train 4 --epochs 0 --json > "$tmp/j0" 2>/dev/null
[ "$(json_num "$tmp/j0" initial_test_accuracy)" = "$(json_num "$tmp/j" test_accuracy)" ] && ok \
  || ko "reloaded model scores $(json_num "$tmp/j0" initial_test_accuracy), trainer said $(json_num "$tmp/j" test_accuracy)"

# 3. --no-qas and the float model, class lists
"$PICOML" train "$S8" --data "$tmp" --classes 5-9 --train 4:b --no-qas --epochs 1 --json > "$tmp/j" 2>/dev/null \
  && grep -q '"qas": false' "$tmp/j" && [ "$(json_num "$tmp/j" trained_values)" = 5 ] && ok || ko "--no-qas, bias only"
"$PICOML" train models/train/fmnist_transfer_f32.tflite --data "$tmp" --classes 0,2,4-5 --epochs 1 --json \
  > "$tmp/j" 2>/dev/null && [ "$(json_num "$tmp/j" train_samples)" = 20 ] && grep -q '"dtype": "float32"' "$tmp/j" \
  && ok || ko "float model, --classes 0,2,4-5 (20 training samples)"

# partial channels: FC weights of ceil(0.4 * 5) = 2 units (2 x 1,024) and its 5 biases; @K counts
"$PICOML" train "$S8" --data "$tmp" --classes 5-9 --train 4:w@0.4,4:b --epochs 1 --json > "$tmp/j" 2>/dev/null \
  && [ "$(json_num "$tmp/j" trained_values)" = 2053 ] && ok || ko "--train 4:w@0.4,4:b: $(json_num "$tmp/j" trained_values) values"
"$PICOML" train "$S8" --data "$tmp" --classes 5-9 --train 2@16 --epochs 1 --json > "$tmp/j" 2>/dev/null \
  && [ "$(json_num "$tmp/j" trained_values)" = $((16 * 288 + 16)) ] && ok || ko "--train 2@16"

# 4. errors: one line, exit 1
expect_error 1 "6 channels, it has 5" -- "$PICOML" train "$S8" --data "$tmp" --train 4@6
expect_error 1 "after '@'" -- "$PICOML" train "$S8" --data "$tmp" --train 4@x
expect_error 1 "classes" -- "$PICOML" train "$S8" --data "$tmp" --classes 9-5
expect_error 1 "classes" -- "$PICOML" train "$S8" --data "$tmp" --classes 5,5
expect_error 1 "6 classes, the model has 5 outputs" -- "$PICOML" train "$S8" --data "$tmp" --classes 4-9
expect_error 1 "no training or no test sample" -- "$PICOML" train "$S8" --data "$tmp" --classes 200
expect_error 1 "cannot plan training" -- "$PICOML" train "$S8" --data "$tmp" --train 3

# 5. --ad-adapt (benchmark 3's mode) on synthetic log-mel-like frames: the JSON holds test_accuracy,
#    arena_bytes and epochs, and training lowers the new-normal reconstruction error
python3 -c "
import math, struct, sys
with open(sys.argv[1], 'wb') as f:
    for t in range(60):
        for b in range(128):
            f.write(struct.pack('<f', -40.0 + 12.0 * math.sin(0.05 * b + 0.3 * t) + 3.0 * math.cos(1.7 * b * t)))
" "$tmp/feat.bin"
if "$PICOML" train models/ad01_int8.tflite --ad-adapt "$tmp/feat.bin" --train 8 --epochs 5 --batch 8 --lr 0.001 \
     --momentum 0.9 --seed 1 --json > "$tmp/ad" 2> "$tmp/log"; then
  tail -n 1 "$tmp/ad" > "$tmp/j"
  acc=$(json_num "$tmp/j" test_accuracy); ar=$(json_num "$tmp/j" arena_bytes); ep=$(json_num "$tmp/j" epochs)
  nb=$(json_num "$tmp/j" normal_before); na=$(json_num "$tmp/j" normal_after)
  if [ -n "$acc" ] && [ "$ep" = 5 ] && [ "${ar:-0}" -gt 0 ] && \
     python3 -c "import sys; a, nb, na = map(float, sys.argv[1:]); sys.exit(0 if 0 <= a <= 1 and na < nb else 1)" "$acc" "$nb" "$na"
  then ok; else ko "--ad-adapt JSON: $(cat "$tmp/j")"; fi
else ko "--ad-adapt: $(cat "$tmp/log")"; fi

echo "train_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
