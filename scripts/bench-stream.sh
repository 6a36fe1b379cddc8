#!/usr/bin/env bash
# A 1 GiB body streamed both ways through the generated server and client
# (echoBlob of codegen/tests/crates/bodies), beside a bare axum echo handler:
# throughput and the peak memory of server and client. See scripts/bench_stream.py.
#   scripts/bench-stream.sh [--size BYTES] [--repeats N] [--target-mib MIB]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --locked -p benches --bin stream-server --bin stream-client
exec python3 scripts/bench_stream.py "$@"
