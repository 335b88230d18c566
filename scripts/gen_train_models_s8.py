#!/usr/bin/env python3
"""Generate the tiny int8 .tflite graphs the int8 (QAS) training tests use (flatbuffers written directly).

Writes
  tests/train/data/tiny_s8.tflite  int8 [1,4,4,2] -> CONV_2D 3x3 2->3 SAME RELU (per-channel int8 weights,
                                   int32 bias) -> RESHAPE [1,48] -> FULLY_CONNECTED 48->4 (per-channel) -> int8 [1,4]
  tests/train/data/tiny_dw_s8.tflite  a MobileNet / ResNet-style block: int8 [1,6,6,2] -> CONV_2D 1x1 2->4 RELU (a)
                                   -> DEPTHWISE_CONV_2D 3x3 SAME RELU (b, per-channel) -> ADD(a, b) -> AVERAGE_POOL_2D
                                   2x2 /2 -> RESHAPE [1,36] -> FULLY_CONNECTED 36->3 -> int8 [1,3]
  tests/train/data/tiny_dw_f32.tflite  its float32 twin on the dequantized weights / biases

Weights are random int8 from a fixed seed, scales are chosen by hand so activations use the int8 range.
Deterministic output.   python3 scripts/gen_train_models_s8.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_op_models import ACT, F32, I8, I32, OPT, SAME, VALID, Graph  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def tiny_s8() -> bytes:
    r = np.random.default_rng(20240505)
    g = Graph()
    x = g.inp("x", (1, 4, 4, 2), I8, scale=0.05, zp=-3)
    s_in = np.float32(0.05)
    cw_s = np.array([0.004, 0.006, 0.005], np.float32)
    cw = g.t("conv_w", (3, 3, 3, 2), I8, r.integers(-127, 128, (3, 3, 3, 2)), scale=cw_s, zp=0, qdim=0)
    cb = g.t("conv_b", (3,), I32, r.integers(-300, 300, 3), scale=s_in * cw_s, zp=0)
    a = g.t("conv_out", (1, 4, 4, 3), I8, scale=0.02, zp=-128)
    g.op("CONV_2D", [x, cw, cb], [a], OPT["CONV"], [(0, "b", SAME), (1, "i", 1), (2, "i", 1),
                                                    (3, "b", ACT["RELU"]), (4, "i", 1), (5, "i", 1)])
    st = g.t("shape", (2,), I32, np.array([1, 48], np.int32))
    h = g.t("flat", (1, 48), I8, scale=0.02, zp=-128)
    g.op("RESHAPE", [a, st], [h], OPT["RESHAPE"], [(0, "vi", [1, 48])])
    fw_s = np.array([0.003, 0.004, 0.0035, 0.005], np.float32)
    fw = g.t("fc_w", (4, 48), I8, r.integers(-127, 128, (4, 48)), scale=fw_s, zp=0, qdim=0)
    fb = g.t("fc_b", (4,), I32, r.integers(-2000, 2000, 4), scale=np.float32(0.02) * fw_s, zp=0)
    y = g.t("y", (1, 4), I8, scale=0.03, zp=5)
    g.op("FULLY_CONNECTED", [h, fw, fb], [y], OPT["FC"], [(0, "b", ACT["NONE"]), (1, "b", 0), (2, "b", 0), (3, "b", 0)])
    g.outputs = [y]
    return g.serialize("picoml int8 training test graph")


def tiny_dw(f32: bool = False) -> bytes:
    """f32: the same graph in float32 on the dequantized weights and biases (what the int8 graph
    computes before rounding), for comparing the int8 gradients with the float engine's."""
    r = np.random.default_rng(20261122)
    g = Graph()

    def T(name, shape, ttype, data=None, scale=None, zp=0, qdim=0):
        if not f32:
            return g.t(name, shape, ttype, data, scale=scale, zp=zp, qdim=qdim)
        if data is None:
            return g.t(name, shape, F32)
        if ttype == I32 and scale is None:  # RESHAPE's shape stays int32
            return g.t(name, shape, I32, data)
        sc = np.asarray(scale, np.float64).reshape([-1 if i == qdim else 1 for i in range(len(shape))])
        return g.t(name, shape, F32, (np.asarray(data, np.float64).reshape(shape) * sc).astype(np.float32))

    s_in = np.float32(0.05)
    x = T("x", (1, 6, 6, 2), I8, scale=s_in, zp=-3)
    g.inputs.append(x)
    cw_s = np.array([0.004, 0.005, 0.0045, 0.006], np.float32)
    cw = T("conv_w", (4, 1, 1, 2), I8, r.integers(-127, 128, (4, 1, 1, 2)), scale=cw_s, qdim=0)
    cb = T("conv_b", (4,), I32, r.integers(-500, 500, 4), scale=s_in * cw_s)
    s_a = np.float32(0.02)
    a = T("conv_out", (1, 6, 6, 4), I8, scale=s_a, zp=-128)
    g.op("CONV_2D", [x, cw, cb], [a], OPT["CONV"], [(0, "b", SAME), (1, "i", 1), (2, "i", 1),
                                                    (3, "b", ACT["RELU"]), (4, "i", 1), (5, "i", 1)])
    dw_s = np.array([0.01, 0.012, 0.009, 0.011], np.float32)
    dw = T("dw_w", (1, 3, 3, 4), I8, r.integers(-127, 128, (1, 3, 3, 4)), scale=dw_s, qdim=3)
    db = T("dw_b", (4,), I32, r.integers(-2000, 2000, 4), scale=s_a * dw_s)
    b = T("dw_out", (1, 6, 6, 4), I8, scale=0.03, zp=-128)
    g.op("DEPTHWISE_CONV_2D", [a, dw, db], [b], OPT["DW"], [(0, "b", SAME), (1, "i", 1), (2, "i", 1), (3, "i", 1),
                                                             (4, "b", ACT["RELU"]), (5, "i", 1), (6, "i", 1)])
    c = T("sum", (1, 6, 6, 4), I8, scale=0.05, zp=-128)
    g.op("ADD", [a, b], [c], OPT["ADD"], [(0, "b", ACT["NONE"])])
    d = T("pool", (1, 3, 3, 4), I8, scale=0.05, zp=-128)
    g.op("AVERAGE_POOL_2D", [c], [d], OPT["POOL"], [(0, "b", VALID), (1, "i", 2), (2, "i", 2), (3, "i", 2),
                                                     (4, "i", 2), (5, "b", 0)])
    st = T("shape", (2,), I32, np.array([1, 36], np.int32))
    h = T("flat", (1, 36), I8, scale=0.05, zp=-128)
    g.op("RESHAPE", [d, st], [h], OPT["RESHAPE"], [(0, "vi", [1, 36])])
    fw_s = np.array([0.004, 0.005, 0.0045], np.float32)
    fw = T("fc_w", (3, 36), I8, r.integers(-127, 128, (3, 36)), scale=fw_s, qdim=0)
    fb = T("fc_b", (3,), I32, r.integers(-3000, 3000, 3), scale=np.float32(0.05) * fw_s)
    y = T("y", (1, 3), I8, scale=0.08, zp=0)
    g.op("FULLY_CONNECTED", [h, fw, fb], [y], OPT["FC"], [(0, "b", ACT["NONE"]), (1, "b", 0), (2, "b", 0), (3, "b", 0)])
    g.outputs = [y]
    return g.serialize("picoml training test graph (depthwise, add, average pool)" + (" float twin" if f32 else ""))


def main() -> int:
    for name, fn in (("tiny_s8", tiny_s8), ("tiny_dw_s8", tiny_dw), ("tiny_dw_f32", lambda: tiny_dw(True))):
        out = REPO / f"tests/train/data/{name}.tflite"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(fn())
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
