"""Datasette's pages in Chinese (datasette_config/templates/), rendered on the seed database."""

import sqlite3

import pytest

from qingdan.datasette_setup import datasette_args, metadata
from qingdan.settings import settings

from .conftest import REGISTRY, SEED_DB_SITE_URL, public_datasette

SITE = SEED_DB_SITE_URL
# English strings of Datasette's own templates that the Chinese ones replace.
REPLACED = [
    "Powered by",
    "Custom SQL query",
    "Run SQL",
    "Query parameters",
    "This data as",
    "Next page",
    "Advanced export",
    "Links from other tables",
    "Data license",
    "Data source",
    "0 results",
    ">Apply<",
]


@pytest.fixture(scope="module")
def db_path(seed_db):
    return seed_db


@pytest.fixture(scope="module")  # read only: one instance for the module
def ds(db_path):
    return public_datasette(db_path, metadata(SITE))


def test_the_public_instance_uses_the_chinese_templates():
    args = datasette_args(REGISTRY / "x.db", REGISTRY / "m.json")
    assert args[args.index("--template-dir") + 1] == str(settings().datasette_config / "templates")


async def page(ds, path, **params):
    response = await ds.client.get(path, params=params)
    assert response.status_code == 200, (path, response.text[:300])
    html = response.text
    assert '<html lang="zh-CN">' in html and f'<a href="{SITE}">← 返回清单网站</a>' in html, path
    for english in REPLACED:
        assert english not in html, (path, english)
    return html


async def test_database_page_lists_queries_and_tables_by_chinese_title(ds):
    html = await page(ds, "/qingdan")
    assert "现成的查询" in html and "数据表" in html and "这件事谁来办？" in html
    assert ">行政职权</a> <small>powers</small>" in html
    assert "数据许可" in html and "数据库由" in html


async def test_canned_query_form_and_results(ds):
    form = await page(ds, "/qingdan/who_handles")
    assert "查询条件" in form and "要办的事（用自己的话说）" in form and 'value="查询"' in form
    results = await page(ds, "/qingdan/who_handles", q="异地就医备案")
    assert "返回" in results and "异地就医" in results and "数据格式：" in results
    # The browser tab names the question, not the query's SQL.
    assert "<title>这件事谁来办？ - qingdan</title>" in results and "<title>这件事谁来办？ - qingdan</title>" in form
    none = await page(ds, "/qingdan/power_by_code", code="0000-X-00000-000000")
    assert "没有找到结果。" in none


async def test_table_page(ds, db_path):
    html = await page(ds, "/qingdan/powers", _size="2")
    assert "<h1>行政职权" in html and "筛选" in html and "下一页" in html and "导出 CSV" in html
    # the browser tab names the table in Chinese, not by its SQL name
    count = sqlite3.connect(db_path).execute("select count(*) from powers").fetchone()[0]
    assert f"<title>行政职权（{count:,} 行） - qingdan</title>" in html
    assert " 行" in html and "倒序" in html


async def test_row_page_and_links_from_other_tables(ds, db_path):
    agency = sqlite3.connect(db_path).execute("select agency from powers limit 1").fetchone()[0]
    html = await page(ds, f"/qingdan/agencies/{agency}")
    assert f"机构：{agency}" in html and "其他表中引用这条记录的行" in html
    assert f"<title>机构：{agency} - qingdan</title>" in html


async def test_index_and_error_pages(ds):
    html = await page(ds, "/")
    assert "张表" in html and "<title>清单 · 权责清单查询</title>" in html
    missing = await ds.client.get("/qingdan/nosuchtable")
    assert missing.status_code == 404 and '<html lang="zh-CN">' in missing.text
