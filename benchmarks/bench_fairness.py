"""Benchmark: other clients' latency while one client attacks `qingdan serve --prod` (issue 25). Not a test.

    .venv/bin/python benchmarks/bench_fairness.py                    # builds the seed registry, 20 s an attack
    .venv/bin/python benchmarks/bench_fairness.py --dist dist -s 10  # an existing dist, 10 s an attack
    .venv/bin/python benchmarks/bench_fairness.py --only starvation --json

nginx and the Datasette replicas run on loopback ports of their own. Every client has its own source address
on the loopback network (127.0.0.0/8 is all this machine): the attacker 127.0.0.2, the three users 127.0.0.11-13,
so nginx's per-client limits see four clients (127.0.0.1 itself, which nginx exempts for load tests, is not
used). Each attack runs for a bounded time while the users each send a cheap request (one database row, or the
home page) every 0.2 s; reported per attack: the users' p50, p99 and worst latency, their failed requests, and
what the attacker got (answers by status). The attacks:

- `starvation`: 24 concurrent expensive requests in a loop (5 facets, `_facet_size=max`, `_size=max`);
- `under_rate`: 9 expensive requests a second (below the 10 r/s limit), each on its own connection;
- `slow_headers`: 2,000 connections that send one header line every 3 s and never finish;
- `host_header`: requests with `Host: evil.example` and `X-Forwarded-Host` (counts answers that echo it);
- `slow_answers`: the expensive pages one at a time (time each takes: bounded by Datasette's time limits).

Figures also go to benchmarks/results/fairness.json with the machine's load average.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ATTACKER = "127.0.0.2"
USERS = ("127.0.0.11", "127.0.0.12", "127.0.0.13")
FACETS = ("category", "agency", "code_category", "code_scheme", "implementer")
EXPENSIVE = "/qingdan/powers?" + "&".join(f"_facet={f}" for f in FACETS) + "&_facet_size=max&_size=max"
CHEAP = ("/qingdan/powers.json?_size=1", "/")
SLOW_ANSWERS = {
    "_size=max (HTML)": "/qingdan/powers?_size=max",
    "5 facets, _facet_size=max": EXPENSIVE,
    "search with NEAR": "/qingdan/powers?_search=NEAR(%E5%8C%BB%E7%96%97%20%E4%BF%9D%E9%9A%9C)",
}


def request(port: int, path: str, source: str, host: str = "127.0.0.1", extra: str = "", timeout: float = 30):
    """One GET on its own connection from `source`: (status or None if closed unanswered, seconds, body)."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0)) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n".encode())
            answer = b""
            while chunk := s.recv(1 << 16):
                answer += chunk
    except (OSError, TimeoutError):
        return None, time.monotonic() - started, b""
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else None
    return status, time.monotonic() - started, answer


class Users:
    """Three users sending cheap requests every 0.2 s each until stopped; their latencies and failures."""

    def __init__(self, port: int):
        self.port, self.stop, self.latencies, self.failures = port, threading.Event(), [], 0
        self.threads = [threading.Thread(target=self.run, args=(source,), daemon=True) for source in USERS]

    def run(self, source: str) -> None:
        turn = 0
        while not self.stop.is_set():
            status, seconds, _ = request(self.port, CHEAP[turn % len(CHEAP)], source)
            turn += 1
            if status == 200:
                self.latencies.append(seconds)
            else:
                self.failures += 1
            self.stop.wait(max(0.0, 0.2 - seconds))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def figures(self) -> dict:
        ordered = sorted(self.latencies) or [float("nan")]
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return {
            "user_requests": len(self.latencies) + self.failures,
            "user_failures": self.failures,
            "user_p50_s": round(statistics.median(ordered), 3),
            "user_p99_s": round(p99, 3),
            "user_max_s": round(ordered[-1], 3),
        }


def starvation(port: int, seconds: float) -> dict:
    statuses: dict = {}
    deadline = time.monotonic() + seconds

    def attacker() -> None:
        while time.monotonic() < deadline:
            status = request(port, EXPENSIVE, ATTACKER)[0]
            statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=attacker, daemon=True) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return {"attacker_statuses": statuses}


def under_rate(port: int, seconds: float) -> dict:
    statuses: dict = {}
    threads = []
    deadline = time.monotonic() + seconds

    def one() -> None:
        status = request(port, EXPENSIVE, ATTACKER)[0]
        statuses[status] = statuses.get(status, 0) + 1

    while time.monotonic() < deadline:
        thread = threading.Thread(target=one, daemon=True)
        thread.start()
        threads.append(thread)
        time.sleep(1 / 9)
    for thread in threads:
        thread.join(timeout=60)
    return {"attacker_statuses": statuses, "attacker_requests": len(threads)}


def slow_headers(port: int, seconds: float, connections: int = 2000) -> dict:
    opened, cut = [], 0
    for _ in range(connections):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(ATTACKER, 0))
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            opened.append(s)
        except OSError:
            break
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and opened:
        time.sleep(3)
        alive = []
        for s in opened:
            try:
                s.sendall(b"X-Slow: 1\r\n")
                alive.append(s)
            except OSError:
                cut += 1
                s.close()
        opened = alive
    for s in opened:
        s.close()
    return {"attacker_connections": connections, "attacker_cut_by_server": cut}


def host_header(port: int, seconds: float) -> dict:
    echoed = answered = closed = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in ("/qingdan/powers.json?_size=2", "/qingdan/powers?_size=2", "/"):
            for host, extra in (("evil.example", ""), ("127.0.0.1", "X-Forwarded-Host: evil.example\r\n")):
                status, _, body = request(port, path, ATTACKER, host=host, extra=extra)
                if status is None:
                    closed += 1
                    continue
                answered += 1
                echoed += body.count(b"evil.example") > 0
        time.sleep(0.2)
    return {"answers_echoing_the_host": echoed, "answered": answered, "closed_unanswered": closed}


def slow_answers(port: int, seconds: float) -> dict:
    times = {}
    for name, path in SLOW_ANSWERS.items():
        status, took, _ = request(port, path, ATTACKER)
        times[name] = {"status": status, "seconds": round(took, 3)}
        time.sleep(1.2)  # within the attacker's rate
    return {"answers": times}


ATTACKS = {
    "starvation": starvation,
    "under_rate": under_rate,
    "slow_headers": slow_headers,
    "host_header": host_header,
    "slow_answers": slow_answers,
}


def seed_dist(work: Path) -> Path:
    from qingdan.build import build

    dist = work / "dist"
    build(ROOT / "registry", dist, site_url="http://127.0.0.1:8000/", version="bench")
    return dist


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dist", type=Path, help="an existing dist (default: build the seed registry)")
    parser.add_argument("-s", "--seconds", type=float, default=20.0, help="length of each attack")
    parser.add_argument("--only", choices=list(ATTACKS), action="append")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from qingdan.serve_prod import Layout, ProdServer

    with tempfile.TemporaryDirectory(prefix="qingdan-fairness-") as work:
        dist = (args.dist or seed_dist(Path(work))).absolute()
        layout = Layout(dist, Path(work) / "runtime", "127.0.0.1", free_port(), free_port(), [free_port(), free_port()])
        server = ProdServer(layout, quiet=True)
        server.start()
        results = {}
        try:
            with Users(layout.site_port) as quiet:
                time.sleep(min(5.0, args.seconds))
            results["baseline"] = quiet.figures()
            for name in args.only or list(ATTACKS):
                with Users(layout.site_port) as users:
                    found = ATTACKS[name](layout.site_port, args.seconds)
                results[name] = {**users.figures(), **found}
                if not args.json:
                    print(name, json.dumps(results[name], ensure_ascii=False), flush=True)
                time.sleep(3)  # the attack's leftovers drain before the next
        finally:
            server.stop()
    results["load_average"] = os.getloadavg()
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "fairness.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
