"""The Datasette instance, through its in-process client, on the seed registry."""

import pytest

from qingdan.datasette_setup import metadata
from qingdan.models import KIND
from qingdan.settings import settings

from .conftest import public_datasette


@pytest.fixture(scope="module")
def db_path(seed_db):
    return seed_db


@pytest.fixture(scope="module")  # read only: one instance for the module
def ds(db_path):
    return public_datasette(db_path)


async def canned(ds, name, **params):
    response = await ds.client.get(f"/qingdan/{name}.json", params={**params, "_shape": "objects"})
    assert response.status_code == 200, response.text
    return response.json()["rows"]


@pytest.mark.parametrize(
    "q,kind,words",
    [
        ("异地就医备案", "work_item", "异地就医备案"),
        ("医疗救助", None, "医疗救助"),
        ("两病", "work_item", "两病"),
        ("稽核", "power", "稽核"),
        ("因私出国", "flow", "因私出国"),
    ],
)
async def test_who_handles_finds_the_right_items_first(ds, q, kind, words):
    rows = await canned(ds, "who_handles", q=q)
    assert rows, f"nothing for {q}"
    top = rows[:3]
    assert any(words in r["title"] and (kind is None or r["kind"] == kind) for r in top), top
    assert all(r["page_url"].startswith("http://127.0.0.1:8000/") for r in rows if r["page_url"])
    assert top[0]["agency_name"] and top[0]["kind_zh"] == KIND[top[0]["kind"]].zh


async def test_who_handles_knows_short_forms(ds):
    rows = await canned(ds, "who_handles", q="社保")
    assert sum("社会保险" in r["title"] for r in rows[:4]) >= 2


async def test_who_handles_in_a_persons_words(ds):
    rows = await canned(ds, "who_handles", q="我想办理异地就医的备案手续")
    assert "异地就医" in rows[0]["title"]


async def test_who_handles_gives_the_best_twenty(ds):
    """A broad question matches far more than a person reads: the best 20 come back, best first."""
    rows = await canned(ds, "who_handles", q="医疗保障")
    matching = await ds.client.get(
        "/qingdan/search_index.json", params={"_search": "医疗 保障", "_size": 0, "_shape": "objects"}
    )
    assert matching.json()["filtered_table_rows_count"] > 20
    assert len(rows) == 20
    assert all(r["snippet"] for r in rows)


async def test_power_by_code_and_reused_codes(ds):
    rows = await canned(ds, "power_by_code", code="3400-B-00500-140423")
    assert len(rows) == 5 and len({r["name"] for r in rows}) == 5
    reused = {r["code"]: r["powers"] for r in await canned(ds, "reused_codes")}
    assert reused["3400-B-00500-140423"] == 5 and reused["3400-J-00100-140423"] == 8


async def test_shared_matters(ds):
    rows = await canned(ds, "shared_matters")
    by_matter = {r["matter"]: r for r in rows}
    assert by_matter["涉嫌骗取医疗保障基金犯罪案件查处"]["parties"] == 4
    assert "衡水市公安局" in by_matter["涉嫌骗取医疗保障基金犯罪案件查处"]["division_of_duty"]
    assert all(r["parties"] > 1 for r in rows)


async def test_findings_and_not_delegated(ds):
    findings = await canned(ds, "findings")
    assert findings[0]["severity"] == "high"
    assert any(r["code"] == "duplicate_code" for r in findings)
    kept = await canned(ds, "not_delegated")
    assert any(r["work_item"] == "参保人异地就医备案" and r["kept_by"] == "三亚市医疗保障局" for r in kept)


async def test_table_search_gives_the_same_answers_as_who_handles(ds):
    response = await ds.client.get("/qingdan/search_index.json", params={"_search": "稽核", "_shape": "objects"})
    assert response.status_code == 200
    searched = {r["title"] for r in response.json()["rows"]}
    assert {r["title"] for r in await canned(ds, "who_handles", q="稽核")} == searched


async def test_arbitrary_sql_and_writes_are_refused(ds):
    assert (await ds.client.get("/qingdan.json", params={"sql": "select 1"})).status_code == 403
    write = await ds.client.post("/qingdan/-/create", json={"table": "x", "row": {"a": 1}})
    assert write.status_code in (403, 404, 405)
    assert ds.databases["qingdan"].is_mutable is False


async def test_robots_are_kept_out(ds):
    response = await ds.client.get("/robots.txt")
    assert response.status_code == 200 and "Disallow: /" in response.text


async def test_metadata_has_chinese_titles_and_model_descriptions(ds):
    response = await ds.client.get("/qingdan/powers.json", params={"_extra": "metadata"})
    meta = metadata()["databases"]["qingdan"]["tables"]
    assert meta["powers"]["title"] == "行政职权"
    assert meta["powers"]["columns"]["code"] == "职权编码 exactly as printed"
    assert response.status_code == 200


async def test_configured_facets_work_on_every_table(ds):
    tables = metadata()["databases"]["qingdan"]["tables"]
    faceted = {name: t["facets"] for name, t in tables.items() if t.get("facets")}
    assert {"powers", "services", "quality_findings", "agencies"} <= faceted.keys()
    for table, facets in faceted.items():
        response = await ds.client.get(f"/qingdan/{table}.json")
        assert response.status_code == 200, (table, response.text[:200])
        results = response.json()["facet_results"]
        names = {f if isinstance(f, str) else f["array"] for f in facets}
        assert names <= set(results), (table, names, set(results))
    services = (await ds.client.get("/qingdan/services.json")).json()
    assert {r["value"] for r in services["facet_results"]["levels"]["results"]} >= {"B", "C"}


def test_canned_queries_do_not_hide_tables():
    queries = metadata()["databases"]["qingdan"]["queries"]
    tables = metadata()["databases"]["qingdan"]["tables"]
    assert not set(queries) & set(tables), "a canned query would hide the table of the same name"


def test_seed_database_foreign_keys_hold(db_path):
    import sqlite3

    conn = sqlite3.connect(db_path)
    assert conn.execute("pragma foreign_key_check").fetchall() == []
    assert conn.execute("select count(*) from powers where page_url is null").fetchone() == (0,)


async def test_compare_puts_the_agencies_of_a_matter_side_by_side(ds):
    rows = await canned(ds, "compare", q="医疗救助")
    jiuzhu = [r for r in rows if r["matter"] == "医疗救助"]
    assert {r["agency_name"] for r in jiuzhu} == {"绵阳市医疗保障局", "襄垣县医疗保障局"}
    assert {r["kind"] for r in jiuzhu} == {"行政职权", "公共服务"}
    xiangyuan = next(r for r in jiuzhu if r["agency_name"] == "襄垣县医疗保障局")
    assert xiangyuan["code"] == "3400-F-00100-140423" and xiangyuan["materials"] == 9
    assert "类别与其他机构不同" in (xiangyuan["outliers"] or "")
    assert xiangyuan["evidence"] and xiangyuan["matter_page"].endswith("/")
    canbao = await canned(ds, "compare", q="参保申报")
    assert {r["name_as_printed"] for r in canbao if r["agencies"] == 2} >= {"城乡居民医疗保险参保登记"}
    assert await canned(ds, "compare", q="") == []


async def test_gaps_is_empty_where_no_agency_has_three_peers(ds):
    assert await canned(ds, "gaps", agency="襄垣县医疗保障局") == []


async def test_the_access_log_of_uvicorn_is_quiet_once_serving(db_path):
    """A line per answer was ~9 % of a replica's CPU; nginx logs every request anyway."""
    import logging

    access = logging.getLogger("uvicorn.access")
    before = access.level
    access.setLevel(logging.INFO)
    try:
        fresh = public_datasette(db_path)
        assert (await fresh.client.get("/-/versions.json")).status_code == 200
        assert not access.isEnabledFor(logging.INFO) and access.isEnabledFor(logging.WARNING)
    finally:
        access.setLevel(before)


def count_queries(ds) -> list[str]:
    """Every SQL statement the instance runs from now on, on any of its databases."""
    seen = []
    for database in ds.databases.values():

        def counting(sql, *args, _execute=database.execute, **kwargs):
            seen.append(sql)
            return _execute(sql, *args, **kwargs)

        database.execute = counting
    return seen


async def test_an_immutable_instance_reads_its_schemas_once(db_path, tmp_path):
    """Datasette checked every database's schema before every request (three SQL thread round trips,
    against one for the answer); immutable files cannot change, so the public instance reads them once."""
    fixed = public_datasette(db_path)
    assert (await fixed.client.get("/qingdan.json")).status_code == 200
    queries = count_queries(fixed)
    for _ in range(3):
        assert (await fixed.client.get("/qingdan/who_handles.json", params={"q": "备案"})).status_code == 200
    assert not [sql for sql in queries if "schema_version" in sql]
    assert len(queries) == 3  # the answers' own queries
    tables = (await fixed.client.get("/qingdan.json")).json()["tables"]
    assert "search_index" in {table["name"] for table in tables}  # the schema was read, once

    from datasette.app import Datasette

    copy = tmp_path / "qingdan.db"
    copy.write_bytes(db_path.read_bytes())
    mutable = Datasette([str(copy)], plugins_dir=str(settings().datasette_config / "plugins"))
    assert (await mutable.client.get("/qingdan.json")).status_code == 200
    queries = count_queries(mutable)
    assert (await mutable.client.get("/qingdan/powers.json")).status_code == 200
    assert [sql for sql in queries if "schema_version" in sql]  # a file that can change is still checked


async def test_no_csrf_token_is_made_for_a_cookie_less_read(db_path, monkeypatch):
    """A token was signed for every request without Datasette's cookie (~7 % of the CPU under load);
    this instance takes no POST, so reads without cookies skip it, with the same answers and headers."""
    import asgi_csrf

    made = []
    real = asgi_csrf.make_secret
    monkeypatch.setattr(asgi_csrf, "make_secret", lambda length: made.append(length) or real(length))
    fresh = public_datasette(db_path)
    first = await fresh.client.get("/qingdan/who_handles.json", params={"q": "异地就医备案"})
    made.clear()
    again = await fresh.client.get("/qingdan/who_handles.json", params={"q": "异地就医备案"})
    page = await fresh.client.get("/qingdan/who_handles", params={"q": "异地就医备案"})
    assert made == []
    assert again.json()["rows"] == first.json()["rows"] and first.json()["rows"]
    assert "content-security-policy" in again.headers and "x-content-type-options" in again.headers
    assert page.status_code == 200 and "异地就医" in page.text and "set-cookie" not in page.headers
    with_cookie = await fresh.client.get("/qingdan/who_handles.json", params={"q": "备案"}, cookies={"a": "b"})
    assert with_cookie.status_code == 200 and made  # requests with cookies take Datasette's usual way
    assert (await fresh.client.post("/qingdan/who_handles", data={"q": "备案"})).status_code == 405


async def test_tracing_still_works_on_cookie_less_reads(db_path):
    """Datasette's tracer sits outside its router: an instance with trace_debug keeps the usual way."""
    traced = public_datasette(db_path, trace_debug=True)
    for _ in range(2):
        response = await traced.client.get("/qingdan/who_handles.json", params={"q": "备案", "_trace": "1"})
        assert response.json()["_trace"]["traces"]
