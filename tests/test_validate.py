"""The validator: every error class and every finding class, with its message and line."""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from qingdan.cli import cli
from qingdan.validate import validate

from .conftest import MINI, edit, line_of


def codes(problems):
    return [p.code for p in problems]


def only(problems, code):
    matches = [p for p in problems if p.code == code]
    assert len(matches) == 1, f"expected one {code}, got {[p.format() for p in problems]}"
    return matches[0]


def test_mini_registry_is_valid_and_loads_every_kind():
    report = validate(MINI)
    assert report.errors == []
    kinds = report.registry.by_kind
    for kind in (
        "agency",
        "unit",
        "person",
        "post",
        "membership",
        "duty",
        "boundary",
        "power",
        "service",
        "flow",
        "flow_template",
        "supervision_rule",
        "task",
        "self_check",
        "document",
        "code_scheme",
    ):
        assert kinds.get(kind), f"no {kind} loaded"


# --- errors ----------------------------------------------------------------------------


def test_yaml_syntax_error_names_the_line(mini):
    path = edit(mini, "    title: 示例县医疗保障局权责清单", "    title: [unclosed")
    report = validate(mini)
    problem = only(report.errors, "yaml_syntax")
    assert problem.file.endswith("registry.yaml")
    assert abs(problem.line - line_of(path, "[unclosed")) <= 1
    assert "YAML syntax" in problem.message


def test_missing_required_field(mini):
    path = edit(mini, "    name: 对骗取医疗保障基金行为的处罚\n", "")
    problem = only(validate(mini).errors, "missing_field")
    assert problem.field == "powers[0].name"
    assert problem.message == "this required field is missing"
    assert problem.line == line_of(path, "- id: demo-power-b1")


def test_unknown_field_is_named_with_its_line(mini):
    path = edit(mini, "    category_raw: 行政处罚类", "    category_raw: 行政处罚类\n    categroy: 行政处罚")
    problem = only(validate(mini).errors, "unknown_field")
    assert problem.field == "powers[0].categroy"
    assert problem.line == line_of(path, "categroy:")
    assert "unknown field" in problem.message


def test_unknown_section(mini):
    edit(mini, "self_checks:", "selfchecks:")
    problem = only(validate(mini).errors, "unknown_field")
    assert problem.field == "selfchecks"
    assert "unknown section" in problem.message


def test_wrong_type_and_closed_choice(mini):
    edit(mini, "    levels: [C]", "    levels: [D]")
    edit(mini, '    seq: "1"\n    title: 行风教育', "    seq: [1]\n    title: 行风教育")
    errors = validate(mini).errors
    level = next(p for p in errors if p.field == "services[0].levels[0]")
    assert "'D' is not allowed here" in level.message
    seq = next(p for p in errors if p.field == "tasks[0].seq")
    assert seq.message == "expected text, got a list"


def test_dangling_reference(mini):
    path = edit(mini, "    flow: demo-flow-b1", "    flow: demo-flow-nope")
    problem = only(validate(mini).errors, "dangling_reference")
    assert problem.field == "powers[0].flow"
    assert problem.line == line_of(path, "demo-flow-nope")
    assert problem.message == "refers to flow 'demo-flow-nope', which is not in the registry"


def test_reference_to_a_record_of_the_wrong_kind(mini):
    edit(mini, "      - {unit: demo-ybj-dy, raw: 待遇股}", "      - {unit: demo-mzj, raw: 待遇股}")
    problem = only(validate(mini).errors, "dangling_reference")
    assert problem.message == "refers to 'demo-mzj' as a unit, but that ID belongs to a record of kind agency"


def test_duplicate_id_names_both_places(mini):
    path = edit(mini, "  - id: demo-mzj", "  - id: demo-ybj")
    problem = only(validate(mini).errors, "duplicate_id")
    assert problem.line == line_of(path, "- id: demo-ybj", 2)
    assert f":{line_of(path, '- id: demo-ybj')}" in problem.message


def test_duplicate_id_in_another_file(mini):
    (mini / "other.yaml").write_text(
        "persons:\n  - id: demo-zhang-san\n    name: 张三\n    source: {document: doc-mini, locator: x}\n",
        encoding="utf-8",
    )
    problem = only(validate(mini).errors, "duplicate_id")
    assert problem.file.endswith("other.yaml") and problem.line == 2


def test_malformed_id(mini):
    edit(mini, "  - id: demo-rule-1", "  - id: Demo Rule/1")
    problem = only(validate(mini).errors, "malformed_value")
    assert problem.field == "supervision_rules[0].id"
    assert "is not a valid ID" in problem.message


def test_malformed_code(mini):
    edit(
        mini,
        "    code: 3400-B-00100-140423\n    code_scheme: sx-demo\n    category: 行政处罚",
        "    code: 3400-B-001-140423\n    code_scheme: sx-demo\n    category: 行政处罚",
    )
    problem = only(validate(mini).errors, "malformed_code")
    assert problem.field == "powers[0].code"
    assert "does not follow code scheme sx-demo" in problem.message


def test_unknown_region_code(mini):
    edit(
        mini,
        '    region: "140423"\n    kind: government_department\n    name_stated: false',
        '    region: "149999"\n    kind: government_department\n    name_stated: false',
    )
    problem = only(validate(mini).errors, "malformed_code")
    assert problem.message == "149999 is not a GB/T 2260 region code"


def test_flow_edge_to_unknown_node(mini):
    edit(mini, "      - {from: n2, to: n3, reconstructed: true}", "      - {from: n2, to: n9, reconstructed: true}")
    problem = only(validate(mini).errors, "dangling_reference")
    assert problem.field == "flow_templates[0].edges[1].to"
    assert "not a node of this flow" in problem.message


def test_source_line_past_end_of_file(mini):
    edit(mini, "locator: 九、自查 1, line: 28}", "locator: 九、自查 1, line: 2800}")
    problem = only(validate(mini).errors, "bad_locator")
    assert "past the end of mini.txt" in problem.message


def test_missing_source_file(mini):
    (mini / "sources" / "mini.txt").unlink()
    problem = only(validate(mini).errors, "missing_source")
    assert problem.field == "documents[0].file"


def test_one_broken_record_does_not_hide_the_others(mini):
    edit(mini, "    name: 对骗取医疗保障基金行为的处罚\n", "")
    report = validate(mini)
    assert len(report.errors) == 1
    assert len(report.registry.of("service")) == 1


# --- findings --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def findings():
    report = validate(MINI)
    assert report.ok
    return report.findings


def test_duplicate_official_code(findings):
    problem = only(findings, "duplicate_code")
    assert problem.severity == "high"
    assert "3400-B-00100-140423 is used by 2 different powers" in problem.message
    assert problem.records == ["demo-power-b1", "demo-power-b1-second"]


def test_category_letter_disagrees(findings):
    problem = only(findings, "category_mismatch")
    assert problem.record == "demo-power-b1-second"
    assert "disagrees with the code letter B" in problem.message


def test_heading_naming_two_categories(mini):
    edit(mini, "    category: 行政检查\n", "    category: 行政处罚\n")
    problem = only(validate(mini).findings, "category_mismatch")
    assert problem.severity == "medium"
    assert "names 2 categories" in problem.message


def test_code_region_not_the_agencys(mini):
    edit(
        mini,
        "    code: 3400-B-00100-140423\n    code_scheme: sx-demo\n    category: 行政处罚",
        "    code: 3400-B-00100-140421\n    code_scheme: sx-demo\n    category: 行政处罚",
    )
    problem = only(validate(mini).findings, "code_region_mismatch")
    assert "region 140421 is not the region of 襄垣县医疗保障局 (140423)" in problem.message


def test_power_without_legal_basis(findings):
    problems = {p.record: p for p in findings if p.code == "no_legal_basis"}
    assert set(problems) == {"demo-power-b1-second", "demo-service-1"}  # powers and services alike
    assert "服务事项“异地就医备案”在源文件中未载明设定依据" == problems["demo-service-1"].message_zh


def test_damaged_text_is_a_finding_with_the_raw_text(findings):
    problem = only(findings, "ambiguous")
    assert "'李 四'" in problem.message and problem.severity == "low"


def test_table_cut_off_in_source(findings):
    problem = only(findings, "source_truncated")
    assert problem.severity == "medium" and "中断" in problem.message


def test_unresolved_names(findings):
    names = sorted(p.message for p in findings if p.code == "unresolved_name")
    assert names == [
        "the body '办公室' cannot be resolved to a known agency",
        "the body '某合作社' cannot be resolved to a known agency",
    ]


def test_phone_without_area_code(findings):
    problem = only(findings, "phone_without_area_code")
    assert "7794580" in problem.message  # 0355-7794581 has one and is not reported


def test_agency_known_only_by_code(findings):
    problem = only(findings, "agency_not_named")
    assert "140423" in problem.message


def test_flows_not_available_or_reconstructed(findings):
    assert only(findings, "flow_not_available").record == "demo-flow-01-1"
    assert only(findings, "flow_reconstructed").record == "demo-flow-b1"


# --- the command -----------------------------------------------------------------------


def test_cli_exit_status_and_format(mini):
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate", str(MINI)])
    assert ok.exit_code == 0
    assert "[high] the official code 3400-B-00100-140423" in ok.output
    assert "0 errors, 14 findings" in ok.output

    path = edit(mini, "    flow: demo-flow-b1", "    flow: demo-flow-nope")
    broken = runner.invoke(cli, ["validate", str(mini)])
    assert broken.exit_code == 1
    line = line_of(path, "demo-flow-nope")
    assert f"registry.yaml:{line}: powers[0].flow: refers to flow 'demo-flow-nope'" in broken.output


def test_cli_json(mini):
    result = CliRunner().invoke(cli, ["validate", str(MINI), "--format", "json"])
    data = json.loads(result.output)
    assert data["summary"]["errors"] == 0
    assert {f["code"] for f in data["findings"]} >= {"duplicate_code", "phone_without_area_code"}
    assert all({"file", "line", "field", "message", "severity"} <= f.keys() for f in data["findings"])


def test_one_letter_under_several_headings(findings):
    problem = only(findings, "mixed_headings")
    assert "行政处罚类（1），行政检查和行政处罚类（1）" in problem.message_zh
    assert problem.records == ["demo-power-b1", "demo-power-b1-second"]


def test_every_finding_has_a_chinese_message(findings):
    for problem in findings:
        assert problem.message_zh and any("\u4e00" <= ch <= "\u9fff" for ch in problem.message_zh), problem.code


def test_every_finding_is_attributed_to_an_agency(findings):
    registry = validate(MINI).registry
    assert all(f.agency for f in findings), [f.format() for f in findings if not f.agency]
    assert registry.agency_of("demo-duty-1-wi-1") == "demo-ybj"  # a work item: its duty's agency
    assert registry.agency_of("demo-m-1") == "demo-ybj"  # a membership: its post's agency
    assert registry.agency_of("demo-tpl-penalty") == "demo-ybj"  # no agency field: the publisher


@pytest.mark.slow  # jieba rebuilds its dictionary cache (~2 s) in the fresh folder
def test_validate_keeps_the_segmenter_cache_in_the_users_cache_folder(tmp_path):
    """`qingdan validate` alone (no build folder) writes jieba's cache to the user's cache folder,
    private, and nothing to the system's shared temporary folder."""
    system_tmp, cache_home = tmp_path / "system-tmp", tmp_path / "cache-home"
    system_tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "QINGDAN_CACHE"}
    env.update(TMPDIR=str(system_tmp), XDG_CACHE_HOME=str(cache_home))
    proc = subprocess.run(
        [sys.executable, "-m", "qingdan.cli", "validate", str(MINI), "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert list(system_tmp.iterdir()) == []
    folder = cache_home / "qingdan" / "jieba"
    assert (folder / "jieba.cache").is_file() and folder.stat().st_mode & 0o777 == 0o700
