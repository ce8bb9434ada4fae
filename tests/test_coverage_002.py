"""Coverage of seed 002 (绵阳市医疗保障局, 绵医保发〔2019〕18号).

Everything parsed from the seed text is in the registry.

The expected items are read from the seed file itself (not copied by hand), so a record
dropped or altered in the YAML makes these tests fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import seed_path, seed_registry

SEED_NAME = "002_636ee1d66b13e432.txt"
ROOT = Path(__file__).parents[1]
AGENCY = "510700-ybj"
GROUP = "510700-ybj-hfjs-ldxz"
DOC = "doc-002"


SEED = seed_path(SEED_NAME).read_text(encoding="utf-8")
LINES = SEED.splitlines()


def ws(text: str | None) -> str:
    """Whitespace removed, and the ** bold marks the extraction left in the text."""
    return re.sub(r"\s+", "", (text or "").replace("**", ""))


def _index(pattern: str, start: int = 0) -> int:
    for i in range(start, len(LINES)):
        if re.search(pattern, LINES[i]):
            return i
    raise AssertionError(f"{pattern!r} not found in the seed")


@pytest.fixture(scope="module")
def registry():
    return seed_registry()  # loaded once per session, read only


def _mine(registry, kind):
    return [r for r in registry.of(kind) if r.source.document == DOC]


# --- parsing the seed --------------------------------------------------------------------

ATT1 = _index(r"^医疗保障部门政务服务事项清单$")
ATT2 = _index(r"^附件 2$", ATT1)


def seed_services() -> list[dict]:
    """Rows of attachment 1 (tab-separated), with merged main-item cells carried down."""
    rows = []
    for number in range(ATT1, ATT2):
        cells = LINES[number].split("\t")
        if re.fullmatch(r"\d+", cells[0]):
            cells += [""] * (10 - len(cells))
            rows.append(
                {
                    "line": number + 1,
                    "seq": cells[0],
                    "main_cell": ws(cells[1]),
                    "category_cell": ws(cells[2]),
                    "name": ws(cells[3]),
                    "levels": ws(cells[4]),
                    "basis": ws(cells[5]),
                    "materials": ws(cells[6]),
                    "time_limit": ws(cells[7]),
                    "process": ws(cells[8]),
                }
            )
    # carry merged cells down; a main-item cell with no category cell continues the previous
    # page's cell (split across the page break), so both halves form one name
    groups: list[list[dict]] = []
    category = None
    for row in rows:
        if row["main_cell"] and row["category_cell"]:
            groups.append([row])
            row["main_parts"] = [row["main_cell"]]
            category = row["category_cell"]
        elif row["main_cell"]:  # continuation of a split cell
            groups[-1].append(row)
            groups[-1][0]["main_parts"].append(row["main_cell"])
        else:
            groups[-1].append(row)
            category = row["category_cell"] or category
        row["category"] = category
    for group in groups:
        name = "".join(group[0]["main_parts"])
        for row in group:
            row["main_item"] = name
    return rows


def seed_tasks() -> list[dict]:
    start = _index(r"^三、工作任务及分工")
    end = _index(r"^四、工作要求", start)
    text = ws("".join(LINES[start + 1 : end]))
    pieces = re.split(r"(?=[（(][一二三四五六七八九十][)）])", text)
    tasks = []
    for piece in pieces:
        m = re.match(
            r"^([（(][一二三四五六七八九十][)）])(.+?)。(.*)[（(]牵头部门：(.+?)；责任部门：(.+?)；完成时限：(.+?)[)）]$",
            piece,
        )
        if m:
            seq, title, content, lead, responsible, deadline = m.groups()
            tasks.append(
                {
                    "seq": seq,
                    "title": title,
                    "content": content,
                    "lead": lead,
                    "responsible": responsible,
                    "deadline": deadline,
                }
            )
    return tasks


def seed_checks() -> list[dict]:
    checks, goal, goals = [], None, []
    for number in range(ATT2, len(LINES)):
        cells = LINES[number].split("\t")
        if len(cells) < 4:
            continue
        m = re.match(r"^(\d+)\.(.+)$", cells[2].strip())
        if not m:
            continue
        if cells[1].strip():
            goal = cells[1].strip()
            goals.append((cells[0].strip(), goal))
        checks.append(
            {
                "line": number + 1,
                "seq": m.group(1),
                "requirement": ws(m.group(2)),
                "goal": goal,
                "deadline": ws(cells[3]),
            }
        )
    return checks, goals


def seed_members() -> list[dict]:
    start = _index(r"^二、工作机构")
    members, label = [], None
    for number in range(start, _index(r"^三、工作任务及分工")):
        m = re.match(r"^\|\s*([^|]*?)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|$", LINES[number])
        if not m or set(m.group(1)) <= set("-") and set(m.group(2)) <= set("-"):
            continue
        role_cell, name, title = m.groups()
        if role_cell:
            label = ws(role_cell).rstrip("：:")
        members.append({"line": number + 1, "name": name, "title": title, "role_label": label})
    return members


SERVICES = seed_services()
TASKS = seed_tasks()
CHECKS, GOALS = seed_checks()
MEMBERS = seed_members()


# --- the seed parses as expected ---------------------------------------------------------


def test_seed_parses_into_known_counts():
    assert [r["seq"] for r in SERVICES] == [str(n) for n in range(1, 47)]
    assert len({r["main_item"] for r in SERVICES}) == 13
    assert len(TASKS) == 7
    assert [c["seq"] for c in CHECKS] == [str(n) for n in range(1, 35)]
    assert len(GOALS) == 12  # 12 goal headings, one of them printed without a number
    assert [g[0] for g in GOALS if g[0]] == [str(n) for n in range(1, 12)]
    assert len(MEMBERS) == 10


# --- the document ------------------------------------------------------------------------


def test_document_number_and_date(registry):
    doc = registry.get(DOC)
    assert doc is not None
    printed = re.search(r"绵医保发〔\d{4}〕\d+号", SEED).group(0)
    assert doc.doc_number == printed
    y, m, d = re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日印发", SEED).groups()
    assert doc.date == f"{y}-{int(m):02d}-{int(d):02d}"
    assert doc.kind == "通知"
    assert doc.publisher == AGENCY


def test_source_lines_are_in_the_seed(registry):
    for kind in ("agency", "unit", "person", "membership", "service", "task", "self_check"):
        for record in _mine(registry, kind):
            assert 0 < record.source.line <= len(LINES), record.id


# --- attachment 1: services --------------------------------------------------------------


def test_every_service_sub_item(registry):
    services = {s.seq: s for s in _mine(registry, "service") if s.agency == AGENCY}
    assert len(services) == len(SERVICES) == 46
    for row in SERVICES:
        record = services[row["seq"]]
        assert ws(record.name) == row["name"], row["seq"]
        assert ws(record.main_item) == row["main_item"], row["seq"]
        assert ws(record.category) == row["category"], row["seq"]
        assert "".join(record.levels) == row["levels"], row["seq"]
        assert record.source.line == row["line"], row["seq"]


def test_every_main_item(registry):
    printed = {r["main_item"] for r in SERVICES}
    recorded = {ws(s.main_item) for s in _mine(registry, "service") if s.agency == AGENCY}
    assert recorded == printed
    # every main-item cell as printed (including both halves of a cell split by a page break)
    cells = {r["main_cell"] for r in SERVICES if r["main_cell"]}
    for cell in cells:
        assert any(cell in main for main in recorded), cell


def test_the_fully_filled_service_row(registry):
    filled = [r for r in SERVICES if r["basis"]]
    assert len(filled) == 1
    row = filled[0]
    record = registry.get(f"{AGENCY}-service-{row['seq']}")
    assert [ws(b.raw or b.title) for b in record.legal_bases] == [row["basis"]]
    assert [ws(m.name) for m in record.materials] == [row["materials"]]
    assert ws(record.time_limit) == row["time_limit"]
    assert [ws(step) for step in record.process] == row["process"].split("—")


# --- the work plan's tasks ----------------------------------------------------------------


def test_every_task_title_deadline_and_parties(registry):
    tasks = [t for t in _mine(registry, "task") if t.agency == AGENCY]
    assert len(tasks) == len(TASKS) == 7
    by_title = {ws(t.title): t for t in tasks}
    split = re.compile(r"[、，](?![^（]*）)")
    for expected in TASKS:
        record = by_title[expected["title"]]
        assert ws(record.seq) == expected["seq"]
        assert ws(record.deadline) == expected["deadline"]
        assert ws(record.content) == expected["content"]
        assert [ws(p.raw) for p in record.lead] == split.split(expected["lead"])
        assert [ws(p.raw) for p in record.responsible] == split.split(expected["responsible"])
        for party in record.lead + record.responsible:
            if party.raw.startswith("各"):
                assert party.agency is None, party.raw  # groups stay unresolved
            else:
                assert party.agency is not None, party.raw


# --- attachment 2: the self-check table --------------------------------------------------


def test_every_self_check_requirement(registry):
    checks = {c.seq: c for c in _mine(registry, "self_check") if c.agency == AGENCY}
    assert len(checks) == len(CHECKS) == 34
    for expected in CHECKS:
        record = checks[expected["seq"]]
        assert ws(record.requirement) == expected["requirement"], expected["seq"]
        assert ws(record.goal) == ws(expected["goal"]), expected["seq"]
        assert ws(record.deadline) == expected["deadline"], expected["seq"]
        assert record.source.line == expected["line"], expected["seq"]
    assert {ws(c.goal) for c in checks.values()} == {ws(g) for _, g in GOALS}


# --- the leading group --------------------------------------------------------------------

ROLES = {"组长": "leader", "副组长": "deputy_leader", "成员": "member"}


def test_every_leading_group_member(registry):
    group = registry.get(GROUP)
    assert group.kind == "leading_group" and group.parent == AGENCY
    memberships = [m for m in registry.of("membership") if m.organization == GROUP and m.role != "office_director"]
    assert len(memberships) == len(MEMBERS) == 10
    recorded = {ws(registry.get(m.person).name): m for m in memberships}
    for member in MEMBERS:
        m = recorded[ws(member["name"])]
        assert m.role_label == member["role_label"]
        assert m.role == ROLES[member["role_label"]]
        assert ws(m.title) == ws(member["title"])
    counts = {role: sum(1 for m in memberships if m.role == role) for role in ROLES.values()}
    assert counts == {"leader": 1, "deputy_leader": 2, "member": 7}


def test_office_director_of_the_group(registry):
    name = re.search(r"办公室主任由(\S+?)同志兼任", SEED).group(1)
    directors = [m for m in registry.of("membership") if m.organization == GROUP and m.role == "office_director"]
    assert [ws(registry.get(m.person).name) for m in directors] == [name]
