#!/bin/sh
# Benchmark 3: online adaptation of the int8 MLPerf Tiny AD autoencoder (ad01_int8.tflite) by picoml's
# int8 training (sparse update + QAS). New normal = features + 6 dB + N(0, 1.5); anomalies = tilt +-8 dB, tones +20 dB.
# Rows: op 8 (FC 128->128); op 9 (FC 128->640, all of it: over 256 KB); op 9, first 25 % of its output
# channels (160 of 640, weights + bias); op 9, weights of the first 20 % (128) and every bias.
set -e
REPO=$(cd "$(dirname "$0")/../.." && pwd)
B=${BUILD:-/tmp/b-bench-ad}
cmake -S "$REPO" -B "$B" -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build "$B" -j2 --target picoml_cli >/dev/null
F=${FEATURES:-$REPO/../shared/data/normal_id_01_00000000_hist_librosa.bin}
for L in 8 9 9@0.25 9:w@0.2,9:b; do
  "$B/picoml" train "$REPO/models/ad01_int8.tflite" --ad-adapt "$F" --train $L --epochs 20 --batch 8 \
      --lr 0.001 --momentum 0.9 --seed 1 --json "$@"
done
