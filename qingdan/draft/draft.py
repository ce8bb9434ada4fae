"""From a bureau's own file to a draft registry folder: read, recognise, build records, write, validate."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .. import regions
from ..models import Agency, Document, SourceDefect, is_valid_id
from ..registry import Problem, load_registry
from ..validate import truncation
from .columns import find_layout
from .context import Context
from .layouts import LAYOUTS, document_facts, guide_sections
from .model import DraftError, Extracted
from .reading import read_file
from .writer import dump, write_agency

# words in a title → the kind of list it is
LIST_KINDS = {
    "权责清单": "权责清单",
    "权力清单": "权力清单",
    "行政执法事项清单": "行政执法事项清单",
    "责任清单": "责任清单",
    "公共服务事项清单": "公共服务事项清单",
    "办事指南": "办事指南",
    "定岗定责": "定岗定责表",
}
KIND_LABEL = {
    "powers": "权力清单",
    "duties": "责任清单",
    "boundaries": "责任清单",
    "services": "公共服务事项清单",
    "posts": "定岗定责表",
    "supervision_rules": "责任清单",
    "flows": "行政职权运行流程图",
}
AGENCY_NAME = re.compile(r"[\u4e00-\u9fff]+?(?:局|委员会|委|中心|厅|办公室|政府|院|署)")
SECTION_FILES = {
    kind: f"{kind}.yaml"
    for kind in ("powers", "services", "duties", "boundaries", "posts", "supervision_rules", "flows")
}


@dataclass
class DraftResult:
    folder: Path
    document: Document
    records: dict[str, list[BaseModel]]
    mapped: list[str]
    unmapped: list[str]
    findings: list[Problem] = field(default_factory=list)
    source_files: list[str] = field(default_factory=list)

    def summary(self) -> str:
        counts = ", ".join(f"{len(r)} {k}" for k, r in self.records.items() if r)
        by_code = Counter((f.code, f.severity) for f in self.findings)
        findings = ", ".join(f"{n} {code} ({sev})" for (code, sev), n in by_code.most_common()) or "none"
        return "\n".join(
            [
                f"drafted {self.folder}/ ({self.document.kind}: {self.document.title}): {counts}",
                f"columns mapped: {'、'.join(self.mapped) or 'none'}",
                f"columns not mapped (kept on each record as a note): {'、'.join(self.unmapped) or 'none'}",
                f"findings: {findings}",
                f"sources: {', '.join(self.source_files)}",
                "every record carries a review flag (problem: draft): check it against the original, then remove it",
            ]
        )


def _title(extracted: Extracted) -> str | None:
    """The list's title: the first paragraph or title row that names a kind of list, else the first paragraph."""
    candidates = [p.text for p in extracted.paragraphs[:10]]
    for table in extracted.tables[:3]:
        layout = find_layout(table)
        if layout:
            candidates += [next((c for c in r.cells if c), "") for r in layout.titles]
    for text in candidates:
        if any(k in text for k in LIST_KINDS) or "清单" in text or "登记表" in text:
            return text.split("\n")[0]
    return candidates[0].split("\n")[0] if candidates else None


def _agency_name(title: str) -> str | None:
    """The body named in a title such as 某县医疗保障局权力清单 or 目录（某县医疗保障局部分）."""
    for part in re.split(r"[（()）：:，,、\s]+", title):
        match = AGENCY_NAME.search(part)
        if match and not re.search(r"清单|目录|指南|登记表", match.group(0)):
            return match.group(0)
    return None


NAMING_LABEL = re.compile(
    r"^(?:[一二三四五六七八九十]+、)?\s*(?:实施主体|实施机关|填报单位|发布单位|编制单位)[:：]?\s*(.*)$"
)


def _agency_named_in(extracted: Extracted) -> str | None:
    """The body a guide or list names as its 实施主体 or 填报单位 (same line or the next)."""
    paragraphs = extracted.paragraphs
    for i, paragraph in enumerate(paragraphs):
        match = NAMING_LABEL.match(paragraph.text)
        if match:
            value = match.group(1) or (paragraphs[i + 1].text if i + 1 < len(paragraphs) else "")
            if found := _agency_name(value):
                return found
    return None


DATE = re.compile(r"(\d{4})\s*[-年./]\s*(\d{1,2})(?:\s*[-月./]\s*(\d{1,2}))?")


def _date(extracted: Extracted) -> str | None:
    """The publication date printed near the title or under the list (发布日期：2021-06-30, 2021年10月)."""
    for paragraph in extracted.paragraphs:
        text = paragraph.text
        match = DATE.search(text)
        if match and (re.search(r"日期|发布|印发|时间", text) or len(text) <= len(match.group(0)) + 2):
            year, month, day = match.groups()
            if 1 <= int(month) <= 12:
                return f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day and 1 <= int(day) <= 31 else "")
    return None


def _agency(agency_id: str, name: str, stated: bool, ctx: Context) -> Agency:
    region = agency_id.split("-")[0]
    region = region if re.fullmatch(r"\d{6}", region) and regions.lookup(region) else None
    level = "other" if region is None else "county"
    if region and region.endswith("00"):
        level = "province" if region.endswith("0000") else "city"
    return Agency(
        id=agency_id,
        name=name,
        aliases=sorted(ctx.aliases),
        level=level,
        region=region,
        kind="government_department",
        name_stated=stated,
        inference=None if stated else "源文件未写出该全称，系起草时由 --name 给出",
        source=ctx.source("标题", 1),
        review=[ctx.draft_flag("name", name)],
    )


def _truncated(records: dict[str, list]) -> list[SourceDefect]:
    """The last record of a list ending mid-sentence: the file was cut off there."""
    defects = []
    for items in records.values():
        if not items:
            continue
        last = items[-1]
        text = getattr(last, "name", None) or getattr(last, "matter", None) or getattr(last, "text", "")
        reason = truncation(text)
        if reason:
            defects.append(
                SourceDefect(
                    kind="truncated",
                    locator=last.source.locator,
                    line=last.source.line,
                    description=f"最后一条记录疑似被截断（{reason}）：{text[-30:]}",
                )
            )
    return defects


def draft(
    source: Path,
    agency_id: str,
    registry: Path,
    name: str | None = None,
    url: str | None = None,
    force: bool = False,
) -> DraftResult:
    """Draft registry/<agency_id>/ from a bureau's file; raise DraftError (nothing written) on bad input."""
    source, registry = Path(source), Path(registry)
    if not is_valid_id(agency_id):
        raise DraftError(f"--agency {agency_id!r}: an ID is lowercase ASCII letters, digits and single - _ . between")
    folder = registry / agency_id
    if folder.exists() and not force:
        raise DraftError(f"{folder} already exists; use --force to replace it")
    extracted, data = read_file(source)
    existing = load_registry(registry)
    if existing.errors:
        raise DraftError(f"{registry} has {len(existing.errors)} errors; run qingdan validate and fix them first")
    entry = existing.entries.get(agency_id)
    if entry is not None and not (force and folder.resolve() in Path(entry.file).resolve().parents):
        raise DraftError(f"the agency ID {agency_id} is already taken ({existing.relpath(entry.file)}); choose another")
    title = _title(extracted) or source.stem
    name = name or _agency_name(title) or _agency_named_in(extracted)
    if not name:
        raise DraftError(f"{source}: the title {title!r} names no agency; give its full name with --name")
    digest = hashlib.sha256(data).hexdigest()
    stem = f"{agency_id}_{digest[:16]}"
    text_file, original = f"{stem}.txt", f"{stem}.original{source.suffix.lower()}"
    doc_id = f"doc-{agency_id}"
    ctx = Context(agency_id, name, doc_id, existing.of("code_scheme"))
    records: dict[str, list[BaseModel]] = {kind: [] for kind in SECTION_FILES}
    kinds: list[str] = []
    try:
        for reader in LAYOUTS:
            for kind, items in reader.read(extracted, title, ctx):
                if items:
                    records[kind].extend(items)
                    kinds.append("guide" if reader.read is guide_sections else kind)
    except ValidationError as exc:
        raise DraftError(f"{source}: a record could not be built: {exc.errors()[0]['msg']}") from None
    if not any(records.values()):
        tried = "；".join(reader.name for reader in LAYOUTS)
        raise DraftError(
            f"{source}: no record found. Layouts tried: {tried}. If the file has a table whose column names were not "
            'recognised, say what they mean with --columns, e.g. --columns "地方权力编码=code,审核事项=name"'
        )
    facts = document_facts(extracted)
    title_kind = next((kind for words, kind in LIST_KINDS.items() if words in title), None)
    kind_label = title_kind or ("办事指南" if "guide" in kinds else KIND_LABEL[kinds[0]])
    document = Document(
        id=doc_id,
        title=title,
        file=text_file,
        publisher=agency_id,
        kind=kind_label,
        date=_date(extracted) or facts.get("date"),
        doc_number=facts.get("doc_number"),
        issuer=facts.get("issuer"),
        url=url,
        original=original,
        sha256=digest,
        defects=ctx.defects + _truncated(records),
        note=f"由 qingdan draft 从 {source.name} 起草（{len(extracted.tables)} 个表格），尚待人工核对。",
    )
    agency = _agency(agency_id, name, name in extracted.text, ctx)
    head = f"{name}: drafted from {source.name}"
    files = {"agency.yaml": dump({"documents": [document], "agencies": [agency]}, head)}
    for kind, items in records.items():
        if items:
            files[SECTION_FILES[kind]] = dump({kind: items}, f"{kind} drafted from {source.name}; review every record")
    report = write_agency(registry, agency_id, files, {original: data, text_file: extracted.text.encode()}, force)
    mine = [f for f in report.findings if f.agency == agency_id]
    return DraftResult(
        folder=folder,
        document=document,
        records={k: v for k, v in records.items() if v},
        mapped=sorted(ctx.mapped),
        unmapped=sorted(ctx.unmapped),
        findings=mine,
        source_files=[f"{registry}/sources/{original}", f"{registry}/sources/{text_file}"],
    )
