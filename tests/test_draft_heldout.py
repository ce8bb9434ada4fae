"""The second corpus: real documents of other bureaus, first kept out of the draft's development.

Scored like the development corpus (tests/draft_corpus.py). They were written by hand before any draft was run
on them and measured unseen at 27% with the code of that day, then at 65.5% after rules for the failure
classes they showed (described in words, the files still unseen); only then were their misses read and fixed by
rules (tests/test_draft_heldout_rules.py). They are now development cases, held to the corpus's 98%; a new
held-out set is the next honest measure (tests/fixtures/draft/heldout/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .draft_corpus import cases, run_case

HELDOUT = Path(__file__).resolve().parent / "fixtures" / "draft" / "heldout"
CASES = cases(HELDOUT)
FLOOR = 0.98  # of the facts, as the development corpus


def test_heldout_cases_are_described():
    readme = (HELDOUT / "README.md").read_text(encoding="utf-8")
    assert len(CASES) >= 10
    for case in CASES:
        assert case.expected.get("url", "").startswith("http"), f"{case.name}: every case names its page"
        assert case.expected["url"] in readme, f"{case.name}: the README lists it with its URL"


@pytest.mark.slow
def test_heldout_fidelity(tmp_path_factory):
    scores = [run_case(case, tmp_path_factory.mktemp(case.name)) for case in CASES]
    matched, total = sum(s.matched for s in scores), sum(s.total for s in scores)
    for s in scores:
        print(f"{s.case:40} {s.fidelity:7.1%} {s.matched:4}/{s.total:<4}" + (" (refused)" if s.error else ""))
    print(f"{'held out':40} {matched / total:7.1%} {matched:4}/{total:<4}")
    assert not any(s.conflicts for s in scores), "a summary lists as mapped a column a record keeps in its note"
    assert matched / total >= FLOOR
