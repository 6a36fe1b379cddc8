#!/usr/bin/env bash
# Import throughput and peak memory of the Tasks service: 1,000,000 events as
# CSV (about 100 MB) and as JSON, fetched over loopback HTTP, validated and
# stored in SQLite by the worker. See scripts/bench_import.py.
#   scripts/bench-import.sh [--records N]
# With --database postgres|sqlite|both: the events in four files imported at
# once, by 1 and 2 replicas on one PostgreSQL database (127.0.0.1:5432).
#   scripts/bench-import.sh --database both [--records N] [--baseline OLD-BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --locked -p server-impl
exec python3 scripts/bench_import.py "$@"
