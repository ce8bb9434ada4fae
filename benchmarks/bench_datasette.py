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
import contextlib
import functools
import json
import os
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from qingdan import models
from qingdan.datasette_setup import datasette_args, write_metadata
from qingdan.db import build_database
from qingdan.registry import Entry, Registry
from qingdan.serve_prod import Layout, ProdServer
from qingdan.settings import REPLICAS, settings
from qingdan.validate import check
from qingdan.yamlload import LoadedYaml

RESULTS = Path(__file__).parent / "results"
CLIENTS = 16
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


# port -> process id of a single Datasette, whose CPU time each scenario reads: the CPU an answer costs
# the server says more than its latency on a shared machine (where the server gets what others leave).
SERVER_PIDS: dict[int, int] = {}


def process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def summary(latencies: list[float], errors: int, wall: float, cpu: float, clients: int) -> dict:
    latencies = sorted(latencies)
    return {
        "requests": len(latencies),
        "errors": errors,
        "clients": clients,
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 1),
        "rps": round(len(latencies) / wall, 1),
        "client_cpu_ms_per_request": round(cpu / len(latencies) * 1000, 2),
    }


def light_load(port: int, paths: list[str], seconds: float, clients: int = CLIENTS) -> dict:
    """Load from `http_load.py`: one asyncio process of its own, raw HTTP/1.1 keep-alive."""
    spec = {"host": "127.0.0.1", "port": port, "paths": paths, "clients": clients, "seconds": seconds}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("http_load.py"))],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def httpx_load(port: int, paths: list[str], seconds: float, clients: int = CLIENTS) -> dict:
    """Load as this benchmark sent it before: httpx clients in threads of this process."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(10**9))
    deadline = time.perf_counter() + seconds

    def worker():
        nonlocal errors
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            while time.perf_counter() < deadline:
                with lock:
                    path = paths[next(counter) % len(paths)]
                start = time.perf_counter()
                try:
                    ok = client.get(path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    errors += not ok

    cpu_before = time.process_time()
    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_before
    return {"latencies": latencies, "errors": errors, "wall_s": wall, "cpu_s": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--powers", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=1_000)
    parser.add_argument("--seconds", type=float, default=20, help="load time of each scenario")
    parser.add_argument("--rounds", type=int, default=4, help="each scenario's time is split over this many rounds")
    parser.add_argument("--only", help="comma-separated scenario names (default: all)")
    parser.add_argument("--db", type=Path, help="build the database into this file and keep it, or reuse it")
    parser.add_argument(
        "--compare-with",
        metavar="REVISION",
        help="also serve who_handles and the floor with the code of this git revision (same file, same run)",
    )
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
    """Build and time each step; peak memory is this process's (the build runs in it)."""
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
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "db_mb": round(db_path.stat().st_size / 1e6, 1),
        "findings": len(report.findings),
    }


def query_variants(sql: str) -> dict[str, str]:
    """who_handles with one part of its cost taken out, to see what that part costs."""
    no_snippet = re.sub(r"qingdan_snippet\(.*?\)\s+as snippet", "null as snippet", sql, flags=re.S)
    no_rank = re.sub(r"qingdan_rank_key\(:q, [^)]*\)", "0", sql)
    final = sql.rindex("select s.kind_zh")
    smaller = (
        sql[:final]
        + re.sub(r"s\.agency_name, s\.place, s\.units, s\.people, s\.phones, ", "s.agency_name, ", sql[final:])
        + "\nlimit 20"
    )
    variants = {"who_handles_no_snippet": no_snippet, "who_handles_no_python_rank": no_rank}
    variants["who_handles_20_rows_fewer_columns"] = smaller
    assert all(v != sql for v in variants.values()), "who_handles changed: update query_variants"
    return variants


def wait_ready(port: int, path: str, process: subprocess.Popen | None = None, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"the server stopped while starting (exit {process.returncode})")
        try:
            if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"no answer on port {port} within {seconds:.0f} s")


# Datasette as `datasette serve` runs it, with uvloop and httptools hidden: uvicorn then falls back to
# asyncio's own loop and h11, which is how it served before they were installed.
WITHOUT_UVLOOP = (
    "import sys; sys.modules['uvloop'] = sys.modules['httptools'] = None; from datasette.cli import cli; cli()"
)


def code_of(revision: str, work: Path, metadata_path: Path) -> tuple[Path, Path]:
    """The repository's code at `revision` (git archive) and the metadata that code writes, with the
    benchmark's extra queries added: to serve the same file as that code did, in the same run."""
    code = work / f"code-{revision}"
    if not code.exists():
        code.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(Path(__file__).parent.parent), "archive", revision], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
    old_metadata = work / f"metadata-{revision}.json"
    write = "import sys; from pathlib import Path; from qingdan.datasette_setup import write_metadata; "
    write += "write_metadata(Path(sys.argv[1]))"
    subprocess.run(
        [sys.executable, "-c", write, str(old_metadata)], env={**os.environ, "PYTHONPATH": str(code)}, check=True
    )
    ours = json.loads(metadata_path.read_text(encoding="utf-8"))["databases"]["qingdan"]["queries"]
    theirs = json.loads(old_metadata.read_text(encoding="utf-8"))
    queries = theirs["databases"]["qingdan"]["queries"]
    queries.update({name: query for name, query in ours.items() if name not in queries})
    old_metadata.write_text(json.dumps(theirs, ensure_ascii=False), encoding="utf-8")
    return code, old_metadata


@contextlib.contextmanager
def datasette_server(db_path: Path, metadata_path: Path, work: Path, lever: str = "as served"):
    """One Datasette as the public instance runs, or with one lever changed."""
    port = free_port()
    args = datasette_args(db_path, metadata_path, port=port)
    env = None
    if lever.startswith("code of "):  # the public instance as an earlier commit served it
        code, old_metadata = code_of(lever.removeprefix("code of "), work, metadata_path)
        for option, value in (
            ("--metadata", old_metadata),
            ("--plugins-dir", code / "datasette_config" / "plugins"),
            ("--template-dir", code / "datasette_config" / "templates"),
        ):
            args[args.index(option) + 1] = str(value)
        env = {**os.environ, "PYTHONPATH": str(code)}
    elif lever == "without uvloop and httptools":
        args = [sys.executable, "-c", WITHOUT_UVLOOP, *args[3:]]
    elif lever.startswith("num_sql_threads="):
        args += ["--setting", "num_sql_threads", lever.split("=")[1]]
    elif lever.startswith("without qingdan_"):  # a plugin left out: what it costs a request
        plugin = lever.removeprefix("without ")
        plugins = work / f"plugins-without-{plugin}"
        shutil.copytree(settings().datasette_config / "plugins", plugins, dirs_exist_ok=True)
        (plugins / f"{plugin}.py").unlink()
        args[args.index("--plugins-dir") + 1] = str(plugins)
    elif lever != "as served":
        raise ValueError(lever)
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_ready(port, "/qingdan.json", server)
        SERVER_PIDS[port] = server.pid
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextlib.contextmanager
def prod_server(db_path: Path, metadata_path: Path, work: Path):
    """nginx and two replicas, as `qingdan serve --prod` runs them (a one-page site beside the database)."""
    dist = work / "dist"
    (dist / "site").mkdir(parents=True, exist_ok=True)
    (dist / "site" / "index.html").write_text("<!DOCTYPE html><title>bench</title>", encoding="utf-8")
    if not (dist / "qingdan.db").exists():
        (dist / "qingdan.db").symlink_to(db_path.absolute())
    shutil.copy(metadata_path, dist / "metadata.json")
    ports = [free_port() for _ in range(2 + REPLICAS)]
    layout = Layout(dist.absolute(), work / "serve-prod", "127.0.0.1", ports[0], ports[1], ports[2:])
    server = ProdServer(layout, quiet=True)
    try:
        server.start(timeout=600)
        wait_ready(layout.site_port, "/qingdan.json")
        yield layout.site_port
    finally:
        server.stop()


def serve_and_measure(db_path: Path, work: Path, args) -> dict:
    if db_path.name != "qingdan.db":  # Datasette names the database after the file
        (work / "qingdan.db").symlink_to(db_path.absolute())
        db_path = work / "qingdan.db"
    metadata_path = write_metadata(work / "metadata.json")
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    queries = metadata["databases"]["qingdan"]["queries"]
    for name, sql in query_variants(queries["who_handles"]["sql"]).items():
        queries[name] = {"sql": sql, "params": ["q", "region"]}
    queries["who_handles_baseline"] = {"sql": BASELINE_SQL, "params": ["q"]}
    queries["floor"] = {"sql": "select :q as q", "params": ["q"]}  # Datasette's own cost of a canned query
    metadata_path.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")

    def asking(query: str) -> list[str]:
        return [f"/qingdan/{query}.json?q={quote(q)}" for q in QUESTIONS]

    rng = random.Random(2)
    row_pages = [f"/qingdan/powers/p{rng.randrange(args.powers)}.json" for _ in range(1000)]
    faceted = [f"/qingdan/powers.json?_facet=category&_facet=agency&category={quote(c)}" for c in CATEGORIES]
    # (result name, server, lever, load generator, paths); each server is started once, in this order.
    scenarios = [
        ("who_handles", "datasette", "as served", light_load, asking("who_handles")),
        ("who_handles_httpx_client", "datasette", "as served", httpx_load, asking("who_handles")),
        ("canned_query_floor", "datasette", "as served", light_load, asking("floor")),
        ("canned_query_floor_httpx_client", "datasette", "as served", httpx_load, asking("floor")),
        ("who_handles_baseline", "datasette", "as served", light_load, asking("who_handles_baseline")),
        *(
            (name, "datasette", "as served", light_load, asking(name))
            for name in ("who_handles_no_snippet", "who_handles_no_python_rank", "who_handles_20_rows_fewer_columns")
        ),
        ("row_page", "datasette", "as served", light_load, row_pages),
        ("faceted_table", "datasette", "as served", light_load, faceted),
        ("who_handles_prod", "prod", "nginx + 2 replicas", light_load, asking("who_handles")),
        ("canned_query_floor_prod", "prod", "nginx + 2 replicas", light_load, asking("floor")),
        *(
            (f"who_handles ({lever})", "datasette", lever, light_load, asking("who_handles"))
            for lever in (
                "without uvloop and httptools",
                "num_sql_threads=0",
                "num_sql_threads=1",
                "num_sql_threads=2",
                "num_sql_threads=6",
            )
        ),
        (
            "canned_query_floor (without uvloop and httptools)",
            "datasette",
            "without uvloop and httptools",
            light_load,
            asking("floor"),
        ),
        (
            "who_handles (with uvicorn's access log)",
            "datasette",
            "without qingdan_quiet",
            light_load,
            asking("who_handles"),
        ),
        (
            "who_handles (without qingdan_limits)",
            "datasette",
            "without qingdan_limits",
            light_load,
            asking("who_handles"),
        ),
        (
            "canned_query_floor (without qingdan_limits)",
            "datasette",
            "without qingdan_limits",
            light_load,
            asking("floor"),
        ),
    ]
    if args.compare_with:
        scenarios += [
            (
                f"{name} (code of {args.compare_with})",
                "datasette",
                f"code of {args.compare_with}",
                light_load,
                asking(query),
            )
            for name, query in (("who_handles", "who_handles"), ("canned_query_floor", "floor"))
        ]
    if args.only:
        wanted = set(args.only.split(",")) | {s[0] for s in scenarios if s[2].startswith("code of ")}
        scenarios = [s for s in scenarios if s[0] in wanted]
    # Every server runs from the start, and the scenarios take turns in short rounds: on a shared
    # machine each then sees the same mix of other people's load, so they can be compared.
    raw: dict[str, dict] = {}
    with contextlib.ExitStack() as servers:
        ports = {}
        for server, lever in dict.fromkeys((s[1], s[2]) for s in scenarios):
            starting = prod_server if server == "prod" else functools.partial(datasette_server, lever=lever)
            ports[server, lever] = port = servers.enter_context(starting(db_path, metadata_path, work))
            for path in asking("who_handles")[:20]:  # the same warm-up for every server
                httpx.get(f"http://127.0.0.1:{port}{path}", timeout=30)
        load_before = os.getloadavg()
        for _ in range(args.rounds):
            for name, server, lever, load, paths in scenarios:
                pid = SERVER_PIDS.get(ports[server, lever])
                server_cpu = process_cpu_seconds(pid) if pid else 0
                measured = load(ports[server, lever], paths, args.seconds / args.rounds)
                total = raw.setdefault(name, {"latencies": [], "errors": 0, "wall_s": 0, "cpu_s": 0, "server_cpu_s": 0})
                total["latencies"] += measured["latencies"]
                for key in ("errors", "wall_s", "cpu_s"):
                    total[key] += measured[key]
                total["server_cpu_s"] += process_cpu_seconds(pid) - server_cpu if pid else 0
                total["server"] = f"{server}, {lever}"
        load_after = os.getloadavg()
    figures = {}
    for name, total in raw.items():
        figures[name] = summary(total["latencies"], total["errors"], total["wall_s"], total["cpu_s"], CLIENTS)
        figures[name]["server"] = total["server"]
        if total["server_cpu_s"]:
            figures[name]["server_cpu_ms_per_request"] = round(
                total["server_cpu_s"] / figures[name]["requests"] * 1000, 2
            )
        print(name, figures[name], flush=True)
    return {
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "seconds_per_scenario": args.seconds,
        "rounds": args.rounds,
        **figures,
    }


if __name__ == "__main__":
    main()
