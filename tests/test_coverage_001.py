"""Coverage of source 001 (三亚市海棠区医疗保障局): everything the seed text holds is in the registry.

The expected items are parsed from the seed text itself (tab-separated table cells, one per
line), not copied by hand, so a record dropped from the YAML makes a test fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qingdan.validate import check

from .conftest import seed_path, seed_registry

HERE = Path(__file__).resolve()

SEED_NAME = "001_8867712424c57041.txt"
SEED = seed_path(SEED_NAME)
REGISTRY = HERE.parents[1] / "registry"
AGENCY = "460202-ybj"
DOC = "doc-001"


def squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


LINES = SEED.read_text(encoding="utf-8").splitlines()


def section(start: str, end: str | None) -> list[tuple[int, str]]:
    """(line number, line) of the lines between the heading `start` and the heading `end`."""
    first = next(i for i, line in enumerate(LINES) if line.strip().endswith(start))
    last = (
        len(LINES)
        if end is None
        else next(i for i, line in enumerate(LINES) if i > first and line.strip().endswith(end))
    )
    return [(i + 1, LINES[i]) for i in range(first + 1, last)]


def cells(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Table cells: one per line starting with a tab; a line without the tab that follows a
    filled cell (blank lines between allowed) continues that cell (a line-break artefact)."""
    out: list[list] = []
    previous_filled = False
    for number, line in lines:
        if line == "":
            continue  # a truly empty line: does not end a cell
        text = line.strip()
        if not text:  # an empty cell ("\t")
            previous_filled = False
            continue
        if not line.startswith("\t") and previous_filled and not text.isdigit():
            out[-1][1] += text
        else:
            out.append([number, text])
        previous_filled = True
    return [(n, t) for n, t in out]


DUTY_HEADERS = {"序号", "主要职责", "具体工作事项", "备注"}
REMARK = re.compile(r"未下放|协助市级")


def parse_duties():
    """[(seq, line, duty text, [(work item, remark or None)])] from 一、部门职责登记表."""
    duties = []
    expect_text = False
    for number, text in cells(section("一、部门职责登记表", "二、与相关部门的职责边界登记表")):
        if text in DUTY_HEADERS:
            continue
        if text.isdigit():
            duties.append([text, number, None, []])
            expect_text = True
        elif expect_text:
            duties[-1][2] = text
            expect_text = False
        elif REMARK.search(text):
            assert duties[-1][3] and duties[-1][3][-1][1] is None, f"remark without a work item: {text}"
            duties[-1][3][-1][1] = text
        else:
            duties[-1][3].append([text, None])
    return duties


BOUNDARY_HEADERS = {"序号", "管理事项", "相关部门", "职责分工", "相关依据", "案例"}


def looks_like_party(text: str) -> bool:
    return len(text) <= 12 and not re.search(r"[，。；、〔《]", text)


def parse_boundaries():
    """[(seq, matter, [(party, division)])] from 二、与相关部门的职责边界登记表."""
    matters = []
    state = None
    for _number, text in cells(section("二、与相关部门的职责边界登记表", "三、事中事后监管制度")):
        if text in BOUNDARY_HEADERS:
            continue
        if text.isdigit():
            matters.append([text, None, []])
            state = "seq"
        elif state == "seq":
            matters[-1][1] = text
            state = "matter"
        elif state == "party":
            matters[-1][2][-1][1] = text
            state = "division"
        elif state == "matter" or looks_like_party(text):
            matters[-1][2].append([text, None])
            state = "party"
        # else: a legal basis or a case cell
    return matters


def parse_services():
    """[(seq, name)] from the public-service table."""
    found = []
    table = cells(section("公共服务事项登记表", None))
    for i, (_number, text) in enumerate(table):
        if re.fullmatch(r"\d{1,3}", text) and i + 1 < len(table):  # a 序号, not the phone number
            found.append((text, table[i + 1][1]))
    return found


def parse_rule_titles():
    return [m.group(1) for line in LINES if (m := re.fullmatch(r"（职权名称：(.+)）", line.strip()))]


@pytest.fixture(scope="module")
def registry():
    return seed_registry()  # loaded once per session, read only


def mine(registry, kind):
    return [r for r in registry.of(kind) if r.source.document == DOC]


# --- the parser reads what the document holds -------------------------------------------


def test_parsed_counts():
    duties = parse_duties()
    assert [d[0] for d in duties] == [str(i) for i in range(1, 12)]
    assert all(d[2] for d in duties)
    assert sum(len(d[3]) for d in duties) == 37
    assert sum(1 for d in duties for _w, r in d[3] if r) == 7
    matters = parse_boundaries()
    assert [m[0] for m in matters] == ["1", "2", "3", "4", "5"]
    assert [len(m[2]) for m in matters] == [5, 2, 2, 5, 9]
    assert all(p and d for m in matters for p, d in m[2])
    assert [s for s, _ in parse_services()] == ["1", "2", "3", "4", "5"]
    assert len(parse_rule_titles()) == 2


# --- the registry holds it --------------------------------------------------------------


def test_duties_and_work_items(registry):
    duties = {d.seq: d for d in mine(registry, "duty")}
    expected = parse_duties()
    assert len(duties) == len(expected) == 11
    for seq, line, text, items in expected:
        duty = duties[seq]
        assert duty.agency == AGENCY
        assert squash(duty.text) == squash(text), seq
        assert duty.source.line == line
        assert len(duty.work_items) == len(items), seq
        for wi, (item_text, remark) in zip(duty.work_items, items, strict=False):
            assert squash(wi.text) == squash(item_text), (seq, item_text)
            assert squash(wi.remark) == squash(remark), (seq, item_text)
            if remark is None:
                assert wi.delegation is None and wi.kept_by is None
            else:
                expected_delegation = "not_delegated" if "未下放" in remark else "assists_higher_level"
                assert wi.delegation == expected_delegation
                assert wi.kept_by == "460200-ybj"
            assert LINES[wi.source.line - 1].strip() == item_text


def test_boundaries_and_parties(registry):
    boundaries = {b.seq: b for b in mine(registry, "boundary")}
    expected = parse_boundaries()
    assert len(boundaries) == len(expected) == 5
    for seq, matter, parties in expected:
        boundary = boundaries[seq]
        assert squash(boundary.matter) == squash(matter)
        assert [squash(p.raw) for p in boundary.parties] == [squash(p) for p, _ in parties], seq
        assert [squash(p.division) for p in boundary.parties] == [squash(d) for _, d in parties], seq
        assert all(p.agency for p in boundary.parties), "every party of 001 resolves to a body"


def test_boundary_legal_bases_and_cases(registry):
    boundaries = {b.seq: b for b in mine(registry, "boundary")}
    text = squash("\n".join(line for _, line in section("二、与相关部门的职责边界登记表", "三、事中事后监管制度")))
    numbers = re.findall(r"[\u4e00-\u9fff]+〔\d{4}〕\d+号", text)
    recorded = [lb.doc_number for b in boundaries.values() for lb in b.legal_bases]
    assert sorted(recorded) == sorted(numbers) and len(numbers) == 8
    for b in boundaries.values():
        for lb in b.legal_bases:
            assert squash(lb.raw) in text and squash(lb.title) + "（" + lb.doc_number + "）" == squash(lb.raw)
        if b.case:
            assert squash(b.case) in text
            assert b.handovers, f"case of boundary {b.seq} has no handovers"
            for h in b.handovers:
                assert squash(h.what) in squash(b.case)
                assert h.reconstructed
    assert [s for s, b in sorted(boundaries.items()) if b.case] == ["1", "2", "3"]
    chain = [(h.from_agency, h.to_agency) for h in boundaries["1"].handovers]
    assert chain[0] == ("460202-ybj", "460202-cjwh")
    assert chain[-1] == ("460200-ybj", "460200-sbzx")


def test_one_body_for_two_spellings(registry):
    center = registry.get("460200-sbzx")
    assert {"市社保服务中心", "市社会保险服务中心"} <= set(center.aliases)
    raws = {p.raw: p.agency for b in mine(registry, "boundary") for p in b.parties}
    assert raws["市社保服务中心"] == raws["市社会保险服务中心"] == "460200-sbzx"


def test_supervision_rules(registry):
    rules = mine(registry, "supervision_rule")
    titles = parse_rule_titles()
    assert [squash(r.title) for r in rules] == [squash(t) for t in titles]
    headings = [line.strip() for line in LINES if re.fullmatch(r"[一二三四五六]、监督检查\S+", line.strip())]
    assert [s.heading for r in rules for s in r.sections] == headings
    body = squash("\n".join(LINES))
    for r in rules:
        for s in r.sections:
            assert squash(s.text) in body


def test_services(registry):
    services = {s.seq: s for s in mine(registry, "service")}
    expected = parse_services()
    assert len(services) == len(expected) == 5
    for seq, name in expected:
        assert squash(services[seq].name) == squash(name)
    for seq in ("1", "2", "3", "4"):
        assert [p.number for p in services[seq].phones] == ["38888198"]
    assert not services["5"].phones and not services["5"].handling


def test_document_and_findings(registry):
    doc = registry.get(DOC)
    assert doc.publisher == AGENCY and doc.file == SEED_NAME
    truncated = [d for d in doc.defects if d.kind == "truncated"]
    last_text_line = max(i for i, line in enumerate(LINES, 1) if line.strip())
    assert len(truncated) == 1 and truncated[0].line == last_text_line
    report = check(registry)
    mine_errors = [e for e in report.errors if DOC in e.message or "460202" in e.file or "directory/460200" in e.file]
    assert not mine_errors, mine_errors
    codes = [f.code for f in report.findings if f.record and f.record.startswith(("460202-ybj", DOC))]
    assert codes.count("phone_without_area_code") == 4
    assert "source_truncated" in codes


def test_every_line_points_into_the_seed(registry):
    for entry in registry.entries.values():
        source = getattr(entry.record, "source", None)
        if source is not None and source.document == DOC:
            assert 0 < source.line <= len(LINES)
