"""Benchmark: matching matters and finding gaps across many county bureaus.

    .venv/bin/python benchmarks/bench_matters.py                    # 200 and 2,000 bureaus
    .venv/bin/python benchmarks/bench_matters.py --bureaus 20000    # one size

A synthetic registry, built in memory: N county 医疗保障局 with 20 services each (four names as the
seed lists print them, sixteen others); one bureau in seven lacks 城乡居民医疗保险参保登记. Timed in
the same run: `match_matters` and `find_missing_vs_peers`, against the baseline of normalising every
record's name once (`name_keys`), the least any matching by name must do. Best of 3 rounds; figures go
to benchmarks/results/matters.json and stdout, with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from qingdan.matters import find_missing_vs_peers, match_matters, name_keys
from qingdan.models import Agency, PublicService
from qingdan.registry import Entry, Registry

HERE = Path(__file__).resolve().parent
NAMES = ["医疗救助", "城乡居民医疗保险参保登记", "异地就医备案", "生育保险待遇核准支付"] + [
    f"第{i}项医疗保障服务事项" for i in range(16)
]


def synthetic(bureaus: int) -> Registry:
    registry = Registry(root=Path("/nonexistent"))
    source = {"document": "doc-bench", "locator": "序号 1"}

    def add(kind: str, record) -> None:
        registry.entries[record.id] = Entry(kind, record, Path("bench.yaml"), ())
        registry.by_kind.setdefault(kind, []).append(record)

    for b in range(bureaus):
        agency = Agency(
            id=f"bureau-{b}", name="某县医疗保障局", level="county", kind="government_department", source=source
        )
        add("agency", agency)
        for i, name in enumerate(NAMES):
            if not (b % 7 == 0 and i == 1):
                add("service", PublicService(id=f"bureau-{b}-service-{i}", agency=agency.id, name=name, source=source))
    registry.where = lambda record_id, *subpath: ("bench.yaml", 1)
    return registry


def best_of(rounds: int, work) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(rounds):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def measure(bureaus: int, rounds: int) -> dict:
    registry = synthetic(bureaus)
    services = registry.of("service")
    baseline_s, _ = best_of(rounds, lambda: [name_keys(s.name) for s in services])
    match_s, matters = best_of(rounds, lambda: match_matters(registry))
    gaps_s, gaps = best_of(rounds, lambda: list(find_missing_vs_peers(registry, matters)))
    return {
        "bureaus": bureaus,
        "records": len(services),
        "matters": len(matters),
        "gaps": len(gaps),
        "baseline_s": round(baseline_s, 3),
        "match_s": round(match_s, 3),
        "gaps_s": round(gaps_s, 3),
        "match_ratio": round(match_s / baseline_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bureaus", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = []
    load_before = os.getloadavg()
    for bureaus in args.bureaus:
        rows.append(measure(bureaus, args.rounds))
        print(rows[-1], flush=True)
    result = {"rows": rows, "load_before": load_before, "load_after": os.getloadavg(), "cpus": os.cpu_count()}
    out = HERE / "results" / "matters.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"load average before {load_before}, after {result['load_after']}")


if __name__ == "__main__":
    main()
