#!/usr/bin/env python3
"""Convert small Keras models that use the ops Keras users commonly add with the TFLite converter.

Writes tests/data/keras/<name>.tflite (TensorFlow's own converter output, so the op options, masks
and quantization are what users get, not what scripts/gen_op_models.py writes by hand):

  keras_mix_i8    full-integer int8 (int8 input and output, representative dataset of 32 seeded
                  uniform samples): CONV_2D -> HARD_SWISH -> LEAKY_RELU -> PRELU (shared H, W axes)
                  -> MAXIMUM / MINIMUM (a clip) -> STRIDED_SLICE ([:, 1:-1, ::2, :]) -> TRANSPOSE
                  (NHWC -> NCHW) -> EXPAND_DIMS (the converter writes a RESHAPE)
  keras_mix_f32   the same network in float32

scripts/gen_op_models.py then runs each through LiteRT and writes its fixtures into
tests/data/ops, so tests/golden/test_ops.c checks every op of these graphs like the single-op
cases. Needs TensorFlow (tensorflow-cpu); run from anywhere:
    python3 scripts/gen_keras_models.py
Weights come from tf.keras.utils.set_random_seed(7); the converter's output for a given TF
version is deterministic.
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "keras"


def mix_model():
    tf.keras.utils.set_random_seed(7)
    inp = tf.keras.Input((8, 8, 3), batch_size=1)
    x = tf.keras.layers.Conv2D(8, 3, padding="same")(inp)
    x = tf.keras.layers.Activation("hard_swish")(x)
    x = tf.keras.layers.LeakyReLU(0.1)(x)
    prelu = tf.keras.layers.PReLU(shared_axes=[1, 2])
    x = prelu(x)
    prelu.set_weights([np.linspace(-0.3, 0.4, 8, dtype=np.float32).reshape(1, 1, 8)])
    x = tf.keras.layers.Lambda(lambda t: tf.minimum(tf.maximum(t, -0.5), 2.0))(x)
    x = tf.keras.layers.Lambda(lambda t: t[:, 1:-1, ::2, :])(x)
    x = tf.keras.layers.Lambda(lambda t: tf.transpose(t, [0, 3, 1, 2]))(x)
    x = tf.keras.layers.Lambda(lambda t: tf.expand_dims(t, 1))(x)
    return tf.keras.Model(inp, x)


def representative():
    rng = np.random.default_rng(20261122)
    for _ in range(32):
        yield [rng.uniform(-1.0, 1.0, (1, 8, 8, 3)).astype(np.float32)]


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    m = mix_model()
    c = tf.lite.TFLiteConverter.from_keras_model(m)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    c.representative_dataset = representative
    c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    c.inference_input_type = tf.int8
    c.inference_output_type = tf.int8
    (OUT / "keras_mix_i8.tflite").write_bytes(c.convert())
    (OUT / "keras_mix_f32.tflite").write_bytes(tf.lite.TFLiteConverter.from_keras_model(m).convert())
    print(f"wrote keras_mix_i8.tflite, keras_mix_f32.tflite to {OUT} (TensorFlow {tf.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
