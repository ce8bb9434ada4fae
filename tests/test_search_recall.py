"""Site search (Pagefind, in Chromium) finds what the database's full-text search finds.

For each query, the database's answers are the records of `search_index_fts` that hold every
word of the query (`qingdan.search.query_tokens`; a short form such as 医保 counts when one of its
full terms is there). The site's answers are what the search box's own code finds
(`window.qingdanFind` in content/javascripts/search.js), on the site built from the seed registry.
Recall over all queries must be at least 95%.
"""

from __future__ import annotations

import sqlite3

import pytest

from qingdan.db import build_database
from qingdan.search import ABBREVIATIONS, query_tokens

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUERIES = [
    "保险",
    "医保",
    "救助",
    "两病",
    "稽核",
    "参保登记",
    "异地就医",
    "异地就医备案",
    "医疗救助",
    "门诊",
    "慢特病",
    "生育",
    "报销",
    "备案",
    "结算",
    "定点",
    "基金",
    "监督检查",
    "行政处罚",
    "待遇",
    "长期护理",
    "职工",
    "城乡居民",
    "个人账户",
    "药品",
    "价格",
    "招标采购",
    "投诉",
    "举报",
    "转移接续",
    "缴费",
    "社保卡",
    "看病",
    "医保局",
    "信息变更",
    "医疗保障基金",
]


def database_answers(db: sqlite3.Connection, query: str) -> set[str]:
    """Pages of the records holding every word of the query (a word or one of its full terms)."""
    tokens = query_tokens(query)
    expansions = {full for token in tokens for full in ABBREVIATIONS.get(token, ())}
    words = [t for t in tokens if t not in expansions or t in query]
    match = " AND ".join(
        "(" + " OR ".join(f'"{w}"' for w in [word, *ABBREVIATIONS.get(word, ())]) + ")" for word in words
    )
    rows = db.execute(
        "select s.page_url from search_index_fts f join search_index s on s.rowid = f.rowid "
        "where search_index_fts match ? and s.page_url is not null",
        [match],
    )
    return {url for (url,) in rows}


def test_site_search_recall_against_the_database(seed_site, new_page, tmp_path):
    db = sqlite3.connect(build_database(seed_site.report, tmp_path / "qingdan.db"))
    page = new_page("desktop")
    page.goto(seed_site.url)
    page.wait_for_function("() => typeof window.qingdanFind === 'function'")
    expected_total = found_total = 0
    misses = {}
    for query in QUERIES:
        expected = database_answers(db, query)
        found = set(page.evaluate("q => window.qingdanFind(q)", query))
        expected_total += len(expected)
        found_total += len(expected & found)
        if expected - found:
            misses[query] = sorted(expected - found)[:5]
    assert expected_total > 300, "the queries should have many answers in the seed registry"
    recall = found_total / expected_total
    print(f"site search recall: {recall:.1%} of {expected_total} database answers to {len(QUERIES)} queries")
    assert recall >= 0.95, f"recall {recall:.1%}; missed: {misses}"
