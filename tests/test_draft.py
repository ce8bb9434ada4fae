"""`qingdan draft`: bureaus' own files (re-typeset seeds) drafted into registry folders that agree with
the hand transcription, validate and build; bad input refused with nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from qingdan.cli import cli
from qingdan.draft import DraftError, draft
from qingdan.registry import load_registry
from qingdan.validate import check

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "draft"


@pytest.fixture
def registry(tmp_path) -> Path:
    """A copy of the real registry, so drafts are validated against everything else in it."""
    target = tmp_path / "registry"
    shutil.copytree(ROOT / "registry", target)
    return target


def hand(registry: Path, folder: str, kind: str) -> list:
    """The hand-transcribed records of one seed folder, in file order."""
    loaded = load_registry(registry)
    folder_path = (registry / folder).resolve()
    return [
        e.record for e in loaded.entries.values() if e.kind == kind and folder_path in Path(e.file).resolve().parents
    ]


def flat(records: list, fields: tuple[str, ...], lists: dict[str, tuple[str, ...]]) -> dict[str, object]:
    """Field values by position (`3.name`, `3.legal_bases.1.title`), the unit the agreement counts in."""
    out: dict[str, object] = {}
    for i, record in enumerate(records):
        for name in fields:
            out[f"{i}.{name}"] = getattr(record, name)
        for name, sub in lists.items():
            for j, item in enumerate(getattr(record, name)):
                for s in sub:
                    out[f"{i}.{name}.{j}.{s}"] = getattr(item, s) if s else item
    return out


def agreement(expected: dict, got: dict) -> float:
    assert expected, "nothing to compare"
    return sum(1 for key, value in expected.items() if got.get(key) == value) / len(expected)


def drafted(registry: Path, agency: str, kind: str) -> list:
    loaded = load_registry(registry)
    return [e.record for e in loaded.entries.values() if e.kind == kind and getattr(e.record, "agency", None) == agency]


POWER_FIELDS = ("name", "category", "code")
POWER_LISTS = {"legal_bases": ("title", "doc_number")}


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["xiangyuan-powers.docx", "xiangyuan-powers.xlsx"])
def test_seed_004_powers_agree(registry, fixture):
    result = draft(FIXTURES / fixture, "140423-xy", registry)
    expected = flat(hand(registry, "140423-xiangyuan-ybj", "power"), POWER_FIELDS, POWER_LISTS)
    got = flat(drafted(registry, "140423-xy", "power"), POWER_FIELDS, POWER_LISTS)
    score = agreement(expected, got)
    print(f"{fixture}: agreement {score:.1%} of {len(expected)} fields")
    assert score >= 0.95
    assert len(result.records["powers"]) == 27
    assert all(p.code_scheme == "shanxi-qlqd" for p in result.records["powers"])


@pytest.mark.slow
def test_xlsx_layout_quirks(registry):
    """Title rows, a header over two rows with 主项/子项, 序号 from 1177, a wrapped row, 医保局 for the full name."""
    result = draft(FIXTURES / "xiangyuan-powers.xlsx", "140423-xy", registry)
    powers = result.records["powers"]
    assert result.document.title == "长治市县级行政职权目录（襄垣县医疗保障局部分）"
    assert {"事项类型", "行使层级"} <= set(result.mapped) and result.unmapped == []
    assert powers[0].source.locator.endswith("序号1177 职权编码 3400-G-00100-140423")
    assert powers[2].name == "对可能被转移、隐匿或者灭失的医疗保险基金相关资料进行封存"  # joined from two rows
    assert all(p.levels_raw == "县级" and p.note is None for p in powers)
    (agency,) = result.records.get("agencies", []) or [load_registry(registry).get("140423-xy")]
    assert agency.name == "襄垣县医疗保障局" and "医保局" in agency.aliases
    assert all(p.implementer == "医保局" for p in powers)


@pytest.mark.slow
def test_docx_cut_off_last_record_is_a_defect(registry):
    result = draft(FIXTURES / "xiangyuan-powers.docx", "140423-xy", registry)
    (defect,) = result.document.defects
    assert defect.kind == "truncated" and "序号27" in defect.locator
    assert "source_truncated" in {f.code for f in result.findings}
    assert result.records["powers"][2].handling[1].raw == "基金监管股"  # two units on two lines of one cell


@pytest.mark.slow
def test_seed_001_html_agrees(registry):
    result = draft(FIXTURES / "haitang-duties.html", "460202-ht", registry)
    score_parts = []
    duty_expected = flat(
        hand(registry, "460202-haitang-ybj", "duty"), ("seq", "text"), {"work_items": ("text", "remark")}
    )
    duty_got = flat(result.records["duties"], ("seq", "text"), {"work_items": ("text", "remark")})
    score_parts.append((duty_expected, duty_got))
    fields, lists = ("seq", "matter", "case"), {"parties": ("raw", "division"), "legal_bases": ("title", "doc_number")}
    score_parts.append(
        (
            flat(hand(registry, "460202-haitang-ybj", "boundary"), fields, lists),
            flat(result.records["boundaries"], fields, lists),
        )
    )
    expected = {f"{n}.{k}": v for n, (e, _) in enumerate(score_parts) for k, v in e.items()}
    got = {f"{n}.{k}": v for n, (_, g) in enumerate(score_parts) for k, v in g.items()}
    score = agreement(expected, got)
    print(f"haitang-duties.html: agreement {score:.1%} of {len(expected)} fields")
    assert score >= 0.95
    assert result.document.title == "三亚市海棠区医疗保障局权责清单"
    assert result.document.date == "2021-06-30"  # from 发布日期, not a record
    texts = [d.text for d in result.records["duties"]]
    assert not any("当前位置" in t or "版权所有" in t or "发布日期" in t for t in texts)


@pytest.mark.slow
def test_seed_003_pdf_agrees(registry):
    result = draft(FIXTURES / "hengshui-list.pdf", "131100-hs", registry)
    parts = [
        ("duty", ("seq", "text"), {"work_items": ("text", "responsible_raw")}),
        (
            "boundary",
            ("seq", "matter", "case"),
            {"parties": ("raw", "division"), "legal_bases": ("title", "doc_number")},
        ),
        ("service", ("seq", "name", "category", "content"), {"handling": ("raw",), "phones": ("number",)}),
    ]
    expected, got = {}, {}
    for kind, fields, lists in parts:
        expected |= {
            f"{kind}.{k}": v for k, v in flat(hand(registry, "131100-hengshui-ybj", kind), fields, lists).items()
        }
        got |= {f"{kind}.{k}": v for k, v in flat(drafted(registry, "131100-hs", kind), fields, lists).items()}
    score = agreement(expected, got)
    print(f"hengshui-list.pdf: agreement {score:.1%} of {len(expected)} fields")
    assert score >= 0.95
    assert {k: len(v) for k, v in result.records.items()} == {"duties": 9, "boundaries": 5, "services": 3}


@pytest.mark.slow
def test_guide_text_agrees(registry):
    result = draft(FIXTURES / "xiangyuan-guide.txt", "140423-guide", registry, name="襄垣县医疗保障局")
    (service,) = result.records["services"]
    (power,) = hand(registry, "140423-xiangyuan-ybj", "power")[:1]
    expected = {"name": power.name, "category": power.category, "handling": [h.raw for h in power.handling]}
    # values drop a trailing 。 (the rule for drafts); the guide labels its first phone 咨询电话
    expected |= {f"condition{i}": c.removesuffix("。") for i, c in enumerate(power.conditions)}
    expected |= {f"material{i}": m.name for i, m in enumerate(power.materials)}
    expected |= {f"phone{i}": p.number for i, p in enumerate(power.phones)}
    got = {"name": service.name, "category": service.category, "handling": [h.raw for h in service.handling]}
    got |= {f"condition{i}": c for i, c in enumerate(service.conditions)}
    got |= {f"material{i}": m.name for i, m in enumerate(service.materials)}
    got |= {f"phone{i}": p.number for i, p in enumerate(service.phones)}
    score = agreement(expected, got)
    print(f"xiangyuan-guide.txt: agreement {score:.1%} of {len(expected)} fields")
    assert score >= 0.95
    assert [p.kind for p in service.phones] == ["consulting", "supervision"]
    assert result.document.kind == "办事指南" and service.time_limit == "即时办结"
    assert service.source.line == 3  # 一、事项名称


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("bad-scan.pdf", "it is a scan"),
        ("bad-locked.pdf", "password-protected"),
        ("bad-locked.docx", "password-protected"),
        ("bad-no-table.txt", "no record found. Layouts tried"),
        ("bad-format.rtf", "unknown format .rtf"),
        ("no-such-file.xlsx", "no such file"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(mini, fixture, message):
    registry = mini
    before = sorted(p.relative_to(registry) for p in registry.rglob("*"))
    with pytest.raises(DraftError, match=message):
        draft(FIXTURES / fixture, "140423-bad", registry, name="襄垣县医疗保障局")
    assert sorted(p.relative_to(registry) for p in registry.rglob("*")) == before


def test_scan_error_suggests_ocr(mini):
    registry = mini
    with pytest.raises(DraftError, match="OCR"):
        draft(FIXTURES / "bad-scan.pdf", "140423-bad", registry)


@pytest.mark.slow
def test_agency_id_taken_or_folder_exists(registry):
    with pytest.raises(DraftError, match="already taken"):
        draft(FIXTURES / "xiangyuan-powers.xlsx", "140423-ybj", registry)
    draft(FIXTURES / "xiangyuan-powers.xlsx", "140423-xy", registry)
    with pytest.raises(DraftError, match="already exists; use --force"):
        draft(FIXTURES / "xiangyuan-powers.docx", "140423-xy", registry)
    result = draft(FIXTURES / "xiangyuan-powers.docx", "140423-xy", registry, force=True)
    assert result.document.title == "襄垣县医疗保障局权力清单"
    assert len(list((registry / "sources").glob("140423-xy_*"))) == 4  # both originals and texts are kept


@pytest.mark.slow
def test_draft_writes_sources_with_checksum_and_provenance(registry):
    import hashlib

    result = draft(FIXTURES / "xiangyuan-powers.docx", "140423-xy", registry, url="https://example.gov.cn/qd.docx")
    doc = result.document
    original = registry / "sources" / doc.original
    assert original.read_bytes() == (FIXTURES / "xiangyuan-powers.docx").read_bytes()
    assert (
        doc.sha256 == hashlib.sha256(original.read_bytes()).hexdigest() and doc.url == "https://example.gov.cn/qd.docx"
    )
    lines = (registry / "sources" / doc.file).read_text(encoding="utf-8").splitlines()
    for power in result.records["powers"][:-1]:
        assert power.name in lines[power.source.line - 1]
        assert [f.problem for f in power.review] == ["draft"]
    report = check(load_registry(registry))
    assert report.ok
    assert "draft" in {f.code for f in report.findings if f.agency == "140423-xy"}


@pytest.mark.slow
def test_cli_draft_prints_summary(registry):
    result = CliRunner().invoke(
        cli, ["draft", str(FIXTURES / "xiangyuan-powers.xlsx"), "--agency", "140423-xy", "--registry", str(registry)]
    )
    assert result.exit_code == 0, result.output
    assert "27 powers" in result.output and "columns not mapped (kept on each record as a note): none" in result.output
    bad = CliRunner().invoke(
        cli, ["draft", str(FIXTURES / "bad-scan.pdf"), "--agency", "140423-b", "--registry", str(registry)]
    )
    assert bad.exit_code == 1 and "scan" in bad.output and "nothing was written" in bad.output
    assert "Traceback" not in bad.output


@pytest.mark.slow
def test_quirks_of_real_lists(registry):
    """A text table (written for this test) with the quirks of real lists, and the findings they give."""
    result = draft(FIXTURES / "quirks-powers.txt", "140423-qk", registry)
    powers = result.records["powers"]
    assert [p.name for p in powers][2] == "对定点医药机构的监督检查和医疗保障基金使用情况的检查"  # wrapped line joined
    assert len(powers) == 4 and all(p.category == "行政处罚" for p in (powers[0], powers[1], powers[3]))
    assert powers[0].source.locator.endswith("序号1177") and powers[0].source.line == 4
    first, second = powers[0].legal_bases
    assert (first.title, first.article) == ("中华人民共和国社会保险法", "第八十八条")
    assert (second.title, second.doc_number, second.article) == (
        "医疗保障基金使用监督管理条例",
        "国务院令第735号",
        "第四十条",
    )
    assert first.raw.startswith("【法律】《中华人民共和国社会保险法》第八十八条：以欺诈")
    assert powers[0].note.startswith("源文件中未对应字段的栏目——追责情形：因不履行")
    assert result.unmapped == ["追责情形"] and "职权类型" in result.mapped
    codes = {(f.code, f.record) for f in result.findings}
    assert ("basis_names_other_department", powers[0].id) in codes
    assert ("basis_names_other_department", powers[2].id) not in codes
    assert ("joint_implementer", powers[1].id) in codes and ("joint_implementer", powers[0].id) not in codes
    assert ("shared_responsibility", powers[1].id) in codes
    assert ("truncated", powers[3].id) in codes
    assert "source_truncated" in {f.code for f in result.findings}
    (no_code,) = [f for f in result.findings if f.code == "no_code"]
    assert no_code.severity == "info" and len(no_code.records) == 4
    agency = load_registry(registry).get("140423-qk")
    assert agency.name == "襄垣县医疗保障局" and agency.aliases == ["医保局"] and agency.level == "county"
    assert agency.name_stated and result.document.date is None


def test_truncation_is_a_reusable_check():
    from qingdan.validate import truncation

    assert truncation("《中华人民共和国社会保险法》第八十八条") is None
    assert truncation("对医疗保障经办机构违反规定支付医疗保障待遇的处罚（") == "“（”未闭合"
    assert truncation("对纳入医疗保障基金支付范围的") == "以“的”结尾"
    assert truncation("") is None


@pytest.mark.slow
def test_drafted_folder_builds_like_any_agency(registry, tmp_path):
    from qingdan.build import build

    draft(FIXTURES / "xiangyuan-powers.xlsx", "140423-xy", registry)
    draft(FIXTURES / "xiangyuan-guide.txt", "140423-guide", registry, name="襄垣县医疗保障局")
    result = build(registry, tmp_path / "dist", version="test")
    import sqlite3

    db = sqlite3.connect(tmp_path / "dist" / "qingdan.db")
    assert db.execute("select count(*) from powers where agency = '140423-xy'").fetchone() == (27,)
    assert db.execute("select count(*) from services where agency = '140423-guide'").fetchone() == (1,)
    assert db.execute("select count(*) from quality_findings where code = 'draft'").fetchone()[0] >= 2
    site = tmp_path / "dist" / "site"
    pages = [p for p in site.rglob("*.html") if "140423-xy-power-1" in str(p) or "140423-guide-service-1" in str(p)]
    assert len(pages) >= 2, "guides of drafted records are published"
    assert all("机器从原件初步整理，尚未经人工核对" in p.read_text(encoding="utf-8") for p in pages)
    assert result.report.ok


@pytest.mark.parametrize(
    ("limit", "value", "fixture", "message"),
    [
        ("MAX_UNZIPPED_BYTES", 10_000, "xiangyuan-powers.xlsx", "unpacks to"),
        ("MAX_FILE_BYTES", 1_000, "xiangyuan-powers.docx", "at most"),
        ("MAX_CELLS", 50, "haitang-duties.html", "more than 50 table cells"),
        ("MAX_PAGES", 1, "hengshui-list.pdf", "pages; at most 1"),
        ("MAX_SECONDS", -1.0, "xiangyuan-powers.docx", "reading took longer than"),
    ],
)
def test_untrusted_files_are_bounded(mini, monkeypatch, limit, value, fixture, message):
    """Sizes, cells, pages and time are capped (shown here with small caps on the ordinary fixtures)."""
    from qingdan.draft import limits

    monkeypatch.setattr(limits, limit, value)
    with pytest.raises(DraftError, match=message):
        draft(FIXTURES / fixture, "140423-big", mini, name="襄垣县医疗保障局")
    assert not (mini / "140423-big").exists()


@pytest.mark.slow
def test_post_table_becomes_posts(registry, tmp_path):
    """A 定岗定责表 (seed 000's first posts, typed as a tab-separated table) gives posts with work items."""
    posts = hand(registry, "370406-shanting-ybj", "post")[:3]
    lines = ["山亭区医疗保障局定岗定责表", "序号\t岗位名称\t工作事项\t岗位职能描述\t岗位责任描述\t牵头负责人"]
    for post in posts:
        for k, item in enumerate(post.work_items):
            fields = [post.seq if k == 0 else "", post.name if k == 0 else "", item.text, item.function or "", ""]
            lines.append("\t".join(f.replace("\n", " ") for f in fields + ["某某"]))
    source = tmp_path / "posts.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = draft(source, "370406-sp", registry, name="枣庄市山亭区医疗保障局")
    drafted_posts = result.records["posts"]
    assert result.document.kind == "定岗定责表"
    agency = load_registry(registry).get("370406-sp")
    assert not agency.name_stated and "--name" in agency.inference  # the file says only 山亭区医疗保障局
    assert [p.name for p in drafted_posts] == [p.name for p in posts]
    assert [len(p.work_items) for p in drafted_posts] == [len(p.work_items) for p in posts]
    assert drafted_posts[0].work_items[0].note == "源文件中未对应字段的栏目——牵头负责人：某某"


def test_xlsx_with_xml_entities_is_refused(mini, tmp_path):
    """An entity bomb or XXE inside a workbook is refused before openpyxl parses it."""
    import zipfile

    hostile = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(FIXTURES / "xiangyuan-powers.xlsx") as src, zipfile.ZipFile(hostile, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + data
            out.writestr(item, data)
    with pytest.raises(DraftError, match="DTD or XML entities"):
        draft(hostile, "140423-bad", mini, name="襄垣县医疗保障局")


def test_guide_with_label_lines(mini, tmp_path):
    """A guide laid out as label line / value line, without 一、 numbering, is read the same way."""
    source = tmp_path / "guide.txt"
    source.write_text(
        "异地就医备案办事指南\n事项名称：\n异地就医备案\n实施主体\n襄垣县医疗保障局\n"
        "受理条件：\n1. 参加本县基本医疗保险\n"
        "申请材料：\n1. 身份证\n2. 异地就医备案表\n办理时限：即时办结\n咨询电话：0355-7794580\n",
        encoding="utf-8",
    )
    result = draft(source, "140423-g2", mini)
    (service,) = result.records["services"]
    assert service.name == "异地就医备案" and service.implementer == "襄垣县医疗保障局"
    assert service.conditions == ["参加本县基本医疗保险"]
    assert [m.name for m in service.materials] == ["身份证", "异地就医备案表"]
    assert service.time_limit == "即时办结" and service.phones[0].number == "0355-7794580"
    assert result.document.kind == "办事指南"


@pytest.mark.slow
def test_a_draft_that_fails_validation_leaves_the_registry_as_it_was(registry, monkeypatch):
    """Expected: if the written folder does not validate, it is removed, the folder it replaced is put
    back and the source files it added are deleted."""
    from qingdan.draft import writer
    from qingdan.registry import Problem
    from qingdan.validate import Report

    draft(FIXTURES / "xiangyuan-powers.xlsx", "140423-xy", registry)
    before = {p.relative_to(registry): p.read_bytes() for p in registry.rglob("*") if p.is_file()}

    def failing_check(loaded):
        return Report(loaded, errors=[Problem("error", "bad", "x.yaml", 1, "name", "broken on purpose")])

    monkeypatch.setattr(writer, "check", failing_check)
    with pytest.raises(DraftError, match="broken on purpose"):
        draft(FIXTURES / "xiangyuan-powers.docx", "140423-xy", registry, force=True)
    after = {p.relative_to(registry): p.read_bytes() for p in registry.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.slow
def test_seed_003_supervision_rules_agree(registry):
    """The 事中事后监督管理制度 of seed 003's own text: rules (（一）, （二）1 …) and their sections."""
    result = draft(ROOT / "registry" / "sources" / "003_f3418079043bdde9.txt", "131100-t3", registry)
    fields, lists = ("seq", "title", "scope"), {"sections": ("heading", "text")}
    hand_rules = hand(registry, "131100-hengshui-ybj", "supervision_rule")
    expected = flat(hand_rules, fields, lists)
    got = flat(result.records["supervision_rules"], fields, lists)
    score = agreement(expected, got)
    print(f"003 text, supervision rules: agreement {score:.1%} of {len(expected)} fields")
    assert score >= 0.9
    assert [r.title for r in result.records["supervision_rules"]] == [r.title for r in hand_rules]
