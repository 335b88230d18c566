#!/usr/bin/env python3
"""Pretrain the transfer-learning CNN (benchmark 2) with TensorFlow on Fashion-MNIST classes 0-4.

Writes
  models/train/fmnist_transfer_s8.tflite   full-integer quantized: int8 input / activations / output,
                                           per-channel int8 weights, int32 bias
  models/train/fmnist_transfer_f32.tflite  the same pretrained network in float32 (the float
                                           fine-tuning ceiling)

Network (28,421 parameters; no pooling, so that every op between the input and the loss has an
int8 backward in picoml):
  [1,28,28,1] -> CONV 3x3/2 1->16 SAME RELU -> CONV 3x3/2 16->32 SAME RELU -> CONV 3x3/2 32->64 SAME
  RELU -> RESHAPE [1,1024] -> FC 1024->5 -> SOFTMAX          op indices 0, 1, 2, 3, 4, 5

Pretraining: classes 0-4 (T-shirt, trouser, pullover, dress, coat), all 30,000 training images of
those classes, pixels scaled to [0, 1], Adam (lr 1e-3), batch 64, 4 epochs, seeded
(tf.keras.utils.set_random_seed + op determinism). The int8 model is calibrated on 500 of those
training images (pretraining data only: the new classes are unseen at deployment).

Head: one 5-way head. Fine-tuning (bench/train/fashion_mnist_transfer.sh) teaches the same head
the new task, classes 5-9 (sandal, shirt, sneaker, bag, ankle boot) with label c mapped to c - 5
(`picoml train ... --classes 5-9`): a new task of the same shape, so the pretrained graph is
fine-tuned as it is, without a new layer.

Data: /usr/share/datasets/fashion-mnist/*.gz (Debian package dataset-fashion-mnist).
Needs: tensorflow (-cpu; `sh scripts/install-deps.sh --tensorflow --datasets`), numpy; ai_edge_litert
(optional) checks the files.

    python3 scripts/gen_transfer_models.py              # pretrain, write both models
    python3 scripts/gen_transfer_models.py --epochs 2   # quicker, less accurate
Re-running it gives byte-identical files (TensorFlow 2.21, x86-64; other versions may round differently).
"""
from __future__ import annotations

import argparse
import gzip
import os
import sys
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DATA = Path("/usr/share/datasets/fashion-mnist")
SEED = 20241122


def load(prefix: str):
    with gzip.open(DATA / f"{prefix}-images-idx3-ubyte.gz", "rb") as f:
        img = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28, 1)
    with gzip.open(DATA / f"{prefix}-labels-idx1-ubyte.gz", "rb") as f:
        lab = np.frombuffer(f.read(), np.uint8, offset=8)
    return img.astype(np.float32) / np.float32(255.0), lab.astype(np.int64)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--out-dir", default=str(REPO / "models/train"))
    args = ap.parse_args()

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    tf.keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(2)

    xtr, ytr = load("train")
    xte, yte = load("t10k")
    sel, selt = ytr < 5, yte < 5
    xtr, ytr, xte, yte = xtr[sel], ytr[sel], xte[selt], yte[selt]

    L = tf.keras.layers

    def build(batch_size):
        return tf.keras.Sequential([
            tf.keras.Input((28, 28, 1), batch_size=batch_size),
            L.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
            L.Conv2D(32, 3, strides=2, padding="same", activation="relu"),
            L.Conv2D(64, 3, strides=2, padding="same", activation="relu"),
            L.Flatten(),
            L.Dense(5),
            L.Softmax(),
        ])

    model = build(None)
    model.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(xtr, ytr, batch_size=64, epochs=args.epochs, shuffle=True, verbose=2)
    _, acc = model.evaluate(xte, yte, verbose=0)
    print(f"pretrained (TensorFlow float) test accuracy, classes 0-4: {100 * acc:.2f}%")

    one = build(1)  # the exported graph: batch 1, static shapes
    one.set_weights(model.get_weights())
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)

    conv = tf.lite.TFLiteConverter.from_keras_model(one)
    f32 = conv.convert()
    (out / "fmnist_transfer_f32.tflite").write_bytes(f32)

    calib = xtr[np.random.default_rng(SEED).permutation(len(xtr))[:500]]

    def rep():
        for i in range(len(calib)):
            yield [calib[i:i + 1]]

    conv = tf.lite.TFLiteConverter.from_keras_model(one)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = rep
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    s8 = conv.convert()
    (out / "fmnist_transfer_s8.tflite").write_bytes(s8)
    print(f"wrote {out}/fmnist_transfer_f32.tflite ({len(f32)} B), fmnist_transfer_s8.tflite ({len(s8)} B)")

    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        return 0
    for name, data in (("f32", f32), ("s8", s8)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            it = Interpreter(model_content=data, num_threads=1)
        it.allocate_tensors()
        d, o = it.get_input_details()[0], it.get_output_details()[0]
        ops = [op["op_name"] for op in it._get_ops_details() if op["op_name"] != "DELEGATE"]
        n, correct = 2000, 0
        for i in range(n):
            x = xte[i:i + 1]
            if d["dtype"] == np.int8:
                s, z = d["quantization"]
                x = np.clip(np.round(x / s) + z, -128, 127).astype(np.int8)
            it.set_tensor(d["index"], x)
            it.invoke()
            correct += int(np.argmax(it.get_tensor(o["index"]))) == yte[i]
        print(f"LiteRT {name}: ops {ops}; test accuracy (first {n} of classes 0-4): {100 * correct / n:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
