"""Benchmark: the bounded YAML loader against PyYAML's C loader on the same files.

    .venv/bin/python benchmarks/bench_loader.py              # the registry, 20 rounds
    .venv/bin/python benchmarks/bench_loader.py --copies 20  # the registry's files 20 times over

`qingdan.yamlload.load_yaml` reads the C parser's events and builds values and the line map
itself, within limits (no tags, bounded aliases and depth, no control characters). The
baselines, in the same run: `yaml.load(CSafeLoader)` (values, no lines, no limits) and
`yaml.compose(CSafeLoader)` (nodes only). Best of N rounds; figures go to
benchmarks/results/loader.json and stdout, with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

from qingdan.yamlload import load_yaml


def best_of(rounds: int, texts: list[str], load) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for text in texts:
            load(text)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args()
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "registry").rglob("*.yaml"))] * args.copies
    size = sum(len(t.encode()) for t in texts)
    figures = {
        "files": len(texts),
        "bytes": size,
        "load_average": os.getloadavg(),
        "qingdan load_yaml": best_of(args.rounds, texts, load_yaml),
        "yaml.load CSafeLoader": best_of(args.rounds, texts, lambda t: yaml.load(t, Loader=yaml.CSafeLoader)),
        "yaml.compose CSafeLoader": best_of(args.rounds, texts, lambda t: yaml.compose(t, Loader=yaml.CSafeLoader)),
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "loader.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    base = figures["yaml.load CSafeLoader"]
    print(f"{len(texts)} files, {size / 1e6:.1f} MB, load average {figures['load_average'][0]:.2f}")
    for name in ("qingdan load_yaml", "yaml.load CSafeLoader", "yaml.compose CSafeLoader"):
        print(f"{name:26} {figures[name] * 1000:8.1f} ms  {figures[name] / base:5.2f}× yaml.load")


if __name__ == "__main__":
    main()
