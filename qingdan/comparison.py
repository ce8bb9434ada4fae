"""One matter, side by side: what each agency prints for it, and where one differs from the rest.

Auditors ask whose time limit is longest and who asks for more documents; the answer is marked
on the row, never by changing what the lists print (time limits and fees stay as written).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .labels import zh_label
from .matters import Matter, normalise
from .registry import Registry

_DAYS = re.compile(r"(\d+)\s*个?\s*(工作日|日|天)")
_MONTHS = re.compile(r"(\d+)\s*个?\s*月")


@dataclass
class Row:
    """One agency's record of the matter, as printed, with the ways it stands out."""

    record: str
    kind: str
    agency: str
    agency_name: str
    name: str
    category: str | None
    code: str | None
    legal_bases: list[str]
    time_limit: str | None
    fees: str | None
    materials: int
    level: str | None
    steps: int | None
    confidence: float
    evidence: list[str]
    outliers: list[str] = field(default_factory=list)


def days(time_limit: str | None) -> int | None:
    """The time limit in days, where it is stated in days or months (工作日 counted as days)."""
    if not time_limit:
        return None
    found = [int(n) for n, _ in _DAYS.findall(time_limit)] + [int(n) * 30 for n in _MONTHS.findall(time_limit)]
    return max(found) if found else None


def _basis_text(basis) -> str:
    return "".join(filter(None, [basis.title, basis.doc_number and f"（{basis.doc_number}）", basis.article]))


def _steps(registry: Registry, record) -> int | None:
    process = getattr(record, "process", None)
    if process:
        return len(process)
    by_channel = [len(p.steps) for p in getattr(record, "processes", []) if p.steps]
    if by_channel:
        return max(by_channel)
    flow = registry.get(record.flow)
    if flow is None:
        return None
    nodes = flow.nodes or (registry.get(flow.template).nodes if registry.get(flow.template) else [])
    return sum(1 for n in nodes if n.kind in ("step", "decision")) or None


def _level(registry: Registry, record) -> str | None:
    if getattr(record, "levels_raw", None):
        return record.levels_raw
    levels = getattr(record, "levels", None)
    if levels:
        return "、".join(zh_label("PublicService.levels", x) for x in levels)
    agency = registry.get(record.agency)
    return zh_label("Agency.level", agency.level) if agency else None


def compare(registry: Registry, matter: Matter) -> list[Row]:
    """The matter's rows, each with its outliers marked."""
    rows = []
    for member in matter.members:
        record = registry.get(member.record)
        agency = registry.get(member.agency)
        rows.append(
            Row(
                record=member.record,
                kind=member.kind,
                agency=member.agency,
                agency_name=agency.name if agency else member.agency,
                name=record.name,
                category=record.category,
                code=getattr(record, "code", None),
                legal_bases=[_basis_text(b) for b in record.legal_bases],
                time_limit=record.time_limit,
                fees=record.fees,
                materials=len(record.materials),
                level=_level(registry, record),
                steps=_steps(registry, record),
                confidence=member.confidence,
                evidence=member.evidence,
            )
        )
    mark_outliers(registry, rows)
    return rows


def mark_outliers(registry: Registry, rows: list[Row]) -> None:
    if len(rows) < 2:
        return
    limits = {row.record: days(row.time_limit) for row in rows}
    known = [d for d in limits.values() if d is not None]
    if len(known) >= 2 and max(known) > min(known):
        for row in rows:
            if limits[row.record] == max(known):
                row.outliers.append(f"办理时限最长（约 {max(known)} 日）")
    counts = [row.materials for row in rows if row.materials]
    if len(counts) >= 2 and max(counts) > min(counts):
        for row in rows:
            if row.materials == max(counts):
                row.outliers.append(f"材料最多（{row.materials} 项，最少的 {min(counts)} 项）")
    bases = {row.record: {normalise(b.title) for b in registry.get(row.record).legal_bases} for row in rows}
    # how many rows cite each basis, and cite any: counted once, not row against row (a province's
    # matter has a row per county)
    citing = Counter(title for titles in bases.values() for title in titles)
    with_bases = sum(1 for titles in bases.values() if titles)
    for row in rows:
        if with_bases - (1 if bases[row.record] else 0) == 0:
            continue
        own = [b for b in registry.get(row.record).legal_bases if citing[normalise(b.title)] < 2]
        if own:
            titles = "、".join(dict.fromkeys(b.title for b in own))
            row.outliers.append(f"引用了其他机构未引用的依据：{titles}")
    categories = Counter(row.category for row in rows if row.category)
    if len(categories) > 1:
        most, most_count = categories.most_common(1)[0]
        tied = sum(1 for c in categories.values() if c == most_count) > 1
        for row in rows:
            if row.category and (tied or row.category != most):
                row.outliers.append(f"类别与其他机构不同（{row.category}）")


def member_columns(rows: list[Row]) -> dict[str, dict]:
    """Record → the comparison columns of `matter_members`."""
    return {
        row.record: {
            "category": row.category,
            "code": row.code,
            "legal_bases": "；".join(row.legal_bases) or None,
            "time_limit": row.time_limit,
            "fees": row.fees,
            "materials": row.materials,
            "level": row.level,
            "steps": row.steps,
            "outliers": "；".join(row.outliers) or None,
        }
        for row in rows
    }
