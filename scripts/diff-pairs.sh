#!/usr/bin/env bash
# `codegen diff` on real versions of public specs: GitHub Enterprise Server
# 3.17 → 3.18 → 3.19 (npm @octokit/openapi, installed under target/corpus/
# like scripts/corpus.sh does) and the full Flexprice spec against itself
# (../shared/specs/, read in place, when present), which must report nothing.
# For each pair it prints the summary, the time and the peak memory; the full
# reports (text, Markdown, JSON) are written to target/diff-pairs/.
# CODEGEN=path/to/codegen uses that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${CORPUS_DIR:-target/corpus}
package="@octokit/openapi" version="23.0.2"
manifest="$work/npm/node_modules/$package/package.json"
if [ ! -f "$manifest" ] || ! grep -q "\"version\": \"$version\"" "$manifest"; then
  mkdir -p "$work/npm"
  npm install --silent --no-audit --no-fund --prefix "$work/npm" "$package@$version"
fi
if [ -z "${CODEGEN:-}" ]; then
  cargo build --quiet --locked --release -p codegen
fi
codegen=${CODEGEN:-target/release/codegen}
ghes="$work/npm/node_modules/$package/generated"
out=target/diff-pairs
mkdir -p "$out"

# diff NAME OLD NEW: the reports, then one summary line with time and memory.
pair() {
  local name=$1 old=$2 new=$3
  /usr/bin/time -f "%e %M" -o "$out/$name.time" \
    "$codegen" diff --old "$old" --new "$new" --format json >"$out/$name.json"
  "$codegen" diff --old "$old" --new "$new" --format markdown >"$out/$name.md"
  "$codegen" diff --old "$old" --new "$new" >"$out/$name.txt"
  python3 - "$out/$name.json" "$out/$name.time" "$name" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
seconds, kib = open(sys.argv[2]).read().split()
s = report["summary"]
b = s["breaking"]
print(f"{sys.argv[3]}: {s['changes']} changes; breaking for clients {b['clients']}, "
      f"servers {b['servers']}, Rust {b['rust']}; needs {report['semver']['needed']}; "
      f"{float(seconds):.2f} s, {int(kib) // 1024} MiB")
PY
}

pair ghes-3.17-to-3.18 "$ghes/ghes-3.17.json" "$ghes/ghes-3.18.json"
pair ghes-3.18-to-3.19 "$ghes/ghes-3.18.json" "$ghes/ghes-3.19.json"
full=../shared/specs/flexprice-full.json
if [ -f "$full" ]; then
  pair flexprice-full-itself "$full" "$full"
  if ! grep -q '"changes": 0,' "$out/flexprice-full-itself.json"; then
    echo "error: the full Flexprice spec against itself reports changes" >&2
    exit 1
  fi
fi
echo "reports: $out/"
