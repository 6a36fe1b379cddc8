#!/usr/bin/env bash
# The generator end to end: wall time and peak memory of `codegen generate`
# (release build) on the Tasks spec and on the full Flexprice spec.
# The per-stage breakdown is `cargo bench -p codegen --bench stages`.
#   scripts/bench-codegen.sh [--runs N] [--baseline PATH-TO-ANOTHER-CODEGEN]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --locked -p codegen
exec python3 scripts/bench_codegen.py "$@"
