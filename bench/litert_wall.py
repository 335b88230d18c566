#!/usr/bin/env python3
"""Wall time of picoml beside the TFLite interpreter (LiteRT, default delegate = XNNPACK, 1 thread).

Both run the same model on the same input (the MLPerf Tiny pattern input): LiteRT through its Python
API (invoke() only is timed), picoml through `picoml bench` (C, invoke only). The runs are split into
--rounds rounds that alternate between the two (which one goes first alternates too), so that a
change in machine load hits both alike; --cpu pins both to one core.
Prints a markdown table: median and min microseconds per inference, LiteRT / picoml of the minimums,
and the median and range over the rounds of each round's LiteRT / picoml (of that round's minimums).

LiteRT's times include the cost of a Python invoke() call. So that this cannot flatter picoml, the
script also times invoke() on a one-op model (tests/data/ops/expand_dims_axis0_i8.tflite, 12 bytes
copied): that floor is Python's call plus LiteRT's own per-invoke work. The last column is
(LiteRT min - floor) / picoml min: a lower bound of the ratio a C++ caller of LiteRT would see.

    pip install ai-edge-litert numpy
    python3 bench/litert_wall.py [--picoml build/picoml] [--runs 300] [--rounds 10] [--cpu 1]
"""
import argparse, json, os, statistics, subprocess, sys, time

import numpy as np
from ai_edge_litert.interpreter import Interpreter

MODELS = ["kws_ref_model", "vww_96_int8", "ad01_int8", "pretrainedResnet_quant", "str_ww_ref_model"]


def pattern(detail):
    n = int(np.prod(detail["shape"]))
    v = ((np.arange(n) * 7 + 3) % 256) - 128
    if detail["dtype"] == np.float32:
        return (v / 128.0).astype(np.float32).reshape(detail["shape"])
    return v.astype(detail["dtype"]).reshape(detail["shape"])


def litert_interpreter(path):
    it = Interpreter(model_path=path, num_threads=1)
    it.allocate_tensors()
    d = it.get_input_details()[0]
    it.set_tensor(d["index"], pattern(d))
    return it


def litert_times(it, runs, warmup):
    for _ in range(warmup):
        it.invoke()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        it.invoke()
        ts.append((time.perf_counter_ns() - t0) / 1e3)
    return statistics.median(ts), min(ts)


def picoml_times(picoml, path, runs, warmup, cpu):
    cmd = [picoml, "bench", path, "--runs", str(runs), "--warmup", str(warmup), "--json", "--no-op-times"]
    if cpu is not None:
        cmd = ["taskset", "-c", str(cpu)] + cmd
    j = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    return j["median_us"], j["min_us"], j["build"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--picoml", default="build/picoml")
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=10, help="alternate the two runtimes this many times")
    ap.add_argument("--cpu", type=int, default=None, help="pin both runtimes to this core")
    a = ap.parse_args()
    if a.cpu is not None:
        os.sched_setaffinity(0, {a.cpu})
    per = max(1, a.runs // a.rounds)
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    import ai_edge_litert
    ver = getattr(ai_edge_litert, "__version__", "?")
    floor_it = litert_interpreter(os.path.join(root, "tests", "data", "ops", "expand_dims_axis0_i8.tflite"))
    floor = min(litert_times(floor_it, max(per, 1000), a.warmup)[1] for _ in range(3))
    print(f"| model | LiteRT {ver} XNNPACK 1 thread: median / min (us) | picoml: median / min (us) "
          f"| LiteRT/picoml (minimums) | per round: median (range) | (LiteRT min - {floor:.2f} us floor)/picoml |")
    print("|---|---:|---:|---:|---:|---:|")
    build = ""
    for m in MODELS:
        path = os.path.join(root, "models", m + ".tflite")
        it = litert_interpreter(path)
        litert_times(it, 1, a.warmup)
        lmed, lmin, pmed, pmin, ratios = [], [], [], [], []
        for r in range(a.rounds):
            first_litert = r % 2 == 0
            if first_litert:
                lm, ln = litert_times(it, per, min(a.warmup, per))
            pm, pn, build = picoml_times(a.picoml, path, per, min(a.warmup, per), a.cpu)
            if not first_litert:
                lm, ln = litert_times(it, per, min(a.warmup, per))
            lmed.append(lm); lmin.append(ln); pmed.append(pm); pmin.append(pn); ratios.append(ln / pn)
        ln, pn = min(lmin), min(pmin)
        print(f"| {m} | {statistics.median(lmed):.1f} / {ln:.1f} | {statistics.median(pmed):.1f} / {pn:.1f} "
              f"| {ln / pn:.2f} | {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}) | {(ln - floor) / pn:.2f} |")
    print(f"\npicoml build: {build}; {a.rounds} rounds of {per} runs (after warm-up) each, alternating; "
          f"{'pinned to cpu ' + str(a.cpu) if a.cpu is not None else 'not pinned'}; {os.uname().machine}, {os.cpu_count()} cores")


if __name__ == "__main__":
    sys.exit(main())
