#!/usr/bin/env python3
"""Runs the release `codegen generate` N times per spec into a fresh directory
(so every file is written) and reports the median and best wall time and the
largest peak resident memory (getrusage of the child), with the ratio to the
targets of issue #7 (100 ms, 64 MB on the full spec).

    scripts/bench-codegen.sh [--runs N]
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


def run_once(spec, out):
    start = time.perf_counter()
    child = subprocess.Popen(
        [str(CODEGEN), "generate", "--spec", str(spec), "--out", str(out), "--quiet"],
        stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    if status != 0:
        sys.exit(f"codegen failed on {spec} (status {status})")
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(f"release build, {args.runs} runs per spec, each into an empty directory\n")
    print("| spec | median ms | best ms | peak RSS MiB | median ÷ 100 ms | peak ÷ 64 MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, spec in SPECS:
        if not spec.exists():
            print(f"| {label} | not present | | | | |")
            continue
        times, peaks = [], []
        with tempfile.TemporaryDirectory() as scratch:
            for i in range(args.runs):
                out = pathlib.Path(scratch) / f"out{i}"
                elapsed, peak = run_once(spec, out)
                times.append(elapsed)
                peaks.append(peak)
                shutil.rmtree(out)
        median = statistics.median(times)
        peak = max(peaks)
        print(f"| {label} | {median:.1f} | {min(times):.1f} | {peak:.1f} | "
              f"{median / TARGET_MS:.2f} | {peak / TARGET_MB:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
