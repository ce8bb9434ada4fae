"""Benchmark: which lever makes `who_handles` fast (not a test).

Runs variants of the search query straight through sqlite3 (no HTTP, one at a time) on a
database built by `bench_datasette.py --db FILE`, question by question, the variants
interleaved so that the machine's load hits them alike; prints median and p99 per variant
and writes benchmarks/results/search_levers.json.

    python benchmarks/bench_datasette.py --powers 100000 --db /tmp/q100k.db   # once
    python benchmarks/bench_search_levers.py /tmp/q100k.db [--questions 60]

`--questions N` asks every Nth-spread subset of N questions: the variants that rank every match
take seconds a question at 1,000,000 records.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import time
from pathlib import Path

import yaml
from bench_datasette import BASELINE_SQL, QUESTIONS, RESULTS

from qingdan.search import fts_query, load_segmenter, rank_key, snippet
from qingdan.settings import settings


def _window(mode: str, size: int) -> str:
    return (
        "rowid <= (select ifnull(max(rowid), 0) from (select rowid from search_index_fts "
        f"where search_index_fts match qingdan_fts_query(:q, '', '{mode}') limit {size}))"
    )


def variants() -> dict[str, str]:
    final = yaml.safe_load((settings().datasette_config / "metadata.yml").read_text(encoding="utf-8"))
    return {
        "baseline: any word, every match ranked": BASELINE_SQL,
        "every word first, every match ranked": (
            "select rowid, rank from search_index_fts where search_index_fts match qingdan_fts_query(:q, '', 'all') "
            "order by rank limit 50"
        ),
        "any word, first 1,000 matches ranked": (
            "select rowid, rank from search_index_fts where search_index_fts match qingdan_fts_query(:q, '', 'any') "
            f"and {_window('any', 1000)} order by rank limit 50"
        ),
        "every word, first 1,000 matches ranked": (
            "select rowid, rank from search_index_fts where search_index_fts match qingdan_fts_query(:q, '', 'all') "
            f"and {_window('all', 1000)} order by rank limit 50"
        ),
        "first 100 matches, no bm25 (no ranking)": (
            "select rowid from search_index_fts where search_index_fts match qingdan_fts_query(:q, '', 'all') limit 100"
        ),
        "who_handles as served": final["databases"]["qingdan"]["queries"]["who_handles"]["sql"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--questions", type=int, default=len(QUESTIONS))
    args = parser.parse_args()
    questions = QUESTIONS[:: max(1, len(QUESTIONS) // args.questions)][: args.questions]
    load_segmenter()
    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    for arguments in (1, 2, 3):
        conn.create_function("qingdan_fts_query", arguments, fts_query, deterministic=True)
    conn.create_function("qingdan_snippet", -1, snippet, deterministic=True)
    conn.create_function("qingdan_rank_key", -1, rank_key, deterministic=True)
    times: dict[str, list[float]] = {name: [] for name in variants()}
    load_before = os.getloadavg()
    for question in questions:
        for name, sql in variants().items():
            start = time.perf_counter()
            conn.execute(sql, {"q": question, "region": ""}).fetchall()
            times[name].append((time.perf_counter() - start) * 1000)
    result = {
        "db": str(args.db),
        "records": conn.execute("select count(*) from search_index").fetchone()[0],
        "questions": len(questions),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "variants": {
            name: {
                "median_ms": round(statistics.median(ms), 1),
                "p99_ms": round(sorted(ms)[min(len(ms) - 1, int(len(ms) * 0.99))], 1),
            }
            for name, ms in times.items()
        },
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "search_levers.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
