#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Instructions per function of one counted region of a firmware run.

    COUNT=1 PLUGIN=build-qemu/libinsncount.so PROF=/tmp/p.txt ports/qemu-run.sh m4 <elf>
    scripts/insn_profile.py <elf> /tmp/p.txt [--macs N] [--top K]

The profile holds "<address hex> <count>" per executed instruction (insncount's prof= option);
each address is attributed to the function symbol (nm) that contains it. Inlined code counts for
the function it was inlined into, so the rows are the kernels' entry points and their noinline
instances."""
import argparse
import bisect
import subprocess
import sys


def symbols(elf, nm):
    out = subprocess.run([nm, "-S", "-C", "--defined-only", elf], check=True, capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        f = line.split(maxsplit=3)
        if len(f) == 4 and f[2] in "tTwW":
            syms.append((int(f[0], 16) & ~1, int(f[1], 16), f[3]))
    syms.sort()
    return syms


def fold(elf, profile, nm="arm-none-eabi-nm"):
    """([(function, instructions)] most first, total) of one profile"""
    syms = symbols(elf, nm)
    starts = [s[0] for s in syms]
    per = {}
    total = 0
    with open(profile) as f:
        for line in f:
            addr, cnt = line.split()
            addr, cnt = int(addr, 16), int(cnt)
            total += cnt
            i = bisect.bisect_right(starts, addr) - 1
            name = "?"
            if i >= 0 and addr < syms[i][0] + max(syms[i][1], 2):
                name = syms[i][2]
            per[name] = per.get(name, 0) + cnt
    return sorted(per.items(), key=lambda kv: -kv[1]), total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("elf")
    ap.add_argument("profile")
    ap.add_argument("--nm", default="arm-none-eabi-nm")
    ap.add_argument("--macs", type=int, default=0, help="MACs of the inference (adds instructions per MAC)")
    ap.add_argument("--top", type=int, default=25)
    a = ap.parse_args()
    rows, total = fold(a.elf, a.profile, a.nm)
    print(f"{'instructions':>14} {'share':>7}  function")
    for name, cnt in rows[: a.top]:
        print(f"{cnt:>14,} {100.0 * cnt / total:>6.2f}%  {name}")
    rest = sum(c for _, c in rows[a.top:])
    if rest:
        print(f"{rest:>14,} {100.0 * rest / total:>6.2f}%  ({len(rows) - a.top} more)")
    print(f"{total:>14,} 100.00%  total" + (f" ({total / a.macs:.3f} per MAC)" if a.macs else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
