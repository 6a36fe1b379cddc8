#!/usr/bin/env python3
"""Generates a crate per spec into target/bench/compile/, builds its
dependencies once, then times `cargo build` of the generated crate alone
(after `cargo clean -p`), with and without the `client` feature, alternating,
and counts its lines. Prints Markdown tables.

    scripts/bench-compile.sh [--rounds N] [--release]
"""

import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "bench" / "compile"
CODEGEN = ROOT / "target" / "release" / "codegen"
SPECS = [
    ("tasks", ROOT / "openapi" / "openapi.json"),
    ("full", ROOT.parent / "shared" / "specs" / "flexprice-full.json"),
]
VARIANTS = [("server only", ["--no-default-features"]), ("server + client", [])]


def cargo(args, env, quiet=True):
    return subprocess.run(["cargo", *args], cwd=WORK / "ws", env=env, check=True,
                          capture_output=quiet, text=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--release", action="store_true")
    args = parser.parse_args()
    profile = ["--release"] if args.release else []

    specs = [(name, path) for name, path in SPECS if path.exists()]
    ws = WORK / "ws"
    if ws.exists():
        shutil.rmtree(ws)
    ws.mkdir(parents=True)
    for name, path in specs:
        subprocess.run([str(CODEGEN), "generate", "--spec", str(path), "--out",
                        str(ws / name), "--crate-name", f"bench-{name}", "--quiet"],
                       check=True, stdout=subprocess.DEVNULL)
    members = ", ".join(f'"{name}"' for name, _ in specs)
    (ws / "Cargo.toml").write_text(
        f'[workspace]\nresolver = "3"\nmembers = [{members}]\n', encoding="utf-8")
    shutil.copy(ROOT / "Cargo.lock", ws / "Cargo.lock")
    env = dict(os.environ, CARGO_TARGET_DIR=str(WORK / "target"))

    print("Lines of the generated crates (`wc -l`):\n")
    print("| spec | " + " | ".join(["models.rs", "server.rs", "client.rs", "spec.rs", "all .rs"]) + " |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, _ in specs:
        src = ws / name / "src"
        counts = {f.name: len(f.read_text(encoding="utf-8").splitlines()) for f in src.glob("*.rs")}
        row = [counts.get(f, 0) for f in ("models.rs", "server.rs", "client.rs", "spec.rs")]
        print(f"| {name} | " + " | ".join(f"{n:,}" for n in row) + f" | {sum(counts.values()):,} |")

    # Dependencies first, for both feature sets: only the generated crate is timed.
    for _, flags in VARIANTS:
        cargo(["build", "--workspace", *profile, *flags], env)
    times = {(name, variant): [] for name, _ in specs for variant, _ in VARIANTS}
    for round_ in range(args.rounds):
        order = VARIANTS if round_ % 2 == 0 else list(reversed(VARIANTS))
        for name, _ in specs:
            for variant, flags in order:
                cargo(["clean", "-p", f"bench-{name}", *profile], env)
                start = time.perf_counter()
                cargo(["build", "-p", f"bench-{name}", *profile, *flags], env)
                times[(name, variant)].append(time.perf_counter() - start)

    kind = "release" if args.release else "dev"
    print(f"\n`cargo build` ({kind} profile) of the generated crate alone, dependencies built; "
          f"median of {args.rounds}, alternating:\n")
    print("| spec | " + " | ".join(v for v, _ in VARIANTS) + " | client ÷ server only |")
    print("| --- | ---: | ---: | ---: |")
    for name, _ in specs:
        medians = [statistics.median(times[(name, v)]) for v, _ in VARIANTS]
        print(f"| {name} | " + " | ".join(f"{m:.1f} s" for m in medians)
              + f" | {medians[1] / medians[0]:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
