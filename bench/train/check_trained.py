#!/usr/bin/env python3
"""Check a model written by `picoml train`: LiteRT loads it and computes its test accuracy (first
2,000 test images of the classes used), and `picoml run` (picoml's interpreter) gives the same class
as LiteRT on 50 of them (int8 models: the same int8 output vector, bit for bit, on all 50, against
LiteRT's reference kernels; its default XNNPACK kernels round some int8 results differently).
usage: check_trained.py MODEL.tflite IDX_DIR PICOML [--classes 5-9]
--classes as `picoml train`: only those labels, mapped to 0, 1, ... in order."""
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np

model, data, picoml = sys.argv[1:4]
classes = None
if len(sys.argv) > 5 and sys.argv[4] == "--classes":
    classes = []
    for part in sys.argv[5].split(","):
        a, _, b = part.partition("-")
        classes += list(range(int(a), int(b or a) + 1))
N = 2000
img = np.fromfile(os.path.join(data, "t10k-images-idx3-ubyte"), np.uint8, offset=16).reshape(-1, 28 * 28)
lab = np.fromfile(os.path.join(data, "t10k-labels-idx1-ubyte"), np.uint8, offset=8).astype(np.int64)
if classes is not None:
    keep = np.isin(lab, classes)
    img, lab = img[keep], lab[keep]
    remap = {c: i for i, c in enumerate(classes)}
    lab = np.array([remap[int(v)] for v in lab], np.int64)
img, lab = img[:N], lab[:N]
x = img.astype(np.float32) * np.float32(1.0 / 255.0)
try:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
except ImportError:
    Interpreter = None


def quantize(v, d):
    """The input as the model takes it (int8: the same rounding as picoml train)."""
    if d["dtype"] == np.int8:
        s, z = d["quantization"]
        return np.clip(np.round(v / np.float32(s)) + z, -128, 127).astype(np.int8)
    return v


outs = []
if Interpreter is not None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        it = Interpreter(model_path=model, num_threads=1)
        it.allocate_tensors()
        if it.get_input_details()[0]["dtype"] == np.int8:
            it = Interpreter(model_path=model, num_threads=1, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    d, o = it.get_input_details()[0], it.get_output_details()[0]
    pred = []
    for i in range(len(x)):
        it.set_tensor(d["index"], quantize(x[i], d).reshape(d["shape"]))
        it.invoke()
        y = it.get_tensor(o["index"]).reshape(-1).copy()
        outs.append(y)
        pred.append(int(np.argmax(y)))
    acc_litert = float(np.mean(np.array(pred) == lab))
    print(f"check: LiteRT loads {model}; test accuracy on the first {len(x)} images: {100 * acc_litert:.2f}%")
    in_dtype = d["dtype"]
    in_q = d
else:
    in_dtype, in_q = np.float32, {"dtype": np.float32}
# picoml run on a few images: same argmax (int8: the same output bytes) as LiteRT
agree = 0
K = 50
with tempfile.TemporaryDirectory() as td:
    for i in range(K):
        p = os.path.join(td, "x.bin")
        quantize(x[i], in_q).tofile(p)
        out = os.path.join(td, "y.bin")
        subprocess.run([picoml, "run", model, "--input", p, "--output", out], check=True, stdout=subprocess.DEVNULL)
        y = np.fromfile(out, np.int8 if in_dtype == np.int8 else np.float32)
        if Interpreter is None:
            agree += 1
        elif in_dtype == np.int8:
            agree += int(np.array_equal(y, outs[i]))
        else:
            agree += int(np.argmax(y)) == pred[i]
what = "the same int8 output" if in_dtype == np.int8 else "the same class"
print(f"check: picoml run and LiteRT give {what} on {agree}/{K} test images")
sys.exit(0 if agree == K else 1)
