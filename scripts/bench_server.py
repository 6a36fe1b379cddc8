#!/usr/bin/env python3
"""Requests per second and p50/p99 latency of getTask, listTasks and createTask
through the generated router (auth, extraction, validation, serialization)
against a bare axum handler returning the same JSON bytes from memory, and against a bare
handler that serializes the same models per request (`serde`), all from
benches/src/bin/overhead.rs, loaded by wrk on loopback, rotating, in one run.
Prints a Markdown table with the ratios.

    scripts/bench-server.sh [--duration SECS] [--rounds N] [--connections N]
"""

import argparse
import pathlib
import re
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BINARY = ROOT / "target" / "release" / "overhead"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}
SIDES = ("bare", "serde", "generated")


# createTask: a POST with a JSON body (wrk sends it through this script).
CREATE = ROOT / "target" / "bench-create-task.lua"
CREATE_BODY = ('{"entity_type":"EVENTS","file_type":"CSV","task_type":"IMPORT",'
               '"file_url":"https://files.example.com/events.csv","file_name":"events.csv"}')


def wrk(url, key, duration, connections, script=None):
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency",
               "-H", f"x-api-key: {key}"]
    if script:
        command += ["-s", str(script)]
    out = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * UNITS[m.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"{url}: {errors.group(1)} error responses\n{out}")
    return rps, pct(50), pct(99)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--tasks", type=int, default=20, help="items in a listTasks page")
    args = parser.parse_args()

    server = subprocess.Popen([str(BINARY), str(args.tasks)], stdout=subprocess.PIPE, text=True)
    try:
        info = dict(server.stdout.readline().strip().split(" ", 1) for _ in range(5))
        CREATE.parent.mkdir(parents=True, exist_ok=True)
        CREATE.write_text('wrk.method = "POST"\n'
                          'wrk.headers["Content-Type"] = "application/json"\n'
                          f"wrk.body = '{CREATE_BODY}'\n", encoding="utf-8")
        paths = {
            "getTask": (f"/v1/tasks/{info['task']}", None),
            "listTasks": (f"/v1/tasks?limit={args.tasks}", None),
            "createTask": ("/v1/tasks", CREATE),
        }
        # Warm all up, then alternate sides so drift hits all alike.
        for side in SIDES:
            for path, script in paths.values():
                wrk(info[side] + path, info["key"], 2, args.connections, script)
        results = {(op, side): [] for op in paths for side in SIDES}
        for round_ in range(args.rounds):
            shift = round_ % len(SIDES)
            sides = SIDES[shift:] + SIDES[:shift]
            for op, (path, script) in paths.items():
                for side in sides:
                    results[(op, side)].append(
                        wrk(info[side] + path, info["key"], args.duration, args.connections,
                            script))
    finally:
        server.terminate()
        server.wait()

    print(f"wrk -t1 -c{args.connections} -d{args.duration}s, {args.rounds} rounds rotating the "
          f"order, median per row; listTasks pages hold {args.tasks} tasks\n")
    print("| operation | server | req/s | p50 ms | p99 ms | req/s ÷ bare | req/s ÷ serde |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for op in paths:
        medians = {}
        for side in SIDES:
            runs = results[(op, side)]
            medians[side] = tuple(statistics.median(r[i] for r in runs) for i in range(3))
        for side in SIDES:
            rps, p50, p99 = medians[side]
            to_bare = f"{rps / medians['bare'][0]:.3f}" if side != "bare" else ""
            to_serde = f"{rps / medians['serde'][0]:.3f}" if side == "generated" else ""
            print(f"| {op} | {side} | {rps:,.0f} | {p50:.3f} | {p99:.3f} | {to_bare} | {to_serde} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
