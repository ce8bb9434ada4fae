"""Benchmark: database build and Datasette latency at scale (not a test).

Builds a synthetic registry of N powers across M agencies (default 100,000 and 1,000),
times the database build, serves it with the same settings as the public instance and
measures p50/p99 latency and requests per second of `who_handles`, a row page and a
faceted table page under 16 concurrent clients on loopback. `who_handles_baseline` is the
query as it was before issue 13 (any word, every match ranked), run in the same run on the
same file as the baseline. The machine's load average is recorded beside the figures.
Figures go to benchmarks/results/datasette.json and are printed.

    python benchmarks/bench_datasette.py [--powers 100000] [--agencies 1000] [--requests 400] [--db FILE]

With `--db FILE` the database is built into FILE and kept, or reused when FILE is there (a
1,000,000-power build takes most of an hour on a busy 2-core machine); without it, it is built
in a temporary folder and removed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
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
# What the clients ask: single words, two words, and the same in a person's phrasing.
QUESTIONS = [
    *WORDS,
    *(f"{a} {b}" for a in WORDS[:8] for b in WORDS[8:]),
    *(f"我想办理{w}" for w in WORDS),
    *(f"{w}找谁" for w in WORDS),
]
# who_handles before issue 13: every word OR-ed, every match ranked by bm25, the best 200 joined.
BASELINE_SQL = """
select s.kind, s.title, s.agency_name, s.units, s.people, s.phones, s.page_url, round(f.rank, 3) as score
from (
  select rowid, rank from search_index_fts
  where search_index_fts match qingdan_fts_query(:q)
  order by rank limit 200
) f join search_index s on s.rowid = f.rowid
order by instr(s.title, trim(:q)) = 0, f.rank, s.id
limit 50
"""
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
    parser.add_argument("--db", type=Path, help="build the database into this file and keep it, or reuse it")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="qingdan-bench-db-"))
    db_path = args.db or work / "qingdan.db"
    build = {"reused_db": True}
    try:
        if not db_path.exists():
            build = build_synthetic_database(args.powers, args.agencies, db_path)
        figures = serve_and_measure(db_path, work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "powers": args.powers,
        "agencies": args.agencies,
        **build,
        "cores": os.cpu_count(),
        **figures,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "datasette.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))


def build_synthetic_database(powers: int, agencies: int, db_path: Path) -> dict:
    started = time.perf_counter()
    registry = synthetic_registry(powers, agencies)
    made = time.perf_counter()
    report = check(registry)
    checked = time.perf_counter()
    build_database(report, db_path, stamp={"version": "benchmark"})
    built = time.perf_counter()
    shutil.rmtree(registry.root, ignore_errors=True)
    return {
        "make_registry_s": round(made - started, 1),
        "validate_s": round(checked - made, 1),
        "db_build_s": round(built - checked, 1),
        "db_mb": round(db_path.stat().st_size / 1e6, 1),
        "findings": len(report.findings),
    }


def serve_and_measure(db_path: Path, work: Path, args) -> dict:
    metadata_path = write_metadata(work / "metadata.json")
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    queries = metadata["databases"]["qingdan"]["queries"]
    queries["who_handles_baseline"] = {"sql": BASELINE_SQL, "params": ["q"]}
    queries["floor"] = {"sql": "select :q as q", "params": ["q"]}  # Datasette's own cost of a canned query
    metadata_path.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")

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
        for question in QUESTIONS[:20]:  # warm the page cache the same way for both queries
            httpx.get(f"{base}/who_handles.json", params={"q": question}, timeout=30)
            httpx.get(f"{base}/who_handles_baseline.json", params={"q": question}, timeout=30)
        scenarios = {
            "who_handles": lambda i: f"{base}/who_handles.json?q={QUESTIONS[i % len(QUESTIONS)]}",
            "who_handles_baseline": lambda i: f"{base}/who_handles_baseline.json?q={QUESTIONS[i % len(QUESTIONS)]}",
            "canned_query_floor": lambda i: f"{base}/floor.json?q={QUESTIONS[i % len(QUESTIONS)]}",
            "row_page": lambda i: f"{base}/powers/p{rng.randrange(args.powers)}.json",
            "faceted_table": lambda i: (
                f"{base}/powers.json?_facet=category&_facet=agency&category={rng.choice(CATEGORIES)}"
            ),
        }
        load_before = os.getloadavg()
        figures = {name: load(url_for, args.requests) for name, url_for in scenarios.items()}
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        **figures,
    }


if __name__ == "__main__":
    main()
