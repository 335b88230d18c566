#!/bin/sh
# Benchmark 2: transfer learning on int8. A CNN pretrained (TensorFlow, scripts/gen_transfer_models.py)
# on Fashion-MNIST classes 0-4 is fine-tuned by picoml on classes 5-9 (label c -> output c - 5, the
# same 5-way head). From a fresh checkout:
#   sh bench/train/fashion_mnist_transfer.sh          # installs dataset-fashion-mnist if missing
# Rows (each one `picoml train ... --json`; int8 rows must fit a 256 KB training arena):
#   before     the pretrained int8 model on classes 5-9, untrained (initial_test_accuracy)
#   last       int8, last layer only (FC weights + bias, op 4), QAS
#   sparse     int8 sparse update: biases of CONV 0 and CONV 1, weights + bias of CONV 2 and FC, QAS
#   sparse-noqas  the same without quantization-aware scaling
#   sparse-half   int8: biases of CONV 0-2, weights of the first 32 of CONV 2's 64 filters, FC, QAS
#   int8-all   int8, every layer (for reference: needs more than 256 KB)
#   float-all  float32 model, every layer (the ceiling)
# Same data and schedule for every row: EPOCHS (3) epochs of LIMIT (10000) shuffled training images
# out of the 30,000 of classes 5-9 (a new draw each epoch), batch 32, SGD lr 0.02 momentum 0.9,
# cosine decay, seed 1; test accuracy on all 5,000 test images of classes 5-9.
# Environment: EPOCHS, LIMIT, LR, BUILD (build-train-bench), OUT (bench/train/out-transfer)
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
EPOCHS=${EPOCHS:-3}
LIMIT=${LIMIT:-10000}
LR=${LR:-0.02}
BUILD=${BUILD:-build-train-bench}
OUT=${OUT:-bench/train/out-transfer}
. bench/train/fmnist_common.sh
fmnist_setup fashion_mnist_transfer
mkdir -p "$OUT"
S8=models/train/fmnist_transfer_s8.tflite
F32=models/train/fmnist_transfer_f32.tflite
row() { # name model layers [extra flags]
  name=$1 model=$2 layers=$3
  shift 3
  echo "== $name: picoml train $model --data DIR --classes 5-9 --train $layers $* --epochs $EPOCHS --limit $LIMIT" \
       "--batch 32 --lr $LR --momentum 0.9 --schedule cosine --seed 1 --json" >&2
  "$BUILD/picoml" train "$model" --data "$tmp" --classes 5-9 --train "$layers" "$@" --epochs "$EPOCHS" \
    --limit "$LIMIT" --batch 32 --lr "$LR" --momentum 0.9 --schedule cosine --seed 1 \
    --out "$OUT/$name.tflite" --json > "$OUT/$name.json"
}
row last "$S8" 4
row sparse "$S8" 0:b,1:b,2,4
row sparse-noqas "$S8" 0:b,1:b,2,4 --no-qas
row sparse-half "$S8" 0:b,1:b,2:b,2:w@0.5,4
row int8-all "$S8" all
row float-all "$F32" all
python3 - "$OUT" "$EPOCHS" <<'EOF'
import json, sys
out = sys.argv[1]
rows = [("before", "last", "pretrained int8 model, no training"),
        ("last", "last", "int8, last layer (op 4 W+b), QAS"),
        ("sparse", "sparse", "int8 sparse: bias 0,1 + W+b 2,4, QAS"),
        ("sparse-noqas", "sparse-noqas", "int8 sparse: bias 0,1 + W+b 2,4, no QAS"),
        ("sparse-half", "sparse-half", "int8 sparse: bias 0,1,2 + W of 32/64 filters of 2 + W+b 4, QAS"),
        ("int8-all", "int8-all", "int8, all layers, QAS"),
        ("float-all", "float-all", "float32, all layers (ceiling)")]
print("| row | test accuracy (5,000 images, classes 5-9) | arena bytes | <= 256 KB | trained values | epochs |")
print("|---|---:|---:|:-:|---:|---:|")
for name, src, label in rows:
    j = json.load(open(f"{out}/{src}.json"))
    before = name == "before"
    acc = j["initial_test_accuracy"] if before else j["test_accuracy"]
    arena = "-" if before else f'{j["arena_bytes"]:,}'
    fits = "-" if before or j["dtype"] != "int8" else ("yes" if j["arena_bytes"] <= 262144 else "no")
    vals = "0" if before else f'{j["trained_values"]:,}'
    ep = 0 if before else j["epochs"]
    print(f"| {label} | {100 * acc:.2f} % | {arena} | {fits} | {vals} | {ep} |")
EOF
# the written models are valid .tflite files: LiteRT loads them, picoml run agrees (int8: bit-exact)
python3 bench/train/check_trained.py "$OUT/sparse.tflite" "$tmp" "$BUILD/picoml" --classes 5-9
python3 bench/train/check_trained.py "$OUT/float-all.tflite" "$tmp" "$BUILD/picoml" --classes 5-9
