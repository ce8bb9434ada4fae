"""The `matters` and `matter_members` tables: columns and descriptions from the row models below."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from .comparison import compare, member_columns
from .matters import Matter
from .registry import Registry
from .urls import matter_path, page_url


class MatterRow(BaseModel):
    """A matter: powers and services of different agencies that are the same."""

    id: str = Field(description="Stable ID of the matter")
    title: str = Field(description="The shortest name printed for it")
    status: Literal["confirmed", "proposed", "single"] = Field(
        description="confirmed by an editor, proposed by matching, or single (one agency lists it)"
    )
    agencies: int = Field(description="Number of agencies listing it")
    confidence: float = Field(description="The lowest confidence of its members")
    page_url: str | None = Field(None, description="Address of the matter's comparison page on the site")


class MatterMemberRow(BaseModel):
    """A power or service in a matter, with why it was put there and how it compares."""

    matter: str = Field(description="The matter (matters.id)")
    record: str = Field(description="The power or service")
    kind: Literal["power", "service"]
    agency: str = Field(description="The agency listing it")
    name: str = Field(description="Name as printed")
    confidence: float = Field(description="How sure the grouping is, 0 to 1 (1: confirmed by an editor)")
    evidence: str = Field(description="Why it was grouped: same code, same name, same cited article")
    category: str | None = Field(None, description="Category as the list gives it")
    code: str | None = Field(None, description="Official code as printed")
    legal_bases: str | None = Field(None, description="Legal bases cited, with articles")
    time_limit: str | None = Field(None, description="Time limit as printed")
    fees: str | None = Field(None, description="Fees as printed")
    materials: int = Field(0, description="Number of materials asked for")
    level: str | None = Field(None, description="Handling level: the service's levels, else the agency's")
    steps: int | None = Field(None, description="Number of steps of its procedure, where known")
    outliers: str | None = Field(None, description="Where it differs from the other agencies' records")
    page_url: str | None = Field(None, description="Address of the record's page on the site")


MATTER_TABLES = {"matters": MatterRow, "matter_members": MatterMemberRow}
MATTER_FOREIGN_KEYS = {("matter_members", "matter", "matters", "id"), ("matter_members", "agency", "agencies", "id")}
_TYPES = {int: int, float: float, int | None: int, float | None: float}


def column_descriptions() -> dict[str, dict[str, str]]:
    return {
        table: {name: info.description for name, info in model.model_fields.items() if info.description}
        for table, model in MATTER_TABLES.items()
    }


def matter_rows(registry: Registry, matters: list[Matter], site_url: str = "") -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {"matters": [], "matter_members": []}
    for matter in matters:
        shared = len(matter.members) > 1
        rows["matters"].append(
            MatterRow(
                id=matter.id,
                title=matter.title,
                status=matter.status,
                agencies=len(matter.members),
                confidence=round(matter.confidence, 2),
                page_url=matter_url(matter.id, site_url) if shared else None,
            ).model_dump()
        )
        columns = member_columns(compare(registry, matter))
        for m in matter.members:
            rows["matter_members"].append(
                MatterMemberRow(
                    matter=matter.id,
                    record=m.record,
                    kind=m.kind,
                    agency=m.agency,
                    name=registry.get(m.record).name,
                    confidence=round(m.confidence, 2),
                    evidence="；".join(m.evidence),
                    page_url=page_url(m.kind, m.record, agency=m.agency, base=site_url),
                    **columns[m.record],
                ).model_dump()
            )
    return rows


def matter_url(matter_id: str, site_url: str = "") -> str:
    path = matter_path(matter_id)
    return f"{site_url.rstrip('/')}/{path}" if site_url else path


def write_matter_tables(db, registry: Registry, matters: list[Matter], site_url: str = "") -> None:
    """Both tables, created even when empty (the canned queries read them)."""
    rows = matter_rows(registry, matters, site_url)
    for table, model in MATTER_TABLES.items():
        columns = {name: _TYPES.get(info.annotation, str) for name, info in model.model_fields.items()}
        if table == "matters":
            db[table].create(columns, pk="id", replace=True)
        else:
            keys = [key[1:] for key in sorted(MATTER_FOREIGN_KEYS) if key[0] == table]
            db[table].create(columns, replace=True, foreign_keys=keys)
        db[table].insert_all(rows[table])
    for column in ("matter", "agency", "record"):
        db["matter_members"].create_index([column], if_not_exists=True)
