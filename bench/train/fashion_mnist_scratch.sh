#!/bin/sh
# Benchmark 1 of issue 5: a small CNN trained from scratch on Fashion-MNIST entirely by picoml's C
# code (pml_train), with a training arena <= 256 KB. From a fresh checkout:
#   sh bench/train/fashion_mnist_scratch.sh            # installs dataset-fashion-mnist if missing
# Environment: EPOCHS (5), BATCH (32), LR (0.03), MOMENTUM (0.9), BUILD (build-train-bench), OUT (bench/train/out)
# Writes OUT/fmnist_cnn_trained.tflite, OUT/curve.svg, OUT/result.json; prints the JSON result.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
EPOCHS=${EPOCHS:-5}
BATCH=${BATCH:-32}
LR=${LR:-0.03}
MOMENTUM=${MOMENTUM:-0.9}
BUILD=${BUILD:-build-train-bench}
OUT=${OUT:-bench/train/out}
. bench/train/fmnist_common.sh
fmnist_setup fashion_mnist_scratch
mkdir -p "$OUT"
"$BUILD/picoml" train models/train/fmnist_cnn_f32.tflite --data "$tmp" --epochs "$EPOCHS" --batch "$BATCH" \
  --lr "$LR" --momentum "$MOMENTUM" --schedule cosine --seed 1 \
  --out "$OUT/fmnist_cnn_trained.tflite" --curve "$OUT/curve.svg" --json > "$OUT/result.json"
cat "$OUT/result.json"
# the trained model is a valid .tflite: picoml runs it, and LiteRT (if installed) agrees on test images
python3 bench/train/check_trained.py "$OUT/fmnist_cnn_trained.tflite" "$tmp" "$BUILD/picoml" || exit 1
