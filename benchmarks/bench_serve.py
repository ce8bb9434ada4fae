"""Benchmark: serve-prod under load with a replica killed (not a test).

Starts `qingdan serve --prod` (nginx and two Datasette replicas, on free ports) on a built dist, sends
16 clients of mixed requests for 60 s (who_handles with varied questions, row pages, faceted tables,
static pages and assets), kills one replica with SIGKILL at 20 s and starts it again at 40 s. Every
request must succeed. As a baseline in the same run, the same mix goes for a shorter time to
`qingdan serve` (Python's site server and one Datasette). Prints and writes requests/s, p50, p99 and
errors to benchmarks/results/serve.json, with the machine's load (`uptime`) before and after.

    python benchmarks/bench_serve.py [--dist dist] [--seconds 60] [--baseline-seconds 20] [--clients 16]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qingdan.build import build
from qingdan.serve_prod import Layout, ProdServer

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
QUESTIONS = [
    "异地就医备案",
    "医疗救助",
    "两病",
    "稽核",
    "因私出国",
    "我想办理异地就医的备案手续",
    "社保",
    "医保",
    "生育保险",
    "定点医药机构",
    "慢特病",
    "门诊慢特病待遇",
    "参保登记",
    "缴费基数",
    "医保基金监管",
    "骗取医保基金",
    "举报",
    "行政处罚",
    "药品集中采购",
    "长期护理保险",
    "失地农民",
    "退休人员医保",
    "新生儿参保",
    "职工医保个人账户",
    "住院报销",
    "转诊",
    "医疗费用结算",
    "信用评价",
    "党费",
    "好差评",
]
FACETED = [
    "/qingdan/powers?_facet=category",
    "/qingdan/powers?_facet=agency&_facet=code_category",
    "/qingdan/services",
    "/qingdan/quality_findings?_facet=severity",
    "/qingdan/work_items?_facet=delegation",
    "/qingdan/agencies",
]


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def request_mix(dist: Path, seed: int = 1) -> list[tuple[str, str]]:
    """(kind, path) pairs: a fixed, shuffled list the clients walk through."""
    rng = random.Random(seed)
    db = sqlite3.connect(dist / "qingdan.db")
    rows = [
        f"/qingdan/{table}/{quote(str(pk), safe='')}"
        for table in ("powers", "services", "agencies", "posts", "boundaries")
        for (pk,) in db.execute(f"select id from {table} order by id limit 40")
    ]
    site = dist / "site"
    pages = ["/" + p.relative_to(site).as_posix().removesuffix("index.html") for p in site.rglob("*.html")]
    assets = ["/" + p.relative_to(site).as_posix() for p in site.glob("assets/**/*.min.*")]
    mix = []
    for i in range(400):
        mix.append(("who_handles", f"/qingdan/who_handles.json?q={quote(QUESTIONS[i % len(QUESTIONS)])}"))
        mix.append(("row", rng.choice(rows) + (".json" if i % 2 else "")))
        mix.append(("faceted", FACETED[i % len(FACETED)]))
        mix.append(("static", rng.choice(pages)))
        mix.append(("asset", rng.choice(assets)))
    rng.shuffle(mix)
    return mix


def run_load(port: int, mix: list[tuple[str, str]], seconds: float, clients: int, events=()) -> dict:
    """`clients` threads with keep-alive connections for `seconds`; `events` are (at_seconds, action)."""
    records: list[tuple[str, float, int]] = []  # kind, latency, status (0: connection error)
    lock = threading.Lock()
    start = time.perf_counter()
    stop_at = start + seconds

    def client(offset: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = offset
        while time.perf_counter() < stop_at:
            kind, path = mix[i % len(mix)]
            i += clients
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                records.append((kind, time.perf_counter() - t0, status))
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for at, action in events:
        time.sleep(max(0.0, start + at - time.perf_counter()))
        action()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return summarize(records, wall, clients)


def percentiles(latencies: list[float]) -> dict:
    latencies = sorted(latencies)
    return {
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 1),
    }


def summarize(records, wall: float, clients: int) -> dict:
    errors = [r for r in records if r[2] != 200]
    by_kind = {}
    for kind in sorted({r[0] for r in records}):
        mine = [r for r in records if r[0] == kind]
        by_kind[kind] = {
            "requests": len(mine),
            "errors": sum(r[2] != 200 for r in mine),
            **percentiles([r[1] for r in mine]),
        }
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": len(records),
        "errors": len(errors),
        "error_statuses": sorted({r[2] for r in errors}),
        "rps": round(len(records) / wall, 1),
        **percentiles([r[1] for r in records]),
        "by_kind": by_kind,
    }


def wait_port(port: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing answered on port {port}")


def baseline(dist: Path, mix, seconds: float, clients: int) -> dict:
    """The same mix against `qingdan serve` (the demo servers)."""
    site_port, ds_port = free_ports(2)
    qingdan = Path(sys.executable).parent / "qingdan"
    args = [str(qingdan), "serve", "--dist", str(dist), "--site-port", str(site_port), "--datasette-port", str(ds_port)]
    serve = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(site_port)
        wait_port(ds_port)
        site_mix = [(k, p) for k, p in mix if k in ("static", "asset")]
        ds_mix = [(k, p) for k, p in mix if k not in ("static", "asset")]
        # Two servers, two halves of the clients, run at the same time.
        results = {}
        threads = [
            threading.Thread(target=lambda: results.update(site=run_load(site_port, site_mix, seconds, clients // 2))),
            threading.Thread(target=lambda: results.update(datasette=run_load(ds_port, ds_mix, seconds, clients // 2))),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--baseline-seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()

    dist = args.dist.absolute()
    if not (dist / "site" / "index.html").exists():
        dist = Path(tempfile.mkdtemp(prefix="qingdan-bench-serve-")) / "dist"
        print(f"no build in {args.dist}: building the seed registry into {dist}")
        build(ROOT / "registry", dist, site_url="http://127.0.0.1:8000/", version="benchmark")
    mix = request_mix(dist)
    load_before = uptime()

    site_port, ds_port, *replicas = free_ports(4)
    runtime = Path(tempfile.mkdtemp(prefix="qingdan-bench-serve-runtime-"))
    server = ProdServer(Layout(dist, runtime, "127.0.0.1", site_port, ds_port, replicas), quiet=True)
    victim = replicas[0]
    log = []

    def kill():
        os.kill(server.replicas[victim].pid, signal.SIGKILL)
        log.append(f"killed replica {victim} at {args.seconds / 3:.0f} s")

    def restart():
        server.replicas[victim].wait()
        server.start_replica(victim)
        log.append(f"started replica {victim} again at {2 * args.seconds / 3:.0f} s")

    try:
        server.start()
        prod = run_load(
            site_port, mix, args.seconds, args.clients, [(args.seconds / 3, kill), (2 * args.seconds / 3, restart)]
        )
    finally:
        server.stop()
        shutil.rmtree(runtime, ignore_errors=True)
    prod["events"] = log
    base = baseline(dist, mix, args.baseline_seconds, args.clients) if args.baseline_seconds > 0 else None
    result = {
        "machine": {"cores": os.cpu_count(), "uptime_before": load_before, "uptime_after": uptime()},
        "dist": str(dist),
        "serve_prod": prod,
        "baseline_qingdan_serve": base,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "serve.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")

    print(f"load before: {load_before}")
    print(f"serve-prod, {args.clients} clients, {prod['seconds']} s ({'; '.join(log)}):")
    print(f"  {prod['rps']} req/s  p50 {prod['p50_ms']} ms  p99 {prod['p99_ms']} ms  errors {prod['errors']}")
    for kind, figures in prod["by_kind"].items():
        print(
            f"    {kind:12} {figures['requests']:6} requests  p50 {figures['p50_ms']:7} ms  "
            f"p99 {figures['p99_ms']:7} ms  errors {figures['errors']}"
        )
    if base:
        for name, figures in base.items():
            print(
                f"baseline qingdan serve ({name}, {figures['clients']} clients): {figures['rps']} req/s  "
                f"p50 {figures['p50_ms']} ms  p99 {figures['p99_ms']} ms  errors {figures['errors']}"
            )
    print(f"load after: {result['machine']['uptime_after']}")
    print(f"written to {RESULTS / 'serve.json'}")


if __name__ == "__main__":
    main()
