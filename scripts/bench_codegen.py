#!/usr/bin/env python3
"""Runs the release `codegen generate` N times per spec into a fresh directory
(so every file is written) and reports the median and best wall time and the
largest peak resident memory (getrusage of the child), with the ratio to the
targets of issue #7 (100 ms, 64 MB on the full spec).

    scripts/bench-codegen.sh [--runs N] [--baseline PATH]

With `--baseline PATH` (another `codegen` binary, e.g. one built from an
earlier commit) both binaries run alternately in the same loop, and the table
gets their ratio: a before/after measured side by side.
"""

import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
CODEGEN = ROOT / "target" / "release" / "codegen"
SPECS = [
    ("openapi/openapi.json (Tasks, 6 operations)", ROOT / "openapi" / "openapi.json"),
    ("flexprice-full.json (255 operations, 473 schemas)",
     ROOT.parent / "shared" / "specs" / "flexprice-full.json"),
]
TARGET_MS, TARGET_MB = 100.0, 64.0


def run_once(binary, spec, out):
    start = time.perf_counter()
    child = subprocess.Popen(
        [str(binary), "generate", "--spec", str(spec), "--out", str(out), "--quiet"],
        stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    if status != 0:
        sys.exit(f"codegen failed on {spec} (status {status})")
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--baseline", type=pathlib.Path,
                        help="another codegen binary, measured alternately with this one")
    args = parser.parse_args()
    binaries = [("this", CODEGEN)] + ([("baseline", args.baseline)] if args.baseline else [])
    print(f"release build, {args.runs} runs per spec and binary, each into an empty directory\n")
    header = "| spec | binary | median ms | best ms | peak RSS MiB | median ÷ 100 ms | peak ÷ 64 MiB |"
    if args.baseline:
        header += " this ÷ baseline (time, memory) |"
    print(header)
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |" + (" ---: |" if args.baseline else ""))
    for label, spec in SPECS:
        if not spec.exists():
            print(f"| {label} | not present | | | | | |")
            continue
        times = {name: [] for name, _ in binaries}
        peaks = {name: [] for name, _ in binaries}
        with tempfile.TemporaryDirectory() as scratch:
            for i in range(args.runs):
                for name, binary in binaries:
                    out = pathlib.Path(scratch) / f"out-{name}-{i}"
                    elapsed, peak = run_once(binary, spec, out)
                    times[name].append(elapsed)
                    peaks[name].append(peak)
                    shutil.rmtree(out)
        medians = {name: statistics.median(times[name]) for name, _ in binaries}
        for name, _ in binaries:
            median, peak = medians[name], max(peaks[name])
            row = (f"| {label} | {name} | {median:.1f} | {min(times[name]):.1f} | {peak:.1f} | "
                   f"{median / TARGET_MS:.2f} | {peak / TARGET_MB:.2f} |")
            if args.baseline:
                if name == "this":
                    row += (f" {medians['this'] / medians['baseline']:.2f}, "
                            f"{max(peaks['this']) / max(peaks['baseline']):.2f} |")
                else:
                    row += " |"
            print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
