"""Lookups the pages need, computed once from the validated registry and report."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .. import regions
from ..matters import matter_of
from ..models import KINDS, record_title
from ..settings import default_datasette_url
from ..urls import ANCHORED, PAGE_FOLDERS, page_url, safe_id

SAFE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,150}$")

SEVERITY_BOX = {"error": "failure", "high": "danger", "medium": "warning", "low": "note", "info": "info"}


def region_name(code: str | None) -> str | None:
    if not code:
        return None
    region = regions.lookup(code)
    if region is None:
        return code
    if region.name == region.province or not region.province:
        return region.name
    return f"{region.province}{region.name}" if not region.name.startswith(region.province) else region.name


@dataclass
class SiteContext:
    report: object
    graph: object = None
    site_url: str | None = None
    stamp: dict | None = None
    datasette_url: str = field(default_factory=default_datasette_url)
    cache_dir: Path | None = None
    downloads: dict = field(default_factory=dict)  # name → size in bytes, of files put in downloads/
    inlines: dict = field(default_factory=dict)  # key → SVG put into pages after MkDocs (see hooks.py)
    matter_regions: dict = field(default_factory=dict)  # matters.nearest_same_matter's index, built as needed

    def __post_init__(self):
        reg = self.registry = self.report.registry
        self.findings_by_record: dict[str, list] = defaultdict(list)
        self.findings_by_agency: dict[str | None, list] = defaultdict(list)
        for finding in self.report.findings:
            self.findings_by_agency[finding.agency].append(finding)
            for rid in dict.fromkeys((finding.records or []) + ([finding.record] if finding.record else [])):
                self.findings_by_record[rid].append(finding)
        self.by_agency: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for kind in (kind.name for kind in KINDS if "agency" in kind.model.model_fields):
            for record in reg.of(kind):
                self.by_agency[record.agency][kind].append(record)
        self.memberships_by_post = defaultdict(list)
        self.memberships_by_org = defaultdict(list)
        self.memberships_by_person = defaultdict(list)
        for m in reg.of("membership"):
            if m.post:
                self.memberships_by_post[m.post].append(m)
            if m.organization:
                self.memberships_by_org[m.organization].append(m)
            self.memberships_by_person[m.person].append(m)
        self.boundaries_of: dict[str, list] = defaultdict(list)  # agency → boundaries it registers or is party to
        for b in reg.of("boundary"):
            seen = {b.agency}
            self.boundaries_of[b.agency].append(b)
            for party in b.parties:
                if party.agency and party.agency not in seen:
                    seen.add(party.agency)
                    self.boundaries_of[party.agency].append(b)
        self.tasks_involving: dict[str, list] = defaultdict(list)
        for t in reg.of("task"):
            for party in t.lead + t.responsible:
                if party.agency and party.agency != t.agency and t not in self.tasks_involving[party.agency]:
                    self.tasks_involving[party.agency].append(t)
        self.guides_of_flow: dict[str, list] = defaultdict(list)
        for kind in ("power", "service"):
            for record in reg.of(kind):
                if record.flow:
                    self.guides_of_flow[record.flow].append(record)
        self.work_items_of_flow: dict[str, list] = defaultdict(list)
        for entry in reg.entries.values():
            if entry.kind == "work_item":
                for flow_id in entry.record.flows:
                    self.work_items_of_flow[flow_id].append(entry.record)
        # people named in a document but holding no post or membership (e.g. a contact person)
        self.loose_persons: dict[str, list] = defaultdict(list)
        for person in reg.of("person"):
            if person.id not in self.memberships_by_person:
                doc = reg.get(person.source.document)
                if doc is not None:
                    self.loose_persons[doc.publisher].append(person)
        self.documents_of: dict[str, list] = defaultdict(list)
        for doc in reg.of("document"):
            self.documents_of[doc.publisher].append(doc)
        self.children_of: dict[str, list] = defaultdict(list)
        for agency in reg.of("agency"):
            if agency.parent:
                self.children_of[agency.parent].append(agency)
        publishing = {d.publisher for d in reg.of("document")}
        publishing |= {a for a, kinds in self.by_agency.items() if any(kinds.values())}
        self.publishing = [a for a in reg.of("agency") if a.id in publishing]
        self.named_only = [a for a in reg.of("agency") if a.id not in publishing]
        self.guides = reg.of("power") + reg.of("service")
        self.matters = self.report.matters  # the same matter in other agencies' lists (事项对照)
        self.matter_of = matter_of(self.matters)

    @cached_property
    def cited_lines(self) -> dict[str, set[int]]:
        """Document ID → the lines of its text records cite (once, not once per document)."""
        cited: dict[str, set[int]] = defaultdict(set)
        for entry in self.registry.entries.values():
            source = getattr(entry.record, "source", None)
            if source is not None and source.line:
                cited[source.document].add(source.line)
        return cited

    def inline_svg(self, svg: str) -> str:
        """A slot for an SVG that `hooks.py` fills in after MkDocs has rendered and indexed the page.

        Drawings are a large share of a page's HTML; leaving them out of the Markdown spares
        Python-Markdown and the search plugin from parsing them (they are not indexed anyway).
        """
        key = hashlib.sha256(svg.encode("utf-8")).hexdigest()[:32]
        self.inlines[key] = svg
        return f'<div class="qd-flow-scroll" data-qd-inline="{key}"></div>'

    # --- addresses ------------------------------------------------------------------------

    def agency_of(self, record_id: str) -> str | None:
        """As the registry says, but a person belongs where they hold their first post."""
        for m in self.memberships_by_person.get(record_id, []):
            return self.registry.agency_of(m.id)
        return self.registry.agency_of(record_id)

    def url_of(self, record_id: str | None) -> str | None:
        """Site-relative address of the page (and anchor) showing a record, or None."""
        entry = self.registry.entries.get(record_id or "")
        if entry is None:
            return None
        kind = entry.kind
        if kind in PAGE_FOLDERS:
            return page_url(kind, record_id)
        if kind in ANCHORED:
            return page_url(kind, record_id, agency=self.agency_of(record_id))
        if kind == "document":
            return f"sources/{safe_id(record_id)}/"
        if kind == "membership":
            m = entry.record
            if m.post:
                return self.url_of(m.post)
            return page_url("agency", m.organization) + f"#{safe_id(m.id)}"
        if kind == "person":
            for m in self.memberships_by_person.get(record_id, []):
                return self.url_of(m.id)
            doc = self.registry.get(entry.record.source.document)
            return page_url("agency", doc.publisher) + f"#{safe_id(record_id)}" if doc else None
        if kind == "flow_template":
            for flow in self.registry.of("flow"):
                if flow.template == record_id:
                    return self.url_of(flow.id)
            return None
        if kind == "code_scheme":
            return "method/#qd-schemes"
        return None

    def guide_url_of_flow(self, flow_id: str) -> str | None:
        guides = self.guides_of_flow.get(flow_id)
        return page_url(self.kind(guides[0].id), guides[0].id) if guides else None

    def work_item_label(self, wi) -> str:
        """A work item's text, or (where its cell is blank) the post or duty holding it."""
        if wi.text:
            return wi.text if len(wi.text) <= 40 else wi.text[:40] + "…"
        holder = self.registry.entries[wi.id].owner
        return f"{self.name_of(holder) or holder}的工作事项（原文空白）"

    def kind(self, record_id: str) -> str | None:
        entry = self.registry.entries.get(record_id)
        return entry.kind if entry else None

    def name_of(self, record_id: str | None) -> str | None:
        record = self.registry.get(record_id) if record_id else None
        return record_title(record) if record is not None else None

    def source_file(self, doc) -> str | None:
        """The document's text file name if it is safe to publish under sources/."""
        name = Path(doc.file).name
        if name != doc.file or not SAFE_FILE.match(name) or name.lower().startswith("index.") or name.endswith(".md"):
            return None
        return name

    def findings(self, *record_ids: str) -> list:
        seen, out = set(), []
        for rid in record_ids:
            for f in self.findings_by_record.get(rid, []):
                if id(f) not in seen:
                    seen.add(id(f))
                    out.append(f)
        return out
