#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compare the outputs of the training firmware (ports/common/fw_train.c) on two platforms.

    train_compare.py REF.log GOT.log [--rtol 1e-4] [--atol 1e-6]

Both logs come from the same source, samples and configuration (the host twin and the Cortex-M4
firmware). Every per-step training loss, both mean evaluation losses and every trained value must
agree within |got - ref| <= atol + rtol * |ref|: the two platforms round the same float32
operations the same way (both compile with -std=c11, so without FP contraction), but libm's expf /
logf (glibc vs newlib) and the compilers' evaluation of constants may differ in the last bits, and
SGD carries such differences along. Prints the largest differences and exits 1 on a mismatch (or if
the logs do not describe the same run).
"""
import argparse
import struct
import sys


def f32(h):
    return struct.unpack("<f", struct.pack("<I", int(h, 16)))[0]


def parse(path):
    r = {"loss": {}, "eval": {}, "param": [], "meta": {}}
    cur = None
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "loss" and len(w) == 3:
                r["loss"][int(w[1])] = f32(w[2])
            elif w[0] == "eval" and len(w) == 3:
                r["eval"][int(w[1])] = f32(w[2])
            elif w[0] == "param":
                cur = {"head": " ".join(w[1:]), "v": []}
                r["param"].append(cur)
            elif w[0] == "v" and cur is not None:
                cur["v"].extend(f32(h) for h in w[1:])
            elif w[0] in ("samples", "params"):
                r["meta"][w[0]] = " ".join(w[1:])
            elif w[0] == "RESULT":
                r["result"] = w[1]
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ref")
    ap.add_argument("got")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=1e-6)
    a = ap.parse_args()
    ref, got = parse(a.ref), parse(a.got)
    bad = []
    if ref["meta"] != got["meta"] or not ref["loss"]:
        bad.append(f"different runs: {ref['meta']} vs {got['meta']}")
    if sorted(ref["loss"]) != sorted(got["loss"]) or sorted(ref["eval"]) != sorted(got["eval"]):
        bad.append("different steps")
    if [p["head"] for p in ref["param"]] != [p["head"] for p in got["param"]]:
        bad.append("different trained tensors")

    def cmp(name, pairs):
        mabs = mrel = 0.0
        n_bad = n_same = n = 0
        for x, y in pairs:
            n += 1
            d = abs(x - y)
            n_same += x == y
            mabs = max(mabs, d)
            if x != 0.0:
                mrel = max(mrel, d / abs(x))
            if not d <= a.atol + a.rtol * abs(x):
                n_bad += 1
        print(f"  {name}: {n} values, {n_same} bit-identical, max |diff| {mabs:.3g}, max rel diff {mrel:.3g}"
              + (f", {n_bad} OUT OF TOLERANCE" if n_bad else ""))
        if n_bad:
            bad.append(f"{name}: {n_bad} values out of tolerance")

    if not bad:
        steps = sorted(ref["loss"])
        print(f"  loss: step 0 {ref['loss'][steps[0]]:.6f} / {got['loss'][steps[0]]:.6f}, "
              f"step {steps[-1]} {ref['loss'][steps[-1]]:.6f} / {got['loss'][steps[-1]]:.6f}; "
              f"mean eval loss {ref['eval'][0]:.6f} -> {ref['eval'][1]:.6f} / "
              f"{got['eval'][0]:.6f} -> {got['eval'][1]:.6f} (ref / got)")
        cmp("training losses", [(ref["loss"][k], got["loss"][k]) for k in steps])
        cmp("eval losses", [(ref["eval"][k], got["eval"][k]) for k in sorted(ref["eval"])])
        cmp("trained values", [(x, y) for p, q in zip(ref["param"], got["param"]) for x, y in zip(p["v"], q["v"])])
        if any(len(p["v"]) != len(q["v"]) for p, q in zip(ref["param"], got["param"])):
            bad.append("different value counts")
    for b in bad:
        print(f"  MISMATCH: {b}")
    print(f"  tolerance: |got - ref| <= {a.atol:g} + {a.rtol:g} |ref|")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
