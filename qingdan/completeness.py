"""Completeness, for auditors: for each agency and kind of matter, the share of the elements a reader
expects (`kinds.MATTERS`) that its powers and services give. The `completeness` table of the database
and the chart of the quality page are made from these rows."""

from __future__ import annotations

import weakref

from pydantic import BaseModel, Field

from . import kinds
from .registry import Registry

COMPLETENESS_TABLE = "completeness"


class CompletenessRow(BaseModel):
    """One agency's records of one kind of matter: how many of the elements a reader expects they give."""

    agency: str = Field(description="The agency (agencies.id)")
    agency_name: str = Field(description="The agency's name")
    matter_type: str = Field(description="事项类型 code, GB/T 39046-2020 Annex A.1 (01 行政许可 … 20 公共服务)")
    matter_name: str = Field(description="事项类型 name, e.g. 行政处罚")
    records: int = Field(description="Number of its powers and services of this kind")
    expected: int = Field(description="Elements a reader expects of this kind (its page lists them), over its records")
    given: int = Field(description="Of those, how many the records give (the others are 源文件未载明)")
    share: float = Field(description="given / expected, 0 to 1 (3 decimals)")


_MADE: dict[int, tuple[weakref.ref, list[dict]]] = {}  # id(registry) → (the registry, its rows): a build asks twice


def completeness_rows(registry: Registry) -> list[dict]:
    """A row per agency and kind of matter its powers and services are of, agencies in registry order,
    kinds in the order of Annex A.1. Worked out once per loaded registry (the database and the quality
    page both show them; about 30 µs a record)."""
    kept = _MADE.get(id(registry))
    if kept is None or kept[0]() is not registry:
        _MADE.clear()  # one registry at a time
        kept = _MADE[id(registry)] = (weakref.ref(registry), _rows(registry))
    return [dict(row) for row in kept[1]]


def _rows(registry: Registry) -> list[dict]:
    tally: dict[tuple[str, str], list[int]] = {}
    for kind in ("power", "service"):
        for record in registry.of(kind):
            matter = kinds.matter_of(record)
            expected = len(matter.expected)
            given = expected - len(kinds.absent(record, matter))
            counts = tally.setdefault((record.agency, matter.name), [0, 0, 0])
            counts[0] += 1
            counts[1] += expected
            counts[2] += given
    order = {agency.id: i for i, agency in enumerate(registry.of("agency"))}
    rows = []
    for (agency_id, name), (records, expected, given) in sorted(
        tally.items(), key=lambda item: (order.get(item[0][0], len(order)), item[0][0], kinds.MATTER_TYPES[item[0][1]])
    ):
        agency = registry.get(agency_id)
        rows.append(
            CompletenessRow(
                agency=agency_id,
                agency_name=agency.name if agency is not None else agency_id,
                matter_type=kinds.MATTER_TYPES[name],
                matter_name=name,
                records=records,
                expected=expected,
                given=given,
                share=round(given / expected, 3) if expected else 1.0,
            ).model_dump()
        )
    return rows


def column_descriptions() -> dict[str, dict[str, str]]:
    return {
        COMPLETENESS_TABLE: {
            name: info.description for name, info in CompletenessRow.model_fields.items() if info.description
        }
    }


def write_completeness(db, registry: Registry) -> None:
    """The `completeness` table (sqlite-utils database), made even when there are no rows."""
    types = {int: int, float: float}
    columns = {name: types.get(info.annotation, str) for name, info in CompletenessRow.model_fields.items()}
    db[COMPLETENESS_TABLE].create(columns, if_not_exists=True)
    rows = completeness_rows(registry)
    if rows:
        db[COMPLETENESS_TABLE].insert_all(rows)
    db[COMPLETENESS_TABLE].create_index(["agency"], if_not_exists=True)
