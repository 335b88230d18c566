#!/usr/bin/env python3
"""Generate single-op (and a few two/three-op) .tflite models with LiteRT reference outputs.

What it makes
-------------
For every case in CASES (see build_cases) it writes, under tests/data/ops/:

  <case>.tflite            a small model built here directly as a flatbuffer (no TensorFlow)
  <case>.<k>.tensors.bin   k = 0, 1: every non-constant tensor of subgraph 0 (graph inputs, every
                           op output) after one inference of a seeded random input with the LiteRT
                           interpreter's reference kernels (OpResolverType.BUILTIN_REF, one thread,
                           all tensors preserved, a fresh interpreter per inference)
  CASES.txt                one line per case: "<case> <description>"; '#' lines hold the tool
                           versions and the format; tests/golden/test_ops.c reads this list

The .tensors.bin format is the one of tests/data/litert (scripts/gen_fixtures.py), little-endian:
    char[4] "PMLT"; u32 version = 1; u32 record_count;
    record_count x { i32 tensor_index; u32 tflite_type; u32 nbytes; u8 data[nbytes] }
records in increasing tensor-index order; a tensor is constant (left out) when its buffer has data.

Quantization is what the TFLite converter writes: int8 activations with nonzero zero points
(ranges calibrated by running a float copy of the model, with the dequantized weights, on the
dequantized inputs), symmetric int8 weights per channel (quantized_dimension 0 for CONV_2D and
FULLY_CONNECTED, 3 for DEPTHWISE_CONV_2D) or per tensor, int32 bias with scale in_scale*w_scale[c]
(formed in float32) and zero point 0. int8 pools keep the input quantization; int8 softmax outputs
have scale 1/256 and zero point -128. Hybrid cases have float activations, int8 symmetric weights and
float bias (TF's dynamic-range quantization).

Inputs: k = 0 is uniform over the whole range (int8: every code -128..127; float: the calibrated
range, a little beyond it for QUANTIZE so that clamping is exercised), k = 1 is normal around the
middle of the range (int8 softmax: spread by ~3 real units). "gain" cases (requantization scale > 1)
put the inputs mostly on the zero point so that some outputs stay unsaturated. Everything comes from
one numpy Generator per case, seeded with the first 8 bytes of sha256("<case>:w").

No-bias CONV_2D / DEPTHWISE_CONV_2D cases are written with bias input index -1 (as the converter
does), but LiteRT refuses an absent bias there ("Tensor at index 2 was optional but was expected";
CONV_2D also refuses a 2-input op). Their references come from the same graph plus an all-zero
constant bias appended as the last tensor (so every other tensor index is unchanged): adding zero is
exact in every dtype. One DEPTHWISE_CONV_2D case uses the 2-input form, which LiteRT runs directly.

LiteRT accepted every combination listed here. Hybrid CONV_2D with per-channel weight scales that
are not all equal, and every hybrid DEPTHWISE_CONV_2D, run TFLite's EvalHybridPerChannel (the input
quantized asymmetrically per batch); a per-channel CONV_2D whose scales are all equal runs the
symmetric per-tensor path (TFLite's conv.cc checks for distinct scales), and so does its case here.
TFLite's DW hybrid accepts a per-tensor scale only for one output channel (see its case).

Data-movement cases (STRIDED_SLICE, TRANSPOSE) also check LiteRT's output against numpy's slicing /
transpose of the same input (Graph.check), so a case whose parameters do not mean what its numpy
index says fails here instead of producing a wrong fixture.

Converter-made models (KERAS_CASES): tests/data/keras/*.tflite, written by TensorFlow's converter
(scripts/gen_keras_models.py, the one script here that needs TensorFlow), copied unchanged and run
like the other cases (int8 inputs: every code uniformly, then normal; float inputs in [-1, 1]).

Hostile models (REJECTS): well-formed flatbuffers with parameters picoml must refuse (strided-slice
begin out of range, stride 0, transpose perm repeated, ...), written as reject_<name>.tflite and
listed with the status pml_interp_arena_size must return in REJECTS.txt; never run through LiteRT.

Run from anywhere (needs ai-edge-litert, numpy, flatbuffers, tflite; not TensorFlow):
    python3 scripts/gen_op_models.py            # writes tests/data/ops
    python3 scripts/gen_op_models.py --check    # regenerate in memory, compare with the files
Output is deterministic (byte-identical on re-run with the same tool versions).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import os
import platform
import struct
import sys
import warnings
from pathlib import Path

import flatbuffers
import numpy as np
import tflite
from ai_edge_litert.interpreter import Interpreter, OpResolverType

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "tests" / "data" / "ops"
MAGIC = b"PMLT"
VERSION = 1
N_INPUTS = 2
SIZE_LIMIT = 2 * 1024 * 1024

# TFLite schema values
F32, I32, I64, I8 = 0, 2, 4, 9
NP_OF = {F32: np.dtype("<f4"), I32: np.dtype("<i4"), I64: np.dtype("<i8"), I8: np.dtype("i1")}
OP = dict(ADD=0, AVERAGE_POOL_2D=1, CONV_2D=3, DEPTHWISE_CONV_2D=4, DEQUANTIZE=6, FULLY_CONNECTED=9,
          MAX_POOL_2D=17, RESHAPE=22, SOFTMAX=25, QUANTIZE=114, CONCATENATION=2, LOGISTIC=14, MUL=18, RELU=19,
          RELU_N1_TO_1=20, RELU6=21, TANH=28, PAD=34, MEAN=40, SUB=41, PADV2=60, TRANSPOSE=39,
          STRIDED_SLICE=45, PRELU=54, MAXIMUM=55, MINIMUM=57, EXPAND_DIMS=70, LEAKY_RELU=98, HARD_SWISH=117)
OPT = dict(CONV=1, DW=2, POOL=5, FC=8, SOFTMAX=9, ADD=11, RESHAPE=17, DEQUANTIZE=38, QUANTIZE=89,
           CONCATENATION=10, MUL=21, PAD=22, REDUCER=27, SUB=28, PADV2=43, TRANSPOSE=26, STRIDED_SLICE=32,
           MAXIMUM=39, MINIMUM=39, EXPAND_DIMS=52, LEAKY_RELU=75, HARD_SWISH=91)
SAME, VALID = 0, 1
ACT = dict(NONE=0, RELU=1, RELU_N1_TO_1=2, RELU6=3)


def seed_of(s: str) -> int:
    return int.from_bytes(hashlib.sha256(s.encode()).digest()[:8], "little")


def f32(x) -> float:
    return float(np.float32(x))


# ------------------------------------------------------------------------------------------ graph


class Graph:
    """A one-subgraph model: tensors, ops, and how to serialize it."""

    def __init__(self):
        self.tensors = []  # dict(name, shape, type, data, scale, zp, qdim)
        self.ops = []  # (opcode, inputs, outputs, opt_type, opt_fields)
        self.inputs, self.outputs = [], []
        self.ref = None  # equivalent graph LiteRT runs instead (see conv_like), or None
        self.check = None  # optional f(values, inputs) -> bool cross-check of LiteRT against numpy

    def t(self, name, shape, ttype, data=None, scale=None, zp=None, qdim=0):
        if data is not None:
            data = np.ascontiguousarray(np.asarray(data).astype(NP_OF[ttype]).reshape(shape))
        if scale is not None:
            scale = [f32(s) for s in np.atleast_1d(scale)]
            zp = [int(z) for z in np.atleast_1d(zp if zp is not None else 0)]
            if len(zp) == 1 and len(scale) > 1:
                zp = zp * len(scale)
        self.tensors.append(dict(name=name, shape=tuple(int(d) for d in shape), type=ttype, data=data,
                                 scale=scale, zp=zp, qdim=qdim))
        return len(self.tensors) - 1

    def inp(self, *a, **kw):
        i = self.t(*a, **kw)
        self.inputs.append(i)
        return i

    def op(self, code, ins, outs, opt_type=None, fields=()):
        """fields: (slot, kind, value), kind in b (int8/uint8/bool), i (int32), f (float32), vi (int32 vector)."""
        self.ops.append((OP[code], list(ins), list(outs), opt_type, list(fields)))

    # ---- flatbuffer writer (slots from the TFLite schema; checked against the tflite bindings)
    def serialize(self, description: str) -> bytes:
        b = flatbuffers.Builder(4096)
        b.ForceDefaults(True)

        def ivec(vals, esize=4, fmt="i"):
            b.StartVector(esize, len(vals), esize)
            for v in reversed(vals):
                {"i": b.PrependInt32, "f": b.PrependFloat32, "q": b.PrependInt64}[fmt](v)
            return b.EndVector()

        def table(fields):
            pre = {}
            for slot, kind, v in fields:
                if kind == "vi":
                    pre[slot] = ivec(list(v))
            b.StartObject(max([s for s, _, _ in fields], default=-1) + 1)
            for slot, kind, v in fields:
                if kind == "b":
                    b.PrependInt8Slot(slot, int(v), 0)
                elif kind == "i":
                    b.PrependInt32Slot(slot, int(v), 0)
                elif kind == "f":
                    b.PrependFloat32Slot(slot, float(v), 0.0)
                elif kind == "vi":
                    b.PrependUOffsetTRelativeSlot(slot, pre[slot], 0)
            return b.EndObject()

        # buffers: 0 is the empty sentinel, then one per tensor (empty unless constant)
        buf_offs = []
        for td in [None] + self.tensors:
            data_off = None
            if td is not None and td["data"] is not None:
                raw = td["data"].tobytes()
                b.StartVector(1, len(raw), 16)
                b.head = b.head - len(raw)
                b.Bytes[b.head:b.head + len(raw)] = raw
                data_off = b.EndVector()
            b.StartObject(3)
            if data_off is not None:
                b.PrependUOffsetTRelativeSlot(0, data_off, 0)
            buf_offs.append(b.EndObject())

        t_offs = []
        for i, td in enumerate(self.tensors):
            name = b.CreateString(td["name"])
            shape = ivec(list(td["shape"]))
            q = None
            if td["scale"] is not None:
                sc = ivec(td["scale"], 4, "f")
                zp = ivec(td["zp"], 8, "q")
                b.StartObject(7)
                b.PrependUOffsetTRelativeSlot(2, sc, 0)
                b.PrependUOffsetTRelativeSlot(3, zp, 0)
                b.PrependInt32Slot(6, td["qdim"], 0)
                q = b.EndObject()
            b.StartObject(10)
            b.PrependUOffsetTRelativeSlot(0, shape, 0)
            b.PrependInt8Slot(1, td["type"], 0)
            b.PrependUint32Slot(2, i + 1, 0)
            b.PrependUOffsetTRelativeSlot(3, name, 0)
            if q is not None:
                b.PrependUOffsetTRelativeSlot(4, q, 0)
            t_offs.append(b.EndObject())

        codes = sorted({o[0] for o in self.ops})
        op_offs = []
        for code, ins, outs, opt_type, fields in self.ops:
            iv, ov = ivec(ins), ivec(outs)
            opt = table(fields) if opt_type is not None else None
            b.StartObject(5)
            b.PrependUint32Slot(0, codes.index(code), 0)
            b.PrependUOffsetTRelativeSlot(1, iv, 0)
            b.PrependUOffsetTRelativeSlot(2, ov, 0)
            if opt is not None:
                b.PrependUint8Slot(3, opt_type, 0)
                b.PrependUOffsetTRelativeSlot(4, opt, 0)
            op_offs.append(b.EndObject())

        def tvec(offs):
            b.StartVector(4, len(offs), 4)
            for o in reversed(offs):
                b.PrependUOffsetTRelative(o)
            return b.EndVector()

        tensors_v, ops_v = tvec(t_offs), tvec(op_offs)
        in_v, out_v = ivec(self.inputs), ivec(self.outputs)
        sg_name = b.CreateString("main")
        b.StartObject(5)
        b.PrependUOffsetTRelativeSlot(0, tensors_v, 0)
        b.PrependUOffsetTRelativeSlot(1, in_v, 0)
        b.PrependUOffsetTRelativeSlot(2, out_v, 0)
        b.PrependUOffsetTRelativeSlot(3, ops_v, 0)
        b.PrependUOffsetTRelativeSlot(4, sg_name, 0)
        sg = b.EndObject()

        oc_offs = []
        for code in codes:
            b.StartObject(4)
            b.PrependInt8Slot(0, min(code, 127), 0)
            b.PrependInt32Slot(2, 1, 0)
            b.PrependInt32Slot(3, code, 0)
            oc_offs.append(b.EndObject())
        oc_v, sg_v, bufs_v = tvec(oc_offs), tvec([sg]), tvec(buf_offs)
        desc = b.CreateString(description)
        b.StartObject(8)
        b.PrependUint32Slot(0, 3, 0)
        b.PrependUOffsetTRelativeSlot(1, oc_v, 0)
        b.PrependUOffsetTRelativeSlot(2, sg_v, 0)
        b.PrependUOffsetTRelativeSlot(3, desc, 0)
        b.PrependUOffsetTRelativeSlot(4, bufs_v, 0)
        model = b.EndObject()
        b.Finish(model, file_identifier=b"TFL3")
        return bytes(b.Output())


def readback_check(g: Graph, blob: bytes) -> None:
    """Parse the flatbuffer with the tflite bindings and compare with the Graph."""
    m = tflite.Model.GetRootAsModel(blob, 0)
    assert m.Version() == 3 and m.SubgraphsLength() == 1
    sg = m.Subgraphs(0)
    assert sg.TensorsLength() == len(g.tensors)
    for i, td in enumerate(g.tensors):
        t = sg.Tensors(i)
        assert t.Name().decode() == td["name"] and t.Type() == td["type"]
        assert tuple(t.ShapeAsNumpy()) == td["shape"], (td["name"], t.ShapeAsNumpy())
        buf = m.Buffers(t.Buffer())
        if td["data"] is not None:
            assert buf.DataAsNumpy().tobytes() == td["data"].tobytes()
            assert (buf.DataAsNumpy().ctypes.data - np.frombuffer(blob, np.uint8).ctypes.data) % 16 == 0
        else:
            assert buf.DataLength() == 0
        q = t.Quantization()
        if td["scale"] is not None:
            assert [f32(s) for s in q.ScaleAsNumpy()] == td["scale"]
            assert [int(z) for z in q.ZeroPointAsNumpy()] == td["zp"]
            assert q.QuantizedDimension() == td["qdim"]
    for i, (code, ins, outs, opt_type, fields) in enumerate(g.ops):
        o = sg.Operators(i)
        oc = m.OperatorCodes(o.OpcodeIndex())
        assert oc.BuiltinCode() == code
        assert list(o.InputsAsNumpy()) == ins and list(o.OutputsAsNumpy()) == outs
        if opt_type is None:
            continue
        assert o.BuiltinOptionsType() == opt_type
        tab = o.BuiltinOptions()
        names = {OPT["CONV"]: tflite.Conv2DOptions, OPT["DW"]: tflite.DepthwiseConv2DOptions,
                 OPT["POOL"]: tflite.Pool2DOptions, OPT["FC"]: tflite.FullyConnectedOptions,
                 OPT["SOFTMAX"]: tflite.SoftmaxOptions, OPT["ADD"]: tflite.AddOptions,
                 OPT["RESHAPE"]: tflite.ReshapeOptions, OPT["CONCATENATION"]: tflite.ConcatenationOptions,
                 OPT["MUL"]: tflite.MulOptions, OPT["REDUCER"]: tflite.ReducerOptions, OPT["SUB"]: tflite.SubOptions,
                 OPT["STRIDED_SLICE"]: tflite.StridedSliceOptions, OPT["LEAKY_RELU"]: tflite.LeakyReluOptions}
        if opt_type in names:
            obj = names[opt_type]()
            obj.Init(tab.Bytes, tab.Pos)
            for slot, kind, v in fields:  # raw slot read through the table
                off = obj._tab.Offset(4 + 2 * slot)
                assert off != 0, (opt_type, slot)
                if kind == "b":
                    got = obj._tab.Get(flatbuffers.number_types.Int8Flags, off + obj._tab.Pos)
                elif kind == "i":
                    got = obj._tab.Get(flatbuffers.number_types.Int32Flags, off + obj._tab.Pos)
                elif kind == "f":
                    got = obj._tab.Get(flatbuffers.number_types.Float32Flags, off + obj._tab.Pos)
                    v = f32(v)
                else:
                    got = list(obj._tab.GetVectorAsNumpy(flatbuffers.number_types.Int32Flags, off))
                    v = list(v)
                assert got == v or (kind == "f" and np.isnan(got) and np.isnan(v)), (opt_type, slot, got, v)


# ------------------------------------------------------------------------------------------ LiteRT


def make_interp(blob: bytes) -> Interpreter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        it = Interpreter(model_content=blob, experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
                         experimental_preserve_all_tensors=True, num_threads=1)
    it.allocate_tensors()
    return it


def run(g: Graph, blob: bytes, xs: list) -> dict:
    it = make_interp(blob)
    ins = it.get_input_details()
    assert [d["index"] for d in ins] == g.inputs
    for d, x in zip(ins, xs):
        assert tuple(d["shape"]) == x.shape and np.dtype(d["dtype"]) == x.dtype, (d, x.shape, x.dtype)
        it.set_tensor(d["index"], x)
    it.invoke()
    out = {}
    for i, td in enumerate(g.tensors):
        if td["data"] is None:
            v = it.get_tensor(i).copy()
            assert v.shape == td["shape"] and v.dtype == NP_OF[td["type"]].newbyteorder("="), (td["name"], v.shape)
            out[i] = v
    return out


def encode(g: Graph, vals: dict) -> bytes:
    vals = {i: v for i, v in vals.items() if i < len(g.tensors)}
    parts = [MAGIC, struct.pack("<II", VERSION, len(vals))]
    for i in sorted(vals):
        td = g.tensors[i]
        data = np.ascontiguousarray(vals[i].astype(NP_OF[td["type"]])).tobytes()
        parts += [struct.pack("<iII", i, td["type"], len(data)), data]
    return b"".join(parts)


# ------------------------------------------------------------------------------------------ quantization helpers


def qparams(lo: float, hi: float):
    """Asymmetric int8 parameters for [lo, hi] (widened to contain 0), as the converter nudges them."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo < 1e-6:
        hi = lo + 1e-3
    scale = f32((hi - lo) / 255.0)
    zp = int(np.clip(np.round(-128 - lo / scale), -128, 127))
    return scale, zp


def quantize(x, scale, zp):
    return np.clip(np.round(np.asarray(x, np.float64) / scale) + zp, -128, 127).astype(np.int8)


def dequantize(q, scale, zp):
    return ((q.astype(np.float64) - zp) * scale).astype(np.float32)


def quant_weights(w, axis, per_channel):
    """Symmetric int8: scale = max|w|/127 per channel along axis (or per tensor)."""
    if per_channel:
        red = tuple(a for a in range(w.ndim) if a != axis)
        m = np.abs(w).max(axis=red)
    else:
        m = np.array([np.abs(w).max()])
    scale = np.maximum(m, 1e-8).astype(np.float32) / np.float32(127)
    shp = [1] * w.ndim
    if per_channel:
        shp[axis] = -1
    q = np.clip(np.round(w / scale.reshape(shp)), -127, 127).astype(np.int8)
    deq = (q.astype(np.float32) * scale.reshape(shp)).astype(np.float32)
    return q, scale, deq


def quant_bias(b, in_scale, w_scale, n):
    """int32, scale in_scale*w_scale (one scale for per-tensor weights, as the converter writes it)."""
    bs = (np.float32(in_scale) * np.asarray(w_scale, np.float32)).astype(np.float32)
    q = np.round(b.astype(np.float64) / np.broadcast_to(bs, (n,))).astype(np.int32)
    return q, bs, (q.astype(np.float64) * np.broadcast_to(bs, (n,))).astype(np.float32)


def int8_inputs(rng, shape):
    u = rng.integers(-128, 128, size=shape).astype(np.int8)
    c = int(rng.integers(-40, 41))
    n = np.clip(np.round(rng.normal(c, 40, size=shape)), -128, 127).astype(np.int8)
    return [u, n]


def float_inputs(rng, shape, lo, hi):
    u = rng.uniform(lo, hi, size=shape).astype(np.float32)
    n = rng.normal((lo + hi) / 2, (hi - lo) / 6, size=shape).astype(np.float32)
    return [u, n]


def out_range(ys, margin=0.95):
    """Range for an output's quantization from float outputs; a margin < 1 makes a few values clip."""
    lo = min(float(y.min()) for y in ys) * margin
    hi = max(float(y.max()) for y in ys) * margin
    return qparams(lo, hi)


# ------------------------------------------------------------------------------------------ case builders
#
# Each builder returns (graph, inputs) where inputs is a list (one per k) of lists (one per graph
# input) of numpy arrays. int8 builders calibrate their output quantization by first running a float
# twin of the graph through LiteRT.

CASES = []  # (name, description, builder)


def case(name, desc):
    def deco(fn):
        CASES.append((name, desc, fn))
        return fn
    return deco


def run_float(g, xs_list):
    blob = g.serialize("calibration")
    outs = [run(g, blob, xs) for xs in xs_list]
    return outs


def rand_input_range(rng):
    return -float(rng.uniform(0.5, 2.0)), float(rng.uniform(0.5, 3.0))


def conv_like(rng, kind, dt, N, H, W, C, O, kh, kw, pad, sh, sw, dh=1, dw=1, act="NONE", bias=True,
              per_channel=True, dm=1, margin=0.95, bias_form="-1", in_range=None, gain=None, zero_rows=(),
              equal_scales=False):
    """kind: CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED (FC: H, W, C give the input shape;
    kh = units). dt: f32, i8, hyb. equal_scales: every output channel's weights get the same max |w|,
    so per-channel quantization gives one scale repeated per channel."""
    depthwise = kind == "DEPTHWISE_CONV_2D"
    if kind == "FULLY_CONNECTED":
        in_shape = tuple(d for d in (N, H, W, C) if d is not None)
        depth = int(np.prod(in_shape[1:])) if len(in_shape) > 1 else in_shape[0]
        units = kh
        w_shape, axis, nout = (units, depth), 0, units
        fan_in = depth
    elif depthwise:
        in_shape = (N, H, W, C)
        O = C * dm
        w_shape, axis, nout = (1, kh, kw, O), 3, O
        fan_in = kh * kw
    else:
        in_shape = (N, H, W, C)
        w_shape, axis, nout = (O, kh, kw, C), 0, O
        fan_in = kh * kw * C
    w = rng.normal(0, 1 / np.sqrt(fan_in), size=w_shape)
    cshape = [1] * len(w_shape)
    cshape[axis] = -1
    w = (w * rng.uniform(0.3, 2.0, size=nout).reshape(cshape)).astype(np.float32)
    if equal_scales:
        red = tuple(a for a in range(w.ndim) if a != axis)
        w = (w / np.abs(w).max(axis=red).reshape(cshape) * np.float32(0.5)).astype(np.float32)
    b = rng.normal(0, 0.3, size=nout).astype(np.float32)
    lo, hi = rand_input_range(rng)
    if in_range is not None:
        lo, hi = in_range

    def finputs():
        xs = float_inputs(rng, in_shape, lo, hi)
        for x in xs:  # rows (batch entries) of zeros: hybrid kernels special-case a zero scale
            x[list(zero_rows)] = 0
        return [[x] for x in xs]

    def build(wtype, wdata, wq, bdata, btype, bq, inq, outq, in_type, out_type, ref=False):
        """ref: the graph LiteRT runs when the test graph has no bias (LiteRT's CONV_2D and
        DEPTHWISE_CONV_2D reject an absent (-1) bias): the same graph plus an all-zero constant bias
        appended as the last tensor, so every other tensor keeps its index."""
        if not bias and bias_form == "2in":
            ref = False
        g = Graph()
        x = g.inp("input", in_shape, in_type, **inq)
        wi = g.t("weights", w_shape, wtype, wdata, **wq)
        bi = g.t("bias", (nout,), btype, bdata, **bq) if bias else -1
        if kind == "FULLY_CONNECTED":
            out_shape = (int(np.prod(in_shape)) // depth, units)
        else:
            oh = (H + sh - 1) // sh if pad == SAME else (H - (kh - 1) * dh - 1) // sh + 1
            ow = (W + sw - 1) // sw if pad == SAME else (W - (kw - 1) * dw - 1) // sw + 1
            out_shape = (N, oh, ow, nout)
        y = g.t("output", out_shape, out_type, **outq)
        g.outputs = [y]
        if not bias and ref:
            bi = g.t("zero_bias", (nout,), btype, np.zeros(nout), **bq)
        ins = [x, wi, bi] if bias or ref or bias_form == "-1" else [x, wi]
        if kind == "CONV_2D":
            g.op(kind, ins, [y], OPT["CONV"], [(0, "b", pad), (1, "i", sw), (2, "i", sh), (3, "b", ACT[act]),
                                                       (4, "i", dw), (5, "i", dh)])
        elif depthwise:
            g.op(kind, ins, [y], OPT["DW"], [(0, "b", pad), (1, "i", sw), (2, "i", sh), (3, "i", dm),
                                                     (4, "b", ACT[act]), (5, "i", dw), (6, "i", dh)])
        else:
            g.op(kind, ins, [y], OPT["FC"], [(0, "b", ACT[act]), (1, "b", 0), (2, "b", 0), (3, "b", 0)])
        return g

    none = dict()
    if not bias:
        b = np.zeros(nout, np.float32)
    if dt == "f32":
        a = (F32, w, none, b, F32, none, none, none, F32, F32)
        g = build(*a)
        g.ref = build(*a, ref=True) if not bias and bias_form == "-1" and kind != "FULLY_CONNECTED" else None
        return g, finputs()
    if dt == "hyb":
        wq, ws, _ = quant_weights(w, axis, per_channel)
        a = (I8, wq, dict(scale=ws, zp=0, qdim=axis), b, F32, none, none, none, F32, F32)
        g = build(*a)
        g.ref = build(*a, ref=True) if not bias and bias_form == "-1" and kind != "FULLY_CONNECTED" else None
        return g, finputs()
    # int8
    s_in, z_in = qparams(lo, hi)
    wq, ws, wd = quant_weights(w, axis, per_channel)
    bq, bs, bd = quant_bias(b, s_in, ws, nout)
    xs = int8_inputs(rng, in_shape)
    needs_ref = not bias and bias_form == "-1" and kind != "FULLY_CONNECTED"
    gf = build(F32, wd, none, bd, F32, none, none, none, F32, F32, ref=needs_ref)
    ys = [o[gf.outputs[0]] for o in run_float(gf, [[dequantize(x, s_in, z_in)] for x in xs])]
    s_out, z_out = out_range(ys, margin)
    if gain is not None:
        # effective requantization scale in_scale*w_scale/out_scale >= gain (> 1): only accumulators
        # below ~128/gain stay in range, so the inputs sit mostly on the zero point (+-1 elsewhere)
        # and the bias is a few units
        s_out, z_out = f32(float((np.float32(s_in) * ws).min()) / gain), int(rng.integers(-20, 21))
        for x in xs:
            x[...] = np.clip(z_in + rng.choice([-1, 0, 0, 0, 0, 0, 0, 0, 0, 1], size=x.shape), -128, 127)
        if bias:
            bq = rng.integers(-20, 21, size=nout).astype(np.int32)
    a = (I8, wq, dict(scale=ws, zp=0, qdim=axis), bq, I32, dict(scale=bs, zp=0, qdim=0),
         dict(scale=s_in, zp=z_in), dict(scale=s_out, zp=z_out), I8, I8)
    g = build(*a)
    g.ref = build(*a, ref=True) if needs_ref else None
    return g, [[x] for x in xs]


def act_name(a):
    return a.lower()


# ---- CONV_2D
CONV_GEOMS = [
    # name, (N,H,W,C,O,kh,kw,pad,sh,sw,dh,dw), act, bias, description
    ("conv_3x3_same_s1_c3o4_relu", (1, 7, 9, 3, 4, 3, 3, SAME, 1, 1, 1, 1), "RELU", True, "3x3 SAME stride 1, 7x9x3 -> 4, RELU"),
    ("conv_3x3_valid_s2_c8o16", (1, 9, 7, 8, 16, 3, 3, VALID, 2, 2, 1, 1), "NONE", True, "3x3 VALID stride 2, 9x7x8 -> 16"),
    ("conv_5x5_same_s2x1_c1o4_relu6", (1, 9, 7, 1, 4, 5, 5, SAME, 2, 1, 1, 1), "RELU6", True, "5x5 SAME stride h2 w1, 9x7x1 -> 4, RELU6"),
    ("conv_3x3_same_dil2_c3o4_n1to1", (1, 9, 9, 3, 4, 3, 3, SAME, 1, 1, 2, 2), "RELU_N1_TO_1", True, "3x3 SAME dilation 2, 9x9x3 -> 4, RELU_N1_TO_1"),
    ("conv_3x3_valid_s2_dil2_c3o4", (1, 11, 9, 3, 4, 3, 3, VALID, 2, 2, 2, 2), "NONE", True, "3x3 VALID stride 2 dilation 2, 11x9x3 -> 4"),
    ("conv_1x1_valid_c8o16_nobias", (1, 5, 7, 8, 16, 1, 1, VALID, 1, 1, 1, 1), "NONE", False, "1x1 VALID, 5x7x8 -> 16, no bias (index -1)"),
    ("conv_1x3_same_c3o1", (1, 7, 9, 3, 1, 1, 3, SAME, 1, 1, 1, 1), "NONE", True, "1x3 SAME, 7x9x3 -> 1"),
    ("conv_4x4_same_s2_c3o4_relu", (1, 9, 7, 3, 4, 4, 4, SAME, 2, 2, 1, 1), "RELU", True, "4x4 (even) SAME stride 2, 9x7x3 -> 4, RELU"),
    ("conv_4x4_same_s1_c1o4_nobias", (1, 7, 9, 1, 4, 4, 4, SAME, 1, 1, 1, 1), "NONE", False, "4x4 (even) SAME stride 1, 7x9x1 -> 4, no bias"),
    ("conv_5x5_valid_s1_c3o1_relu", (1, 7, 9, 3, 1, 5, 5, VALID, 1, 1, 1, 1), "RELU", True, "5x5 VALID, 7x9x3 -> 1, RELU"),
    ("conv_3x3_same_s2_batch2_c3o16", (2, 7, 9, 3, 16, 3, 3, SAME, 2, 2, 1, 1), "RELU6", True, "3x3 SAME stride 2, batch 2, 7x9x3 -> 16, RELU6"),
    ("conv_3x1_valid_s1x2_c8o4", (1, 9, 11, 8, 4, 3, 1, VALID, 1, 2, 1, 1), "NONE", True, "3x1 VALID stride h1 w2, 9x11x8 -> 4"),
]
for nm, geo, act, bias, desc in CONV_GEOMS:
    for dt in ("i8", "f32"):
        def _b(rng, geo=geo, act=act, bias=bias, dt=dt):
            N, H, W, C, O, kh, kw, pad, sh, sw, dh, dw = geo
            return conv_like(rng, "CONV_2D", dt, N, H, W, C, O, kh, kw, pad, sh, sw, dh, dw, act, bias)
        case(f"{nm}_{dt}", f"CONV_2D {'int8 per-channel' if dt == 'i8' else 'float32'}: {desc}")(_b)


@case("conv_3x3_same_s1_c3o4_pertensor_i8", "CONV_2D int8 per-tensor weights: 3x3 SAME, 7x9x3 -> 4")
def _(rng):
    return conv_like(rng, "CONV_2D", "i8", 1, 7, 9, 3, 4, 3, 3, SAME, 1, 1, act="NONE", per_channel=False)


@case("conv_3x3_valid_s1_c8o4_clip_i8", "CONV_2D int8: 3x3 VALID, output range 60% of the values (saturation)")
def _(rng):
    return conv_like(rng, "CONV_2D", "i8", 1, 7, 7, 8, 4, 3, 3, VALID, 1, 1, margin=0.6)


@case("conv_3x3_same_s1_c8o4_inzp_m128_i8", "CONV_2D int8: input range [0, 6] (zero point -128, as after RELU6), 3x3 SAME, 7x9x8 -> 4")
def _(rng):
    return conv_like(rng, "CONV_2D", "i8", 1, 7, 9, 8, 4, 3, 3, SAME, 1, 1, in_range=(0.0, 6.0))


@case("conv_1x1_valid_c3o4_gain_i8", "CONV_2D int8: 1x1, requantization scale > 1 (left shift), heavy saturation")
def _(rng):
    return conv_like(rng, "CONV_2D", "i8", 1, 5, 7, 3, 4, 1, 1, VALID, 1, 1, gain=1.7)


# ---- DEPTHWISE_CONV_2D
DW_GEOMS = [
    # name, (N,H,W,C,dm,kh,kw,pad,sh,sw,dh,dw), act, bias, description
    ("dw_3x3_same_s1_c8m1_relu", (1, 7, 9, 8, 1, 3, 3, SAME, 1, 1, 1, 1), "RELU", True, "3x3 SAME stride 1, 7x9x8, multiplier 1, RELU"),
    ("dw_3x3_valid_s2_c3m2", (1, 9, 7, 3, 2, 3, 3, VALID, 2, 2, 1, 1), "NONE", True, "3x3 VALID stride 2, 9x7x3, multiplier 2"),
    ("dw_5x5_same_s2_c1m3_relu6", (1, 9, 7, 1, 3, 5, 5, SAME, 2, 2, 1, 1), "RELU6", True, "5x5 SAME stride 2, 9x7x1, multiplier 3, RELU6"),
    ("dw_3x3_same_dil2_c4m1_n1to1", (1, 9, 9, 4, 1, 3, 3, SAME, 1, 1, 2, 2), "RELU_N1_TO_1", True, "3x3 SAME dilation 2, 9x9x4, RELU_N1_TO_1"),
    ("dw_4x4_same_s2x1_c3m1_nobias", (1, 9, 7, 3, 1, 4, 4, SAME, 2, 1, 1, 1), "NONE", False, "4x4 (even) SAME stride h2 w1, 9x7x3, no bias"),
    ("dw_1x3_valid_s1_c8m2", (1, 7, 9, 8, 2, 1, 3, VALID, 1, 1, 1, 1), "NONE", True, "1x3 VALID, 7x9x8, multiplier 2"),
    ("dw_3x3_valid_s2_dil2_c3m3", (1, 11, 11, 3, 3, 3, 3, VALID, 2, 2, 2, 2), "RELU", True, "3x3 VALID stride 2 dilation 2, 11x11x3, multiplier 3, RELU"),
    ("dw_3x3_same_s1_batch2_c4m1", (2, 7, 9, 4, 1, 3, 3, SAME, 1, 1, 1, 1), "NONE", True, "3x3 SAME, batch 2, 7x9x4"),
    ("dw_1x1_valid_c3m2_nobias", (1, 5, 7, 3, 2, 1, 1, VALID, 1, 1, 1, 1), "NONE", False, "1x1 VALID, 5x7x3, multiplier 2, no bias"),
]
for nm, geo, act, bias, desc in DW_GEOMS:
    for dt in ("i8", "f32"):
        def _b(rng, geo=geo, act=act, bias=bias, dt=dt):
            N, H, W, C, dm, kh, kw, pad, sh, sw, dh, dw = geo
            return conv_like(rng, "DEPTHWISE_CONV_2D", dt, N, H, W, C, None, kh, kw, pad, sh, sw, dh, dw, act, bias, dm=dm)
        case(f"{nm}_{dt}", f"DEPTHWISE_CONV_2D {'int8 per-channel' if dt == 'i8' else 'float32'}: {desc}")(_b)


@case("dw_3x3_same_s1_c4m2_pertensor_i8", "DEPTHWISE_CONV_2D int8 per-tensor weights: 3x3 SAME, 7x9x4, multiplier 2")
def _(rng):
    return conv_like(rng, "DEPTHWISE_CONV_2D", "i8", 1, 7, 9, 4, None, 3, 3, SAME, 1, 1, dm=2, per_channel=False)


for dt in ("i8", "f32"):
    def _b(rng, dt=dt):
        return conv_like(rng, "DEPTHWISE_CONV_2D", dt, 1, 7, 5, 3, None, 3, 3, SAME, 1, 1, dm=2, bias=False, bias_form="2in")
    case(f"dw_3x3_same_c3m2_nobias_2inputs_{dt}", f"DEPTHWISE_CONV_2D {'int8 per-channel' if dt == 'i8' else 'float32'}: "
         "3x3 SAME, 7x5x3, multiplier 2, no bias as a 2-input op (no -1 entry)")(_b)


@case("dw_3x3_same_s1_c3m1_inzp_127_i8", "DEPTHWISE_CONV_2D int8: input range [-5, 0] (zero point 127), 3x3 SAME, 7x9x3")
def _(rng):
    return conv_like(rng, "DEPTHWISE_CONV_2D", "i8", 1, 7, 9, 3, None, 3, 3, SAME, 1, 1, in_range=(-5.0, 0.0))


@case("dw_3x3_valid_s1_c2m2_gain_i8", "DEPTHWISE_CONV_2D int8: requantization scale > 1 (left shift), multiplier 2")
def _(rng):
    return conv_like(rng, "DEPTHWISE_CONV_2D", "i8", 1, 6, 5, 2, None, 3, 3, VALID, 1, 1, dm=2, gain=1.3)


# ---- FULLY_CONNECTED
FC_GEOMS = [
    # name, in shape (N,H,W,C with None for absent), units, act, bias, description
    ("fc_b1_d16_u8", (1, None, None, 16), 8, "NONE", True, "batch 1, depth 16 -> 8"),
    ("fc_b3_d10_u5_nobias_relu", (3, None, None, 10), 5, "RELU", False, "batch 3, depth 10 -> 5, no bias, RELU"),
    ("fc_rank4_1x3x3x4_u10", (1, 3, 3, 4), 10, "NONE", True, "rank-4 input 1x3x3x4 flattened (keep_num_dims false) -> 10"),
    ("fc_rank4_3x2x2x3_u4_relu6", (3, 2, 2, 3), 4, "RELU6", True, "rank-4 input 3x2x2x3 -> 3 rows of depth 12 -> 4, RELU6"),
    ("fc_b2_d64_u1_n1to1", (2, None, None, 64), 1, "RELU_N1_TO_1", True, "batch 2, depth 64 -> 1, RELU_N1_TO_1"),
]
for nm, shp, units, act, bias, desc in FC_GEOMS:
    N, H, W, C = shp
    for dt, pc in (("pt_i8", False), ("pc_i8", True), ("f32", None)):
        def _b(rng, N=N, H=H, W=W, C=C, units=units, act=act, bias=bias, dt=dt, pc=pc):
            return conv_like(rng, "FULLY_CONNECTED", "f32" if dt == "f32" else "i8", N, H, W, C, None, units, None,
                             None, None, None, act=act, bias=bias, per_channel=bool(pc))
        label = {"pt_i8": "int8 per-tensor weights", "pc_i8": "int8 per-channel weights", "f32": "float32"}[dt]
        case(f"{nm}_{dt}", f"FULLY_CONNECTED {label}: {desc}")(_b)


# ---- hybrid
@case("fc_b1_d32_u8_hyb", "FULLY_CONNECTED hybrid (float in/out, int8 per-tensor weights, float bias): batch 1, 32 -> 8")
def _(rng):
    return conv_like(rng, "FULLY_CONNECTED", "hyb", 1, None, None, 32, None, 8, None, None, None, None, per_channel=False)


@case("fc_b3_d20_u6_relu_hyb", "FULLY_CONNECTED hybrid: batch 3, 20 -> 6, RELU")
def _(rng):
    return conv_like(rng, "FULLY_CONNECTED", "hyb", 3, None, None, 20, None, 6, None, None, None, None, act="RELU",
                     per_channel=False)


@case("fc_rank4_nobias_hyb", "FULLY_CONNECTED hybrid: rank-4 input 2x2x2x4 -> 2 rows of 16 -> 5, no bias")
def _(rng):
    return conv_like(rng, "FULLY_CONNECTED", "hyb", 2, 2, 2, 4, None, 5, None, None, None, None, bias=False,
                     per_channel=False)


@case("fc_b2_d16_u4_perchannel_hyb", "FULLY_CONNECTED hybrid with per-channel int8 weights: batch 2, 16 -> 4")
def _(rng):
    return conv_like(rng, "FULLY_CONNECTED", "hyb", 2, None, None, 16, None, 4, None, None, None, None, per_channel=True)


@case("conv_3x3_same_s1_c3o4_hyb", "CONV_2D hybrid (float in/out, int8 per-tensor weights, float bias): 3x3 SAME, 7x9x3 -> 4")
def _(rng):
    return conv_like(rng, "CONV_2D", "hyb", 1, 7, 9, 3, 4, 3, 3, SAME, 1, 1, per_channel=False)


@case("conv_3x3_valid_s2_c8o4_relu_hyb", "CONV_2D hybrid per-tensor: 3x3 VALID stride 2, 9x7x8 -> 4, RELU")
def _(rng):
    return conv_like(rng, "CONV_2D", "hyb", 1, 9, 7, 8, 4, 3, 3, VALID, 2, 2, act="RELU", per_channel=False)


@case("conv_3x3_same_s1_c3o4_perchannel_hyb", "CONV_2D hybrid with per-channel int8 weights (TFLite quantizes the input asymmetrically)")
def _(rng):
    return conv_like(rng, "CONV_2D", "hyb", 1, 7, 9, 3, 4, 3, 3, SAME, 1, 1, per_channel=True)


@case("dw_3x3_same_s1_c4m1_perchannel_hyb", "DEPTHWISE_CONV_2D hybrid, per-channel int8 weights (the only hybrid form TFLite's DW accepts)")
def _(rng):
    return conv_like(rng, "DEPTHWISE_CONV_2D", "hyb", 1, 7, 9, 4, None, 3, 3, SAME, 1, 1, per_channel=True)


@case("dw_3x3_same_s1_c3m2_perchannel_hyb", "DEPTHWISE_CONV_2D hybrid per-channel: depth multiplier 2, 3x3 SAME, 7x9x3 -> 6")
def _(rng):
    return conv_like(rng, "DEPTHWISE_CONV_2D", "hyb", 1, 7, 9, 3, None, 3, 3, SAME, 1, 1, dm=2, per_channel=True)


@case("dw_3x3_valid_s2_c4m1_relu6_perchannel_hyb", "DEPTHWISE_CONV_2D hybrid per-channel: 3x3 VALID stride 2, 9x8x4, RELU6")
def _(rng):
    return conv_like(rng, "DEPTHWISE_CONV_2D", "hyb", 1, 9, 8, 4, None, 3, 3, VALID, 2, 2, act="RELU6",
                     per_channel=True, in_range=(-4.0, 9.0))


@case("dw_3x3_same_s2_dil2_batch2_zero_image_perchannel_hyb", "DEPTHWISE_CONV_2D hybrid per-channel: batch 2, second image all zeros, 3x3 SAME stride 2 dilation 2, 7x7x2 m2")
def _(rng):
    return conv_like(rng, "DEPTHWISE_CONV_2D", "hyb", 2, 7, 7, 2, None, 3, 3, SAME, 2, 2, dh=2, dw=2, dm=2,
                     per_channel=True, zero_rows=(1,))


@case("dw_3x3_same_negative_input_nobias_perchannel_hyb", "DEPTHWISE_CONV_2D hybrid per-channel: input all negative (zero point 127), no bias, 5x6x3")
def _(rng):
    return conv_like(rng, "DEPTHWISE_CONV_2D", "hyb", 1, 5, 6, 3, None, 3, 3, SAME, 1, 1, bias=False,
                     per_channel=True, in_range=(-3.0, -0.25))


@case("dw_3x3_same_c1_pertensor_hyb", "DEPTHWISE_CONV_2D hybrid, one channel, per-tensor weight scale (the only per-tensor form TFLite's DW hybrid accepts)")
def _(rng):
    return conv_like(rng, "DEPTHWISE_CONV_2D", "hyb", 1, 6, 7, 1, None, 3, 3, SAME, 1, 1, per_channel=False)


@case("conv_3x3_valid_s2_c8o4_relu_perchannel_hyb", "CONV_2D hybrid per-channel: 3x3 VALID stride 2, 9x7x8 -> 4, RELU")
def _(rng):
    return conv_like(rng, "CONV_2D", "hyb", 1, 9, 7, 8, 4, 3, 3, VALID, 2, 2, act="RELU", per_channel=True)


@case("conv_3x3_same_batch2_zero_image_perchannel_hyb", "CONV_2D hybrid per-channel: batch 2, second image all zeros, 3x3 SAME 5x5x3 -> 4")
def _(rng):
    return conv_like(rng, "CONV_2D", "hyb", 2, 5, 5, 3, 4, 3, 3, SAME, 1, 1, per_channel=True, zero_rows=(1,))


@case("conv_3x3_same_s2_dil2_relu6_perchannel_hyb", "CONV_2D hybrid per-channel: 3x3 SAME stride 2 dilation 2, 8x9x3 -> 5, RELU6")
def _(rng):
    return conv_like(rng, "CONV_2D", "hyb", 1, 8, 9, 3, 5, 3, 3, SAME, 2, 2, dh=2, dw=2, act="RELU6",
                     per_channel=True, in_range=(-4.0, 9.0))


@case("conv_1x1_positive_input_nobias_perchannel_hyb", "CONV_2D hybrid per-channel: 1x1, input all positive (zero point -128), no bias, batch 2, 4x5x6 -> 3")
def _(rng):
    return conv_like(rng, "CONV_2D", "hyb", 2, 4, 5, 6, 3, 1, 1, VALID, 1, 1, bias=False, per_channel=True,
                     in_range=(0.1, 2.5))


@case("conv_3x3_same_s1_c3o4_equal_scales_hyb", "CONV_2D hybrid, per-channel weights whose scales are all equal (TFLite runs the symmetric per-tensor path)")
def _(rng):
    return conv_like(rng, "CONV_2D", "hyb", 1, 7, 9, 3, 4, 3, 3, SAME, 1, 1, per_channel=True, equal_scales=True)


@case("fc_b3_d12_u4_zero_row_hyb", "FULLY_CONNECTED hybrid: batch 3, 12 -> 4, middle row all zeros (zero scaling factor)")
def _(rng):
    return conv_like(rng, "FULLY_CONNECTED", "hyb", 3, None, None, 12, None, 4, None, None, None, None,
                     per_channel=False, zero_rows=(1,))


@case("conv_3x3_same_batch2_zero_image_hyb", "CONV_2D hybrid per-tensor: batch 2, second image all zeros, 3x3 SAME 5x5x3 -> 4")
def _(rng):
    return conv_like(rng, "CONV_2D", "hyb", 2, 5, 5, 3, 4, 3, 3, SAME, 1, 1, per_channel=False, zero_rows=(1,))


@case("fc_b2_d16_u8_gain_i8", "FULLY_CONNECTED int8 per-tensor: requantization scale > 1 (left shift)")
def _(rng):
    return conv_like(rng, "FULLY_CONNECTED", "i8", 2, None, None, 16, None, 8, None, None, None, None,
                     per_channel=False, gain=1.5)


# ---- pools
POOL_GEOMS = [
    # name, (N,H,W,C), (fh,fw), (sh,sw), pad, act, description
    ("2x2_s2_valid_c3", (1, 7, 9, 3), (2, 2), (2, 2), VALID, "NONE", "2x2 stride 2 VALID, 7x9x3"),
    ("3x3_s1_same_c4_relu6", (1, 7, 9, 4), (3, 3), (1, 1), SAME, "RELU6", "3x3 stride 1 SAME, 7x9x4, RELU6"),
    ("3x3_s2_same_c2", (1, 9, 7, 2), (3, 3), (2, 2), SAME, "NONE", "3x3 stride 2 SAME, 9x7x2"),
    ("full_5x7_c8", (1, 5, 7, 8), (5, 7), (1, 1), VALID, "NONE", "full-size 5x7 VALID (global pool), 5x7x8"),
    ("2x2_s1_valid_c1_relu", (1, 6, 5, 1), (2, 2), (1, 1), VALID, "RELU", "2x2 stride 1 VALID, 6x5x1, RELU"),
    ("3x2_s2x1_same_batch2_c3", (2, 7, 5, 3), (3, 2), (2, 1), SAME, "NONE", "3x2 stride h2 w1 SAME, batch 2, 7x5x3"),
]
for kind, short in (("AVERAGE_POOL_2D", "avgpool"), ("MAX_POOL_2D", "maxpool")):
    for nm, shp, (fh, fw), (sh, sw), pad, act, desc in POOL_GEOMS:
        for dt in ("i8", "f32"):
            def _b(rng, kind=kind, shp=shp, fh=fh, fw=fw, sh=sh, sw=sw, pad=pad, act=act, dt=dt):
                N, H, W, C = shp
                oh = (H + sh - 1) // sh if pad == SAME else (H - fh) // sh + 1
                ow = (W + sw - 1) // sw if pad == SAME else (W - fw) // sw + 1
                lo, hi = {"RELU6": (-3.0, 9.0), "RELU": (-1.0, 3.0)}.get(act) or rand_input_range(rng)
                g = Graph()
                if dt == "i8":
                    s, z = qparams(lo, hi)
                    x = g.inp("input", shp, I8, scale=s, zp=z)
                    y = g.t("output", (N, oh, ow, C), I8, scale=s, zp=z)
                    xs = int8_inputs(rng, shp)
                else:
                    x = g.inp("input", shp, F32)
                    y = g.t("output", (N, oh, ow, C), F32)
                    xs = float_inputs(rng, shp, lo, hi)
                g.outputs = [y]
                g.op(kind, [x], [y], OPT["POOL"], [(0, "b", pad), (1, "i", sw), (2, "i", sh), (3, "i", fw), (4, "i", fh),
                                                  (5, "b", ACT[act])])
                return g, [[v] for v in xs]
            case(f"{short}_{nm}_{dt}", f"{kind} {'int8' if dt == 'i8' else 'float32'}: {desc}")(_b)


# ---- ADD
ADD_GEOMS = [
    # name, shape a, shape b, act, description
    ("same_1x5x7x3", (1, 5, 7, 3), (1, 5, 7, 3), "NONE", "same shape 1x5x7x3"),
    ("same_2x3x4_relu", (2, 3, 4), (2, 3, 4), "RELU", "same shape 2x3x4 (rank 3), RELU"),
    ("bcast_c_1x1x1x4", (1, 1, 1, 4), (1, 5, 7, 4), "NONE", "broadcast 1x1x1x4 + 1x5x7x4"),
    ("bcast_hwc_relu6", (1, 5, 7, 4), (1, 1, 1, 4), "RELU6", "broadcast 1x5x7x4 + 1x1x1x4, RELU6"),
    ("bcast_scalar_1", (1,), (1, 4, 6, 3), "NONE", "broadcast [1] + 1x4x6x3"),
    ("bcast_h1c_1w1", (1, 5, 1, 3), (1, 1, 7, 1), "NONE", "broadcast 1x5x1x3 + 1x1x7x1 -> 1x5x7x3"),
    ("bcast_rank2_n1to1", (3, 1), (1, 8), "RELU_N1_TO_1", "broadcast 3x1 + 1x8, RELU_N1_TO_1"),
]
ADD_GEOMS.append(("scale_ratio_50", (1, 4, 5, 3), (1, 4, 5, 3), "NONE", "same shape, input ranges +-0.25 and +-12.5 (scale ratio 50)"))
for nm, sa, sb, act, desc in ADD_GEOMS:
    for dt in ("i8", "f32"):
        def _b(rng, sa=sa, sb=sb, act=act, dt=dt, nm=nm):
            so = tuple(np.broadcast_shapes(sa, sb))
            ra, rb = rand_input_range(rng), (-float(rng.uniform(0.1, 0.6)), float(rng.uniform(0.2, 1.0)))
            if nm == "scale_ratio_50":
                ra, rb = (-0.25, 0.25), (-12.5, 12.5)

            def build(q):
                g = Graph()
                if q is None:
                    a = g.inp("a", sa, F32)
                    b_ = g.inp("b", sb, F32)
                    y = g.t("output", so, F32)
                else:
                    a = g.inp("a", sa, I8, scale=q[0][0], zp=q[0][1])
                    b_ = g.inp("b", sb, I8, scale=q[1][0], zp=q[1][1])
                    y = g.t("output", so, I8, scale=q[2][0], zp=q[2][1])
                g.outputs = [y]
                g.op("ADD", [a, b_], [y], OPT["ADD"], [(0, "b", ACT[act])])
                return g
            if dt == "f32":
                xa, xb = float_inputs(rng, sa, *ra), float_inputs(rng, sb, *rb)
                return build(None), [[xa[k], xb[k]] for k in range(N_INPUTS)]
            qa, qb = qparams(*ra), qparams(*rb)
            xa, xb = int8_inputs(rng, sa), int8_inputs(rng, sb)
            gf = build(None)
            ys = [o[gf.outputs[0]] for o in run_float(gf, [[dequantize(xa[k], *qa), dequantize(xb[k], *qb)]
                                                            for k in range(N_INPUTS)])]
            qo = out_range(ys)
            return build((qa, qb, qo)), [[xa[k], xb[k]] for k in range(N_INPUTS)]
        case(f"add_{nm}_{dt}", f"ADD {'int8 (different input scales)' if dt == 'i8' else 'float32'}: {desc}")(_b)


# ---- SOFTMAX
SM_I8 = [
    # in scale, beta, shape
    (0.1, 1.0, (4, 10)),
    (0.01, 1.0, (3, 100)),
    (1.0, 1.0, (5, 2)),
    (0.1, 0.5, (3, 1)),
    (1.0, 0.5, (4, 10)),
    (0.01, 0.5, (2, 2)),
    (0.1, 1.0, (1, 1, 2, 100)),
    (1.0, 1.0, (2, 100)),
    (0.01, 1.0, (6, 10)),
]
for s_in, beta, shp in SM_I8:
    def _b(rng, s_in=s_in, beta=beta, shp=shp):
        z = int(rng.integers(-40, 41))
        g = Graph()
        x = g.inp("input", shp, I8, scale=s_in, zp=z)
        y = g.t("output", shp, I8, scale=1.0 / 256, zp=-128)
        g.outputs = [y]
        g.op("SOFTMAX", [x], [y], OPT["SOFTMAX"], [(0, "f", beta)])
        u, _ = int8_inputs(rng, shp)
        # k = 1: logits spread by ~3 real units (~3/s_in codes), where softmax outputs are not saturated
        n = np.clip(np.round(rng.normal(z, 3.0 / s_in, size=shp)), -128, 127).astype(np.int8)
        return g, [[u], [n]]
    nm = f"softmax_s{s_in:g}_b{beta:g}_{'x'.join(map(str, shp))}_i8".replace(".", "p")
    case(nm, f"SOFTMAX int8: input scale {s_in:g}, beta {beta:g}, shape {'x'.join(map(str, shp))} (rows of {shp[-1]})")(_b)

for beta, shp in ((1.0, (4, 10)), (0.5, (3, 100)), (1.0, (3, 1)), (1.0, (5, 2)), (2.0, (1, 2, 3, 7))):
    def _b(rng, beta=beta, shp=shp):
        g = Graph()
        x = g.inp("input", shp, F32)
        y = g.t("output", shp, F32)
        g.outputs = [y]
        g.op("SOFTMAX", [x], [y], OPT["SOFTMAX"], [(0, "f", beta)])
        return g, [[v] for v in float_inputs(rng, shp, -8.0, 8.0)]
    nm = f"softmax_b{beta:g}_{'x'.join(map(str, shp))}_f32".replace(".", "p")
    case(nm, f"SOFTMAX float32: beta {beta:g}, shape {'x'.join(map(str, shp))}")(_b)


# ---- RESHAPE
for with_shape in (True, False):
    for dt in ("i8", "f32"):
        def _b(rng, with_shape=with_shape, dt=dt):
            si, so = (1, 3, 4, 5), (6, 10)
            g = Graph()
            q = dict(scale=0.05, zp=-7) if dt == "i8" else {}
            tt = I8 if dt == "i8" else F32
            x = g.inp("input", si, tt, **q)
            ins = [x]
            if with_shape:
                ins.append(g.t("shape", (2,), I32, np.array(so, np.int32)))
            y = g.t("output", so, tt, **q)
            g.outputs = [y]
            g.op("RESHAPE", ins, [y], OPT["RESHAPE"], [(0, "vi", so)])
            xs = int8_inputs(rng, si) if dt == "i8" else float_inputs(rng, si, -2, 2)
            return g, [[v] for v in xs]
        nm = f"reshape_{'shapetensor' if with_shape else 'optsonly'}_{dt}"
        case(nm, f"RESHAPE {'int8' if dt == 'i8' else 'float32'} 1x3x4x5 -> 6x10, "
                 f"{'new shape in a constant int32 input tensor (and options)' if with_shape else 'new shape only in options (one input)'}")(_b)


@case("reshape_rank4_to_rank1_negdim_f32", "RESHAPE float32 2x3x1x4 -> [-1] (shape tensor with -1)")
def _(rng):
    g = Graph()
    x = g.inp("input", (2, 3, 1, 4), F32)
    s = g.t("shape", (1,), I32, np.array([-1], np.int32))
    y = g.t("output", (24,), F32)
    g.outputs = [y]
    g.op("RESHAPE", [x, s], [y], OPT["RESHAPE"], [(0, "vi", (-1,))])
    return g, [[v] for v in float_inputs(rng, (2, 3, 1, 4), -2, 2)]


# ---- QUANTIZE / DEQUANTIZE
for s, z, desc in ((0.02, 7, "scale 0.02, zero point 7"), (0.1, -128, "scale 0.1, zero point -128"),
                   (0.0078125, 0, "scale 1/128, zero point 0 (ties at .5)")):
    def _b(rng, s=s, z=z):
        shp = (2, 5, 6)
        g = Graph()
        x = g.inp("input", shp, F32)
        y = g.t("output", shp, I8, scale=s, zp=z)
        g.outputs = [y]
        g.op("QUANTIZE", [x], [y], OPT["QUANTIZE"], [])
        lo, hi = (-128 - z) * s, (127 - z) * s
        w = (hi - lo) * 0.1
        xs = float_inputs(rng, shp, lo - w, hi + w)
        # exact ties: k + 0.5 steps
        xs[1].reshape(-1)[:20] = ((np.arange(20) - 10 + 0.5) * s).astype(np.float32)
        return g, [[v] for v in xs]
    case(f"quantize_f32_s{s:g}_z{z}_i8".replace(".", "p").replace("-", "m"), f"QUANTIZE float32 -> int8, {desc}, inputs beyond the range")(_b)

for (si, zi), (so, zo), desc in (((0.05, 3), (0.03, -10), "0.05/3 -> 0.03/-10 (clamps)"),
                                 ((0.05, 3), (0.1, 20), "0.05/3 -> 0.1/20"),
                                 ((0.02, -128), (0.02, 5), "same scale 0.02, zero point -128 -> 5")):
    def _b(rng, si=si, zi=zi, so=so, zo=zo):
        shp = (1, 4, 4, 3)
        g = Graph()
        x = g.inp("input", shp, I8, scale=si, zp=zi)
        y = g.t("output", shp, I8, scale=so, zp=zo)
        g.outputs = [y]
        g.op("QUANTIZE", [x], [y], OPT["QUANTIZE"], [])
        return g, [[v] for v in int8_inputs(rng, shp)]
    case(f"requantize_s{si:g}z{zi}_to_s{so:g}z{zo}_i8".replace(".", "p").replace("-", "m"), f"QUANTIZE int8 -> int8 (requantize) {desc}")(_b)

for s, z in ((0.05, -7), (0.003, 100)):
    def _b(rng, s=s, z=z):
        shp = (3, 17)
        g = Graph()
        x = g.inp("input", shp, I8, scale=s, zp=z)
        y = g.t("output", shp, F32)
        g.outputs = [y]
        g.op("DEQUANTIZE", [x], [y], OPT["DEQUANTIZE"], [])
        return g, [[v] for v in int8_inputs(rng, shp)]
    case(f"dequantize_s{s:g}_z{z}_f32".replace(".", "p").replace("-", "m"), f"DEQUANTIZE int8 -> float32, scale {s:g}, zero point {z}")(_b)


# ---- chains (two or three ops)
@case("chain_quant_conv_dequant", "QUANTIZE float->int8, CONV_2D int8 3x3 SAME 7x7x3 -> 4 RELU, DEQUANTIZE (a typical model's edges)")
def _(rng):
    g1, xs = conv_like(rng, "CONV_2D", "i8", 1, 7, 7, 3, 4, 3, 3, SAME, 1, 1, act="RELU")
    # float input in front, float output behind
    g = Graph()
    ti = g1.tensors
    x = g.inp("input_f", ti[0]["shape"], F32)
    q = g.t("input_q", ti[0]["shape"], I8, scale=ti[0]["scale"], zp=ti[0]["zp"])
    w = g.t("weights", ti[1]["shape"], I8, ti[1]["data"], scale=ti[1]["scale"], zp=ti[1]["zp"], qdim=0)
    b = g.t("bias", ti[2]["shape"], I32, ti[2]["data"], scale=ti[2]["scale"], zp=ti[2]["zp"])
    c = g.t("conv_q", ti[3]["shape"], I8, scale=ti[3]["scale"], zp=ti[3]["zp"])
    y = g.t("output_f", ti[3]["shape"], F32)
    g.outputs = [y]
    g.op("QUANTIZE", [x], [q], OPT["QUANTIZE"], [])
    g.op("CONV_2D", [q, w, b], [c], g1.ops[0][3], g1.ops[0][4])
    g.op("DEQUANTIZE", [c], [y], OPT["DEQUANTIZE"], [])
    s, z = ti[0]["scale"][0], ti[0]["zp"][0]
    return g, [[dequantize(v[0], s, z) + np.float32(s * 0.3)] for v in xs]


@case("chain_fc_softmax_i8", "FULLY_CONNECTED int8 per-channel batch 2, 24 -> 10, then SOFTMAX int8 (a classifier head)")
def _(rng):
    g1, xs = conv_like(rng, "FULLY_CONNECTED", "i8", 2, None, None, 24, None, 10, None, None, None, None)
    g = g1
    y = g.t("probs", (2, 10), I8, scale=1.0 / 256, zp=-128)
    g.op("SOFTMAX", [g.outputs[0]], [y], OPT["SOFTMAX"], [(0, "f", 1.0)])
    g.outputs = [y]
    return g, xs


@case("chain_dw_add_i8", "DEPTHWISE_CONV_2D int8 3x3 SAME 6x6x4, then ADD with a second input (a residual)")
def _(rng):
    g, xs = conv_like(rng, "DEPTHWISE_CONV_2D", "i8", 1, 6, 6, 4, None, 3, 3, SAME, 1, 1)
    c = g.outputs[0]
    td = g.tensors[c]
    r = g.inp("residual", (1, 6, 6, 4), I8, scale=0.03, zp=5)
    sc = td["scale"][0] + 0.03 * 1.5
    y = g.t("sum", (1, 6, 6, 4), I8, scale=sc, zp=int(td["zp"][0] // 2))
    g.op("ADD", [c, r], [y], OPT["ADD"], [(0, "b", ACT["RELU"])])
    g.outputs = [y]
    rs = int8_inputs(rng, (1, 6, 6, 4))
    return g, [[xs[k][0], rs[k]] for k in range(N_INPUTS)]



# ---- activations: RELU, RELU6, RELU_N1_TO_1, LOGISTIC, TANH
#
# int8 RELU*: output quantization from the activation's real output range (the converter's), or the
# input's ("same"); LOGISTIC / TANH int8 outputs have the fixed scales 1/256 (zp -128) and 1/128 (zp 0).

ACT_FN = {"RELU": lambda x: np.maximum(x, 0), "RELU6": lambda x: np.clip(x, 0, 6),
          "RELU_N1_TO_1": lambda x: np.clip(x, -1, 1)}
UNARY = [
    # op, in range, output quantization ("act": range of the activation's output, "same": input's), shape
    ("RELU", (-2.0, 3.0), "act", (1, 5, 6, 4)),
    ("RELU", (-0.5, 0.75), "same", (2, 33)),
    ("RELU6", (-3.0, 9.0), "act", (1, 4, 5, 6)),
    ("RELU6", (-1.0, 8.0), "same", (3, 4, 7)),
    ("RELU_N1_TO_1", (-2.5, 2.0), "act", (4, 17)),
    ("LOGISTIC", (-8.0, 8.0), None, (2, 3, 4, 8)),
    ("LOGISTIC", (-1.5, 2.5), None, (3, 40)),
    ("LOGISTIC", (-40.0, 30.0), None, (256,)),
    ("TANH", (-4.0, 4.0), None, (2, 3, 4, 8)),
    ("TANH", (-0.6, 1.0), None, (3, 40)),
    ("TANH", (-20.0, 25.0), None, (256,)),
]
for opn, (lo, hi), qmode, shp in UNARY:
    for dt in ("i8", "f32"):
        def _b(rng, opn=opn, lo=lo, hi=hi, qmode=qmode, shp=shp, dt=dt):
            g = Graph()
            if dt == "f32":
                x = g.inp("input", shp, F32)
                y = g.t("output", shp, F32)
                g.outputs = [y]
                g.op(opn, [x], [y])
                w = (hi - lo) * 0.25
                return g, [[v] for v in float_inputs(rng, shp, lo - w, hi + w)]
            s_in, z_in = qparams(lo, hi)
            if opn == "LOGISTIC":
                s_out, z_out = 1.0 / 256, -128
            elif opn == "TANH":
                s_out, z_out = 1.0 / 128, 0
            elif qmode == "same":
                s_out, z_out = s_in, z_in
            else:
                f = ACT_FN[opn]
                s_out, z_out = qparams(float(f(np.float32(lo))), float(f(np.float32(hi))))
            x = g.inp("input", shp, I8, scale=s_in, zp=z_in)
            y = g.t("output", shp, I8, scale=s_out, zp=z_out)
            g.outputs = [y]
            g.op(opn, [x], [y])
            if dt == "i8" and shp == (256,):  # every int8 code once, then reversed
                a = np.arange(-128, 128).astype(np.int8)
                return g, [[a], [a[::-1].copy()]]
            return g, [[v] for v in int8_inputs(rng, shp)]
        rng_desc = f"input range [{lo:g}, {hi:g}]"
        qd = {"act": ", output quantized for the activation's range", "same": ", output quantized as the input", None: ""}[qmode]
        nm = f"{opn.lower()}_{'x'.join(map(str, shp))}{'_' + qmode if qmode else ''}_{dt}"
        case(nm, f"{opn} {'int8' if dt == 'i8' else 'float32'}: {rng_desc}, shape {'x'.join(map(str, shp))}{qd if dt == 'i8' else ''}")(_b)


# ---- PAD / PADV2
PADS = [
    # name, op, input shape, paddings, constant (PADV2; real value)
    ("hw_4d", "PAD", (1, 5, 6, 3), ((0, 0), (1, 2), (2, 1), (0, 0)), None),
    ("c_and_n_4d", "PAD", (2, 3, 3, 2), ((1, 0), (0, 0), (0, 0), (0, 3)), None),
    ("rank2", "PAD", (4, 7), ((2, 1), (0, 3)), None),
    ("rank5", "PAD", (1, 2, 3, 2, 2), ((0, 1), (1, 0), (0, 0), (1, 1), (0, 1)), None),
    ("v2_hw_4d", "PADV2", (1, 4, 5, 3), ((0, 0), (2, 2), (1, 1), (0, 0)), -0.5),
    ("v2_rank3", "PADV2", (3, 4, 5), ((1, 1), (0, 2), (3, 0)), 1.25),
]
for nm, opn, shp, pads, const in PADS:
    for dt in ("i8", "f32"):
        def _b(rng, opn=opn, shp=shp, pads=pads, const=const, dt=dt):
            oshp = tuple(d + a + b for d, (a, b) in zip(shp, pads))
            g = Graph()
            tt = I8 if dt == "i8" else F32
            q = dict(scale=0.03, zp=-9) if dt == "i8" else {}
            x = g.inp("input", shp, tt, **q)
            p = g.t("paddings", (len(shp), 2), I32, np.array(pads, np.int32))
            ins = [x, p]
            if const is not None:
                cdata = np.array([int(round(const / 0.03)) - 9 if dt == "i8" else const])
                ins.append(g.t("constant_values", (1,) if dt == "i8" else (), tt, cdata.reshape((1,) if dt == "i8" else ()), **q))
            y = g.t("output", oshp, tt, **q)
            g.outputs = [y]
            g.op(opn, ins, [y], OPT[opn], [])
            xs = int8_inputs(rng, shp) if dt == "i8" else float_inputs(rng, shp, -2, 2)
            return g, [[v] for v in xs]
        desc = ", ".join(f"{a}/{b}" for a, b in pads)
        extra = f", constant {const:g}" if const is not None else (", pad value = output zero point" if dt == "i8" else "")
        case(f"pad_{nm}_{dt}", f"{opn} {'int8 (scale 0.03, zp -9)' if dt == 'i8' else 'float32'} {'x'.join(map(str, shp))}, paddings (before/after) {desc}{extra}")(_b)


# ---- MEAN
MEANS = [
    # name, shape, axes, keep_dims, int8 quantization ("diff": output range from the result, "same")
    ("hw_keep", (1, 6, 7, 8), (1, 2), True, "diff"),
    ("hw_keep_same", (2, 5, 5, 4), (1, 2), True, "same"),
    ("hw_keep_neg_axes", (1, 4, 9, 3), (-3, 2), True, "diff"),
    ("hw_nokeep", (2, 3, 4, 5), (1, 2), False, "diff"),
    ("last_nokeep", (3, 4, 10), (-1,), False, "diff"),
    ("c_keep_same", (2, 3, 7), (2,), True, "same"),
    ("all_rank2", (6, 9), (0, 1), False, "diff"),
]
for nm, shp, axes, keep, qmode in MEANS:
    for dt in ("i8", "f32"):
        def _b(rng, shp=shp, axes=axes, keep=keep, qmode=qmode, dt=dt):
            ax = tuple(a % len(shp) for a in axes)
            oshp = tuple((1 if i in ax else d) for i, d in enumerate(shp) if keep or i not in ax)
            g = Graph()
            a_t = None
            if dt == "f32":
                x = g.inp("input", shp, F32)
                a_t = g.t("axis", (len(axes),), I32, np.array(axes, np.int32))
                y = g.t("output", oshp, F32)
                g.outputs = [y]
                g.op("MEAN", [x, a_t], [y], OPT["REDUCER"], [(0, "b", int(keep))])
                return g, [[v] for v in float_inputs(rng, shp, -3, 2)]
            s_in, z_in = qparams(-1.0, 2.5)
            xs = int8_inputs(rng, shp)
            if qmode == "same":
                s_out, z_out = s_in, z_in
            else:
                ms = [dequantize(v, s_in, z_in).astype(np.float64).mean(axis=ax) for v in xs]
                s_out, z_out = out_range(ms, 0.9)
            x = g.inp("input", shp, I8, scale=s_in, zp=z_in)
            a_t = g.t("axis", (len(axes),), I32, np.array(axes, np.int32))
            y = g.t("output", oshp, I8, scale=s_out, zp=z_out)
            g.outputs = [y]
            g.op("MEAN", [x, a_t], [y], OPT["REDUCER"], [(0, "b", int(keep))])
            return g, [[v] for v in xs]
        qd = {"diff": ", output quantized for the means' range", "same": ", output quantized as the input"}[qmode]
        case(f"mean_{nm}_{dt}", f"MEAN {'int8' if dt == 'i8' else 'float32'} {'x'.join(map(str, shp))} over axes {list(axes)}, "
                                f"keep_dims {'true' if keep else 'false'}{qd if dt == 'i8' else ''}")(_b)


# ---- CONCATENATION
CONCATS = [
    # name, input shapes, axis
    ("c_3in", ((1, 4, 5, 3), (1, 4, 5, 8), (1, 4, 5, 1)), 3),
    ("negaxis_2in", ((2, 3, 4), (2, 3, 6)), -1),
    ("axis1_4in", ((2, 1, 5), (2, 3, 5), (2, 2, 5), (2, 1, 5)), 1),
    ("axis0_2in", ((3, 7), (2, 7)), 0),
]
for nm, shps, axis in CONCATS:
    for dt in ("i8", "f32"):
        def _b(rng, shps=shps, axis=axis, dt=dt):
            oshp = list(shps[0])
            oshp[axis] = sum(s[axis] for s in shps)
            g = Graph()
            tt = I8 if dt == "i8" else F32
            q = dict(scale=0.05, zp=12) if dt == "i8" else {}
            xs_t = [g.inp(f"input{k}", s, tt, **q) for k, s in enumerate(shps)]
            y = g.t("output", tuple(oshp), tt, **q)
            g.outputs = [y]
            g.op("CONCATENATION", xs_t, [y], OPT["CONCATENATION"], [(0, "i", axis), (1, "b", 0)])
            per = [int8_inputs(rng, s) if dt == "i8" else float_inputs(rng, s, -2, 2) for s in shps]
            return g, [[p[k] for p in per] for k in range(N_INPUTS)]
        case(f"concat_{nm}_{dt}", f"CONCATENATION {'int8 (shared quantization)' if dt == 'i8' else 'float32'}: "
                                  f"{' + '.join('x'.join(map(str, s)) for s in shps)} along axis {axis}")(_b)


# ---- MUL / SUB (broadcasting as ADD)
BINS = [
    # op, name, shape a, shape b, activation
    ("MUL", "same_4d", (1, 4, 5, 3), (1, 4, 5, 3), "NONE"),
    ("MUL", "bcast_c", (1, 5, 7, 3), (1, 1, 1, 3), "NONE"),
    ("MUL", "bcast_both_relu", (2, 1, 6), (1, 4, 1), "RELU"),
    ("MUL", "scalar_relu6", (3, 11), (1,), "RELU6"),
    ("SUB", "same_4d", (1, 4, 5, 3), (1, 4, 5, 3), "NONE"),
    ("SUB", "bcast_c_relu", (1, 5, 7, 3), (1, 1, 1, 3), "RELU"),
    ("SUB", "bcast_rank5", (2, 1, 3, 1, 4), (1, 2, 1, 5, 1), "NONE"),
    ("SUB", "scale_ratio_40", (4, 9), (4, 9), "NONE"),
]
for opn, nm, sa, sb, act in BINS:
    for dt in ("i8", "f32"):
        def _b(rng, opn=opn, nm=nm, sa=sa, sb=sb, act=act, dt=dt):
            so = tuple(np.broadcast_shapes(sa, sb))
            ra, rb = rand_input_range(rng), (-float(rng.uniform(0.1, 1.5)), float(rng.uniform(0.2, 2.0)))
            if nm == "scale_ratio_40":
                ra, rb = (-0.3, 0.3), (-12.0, 12.0)
            opt = OPT[opn]

            def build(q):
                g = Graph()
                if q is None:
                    a = g.inp("a", sa, F32)
                    b_ = g.inp("b", sb, F32)
                    y = g.t("output", so, F32)
                else:
                    a = g.inp("a", sa, I8, scale=q[0][0], zp=q[0][1])
                    b_ = g.inp("b", sb, I8, scale=q[1][0], zp=q[1][1])
                    y = g.t("output", so, I8, scale=q[2][0], zp=q[2][1])
                g.outputs = [y]
                g.op(opn, [a, b_], [y], opt, [(0, "b", ACT[act])])
                return g
            if dt == "f32":
                xa, xb = float_inputs(rng, sa, *ra), float_inputs(rng, sb, *rb)
                return build(None), [[xa[k], xb[k]] for k in range(N_INPUTS)]
            qa, qb = qparams(*ra), qparams(*rb)
            xa, xb = int8_inputs(rng, sa), int8_inputs(rng, sb)
            gf = build(None)
            ys = [o[gf.outputs[0]] for o in run_float(gf, [[dequantize(xa[k], *qa), dequantize(xb[k], *qb)]
                                                            for k in range(N_INPUTS)])]
            qo = out_range(ys)
            return build((qa, qb, qo)), [[xa[k], xb[k]] for k in range(N_INPUTS)]
        case(f"{opn.lower()}_{nm}_{dt}", f"{opn} {'int8' if dt == 'i8' else 'float32'}: "
                                         f"{'x'.join(map(str, sa))} and {'x'.join(map(str, sb))}, {act}")(_b)


# ---- HARD_SWISH / LEAKY_RELU
#
# int8 outputs are quantized for the activation's real output range over the input range (the
# converter's calibration); a few ranges push the 16-bit HARD_SWISH multipliers to their edges: a
# wide input range gives a left-shifting "reluish" exponent, a tiny one a right-shifting one.


def hard_swish_np(x):
    x = np.asarray(x, np.float64)
    return x * np.clip(x + 3, 0, 6) / 6


def leaky_np(x, alpha):
    x = np.asarray(x, np.float64)
    return np.where(x > 0, x, x * alpha)


ACT2 = [
    # op, alpha (LEAKY_RELU), input range, shape, output quantization (None: from the real output range)
    ("HARD_SWISH", None, (-5.0, 5.0), (1, 5, 6, 4), None),
    ("HARD_SWISH", None, (-1.0, 2.0), (3, 40), None),
    ("HARD_SWISH", None, (-30.0, 40.0), (256,), None),
    ("HARD_SWISH", None, (-0.2, 0.3), (256,), None),
    ("HARD_SWISH", None, (-6.0, 12.0), (256,), None),
    # output scale 2^9..2^11 x the input's: output exponent -16 and below, where the reference's
    # 16-bit rounding shift uses a mask that no longer fits in int16
    ("HARD_SWISH", None, (-0.05, 0.06), (256,), (0.25, -3)),
    ("HARD_SWISH", None, (-4.0, 4.0), (256,), (32.0, 10)),
    ("LEAKY_RELU", 0.2, (-3.0, 4.0), (1, 4, 5, 6), None),
    ("LEAKY_RELU", 0.01, (-1.0, 1.5), (2, 33), None),
    ("LEAKY_RELU", 0.3, (-8.0, 2.0), (256,), None),
    ("LEAKY_RELU", 1.7, (-2.0, 2.0), (256,), None),
    ("LEAKY_RELU", -0.5, (-3.0, 3.0), (256,), None),
]
for opn, alpha, (lo, hi), shp, oq in ACT2:
    for dt in ("i8", "f32"):
        if oq is not None and dt == "f32":
            continue
        def _b(rng, opn=opn, alpha=alpha, lo=lo, hi=hi, shp=shp, oq=oq, dt=dt):
            g = Graph()
            opt = [(0, "f", alpha)] if opn == "LEAKY_RELU" else []
            if dt == "f32":
                x = g.inp("input", shp, F32)
                y = g.t("output", shp, F32)
                g.outputs = [y]
                g.op(opn, [x], [y], OPT[opn], opt)
                w = (hi - lo) * 0.25
                return g, [[v] for v in float_inputs(rng, shp, lo - w, hi + w)]
            s_in, z_in = qparams(lo, hi)
            grid = np.linspace(lo, hi, 4001)
            ys = hard_swish_np(grid) if opn == "HARD_SWISH" else leaky_np(grid, np.float32(alpha))
            s_out, z_out = qparams(float(ys.min()), float(ys.max())) if oq is None else oq
            x = g.inp("input", shp, I8, scale=s_in, zp=z_in)
            y = g.t("output", shp, I8, scale=s_out, zp=z_out)
            g.outputs = [y]
            g.op(opn, [x], [y], OPT[opn], opt)
            if shp == (256,):  # every int8 code once, then reversed
                a = np.arange(-128, 128).astype(np.int8)
                return g, [[a], [a[::-1].copy()]]
            return g, [[v] for v in int8_inputs(rng, shp)]
        tag = f"_a{alpha:g}".replace(".", "p").replace("-", "m") if alpha is not None else ""
        if oq is not None:
            tag += f"_out{oq[0]:g}".replace(".", "p")
        rng_tag = f"{lo:g}_{hi:g}".replace("-", "m").replace(".", "p")
        nm = f"{opn.lower()}{tag}_{'x'.join(map(str, shp))}_{rng_tag}_{dt}"
        ad = f", alpha {alpha:g}" if alpha is not None else ""
        qd = "" if dt == "f32" else (", output quantized for the activation's range" if oq is None
                                     else f", output scale {oq[0]:g} zp {oq[1]}")
        case(nm, f"{opn} {'int8' if dt == 'i8' else 'float32'}{ad}: input range [{lo:g}, {hi:g}], "
                 f"shape {'x'.join(map(str, shp))}{qd}")(_b)


# ---- PRELU (alpha a constant, as Keras PReLU converts; int8 alpha quantized on its own range)
PRELUS = [
    # name, input shape, alpha shape, alpha range, alpha zero point symmetric?
    ("shared_hw", (1, 5, 6, 4), (1, 1, 4), (0.05, 0.4), False),
    ("full", (1, 4, 5, 3), (4, 5, 3), (-0.5, 0.5), True),
    ("rank2", (2, 33), (33,), (0.0, 0.3), False),
    ("scalar_alpha", (3, 4, 7), (1,), (0.25, 0.25), True),
]
for nm, shp, ashp, (alo, ahi), sym in PRELUS:
    for dt in ("i8", "f32"):
        def _b(rng, shp=shp, ashp=ashp, alo=alo, ahi=ahi, sym=sym, dt=dt):
            av = rng.uniform(alo, ahi, size=ashp).astype(np.float32)

            def build(q, adata):
                g = Graph()
                if q is None:
                    x = g.inp("input", shp, F32)
                    a = g.t("alpha", ashp, F32, adata)
                    y = g.t("output", shp, F32)
                else:
                    x = g.inp("input", shp, I8, scale=q[0][0], zp=q[0][1])
                    a = g.t("alpha", ashp, I8, adata, scale=q[1][0], zp=q[1][1])
                    y = g.t("output", shp, I8, scale=q[2][0], zp=q[2][1])
                g.outputs = [y]
                g.op("PRELU", [x, a], [y])
                return g
            if dt == "f32":
                return build(None, av), [[v] for v in float_inputs(rng, shp, -3, 2)]
            qx = qparams(-3.0, 2.0)
            if sym:
                qa = (f32(max(abs(alo), abs(ahi), 1e-3) / 127), 0)
            else:
                qa = qparams(float(av.min()), float(av.max()))
            aq = quantize(av, *qa)
            xs = int8_inputs(rng, shp)
            gf = build(None, dequantize(aq, *qa))
            ys = [o[gf.outputs[0]] for o in run_float(gf, [[dequantize(v, *qx)] for v in xs])]
            return build((qx, qa, out_range(ys)), aq), [[v] for v in xs]
        ad = f"alpha {'x'.join(map(str, ashp))} in [{alo:g}, {ahi:g}]"
        qd = f", alpha quantized {'symmetric' if sym else 'asymmetric'}" if dt == "i8" else ""
        case(f"prelu_{nm}_{dt}", f"PRELU {'int8' if dt == 'i8' else 'float32'} {'x'.join(map(str, shp))}, {ad}{qd}")(_b)


# ---- MAXIMUM / MINIMUM (int8: one quantization for both inputs and the output, as the converter writes)
MAXMINS = [
    # op, name, shape a, shape b
    ("MAXIMUM", "same_4d", (1, 4, 5, 3), (1, 4, 5, 3)),
    ("MAXIMUM", "bcast_c", (1, 5, 7, 3), (1, 1, 1, 3)),
    ("MAXIMUM", "scalar", (3, 11), (1,)),
    ("MINIMUM", "same_4d", (1, 4, 5, 3), (1, 4, 5, 3)),
    ("MINIMUM", "bcast_both", (2, 1, 6), (1, 4, 1)),
    ("MINIMUM", "bcast_rank5", (2, 1, 3, 1, 4), (1, 2, 1, 5, 1)),
    ("MAXIMUM", "const_c", (1, 4, 5, 3), (3,)),  # second operand a constant (tf.maximum(x, c))
    ("MINIMUM", "const_scalar", (2, 17), ()),
]
for opn, nm, sa, sb in MAXMINS:
    for dt in ("i8", "f32"):
        def _b(rng, opn=opn, nm=nm, sa=sa, sb=sb, dt=dt):
            so = tuple(np.broadcast_shapes(sa, sb))
            g = Graph()
            tt = I8 if dt == "i8" else F32
            q = dict(scale=0.02, zp=-7) if dt == "i8" else {}
            a = g.inp("a", sa, tt, **q)
            if nm.startswith("const"):
                cv = rng.uniform(-1.5, 1.5, size=sb)
                cdata = quantize(cv, 0.02, -7) if dt == "i8" else cv.astype(np.float32)
                b_ = g.t("b", sb, tt, cdata, **q)
                y = g.t("output", so, tt, **q)
                g.outputs = [y]
                g.op(opn, [a, b_], [y], OPT[opn], [])
                xa = int8_inputs(rng, sa) if dt == "i8" else float_inputs(rng, sa, -2, 2)
                return g, [[v] for v in xa]
            b_ = g.inp("b", sb, tt, **q)
            y = g.t("output", so, tt, **q)
            g.outputs = [y]
            g.op(opn, [a, b_], [y], OPT[opn], [])
            if dt == "i8":
                xa, xb = int8_inputs(rng, sa), int8_inputs(rng, sb)
            else:
                xa, xb = float_inputs(rng, sa, -2, 2), float_inputs(rng, sb, -2, 2)
                xb[0].ravel()[: min(3, xb[0].size)] = xa[0].ravel()[: min(3, xb[0].size)]  # some ties
            return g, [[xa[k], xb[k]] for k in range(N_INPUTS)]
        sbd = ('constant ' if nm.startswith('const') else '') + ('x'.join(map(str, sb)) or 'scalar')
        case(f"{opn.lower()}_{nm}_{dt}", f"{opn} {'int8 (shared quantization)' if dt == 'i8' else 'float32'}: "
                                         f"{'x'.join(map(str, sa))} and {sbd}")(_b)


# ---- STRIDED_SLICE
#
# Each case: input shape, begin, end, strides, masks, and the numpy index that means the same (the
# generator checks LiteRT's result against numpy's, so a mistyped case cannot pass silently).
SLICES = [
    # name, shape, begin, end, strides, dict(masks), numpy index
    ("crop_4d", (1, 6, 7, 4), (0, 1, 2, 0), (1, 5, 7, 4), (1, 1, 1, 1), {}, np.s_[0:1, 1:5, 2:7, 0:4]),
    ("stride2_hw", (1, 8, 9, 3), (0, 0, 1, 0), (1, 8, 9, 3), (1, 2, 2, 1), {}, np.s_[0:1, 0:8:2, 1:9:2, 0:3]),
    ("neg_idx_masks", (2, 5, 6), (0, -4, 1), (0, -1, -1), (1, 1, 2), dict(begin=1, end=1), np.s_[:, -4:-1, 1:-1:2]),
    ("shrink_mid", (1, 5, 4), (0, 2, 0), (1, 3, 4), (1, 1, 1), dict(shrink=2), np.s_[0:1, 2, 0:4]),
    ("ellipsis_last", (2, 3, 4, 5), (0, 1), (0, 4), (1, 2), dict(ellipsis=1), np.s_[..., 1:4:2]),
    ("new_axis", (3, 4), (0, 0, 1), (0, 0, 3), (1, 1, 1), dict(begin=1, end=1, new_axis=2), np.s_[:, None, 1:3]),
    ("neg_strides", (6, 5), (0, 4), (0, 0), (-1, -2), dict(begin=1, end=1), np.s_[::-1, 4:0:-2]),
    ("clamped", (4, 6), (-10, 2), (10, 100), (1, 1), {}, np.s_[-10:10, 2:100]),
    ("rank5", (2, 3, 2, 4, 3), (1, 0, 0, 1, 0), (2, 3, 2, 4, 3), (1, 2, 1, 2, 1), {}, np.s_[1:2, 0:3:2, 0:2, 1:4:2, 0:3]),
    ("ellipsis_shrink_last", (2, 3, 4), (0, -1), (0, 0), (1, 1), dict(ellipsis=1, shrink=2), np.s_[..., -1]),
    ("partial_spec", (3, 4, 5), (1,), (3,), (1,), {}, np.s_[1:3]),
]
for nm, shp, bg, en, st, masks, npidx in SLICES:
    for dt in ("i8", "f32"):
        def _b(rng, shp=shp, bg=bg, en=en, st=st, masks=masks, npidx=npidx, dt=dt):
            oshp = np.zeros(shp)[npidx].shape
            g = Graph()
            tt = I8 if dt == "i8" else F32
            q = dict(scale=0.04, zp=5) if dt == "i8" else {}
            x = g.inp("input", shp, tt, **q)
            n = len(bg)
            tb = g.t("begin", (n,), I32, np.array(bg, np.int32))
            te = g.t("end", (n,), I32, np.array(en, np.int32))
            ts = g.t("strides", (n,), I32, np.array(st, np.int32))
            y = g.t("output", oshp, tt, **q)
            g.outputs = [y]
            g.op("STRIDED_SLICE", [x, tb, te, ts], [y], OPT["STRIDED_SLICE"],
                 [(0, "i", masks.get("begin", 0)), (1, "i", masks.get("end", 0)), (2, "i", masks.get("ellipsis", 0)),
                  (3, "i", masks.get("new_axis", 0)), (4, "i", masks.get("shrink", 0)), (5, "b", 0)])
            xs = int8_inputs(rng, shp) if dt == "i8" else float_inputs(rng, shp, -2, 2)
            g.check = lambda vals, xs_, y=y, npidx=npidx: np.array_equal(vals[y], xs_[0][npidx])
            return g, [[v] for v in xs]
        md = ", ".join(f"{k}_mask {v}" for k, v in masks.items())
        case(f"strided_slice_{nm}_{dt}", f"STRIDED_SLICE {'int8' if dt == 'i8' else 'float32'} {'x'.join(map(str, shp))}: "
                                         f"begin {list(bg)} end {list(en)} strides {list(st)}{', ' + md if md else ''}")(_b)


# ---- TRANSPOSE
TRANSPOSES = [
    # name, shape, perm, perm type
    ("nhwc_nchw", (1, 4, 5, 3), (0, 3, 1, 2), I32),
    ("rank3", (2, 3, 4), (2, 0, 1), I32),
    ("rank2", (6, 7), (1, 0), I64),
    ("rank5", (2, 3, 2, 4, 3), (4, 2, 0, 3, 1), I32),
    ("rank6_reverse", (2, 1, 3, 2, 2, 3), (5, 4, 3, 2, 1, 0), I32),
    ("identity", (3, 5), (0, 1), I32),
]
for nm, shp, perm, ptype in TRANSPOSES:
    for dt in ("i8", "f32"):
        def _b(rng, shp=shp, perm=perm, ptype=ptype, dt=dt):
            oshp = tuple(shp[p] for p in perm)
            g = Graph()
            tt = I8 if dt == "i8" else F32
            q = dict(scale=0.04, zp=5) if dt == "i8" else {}
            x = g.inp("input", shp, tt, **q)
            tp = g.t("perm", (len(perm),), ptype, np.array(perm))
            y = g.t("output", oshp, tt, **q)
            g.outputs = [y]
            g.op("TRANSPOSE", [x, tp], [y], OPT["TRANSPOSE"], [])
            xs = int8_inputs(rng, shp) if dt == "i8" else float_inputs(rng, shp, -2, 2)
            g.check = lambda vals, xs_, y=y, perm=perm: np.array_equal(vals[y], np.transpose(xs_[0], perm))
            return g, [[v] for v in xs]
        case(f"transpose_{nm}_{dt}", f"TRANSPOSE {'int8' if dt == 'i8' else 'float32'} {'x'.join(map(str, shp))}, "
                                     f"perm {list(perm)} ({'int64' if ptype == I64 else 'int32'})")(_b)


# ---- EXPAND_DIMS
EXPANDS = [
    # name, shape, axis, axis type, axis shape
    ("axis0", (3, 4), 0, I32, ()),
    ("axis_neg1", (2, 3, 4), -1, I32, (1,)),
    ("axis1_i64", (5,), 1, I64, ()),
    ("axis2_4d", (1, 4, 4, 3), 2, I32, (1,)),
]
for nm, shp, axis, atype, ashp in EXPANDS:
    for dt in ("i8", "f32"):
        def _b(rng, shp=shp, axis=axis, atype=atype, ashp=ashp, dt=dt):
            oshp = np.expand_dims(np.zeros(shp), axis).shape
            g = Graph()
            tt = I8 if dt == "i8" else F32
            q = dict(scale=0.04, zp=5) if dt == "i8" else {}
            x = g.inp("input", shp, tt, **q)
            ta = g.t("axis", ashp, atype, np.array(axis).reshape(ashp))
            y = g.t("output", oshp, tt, **q)
            g.outputs = [y]
            g.op("EXPAND_DIMS", [x, ta], [y], OPT["EXPAND_DIMS"], [])
            xs = int8_inputs(rng, shp) if dt == "i8" else float_inputs(rng, shp, -2, 2)
            return g, [[v] for v in xs]
        case(f"expand_dims_{nm}_{dt}", f"EXPAND_DIMS {'int8' if dt == 'i8' else 'float32'} {'x'.join(map(str, shp))}, "
                                       f"axis {axis} ({'int64' if atype == I64 else 'int32'})")(_b)


# ------------------------------------------------------------------------------------------ converter-made models
#
# Models made by TensorFlow's converter from Keras (scripts/gen_keras_models.py writes them into
# tests/data/keras): copied into tests/data/ops as they are and run through LiteRT like the others,
# so the options, masks and quantization the converter really writes are covered too.
KERAS_DIR = REPO / "tests" / "data" / "keras"
KERAS_CASES = [
    ("keras_mix_i8", "Keras -> TFLite converter, full int8: CONV_2D, HARD_SWISH, LEAKY_RELU, PRELU, MAXIMUM, "
                     "MINIMUM, STRIDED_SLICE, TRANSPOSE, RESHAPE (expand_dims)"),
    ("keras_mix_f32", "Keras -> TFLite converter, float32: the same network"),
]


def converted_case(name: str):
    """(blob, [fixture bytes per k]) for a converter-made model."""
    blob = (KERAS_DIR / f"{name}.tflite").read_bytes()
    m = tflite.Model.GetRootAsModel(blob, 0)
    sg = m.Subgraphs(0)
    types, const = [], []
    for i in range(sg.TensorsLength()):
        t = sg.Tensors(i)
        types.append(t.Type())
        const.append(m.Buffers(t.Buffer()).DataLength() > 0)
    rng = np.random.default_rng(seed_of(f"{name}:w"))
    fixtures = []
    inputs = [sg.Inputs(i) for i in range(sg.InputsLength())]
    per_input = []
    for i in inputs:
        shp = tuple(sg.Tensors(i).ShapeAsNumpy())
        per_input.append(int8_inputs(rng, shp) if types[i] == I8 else float_inputs(rng, shp, -1.0, 1.0))
    for k in range(N_INPUTS):
        it = make_interp(blob)
        for d, xs in zip(it.get_input_details(), per_input):
            it.set_tensor(d["index"], xs[k])
        it.invoke()
        parts, n = [], 0
        for i in range(len(types)):
            if const[i]:
                continue
            data = np.ascontiguousarray(it.get_tensor(i)).astype(NP_OF[types[i]]).tobytes()
            parts += [struct.pack("<iII", i, types[i], len(data)), data]
            n += 1
        fixtures.append(b"".join([MAGIC, struct.pack("<II", VERSION, n)] + parts))
    return blob, fixtures


# ------------------------------------------------------------------------------------------ hostile models
#
# Well-formed flatbuffers with parameters picoml must refuse at prepare (never run through LiteRT):
# written as reject_<name>.tflite and listed in REJECTS.txt as "<case> <status> <description>";
# tests/robust/test_malformed.c checks that pml_interp_arena_size returns exactly that status.

REJECTS = []  # (name, status, description, builder)


def reject(name, status, desc):
    def deco(fn):
        REJECTS.append((f"reject_{name}", status, desc, fn))
        return fn
    return deco


def slice_graph(shp, oshp, bg, en, st, masks=None, begin_input=False, offset=0):
    masks = masks or {}
    g = Graph()
    x = g.inp("input", shp, F32)
    if begin_input:
        tb = g.inp("begin", (len(bg),), I32)
    else:
        tb = g.t("begin", (len(bg),), I32, np.array(bg, np.int32))
    te = g.t("end", (len(en),), I32, np.array(en, np.int32))
    ts = g.t("strides", (len(st),), I32, np.array(st, np.int32))
    y = g.t("output", oshp, F32)
    g.outputs = [y]
    g.op("STRIDED_SLICE", [x, tb, te, ts], [y], OPT["STRIDED_SLICE"],
         [(0, "i", masks.get("begin", 0)), (1, "i", masks.get("end", 0)), (2, "i", masks.get("ellipsis", 0)),
          (3, "i", masks.get("new_axis", 0)), (4, "i", masks.get("shrink", 0)), (5, "b", offset)])
    return g


def transpose_graph(shp, oshp, perm, ptype=I32):
    g = Graph()
    x = g.inp("input", shp, F32)
    tp = g.t("perm", (len(perm),), ptype, np.array(perm))
    y = g.t("output", oshp, F32)
    g.outputs = [y]
    g.op("TRANSPOSE", [x, tp], [y], OPT["TRANSPOSE"], [])
    return g


def unary_graph(opn, shp, oshp, tin, tout, qin=None, qout=None, opt=()):
    g = Graph()
    x = g.inp("input", shp, tin, **(qin or {}))
    y = g.t("output", oshp, tout, **(qout or {}))
    g.outputs = [y]
    g.op(opn, [x], [y], OPT[opn], list(opt))
    return g


reject("ss_shrink_begin_out_of_range", "PML_ERR_MODEL", "STRIDED_SLICE 4x5, shrink axis 0 with begin 7")(
    lambda: slice_graph((4, 5), (5,), (7, 0), (8, 5), (1, 1), dict(shrink=1)))
reject("ss_begin_beyond_dim", "PML_ERR_MODEL", "STRIDED_SLICE 4x5, begin 10 (empty slice) but output claims 2x5")(
    lambda: slice_graph((4, 5), (2, 5), (10, 0), (12, 5), (1, 1)))
reject("ss_output_too_big", "PML_ERR_MODEL", "STRIDED_SLICE 4x5 [0:2] with output 4x5")(
    lambda: slice_graph((4, 5), (4, 5), (0,), (2,), (1,)))
reject("ss_stride_zero", "PML_ERR_MODEL", "STRIDED_SLICE stride 0")(
    lambda: slice_graph((4, 5), (4, 5), (0, 0), (4, 5), (1, 0)))
reject("ss_stride_int_min", "PML_ERR_MODEL", "STRIDED_SLICE stride INT32_MIN")(
    lambda: slice_graph((4, 5), (4, 1), (0, 4), (4, 0), (1, -2**31)))
reject("ss_two_ellipses", "PML_ERR_MODEL", "STRIDED_SLICE with two ellipsis bits")(
    lambda: slice_graph((2, 3, 4), (2, 3, 4), (0, 0), (0, 0), (1, 1), dict(ellipsis=3)))
reject("ss_index_lengths_differ", "PML_ERR_MODEL", "STRIDED_SLICE begin of 2, end of 1 elements")(
    lambda: slice_graph((4, 5), (4, 5), (0, 0), (4,), (1, 1)))
reject("ss_too_many_indices", "PML_ERR_MODEL", "STRIDED_SLICE 3 indices for a 2-D input")(
    lambda: slice_graph((4, 5), (4, 5), (0, 0, 0), (4, 5, 1), (1, 1, 1)))
reject("ss_offset", "PML_ERR_UNSUPPORTED", "STRIDED_SLICE with the offset option")(
    lambda: slice_graph((4, 5), (2, 5), (0, 0), (2, 5), (1, 1), offset=1))
reject("ss_begin_not_constant", "PML_ERR_UNSUPPORTED", "STRIDED_SLICE begin is a graph input")(
    lambda: slice_graph((4, 5), (2, 5), (0, 0), (2, 5), (1, 1), begin_input=True))
reject("ss_shrink_negative_stride", "PML_ERR_UNSUPPORTED", "STRIDED_SLICE shrink axis with stride -1")(
    lambda: slice_graph((4, 5), (5,), (2, 0), (1, 5), (-1, 1), dict(shrink=1)))
reject("tr_perm_duplicate", "PML_ERR_MODEL", "TRANSPOSE perm (0, 0, 1)")(
    lambda: transpose_graph((2, 3, 4), (2, 2, 3), (0, 0, 1)))
reject("tr_perm_out_of_range", "PML_ERR_MODEL", "TRANSPOSE perm (0, 3, 1)")(
    lambda: transpose_graph((2, 3, 4), (2, 4, 3), (0, 3, 1)))
reject("tr_perm_negative", "PML_ERR_MODEL", "TRANSPOSE perm (-1, 0, 1)")(
    lambda: transpose_graph((2, 3, 4), (4, 2, 3), (-1, 0, 1)))
reject("tr_perm_int64_huge", "PML_ERR_MODEL", "TRANSPOSE int64 perm (2^40, 0)")(
    lambda: transpose_graph((2, 3), (3, 2), (2**40, 0), I64))
reject("tr_perm_length", "PML_ERR_MODEL", "TRANSPOSE perm of 2 entries for a 3-D input")(
    lambda: transpose_graph((2, 3, 4), (3, 2, 4), (1, 0)))
reject("tr_output_shape", "PML_ERR_MODEL", "TRANSPOSE 2x3x4 perm (2, 0, 1) with output 4x3x2")(
    lambda: transpose_graph((2, 3, 4), (4, 3, 2), (2, 0, 1)))


def _expand_bad(shp, oshp, axis):
    g = Graph()
    x = g.inp("input", shp, F32)
    ta = g.t("axis", (), I32, np.array(axis, np.int32))
    y = g.t("output", oshp, F32)
    g.outputs = [y]
    g.op("EXPAND_DIMS", [x, ta], [y], OPT["EXPAND_DIMS"], [])
    return g


reject("ed_axis_out_of_range", "PML_ERR_MODEL", "EXPAND_DIMS axis 5 for a 2-D input")(
    lambda: _expand_bad((3, 4), (3, 4, 1), 5))
reject("ed_output_shape", "PML_ERR_MODEL", "EXPAND_DIMS 3x4 axis 0 with output 3x1x4")(
    lambda: _expand_bad((3, 4), (3, 1, 4), 0))


def _maxmin_bad(sa, sb, so, qa, qb, qo):
    g = Graph()
    a = g.inp("a", sa, I8, **qa)
    b_ = g.inp("b", sb, I8, **qb)
    y = g.t("output", so, I8, **qo)
    g.outputs = [y]
    g.op("MAXIMUM", [a, b_], [y], OPT["MAXIMUM"], [])
    return g


Q1, Q2 = dict(scale=0.02, zp=-7), dict(scale=0.05, zp=3)
reject("mm_quant_mismatch", "PML_ERR_UNSUPPORTED", "MAXIMUM int8 with inputs quantized unlike the output")(
    lambda: _maxmin_bad((2, 3), (2, 3), (2, 3), Q1, Q2, Q1))
reject("mm_no_broadcast", "PML_ERR_MODEL", "MAXIMUM 2x3 and 4x3")(
    lambda: _maxmin_bad((2, 3), (4, 3), (4, 3), Q1, Q1, Q1))
def _prelu_bad(shp, ashp, oshp):
    g = Graph()
    x = g.inp("input", shp, F32)
    a = g.t("alpha", ashp, F32, np.full(ashp, 0.25, np.float32))
    y = g.t("output", oshp, F32)
    g.outputs = [y]
    g.op("PRELU", [x, a], [y])
    return g


reject("prelu_alpha_shape", "PML_ERR_MODEL", "PRELU 2x3x4 input with alpha 5")(
    lambda: _prelu_bad((2, 3, 4), (5,), (2, 3, 4)))
reject("hs_shape_mismatch", "PML_ERR_MODEL", "HARD_SWISH 2x3 -> 3x2")(
    lambda: unary_graph("HARD_SWISH", (2, 3), (3, 2), F32, F32))
reject("hs_output_scale_tiny", "PML_ERR_UNSUPPORTED", "HARD_SWISH int8, output scale < input scale / 128")(
    lambda: unary_graph("HARD_SWISH", (2, 3), (2, 3), I8, I8, dict(scale=0.5, zp=0), dict(scale=0.001, zp=0)))
reject("lr_type_mismatch", "PML_ERR_UNSUPPORTED", "LEAKY_RELU int8 -> float32")(
    lambda: unary_graph("LEAKY_RELU", (2, 3), (2, 3), I8, F32, dict(scale=0.5, zp=0), None, [(0, "f", 0.2)]))
reject("lr_alpha_nan", "PML_ERR_MODEL", "LEAKY_RELU alpha NaN")(
    lambda: unary_graph("LEAKY_RELU", (2, 3), (2, 3), F32, F32, None, None, [(0, "f", float("nan"))]))


# ------------------------------------------------------------------------------------------ main


def generate() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    lines = []
    seen = set()
    for name, desc, fn in CASES:
        assert name not in seen, name
        seen.add(name)
        rng = np.random.default_rng(seed_of(f"{name}:w"))
        g, inputs = fn(rng)
        assert len(inputs) == N_INPUTS
        blob = g.serialize(f"picoml op test {name}")
        readback_check(g, blob)
        files[f"{name}.tflite"] = blob
        if g.ref is not None:
            rg = g.ref
            assert len(rg.tensors) == len(g.tensors) + 1 and rg.tensors[-1]["data"] is not None
            assert all(a["name"] == b["name"] for a, b in zip(g.tensors, rg.tensors))
            rblob = rg.serialize(f"picoml op test {name} (reference form)")
            readback_check(rg, rblob)
        for k, xs in enumerate(inputs):
            vals = run(g.ref, rblob, xs) if g.ref is not None else run(g, blob, xs)
            for i, x in zip(g.inputs, xs):
                assert np.array_equal(vals[i], x)
            if getattr(g, "check", None) is not None:
                assert g.check(vals, xs), f"{name}.{k}: LiteRT disagrees with numpy"
            files[f"{name}.{k}.tensors.bin"] = encode(g, vals)
            y = vals[g.outputs[0]]
            if y.size > 1 and np.unique(y).size == 1 and g.tensors[g.outputs[0]]["shape"][-1] > 1:
                print(f"WARNING: {name}.{k}: output is all one value ({y.ravel()[0]})", file=sys.stderr)
        lines.append(f"{name} {desc}")
    for name, desc in KERAS_CASES:
        assert name not in seen, name
        seen.add(name)
        blob, fixtures = converted_case(name)
        files[f"{name}.tflite"] = blob
        for k, fx in enumerate(fixtures):
            files[f"{name}.{k}.tensors.bin"] = fx
        lines.append(f"{name} {desc}")
    vers = {p: importlib.metadata.version(p) for p in ("ai-edge-litert", "numpy", "flatbuffers", "tflite")}
    header = [
        "# picoml per-op golden cases: <case> <description>; made by scripts/gen_op_models.py, do not edit.",
        "# Files: <case>.tflite and <case>.<k>.tensors.bin (k = 0: uniform input, 1: normal input), 'PMLT' records",
        "# of every non-constant tensor from LiteRT with OpResolverType.BUILTIN_REF, num_threads=1.",
        "# Tools: Python " + platform.python_version() + ", " + ", ".join(f"{p} {v}" for p, v in vers.items()),
    ]
    files["CASES.txt"] = ("\n".join(header + lines) + "\n").encode()
    rlines = ["# picoml hostile single-op models: <case> <status from pml_interp_arena_size> <description>;",
              "# made by scripts/gen_op_models.py (not run through LiteRT), do not edit."]
    for name, status, desc, fn in REJECTS:
        assert name not in seen, name
        seen.add(name)
        g = fn()
        blob = g.serialize(f"picoml hostile op model {name}")
        readback_check(g, blob)
        files[f"{name}.tflite"] = blob
        rlines.append(f"{name} {status} {desc}")
    files["REJECTS.txt"] = ("\n".join(rlines) + "\n").encode()
    return files


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    a = ap.parse_args()
    files = generate()
    total = sum(len(v) for v in files.values())
    n_cases = len(CASES) + len(KERAS_CASES)
    if a.check:
        bad = [f for f, v in files.items() if not (OUT_DIR / f).exists() or (OUT_DIR / f).read_bytes() != v]
        extra = [p.name for p in OUT_DIR.iterdir() if p.name not in files]
        for f in bad:
            print(f"differs: {f}")
        for f in extra:
            print(f"extra file: {f}")
        print(f"{n_cases} cases, {len(files)} files, {total} bytes: {'identical' if not bad and not extra else 'DIFFERENT'}")
        return 1 if bad or extra else 0
    if total > SIZE_LIMIT:
        raise SystemExit(f"total {total} bytes > {SIZE_LIMIT}")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for p in OUT_DIR.iterdir():
        if p.name not in files:
            p.unlink()
    for f, v in files.items():
        (OUT_DIR / f).write_bytes(v)
    print(f"wrote {n_cases} cases, {len(files)} files, {total} bytes to {OUT_DIR.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.exit(main())
