"""Benchmark: `qingdan draft` on a large power list (not a test).

Writes a synthetic .xlsx power list of N rows (title row, two-row header, a 设定依据 cell with two
cited documents per row), drafts it into a copy of tests/fixtures/mini, and times the steps:
reading the workbook, the whole draft (read, records, write, validate the registry), and, as the
same-run baseline, `qingdan validate` of the resulting registry alone. The machine's load average
is recorded beside the figures, which go to benchmarks/results/draft.json and are printed.

    python benchmarks/bench_draft.py [--rows 300 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qingdan.draft import draft  # noqa: E402
from qingdan.draft.reading import read_file  # noqa: E402
from qingdan.validate import validate  # noqa: E402

BASIS = (
    "【法律】《中华人民共和国社会保险法》第八十八条：以欺诈、伪造证明材料或者其他手段骗取社会保险待遇的，"
    "由社会保险行政部门责令退回。【行政法规】《医疗保障基金使用监督管理条例》（国务院令第735号）第四十条：…"
)


def workbook(path: Path, rows: int) -> None:
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[300, 3000])
    args = parser.parse_args()
    results = []
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            registry = tmp / "registry"
            shutil.copytree(ROOT / "tests" / "fixtures" / "mini", registry)
            source = tmp / "list.xlsx"
            workbook(source, rows)
            read = timed(read_file, source)
            whole = timed(draft, source, "140423-bench", registry, name="某县医疗保障局")
            baseline = timed(validate, registry)
            results.append(
                {"rows": rows, "read_s": round(read, 2), "draft_s": round(whole, 2), "validate_s": round(baseline, 2)}
            )
            print(f"{rows:>6} rows: read {read:6.2f} s, draft {whole:6.2f} s, validate alone {baseline:6.2f} s")
    load = os.getloadavg()
    print(f"load average: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "draft.json").write_text(json.dumps({"results": results, "loadavg": load}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
