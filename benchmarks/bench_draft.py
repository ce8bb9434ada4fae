"""Benchmark: `qingdan draft` on every file of the draft corpus and the draft fixtures (not a test).

    .venv/bin/python benchmarks/bench_draft.py                 # every file, 5 runs each
    .venv/bin/python benchmarks/bench_draft.py -n 20 --json    # the table as JSON on stdout
    .venv/bin/python benchmarks/bench_draft.py --only pdf      # the files whose path contains "pdf"
    .venv/bin/python benchmarks/bench_draft.py --rows 300 3000 # a synthetic .xlsx list of N rows

Each file is drafted in its own child process (so that its peak memory is its own): one untimed
run first (it finds the draft arguments: a corpus case's from its .expected.yaml, a fixture's by
trying without --name and, if the file names no agency, with one), then N timed runs of
`qingdan.draft.draft`, each into a fresh copy of tests/fixtures/mini made outside the timing, then
one run under tracemalloc. Reported per file: the median and fastest of the N runs, the child's
peak RSS (`ru_maxrss`, the whole process with Python and the libraries), the peak of Python
allocations during one draft (tracemalloc), and the records drafted (or why the file was refused).
Figures also go to benchmarks/results/draft.json with the machine's load average.

`--rows` keeps the earlier benchmark: a synthetic .xlsx power list of N rows (title row, two cited
documents per 设定依据 cell), timing reading, drafting and `qingdan validate` of the result alone.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "tests" / "fixtures" / "draft"
CORPUS = FIXTURES / "corpus"
MINI = ROOT / "tests" / "fixtures" / "mini"
EXTENSIONS = (".docx", ".xlsx", ".pdf", ".html", ".txt")
FALLBACK_NAME = "某县医疗保障局"  # for a fixture that names no agency (as tests pass --name)


def files() -> list[tuple[Path, dict]]:
    """(file, draft arguments or {}) for every corpus case and every fixture file."""
    import yaml

    found = []
    for expected in sorted(CORPUS.glob("*.expected.yaml")):
        stem = expected.name[: -len(".expected.yaml")]
        source = next((CORPUS / f"{stem}{ext}" for ext in EXTENSIONS if (CORPUS / f"{stem}{ext}").is_file()), None)
        if source:
            args = (yaml.safe_load(expected.read_text(encoding="utf-8")) or {}).get("draft") or {}
            found.append((source, {"agency_id": args.get("agency"), "name": args.get("name")}))
    for source in sorted(FIXTURES.iterdir()):
        if source.suffix in EXTENSIONS and source.is_file():
            found.append((source, {}))
    return found


def _fresh(tmp: Path) -> Path:
    registry = tmp / "registry"
    if registry.exists():
        shutil.rmtree(registry)
    shutil.copytree(MINI, registry)
    return registry


def _measure(source: str, args: dict, runs: int, out) -> None:
    """In the child: draft `source` once to find its arguments, `runs` times timed, once traced."""
    from qingdan.draft import DraftError, draft

    source_path = Path(source)
    agency = args.get("agency_id") or "bench-" + "".join(c for c in source_path.stem.lower() if c.isalnum())[:40]
    kwargs = {"name": args.get("name")}
    result: dict = {"file": str(source_path.relative_to(ROOT)), "agency": agency}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        try:
            drafted = draft(source_path, agency, _fresh(tmp), **kwargs)
        except DraftError as exc:
            if "names no agency" in str(exc) and not kwargs["name"]:
                kwargs["name"] = FALLBACK_NAME
                try:
                    drafted = draft(source_path, agency, _fresh(tmp), **kwargs)
                except DraftError as again:
                    drafted, result["refused"] = None, str(again)[:200]
            else:
                drafted, result["refused"] = None, str(exc)[:200]
        result["records"] = sum(len(v) for v in drafted.records.values()) if drafted else 0
        times = []
        for _ in range(runs):
            registry = _fresh(tmp)
            start = time.perf_counter()
            try:
                draft(source_path, agency, registry, **kwargs)
            except DraftError:
                pass  # a refused file is timed up to its refusal
            times.append(time.perf_counter() - start)
        registry = _fresh(tmp)
        tracemalloc.start()
        try:
            draft(source_path, agency, registry, **kwargs)
        except DraftError:
            pass
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    result |= {
        "runs": runs,
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "traced_peak_mb": round(traced_peak / 2**20, 2),
    }
    out.put(result)


def measure(source: Path, args: dict, runs: int) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_measure, args=(str(source), args, runs, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def table(results: list[dict]) -> str:
    head = f"{'file':52} {'median s':>9} {'min s':>7} {'RSS MB':>7} {'traced MB':>9} {'records':>7}"
    lines = [head, "-" * len(head)]
    for r in results:
        records = "refused" if "refused" in r else str(r["records"])
        name = r["file"].removeprefix("tests/fixtures/draft/")
        lines.append(
            f"{name:52} {r['median_s']:9.3f} {r['min_s']:7.3f} {r['peak_rss_mb']:7.1f} "
            f"{r['traced_peak_mb']:9.2f} {records:>7}"
        )
    return "\n".join(lines)


def corpus_main(runs: int, as_json: bool, only: str | None = None) -> None:
    chosen = [(source, args) for source, args in files() if not only or only in str(source.relative_to(ROOT))]
    results = [measure(source, args, runs) for source, args in chosen]
    load = os.getloadavg()
    report = {"runs": runs, "results": results, "loadavg": [round(x, 2) for x in load]}
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "draft.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    print(table(results))
    print(f"{runs} timed runs per file; load average: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


# --- the synthetic long list (--rows) ----------------------------------------------------------

BASIS = (
    "【法律】《中华人民共和国社会保险法》第八十八条：以欺诈、伪造证明材料或者其他手段骗取社会保险待遇的，"
    "由社会保险行政部门责令退回。【行政法规】《医疗保障基金使用监督管理条例》（国务院令第735号）第四十条：…"
)


def workbook(path: Path, rows: int) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["某县医疗保障局权责清单"] + [""] * 6)
    sheet.merge_cells("A1:G1")
    sheet.append(["序号", "事项名称", "事项类型", "实施主体", "设定依据", "行使层级", "备注"])
    for i in range(rows):
        sheet.append([str(i + 1), f"对第{i + 1}类违法行为的处罚", "行政处罚", "县医保局", BASIS, "县级", ""])
    book.save(path)


def timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def rows_main(sizes: list[int], as_json: bool) -> None:
    from qingdan.draft import draft
    from qingdan.draft.reading import read_file
    from qingdan.validate import validate

    results = []
    for rows in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            registry = _fresh(tmp)
            source = tmp / "list.xlsx"
            workbook(source, rows)
            read = timed(read_file, source)
            whole = timed(draft, source, "140423-bench", registry, name="某县医疗保障局")
            baseline = timed(validate, registry)
            results.append(
                {"rows": rows, "read_s": round(read, 2), "draft_s": round(whole, 2), "validate_s": round(baseline, 2)}
            )
    load = os.getloadavg()
    if as_json:
        print(json.dumps({"results": results, "loadavg": load}, indent=2))
        return
    for r in results:
        print(
            f"{r['rows']:>6} rows: read {r['read_s']:6.2f} s, draft {r['draft_s']:6.2f} s, "
            f"validate alone {r['validate_s']:6.2f} s"
        )
    print(f"load average: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=5, help="timed runs per file (default 5)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--only", help="only the files whose path contains this text")
    parser.add_argument("--rows", type=int, nargs="+", help="instead: a synthetic .xlsx list of these many rows")
    args = parser.parse_args()
    if args.rows:
        rows_main(args.rows, args.json)
    else:
        corpus_main(args.runs, args.json, args.only)


if __name__ == "__main__":
    main()
