#!/usr/bin/env python3
"""Throughput and peak memory of a large body streamed both ways: the
generated client (benches/src/bin/stream-client.rs) sends SIZE bytes to
echoBlob, generated as they are sent, and checks every byte that comes back;
the server (benches/src/bin/stream-server.rs) answers with the very stream it
is reading. Two servers, alternating in one run: the router generated from
codegen/tests/server-specs/bodies.yaml, and a bare axum echo handler
(`--bare`), both called by the same generated client.

Each run starts a fresh server and a fresh client. Peak resident memory is
the kernel's VmHWM of each process: the server's read from /proc/PID/status
once the client is done, the client's reported by the client itself as it
ends. (Not wait4()'s ru_maxrss: Python starts children with vfork(), and a
child's ru_maxrss then includes this script's own ~15 MiB.) CPU time (user +
system) comes from wait4() once each has exited (the server exits when its
stdin is closed). Prints one line per run on stderr, then a
Markdown table: median throughput, the generated ÷ bare ratio, and the
largest peak RSS of the server and of the client against the target.

    scripts/bench-stream.sh [--size BYTES] [--repeats N] [--target-mib MIB]
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SERVER = ROOT / "target" / "release" / "stream-server"
CLIENT = ROOT / "target" / "release" / "stream-client"
SIDES = ("generated", "bare")
MIB = 1024 * 1024


def reap(process):
    """Waits for `process`; its exit status and CPU seconds (user + system)."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_utime + usage.ru_stime


def peak_rss_mib(pid):
    """The peak resident memory (VmHWM) of a running process, in MiB."""
    status = pathlib.Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def run(side, size):
    command = [str(SERVER)] + (["--bare"] if side == "bare" else [])
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip()
        if not url.startswith("http://"):
            sys.exit(f"stream-server {side}: no address on stdout")
        client = subprocess.Popen([str(CLIENT), url, str(size)], stdout=subprocess.PIPE,
                                  text=True)
        out = client.stdout.read()
        code, client_cpu = reap(client)
        if code != 0:
            sys.exit(f"stream-client against {side}: exit status {code}")
        result = json.loads(out)
        server_rss = peak_rss_mib(server.pid)
    finally:
        server.stdin.close()  # the server exits on end of stdin
    code, server_cpu = reap(server)
    if code != 0:
        sys.exit(f"stream-server {side}: exit status {code}")
    result.update(server_rss=server_rss, client_rss=result["peak_rss_kib"] / 1024,
                  server_cpu=server_cpu, client_cpu=client_cpu)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1 << 30, help="bytes each way (1 GiB)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--target-mib", type=float, default=64.0,
                        help="peak RSS target of each process")
    args = parser.parse_args()

    # Warm up (page cache of the binaries, CPU frequency), not counted.
    for side in SIDES:
        run(side, min(args.size, 64 * MIB))
    results = {side: [] for side in SIDES}
    for repeat in range(args.repeats):
        # Alternate which side goes first, so drift hits both alike.
        for side in SIDES if repeat % 2 == 0 else SIDES[::-1]:
            r = run(side, args.size)
            results[side].append(r)
            print(f"{side:9} run {repeat + 1}: {r['mib_per_s']:7.1f} MiB/s  "
                  f"{r['seconds']:6.2f} s  server {r['server_rss']:5.1f} MiB "
                  f"{r['server_cpu']:5.2f} CPU s  client {r['client_rss']:5.1f} MiB "
                  f"{r['client_cpu']:5.2f} CPU s  ({r['chunks']} chunks echoed, "
                  f"largest {r['largest_chunk']} bytes)", file=sys.stderr)

    def median(side, key):
        return statistics.median(r[key] for r in results[side])

    def peak(side, key):
        return max(r[key] for r in results[side])

    bare_mib_s = median("bare", "mib_per_s")
    print(f"\n{args.size:,} bytes each way, {args.repeats} runs per server "
          f"(median throughput and CPU, largest peak RSS):\n")
    print("| server | MiB/s | seconds | ÷ bare | server CPU s | client CPU s "
          "| peak RSS server MiB | peak RSS client MiB "
          f"| server ÷ {args.target_mib:g} MiB | client ÷ {args.target_mib:g} MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for side in SIDES:
        ratio = "" if side == "bare" else f"{median(side, 'mib_per_s') / bare_mib_s:.2f}"
        print(f"| {side} | {median(side, 'mib_per_s'):.1f} | {median(side, 'seconds'):.2f} "
              f"| {ratio} | {median(side, 'server_cpu'):.2f} | {median(side, 'client_cpu'):.2f} "
              f"| {peak(side, 'server_rss'):.1f} | {peak(side, 'client_rss'):.1f} "
              f"| {peak(side, 'server_rss') / args.target_mib:.2f} "
              f"| {peak(side, 'client_rss') / args.target_mib:.2f} |")
    met = (peak("generated", "server_rss") < args.target_mib
           and peak("generated", "client_rss") < args.target_mib)
    print(f"\nTarget (generated server and client each under {args.target_mib:g} MiB): "
          f"{'met' if met else 'missed'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
