"""The draft corpus harness: real bureaus' documents, re-typeset, drafted and scored against hand-written facts.

A case is `tests/fixtures/draft/corpus/<case>.<ext>` (what `qingdan draft` reads) and
`<case>.expected.yaml` (what a careful person reads in it; the format is in the corpus README).
`run_case` drafts the file into a copy of the mini registry and scores it:

- every leaf value under `records` and `document`, and `agency_name`, is one fact;
- lists are compared by position; a missing record (or list item) fails all its facts, and each
  record or list item drafted beyond the expected ones is one failed fact;
- a field the models do not have (yet) fails its facts, it does not crash the harness;
- every expected finding code is one fact (it must be among the draft's findings for the agency).

A draft that `qingdan draft` refuses (DraftError) scores nothing; any other exception is a bug
and propagates.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel

from qingdan.draft import DraftError, draft
from qingdan.registry import load_registry

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "fixtures" / "draft" / "corpus"
MINI = ROOT / "tests" / "fixtures" / "mini"
SOURCE_EXTENSIONS = (".docx", ".xlsx", ".html", ".htm", ".pdf", ".txt")
EXPECTED_SUFFIX = ".expected.yaml"
MISSING = object()  # a record or value the draft does not have at all


class _Loader(yaml.SafeLoader):
    """YAML as written: dates stay text (2025-04-02 is compared with the draft's string, not a date)."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Case:
    name: str
    source: Path | None  # None when the folder holds no single <case>.<ext> for the expected file
    expected_file: Path

    @property
    def expected(self) -> dict:
        return yaml.load(self.expected_file.read_text(encoding="utf-8"), Loader=_Loader) or {}


def cases(folder: Path = CORPUS) -> list[Case]:
    """Every `*.expected.yaml` in the folder with the file it describes (any case, any helper's)."""
    found = []
    for expected in sorted(folder.glob(f"*{EXPECTED_SUFFIX}")):
        name = expected.name[: -len(EXPECTED_SUFFIX)]
        sources = [folder / f"{name}{ext}" for ext in SOURCE_EXTENSIONS if (folder / f"{name}{ext}").is_file()]
        found.append(Case(name, sources[0] if len(sources) == 1 else None, expected))
    return found


@dataclass
class Score:
    case: str
    matched: int = 0
    total: int = 0
    mismatches: list[str] = field(default_factory=list)
    error: str | None = None  # DraftError message when the draft was refused
    summary: str | None = None
    conflicts: list[str] = field(default_factory=list)  # summary says mapped, yet a note holds the column
    records: int = 0  # records drafted

    @property
    def fidelity(self) -> float:
        return self.matched / self.total if self.total else 0.0

    def ok(self) -> None:
        self.matched += 1
        self.total += 1

    def fail(self, path: str, expected, got, facts: int = 1) -> None:
        self.total += facts
        self.mismatches.append(f"{path}: {_show(expected)} != {_show(got)}")

    def report(self) -> str:
        head = f"{self.case}: fidelity {self.fidelity:.1%} ({self.matched}/{self.total} facts)"
        lines = [head] + ([f"  draft refused: {self.error}"] if self.error else [])
        lines += [f"  {m}" for m in self.mismatches]
        lines += [f"  summary conflict: {c}" for c in self.conflicts]
        return "\n".join(lines)


def _show(value) -> str:
    if value is MISSING:
        return "missing"
    if isinstance(value, BaseModel):
        value = value.model_dump(exclude_none=True, exclude_defaults=True, exclude={"source", "review", "id"})
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."


def count_facts(value) -> int:
    """Leaves of an expected value: each one fact."""
    if isinstance(value, dict):
        return sum(count_facts(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_facts(v) for v in value)
    return 1


def _leaf_equal(expected, got) -> bool:
    if got is MISSING:
        return False
    if expected is None:
        return got in (None, "", [])
    if isinstance(expected, dt.date):
        expected = expected.isoformat()
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, int | float) and isinstance(got, str):
        return str(expected) == got
    return expected == got


def compare(expected, got, path: str, score: Score) -> None:
    """Score `got` (a model, a list, a value or MISSING) against the expected value at `path`."""
    if isinstance(expected, dict):
        if got is MISSING or got is None:
            score.fail(path, f"<{count_facts(expected)} facts>", MISSING, count_facts(expected))
            return
        for key, value in expected.items():
            sub = f"{path}.{key}" if path else key
            if isinstance(got, BaseModel):
                if key not in type(got).model_fields:
                    score.fail(sub, value, f"<no field {type(got).__name__}.{key}>", count_facts(value))
                    continue
                compare(value, getattr(got, key), sub, score)
            elif isinstance(got, dict):
                compare(value, got.get(key, MISSING), sub, score)
            else:
                score.fail(sub, value, got, count_facts(value))
        return
    if isinstance(expected, list):
        items = list(got) if isinstance(got, list | tuple) else []
        if got is not MISSING and got is not None and not isinstance(got, list | tuple):
            score.fail(path, expected, got, count_facts(expected))
            return
        for i, item in enumerate(expected):
            compare(item, items[i] if i < len(items) else MISSING, f"{path}[{i}]", score)
        for j in range(len(expected), len(items)):
            score.fail(f"{path}[{j}]", "(not in the document)", items[j])
        return
    if _leaf_equal(expected, got):
        score.ok()
    else:
        score.fail(path, expected, got)


def score_draft(expected: dict, score: Score, *, agency_name, document, records: dict, finding_codes: set) -> None:
    """Score what a draft produced (or MISSING everywhere when it was refused)."""
    if "agency_name" in expected:
        compare(expected["agency_name"], agency_name, "agency_name", score)
    if expected.get("document"):
        compare(expected["document"], document, "document", score)
    wanted = expected.get("records") or {}
    for section, items in wanted.items():
        compare(items or [], records.get(section, []) if records is not MISSING else MISSING, section, score)
    if records is not MISSING:
        for section, items in records.items():
            if section not in wanted:
                for i, item in enumerate(items):
                    score.fail(f"{section}[{i}]", "(section not in the document)", item)
    for code in expected.get("findings") or []:
        if code in finding_codes:
            score.ok()
        else:
            score.fail(f"findings.{code}", "raised", "not raised")


MAPPED_LINE = re.compile(r"^columns mapped: (.*)$", re.M)


def summary_conflicts(summary: str, records: dict[str, list[BaseModel]]) -> list[str]:
    """Columns the summary says were mapped that nevertheless sit in a record's note as an unmapped column."""
    match = MAPPED_LINE.search(summary)
    if not match:
        return [f"the summary has no 'columns mapped:' line: {summary!r}"]
    mapped = [] if match.group(1).strip() == "none" else [c for c in match.group(1).split("、") if c]
    conflicts = []
    for section, items in records.items():
        for i, record in enumerate(items):
            for where, note in _notes(record, f"{section}[{i}]"):
                flat = re.sub(r"\s", "", note)
                for column in mapped:
                    key = re.sub(r"\s", "", column)
                    if re.search(rf"(?:——|；){re.escape(key)}：", flat):
                        conflicts.append(f"{where}.note holds the column {column!r}, which the summary lists as mapped")
    return conflicts


def _notes(record: BaseModel, where: str):
    note = getattr(record, "note", None)
    if note:
        yield where, note
    for k, item in enumerate(getattr(record, "work_items", None) or []):
        if item.note:
            yield f"{where}.work_items[{k}]", item.note


def _draft_kwargs(args: dict) -> tuple[dict, list[str]]:
    kwargs, notes = {"name": args.get("name")}, []
    columns = args.get("columns")
    if columns:
        if "columns" in inspect.signature(draft).parameters:
            kwargs["columns"] = columns
        else:
            notes.append(f"draft() takes no columns argument; drafted without columns={columns!r}")
    return kwargs, notes


def run_case(case: Case, workdir: Path) -> Score:
    """Draft the case's file into a fresh copy of the mini registry under `workdir` and score it."""
    expected = case.expected
    args = expected.get("draft") or {}
    score = Score(case.name)
    if case.source is None or not args.get("agency"):
        score.error = (
            f"no single file {case.name}.<{'|'.join(e[1:] for e in SOURCE_EXTENSIONS)}> beside its expected file"
            if case.source is None
            else "the expected file gives no draft.agency"
        )
        score_draft(expected, score, agency_name=MISSING, document=MISSING, records=MISSING, finding_codes=set())
        return score
    registry = workdir / "registry"
    if registry.exists():
        shutil.rmtree(registry)
    shutil.copytree(MINI, registry)
    kwargs, notes = _draft_kwargs(args)
    score.mismatches.extend(notes)
    try:
        result = draft(case.source, args["agency"], registry, **kwargs)
    except DraftError as exc:
        score.error = str(exc)
        score_draft(expected, score, agency_name=MISSING, document=MISSING, records=MISSING, finding_codes=set())
        return score
    agency = load_registry(registry).get(args["agency"])
    score.summary = result.summary()
    score.records = sum(len(items) for items in result.records.values())
    score_draft(
        expected,
        score,
        agency_name=agency.name if agency is not None else MISSING,
        document=result.document,
        records=result.records,
        finding_codes={f.code for f in result.findings},
    )
    score.conflicts = summary_conflicts(score.summary, result.records)
    return score
