#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write the Fashion-MNIST training fixture of the on-target training test.

    python3 scripts/gen_train_fixture.py [--n 32] [--src /usr/share/datasets/fashion-mnist]
                                         [--out tests/train/data/fmnist_train32.bin]

Takes the first N images of the Fashion-MNIST training set (train-images-idx3-ubyte.gz,
train-labels-idx1-ubyte.gz from Debian's dataset-fashion-mnist: scripts/install-deps.sh --datasets)
and writes them raw, so the test needs neither the dataset package nor a decompressor:

    u8 label[N]; u8 pixels[N][28*28]      (row-major, as in the IDX file; 0..255)

The fixture is committed (25 KB for N = 32); make test (scripts/qemu_train_test.sh) embeds it in
the Cortex-M4 training firmware and in its host twin. Rerunning the script reproduces it byte for
byte (the training set's order is fixed).
"""
import argparse
import gzip
import struct
import sys


def idx(path, magic, ndim):
    with gzip.open(path, "rb") as f:
        data = f.read()
    m, = struct.unpack(">I", data[:4])
    if m != magic:
        sys.exit(f"gen_train_fixture: {path}: magic {m:#x}, want {magic:#x}")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return dims, data[4 + 4 * ndim:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=32)
    ap.add_argument("--src", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out", default="tests/train/data/fmnist_train32.bin")
    a = ap.parse_args()
    (ni, rows, cols), pix = idx(f"{a.src}/train-images-idx3-ubyte.gz", 0x803, 3)
    (nl,), lab = idx(f"{a.src}/train-labels-idx1-ubyte.gz", 0x801, 1)
    if ni != nl or (rows, cols) != (28, 28) or not 0 < a.n <= ni:
        sys.exit(f"gen_train_fixture: unexpected IDX shapes {ni}x{rows}x{cols}, {nl} labels (n={a.n})")
    px = rows * cols
    with open(a.out, "wb") as f:
        f.write(lab[:a.n])
        f.write(pix[:a.n * px])
    print(f"gen_train_fixture: {a.out}: {a.n} samples, labels {list(lab[:a.n])}")


if __name__ == "__main__":
    main()
