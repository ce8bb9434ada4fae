"""Benchmark: the site for synthetic registries of N guides, beside a plain MkDocs build (not a test).

    .venv/bin/python benchmarks/bench_site.py                  # 5,000 and 50,000 guides
    .venv/bin/python benchmarks/bench_site.py --sizes 500      # a quick run
    .venv/bin/python benchmarks/bench_site.py --search-only    # first search only (minutes, not an hour)

For each size it writes a synthetic registry (half powers, half services, one agency per 100
guides, 30 agencies to a county, a shared flow template per agency plus one own flowchart in ten
guides), validates it, draws the flowcharts (cached), then builds the site from scratch (no cache but
the flowcharts', no site trees) in one process (`site_s`) and on every core
(`parallel_s`), renames one agency's guide and builds again (`one_agency_rebuild_s`, caches
kept), and runs `mkdocs build` with Material and its search plugin on the same number of plain
Markdown pages of similar length (`plain_s`).
Chromium then measures the bytes of a first visit to a guide page with its flowchart and of a
first search. Peak memory is the largest total of this process and its children during the
builds: `peak_pss_mb` sums proportional set sizes (what they take together), `peak_rss_mb`
resident sizes (pages shared by forked workers counted once per process). Figures go to
benchmarks/results/site.json and stdout.

`--search-only` builds the site of a small synthetic registry (SHELL_GUIDES guides), replaces its
search index with the index of N guides (as the full build writes it) and measures only the first
search, with its requests by kind; figures go to benchmarks/results/site-search.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from qingdan.atomic import wait_for_removals
from qingdan.site import build_site
from qingdan.validate import validate

WHO = [
    "城乡居民",
    "职工",
    "灵活就业人员",
    "退休人员",
    "新生儿",
    "大学生",
    "困难群众",
    "参保单位",
    "定点医药机构",
    "异地安置人员",
]
WHAT = [
    "基本医疗保险",
    "生育保险",
    "医疗救助",
    "大病保险",
    "长期护理保险",
    "异地就医",
    "门诊慢特病",
    "医疗费用",
    "个人账户",
    "医保关系",
]
ACT = [
    "参保登记",
    "待遇核定",
    "费用报销",
    "备案",
    "信息变更",
    "转移接续",
    "资格认定",
    "费用结算",
    "缴费查询",
    "证明出具",
]
STEPS = ["申请", "受理", "审核", "决定", "送达", "办结"]
MATERIALS = ["居民身份证", "社会保障卡", "户口簿", "诊断证明", "住院发票", "费用清单", "委托书", "银行账户信息"]
LAWS = [
    ("中华人民共和国社会保险法", None),
    ("医疗保障基金使用监督管理条例", "国务院令第735号"),
    ("关于做好医疗救助工作的通知", "医保发〔2020〕36号"),
]


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


AGENCIES_PER_REGION = 30  # about a county's bureaus


def county_codes() -> list[str]:
    from qingdan.regions import regions

    return sorted(code for code, r in regions().items() if r.current and code.startswith("14") and code[4:] != "00")


def write_registry(root: Path, guides: int, seed: int = 1) -> Path:
    """A valid synthetic registry with `guides` powers and services, 30 agencies to a county."""
    rnd = random.Random(seed)
    counties = county_codes()
    (root / "sources").mkdir(parents=True)
    lines = [f"第{i}行 示例清单文本 {rnd.choice(WHO)}{rnd.choice(WHAT)}{rnd.choice(ACT)}" for i in range(1, 2001)]
    (root / "sources" / "bench.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    agencies = max(1, guides // 100)
    per_agency = [guides // agencies + (1 if i < guides % agencies else 0) for i in range(agencies)]
    src = "{document: doc-bench, locator: 序号, line: %d}"
    head = [
        "documents:",
        "  - {id: doc-bench, title: 合成权责清单, file: bench.txt, publisher: a0000, kind: 权责清单}",
        "code_schemes:",
        "  - id: bench-scheme",
        "    name: 合成编码方案",
        "    pattern: '(?P<agency>\\d{4})-(?P<category>[A-Z])-(?P<item>\\d{3})(?P<subitem>\\d{2})-(?P<region>\\d{6})'",
        "    categories: {G: 行政给付, F: 行政确认}",
        f"    source: {src % 1}",
    ]
    (root / "common.yaml").write_text("\n".join(head) + "\n", encoding="utf-8")
    seq = 0
    for a, count in enumerate(per_agency):
        aid = f"a{a:04d}"
        out = [
            "agencies:",
            f"  - id: {aid}",
            f"    name: {q(f'合成市第{a}医疗保障局')}",
            "    level: county",
            f'    region: "{counties[(a // AGENCIES_PER_REGION) % len(counties)]}"',
            "    kind: government_department",
            f"    source: {src % 1}",
            "units:",
        ]
        for u in range(3):
            out += [f"  - {{id: {aid}-u{u}, agency: {aid}, name: {q(f'第{u}股')}, source: {src % 2}}}"]
        out += [
            "flow_templates:",
            f"  - id: {aid}-tpl",
            f"    title: {q('行政给付运行流程')}",
            f"    source: {src % 3}",
            "    nodes:",
        ]
        out += [
            f"      - {{id: n{i}, kind: {'start' if i == 0 else 'end' if i == len(STEPS) - 1 else 'step'}, label: {s}}}"
            for i, s in enumerate(STEPS)
        ]
        out += ["    edges:"] + [
            f"      - {{from: n{i}, to: n{i + 1}, reconstructed: true}}" for i in range(len(STEPS) - 1)
        ]
        powers, services, flows = ["powers:"], ["services:"], ["flows:"]
        for g in range(count):
            seq += 1
            gid = f"{aid}-g{g}"
            name = f"{rnd.choice(WHO)}{rnd.choice(WHAT)}{rnd.choice(ACT)}（{seq}）"
            materials = ", ".join(
                f"{{name: {m}, required: {'common' if k < 2 else 'optional'}}}"
                for k, m in enumerate(rnd.sample(MATERIALS, 4))
            )
            law, number = rnd.choice(LAWS)
            basis = f"{{title: {law}" + (f", doc_number: {q(number)}" if number else "") + "}"
            line = 10 + seq % 1900
            own = g % 10 == 0
            flow_id = f"{gid}-flow"
            if own:
                labels = [f"{rnd.choice(STEPS)}{seq}-{k}" for k in range(5)]
                flows += [
                    f"  - id: {flow_id}",
                    f"    agency: {aid}",
                    f"    title: {q(name + '流程图')}",
                    "    availability: full",
                    "    nodes:",
                ]
                flows += [
                    f"      - {{id: m{k}, kind: {'decision' if k == 1 else 'step'}, "
                    f"label: {q(lb)}, unit: {aid}-u{k % 3}}}"
                    for k, lb in enumerate(labels)
                ]
                flows += [
                    "    edges:",
                    "      - {from: m0, to: m1}",
                    "      - {from: m1, to: m2, label: 符合条件}",
                    "      - {from: m1, to: m4, label: 不符合条件}",
                    "      - {from: m2, to: m3}",
                    "      - {from: m3, to: m4, reconstructed: true}",
                    f"    source: {src % line}",
                ]
            else:
                flows += [
                    f"  - id: {flow_id}",
                    f"    agency: {aid}",
                    f"    title: {q(name + '流程图')}",
                    "    availability: full",
                    f"    template: {aid}-tpl",
                    "    assignments:",
                    f"      - {{node: n1, unit: {aid}-u0, unit_raw: 第0股（受理）}}",
                    f"    source: {src % line}",
                ]
            common = [
                f"    agency: {aid}",
                f"    name: {q(name)}",
                f"    materials: [{materials}]",
                f"    legal_bases: [{basis}]",
                "    time_limit: 15个工作日",
                "    fees: 不收费",
                f"    handling: [{{unit: {aid}-u{g % 3}, raw: 第{g % 3}股}}]",
                "    phones: [{number: 0355-1234567, kind: service}, {number: 0355-7654321, kind: supervision}]",
                f"    conditions: [{q('符合' + rnd.choice(WHAT) + '政策规定的参保人员')}]",
                f"    flow: {flow_id}",
                f"    source: {src % line}",
            ]
            if g % 2 == 0:
                category, letter = ("行政给付", "G") if g % 4 == 0 else ("行政确认", "F")
                powers += [
                    f"  - id: {gid}",
                    f"    code: 3400-{letter}-{g:03d}00-140423",
                    "    code_scheme: bench-scheme",
                    f"    category: {category}",
                    f"    category_raw: {category}类",
                    *common,
                ]
            else:
                services += [
                    f"  - id: {gid}",
                    "    category: 公共服务",
                    "    levels: [C]",
                    f"    content: {q('办理' + name)}",
                    *common,
                ]
        out += powers + services + flows
        out += ["boundaries:"]
        for b in range(3):
            matter = f"{rnd.choice(WHAT)}{rnd.choice(ACT)}"
            out += [
                f"  - id: {aid}-b{b}",
                f"    agency: {aid}",
                f"    matter: {q(matter)}",
                "    parties:",
                f"      - {{agency: {aid}, raw: 医保局, division: 受理审核}}",
                "      - {raw: 民政局, division: 认定}",
                f"    source: {src % (20 + b)}",
            ]
        (root / f"{aid}.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")
    return root


def plain_build(root: Path, pages: int, seed: int = 2) -> float:
    """`mkdocs build` of `pages` plain Markdown pages of about a guide's length, not in the nav."""
    rnd = random.Random(seed)
    docs = root / "docs"
    (docs / "p").mkdir(parents=True)
    (docs / "index.md").write_text("# 首页\n\n普通页面基准。\n", encoding="utf-8")
    for i in range(pages):
        name = f"{rnd.choice(WHO)}{rnd.choice(WHAT)}{rnd.choice(ACT)}（{i}）"
        body = [f"# {name}", ""]
        for heading in ("基本信息", "设定依据", "申请条件", "申请材料", "办理时限", "办理流程", "咨询电话", "来源"):
            body += [f"## {heading}", "", "".join(rnd.choice(WHO + WHAT + ACT) for _ in range(12)) + "。", ""]
        (docs / "p" / f"{i}.md").write_text("\n".join(body), encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(
        "site_name: plain\ntheme: {name: material, language: zh, font: false}\n"
        "plugins: [search]\nnav: [{首页: index.md}]\nnot_in_nav: |\n  /p/*\n",
        encoding="utf-8",
    )
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(root / "site")],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


class PeakMemory:
    """The largest total memory of this process and all its descendants, sampled twice a second:
    `pss` sums their proportional set sizes (a page shared by n processes counts 1/n in each: the
    memory they really take), `rss` their resident sizes (a page shared copy-on-write by forked
    workers counts once in each of them, so the sum exceeds what the machine holds)."""

    def __init__(self):
        self.pss = self.rss = 0
        self.at_peak: dict[str, int] = {}  # PSS by process at the PSS peak: benchmark, worker, mkdocs, pagefind …
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            pids = _tree(os.getpid())
            sizes = [_memory(pid) for pid in pids]
            self.rss = max(self.rss, sum(rss for _, rss in sizes))
            if sum(pss for pss, _ in sizes) > self.pss:
                self.pss = sum(pss for pss, _ in sizes)
                self.at_peak = {}
                for pid, (pss, _) in zip(pids, sizes, strict=True):
                    name = _name(pid)
                    self.at_peak[name] = self.at_peak.get(name, 0) + pss


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo += [int(child) for child in task.read_text().split()]
            except OSError:
                pass
    return pids


def _name(pid: int) -> str:
    """benchmark (this process), worker (forked from it), or the program a child runs (mkdocs, pagefind …)."""
    if pid == os.getpid():
        return "benchmark"
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        own = Path(f"/proc/{os.getpid()}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return "gone"
    if argv == own:
        return "worker"
    if len(argv) > 2 and argv[1] == "-m":
        return argv[2]
    return Path(argv[0]).name.split("_")[0] or "other"


def _memory(pid: int) -> tuple[int, int]:
    """(proportional set size, resident set size) of a process in bytes; (0, 0) once it is gone."""
    sizes = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("Pss", "Rss"):
                sizes[name] = int(value.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return sizes.get("Pss", 0), sizes.get("Rss", 0)


def timed_build(report, work: Path, workers: int, fresh: bool = True) -> float:
    """One build_site; `fresh`: with no cache but the flowcharts' (MkDocs' output, pages, search index)
    and no site trees, as plain_s builds into an empty folder with nothing cached."""
    if fresh:
        cache = work / "build" / "cache"
        for cached in [*(p for p in cache.glob("*") if p.name != "flowcharts"), work / "build" / "site-trees"]:
            shutil.rmtree(cached, ignore_errors=True)
        site = work / "dist" / "site"  # the link to the published tree
        if site.is_symlink():
            site.unlink()
    start = time.perf_counter()
    build_site(report, work / "dist", build_dir=work / "build", workers=workers)
    took = time.perf_counter() - start
    # what the build replaced is deleted in the background after it returns (atomic.remove_later):
    # waited for here, untimed, so it does not slow down what is measured next
    wait_for_removals()
    removals["last_s"] = time.perf_counter() - start - took
    return took


removals: dict[str, float] = {}


def draw_flowcharts(report, work: Path) -> float:
    """Fill the flowchart cache first, so the timed builds compare MkDocs work, not Graphviz's."""
    from qingdan.site.build import _prerender_flowcharts
    from qingdan.site.context import SiteContext

    start = time.perf_counter()
    _prerender_flowcharts(SiteContext(report, cache_dir=work / "build" / "cache" / "flowcharts"))
    return time.perf_counter() - start


def change_one_agency(registry: Path) -> None:
    """Rename the first guide of the first agency: only its region's pages should change."""
    path = registry / "a0000.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    name: ", text.index("powers:"))
    end = text.index("\n", start)
    path.write_text(text[:start] + '    name: "改名后的事项（基准）"' + text[end:], encoding="utf-8")


class _Counted:
    """A response stream that counts the bytes written to it."""

    def __init__(self, stream):
        self.stream, self.written = stream, 0

    def write(self, data):
        self.written += len(data)
        return self.stream.write(data)

    def __getattr__(self, name):
        return getattr(self.stream, name)


def browser_bytes(site: Path, query: str = "医疗保险") -> dict:
    """In Chromium (phone viewport): bytes of a first visit to a guide page with a flowchart, of its
    HTML, and of every request after typing a query into the search box until results show.
    Counted as the server sends them (headers and body of each response): Chromium reports no body
    for a web worker's script."""
    import functools
    import http.server

    from playwright.sync_api import sync_playwright

    sizes: list[tuple[str, int]] = []

    class Counting(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def setup(self):
            super().setup()
            self.wfile = _Counted(self.wfile)

        def handle_one_request(self):
            before = self.wfile.written
            super().handle_one_request()
            if self.wfile.written > before:
                sizes.append((self.path, self.wfile.written - before))

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Counting, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    path = "/guides/a0000-g0/"
    url = f"http://127.0.0.1:{server.server_address[1]}{path}"

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"))
            page = browser.new_context(
                viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
            ).new_page()
            page.goto(url, wait_until="load")
            page.wait_for_timeout(500)
            visit = sum(n for _, n in sizes)
            html = next(n for u, n in sizes if u == path)
            assert page.locator("figure.qd-flow svg").count() == 1, "the guide page has no flowchart"
            sizes.clear()
            page.click('label[for="__search"]')
            page.keyboard.insert_text(query)
            page.locator(".md-search-result__item a").first.wait_for(timeout=60_000)
            page.wait_for_timeout(1000)
            search = sum(n for _, n in sizes)
            requests = list(sizes)
            results = page.locator(".md-search-result__item a").count()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return {
        "first_visit_kb": visit / 1000,
        "guide_html_kb": html / 1000,
        "first_search_kb": search / 1000,
        "results": results,
        "search_requests": requests,
    }


SEARCH_FILES = (  # what a first search downloads, by kind (Pagefind's file names)
    ("pagefind_js", "pagefind.js"),
    ("worker_js", "pagefind-worker.js"),
    ("wasm", "wasm."),
    ("entry", "pagefind-entry.json"),
    ("meta", ".pf_meta"),
    ("index_chunks", ".pf_index"),
    ("fragments", ".pf_fragment"),
)


def search_breakdown(requests: list[tuple[str, int]]) -> dict:
    """KB and number of requests of each kind of file a first search downloaded."""
    kinds: dict[str, list[float]] = {}
    for url, size in requests:
        kind = next((k for k, part in SEARCH_FILES if part in url.rsplit("/", 1)[-1]), "other")
        kb, count = kinds.get(kind, [0.0, 0])
        kinds[kind] = [round(kb + size / 1000, 1), count + 1]
    return {kind: {"kb": kb, "requests": count} for kind, (kb, count) in kinds.items()}


def run(n: int, work: Path, workers: int, drawings: Path | None = None) -> dict:
    registry = write_registry(work / "registry", n)
    if drawings is not None:  # flowcharts drawn by an earlier run (the registry is the same for a size)
        (drawings / str(n)).mkdir(parents=True, exist_ok=True)
        (work / "build" / "cache").mkdir(parents=True)
        (work / "build" / "cache" / "flowcharts").symlink_to((drawings / str(n)).absolute())
    start = time.perf_counter()
    report = validate(registry)
    validate_s = time.perf_counter() - start
    if report.errors:
        raise SystemExit("synthetic registry is invalid:\n" + "\n".join(e.format() for e in report.errors[:10]))
    flowcharts_s = draw_flowcharts(report, work)
    with PeakMemory() as memory:
        site_s = timed_build(report, work, workers=1)
        parallel_s = timed_build(report, work, workers=workers)
        del report  # as a new `qingdan build` would, not the old registry and the new one side by side
        gc.collect()
        change_one_agency(registry)
        changed = validate(registry)
        rebuild_s = timed_build(changed, work, workers=workers, fresh=False)
        removal_s = removals["last_s"]
    plain = plain_build(work / "plain", n)
    site = work / "dist" / "site"
    seen = browser_bytes(site)
    return {
        "guides": n,
        "regions": -(-max(1, n // 100) // AGENCIES_PER_REGION),
        "pages": sum(1 for _ in site.rglob("index.html")),
        "validate_s": round(validate_s, 1),
        "flowcharts_s": round(flowcharts_s, 1),
        "site_s": round(site_s, 1),
        "parallel_s": round(parallel_s, 1),
        "plain_s": round(plain, 1),
        "ratio": round(site_s / plain, 2),
        "parallel_ratio": round(parallel_s / plain, 2),
        "one_agency_rebuild_s": round(rebuild_s, 1),
        "rebuild_share": round(rebuild_s / site_s, 3),
        "rebuild_removal_s": round(removal_s, 1),
        "peak_pss_mb": round(memory.pss / 2**20),
        "peak_rss_mb": round(memory.rss / 2**20),
        "peak_pss_by_process_mb": {name: round(pss / 2**20) for name, pss in memory.at_peak.items()},
        "first_search_kb": round(seen["first_search_kb"], 1),
        "first_search_results": seen["results"],
        "first_visit_kb": round(seen["first_visit_kb"], 1),
        "guide_html_kb": round(seen["guide_html_kb"], 1),
        "search_index_mb": round(size_of(site / "pagefind") / 2**20, 1),
        "site_mb": round(size_of(site) / 2**20),
    }


SHELL_GUIDES = 100


def run_search_only(n: int, work: Path) -> dict:
    """The first search at n guides without building n guide pages: a site of SHELL_GUIDES guides
    (its search box, scripts and a guide page) holding the search index of n guides."""
    from qingdan.site.build import hand_written_pages
    from qingdan.site.search_index import page_records, registry_records, write_search_index

    shell = validate(write_registry(work / "shell-registry", SHELL_GUIDES))
    site = build_site(shell, work / "dist", build_dir=work / "build", workers=1)
    report = validate(write_registry(work / "registry", n))
    if report.errors:
        raise SystemExit("synthetic registry is invalid:\n" + "\n".join(e.format() for e in report.errors[:10]))
    start = time.perf_counter()
    records = [*registry_records(report.registry), *page_records(site, hand_written_pages())]
    write_search_index(records, site, work / "search-index")
    index_s = time.perf_counter() - start
    seen = browser_bytes(site)
    return {
        "guides": n,
        "search_index_s": round(index_s, 1),
        "first_search_kb": round(seen["first_search_kb"], 1),
        "first_search_results": seen["results"],
        "first_search_files": search_breakdown(seen["search_requests"]),
        "search_index_mb": round(size_of(site / "pagefind") / 2**20, 1),
    }


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="for the parallel builds")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "site.json")
    parser.add_argument("--keep", action="store_true", help="keep the work folders (printed)")
    parser.add_argument(
        "--drawings",
        type=Path,
        help="keep the flowchart drawings in DIR/<size>/ for later runs (flowcharts_s is then that of drawing none)",
    )
    parser.add_argument("--search-only", action="store_true", help="only the search index and the first search")
    args = parser.parse_args(argv)
    if args.search_only and args.out == parser.get_default("out"):
        args.out = HERE / "results" / "site-search.json"
    results = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "system": platform.platform(),
            "load_before": os.getloadavg(),
        },
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "sizes": {},
    }
    for n in args.sizes:
        work = Path(tempfile.mkdtemp(prefix=f"qingdan-bench-{n}-"))
        try:
            print(f"building {n} guides in {work} …", file=sys.stderr, flush=True)
            figures = run_search_only(n, work) if args.search_only else run(n, work, args.workers, args.drawings)
            results["sizes"][str(n)] = figures
            print(json.dumps(figures, ensure_ascii=False), flush=True)
        finally:
            if args.keep:
                print(f"kept {work}", file=sys.stderr)
            else:
                shutil.rmtree(work, ignore_errors=True)
    results["machine"]["load_after"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    head = ("guides", "site_s", "parallel_s", "plain_s", "ratio", "parallel_ratio", "one_agency_rebuild_s")
    head += ("first_search_kb", "first_visit_kb", "guide_html_kb", "peak_pss_mb", "peak_rss_mb")
    if args.search_only:
        head = ("guides", "search_index_s", "first_search_kb", "first_search_results", "search_index_mb")
    print("\n" + " ".join(f"{h:>12}" for h in head))
    for figures in results["sizes"].values():
        print(" ".join(f"{figures[h]:>12}" for h in head))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
