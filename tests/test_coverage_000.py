"""Coverage of seed 000 (山亭区医疗保障局及所属事业单位定岗定责定流程表) in the registry.

Everything expected is parsed from the seed text itself, not copied by hand:

- the two post tables (the bureau's, columns 序号 岗位名称 工作事项 岗位职能描述 岗位责任描述
  工作流程 牵头负责人 辅助人员 备注; the center's, columns 序号 岗位名称 工作事项 工作流程
  牵头负责人 辅助人员 备注): every post by 序号 and name, every row as a work item with its
  text, function, responsibility and 详见 flow codes, every lead and assistant cell;
- the two chart lists: every printed flow code and every chart title;
- the surviving box words of 01-3-1 and the inline A→B→C flow of the center's post 6.

Rows without a 序号 belong to the post whose 序号 is printed on the same page (pages are
separated by the repeated header rows). Comparisons ignore whitespace.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from .conftest import norm, seed_registry
from .conftest import seed_path as conftest_seed_path

SEED = "000_2903a70c0f9a469d.txt"
ROOT = Path(__file__).parents[1]
DOC = "doc-000"
YBJ = "370406-ybj"
ZX = "370406-ybzx"
CODE = r"\d{2}\s*-\s*\d+(?:\s*-\s*\d+)?"


def seed_path() -> Path:
    return conftest_seed_path(SEED)


def codes(text: str) -> list[str]:
    return [norm(c) for c in re.findall(CODE, text)]


@cache
def lines() -> list[str]:
    return seed_path().read_text(encoding="utf-8").splitlines()


registry = seed_registry


def line_no(exact: str) -> int:
    found = [i for i, line in enumerate(lines(), 1) if line.strip() == exact]
    assert len(found) == 1, exact
    return found[0]


def bureau_start() -> int:
    return line_no("山亭区医疗保障局定岗定责定流程表")


def center_start() -> int:
    return line_no("山亭区医疗保险事业中心定岗定责定流程表")


def cells_of(n: int) -> list[str]:
    c = lines()[n - 1].split("\t")
    return [x.strip() for x in c] + [""] * (10 - len(c))


def is_header(n: int) -> bool:
    filled = {c for c in cells_of(n) if c}
    return "岗位名称" in lines()[n - 1] or "工作流程" in filled or filled <= {"负责", "長人", "人"}


@cache
def bureau_rows() -> list[tuple[int, str]]:
    """(line, 序号 of the post) for every data row of the bureau's table."""
    start, end = bureau_start(), center_start()
    pages: list[list[int]] = [[]]
    for n in range(start + 1, end):
        if "\t" not in lines()[n - 1]:
            continue
        if is_header(n):
            if pages[-1]:
                pages.append([])
            continue
        pages[-1].append(n)
    rows = []
    for page in pages:
        seqs = [cells_of(n)[0] for n in page if cells_of(n)[0]]
        assert all(s.isdigit() for s in seqs), seqs
        for n in page:
            seq = cells_of(n)[0]
            if not seq:
                assert len(set(seqs)) == 1, f"line {n}: rows without 序号 on a page with posts {seqs}"
                seq = seqs[0]
            rows.append((n, seq))
    return rows


@cache
def center_rows() -> list[int]:
    return [
        n for n in range(center_start() + 1, len(lines()) + 1) if "\t" in lines()[n - 1] and cells_of(n)[0].isdigit()
    ]


def posts(agency: str) -> dict[str, object]:
    out = {p.seq: p for p in registry().of("post") if p.agency == agency and p.source.document == DOC}
    return out


def work_item_at(post, n: int):
    found = [w for w in post.work_items if w.source.line == n]
    assert len(found) == 1, f"{post.id}: expected one work item starting at line {n}, found {len(found)}"
    return found[0]


def flow_codes(refs: list[str]) -> list[str]:
    return [registry().get(r).code for r in refs]


def memberships(post_id: str, role: str) -> list:
    return [m for m in registry().of("membership") if m.post == post_id and m.role == role]


def review_raws(*records) -> str:
    return "|".join(norm(f.raw) for r in records for f in (getattr(r, "review", None) or []))


def check_person_cell(post, cell: str, role: str, n: int) -> None:
    """A lead or assistant cell is the names of the post's members in that role, or damaged text under review."""
    if not cell:
        return
    ms = memberships(post.id, role)
    names = "".join(norm(registry().get(m.person).name) for m in ms)
    every = memberships(post.id, "lead") + memberships(post.id, "assistant")  # a name may be split over both cells
    flagged = review_raws(post, *every, *(registry().get(m.person) for m in every))
    assert norm(cell) == names or norm(cell) in flagged, f"line {n}: {role} cell {cell!r} of {post.id} (has {names!r})"


def check_blank_flagged(w, field: str, n: int) -> None:
    assert any(f.field == field and f.problem == "missing" for f in w.review), f"line {n}: blank {field} not flagged"


# --- posts ---------------------------------------------------------------------------


def test_post_counts():
    assert sorted(posts(YBJ)) == sorted({seq for _, seq in bureau_rows()}) == list("123456")
    assert sorted(posts(ZX)) == [cells_of(n)[0] for n in center_rows()] == list("123456")


def test_every_bureau_post_name():
    for n, seq in bureau_rows():
        name = cells_of(n)[1]
        if name:
            post = posts(YBJ)[seq]
            assert norm(name) == norm(post.name) or norm(name) in review_raws(post), (n, name)


def test_every_center_post_name():
    for n in center_rows():
        seq, name = cells_of(n)[0], cells_of(n)[1]
        post = posts(ZX)[seq]
        if name:
            assert norm(name) == norm(post.name), (n, name)
        else:  # the center's post 1 has no name
            assert any(f.field == "name" and f.problem == "missing" for f in post.review), n


# --- work items ------------------------------------------------------------------------


def test_bureau_work_items():
    count = 0
    for n, seq in bureau_rows():
        post = posts(YBJ)[seq]
        w = work_item_at(post, n)
        count += 1
        c = cells_of(n)
        text, function, resp, flow = c[2], c[3], c[4], c[5]
        if text:  # an item's text may spill into the row above's cell: compare in reading order
            assert norm(text) in "".join(norm(x.text) for x in post.work_items), (n, text)
        elif w.text:  # the item's text is printed in the row above's cell (it spilled over)
            assert norm(w.text) in norm(cells_of(n - 1)[2]), (n, w.text)
            assert any(f.field == "text" for f in w.review), n
        else:
            check_blank_flagged(w, "text", n)
        if function:
            assert norm(function) == norm(w.function), (n, "function")
        else:
            assert w.function is None
            check_blank_flagged(w, "function", n)
        assert norm(resp) == norm(w.responsibility), (n, "responsibility")
        assert flow_codes(w.flows) == codes(flow), (n, flow)
        assert all(registry().get(r).agency == YBJ for r in w.flows)
    assert count == len(bureau_rows()) == sum(len(p.work_items) for p in posts(YBJ).values()) == 23


def test_center_work_items():
    for n in center_rows():
        c = cells_of(n)
        post = posts(ZX)[c[0]]
        assert len(post.work_items) == 1
        w = work_item_at(post, n)
        if c[2]:
            assert norm(c[2]) == norm(w.text), n
        else:
            assert w.text == ""
            check_blank_flagged(w, "text", n)
        assert w.function is None and w.responsibility is None  # the center's table has no such columns
        if "→" in c[3]:
            (ref,) = w.flows
            flow = registry().get(ref)
            assert flow.availability == "full" and flow.agency == ZX
            assert [norm(x.label) for x in flow.nodes] == [norm(s) for s in c[3].split("→")]
            assert len(flow.edges) == len(flow.nodes) - 1
            assert not any(e.reconstructed for e in flow.edges)  # the arrows are in the source text
        else:
            assert flow_codes(w.flows) == codes(c[3]), (n, c[3])
            assert all(registry().get(r).agency == ZX for r in w.flows)
            if c[3] and not codes(c[3]):  # damaged 工作流程 cell
                assert norm(c[3]) in review_raws(w), n


def test_legible_texts_are_not_flagged_blank():
    for agency in (YBJ, ZX):
        for post in posts(agency).values():
            for w in post.work_items:
                if w.text:
                    assert not any(f.field == "text" and f.raw == "（空白）" for f in w.review), w.id


# --- persons -------------------------------------------------------------------------


def test_bureau_persons():
    for n, seq in bureau_rows():
        post = posts(YBJ)[seq]
        check_person_cell(post, cells_of(n)[6], "lead", n)
        check_person_cell(post, cells_of(n)[7], "assistant", n)


def test_center_persons():
    for n in center_rows():
        post = posts(ZX)[cells_of(n)[0]]
        check_person_cell(post, cells_of(n)[4], "lead", n)
        check_person_cell(post, cells_of(n)[5], "assistant", n)


def test_every_post_has_its_people():
    mine = [m for m in registry().of("membership") if m.source.document == DOC]
    assert len(mine) == 25
    leads = {m.post for m in mine if m.role == "lead"}
    assert leads == {p.id for a in (YBJ, ZX) for p in posts(a).values()} - {f"{ZX}-post-6"}
    people = [p for p in registry().of("person") if p.source.document == DOC]
    assert len(people) == 22
    # every name cell of both tables is covered by person names or by flagged raw text
    all_names = "|".join(norm(p.name) for p in people)
    flagged = "|".join(
        norm(f.raw) for r in registry().of("membership") + people + registry().of("post") for f in (r.review or [])
    )
    for n, _ in bureau_rows():
        for cell in cells_of(n)[6:8]:
            if cell:
                assert norm(cell) in all_names or norm(cell) in flagged, (n, cell)
    for n in center_rows():
        for cell in cells_of(n)[4:6]:
            if cell:
                assert norm(cell) in all_names or norm(cell) in flagged, (n, cell)


# --- flows ---------------------------------------------------------------------------


def chart_list(start: int, end: int) -> tuple[list[str], list[str]]:
    """Printed codes and titles of a chart list between two lines."""
    printed, titles = [], []
    for n in range(start, end):
        text = lines()[n - 1].strip()
        m = re.match(rf"^({CODE})\s*(.*)$", text)
        if m:
            printed.append(norm(m.group(1)))
            text = m.group(2)
        if re.search(r"(流程图|工作流程|办理流程)(\(.*\))?$", text):
            titles.append(text)
    return printed, titles


def agency_flows(agency: str) -> list:
    return [f for f in registry().of("flow") if f.agency == agency and f.source.document == DOC]


@pytest.mark.parametrize("agency,part", [(YBJ, "bureau"), (ZX, "center")])
def test_chart_lists(agency, part):
    last_row = max(n for n, _ in bureau_rows()) if part == "bureau" else max(center_rows())
    end = center_start() if part == "bureau" else len(lines()) + 1
    printed, titles = chart_list(last_row + 1, end)
    flows = agency_flows(agency)
    by_code = {f.code: f for f in flows if f.code}
    for code in printed:
        assert code in by_code, (agency, code)
    have = [norm(f.title) for f in flows]
    for title in titles:
        assert norm(title) in have, (agency, title)
    assert len(titles) == (46 if part == "bureau" else 12)
    # every title is one record (titles may repeat, e.g. 政策拟定工作流程图), and no record is extra
    listed = [f for f in flows if f.source.line > last_row and "标题未载明" not in f.title]
    assert sorted(norm(t) for t in titles) == sorted(norm(f.title) for f in listed)


def test_every_referenced_code_is_a_flow():
    refs = {YBJ: set(), ZX: set()}
    for n, _ in bureau_rows():
        refs[YBJ].update(codes(cells_of(n)[5]))
    for n in center_rows():
        refs[ZX].update(codes(cells_of(n)[3]))
    assert len(refs[YBJ]) == 47 and len(refs[ZX]) == 11
    for agency, wanted in refs.items():
        by_code = {f.code: f for f in agency_flows(agency) if f.code}
        for code in wanted:
            assert code in by_code, (agency, code)
        # a code with no title in the list is a title_only record flagged missing
        for code in wanted:
            f = by_code[code]
            if "标题未载明" in f.title:
                assert f.availability == "title_only" and any(x.problem == "missing" for x in f.review)
    assert len(agency_flows(YBJ)) == 49 and len(agency_flows(ZX)) == 14


def test_title_only_flows_have_no_content():
    for agency in (YBJ, ZX):
        for f in agency_flows(agency):
            if f.code == "01-3-1" or f.source.line in center_rows():  # rebuilt / inline flows
                continue
            assert f.availability == "title_only" and not f.nodes and not f.edges, f.id


def test_flow_01_3_1_box_words():
    words = lines()[line_no("01-3-1 因私出国(境)证件管理工作流程图") + 2].split(" ")
    assert words[:2] == ["持证人", "办公室"]
    stages = {"备案登记", "证件保管", "出国审批", "证件收回"}
    (flow,) = [f for f in agency_flows(YBJ) if f.code == "01-3-1"]
    assert flow.availability == "full" and flow.nodes and flow.edges
    assert all(e.reconstructed for e in flow.edges)
    labels = "|".join(norm(x.label) for x in flow.nodes)
    for word in words[2:]:
        if word in stages:
            assert word in (flow.note or ""), word
        else:
            assert norm(word) in labels, word
    assert {x.unit_raw for x in flow.nodes} == {"持证人", "办公室"}


def test_sub_headings_of_03_1_are_kept():
    (flow,) = [f for f in agency_flows(YBJ) if f.code == "03-1"]
    for n, line in enumerate(lines(), 1):
        if re.match(r"^\d、.*工作流程:$", line.strip()):
            assert norm(line) in norm(flow.note), n


def test_document_defects():
    (doc,) = [d for d in registry().of("document") if d.id == DOC]
    kinds = {d.kind for d in doc.defects}
    assert {"repeated_headers", "lost_images", "missing_value"} <= kinds
    assert sum(d.kind == "repeated_headers" for d in doc.defects) == 1
