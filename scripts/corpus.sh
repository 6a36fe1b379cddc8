#!/usr/bin/env bash
# The generator over a public corpus: every OpenAPI 3.0 document of the npm
# package @readme/oas-examples, generated and compiled. See scripts/corpus.py.
set -euo pipefail
cd "$(dirname "$0")/.."
version=8.2.2
work=${CORPUS_DIR:-target/corpus}
if [ ! -f "$work/npm/node_modules/@readme/oas-examples/package.json" ] ||
   ! grep -q "\"version\": \"$version\"" "$work/npm/node_modules/@readme/oas-examples/package.json"; then
  mkdir -p "$work/npm"
  npm install --silent --no-audit --no-fund --prefix "$work/npm" "@readme/oas-examples@$version"
fi
cargo build --quiet --locked -p codegen
exec python3 scripts/corpus.py
