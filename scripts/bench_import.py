#!/usr/bin/env python3
"""Writes N events as CSV and as JSON into target/bench/import/, serves them
from a local HTTP server (allow-listed with --allow-import-host), and for each
file starts a fresh release server-impl (one worker, new data directory),
creates an import task and polls it to COMPLETED. Reports records per second
(task created → completed, download included), the CPU time the server spent
(user + system, steadier than wall time on a noisy machine) and its peak
resident memory (VmHWM), next to a file a quarter the size to show memory does
not grow with the file.

    scripts/bench-import.sh [--records N]

With --database postgres (or both), the same N events split into four files
of distinct events are imported in parallel by 1 and then 2 replicas sharing
one fresh PostgreSQL database (127.0.0.1:5432, user postgres), beside one
SQLite process doing the same: aggregate records per second from the first
createTask to the last COMPLETED, and the peak memory of each replica.

    scripts/bench-import.sh --database both [--records N]

With --baseline BIN as well, each of those imports is also run by BIN (an
earlier release build of server-impl), in turn with this build, for a
before/after measured in one run.

    scripts/bench-import.sh --database postgres --baseline /tmp/old-server-impl
"""

import argparse
import http.server
import os
import json
import pathlib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "bench" / "import"
SERVER = ROOT / "target" / "release" / "server-impl"
KEY = "bench-import-key-0123456789"


PARTS = 4
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def event(i):
    return {
        "event_id": f"evt_{i:09d}",
        "event_name": "api_call" if i % 3 else "storage_gb",
        "external_customer_id": f"cust_{i % 5000:05d}",
        "timestamp": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}Z",
        "source": "bench",
        "region": ("eu-west-1", "us-east-1", "ap-south-1")[i % 3],
        "units": i % 1000,
    }


def write_files(records, first=0, name=None):
    """events-N.csv and events-N.json (events first … first + N - 1), written once."""
    WORK.mkdir(parents=True, exist_ok=True)
    name = name or f"events-{records}"
    csv_path, json_path = WORK / f"{name}.csv", WORK / f"{name}.json"
    if not csv_path.exists():
        with open(csv_path.with_suffix(".tmp"), "w", encoding="utf-8") as out:
            out.write("event_id,event_name,external_customer_id,timestamp,source,"
                      "properties.region,properties.units\n")
            for i in range(first, first + records):
                e = event(i)
                out.write(f"{e['event_id']},{e['event_name']},{e['external_customer_id']},"
                          f"{e['timestamp']},{e['source']},{e['region']},{e['units']}\n")
        csv_path.with_suffix(".tmp").rename(csv_path)
    if not json_path.exists():
        with open(json_path.with_suffix(".tmp"), "w", encoding="utf-8") as out:
            out.write("[\n")
            for i in range(first, first + records):
                e = event(i)
                row = {k: e[k] for k in ("event_id", "event_name", "external_customer_id",
                                          "timestamp", "source")}
                row["properties"] = {"region": e["region"], "units": e["units"]}
                out.write(("," if i > first else "") + json.dumps(row, separators=(",", ":"))
                          + "\n")
            out.write("]\n")
        json_path.with_suffix(".tmp").rename(json_path)
    return csv_path, json_path


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_files():
    handler = lambda *a, **kw: Quiet(*a, directory=str(WORK), **kw)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"x-api-key": KEY, "content-type": "application/json"})
    with urllib.request.urlopen(req) as response:
        return json.loads(response.read())


def vm_hwm_mib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid):
    """User + system CPU time of a process so far (all its threads)."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds():
    """Busy CPU time of the whole machine so far (every process: the database too)."""
    fields = pathlib.Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def import_once(path, file_type, files_port):
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen(
            [str(SERVER), "--bind", f"127.0.0.1:{port}", "--data-dir", data,
             "--api-key", f"{KEY}=tenant_bench/env_bench", "--workers", "1",
             "--allow-import-host", f"127.0.0.1:{files_port}",
             "--import-max-bytes", str(2 * 1024 ** 3)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={"RUST_LOG": "warn", "PATH": "/usr/bin:/bin"})
        try:
            base = f"http://127.0.0.1:{port}/v1"
            for _ in range(100):
                try:
                    request(base, "GET", "/tasks?limit=1")
                    break
                except OSError:
                    time.sleep(0.1)
            idle = vm_hwm_mib(server.pid)
            cpu_before = cpu_seconds(server.pid)
            start = time.perf_counter()
            task = request(base, "POST", "/tasks", {
                "task_type": "IMPORT", "entity_type": "EVENTS", "file_type": file_type,
                "file_url": f"http://127.0.0.1:{files_port}/{path.name}"})
            while task.get("task_status") not in ("COMPLETED", "FAILED"):
                time.sleep(0.05)
                task = request(base, "GET", f"/tasks/{task['id']}")
            elapsed = time.perf_counter() - start
            cpu = cpu_seconds(server.pid) - cpu_before
            peak = vm_hwm_mib(server.pid)
        finally:
            server.terminate()
            server.wait()
    if task["task_status"] != "COMPLETED" or task.get("failed_records"):
        sys.exit(f"{path.name}: {task['task_status']}, {task.get('failed_records')} failed: "
                 f"{(task.get('error_summary') or '')[:300]}")
    return task["successful_records"], elapsed, cpu, idle, peak


def start_server(data, port, files_port, workers, database=None, binary=SERVER):
    args = [str(binary), "--bind", f"127.0.0.1:{port}", "--data-dir", data,
            "--api-key", f"{KEY}=tenant_bench/env_bench", "--workers", str(workers),
            "--allow-import-host", f"127.0.0.1:{files_port}",
            "--import-max-bytes", str(2 * 1024 ** 3)]
    if database:
        args += ["--database-url", database]
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={"RUST_LOG": "warn", "PATH": "/usr/bin:/bin"})
    base = f"http://127.0.0.1:{port}/v1"
    for _ in range(100):
        try:
            request(base, "GET", "/tasks?limit=1")
            return server, base
        except OSError:
            time.sleep(0.1)
    server.terminate()
    sys.exit("server-impl did not start")


def psql(sql):
    subprocess.run(["psql", PG_ADMIN, "-qc", sql], check=True, stdout=subprocess.DEVNULL)


def parallel_import(parts, files_port, database, replicas, binary=SERVER):
    """Imports every part at once through `replicas` processes (2 workers each)."""
    db_name = None
    if database == "postgres":
        db_name = f"tasks_bench_{os.getpid()}"
        psql(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
        psql(f"CREATE DATABASE {db_name}")
    url = f"postgres://postgres@127.0.0.1:5432/{db_name}" if db_name else None
    servers = []
    with tempfile.TemporaryDirectory() as data:
        try:
            for _ in range(replicas):
                servers.append(start_server(data, free_port(), files_port, 2, url, binary))
            pids = [server.pid for server, _ in servers]
            cpu_before = sum(cpu_seconds(pid) for pid in pids)
            machine_before = machine_cpu_seconds()
            start = time.perf_counter()
            tasks = []
            for k, path in enumerate(parts):
                base = servers[k % replicas][1]
                tasks.append((base, request(base, "POST", "/tasks", {
                    "task_type": "IMPORT", "entity_type": "EVENTS", "file_type": "CSV",
                    "file_url": f"http://127.0.0.1:{files_port}/{path.name}"})))
            done = []
            for base, task in tasks:
                while task.get("task_status") not in ("COMPLETED", "FAILED"):
                    time.sleep(0.05)
                    task = request(base, "GET", f"/tasks/{task['id']}")
                done.append(task)
            elapsed = time.perf_counter() - start
            cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
            machine = machine_cpu_seconds() - machine_before
            peaks = [vm_hwm_mib(pid) for pid in pids]
        finally:
            for server, _ in servers:
                server.terminate()
                server.wait()
            if db_name:
                psql(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
    for task in done:
        if task["task_status"] != "COMPLETED" or task.get("failed_records"):
            sys.exit(f"{task['file_url']}: {task['task_status']}, "
                     f"{task.get('failed_records')} failed: "
                     f"{(task.get('error_summary') or '')[:300]}")
    return sum(task["successful_records"] for task in done), elapsed, cpu, machine, peaks


def parallel(records, databases, baseline=None):
    per_part = records // PARTS
    parts = [write_files(per_part, k * per_part, f"events-part{k}-of-{records}")[0]
             for k in range(PARTS)]
    httpd = serve_files()
    files_port = httpd.server_address[1]
    print(f"release server-impl, 2 workers per replica; {records:,} events as {PARTS} CSV files "
          f"imported at once; time from the first createTask to the last COMPLETED\n")
    print("| build | database | replicas | records | seconds | records/s | ÷ 150k/s "
          "| server CPU s | machine CPU s | server ÷ machine | peak RSS MiB per replica "
          "| max peak ÷ 128 MiB |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    runs = [("sqlite", 1)] if "sqlite" in databases else []
    if "postgres" in databases:
        runs += [("postgres", 1), ("postgres", 2)]
    # With a baseline, each run is made by it and by this build in turn, so
    # both see the same machine.
    builds = [("this", SERVER)] + ([("baseline", baseline)] if baseline else [])
    for database, replicas in runs:
        for build, binary in builds:
            parallel_row(parts, files_port, database, replicas, build, binary, per_part)
    httpd.shutdown()


def parallel_row(parts, files_port, database, replicas, build, binary, per_part):
    stored, elapsed, cpu, machine, peaks = parallel_import(parts, files_port, database,
                                                           replicas, binary)
    if stored != per_part * PARTS:
        sys.exit(f"{database}: stored {stored} of {per_part * PARTS}")
    rate = stored / elapsed
    print(f"| {build} | {database} | {replicas} | {stored:,} | {elapsed:.1f} | {rate:,.0f} "
          f"| {rate / 150_000:.2f} | {cpu:.1f} | {machine:.1f} | {cpu / machine:.2f} "
          f"| {', '.join(f'{p:.0f}' for p in peaks)} | {max(peaks) / 128:.2f} |", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"),
                        help="import the events split into parts, in parallel, on this "
                             "database (both: SQLite and PostgreSQL with 1 and 2 replicas)")
    parser.add_argument("--baseline", type=pathlib.Path,
                        help="with --database: a server-impl binary (an earlier build) to "
                             "run each import with too, in turn with this build")
    args = parser.parse_args()
    if args.baseline and not args.database:
        parser.error("--baseline needs --database")
    if args.database:
        parallel(args.records, ("sqlite", "postgres") if args.database == "both"
                 else (args.database,), args.baseline)
        return 0
    sizes = [args.records // 4, args.records]
    files = {n: write_files(n) for n in sizes}
    httpd = serve_files()
    files_port = httpd.server_address[1]
    print("release server-impl, 1 worker, SQLite in a fresh data directory per import; "
          "time from createTask to COMPLETED (download, parse, validate, store)\n")
    print("| file | size MB | records | seconds | records/s | ÷ 100k/s | server CPU s "
          "| records per CPU s | idle RSS MiB | peak RSS MiB | peak ÷ 128 MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in sizes:
        for path, file_type in zip(files[n], ("CSV", "JSON")):
            stored, elapsed, cpu, idle, peak = import_once(path, file_type, files_port)
            if stored != n:
                sys.exit(f"{path.name}: stored {stored} of {n}")
            rate = stored / elapsed
            print(f"| {path.name} | {path.stat().st_size / 1e6:.0f} | {stored:,} | {elapsed:.1f} "
                  f"| {rate:,.0f} | {rate / 100_000:.2f} | {cpu:.1f} | {stored / cpu:,.0f} "
                  f"| {idle:.0f} | {peak:.0f} "
                  f"| {peak / 128:.2f} |")
    httpd.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
