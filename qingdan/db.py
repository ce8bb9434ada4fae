"""Build the SQLite database from the validated registry, with sqlite-utils.

The tables are derived from the models: a top-level record kind becomes a table of its
own, a list of nested records becomes a child table with a foreign key to its parent,
lists of plain values become JSON columns. Nothing here lists fields by hand, so a new
model field appears in the database without touching this file.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import typing
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import sqlite_utils
from pydantic import BaseModel

from . import models
from .codes import CODE_PARTS, CodeError, parse_code
from .completeness import write_completeness
from .kinds import LEVEL_CODES, matter_of
from .matter_tables import write_matter_tables
from .matters import Matter
from .regions import lookup
from .registry import Registry
from .search import index_text, region_tokens, simplified
from .urls import page_url
from .validate import Report

# kind → table name, for every top-level kind (and work items, which have IDs of their own).
TABLES = {kind.name: kind.table for kind in models.KINDS}
# Nested lists that share a table across parents; `role` keeps which field a row came from.
CHILD_TABLES = {
    "parties": "boundary_parties",
    "lead": "task_parties",
    "responsible": "task_parties",
    "legal_bases": "legal_citations",
    "materials": "materials",
    "handling": "handlings",
    "phones": "phones",
    "channels": "channels",
    "contacts": "contacts",
    "processes": "processes",
    "related": "document_links",
    "nodes": "flow_nodes",
    "edges": "flow_edges",
    "assignments": "flow_assignments",
    "sections": "rule_sections",
    "handovers": "handovers",
    "defects": "document_defects",
    "review": "review_flags",
}
# top-level kinds first, then those nested in them (work items)
MODEL_OF_KIND = {kind.name: kind.model for kind in sorted(models.KINDS, key=lambda kind: kind.section is None)}
TABLE_KIND = {table: kind for kind, table in TABLES.items()}
FINDINGS_TABLE = "quality_findings"  # not "findings": that name is the canned query's
WORK_ITEM_OWNERS = sorted(kind for kind, model in MODEL_OF_KIND.items() if "work_items" in model.model_fields)


def _nested_model(annotation) -> type[BaseModel] | None:
    """The model inside `list[Model]` or `Model | None`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _nested_model(arg)
        if found:
            return found
    return None


def _is_list(annotation) -> bool:
    return typing.get_origin(annotation) is list or any(_is_list(a) for a in typing.get_args(annotation))


@cache
def column_plan(model: type[BaseModel]) -> list[tuple[str, str | None, type[BaseModel] | None, bool, str | None]]:
    """(field, description, nested model, is a list, referenced kind) for each field of `model`."""
    plan = []
    for name, info in model.model_fields.items():
        plan.append(
            (
                name,
                info.description,
                _nested_model(info.annotation),
                _is_list(info.annotation),
                models.referenced_kind(info),
            )
        )
    return plan


class Rows:
    """Rows per table."""

    def __init__(self):
        self.tables: dict[str, list[dict]] = {}

    def add(self, table: str, row: dict) -> None:
        self.tables.setdefault(table, []).append(row)


PAGE_KINDS = {kind.name for kind in models.KINDS if kind.folder or kind.anchored}


class Schema:
    """Tables, columns (with types and descriptions) and foreign keys, derived from the models."""

    def __init__(self):
        self.columns: dict[str, dict[str, type]] = {}
        self.descriptions: dict[str, dict[str, str]] = {}
        self.foreign_keys: set[tuple[str, str, str, str]] = set()

    def column(self, table: str, column: str, kind: type, description: str | None = None) -> None:
        self.columns.setdefault(table, {}).setdefault(column, kind)
        if description:
            self.descriptions.setdefault(table, {}).setdefault(column, description)

    def walk(self, model: type[BaseModel], table: str, prefix: str = "") -> None:
        for name, description, nested, is_list, ref in column_plan(model):
            column = prefix + name
            if nested is not None and is_list:
                if name == "work_items":
                    continue  # work items are records of their own
                child = CHILD_TABLES.get(name, f"{table}_{name}")
                parent_kind = TABLE_KIND.get(table, table)
                self.column(child, parent_kind, str, f"The {parent_kind} this row belongs to")
                self.column(child, "position", int, "Position in the list, from 0")
                self.column(child, "role", str, "The list the row came from")
                self.foreign_keys.add((child, parent_kind, table, "id"))
                self.walk(nested, child)
            elif nested is not None:
                self.walk(nested, table, prefix=f"{column}_")
            else:
                annotation = model.model_fields[name].annotation
                self.column(
                    table, column, int if annotation in (int, bool, int | None, bool | None) else str, description
                )
                if ref and not is_list:
                    self.foreign_keys.add((table, column, TABLES[ref], "id"))


@cache
def schema() -> Schema:
    plan = Schema()
    for kind, model in MODEL_OF_KIND.items():
        table = TABLES[kind]
        plan.column(table, "id", str)
        if kind == "work_item":
            for owner in WORK_ITEM_OWNERS:
                plan.column(table, owner, str, f"The {owner} holding the work item")
                plan.foreign_keys.add((table, owner, TABLES[owner], "id"))
        plan.walk(model, table)
        if kind in PAGE_KINDS:
            plan.column(table, "page_url", str, "Address of the record's page on the site")
    for part in CODE_PARTS:
        plan.column("powers", f"code_{part}", str, f"The code's {part} part, parsed by its scheme")
    for kind in ("power", "service"):
        plan.column(TABLES[kind], "matter_type_code", str, "事项类型代码 (GB/T 39046-2020 A.1), from its category")
    plan.column(TABLES["service"], "level_codes", str, "行使层级代码 (GB/T 39046-2020 A.2) of its levels")
    plan.column("legal_bases", "id", int)
    plan.column("legal_bases", "title", str, "Title as cited")
    plan.column("legal_bases", "doc_number", str, "Document number")
    plan.column("legal_citations", "legal_basis", int, "The cited document (legal_bases)")
    plan.foreign_keys.add(("legal_citations", "legal_basis", "legal_bases", "id"))
    return plan


def flatten(rows: Rows, record: BaseModel, table: str, row: dict, prefix: str = "") -> dict:
    """Fill `row` with the columns of `record`; send nested lists to child tables."""
    for name, _, nested, is_list, _ in column_plan(type(record)):
        value = getattr(record, name)
        column = prefix + name
        if nested is not None and is_list:
            if name == "work_items":
                continue  # work items are records of their own, written by the caller
            child = CHILD_TABLES.get(name, f"{table}_{name}")
            parent_kind = TABLE_KIND.get(table, table)
            for position, item in enumerate(value or []):
                child_row = {parent_kind: row.get("id"), "position": position, "role": name}
                flatten(rows, item, child, child_row)
                rows.add(child, child_row)
            continue
        if isinstance(value, BaseModel):
            flatten(rows, value, table, row, prefix=f"{column}_")
            continue
        if nested is not None:  # an optional nested model that is absent
            continue
        row[column] = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value
    return row


def registry_rows(registry: Registry, site_url: str = "") -> Rows:
    rows = Rows()
    for record_id, entry in registry.entries.items():
        table = TABLES[entry.kind]
        row: dict = {"id": record_id}
        if entry.kind == "work_item":
            row[registry.entries[entry.owner].kind] = entry.owner
        flatten(rows, entry.record, table, row)
        if entry.kind in PAGE_KINDS:
            row["page_url"] = page_url(entry.kind, record_id, agency=registry.agency_of(record_id), base=site_url)
        if entry.kind == "power":
            row.update(_code_columns(registry, entry.record))
        if entry.kind in ("power", "service"):
            row.update(_matter_codes(entry.record))
        rows.add(table, row)
    _add_legal_bases(rows)
    return rows


def _matter_codes(record) -> dict:
    """The national codes of a power's or service's kind of matter and levels (`kinds`, as its page shows)."""
    codes = {"matter_type_code": matter_of(record).code}
    if hasattr(record, "levels"):
        levels = [LEVEL_CODES[level][0] for level in record.levels if level in LEVEL_CODES]
        codes["level_codes"] = ",".join(levels) or None
    return codes


def _code_columns(registry: Registry, power) -> dict:
    try:
        parsed = parse_code(power.code, registry.get(power.code_scheme))
    except CodeError:
        parsed = None
    return {f"code_{part}": getattr(parsed, part, None) for part in CODE_PARTS}


def _add_legal_bases(rows: Rows) -> None:
    """One row per cited document, so journalists can ask which laws are cited most."""
    seen: dict[tuple, int] = {}
    for citation in rows.tables.get("legal_citations", []):
        key = (citation["title"], citation["doc_number"])
        if key not in seen:
            seen[key] = len(seen) + 1
            rows.add("legal_bases", {"id": seen[key], "title": key[0], "doc_number": key[1]})
        citation["legal_basis"] = seen[key]


VIEWS = {
    "powers_view": """
        select p.id, p.code, p.category, p.name, a.name as agency_name,
          (select group_concat(h.raw, '；') from handlings h where h.power = p.id) as handled_by,
          (select group_concat(ph.kind || ':' || ph.number, '；') from phones ph where ph.power = p.id) as phones,
          (select count(*) from legal_citations c where c.power = p.id) as legal_basis_count,
          p.source_document, p.source_locator, p.source_line, p.page_url
        from powers p join agencies a on a.id = p.agency""",
    "work_items_view": """
        select w.id, w.text, coalesce(po.name, d.text) as held_by, a.name as agency_name,
          w.responsible_raw, w.remark, w.delegation, k.name as kept_by_name,
          w.source_document, w.source_locator, w.source_line, w.page_url
        from work_items w
          left join posts po on po.id = w.post
          left join duties d on d.id = w.duty
          join agencies a on a.id = coalesce(po.agency, d.agency)
          left join agencies k on k.id = w.kept_by""",
    "boundary_parties_view": """
        select b.id as boundary, b.matter, bp.raw as party_as_written, a.name as party_agency_name,
          bp.division, pa.name as registered_by, b.page_url
        from boundary_parties bp join boundaries b on b.id = bp.boundary
          left join agencies a on a.id = bp.agency
          join agencies pa on pa.id = b.agency""",
    "people_in_posts": """
        select pe.name as person, m.role_label, po.name as post, g.name as organization, m.title,
          coalesce(a.name, g.name) as agency_name, coalesce(po.page_url, g.page_url) as page_url
        from memberships m join persons pe on pe.id = m.person
          left join posts po on po.id = m.post
          left join agencies a on a.id = po.agency
          left join agencies g on g.id = m.organization""",
}


def build_database(
    report: Report,
    path: Path,
    *,
    site_url: str = "",
    stamp: dict | None = None,
    extra_tables: dict[str, list[dict]] | None = None,
    matters: list[Matter] | None = None,
) -> Path:
    """Write the database to `path` atomically: built beside it, then moved into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".db-build-") as tmp:
        tmp_path = Path(tmp) / path.name
        db = sqlite_utils.Database(tmp_path)
        # A staging file, published whole or thrown away: no journal syncs (each cost a disk flush).
        db.conn.execute("pragma journal_mode = memory")
        db.conn.execute("pragma synchronous = off")
        _write_tables(db, registry_rows(report.registry, site_url=site_url))  # the rows freed once written
        _write_findings(db, report)
        for table, table_rows in (extra_tables or {}).items():
            if table_rows:
                db[table].insert_all(table_rows, alter=True)
        _write_search(db, report.registry, site_url)
        _write_thesaurus(db, report.registry)
        write_matter_tables(db, report.registry, matters or report.matters, site_url)
        write_completeness(db, report.registry)
        for name, sql in VIEWS.items():
            db.create_view(name, sql, replace=True)
        db["builds"].insert(
            {
                "version": (stamp or {}).get("version"),
                "built_at": (stamp or {}).get("date") or datetime.now(UTC).isoformat(timespec="seconds"),
                "records": sum(len(v) for v in report.registry.by_kind.values()),
                "findings": len(report.findings),
            }
        )
        db.conn.execute("vacuum")
        db.close()
        shutil.move(str(tmp_path), str(path))
    return path


def _write_tables(db: sqlite_utils.Database, rows: Rows) -> None:
    """Create every table of the schema (even when the registry has no such records), then fill them."""
    plan = schema()
    keys = sorted(plan.foreign_keys)
    _create_tables(db, plan.columns, keys)
    for table, table_rows in rows.tables.items():
        insert_rows(db, table, table_rows)
    for table, column, _, _ in keys:
        db[table].create_index([column], if_not_exists=True)
    for table in ("powers", "services"):
        db[table].create_index(["category"], if_not_exists=True)


def insert_rows(db: sqlite_utils.Database, table: str, rows: list[dict]) -> None:
    """Rows into a table made beforehand, with one executemany. Here every value is already a str, an
    int, a float or None (lists are JSON by `flatten`), and sqlite-utils' `insert_all` checking and
    converting each value again was a third of a 100,000-power build. A column the table lacks still
    goes through `insert_all`, which adds it."""
    if not rows:
        return
    columns = list(dict.fromkeys(column for row in rows for column in row))
    if not set(columns) <= set(db[table].columns_dict):
        db[table].insert_all(rows, alter=True)
        return
    names = ", ".join(f"[{c}]" for c in columns)
    marks = ", ".join("?" for _ in columns)
    with db.conn:
        db.conn.executemany(
            f"insert into [{table}] ({names}) values ({marks})", (tuple(map(row.get, columns)) for row in rows)
        )


def _create_tables(db: sqlite_utils.Database, columns: dict, keys: list[tuple]) -> None:
    """Every table, its foreign keys in its CREATE statement. sqlite-utils wants the tables a key points
    to made first (and some point at each other), and its `add_foreign_keys` rebuilds table after table
    (most of the time of a small build): so all are made plain, then those with keys made again, empty."""
    pks = {table: "id" if table in TABLE_KIND or table == "legal_bases" else None for table in columns}
    for table, table_columns in columns.items():
        db[table].create(table_columns, pk=pks[table])
    for table, table_columns in columns.items():
        own = [key for key in keys if key[0] == table]
        if own:
            sql = db.create_table_sql(table, table_columns, pk=pks[table], foreign_keys=own)
            db.execute(f"drop table [{table}]")
            db.execute(sql)


def _write_findings(db: sqlite_utils.Database, report: Report) -> None:
    rows = [{"id": i + 1, **f.as_dict()} for i, f in enumerate(report.findings)]
    for row in rows:
        row["records"] = json.dumps(row["records"], ensure_ascii=False)
    db[FINDINGS_TABLE].insert_all(
        rows, pk="id", alter=True, columns={"severity": str, "code": str, "record": str, "agency": str, "message": str}
    )
    db[FINDINGS_TABLE].create_index(["severity"], if_not_exists=True)
    db[FINDINGS_TABLE].create_index(["agency"], if_not_exists=True)


# The order of the search index, which is its rowid order: when a common word matches more records
# than are ranked, the first matches in this order are the candidates (see `who_handles`). What a
# person can go and do first, then who does it, then the rest.
SEARCH_ORDER = (
    "service",
    "power",
    "work_item",
    "post",
    "boundary",
    "task",
    "duty",
    "self_check",
    "supervision_rule",
    "flow",
    "agency",
    "unit",
)


# A record's units, people, phones and channels: what `rank` weighs twice a match in the body.
ABOUT = ("units", "people", "phones", "channels")


THESAURUS_TABLE = "thesaurus"


def _write_thesaurus(db: sqlite_utils.Database, registry: Registry) -> None:
    """The registry's thesaurus as the database's own (word → the terms it stands for), so a Datasette
    instance searches with the thesaurus of the registry it serves (`qingdan_search` reads it at start-up)."""
    from .thesaurus import registry_thesaurus

    thesaurus = registry_thesaurus(registry)
    forms = {} if any(p.is_error for p in thesaurus.problems) else thesaurus.forms
    db[THESAURUS_TABLE].create({"word": str, "terms": str}, pk="word", if_not_exists=True)
    db[THESAURUS_TABLE].insert_all(
        ({"word": word, "terms": json.dumps(list(terms), ensure_ascii=False)} for word, terms in sorted(forms.items())),
        replace=True,
    )


def _write_search(db: sqlite_utils.Database, registry: Registry, site_url: str) -> None:
    """A search table (original text, for display and snippets) and an FTS5 index over its segmented text."""
    docs = sorted(
        search_documents(registry, site_url),
        key=lambda d: (SEARCH_ORDER.index(d["kind"]), len(d["title"] or ""), d["id"]),
    )
    rows = []
    for doc in docs:
        # An agency's name and place are indexed on the agency alone: on every record they would
        # make 医疗保障局 match everything. Records are found by place through their region codes.
        # Text in traditional characters is indexed in simplified ones too (`simplified` of
        # search_documents), in the column of the text it converts; the table keeps the text as printed.
        variant = doc.pop("simplified")
        about = [doc[key] for key in ABOUT]
        if doc["kind"] == "agency":
            about.append(doc["place"])
        doc["title_seg"] = index_text("\n".join(filter(None, [doc["title"], variant.get("title")])))
        doc["body_seg"] = index_text("\n".join(filter(None, [doc["body"], variant.get("body")])))
        doc["about_seg"] = index_text("\n".join(filter(None, about + [variant.get(key) for key in ABOUT])))
        doc["region_seg"] = region_tokens(doc["region"])
        rows.append(doc)
    db["search_index"].create({column: str for column in rows[0]} if rows else {"id": str}, pk="id")
    insert_rows(db, "search_index", rows)
    db["search_index"].enable_fts(
        ["title_seg", "body_seg", "about_seg", "region_seg"],
        fts_version="FTS5",
        tokenize="unicode61",
        create_triggers=False,
        replace=True,
    )
    # `rank` weighs a match in the title five times a match in the body, and units, people,
    # phones, channels and places twice; the region codes only filter.
    db.execute("insert into search_index_fts(search_index_fts, rank) values('rank', 'bm25(5.0, 1.0, 2.0, 0.0)')")


def _region_of(registry: Registry, agency_id: str | None) -> str | None:
    """The agency's region code, or its parent's."""
    seen = set()
    while agency_id and agency_id not in seen:
        seen.add(agency_id)
        agency = registry.get(agency_id)
        if agency is None:
            return None
        if agency.region:
            return agency.region
        agency_id = agency.parent
    return None


def _place_names(code: str | None) -> str | None:
    """Province, city and county names of a region code, e.g. 山西省 长治市 襄垣县."""
    if not code:
        return None
    names = (lookup(c) for c in dict.fromkeys((code[:2] + "0000", code[:4] + "00", code)))
    return " ".join(r.name for r in names if r) or None


def _parties(parties) -> list[str]:
    return [f"{p.raw}：{p.division}" if p.division else p.raw for p in parties]


# The texts of a search document that may be printed in traditional characters (not its place names,
# from GB/T 2260, nor its addresses).
CONVERTED = ("title", "body", "agency_name", "units", "people", "channels")


# Between the fields converted in one call: a private-use character, which no text holds and OpenCC keeps.
_FIELD_END = "\ue000"


def _simplified_fields(doc: dict) -> dict[str, str]:
    """The fields of `doc` (`CONVERTED`) that are printed in traditional characters, in simplified ones:
    one conversion for all of them, as most records hold none (the cost is per call, not per character)."""
    texts = [doc[key] or "" for key in CONVERTED]
    converted = simplified(_FIELD_END.join(texts))
    if converted is None:
        return {}
    return {key: new for key, old, new in zip(CONVERTED, texts, converted.split(_FIELD_END), strict=True) if new != old}


def search_documents(registry: Registry, site_url: str = "", *, of=None, memberships_by_post=None):
    """What `who_handles` searches: every record a person may ask about, with its original text.

    Each document's `simplified` holds its texts in simplified characters (`search.simplified`:
    OpenCC t2s) by field, for the fields printed in traditional ones (行政權力名稱, 醫療保障), so that
    the database's index (`_write_search`) and the site's (`site.search_index`) find them by a
    simplified query; the texts themselves stay as printed.

    `of(kind)` gives the records described (default `registry.of`): the site's search index asks
    for one agency's records at a time (`site.search_index.agency_records`), with
    `memberships_by_post` (post ID → its memberships, in load order) so that not every
    membership is read for each agency."""
    of = of or registry.of
    if memberships_by_post is None:
        memberships_by_post = {}
        for m in registry.of("membership"):
            if m.post:
                memberships_by_post.setdefault(m.post, []).append(m)

    def people(post_id: str) -> str | None:
        held = memberships_by_post.get(post_id, ())
        return "；".join(f"{registry.get(m.person).name}（{m.role_label}）" for m in held) or None

    def agency_name(agency_id):
        agency = registry.get(agency_id)
        return agency.name if agency else None

    def unit_names(refs):
        return "；".join(registry.get(u).name for u in refs if registry.get(u)) or None

    def base(kind, record_id, agency, title, body, **extra):
        region = _region_of(registry, agency)
        doc = {
            "id": f"{kind}:{record_id}",
            "kind": kind,
            "kind_zh": models.KIND[kind].zh,
            "record_id": record_id,
            "agency": agency,
            "agency_name": agency_name(agency),
            "region": region,
            "place": _place_names(region),
            "title": title,
            "body": body,
            "page_url": page_url(kind, record_id, agency=agency, base=site_url),
            "units": extra.get("units"),
            "people": extra.get("people"),
            "phones": extra.get("phones"),
            "channels": extra.get("channels"),
        }
        doc["simplified"] = _simplified_fields(doc)
        return doc

    def flow_titles(refs):
        return [registry.get(f).title for f in refs if registry.get(f)]

    for agency in of("agency"):
        yield base(
            "agency", agency.id, agency.id, agency.name, "\n".join(filter(None, [*agency.aliases, agency.description]))
        )
    for unit in of("unit"):
        yield base("unit", unit.id, unit.agency, unit.name, "\n".join(unit.aliases), units=unit.name)
    for post in of("post"):
        texts = [w.text for w in post.work_items]
        yield base(
            "post",
            post.id,
            post.agency,
            post.name,
            "\n".join(texts),
            units=unit_names([post.unit] if post.unit else []),
            people=people(post.id),
        )
        for item in post.work_items:
            body = "\n".join(filter(None, [item.function, item.responsibility, *flow_titles(item.flows)]))
            yield base(
                "work_item",
                item.id,
                post.agency,
                item.text or post.name,
                body,
                units=post.name,
                people=people(post.id),
            )
    for duty in of("duty"):
        yield base("duty", duty.id, duty.agency, duty.text, "")
        for item in duty.work_items:
            yield base(
                "work_item",
                item.id,
                duty.agency,
                item.text,
                "\n".join(filter(None, [duty.text, item.remark])),
                units=unit_names(item.responsible_units) or item.responsible_raw,
            )
    for kind in ("power", "service"):
        for record in of(kind):
            body = "\n".join(
                filter(
                    None,
                    [
                        getattr(record, "main_item", None),
                        getattr(record, "content", None),
                        record.applicants,
                        *record.conditions,
                        *(m.name for m in record.materials),
                        *getattr(record, "process", []),
                        record.place,
                    ],
                )
            )
            yield base(
                kind,
                record.id,
                record.agency,
                record.name,
                body,
                units="；".join(h.raw for h in record.handling) or None,
                phones="；".join(p.number for p in record.phones) or None,
                channels="；".join(c.detail for c in record.channels) or None,
            )
    for flow in of("flow"):
        labels = [n.label for n in flow.nodes]
        if flow.template and registry.get(flow.template):
            labels = [n.label for n in registry.get(flow.template).nodes]
        yield base(
            "flow",
            flow.id,
            flow.agency,
            flow.title,
            "\n".join(labels),
            units="；".join(sorted({n.unit_raw for n in flow.nodes if n.unit_raw})) or None,
        )
    for boundary in of("boundary"):
        yield base(
            "boundary",
            boundary.id,
            boundary.agency,
            boundary.matter,
            "\n".join(_parties(boundary.parties)),
            units="；".join(p.raw for p in boundary.parties),
        )
    for task in of("task"):
        lead = [f"牵头：{p}" for p in _parties(task.lead)]
        responsible = [f"责任：{p}" for p in _parties(task.responsible)]
        yield base(
            "task",
            task.id,
            task.agency,
            task.title,
            "\n".join(filter(None, [task.content, *lead, *responsible, task.deadline])),
            units="；".join(p.raw for p in [*task.lead, *task.responsible]) or None,
        )
    for check in of("self_check"):
        yield base(
            "self_check",
            check.id,
            check.agency,
            check.requirement,
            "\n".join(filter(None, [check.goal, check.deadline])),
        )
    for rule in of("supervision_rule"):
        sections = [f"{x.heading}：{x.text}" if x.heading else x.text for x in rule.sections]
        yield base(
            "supervision_rule", rule.id, rule.agency, rule.title, "\n".join(filter(None, [rule.scope, *sections]))
        )
