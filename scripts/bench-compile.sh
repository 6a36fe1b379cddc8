#!/usr/bin/env bash
# Compile cost of what the generator emits: clean `cargo build` time of the
# crate generated from the full Flexprice spec (and the Tasks spec), with and
# without the `client` feature, and its lines of code.
#   scripts/bench-compile.sh [--rounds N] [--release]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --locked -p codegen
exec python3 scripts/bench_compile.py "$@"
