"""The SQLite database built from the registry."""

import json

import pytest
import sqlite_utils

from qingdan.db import CHILD_TABLES, build_database, column_plan, schema
from qingdan.matter_tables import MATTER_FOREIGN_KEYS
from qingdan.models import Power
from qingdan.search import fts_query, index_text
from qingdan.validate import validate

from .conftest import MINI


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "qingdan.db"
    build_database(
        validate(MINI), path, site_url="http://127.0.0.1:8000/", stamp={"version": "abc123", "date": "2026-11-23"}
    )
    return sqlite_utils.Database(path)


def test_one_table_per_record_kind_with_primary_keys(db):
    for table in (
        "agencies",
        "units",
        "persons",
        "posts",
        "memberships",
        "duties",
        "work_items",
        "boundaries",
        "powers",
        "services",
        "flows",
        "flow_templates",
        "supervision_rules",
        "tasks",
        "self_checks",
        "documents",
        "code_schemes",
    ):
        assert db[table].pks == ["id"], table
        assert db[table].count > 0, table


def test_every_model_field_has_a_column_or_a_child_table(db):
    columns = {c.name for c in db["powers"].columns}
    for name, _, nested, is_list, _ in column_plan(Power):
        if nested is not None and is_list:
            table = CHILD_TABLES[name]
            assert "power" in db[table].columns_dict, (name, table)
        elif nested is not None:
            assert any(c.startswith(f"{name}_") for c in columns), name
        else:
            assert name in columns, name
    assert {"source_document", "source_locator", "source_line"} <= columns


def test_foreign_keys_hold(db):
    assert db.execute("pragma foreign_key_check").fetchall() == []
    fks = {(fk.column, fk.other_table) for fk in db["powers"].foreign_keys}
    assert ("agency", "agencies") in fks and ("source_document", "documents") in fks
    assert ("boundary", "boundaries") in {(fk.column, fk.other_table) for fk in db["boundary_parties"].foreign_keys}
    declared = {(fk.table, fk.column, fk.other_table, fk.other_column) for t in db.tables for fk in t.foreign_keys}
    assert declared == set(schema().foreign_keys) | MATTER_FOREIGN_KEYS  # every key the models imply, and no other


def test_child_rows_point_to_their_parent(db):
    rows = list(
        db.query("select raw, agency from boundary_parties where boundary = 'demo-boundary-1' order by position")
    )
    assert [r["raw"] for r in rows] == ["县医保局", "县民政局", "某合作社"]
    assert rows[2]["agency"] is None


def test_page_urls_are_absolute_with_a_site_url(db):
    power = db["powers"].get("demo-power-b1")
    assert power["page_url"] == "http://127.0.0.1:8000/guides/demo-power-b1/"
    post = db["posts"].get("demo-post-1")
    assert post["page_url"] == "http://127.0.0.1:8000/agencies/demo-ybj/#demo-post-1"


def test_parsed_code_columns(db):
    power = db["powers"].get("demo-power-b1")
    assert (power["code_category"], power["code_item"], power["code_region"]) == ("B", "001", "140423")


def test_findings_and_builds(db):
    codes = {r["code"] for r in db.query("select code from quality_findings")}
    assert {"duplicate_code", "phone_without_area_code", "source_truncated"} <= codes
    dup = next(db.query("select records from quality_findings where code = 'duplicate_code'"))
    assert json.loads(dup["records"]) == ["demo-power-b1", "demo-power-b1-second"]
    build = next(db.query("select * from builds"))
    assert build["version"] == "abc123" and build["findings"] == 14


def test_legal_bases_are_deduplicated(db):
    assert [r["doc_number"] for r in db.query("select doc_number from legal_bases where doc_number is not null")] == [
        "琼府办〔2016〕299号"
    ]


def test_views_join_names(db):
    row = next(db.query("select * from work_items_view where id = 'demo-duty-1-wi-1'"))
    assert row["agency_name"] == "襄垣县医疗保障局" and row["delegation"] == "not_delegated"


@pytest.mark.parametrize("query,expected", [("救助", "医疗救助"), ("医疗救助", "医疗救助"), ("备案", "异地就医备案")])
def test_two_character_words_are_found_inside_compounds(db, query, expected):
    titles = [
        r["title"]
        for r in db.query(
            "select s.title from search_index_fts join search_index s on s.rowid = search_index_fts.rowid "
            "where search_index_fts match ? order by bm25(search_index_fts)",
            [fts_query(query)],
        )
    ]
    assert any(expected in t for t in titles), titles


def test_query_segmentation_is_safe_and_matches_the_index():
    assert fts_query('"; drop table powers; --') == '"drop" OR "table" OR "powers"'
    assert "两病" in index_text("负责“两病”健康管理").split()
    assert fts_query("") == '""'


def test_failed_build_keeps_the_last_good_database(tmp_path, monkeypatch):
    path = tmp_path / "qingdan.db"
    build_database(validate(MINI), path, stamp={"version": "good"})
    import qingdan.db as dbmod

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(dbmod, "_write_search", explode)
    with pytest.raises(RuntimeError):
        build_database(validate(MINI), path, stamp={"version": "bad"})
    assert next(sqlite_utils.Database(path).query("select version from builds"))["version"] == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["qingdan.db"]


def test_powers_and_services_carry_their_national_matter_and_level_codes(tmp_path):
    """事项类型代码 from the category (GB/T 39046-2020 A.1), 行使层级代码 from the levels (A.2), as pages show them."""
    from qingdan.kinds import LEVEL_CODES, matter_of

    report = validate(MINI)
    build_database(report, tmp_path / "q.db")
    db = sqlite_utils.Database(tmp_path / "q.db")
    registry = report.registry
    for kind, table in (("power", "powers"), ("service", "services")):
        rows = {row["id"]: row for row in db[table].rows}
        assert rows and all(rows[r.id]["matter_type_code"] == matter_of(r).code for r in registry.of(kind))
    penalties = [row for row in db["powers"].rows if row["category"] == "行政处罚"]
    assert penalties and {row["matter_type_code"] for row in penalties} == {"02"}
    for service in registry.of("service"):
        expected = ",".join(LEVEL_CODES[level][0] for level in service.levels if level in LEVEL_CODES) or None
        assert db["services"].get(service.id)["level_codes"] == expected
