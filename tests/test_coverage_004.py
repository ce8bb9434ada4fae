"""Coverage of seed 004 (襄垣县医疗保障局 行政职权运行流程图, doc-004).

Everything expected is parsed from the seed text itself: the 27 powers (职权编码, category
heading, 职权名称, 承办机构 lines, phones), then looked up in the registry.
"""

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from qingdan.validate import validate

from .conftest import seed_registry

ROOT = Path(__file__).parents[1]
REGISTRY = ROOT / "registry"
SEED_NAME = "004_c1cf65d724724f9f.txt"
SEED = REGISTRY / "sources" / SEED_NAME

AGENCY = "140423-ybj"
DOC = "doc-004"
MY_FILES = [
    "140423-xiangyuan-ybj",
    "schemes/shanxi.yaml",
    "templates/140423-xiangyuan-ybj.yaml",
    "directory/140400.yaml",
]


def nows(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def strip_bookmarks(text: str) -> str:
    return re.sub(r"\[bookmark: [^\]]*\]", "", text)


def parse_seed():
    """The powers of the seed, in order: code, heading, name line, 承办机构 pieces, phones."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip().startswith("职权编码：")]
    powers = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        j = start - 1
        while not lines[j].strip():
            j -= 1
        heading = strip_bookmarks(lines[j]).strip()
        code = lines[start].split("职权编码：", 1)[1].strip()
        name_line = strip_bookmarks(lines[start + 1])
        assert "职权名称：" in name_line, f"line {start + 2}: no 职权名称"
        name_line = name_line.split("职权名称：", 1)[1].strip()
        h = next(x for x in range(start, end) if "承办机构：" in lines[x])
        handling = [lines[h].split("承办机构：", 1)[1]]
        x = h + 1
        while "服务电话" not in lines[x]:
            if lines[x].strip():
                handling.append(lines[x])
            x += 1
        pieces = [nows(p) for line in handling for p in nows(line).split("、")]
        phone_text = " ".join(lines[x : x + 2])
        phones = [
            (m.group(2), {"服务": "service", "监督": "supervision"}[m.group(1)])
            for m in re.finditer(r"(服务|监督)电话：\s*([0-9-]+)", phone_text)
        ]
        powers.append(
            dict(line=start + 1, code=code, heading=heading, name_line=name_line, handling=pieces, phones=phones)
        )
    return lines, powers


LINES, SEED_POWERS = parse_seed()


@pytest.fixture(scope="module")
def registry():
    return seed_registry()  # loaded once per session, read only


@pytest.fixture(scope="module")
def powers(registry):
    mine = [p for p in registry.of("power") if p.agency == AGENCY and p.source.document == DOC]
    return sorted(mine, key=lambda p: p.source.line)


def test_no_errors_in_my_files(registry):
    mine = [e for e in registry.errors if any(f in e.file for f in MY_FILES)]
    assert mine == [], [e.format() for e in mine]


def test_seed_has_27_powers_with_the_known_repeated_codes():
    assert len(SEED_POWERS) == 27
    counts = Counter(p["code"] for p in SEED_POWERS)
    assert len(counts) == 16
    assert counts["3400-B-00500-140423"] == 5
    assert counts["3400-J-00100-140423"] == 8


def test_every_power_is_in_the_registry_in_source_order(powers):
    assert len(powers) == len(SEED_POWERS) == 27
    assert [p.id for p in powers] == [f"{AGENCY}-power-{n:02d}" for n in range(1, 28)]
    for seed, power in zip(SEED_POWERS, powers, strict=False):
        assert power.source.line == seed["line"]
        assert power.code == seed["code"], power.id
        assert seed["code"] in power.source.locator


def test_codes_repeat_exactly_as_in_the_source(powers):
    assert Counter(p.code for p in powers) == Counter(p["code"] for p in SEED_POWERS)
    assert sum(p.code == "3400-B-00500-140423" for p in powers) == 5
    assert sum(p.code == "3400-J-00100-140423" for p in powers) == 8


def test_names(powers):
    for seed, power in zip(SEED_POWERS, powers, strict=False):
        name_line = nows(seed["name_line"])
        if "条件：" in name_line:
            # 职权名称 runs on into the 支付条件: the name is what comes before 条件：
            assert nows(power.name) == name_line.split("条件：", 1)[0], power.id
            assert power.conditions and power.materials and power.note
        else:
            assert nows(power.name) == name_line, power.id


def test_category_headings(registry, powers):
    scheme = registry.get("shanxi-qlqd")
    headings = Counter(seed["heading"] for seed in SEED_POWERS)
    assert all(h.endswith("类") for h in headings), headings
    for seed, power in zip(SEED_POWERS, powers, strict=False):
        assert nows(power.category_raw) == nows(seed["heading"]), power.id
        letter = seed["code"].split("-")[1]
        assert power.category == scheme.categories[letter], power.id
        assert power.category.removeprefix("行政") in power.category_raw or power.category_raw == "行政监督检查类"


def test_handling_lines(powers):
    for seed, power in zip(SEED_POWERS, powers, strict=False):
        raws = [nows(h.raw) for h in power.handling]
        assert raws == seed["handling"], power.id
        for h in power.handling:
            assert h.unit or h.agency, f"{power.id}: {h.raw} not resolved"
            if "（" in h.raw or h.raw.endswith("）"):
                assert h.steps, f"{power.id}: {h.raw} has a step but no steps"


def test_phones(powers):
    for seed, power in zip(SEED_POWERS, powers, strict=False):
        assert len(seed["phones"]) == 2
        assert [(nows(p.number), p.kind) for p in power.phones] == seed["phones"], power.id


def test_every_power_has_a_full_reconstructed_flow(registry, powers):
    text = nows("\n".join(LINES).replace("[image: ]", "@"))
    for power in powers:
        flow = registry.get(power.flow)
        assert flow is not None and flow.availability == "full", power.id
        graph = registry.get(flow.template) if flow.template else flow
        assert graph.nodes and graph.edges, power.id
        assert all(e.reconstructed for e in graph.edges), power.id
        assert {n.kind for n in graph.nodes} >= {"start", "end"}, power.id
        # every box word and condition label is in the seed text
        for label in [n.label for n in graph.nodes] + [e.label for e in graph.edges if e.label]:
            assert nows(label).replace("[image:]", "@") in text, f"{power.id}: {label}"


def test_penalty_assignments_follow_the_handling_lines(registry, powers):
    for power in powers:
        flow = registry.get(power.flow)
        if flow.template != "140423-ybj-tpl-penalty":
            continue
        assert [nows(a.unit_raw) for a in flow.assignments] == [nows(h.raw) for h in power.handling]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Validate my files alone, so that other sources still being written cannot hide findings."""
    root = tmp_path_factory.mktemp("reg004")
    shutil.copytree(REGISTRY / "sources", root / "sources")
    for rel in MY_FILES:
        src = REGISTRY / rel
        if src.is_dir():
            shutil.copytree(src, root / rel)
        else:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, root / rel)
    return validate(root)


def test_validator_reports_the_expected_findings(report, powers):
    assert report.errors == [], [e.format() for e in report.errors]
    by_code = {}
    for f in report.findings:
        by_code.setdefault(f.code, []).append(f)

    dup = {f.message.split("the official code ", 1)[1].split(" ", 1)[0]: f for f in by_code["duplicate_code"]}
    assert set(dup) == {"3400-B-00500-140423", "3400-J-00100-140423"}
    assert "used by 5 different powers" in dup["3400-B-00500-140423"].message
    assert "used by 8 different powers" in dup["3400-J-00100-140423"].message
    assert set(dup["3400-B-00500-140423"].records) == {p.id for p in powers if p.code == "3400-B-00500-140423"}
    assert set(dup["3400-J-00100-140423"].records) == {p.id for p in powers if p.code == "3400-J-00100-140423"}

    mixed = [p.id for p in powers if p.category_raw == "行政检查和行政处罚类"]
    assert len(mixed) == 1
    cat = [f for f in by_code["category_mismatch"] if f.record == mixed[0]]
    assert len(cat) == 1 and "行政检查和行政处罚类" in cat[0].message

    unnamed = [f for f in by_code["agency_not_named"] if f.record == AGENCY]
    assert len(unnamed) == 1 and "140423" in unnamed[0].message and "0355" in unnamed[0].message
