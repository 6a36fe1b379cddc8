#!/usr/bin/env python3
"""Runs the generator over every OpenAPI 3.0 document of the npm package
@readme/oas-examples, and over the specs in ../shared/specs when that
directory is present (the whole Flexprice API among them), and compiles every
generated crate with all features. A compiler warning counts as a failure.

Prints one line per document (generated / compiled / diagnostics, or failed
with the reason) and a summary line `N passed, N failed`. Exits 1 if a
document fails that README.md does not list as unsupported.

    scripts/corpus.sh             # installs the package, builds codegen, runs this
"""

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORK = pathlib.Path(os.environ.get("CORPUS_DIR", ROOT / "target" / "corpus"))
PACKAGE = WORK / "npm" / "node_modules" / "@readme" / "oas-examples"
CRATES = WORK / "crates"
CODEGEN = ROOT / "target" / "debug" / "codegen"
# Larger real specs beside the project, read in place (never copied into it).
SHARED_SPECS = ROOT.parent / "shared" / "specs"


def documents():
    """Every OpenAPI 3.0 document of the package, as (name, path)."""
    found = []
    for path in sorted((PACKAGE / "3.0").rglob("*")):
        if path.suffix not in (".json", ".yaml", ".yml"):
            continue
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
        if not re.search(r"""["']?openapi["']?\s*:\s*["']?3\.0\.""", head):
            continue
        relative = path.relative_to(PACKAGE / "3.0")
        name = "-".join(relative.with_suffix("").parts[1:]) or relative.stem
        name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        found.append((f"{name}-{path.suffix[1:]}", path))
    if SHARED_SPECS.is_dir():
        for path in sorted(SHARED_SPECS.iterdir()):
            if path.suffix in (".json", ".yaml", ".yml"):
                name = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
                found.append((f"{name}-{path.suffix[1:]}", path))
    return found


def unsupported():
    """Documents README.md lists as unsupported (`- corpus: NAME`)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^- corpus: `([^`]+)`", text, re.M))


def main():
    if CRATES.exists():
        shutil.rmtree(CRATES)
    CRATES.mkdir(parents=True)
    results = {}
    generated = []
    for name, path in documents():
        out = CRATES / name
        run = subprocess.run(
            [str(CODEGEN), "generate", "--spec", str(path), "--out", str(out),
             "--crate-name", f"corpus-{name}"],
            capture_output=True, text=True)
        warnings = [l for l in run.stderr.splitlines() if l.startswith("warning:")]
        if run.returncode != 0:
            reason = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else f"exit {run.returncode}"
            results[name] = ("failed", f"generation failed: {reason}", len(warnings))
        else:
            results[name] = ("generated", "", len(warnings))
            generated.append(name)

    # One workspace: dependencies are built once for all crates.
    members = ",\n".join(f'  "{name}"' for name in generated)
    (CRATES / "Cargo.toml").write_text(
        f'[workspace]\nresolver = "3"\nmembers = [\n{members}\n]\n', encoding="utf-8")
    env = dict(os.environ, CARGO_TARGET_DIR=str(WORK / "target"))
    check = subprocess.run(
        ["cargo", "check", "--workspace", "--all-features", "--keep-going",
         "--message-format", "json", "--quiet"],
        cwd=CRATES, capture_output=True, text=True, env=env)
    # Cargo names a crate's target after the package, with `_` for `-`.
    by_target = {f"corpus_{name}".replace("-", "_"): name for name in generated}
    errors, warnings = {}, {}
    for line in check.stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("reason") != "compiler-message":
            continue
        owner = by_target.get(message["target"]["name"])
        if owner is None:
            continue
        level = message["message"]["level"]
        rendered = message["message"]["rendered"].strip().splitlines()[0]
        if level == "error":
            errors.setdefault(owner, []).append(rendered)
        elif level == "warning":
            warnings.setdefault(owner, []).append(rendered)
    if check.returncode != 0 and not errors:
        print(check.stderr, file=sys.stderr)
        print("cargo check failed outside the generated crates", file=sys.stderr)
        return 1

    allowed = unsupported()
    passed = failed = 0
    unexpected = []
    for name in sorted(results):
        status, reason, diagnostics = results[name]
        if status == "generated" and name in errors:
            status, reason = "failed", f"does not compile: {errors[name][0]} ({len(errors[name])} errors)"
        elif status == "generated" and name in warnings:
            status, reason = "failed", f"compiler warnings: {warnings[name][0]} ({len(warnings[name])} warnings)"
        if status == "failed":
            failed += 1
            note = " (listed as unsupported)" if name in allowed else ""
            if name not in allowed:
                unexpected.append(name)
            print(f"{name}: failed{note}: {reason}")
        else:
            passed += 1
            print(f"{name}: generated, compiled, {diagnostics} diagnostics, 0 compiler warnings")
    print(f"{passed} passed, {failed} failed")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
