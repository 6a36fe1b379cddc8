#!/usr/bin/env bash
# Server overhead: the generated layer against a bare axum handler, same JSON,
# same load generator (wrk), same run. See scripts/bench_server.py.
#   scripts/bench-server.sh [--duration SECS] [--rounds N] [--connections N]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq wrk >/dev/null; else sudo apt-get install -y -qq wrk >/dev/null; fi
fi
cargo build --quiet --release --locked -p benches --bin overhead
exec python3 scripts/bench_server.py "$@"
