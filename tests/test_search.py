"""Search: no cold start, answers that explain themselves, every kind of record findable."""

import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

from qingdan.datasette_setup import metadata, write_metadata
from qingdan.db import build_database
from qingdan.validate import validate

from .conftest import MINI, public_datasette

QUESTIONS = Path(__file__).parent / "data" / "who_handles_questions.yaml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_first_question_after_start_is_answered_within_a_tight_time_limit(seed_db, tmp_path):
    """The segmenter loads at startup, not inside the first query's SQL time limit."""
    from qingdan.datasette_setup import datasette_args

    port = _free_port()
    args = datasette_args(seed_db, write_metadata(tmp_path / "metadata.json"), port=port)
    args[args.index("sql_time_limit_ms") + 1] = "200"
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/qingdan"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "Datasette did not start"
                time.sleep(0.1)
        response = httpx.get(f"{base}/who_handles.json", params={"q": "异地就医备案", "_shape": "objects"}, timeout=30)
        assert response.status_code == 200, response.text[:300]
        assert any("异地就医" in row["title"] for row in response.json()["rows"][:3])
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")  # read only: one instance for the module
def ds(seed_db):
    return public_datasette(seed_db)


async def who_handles(ds, q, region=None):
    params = {"q": q, "_shape": "objects", **({"region": region} if region else {})}
    response = await ds.client.get("/qingdan/who_handles.json", params=params)
    assert response.status_code == 200, response.text
    return response.json()["rows"]


@pytest.mark.slow
async def test_questions_in_peoples_words_find_the_right_record_in_the_top_three(ds):
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    assert len(questions) >= 40 and {q["who"] for q in questions} == {"citizen", "staff"}
    missed = []
    for question in questions:
        rows = await who_handles(ds, question["q"], question.get("region"))
        top = [r["record_id"] for r in rows[:3]]
        if not set(top) & set(question["expect"]):
            missed.append((question["q"], top))
    assert len(missed) <= len(questions) * 0.05, missed


@pytest.mark.slow
async def test_past_20000_records_the_cheap_ranking_still_finds_most_answers(seed_db):
    """Past 20,000 records who_handles ranks the first 100 matches by where the words are, not by
    bm25 (see metadata.yml); forced on the seed, it finds fewer answers in the top 3 (41 of 50 when
    written), and this keeps it from getting worse unnoticed."""
    meta = metadata()
    query = meta["databases"]["qingdan"]["queries"]["who_handles"]
    assert "<= 20000 as small" in query["sql"]
    query["sql"] = query["sql"].replace("<= 20000 as small", "<= 0 as small")
    at_scale = public_datasette(seed_db, meta, sql_time_limit_ms=5000)  # a quality check, not a timing one
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    found = 0
    for question in questions:
        rows = await who_handles(at_scale, question["q"], question.get("region"))
        found += bool({r["record_id"] for r in rows[:3]} & set(question["expect"]))
    assert found >= len(questions) * 0.8, found


async def test_each_answer_shows_the_text_that_matched(ds):
    rows = await who_handles(ds, "失地农民")
    top = rows[0]
    assert top["record_id"] == "460202-ybj-boundary-5" and "失地农民" not in top["title"]
    assert top["snippet"] == "各村（居）委会：负责失地农民人员名单收集及核对，确保名单信息的准确性。"
    party = await who_handles(ds, "党费")
    assert "党费收缴" in party[0]["snippet"] and party[0]["kind"] in ("post", "work_item")
    assert all(r["snippet"] for r in rows)


async def test_tasks_self_checks_agencies_units_channels_and_phones_are_searched(ds):
    async def kinds(q):
        return {(r["kind"], r["record_id"]) for r in (await who_handles(ds, q))[:3]}

    assert ("task", "510700-ybj-task-7") in await kinds("好差评")
    assert ("self_check", "510700-ybj-check-10") in await kinds("四川医保")
    assert ("agency", "140423-ybj") in await kinds("襄垣县医保局")
    assert ("unit", "140423-ybj-jjjgg") in await kinds("基金监管股")
    phone = await who_handles(ds, "0355-7794580")
    has_number = ["0355-7794580" in (r["phones"] or "") for r in phone]
    assert has_number[0] and has_number == sorted(has_number, reverse=True) and sum(has_number) == 6
    assert "0355-7794580" in phone[0]["snippet"]


async def test_channels_are_searched(tmp_path):
    db = build_database(validate(MINI), tmp_path / "qingdan.db")
    mini = public_datasette(db)
    rows = await who_handles(mini, "待遇股窗口在哪")
    assert rows[0]["record_id"] == "demo-service-1" and rows[0]["snippet"] == "待遇股窗口"


async def test_places_are_searched_and_the_region_filter_keeps_one_region(ds):
    place = await who_handles(ds, "长治")
    assert place and all(r["place"] and "长治市" in r["place"] for r in place)
    everywhere = await who_handles(ds, "医疗救助")
    assert {r["agency_name"] for r in everywhere} > {"襄垣县医疗保障局"}
    for region in ("长治", "长治市", "1404", "140423", "山西"):
        rows = await who_handles(ds, "医疗救助", region)
        assert rows and all("襄垣县" in r["place"] for r in rows), region
    assert await who_handles(ds, "医疗救助", "没有这个地方") == []
    assert await who_handles(ds, "医疗救助", "4108") == []  # 焦作: no record there


def test_rank_key_counts_title_hits_then_weighs_where_each_word_is():
    from qingdan.search import TITLE_HITS, rank_key

    # jieba's words: 备案 in the title (a hit, 5), 异地 and 就医 only in the units (2 each), 医疗 and 救助
    # only in the body (1 each), 稽核 nowhere.
    key = rank_key("备案 异地就医 医疗救助 稽核", "门诊备案", "符合医疗救助条件", "异地就医科", None, None, None)
    assert divmod(key, TITLE_HITS) == (1, 5 + 2 * 2 + 1 * 2)
    # A word's short form counts as the word (医保 → 医疗保障), letters match whatever their case.
    assert divmod(rank_key("医保 PDF", "医疗保障局材料（pdf）", "", None), TITLE_HITS) == (2, 10)
    assert rank_key("", "门诊备案", "") == 0
