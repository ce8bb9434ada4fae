"""A list printed in traditional characters is found by a query in simplified ones, in the database's
search and in the site's, and is shown as printed."""

from __future__ import annotations

import sqlite3

import pytest

from qingdan.db import build_database, search_documents
from qingdan.search import fts_query, simplified
from qingdan.site.search_index import group_pages, indexed_text, query_words, registry_records
from qingdan.validate import validate

from .conftest import edit, public_datasette

TRADITIONAL = "對騙取醫療保障基金行為的處罰"
UNIT = "基金監管股（立案）"


@pytest.fixture
def traditional(mini):
    """The mini registry with one power's name and handling unit printed in traditional characters."""
    edit(mini, "    name: 对骗取医疗保障基金行为的处罚", f"    name: {TRADITIONAL}")
    edit(mini, "raw: 基金监管股（立案）", f"raw: {UNIT}")
    report = validate(mini)
    assert report.ok
    return report


def test_simplified_converts_only_what_differs():
    assert simplified("行政權力名稱：醫療保障") == "行政权力名称：医疗保障"
    assert simplified("对骗取医疗保障基金行为的处罚") is None
    assert simplified("") is None and simplified(None) is None


def test_search_documents_keep_the_text_as_printed_with_its_simplified_form(traditional):
    docs = {doc["id"]: doc for doc in search_documents(traditional.registry)}
    power = docs["power:demo-power-b1"]
    assert power["title"] == TRADITIONAL
    assert power["simplified"] == {"title": "对骗取医疗保障基金行为的处罚"}
    other = docs["power:demo-power-b1-second"]
    assert other["units"] == UNIT and other["simplified"] == {"units": "基金监管股（立案）"}
    assert docs["service:demo-service-1"]["simplified"] == {}  # printed in simplified characters


def test_the_database_finds_traditional_text_by_a_simplified_query(traditional, tmp_path):
    path = build_database(traditional, tmp_path / "qingdan.db")
    db = sqlite3.connect(path)
    columns = [row[1] for row in db.execute("pragma table_info(search_index)")]
    assert "simplified" not in columns  # the table holds the text as printed

    def found(query: str, mode: str) -> list[str]:
        sql = (
            "select s.record_id, s.title from search_index_fts f join search_index s on s.rowid = f.rowid "
            "where search_index_fts match ? order by rank"
        )
        return [row for row in db.execute(sql, [fts_query(query, "", mode)])]

    for mode in ("all", "any"):
        assert ("demo-power-b1", TRADITIONAL) in found("骗取医疗保障基金", mode)  # simplified query
        assert ("demo-power-b1", TRADITIONAL) in found("騙取醫療保障基金", mode)  # as printed, still
    # the unit, in the column weighed as units: the record is found by the simplified name of its unit
    assert "demo-power-b1-second" in [r for r, _ in found("基金监管股立案", "all")]


async def test_who_handles_answers_with_the_text_as_printed(traditional, tmp_path):
    ds = public_datasette(build_database(traditional, tmp_path / "qingdan.db"))
    response = await ds.client.get("/qingdan/who_handles.json", params={"q": "骗取医疗", "_shape": "objects"})
    assert response.status_code == 200, response.text
    titles = {row["record_id"]: row["title"] for row in response.json()["rows"]}
    # found, shown as printed (ranked after the records whose printed title holds the query: who_handles
    # compares the query with the title as printed)
    assert titles["demo-power-b1"] == TRADITIONAL


def test_the_site_search_indexes_the_simplified_form(traditional):
    records = {record.path: record for record in registry_records(traditional.registry)}
    (record,) = [r for r in records.values() if r.title == TRADITIONAL]
    words = set(indexed_text(f"{record.title}\n{record.body}").split())
    assert set(query_words("骗取医疗保障基金")) <= words  # what search.js asks the index for
    assert set(query_words("騙取醫療保障")) <= words
    page = b"".join(group_pages([record])).decode()
    assert "骗取" in page and TRADITIONAL in page  # indexed word; the heading shown as printed
