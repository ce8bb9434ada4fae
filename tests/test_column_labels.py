"""Datasette's column headings: each column's Chinese label (from the models, datasette_setup.column_labels)
above its key, on table and row pages."""

import re
import sqlite3

import pytest

from qingdan.datasette_setup import column_labels, metadata

from .conftest import SEED_DB_SITE_URL, public_datasette

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def ds(seed_db):
    return public_datasette(seed_db, metadata(SEED_DB_SITE_URL))


def test_every_column_of_the_database_has_a_chinese_label(seed_db):
    labels = column_labels()
    with sqlite3.connect(seed_db) as db:
        tables = [
            name
            for (name,) in db.execute("select name from sqlite_master where type = 'table'")
            if not name.startswith("sqlite_") and "_fts" not in name
        ]
        missing = []
        for table in tables:
            for column in (row[1] for row in db.execute(f"pragma table_info([{table}])")):
                label = labels.get(table, {}).get(column)
                if not label or not (HAN.search(label) or label in ("ID", "SHA-256")):
                    missing.append(f"{table}.{column}")
    assert len(tables) > 20 and missing == []
    assert labels["powers"]["name"] == "职权名称" and labels["powers"]["source_line"] == "来源行"
    assert metadata()["databases"]["qingdan"]["tables"]["powers"]["qingdan_labels"] == labels["powers"]


async def test_the_table_page_shows_each_label_above_its_key(ds):
    response = await ds.client.get("/qingdan/powers")
    assert response.status_code == 200
    html = response.text
    headings = re.findall(r"<th [^>]*data-column=\"([^\"]+)\"[^>]*>(.*?)</th>", html, flags=re.S)
    assert len(headings) > 10
    labels = column_labels()["powers"]
    for column, cell in headings:
        if column == "rowid":
            continue
        shown = re.sub(r"\s+", " ", cell).strip()
        label, _, rest = shown.partition("<br>")
        assert label == f'<span class="qd-column-label">{labels[column]}</span>', shown
        assert re.sub(r"<[^>]+>|&nbsp;|[▲▼]", "", rest).strip() == column  # the key, below
    assert "按 职权名称（name） 排序" in html


async def test_a_row_page_labels_its_columns_too(ds):
    with sqlite3.connect(ds.databases["qingdan"].path) as db:
        (record_id,) = db.execute("select id from agencies limit 1").fetchone()
    response = await ds.client.get(f"/qingdan/agencies/{record_id}")
    assert response.status_code == 200
    assert '<span class="qd-column-label">来源文件</span><br>' in response.text
