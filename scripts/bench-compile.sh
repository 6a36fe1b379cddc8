#!/usr/bin/env bash
# Compile cost of what the generator emits: clean `cargo build` time of the
# crates generated from the full Flexprice spec and the Tasks spec, in each
# feature combination, and their lines of code.
#   scripts/bench-compile.sh [--rounds N] [--release] [--baseline PATH-TO-ANOTHER-CODEGEN] [--spec tasks|full]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --locked -p codegen
exec python3 scripts/bench_compile.py "$@"
