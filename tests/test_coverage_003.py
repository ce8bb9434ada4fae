"""Coverage of seed 003 (衡水市医疗保障局责任清单) in the registry.

The expected items are parsed from the seed text itself, not copied by hand: every main
duty and work item with its 责任处室, every boundary matter with all its parties, legal
bases and case, every public service with its phone, every supervision rule with its
headings and text. Comparisons ignore whitespace.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from .conftest import norm, seed_registry
from .conftest import seed_path as conftest_seed_path

SEED = "003_f3418079043bdde9.txt"
ROOT = Path(__file__).parents[1]
AGENCY = "131100-ybj"


def seed_path() -> Path:
    return conftest_seed_path(SEED)


@cache
def lines() -> list[str]:
    return seed_path().read_text(encoding="utf-8").splitlines()


registry = seed_registry


def mine(kind: str) -> list:
    return [r for r in registry().of(kind) if getattr(r, "agency", None) == AGENCY]


def section(start_word: str, end_word: str | None) -> tuple[int, int]:
    """1-based line range (exclusive end) between two section headings."""
    starts = [i for i, line in enumerate(lines(), 1) if line.strip().startswith(start_word)]
    assert len(starts) == 1, start_word
    end = len(lines()) + 1
    if end_word:
        ends = [i for i, line in enumerate(lines(), 1) if line.strip().startswith(end_word)]
        assert len(ends) == 1, end_word
        end = ends[0]
    return starts[0] + 1, end


def cells(start: int, end: int) -> list[tuple[int, str]]:
    """Table cells (tab-led lines) with their line numbers; an untabbed, non-empty line
    continues the previous cell (a cell broken over two lines). Blank cells are kept as ''."""
    out: list[tuple[int, str]] = []
    for number in range(start, end):
        line = lines()[number - 1]
        if line.startswith("\t"):
            out.append((number, line.strip()))
        elif line.strip() and out:
            out[-1] = (out[-1][0], out[-1][1] + line.strip())
    return out


# --- parse the seed ----------------------------------------------------------------------


@cache
def seed_duties() -> list[dict]:
    table = [c for c in cells(*section("一、部门职责登记表", "二、与相关部门的职责边界登记表")) if c[1]]
    header = [text for _, text in table[:5]]
    assert header == ["序号", "主要职责", "具体工作事项", "责任处室", "备注"]
    duties: list[dict] = []
    rest = table[5:]
    i = 0
    while i < len(rest):
        number, text = rest[i]
        assert re.fullmatch(r"\d+", text), f"line {number}: expected a 序号, got {text!r}"
        duty = {"seq": text, "line": number, "text": rest[i + 1][1], "items": []}
        i += 2
        while i < len(rest) and not re.fullmatch(r"\d+", rest[i][1]):
            item_line, item = rest[i]
            unit = rest[i + 1][1]
            duty["items"].append({"line": item_line, "text": item, "unit": unit})
            i += 2
        duties.append(duty)
    return duties


PARTY = re.compile(r"衡水市\S*(局|委员会|人民政府)")


@cache
def seed_boundaries() -> list[dict]:
    table = [c for c in cells(*section("二、与相关部门的职责边界登记表", "三、公共服务事项登记表")) if c[1]]
    assert [t for _, t in table[:6]] == ["序号", "管理事项", "相关部门", "职责分工", "相关依据", "案例"]
    matters: list[dict] = []
    for number, text in table[6:]:
        current = matters[-1] if matters else None
        if re.fullmatch(r"\d+", text):
            matters.append({"seq": text, "line": number, "matter": None, "parties": [], "basis": None, "case": None})
        elif current["matter"] is None:
            current["matter"] = text
        elif PARTY.fullmatch(text):
            current["parties"].append({"raw": text, "division": None})
        elif current["parties"] and current["parties"][-1]["division"] is None:
            current["parties"][-1]["division"] = text
        elif text.startswith("1."):
            current["basis"] = text
        else:
            assert current["case"] is None, f"line {number}: two 案例 cells"
            current["case"] = text
    return matters


def split_basis(basis: str) -> list[str]:
    items = [item.strip().rstrip("；;").strip() for item in re.split(r"(?:^|[；;]\s*)\d+\.", basis)]
    return [item for item in items if item]


@cache
def seed_services() -> list[dict]:
    table = [c for c in cells(*section("三、公共服务事项登记表", "四、事中事后监督管理制度")) if c[1]]
    assert [t for _, t in table[:5]] == ["序号", "服务事项", "主要内容", "承办机构", "联系电话"]
    rows = table[5:]
    assert len(rows) % 5 == 0
    return [
        {
            "line": rows[i][0],
            "seq": rows[i][1],
            "name": rows[i + 1][1],
            "content": rows[i + 2][1],
            "unit": rows[i + 3][1],
            "phone": rows[i + 4][1],
        }
        for i in range(0, len(rows), 5)
    ]


@cache
def seed_rules() -> list[dict]:
    start, end = section("四、事中事后监督管理制度", None)
    numbered = list(range(start, end))
    heads: list[tuple[int, str]] = []
    for number in numbered:
        text = lines()[number - 1].strip()
        general = re.fullmatch(r"（[一二三四五六七八九十]）(.+)", text)
        if general and not lines()[number - 1].startswith(" "):
            following = next(lines()[n - 1].strip() for n in range(number + 1, end) if lines()[n - 1].strip())
            if following.startswith("单位："):
                heads.append((number, general.group(1)))
        specific = re.fullmatch(r"(\d+)、(.+)", text)
        if specific:
            heads.append((number, specific.group(2)))
    rules = []
    for k, (number, title) in enumerate(heads):
        stop = heads[k + 1][0] if k + 1 < len(heads) else end
        body = [lines()[n - 1].strip() for n in range(number + 1, stop)]
        body = [b for b in body if b]
        # a group heading like （二）对其他事项的事中事后监管措施 closes the block before it
        while body and re.fullmatch(r"（[一二三四五六七八九十]）.+监管措施", body[-1]):
            body.pop()
        rules.append({"line": number, "title": title, "body": body})
    return rules


# --- the tests ---------------------------------------------------------------------------


def test_no_errors_in_these_files():
    errors = [p.format() for p in registry().errors if "131100" in p.file or "131100" in (p.record or "")]
    assert errors == []


def test_document_and_agency():
    doc = registry().get("doc-003")
    assert doc is not None and doc.file == SEED and doc.publisher == AGENCY
    agency = registry().get(AGENCY)
    assert agency.name == lines()[0].strip().removesuffix("责任清单")
    assert agency.region == "131100" and agency.level == "city"


def test_counts():
    duties = seed_duties()
    assert len(duties) == 9
    assert sum(len(d["items"]) for d in duties) == 32
    assert len(seed_boundaries()) == 5
    assert sum(len(b["parties"]) for b in seed_boundaries()) == 15
    assert len(seed_services()) == 3
    assert len(seed_rules()) == 4
    assert len(mine("duty")) == 9
    assert sum(len(d.work_items) for d in mine("duty")) == 32
    assert len(mine("boundary")) == 5
    assert len(mine("service")) == 3
    assert len(mine("supervision_rule")) == 4


@pytest.mark.parametrize("seq", [str(n) for n in range(1, 10)])
def test_duty_and_work_items(seq):
    expected = next(d for d in seed_duties() if d["seq"] == seq)
    duty = next(d for d in mine("duty") if d.seq == seq)
    assert norm(duty.text) == norm(expected["text"])
    assert duty.source.document == "doc-003" and duty.source.line == expected["line"]
    assert len(duty.work_items) == len(expected["items"])
    for item, want in zip(duty.work_items, expected["items"], strict=False):
        assert norm(item.text) == norm(want["text"])
        assert norm(item.responsible_raw) == norm(want["unit"])
        assert item.source.line == want["line"]
        assert item.remark is None  # the 备注 column is empty in every row
        units = [registry().get(u) for u in item.responsible_units]
        if want["unit"] == "所有科室":
            assert units == []
        else:
            assert [u.name for u in units] == [want["unit"]]
            assert all(u.agency == AGENCY for u in units)


@pytest.mark.parametrize("seq", [str(n) for n in range(1, 6)])
def test_boundary(seq):
    expected = next(b for b in seed_boundaries() if b["seq"] == seq)
    boundary = next(b for b in mine("boundary") if b.seq == seq)
    assert boundary.source.line == expected["line"]
    assert norm(boundary.matter) == norm(expected["matter"])
    assert [norm(p.raw) for p in boundary.parties] == [norm(p["raw"]) for p in expected["parties"]]
    for party, want in zip(boundary.parties, expected["parties"], strict=False):
        assert norm(party.division) == norm(want["division"])
        body = registry().get(party.agency)
        assert body is not None, f"party {party.raw} is not resolved"
        assert party.raw == body.name or party.raw in body.aliases
    items = split_basis(expected["basis"])
    assert len(boundary.legal_bases) == len(items)
    for basis, item in zip(boundary.legal_bases, items, strict=False):
        assert norm(basis.raw) == norm(item)
        assert norm(basis.title) in norm(item)
        numbers = re.findall(r"（([^（）]*号)）", item)
        assert basis.doc_number == (numbers[0] if numbers else None)
        articles = re.findall(r"第[一二三四五六七八九十百零]+条", item)
        assert basis.article == (articles[0] if articles else None)
        quoted = re.findall(r"^[^《]*?《(.+?)》", item)
        if item.startswith("《"):
            assert basis.title == quoted[0]
    assert norm(boundary.case) == norm(expected["case"])
    if expected["case"] and re.search(r"审核.*报.*审批", expected["case"]):
        assert boundary.handovers, "a case narrating work passing between bodies needs handovers"
    for handover in boundary.handovers:
        assert handover.reconstructed
        assert registry().get(handover.from_agency) and registry().get(handover.to_agency)


def test_handovers_of_the_budget_case():
    boundary = next(b for b in mine("boundary") if b.seq == "2")
    chain = [(h.from_agency, h.to_agency) for h in boundary.handovers]
    government = next(p.agency for p in boundary.parties if p.raw == "衡水市人民政府")
    finance = next(p.agency for p in boundary.parties if p.raw == "衡水市财政局")
    assert (AGENCY, finance) in chain
    assert (finance, government) in chain and (AGENCY, government) in chain
    first = boundary.handovers[0]
    assert first.to_agency == AGENCY and registry().get(first.from_agency).parent == AGENCY


@pytest.mark.parametrize("seq", ["1", "2", "3"])
def test_service(seq):
    expected = next(s for s in seed_services() if s["seq"] == seq)
    service = next(s for s in mine("service") if s.seq == seq)
    assert service.source.line == expected["line"]
    assert norm(service.name) == norm(expected["name"])
    assert norm(service.content) == norm(expected["content"])
    assert [h.raw for h in service.handling] == [expected["unit"]]
    assert registry().get(service.handling[0].unit).name == expected["unit"]
    assert [p.number for p in service.phones] == [expected["phone"]]


def test_supervision_rules():
    rules = mine("supervision_rule")
    for expected in seed_rules():
        rule = next((r for r in rules if norm(r.title) == norm(expected["title"])), None)
        assert rule is not None, f"no supervision rule titled {expected['title']}"
        assert rule.source.line == expected["line"]
        headings = {norm(s.heading) for s in rule.sections if s.heading}
        texts = norm("".join(s.text for s in rule.sections))
        for line in expected["body"]:
            if re.fullmatch(r"(?:[一二三四五六七]、)?监督检查[^，。；]*", line):
                assert norm(line) in headings, f"{rule.id}: heading {line} missing"
            elif "：" in line and norm(line.split("：", 1)[0]) in headings:
                head, text = line.split("：", 1)
                assert any(norm(s.heading) == norm(head) and norm(s.text) == norm(text) for s in rule.sections)
            else:
                assert norm(line) in texts, f"{rule.id}: text {line[:30]} missing"
