"""Benchmark: database build and Datasette latency at scale (not a test).

Builds a synthetic registry of N powers across M agencies (default 100,000 and 1,000),
times the database build, serves it with the same settings as the public instance and
measures p50/p99 latency and requests per second of `who_handles`, a row page and a
faceted table page under 16 concurrent clients on loopback. Figures go to
benchmarks/results/datasette.json and are printed.

    python benchmarks/bench_datasette.py [--powers 100000] [--agencies 1000] [--requests 400]
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx

from qingdan import models
from qingdan.datasette_setup import datasette_args, write_metadata
from qingdan.db import build_database
from qingdan.registry import Entry, Registry
from qingdan.validate import check
from qingdan.yamlload import LoadedYaml

RESULTS = Path(__file__).parent / "results"
WORDS = [
    "医疗救助",
    "异地就医",
    "备案",
    "稽核",
    "医保基金",
    "生育保险",
    "定点医药机构",
    "监督检查",
    "待遇支付",
    "参保登记",
    "缴费基数",
    "两病",
    "门诊慢特病",
    "长期护理",
    "药品集中采购",
    "信用评价",
    "举报奖励",
]
CATEGORIES = ["行政处罚", "行政检查", "行政给付", "行政确认", "行政强制", "行政奖励"]
LETTERS = {"行政处罚": "B", "行政检查": "J", "行政给付": "G", "行政确认": "F", "行政强制": "C", "行政奖励": "H"}


def synthetic_registry(powers: int, agencies: int, seed: int = 1) -> Registry:
    rng = random.Random(seed)
    root = Path(tempfile.mkdtemp(prefix="qingdan-bench-"))
    registry = Registry(root=root)
    fake_file = root / "synthetic.yaml"
    registry.files[fake_file] = LoadedYaml(data={})
    source = models.Source(document="doc-synthetic", locator="synthetic")

    def add(kind, record, index):
        registry.entries[record.id] = Entry(kind, record, fake_file, (kind, index))
        registry.by_kind.setdefault(kind, []).append(record)

    add(
        "agency",
        models.Agency(
            id="publisher", name="合成数据发布机构", level="province", kind="government_department", source=source
        ),
        0,
    )
    add(
        "document",
        models.Document(
            id="doc-synthetic", title="合成数据", file="synthetic.txt", publisher="publisher", kind="权力清单"
        ),
        0,
    )
    add(
        "code_scheme",
        models.CodeScheme(
            id="scheme",
            name="合成编码",
            source=source,
            pattern=r"(?P<agency>\d{4})-(?P<category>[A-Z])-(?P<item>\d{3})(?P<subitem>\d{2})-(?P<region>\d{6})",
            categories={v: k for k, v in LETTERS.items()},
        ),
        0,
    )
    for a in range(agencies):
        add(
            "agency",
            models.Agency(
                id=f"a{a}",
                name=f"第{a}号县医疗保障局",
                level="county",
                region="140423",
                kind="government_department",
                source=source,
            ),
            a + 1,
        )
    for p in range(powers):
        category = rng.choice(CATEGORIES)
        words = rng.sample(WORDS, 3)
        add(
            "power",
            models.Power(
                id=f"p{p}",
                agency=f"a{p % agencies}",
                code=f"3400-{LETTERS[category]}-{p % 1000:03d}00-140423",
                code_scheme="scheme",
                category=category,
                category_raw=category + "类",
                name=f"对{words[0]}和{words[1]}的{category[2:]}（{p}）",
                conditions=[f"符合{words[2]}条件"],
                materials=[models.Evidence(name="身份证复印件")],
                phones=[models.Phone(number="0355-7794580")],
                handling=[models.Handling(raw="基金监管股")],
                source=source,
            ),
            p,
        )
    return registry


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(url_for, requests: int, clients: int = 16) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker():
        nonlocal errors
        with httpx.Client(timeout=30) as client:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                start = time.perf_counter()
                response = client.get(url_for(i))
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    errors += response.status_code != 200

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "clients": clients,
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 1),
        "rps": round(len(latencies) / wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--powers", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()

    started = time.perf_counter()
    registry = synthetic_registry(args.powers, args.agencies)
    made = time.perf_counter()
    report = check(registry)
    checked = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="qingdan-bench-db-"))
    db_path = build_database(report, work / "qingdan.db", stamp={"version": "benchmark"})
    built = time.perf_counter()
    metadata_path = write_metadata(work / "metadata.json")

    port = free_port()
    server = subprocess.Popen(
        datasette_args(db_path, metadata_path, port=port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}/qingdan"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + ".json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        rng = random.Random(2)
        scenarios = {
            "who_handles": lambda i: f"{base}/who_handles.json?q={rng.choice(WORDS)}",
            "row_page": lambda i: f"{base}/powers/p{rng.randrange(args.powers)}.json",
            "faceted_table": lambda i: (
                f"{base}/powers.json?_facet=category&_facet=agency&category={rng.choice(CATEGORIES)}"
            ),
        }
        figures = {name: load(url_for, args.requests) for name, url_for in scenarios.items()}
    finally:
        server.terminate()
        server.wait(timeout=10)

    result = {
        "powers": args.powers,
        "agencies": args.agencies,
        "make_registry_s": round(made - started, 1),
        "validate_s": round(checked - made, 1),
        "db_build_s": round(built - checked, 1),
        "db_mb": round(db_path.stat().st_size / 1e6, 1),
        "findings": len(report.findings),
        **figures,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "datasette.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
