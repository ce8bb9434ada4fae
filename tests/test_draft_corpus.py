"""The draft corpus: real bureaus' lists re-typeset as they publish them, drafted and scored fact by fact.

One test per case prints its fidelity and every mismatch (`path: expected != got`) and checks that
the draft's summary agrees with what it wrote; one test holds the whole corpus to 98% of its facts.
The cases and their format: tests/fixtures/draft/corpus/README.md. The harness: tests/draft_corpus.py.
"""

from __future__ import annotations

import pytest

from qingdan.models import Evidence, LegalBasis, Power

from .draft_corpus import MISSING, Score, cases, compare, run_case, score_draft, summary_conflicts

CASES = cases()
THRESHOLD = 0.98
_scores: dict[str, Score] = {}


def scored(case, tmp_path_factory) -> Score:
    """Each case drafted once per session, whichever test asks first."""
    if case.name not in _scores:
        _scores[case.name] = run_case(case, tmp_path_factory.mktemp(case.name))
    return _scores[case.name]


def test_corpus_has_cases():
    assert len(CASES) >= 7
    for case in CASES:
        expected = case.expected
        assert case.source is not None, f"{case.name}: one file {case.name}.<ext> must sit beside its expected file"
        assert expected.get("url", "").startswith("http"), f"{case.name}: every case names the page it comes from"
        assert expected.get("layout"), f"{case.name}: a one-line layout description"
        assert expected.get("draft", {}).get("agency"), f"{case.name}: draft.agency is required"


def test_readme_lists_every_case():
    readme = (CASES[0].expected_file.parent / "README.md").read_text(encoding="utf-8")
    for case in CASES:
        name = case.source.name if case.source else case.name
        assert f"| `{name}` |" in readme, f"{case.name}: add its line (file, layout, URL) to the README"
        assert case.expected["url"] in readme, f"{case.name}: the README line gives its URL"


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case, tmp_path_factory):
    score = scored(case, tmp_path_factory)
    print("\n" + score.report())
    assert score.total, f"{case.name}: the expected file holds no facts"
    assert not score.conflicts, "the summary lists as mapped a column that a record keeps in its note"


@pytest.mark.slow
def test_corpus_fidelity(tmp_path_factory):
    scores = [scored(case, tmp_path_factory) for case in CASES]
    matched, total = sum(s.matched for s in scores), sum(s.total for s in scores)
    print()
    for s in scores:
        print(f"{s.case:40} {s.fidelity:7.1%} {s.matched:4}/{s.total:<4}" + (" (refused)" if s.error else ""))
    print(f"{'corpus':40} {matched / total:7.1%} {matched:4}/{total:<4}")
    assert matched / total >= THRESHOLD


# --- the scorer itself, on records made here (no drafting) ------------------------------------


def _power(**fields) -> Power:
    base = {
        "id": "x-power-1",
        "agency": "x",
        "category": "行政处罚",
        "category_raw": "行政处罚",
        "name": "对骗取医保基金的处罚",
        "source": {"document": "doc-x", "locator": "序号1"},
    }
    return Power.model_validate(base | fields)


def _score(expected: dict, records) -> Score:
    score = Score("t")
    score_draft(expected, score, agency_name="某局", document=MISSING, records=records, finding_codes={"truncated"})
    return score


def test_scorer_counts_leaves_positions_extras_and_unknown_fields():
    bases = [LegalBasis(title="中华人民共和国社会保险法", article="第八十七条")]
    got = {"powers": [_power(legal_bases=bases), _power(name="多出的一条")]}
    expected = {
        "agency_name": "某局",
        "records": {
            "powers": [
                {
                    "name": "对骗取医保基金的处罚",
                    "category": "行政处罚",
                    "discretion": "县级",  # not a field of Power: a failed fact, not a crash
                    "legal_bases": [
                        {"title": "中华人民共和国社会保险法", "article": "第八十七条"},
                        {"title": "中华人民共和国社会保险法", "article": "第八十八条"},
                    ],
                }
            ]
        },
        "findings": ["truncated", "source_truncated"],
    }
    score = _score(expected, got)
    # facts: agency 1 + name, category, discretion 3 + bases 4 + findings 2 = 10, plus 1 extra record
    assert (score.matched, score.total) == (6, 11)
    assert "powers[0].discretion: '县级' != '<no field Power.discretion>'" in score.mismatches
    assert "powers[0].legal_bases[1]: '<2 facts>' != missing" in score.mismatches
    assert any(m.startswith("powers[1]: '(not in the document)'") for m in score.mismatches)
    assert "findings.source_truncated: 'raised' != 'not raised'" in score.mismatches


def test_scorer_refused_draft_fails_every_fact():
    score = Score("t")
    expected = {"agency_name": "某局", "document": {"title": "清单", "date": "2025-04-02"}, "findings": ["draft"]}
    expected["records"] = {"powers": [{"name": "甲", "materials": [{"name": "乙"}]}]}
    score_draft(expected, score, agency_name=MISSING, document=MISSING, records=MISSING, finding_codes=set())
    assert (score.matched, score.total) == (0, 6)


def test_scorer_values_as_written():
    score = Score("t")
    evidence = Evidence(name="身份证")
    compare({"name": "身份证", "copies": "原件1份"}, evidence, "m", score)
    compare(None, None, "absent", score)
    compare(1177, "1177", "seq", score)
    assert (score.matched, score.total) == (3, 4)  # Evidence.copies is not a field yet


def test_summary_conflicts_find_a_mapped_column_in_a_note():
    power = _power(note="源文件中未对应字段的栏目——事项 类型：行政处罚；行使层级：县级")
    summary = "\n".join(
        [
            "drafted x/",
            "columns mapped: 事项名称、事项类型",
            "columns not mapped (kept on each record as a note): 行使层级",
        ]
    )
    (conflict,) = summary_conflicts(summary, {"powers": [power]})
    assert "'事项类型'" in conflict
    assert summary_conflicts(summary.replace("、事项类型", ""), {"powers": [power]}) == []


def _scalars(value, path: str):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _scalars(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _scalars(v, f"{path}[{i}]")
    else:
        yield path, value


def test_every_expected_value_is_a_model_value_or_text():
    """Expected files hold text, numbers, booleans or null: a value YAML turns into something else is a typo."""
    for case in CASES:
        for part in ("records", "document"):
            for path, value in _scalars(case.expected.get(part) or {}, part):
                assert value is None or isinstance(value, str | int | bool), f"{case.name} {path}: {value!r}"


def test_cases_are_found_by_their_expected_files(tmp_path):
    """Any helper's case (guide-* too) is found; a generator's .src.txt is not taken for the case's file."""
    for name in ("guide-a.expected.yaml", "guide-a.docx", "guide-a.src.txt", "b.expected.yaml", "make_b.py"):
        (tmp_path / name).write_text("url: http://example.org/\n", encoding="utf-8")
    found = {c.name: c.source for c in cases(tmp_path)}
    assert found == {"guide-a": tmp_path / "guide-a.docx", "b": None}
    (orphan,) = [c for c in cases(tmp_path) if c.name == "b"]
    score = run_case(orphan, tmp_path / "work")
    assert score.error.startswith("no single file b.") and score.matched == 0
