"""A 办事指南 as bureaus publish it: processes by channel, contacts, levels, document links, and the
defects such a guide carries (tests/fixtures/guide is a 城乡居民参保登记 guide in that shape)."""

import shutil
from pathlib import Path

import pytest
import sqlite_utils

from qingdan.db import build_database
from qingdan.guide_findings import days_of, ends_mid_sentence, split_words
from qingdan.registry import load_registry
from qingdan.spreadsheet import import_workbook, write_template
from qingdan.validate import validate

GUIDE = Path(__file__).parent / "fixtures" / "guide"
GUIDE_YAML = Path("demo-city") / "guide.yaml"
NEW_CODES = (
    "no_legal_basis",
    "vague_contact",
    "conflicting_time_limit",
    "split_word",
    "truncated",
    "unresolved_handler",
    "issuer_not_named",
)


@pytest.fixture
def guide(tmp_path) -> Path:
    target = tmp_path / "guide"
    shutil.copytree(GUIDE, target)
    return target


def fix(registry: Path, file: str, old: str, new: str) -> None:
    path = registry / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def by_code(report) -> dict[str, list]:
    found: dict[str, list] = {}
    for problem in report.findings:
        found.setdefault(problem.code, []).append((problem.record, problem.field))
    return found


def test_the_guide_fits_the_model():
    report = validate(GUIDE)
    assert report.errors == []
    service = report.registry.get("demo-city-cbdj")
    assert [p.channel for p in service.processes] == ["window", "online", "mobile", "mobile"]
    assert service.processes[2].platform == "医保App" and service.processes[1].steps[-1] == "1个工作日内办结"
    assert service.levels == ["city", "county", "township"] and service.levels_raw == "市级、县级、乡镇（街道）"
    assert {c.kind for c in service.contacts} >= {"petition_mailbox", "director_mailbox", "rating", "opening_hours"}
    assert [p.kind for p in service.phones] == ["consulting", "hotline"]
    doc = report.registry.get("doc-guide")
    assert doc.url.startswith("https://") and doc.issuer_inferred
    assert doc.related[0].doc_number == "川医保发〔2019〕31号" and doc.related[0].relation == "implements"


def test_each_defect_of_the_guide_is_a_finding():
    found = by_code(validate(GUIDE))
    assert found["no_legal_basis"] == [("demo-city-cbdj", "services[0].legal_bases")]
    assert sorted(found["vague_contact"]) == [
        ("demo-city-cbdj", "services[0].phones[0].number"),
        ("demo-city-cbdj", "services[0].place"),
    ]
    assert sorted(found["conflicting_time_limit"]) == [
        ("demo-city-cbdj", "services[0].processes[1]"),
        ("demo-city-cbdj", "services[0].processes[2]"),
    ]  # 即时办结 against 1个工作日内办结 online and in the app; the mini-program agrees
    assert sorted(found["split_word"]) == [
        ("demo-city-cbdj", "services[0].applicants"),
        ("demo-city-cbdj", "services[0].contacts[3].value"),
    ]
    assert sorted(found["truncated"]) == [
        ("demo-city-cbdj", "services[0].contacts[3].value"),
        ("doc-guide", "documents[0].file"),
    ]
    assert found["unresolved_handler"] == [("demo-city-cbdj", "services[0].handling[0]")]
    assert found["issuer_not_named"] == [("doc-guide", "documents[0].issuer")]


def test_a_clean_guide_gives_none_of_these_findings(guide):
    fix(guide, GUIDE_YAML, "    legal_bases: []", "    legal_bases:\n      - {title: 中华人民共和国社会保险法}")
    fix(guide, GUIDE_YAML, "place: 各地向社会公布的经办服务大厅", "place: 示例市人民路1号政务服务中心二楼")
    fix(guide, GUIDE_YAML, "{number: 各地医疗保障局官网公示电话, kind: consulting}", '{number: "0816-2306321"}')
    fix(guide, GUIDE_YAML, "time_limit: 即时办结\n    fees", "time_limit: 1个工作日\n    fees")
    fix(guide, GUIDE_YAML, "永久居留 证", "永久居留证")
    fix(guide, GUIDE_YAML, "对城 乡居民医疗保,", "对城乡居民医疗保障服务进行评价。,")
    fix(guide, GUIDE_YAML, "      - {raw: 医保经办机构}", "      - {agency: demo-city-ybj, raw: 市医疗保障局}")
    fix(guide, GUIDE_YAML, "    issuer_inferred: true\n", "")
    fix(guide, "sources/guide.txt", "永久居留 证", "永久居留证")
    fix(guide, "sources/guide.txt", "对城 乡居民医疗保\n", "对城乡居民医疗保障服务进行评价。\n示例市医疗保障局\n")
    report = validate(guide)
    assert report.errors == []
    assert not set(by_code(report)) & set(NEW_CODES), [p.format() for p in report.findings]


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("即时办结", 0),
        ("1个工作日内办结", 1),
        ("十五个工作日", 15),
        ("２０日", 20),
        ("二十个工作日", 20),
        ("不收费", None),
    ],
)
def test_time_limits_are_read_in_days(text, days):
    assert days_of(text) == days


def test_split_words_need_a_word_across_the_gap():
    assert list(split_words("医疗保 障")) == [("医疗保 障", "医疗保障")]
    assert list(split_words("城乡居民 医疗保险")) == []  # a space between two words is no broken word
    assert list(split_words("体 系建设")) == [("体 系", "体系")]


def test_a_sentence_cut_off_is_told_from_a_heading_or_a_table_row():
    assert ends_mid_sentence("办事群众可通过政务服务网“好差评”系统对城乡居民医疗保")
    assert not ends_mid_sentence("零星报销基金结算流程图")  # a chart title
    assert not ends_mid_sentence("打造医疗保障系统行风建设品牌。\t长期")  # a row whose last cell is short
    assert not ends_mid_sentence("监督电话：0355-7222180")


def test_the_seed_notice_links_the_provincial_notice_it_implements(seed_db):
    rows = list(sqlite_utils.Database(seed_db)["document_links"].rows)
    assert {(r["document"], r["relation"], r["doc_number"]) for r in rows} >= {
        ("doc-002", "implements", "川医保发〔2019〕31号")
    }


def test_seed_000s_broken_words_are_reported(seed_report):
    split = {(p.record, p.message_zh.split("”")[0][1:]) for p in seed_report.findings if p.code == "split_word"}
    assert ("370406-ybj-post-5-wi-6", "保 险制度") in split and ("370406-ybj-post-5-wi-2", "体 系") in split


def test_the_guide_round_trips_through_the_workbook_and_the_database(guide, tmp_path):
    before = load_registry(guide)
    book = write_template(guide, "demo-city-ybj", tmp_path / "guide.xlsx")
    result = import_workbook(guide, book)
    assert result.ok, [e.format() for e in result.errors]
    after = load_registry(guide)
    for record_id in ("demo-city-cbdj", "doc-guide", "demo-city-ybj"):
        assert after.get(record_id).model_dump() == before.get(record_id).model_dump(), record_id

    db_path = build_database(validate(guide), tmp_path / "guide.db")
    db = sqlite_utils.Database(db_path)
    processes = list(db["processes"].rows_where(order_by="position"))
    assert [(p["service"], p["name"], p["platform"]) for p in processes][1] == (
        "demo-city-cbdj",
        "网上办理（政务服务网）",
        "政务服务网",
    )
    assert {c["kind"] for c in db["contacts"].rows} >= {"rating", "director_mailbox"}
