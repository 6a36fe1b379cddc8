#!/usr/bin/env bash
# Fuzzes the generator (codegen/fuzz, target `generate`: any bytes through
# load → lower → emit) for a given time, starting from every spec of the
# project's tests (mutated by libFuzzer). Not part of CI.
#
#     scripts/fuzz.sh [SECONDS]      # default 300
#
# Needs the nightly toolchain (rustup toolchain install nightly); installs
# cargo-fuzz when missing. Crashes land in codegen/fuzz/artifacts/generate/,
# the working corpus in target/fuzz-corpus/ (neither is committed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz
fi
corpus=target/fuzz-corpus
mkdir -p "$corpus"
# Seeds: the focused specs of the tests and the Tasks spec.
find codegen/tests openapi -name '*.yaml' -o -name '*.json' | grep -v '/crates/' | while read -r spec; do
  cp "$spec" "$corpus/$(echo "$spec" | tr '/' '_')"
done
cd codegen
exec cargo +nightly fuzz run generate "../$corpus" -- \
  -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=200000
