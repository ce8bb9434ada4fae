"""Pieces shared by several pages: provenance, findings, review flags, parties, phones."""

from __future__ import annotations

import os
import re
import typing
from pathlib import Path

from pydantic import BaseModel

from .. import models
from ..kinds import reader_title, source_columns
from ..labels import zh_label
from ..spreadsheet.labels import FIELDS
from .context import SEVERITY_BOX, SiteContext
from .markup import NS, a, admonition, esc, table, text, ul


def source_line(ctx: SiteContext, here: str, source) -> str:
    """Where a record came from: document title, locator, line, with links to the text."""
    if source is None:
        return NS
    doc = ctx.registry.get(source.document)
    title = esc(doc.title) if doc else esc(source.document)
    number = f"（{esc(doc.doc_number)}）" if doc and doc.doc_number else ""
    doc_link = a(here, f"sources/{source.document}/", title) if doc else title
    parts = [f"{doc_link}{number}", f"位置：{esc(source.locator)}"]
    if source.line:
        parts.append(a(here, f"sources/{source.document}/#L{source.line}", f"第 {source.line} 行"))
    file_name = ctx.source_file(doc) if doc else None
    if file_name:
        parts.append(a(here, f"sources/{file_name}", "原始文本（.txt）"))
    return "；".join(parts)


def source_block(ctx: SiteContext, here: str, record, label: str = "来源") -> str:
    return (
        f'<div class="qd-source-ref" data-search-exclude><p><strong>{label}：</strong>'
        f"{source_line(ctx, here, getattr(record, 'source', None))}</p></div>"
    )


def source_link(ctx: SiteContext, here: str, record) -> str:
    """One small 出处 link to the cited line of the source text; document and place in its tooltip."""
    source = getattr(record, "source", None)
    if source is None:
        return ""
    doc = ctx.registry.get(source.document)
    title = f"{doc.title if doc else source.document}，{source.locator}"
    target = f"sources/{source.document}/" + (f"#L{source.line}" if source.line else "")
    link = a(here, target, "出处", "qd-source-link") if doc else esc("出处：" + title)
    return f' <span class="qd-source-ref" data-search-exclude title="{esc(title)}">〔{link}〕</span>'


_SEGMENT = re.compile(r"^([^\[\]]+)((?:\[\d+\])*)$")


def _nested_model(model: str | None, name: str) -> str | None:
    """The model a field holds (`processes` of a Power holds Process), so that the next part of a
    path is looked up as `Process.steps`, not as a bare `steps`."""
    cls = getattr(models, model, None) if model else None
    field = cls.model_fields.get(name) if isinstance(cls, type) and issubclass(cls, BaseModel) else None
    if field is None:
        return None
    stack = [field.annotation]
    while stack:
        annotation = stack.pop()
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation.__name__
        stack.extend(typing.get_args(annotation))
    return None


def field_label(path: str, model: str | None = None) -> str:
    """A review flag's field path (`handling[5].raw`, `processes[0].steps[1]`) in the workbook's
    Chinese column names: 承办机构第6项·原文, 办理流程第1项·办理步骤第2项. Each part is looked up
    under the model that holds it. Readers never see English field names; an unnamed field is 其他内容."""
    parts, prefix = [], ""
    for segment in path.split("."):
        match = _SEGMENT.match(segment.strip())
        if match is None:
            return "其他内容"
        name, indexes = match.groups()
        key = f"{prefix}.{name}" if prefix else name
        own = [f"{model}.{name}"] if model else []
        # the record's own label first (Document.title); inside a part, the plain word (原文) reads
        # better after the part's name (承办机构第6项) than the part's column (承办机构原文)
        candidates = own + [key, name] if not prefix else [key, name] + own
        label = next((FIELDS[c][0] for c in candidates if c in FIELDS), None)
        if label is None:
            label = name if not name.isascii() else "其他内容"
        numbers = "".join(f"第{int(i) + 1}项" for i in re.findall(r"\d+", indexes))
        parts.append(label + numbers)
        prefix = key
        model = _nested_model(model, name)
    return "·".join(parts)


DRAFT_LINE = "机器从原件初步整理，尚未经人工核对"


def is_draft(record) -> bool:
    """Whether the record still carries the draft flag `qingdan draft` set (removed by the editor who
    checks it against the original)."""
    return any(flag.problem == "draft" for flag in getattr(record, "review", None) or [])


def draft_line(ctx: SiteContext, here: str, record, subject: str = "") -> str:
    """The one line a drafted record's page opens with, for a citizen: machine-made, not yet checked,
    and where the original is (the bureau's page where known, else the text of the original here). The
    flag's own explanation is an instruction to editors: it stays in the registry and the workbook."""
    if not is_draft(record):
        return ""
    source = getattr(record, "source", None)
    doc = ctx.registry.get(source.document) if source is not None else None
    links = []
    if doc is not None and doc.url:
        links.append(f'<a href="{esc(doc.url)}" rel="noopener">原件</a>')
    if doc is not None:
        target = f"sources/{doc.id}/" + (f"#L{source.line}" if source.line else "")
        links.append(a(here, target, "原件文字" if links else "原件"))
    tail = "".join(f" · {link}" for link in links)
    said = f"{esc(subject)}由{DRAFT_LINE}" if subject else DRAFT_LINE
    return f'<p class="qd-draft" role="note"><strong>{said}</strong>{tail}</p>'


def review_block(review: list, title: str = "待核对的原文", model: str | None = None, drafts: bool = True) -> str:
    """Damaged or uncertain source text: the raw text, the problem, and any proposal marked as such.

    A draft flag is not listed (its explanation tells editors what to do): where `drafts`, it is said
    in the one line a citizen reads (DRAFT_LINE); pages that open with that line pass drafts=False."""
    draft = any(flag.problem == "draft" for flag in review)
    review = [flag for flag in review if flag.problem != "draft"]
    line = f'<p class="qd-draft">{DRAFT_LINE}</p>' if draft and drafts else ""
    if not review:
        return line
    items = []
    for flag in review:
        proposed = ""
        if flag.proposed:
            proposed = (
                f'<br><span class="qd-proposal">建议读法（仅为建议，未替换原文）：'
                f"<mark>{esc(flag.proposed)}</mark></span>"
            )
        items.append(
            f"<li>“{esc(field_label(flag.field, model))}”一栏："
            f'原文“<span class="qd-raw">{esc(flag.raw)}</span>”'
            f"（{esc(zh_label('ReviewFlag.problem', flag.problem))}）：{esc(flag.explanation)}{proposed}</li>"
        )
    return line + admonition("warning", title, "<ul>" + "".join(items) + "</ul>")


def note_block(record) -> str:
    """The record's note: the source's own columns kept verbatim by `qingdan draft` (labelled as source
    text, each column on its line), or an editor's note (labelled as such)."""
    note = getattr(record, "note", None)
    if not note:
        return ""
    columns = source_columns(record)
    if columns:
        return source_text_block(columns)
    return f'<p class="qd-note"><strong>编者注（非源文件内容）：</strong>{text(note)}</p>'


def source_text_block(columns: list[tuple[str, str]], title: str = "源文件原文") -> str:
    """Columns of the source copied as printed, each with its label, marked as the source's text."""
    if not columns:
        return ""
    if len(columns) == 1 and columns[0][0]:
        label, value = columns[0]
        return (
            f'<div class="qd-source-text"><p>{text(value)}</p><p class="qd-muted">{title}（“{esc(label)}”栏）</p></div>'
        )
    rows = "".join(
        f"<li>{esc(label) + '：' if label else ''}{text(value)}</li>" for label, value in columns if value or label
    )
    return f'<div class="qd-source-text"><p><strong>{title}：</strong></p><ul>{rows}</ul></div>'


def finding_item(ctx: SiteContext, here: str, finding, link_records: bool = True) -> str:
    label = zh_label("finding", finding.code)
    records = []
    if link_records:
        for rid in finding.records or ([finding.record] if finding.record else []):
            records.append(a(here, ctx.url_of(rid), esc(reader_title(ctx.name_of(rid) or rid))))
    where = f'<br><span class="qd-where">记录：{"；".join(records)}</span>' if records else ""
    return (
        f"<li><strong>{esc(label)}</strong>（{zh_label('severity', finding.severity)}）"
        f'<br><span class="qd-message">{esc(finding.message_zh or finding.message)}</span>{where}</li>'
    )


def findings_block(ctx: SiteContext, here: str, findings: list, empty: str | None = "未发现问题。") -> str:
    """Findings about a record as admonitions, most severe first."""
    if not findings:
        return f"<p>{empty}</p>" if empty else ""
    out = []
    for severity in ("high", "medium", "low", "info"):
        group = [f for f in findings if f.severity == severity]
        if group:
            body = "<ul>" + "".join(finding_item(ctx, here, f) for f in group) + "</ul>"
            out.append(admonition(SEVERITY_BOX[severity], f"{zh_label('severity', severity)}（{len(group)}）", body))
    return "".join(out)


def agency_link(ctx: SiteContext, here: str, agency_id: str | None, fallback: str | None = None) -> str:
    agency = ctx.registry.get(agency_id) if agency_id else None
    if agency is None:
        return esc(fallback) if fallback else NS
    return a(here, ctx.url_of(agency_id), esc(agency.name))


def party_html(ctx: SiteContext, here: str, party) -> str:
    """A body as written, linked when resolved; unresolved names are marked, not guessed."""
    raw = esc(party.raw)
    if party.agency:
        agency = ctx.registry.get(party.agency)
        link = a(here, ctx.url_of(party.agency), raw)
        if agency is not None and agency.name != party.raw:
            link += f'<span class="qd-muted">（{esc(agency.name)}）</span>'
        return link
    return f'{raw}<span class="qd-flag" title="未能对应到已知机构">（未能对应到机构）</span>'


def legal_bases_html(bases: list) -> str:
    items = []
    for basis in bases:
        line = f"《{esc(basis.title)}》" if not basis.title.startswith("《") else esc(basis.title)
        if basis.doc_number:
            line += f"（{esc(basis.doc_number)}）"
        if basis.article:
            line += f" {esc(basis.article)}"
        if basis.raw and basis.raw != basis.title:
            line += f'<br><span class="qd-muted">原文：{esc(basis.raw)}</span>'
        items.append(line)
    return ul(items, "qd-bases")


def unit_link(ctx: SiteContext, here: str, unit_id: str | None, raw: str | None) -> str:
    unit = ctx.registry.get(unit_id) if unit_id else None
    label = esc(raw) if raw else (esc(unit.name) if unit else NS)
    if unit is None:
        return label
    return a(here, ctx.url_of(unit_id), label)


def handling_html(ctx: SiteContext, here: str, handling: list) -> str:
    items = []
    for h in handling:
        target = h.unit or h.agency
        label = unit_link(ctx, here, target, h.raw) if target else esc(h.raw)
        if h.steps:
            label += f'<span class="qd-muted">（负责：{"、".join(esc(s) for s in h.steps)}）</span>'
        items.append(label)
    return ul(items)


def phones_html(phones: list, kinds: tuple[str, ...]) -> str:
    items = []
    for phone in phones:
        if phone.kind in kinds:
            number = esc(phone.number)
            digits = "".join(ch for ch in phone.number if ch.isdigit() or ch == "-")
            tel = f'<a href="tel:{esc(digits.replace("-", ""))}">{number}</a>' if digits else number
            items.append(f'{tel}<span class="qd-muted">（{zh_label("Phone.kind", phone.kind)}）</span>')
    return ul(items)


def registry_place(ctx: SiteContext, file: str) -> str:
    """A finding's file as the public may see it: relative to the registry, never a path of the build machine."""
    path = Path(file) if os.path.isabs(file) else Path(os.getcwd(), file)
    root = ctx.registry.root if ctx.registry.root.is_dir() else ctx.registry.root.parent
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def findings_table(ctx: SiteContext, here: str, findings: list) -> str:
    rows = []
    for f in findings:
        records = [
            a(here, ctx.url_of(rid), esc(reader_title(ctx.name_of(rid) or rid)))
            for rid in (f.records or ([f.record] if f.record else []))
        ]
        rows.append(
            [
                esc(zh_label("finding", f.code)),
                "<br>".join(records) or NS,
                esc(f.message_zh or f.message),
                f"<code>{esc(registry_place(ctx, f.file))}:{f.line}</code>",
            ]
        )
    return table(["问题", "记录", "说明", "登记簿位置"], rows, "qd-findings")


def also_called(ctx: SiteContext, title: str | None) -> str:
    """也叫：… — the everyday words a record is found by (the registry's thesaurus, `thesaurus.aliases`),
    or nothing."""
    from ..thesaurus import aliases, registry_everyday

    words = aliases(title, registry_everyday(ctx.registry.root))
    if not words:
        return ""
    return f'<p class="qd-also-called">也叫：{esc("、".join(words))}</p>'
