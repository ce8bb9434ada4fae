"""A page per power and public service, as its reader needs it.

What it shows, and in which order, follows its kind of matter (事项类型, GB/T 39046-2020): the one
table `qingdan.kinds.MATTERS`; each element of that table is drawn by its function in `RENDER`. The
expected elements the source did not give are named in one line (源文件未载明：…), never as empty
sections. A record still carrying the draft flag opens with the draft line (`components.draft_line`);
provenance and doubts come last, folded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property

from .. import flowchart, kinds
from ..labels import zh_label
from ..urls import page_url
from .components import (
    agency_link,
    also_called,
    draft_line,
    findings_block,
    handling_html,
    legal_bases_html,
    party_html,
    phones_html,
    review_block,
    source_block,
    source_text_block,
)
from .context import SiteContext, region_name
from .markup import NOT_STATED, NS, a, admonition, block, dl, esc, heading, json_ld, page, text, ul
from .matters import same_matter_chunks

# Words too common in these lists to say that two matters are the same matter.
GENERIC_WORDS = {
    "医疗",
    "保障",
    "医疗保障",
    "医保",
    "保险",
    "工作",
    "管理",
    "服务",
    "相关",
    "有关",
    "办理",
    "行为",
    "事项",
    "申请",
    "行政",
    "处罚",
    "检查",
    "确认",
    "给付",
    "强制",
    "奖励",
    "单位",
    "人员",
    "机构",
    "部门",
    "信息",
    "对象",
    "情况",
    "进行",
    "开展",
    "负责",
    "依法",
    "规定",
    "违反",
    "违法",
    "实施",
    "及其",
    "以及",
}


def load_word_cutter() -> None:
    """Load jieba's dictionary now (about a second), e.g. before forking workers that all use it."""
    import jieba

    jieba.initialize()


@cache
def _words(value: str) -> frozenset[str]:
    from ..segmenter import jieba

    return frozenset(
        w for w in jieba.cut_for_search(value) if len(w) >= 2 and w not in GENERIC_WORDS and not w.isascii()
    )


def related_boundaries(ctx: SiteContext, record) -> list[tuple[object, list[str]]]:
    """Boundary matters of the record's agency (registered by it or naming it as a party) whose
    matter shares a word with the record's name; returns (boundary, shared words)."""
    boundaries = ctx.boundaries_of.get(record.agency, [])
    if not boundaries:  # the words are not cut (nor the segmenter's dictionary loaded, about a second)
        return []
    names = [record.name] + [getattr(record, "main_item", None) or ""]
    own = frozenset().union(*(_words(n) for n in names if n))
    out = []
    for boundary in boundaries:
        shared = sorted(own & _words(boundary.matter), key=lambda w: (-len(w), w))
        if shared:
            out.append((boundary, shared))
    return out


def channels_html(channels: list) -> str:
    if not channels:
        return NS
    return "<br>".join(f"{zh_label('Channel.kind', c.kind)}：{esc(c.detail)}" for c in channels)


def _materials(materials: list) -> str:
    """A checklist a reader can tick on a phone or print: common materials, then optional ones."""
    if not materials:
        return f"<p>{NS}</p>"
    out = []
    for required, label in (("common", ""), ("optional", "（视情形提交）")):
        label = zh_label("Evidence.required", required) + label
        items = [m for m in materials if m.required == required]
        if not items:
            continue
        out.append(f'<p class="qd-list-title">{label}</p>')
        groups: dict[str | None, list] = {}
        for m in items:
            groups.setdefault(m.group, []).append(m)
        for group, members in groups.items():
            if group:
                out.append(f'<p class="qd-group">{esc(group)}</p>')
            out.append(
                '<ul class="task-list qd-checklist">'
                + "".join(
                    '<li class="task-list-item"><label class="task-list-control"><input type="checkbox">'
                    f'<span class="task-list-indicator"></span> {esc(m.name)}{_material_detail(m)}</label></li>'
                    for m in members
                )
                + "</ul>"
            )
    return "".join(out)


def steps_from_flow(resolved: flowchart.ResolvedFlow) -> str:
    """The procedure as a numbered list (works without JavaScript), branches and units shown."""
    number = {n.id: i for i, n in enumerate(resolved.nodes, 1)}
    label_of = {n.id: n.label for n in resolved.nodes}
    items = []
    for i, node in enumerate(resolved.nodes, 1):
        body = []
        if node.unit:
            body.append(f'<p class="qd-step-unit">承办：{esc(node.unit)}</p>')
        outgoing = resolved.outgoing(node.id)
        branches = []
        for edge in outgoing:
            if edge.target not in number:
                continue
            mark = '<span class="qd-recon-mark">（连线系重建）</span>' if edge.reconstructed else ""
            sequential = number[edge.target] == i + 1 and not edge.label and len(outgoing) == 1
            if sequential:
                if mark:
                    body.append(f'<p class="qd-step-next">下一步：第 {i + 1} 步{mark}</p>')
                continue
            condition = (
                f"{esc(edge.label)}：" if edge.label else ("条件源文件未载明：" if node.kind == "decision" else "")
            )
            branches.append(f"{condition}转第 {number[edge.target]} 步“{esc(label_of[edge.target])}”{mark}")
        if branches:
            body.append('<ul class="qd-branches">' + "".join(f"<li>{b}</li>" for b in branches) + "</ul>")
        kind = f"（{zh_label('FlowNode.kind', node.kind)}）" if node.kind == "decision" else ""
        items.append(
            f'<li class="qd-step qd-step--{node.kind}"><p class="qd-step-title">{esc(node.label)}{kind}</p>'
            + "".join(body)
            + "</li>"
        )
    return '<ol class="qd-steps">' + "".join(items) + "</ol>"


def _steps_from_text(process: list[str]) -> str:
    return (
        '<ol class="qd-steps">'
        + "".join(f'<li class="qd-step"><p class="qd-step-title">{text(step)}</p></li>' for step in process)
        + "</ol>"
    )


def flow_figure(ctx: SiteContext, here: str, flow, handling=(), anchor: str | None = None) -> str:
    """The flowchart as inline SVG (not indexed for search), or the not-available notice."""
    if flow is None:
        return f"<p>{NS}</p>"
    code = f"（编号 {esc(flow.code)}）" if flow.code else ""
    if flow.availability != "full":
        return (
            f'<div class="admonition info qd-flow-missing"><p class="admonition-title">流程图未在源文件中保留</p>'
            f"<p>流程图“{esc(flow.title)}”{code}只保留了标题，图的内容已在源文件中丢失，本站不作补画。</p></div>"
        )
    resolved = flowchart.resolve_flow(ctx.registry, flow, handling)
    svg = flowchart.flowchart_svg(ctx.registry, flow, ctx.cache_dir, handling)
    if svg is None:
        return f"<p>{NS}</p>"
    svg = flowchart.prefix_ids(svg, f"fc-{anchor or flow.id}")
    width, _ = flowchart.svg_size(svg)
    px = width * 4 / 3
    style = f"max-width:{px * 1.4:.0f}px;min-width:{px * 0.65:.0f}px"
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{esc(flow.title)}" style="{style}" ', 1)
    legend = ""
    if resolved.any_reconstructed:
        legend = (
            '<p class="qd-legend"><span class="qd-legend-solid"></span>源文件中的连线 '
            '<span class="qd-legend-dashed"></span>据方框文字重建的连线（源文件中箭头已丢失）</p>'
        )
    template = ""
    if resolved.template:
        tpl = ctx.registry.get(resolved.template)
        template = (
            f'<p class="qd-muted">本图采用通用流程“{esc(tpl.title)}”，各步骤的承办单位按本事项的分工标注。</p>'
            if tpl
            else ""
        )
    return (
        f'<figure class="qd-flow" data-search-exclude>{ctx.inline_svg(svg)}'
        f"<figcaption>{esc(flow.title)}{code}</figcaption></figure>{legend}{template}"
    )


def _process_html(ctx: SiteContext, here: str, record, number: int, process) -> str:
    """One way to apply: its channel and platform, time limit, fees, steps, then its flowchart."""
    rows = [("办理渠道", esc(zh_label("Process.channel", process.channel)))]
    if process.platform:
        rows.append(("办理平台", esc(process.platform)))
    rows += [("办理时限", text(process.time_limit)), ("收费标准", text(process.fees))]
    steps = _steps_from_text(process.steps) if process.steps else f"<p>{NS}</p>"
    figure = ""
    if process.flow:
        flow = ctx.registry.get(process.flow)
        figure = flow_figure(ctx, here, flow, record.handling, anchor=f"process-{number}")
    return (
        f'<section class="qd-process" id="qd-process-{number}"><h3>{esc(process.name)}</h3>'
        f'{dl(rows, "qd-facts qd-compact")}<div class="qd-procedure">{steps}</div>{figure}</section>'
    )


def _contacts(record, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    """Rows (label as printed, else the kind's name; value) for the contacts of these kinds."""
    return [
        (esc(c.label or zh_label("Contact.kind", c.kind)), text(c.value)) for c in record.contacts if c.kind in kinds
    ]


def _phones_row(record, label: str, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    if not any(p.kind in kinds for p in record.phones):
        return []
    return [(label, phones_html(record.phones, kinds))]


def _others_html(ctx: SiteContext, here: str, record, related: list) -> str:
    rows = []
    for boundary, shared in related:
        others = [
            party_html(ctx, here, p) + (f"：{esc(p.division)}" if p.division else "")
            for p in boundary.parties
            if p.agency != record.agency
        ]
        rows.append(
            f"<li>{a(here, page_url('boundary', boundary.id), esc(boundary.matter))}"
            f'<span class="qd-muted">（共同词语：{"、".join(esc(w) for w in shared)}）</span>'
            + ul(others, empty="无其他部门")
            + "</li>"
        )
    return (
        '<p class="qd-muted">以下职责边界登记的管理事项与本事项名称有共同词语（不计“医疗”“保障”等通用词），'
        "据此列出，仅供参考；各部门分工以职责边界登记原文为准。</p><ul>" + "".join(rows) + "</ul>"
    )


def _single_procedure(ctx: SiteContext, record, flow) -> str:
    """The single-procedure form: channels, then steps from the text or the flowchart ("" if none)."""
    reg = ctx.registry
    process = getattr(record, "process", None) or []
    full = flow is not None and flow.availability == "full"
    if process:
        steps = _steps_from_text(process) + ('<p class="qd-muted">流程图见下。</p>' if full else "")
    elif full:
        steps = steps_from_flow(flowchart.resolve_flow(reg, flow, record.handling))
        if flowchart.resolve_flow(reg, flow).any_reconstructed:
            steps += (
                '<p class="qd-recon-note">步骤顺序据流程图方框中的文字重建：源文件中的箭头已丢失，'
                "标有“连线系重建”的衔接不是源文件原样。</p>"
            )
    else:
        steps = ""
    channels = dl([("办理渠道", channels_html(record.channels))]) if record.channels else ""
    return channels + (f'<div class="qd-procedure">{steps}</div>' if steps else "")


def guide_flows(ctx: SiteContext, record) -> list[str]:
    """IDs of the flows the guide's page draws: its own, then its ways to apply's."""
    flow = ctx.registry.get(record.flow) if record.flow else None
    return ([flow.id] if flow is not None else []) + [p.flow for p in getattr(record, "processes", []) if p.flow]


def guide_findings(ctx: SiteContext, record) -> list:
    """The findings the guide's page shows: about it, its flow, that flow's template and its ways to apply's
    flows; not the draft finding (the page opens with the draft line; the quality report lists it)."""
    flow = ctx.registry.get(record.flow) if record.flow else None
    related = [flow.id] if flow is not None else []
    if flow is not None and flow.template:
        related.append(flow.template)
    related += [p.flow for p in getattr(record, "processes", []) if p.flow]
    return [f for f in ctx.findings(record.id, *related) if f.code != "draft"]


# --- the elements of a page (kinds.ELEMENTS), one renderer each ------------------------------------


@dataclass(frozen=True)
class Guide:
    """What every element's renderer reads: the record, its kind of matter, its page."""

    ctx: SiteContext
    here: str
    record: object
    matter: kinds.Matter
    flow: object

    @cached_property
    def source_columns(self) -> list[tuple[str, str, str | None]]:
        """The record's source columns kept verbatim: (label, text, the element it gives or None)."""
        return [
            (label, value, kinds.owner_of_column(label, self.matter) if value else None)
            for label, value in kinds.source_columns(self.record)
        ]

    def columns(self, key: str) -> str:
        """The source columns kept verbatim that give element `key`, marked as the source's text (in a
        line of the facts: the text, then its column)."""
        columns = [(label, value) for label, value, owner in self.source_columns if owner == key]
        if key in self.matter.facts and columns:
            return "；".join(
                f'{text(value)}<span class="qd-muted">（源文件原文“{esc(label)}”栏）</span>' for label, value in columns
            )
        return source_text_block(columns)


def _r_code(g: Guide) -> str:
    code = kinds.shown_code(g.record)
    if not code:
        return ""
    reading = kinds.read_code(code)
    problem = f'<span class="qd-flag">（{esc(reading.problem)}）</span>' if reading.problem else ""
    return f'<code>{esc(code)}</code><span class="qd-muted">（{reading.kind}）</span>{problem}'


def _r_level(g: Guide) -> str:
    codes = []
    for level in getattr(g.record, "levels", None) or []:
        code = kinds.LEVEL_CODES.get(level)
        codes.append(f"{code[0]} {code[1]}" if code else esc(level))
    shown = "、".join(codes)
    raw = getattr(g.record, "levels_raw", None)
    if raw:
        shown = (shown + "；" if shown else "") + f'<span class="qd-muted">原文：{esc(raw)}</span>'
    return shown + g.columns("level")


def _r_text(attr: str, key: str | None = None):
    def render(g: Guide) -> str:
        value = getattr(g.record, attr, None)
        body = f"<p>{text(value)}</p>" if value and str(value).strip() else ""
        return body + g.columns(key or attr)

    return render


def _r_implementer(g: Guide) -> str:
    return esc(g.record.implementer) if getattr(g.record, "implementer", None) else g.columns("implementer")


def _r_handling(g: Guide) -> str:
    shown = handling_html(g.ctx, g.here, g.record.handling) if g.record.handling else ""
    return shown + g.columns("handling")


def _r_conditions(g: Guide) -> str:
    conditions = getattr(g.record, "conditions", None) or []
    return (ul([text(c) for c in conditions]) if conditions else "") + g.columns("conditions")


def _material_detail(m) -> str:
    """A material's copies and whether it is indispensable, where the list says (GB/T 39046-2020)."""
    parts = []
    copies = getattr(m, "copies", None)
    if copies:
        parts.append(f"份数：{esc(copies)}")
    mandatory = getattr(m, "mandatory", None)
    if mandatory is not None:
        parts.append("必备" if mandatory else "非必备（视情形）")
    return f'<span class="qd-muted">（{"；".join(parts)}）</span>' if parts else ""


def _r_materials(g: Guide) -> str:
    if not g.record.materials:
        return g.columns("materials")
    return (
        '<p class="qd-muted">可打印本页或逐项勾选。</p>'
        f'<div class="qd-materials">{_materials(g.record.materials)}</div>' + g.columns("materials")
    )


def _r_time_limit(g: Guide) -> str:
    value = g.record.time_limit
    return (f"<p>{text(value)}</p>" if value else "") + g.columns("time_limit")


def _r_fees(g: Guide) -> str:
    return (f"<p>{text(g.record.fees)}</p>" if g.record.fees else "") + g.columns("fees")


def _r_procedure(g: Guide) -> str:
    processes = getattr(g.record, "processes", None) or []
    if processes:
        how = "".join(_process_html(g.ctx, g.here, g.record, i, p) for i, p in enumerate(processes, 1))
        how = f'<p class="qd-muted">本事项有 {len(processes)} 种办理方式，任选其一。</p>{how}'
    else:
        how = _single_procedure(g.ctx, g.record, g.flow)
    return how + g.columns("procedure")


def _r_flowchart(g: Guide) -> str:
    if g.flow is None:
        return ""
    return flow_figure(g.ctx, g.here, g.flow, g.record.handling, anchor="guide")


def _r_place(g: Guide) -> str:
    place = f"<p>{text(g.record.place)}</p>" if g.record.place else ""
    rows = _contacts(g.record, ("website",))
    return place + (dl(rows) if rows else "") + g.columns("place")


def _r_hours(g: Guide) -> str:
    hours = getattr(g.record, "hours", None)
    rows = [("办理时间", text(hours))] if hours else []
    rows += _contacts(g.record, ("opening_hours",))
    return (dl(rows) if rows else "") + g.columns("hours")


def _r_phones(g: Guide) -> str:
    kinds_ = ("consulting", "service")
    shown = phones_html(g.record.phones, kinds_) if any(p.kind in kinds_ for p in g.record.phones) else ""
    return shown + g.columns("phones")


def _r_legal_basis(g: Guide) -> str:
    shown = legal_bases_html(g.record.legal_bases) if g.record.legal_bases else ""
    return shown + g.columns("legal_basis")


def _r_columns(key: str):
    return lambda g: g.columns(key)


def _r_remedies(g: Guide) -> str:
    law = ""
    if g.matter.remedy:
        law = f'<p>{esc(g.matter.remedy)}<span class="qd-muted">（法律规定，非源文件内容）</span></p>'
    return law + g.columns("remedies")  # the bodies and time limits only where the source gives them


def _r_complain(g: Guide) -> str:
    rows = _phones_row(g.record, "监督投诉电话", ("supervision",))
    rows += _phones_row(g.record, "服务热线", ("hotline",))
    rows += _contacts(g.record, ("petition_mailbox", "director_mailbox", "email", "rating", "other"))
    return (dl(rows) if rows else "") + g.columns("complain")


RENDER: dict[str, Callable[[Guide], str]] = {
    "code": _r_code,
    "level": _r_level,
    "implementer": _r_implementer,
    "handling": _r_handling,
    "content": _r_text("content"),
    "applicants": _r_text("applicants"),
    "conditions": _r_conditions,
    "materials": _r_materials,
    "time_limit": _r_time_limit,
    "fees": _r_fees,
    "procedure": _r_procedure,
    "flowchart": _r_flowchart,
    "result": _r_text("result"),
    "place": _r_place,
    "hours": _r_hours,
    "phones": _r_phones,
    "legal_basis": _r_legal_basis,
    "checked": _r_text("content", "checked"),
    "frequency": _r_columns("frequency"),
    "discretion": _r_columns("discretion"),
    "remedies": _r_remedies,
    "complain": _r_complain,
}


def _first_line(g: Guide) -> str:
    """The line under the title: the first thing a reader of this kind acts on (kinds.Matter.first)."""
    record, out = g.record, []
    for key in g.matter.first:
        label = g.matter.label(key)
        if key == "procedure":
            processes = getattr(record, "processes", None) or []
            ways = [p.name for p in processes] or [zh_label("Channel.kind", c.kind) for c in record.channels]
            if ways:
                out.append("办理方式：" + "、".join(esc(w) for w in dict.fromkeys(ways)))
        elif key == "time_limit":
            limits = [record.time_limit] if record.time_limit else []
            limits += [p.time_limit for p in getattr(record, "processes", None) or [] if p.time_limit]
            if limits:
                out.append(f"{label}：" + "；".join(esc(x) for x in dict.fromkeys(limits)))
        elif key == "place" and record.place:
            out.append(f"{label}：{esc(record.place)}")
        elif key == "legal_basis" and record.legal_bases:
            bases = [
                (b.title if b.title.startswith("《") else f"《{b.title}》") + (b.article or "")
                for b in record.legal_bases[:2]
            ]
            more = f" 等 {len(record.legal_bases)} 项" if len(record.legal_bases) > 2 else ""
            out.append(f"{label}：" + "；".join(esc(x) for x in bases) + more)
        elif key == "handling" and record.handling:
            out.append(f"{label}：" + "、".join(esc(h.raw) for h in record.handling))
        elif key == "handling" and getattr(record, "implementer", None):  # who decides, where no unit is named
            out.append(f"{g.matter.label('implementer')}：{esc(record.implementer)}")
        elif key == "phones" and not out:
            numbers = [p.number for p in record.phones if p.kind in ("consulting", "service")]
            if numbers:
                out.append(f"{label}：" + "、".join(esc(n) for n in dict.fromkeys(numbers)))
        elif key in ("frequency",):
            columns = kinds.columns_for(record, key, g.matter)
            if columns:
                out.append(f"{label}：" + "；".join(esc(v) for _, v in columns))
    return f'<p class="qd-summary">{" · ".join(out)}</p>' if out else ""


def _facts(g: Guide, agency) -> list[tuple[str, str]]:
    record, matter = g.record, g.matter
    category = f'<span class="qd-code">{matter.code}</span> {esc(matter.name)}'
    printed = getattr(record, "category_raw", None) or getattr(record, "category", None)
    if printed and printed not in (matter.name, matter.name + "类"):
        category += f'<span class="qd-muted">（原文类别：{esc(printed)}）</span>'
    rows = [("事项类型", category)]
    main = getattr(record, "main_item", None)
    if main and main != record.name:
        rows.append(("主项名称", esc(main)))
    rows.append(("实施机构", agency_link(g.ctx, g.here, record.agency)))
    for key in matter.facts:
        shown = RENDER[key](g)
        if shown:
            rows.append((matter.label(key), shown))
    if getattr(record, "seq", None):
        rows.append(("序号", esc(record.seq)))
    if agency is not None and agency.region:
        rows.append(("行政区划", esc(region_name(agency.region) or agency.region)))
    if record.remark:
        rows.append(("备注", text(record.remark) + '<span class="qd-muted">（源文件原文）</span>'))
    return rows


def _parts(g: Guide, facts: str) -> list[str]:
    """The page's sections in the kind's order; a section none of whose elements is given is left out."""
    chunks = []
    for index, part in enumerate(g.matter.parts):
        shown = [(key, RENDER[key](g)) for key in part.elements]
        shown = [(key, body) for key, body in shown if body]
        if index == 0:
            chunks += [heading(part.title, part.anchor), block(facts)]
        elif not shown:
            continue
        else:
            chunks.append(heading(part.title, part.anchor))
        if index == 0 or len(part.elements) > 1:
            for key, body in shown:
                chunks += [heading(g.matter.label(key), kinds.ELEMENTS[key].anchor, 3), block(body)]
        elif shown:
            chunks.append(block(shown[0][1]))
    # what the source gave that this kind does not call for is shown too, never dropped
    columns = kinds.column_elements(g.record, g.matter)
    more = [(key, RENDER[key](g)) for key in g.matter.others if kinds.given(g.record, key, g.matter, columns)]
    more = [(key, body) for key, body in more if body]
    if more:
        chunks.append(heading("其他信息", "qd-more"))
        for key, body in more:
            chunks += [heading(g.matter.label(key), kinds.ELEMENTS[key].anchor, 3), block(body)]
    return chunks


def guide_page(ctx: SiteContext, record, kind: str) -> str:
    """The record's page as its reader needs it: what the kind of matter calls for (kinds.MATTERS), in
    that order; the expected elements the source did not give in one line; a draft says it is one at the
    top; provenance and doubts last, folded."""
    reg = ctx.registry
    here = page_url(kind, record.id)
    agency = reg.get(record.agency)
    flow = reg.get(record.flow) if record.flow else None
    matter = kinds.matter_of(record)
    g = Guide(ctx, here, record, matter, flow)
    title = kinds.reader_title(record.name)

    absent = kinds.missing(record, matter)
    missing_line = f'<p class="qd-missing">{NOT_STATED}：{"、".join(absent)}</p>' if absent else ""
    facts = dl(_facts(g, agency)) + missing_line

    other_columns = [(label, value) for label, value, owner in g.source_columns if owner is None]
    related = related_boundaries(ctx, record)

    findings = guide_findings(ctx, record)
    model = type(record).__name__
    doubts = review_block(record.review, model=model, drafts=False) + findings_block(ctx, here, findings, empty=None)
    count = sum(flag.problem != "draft" for flag in record.review) + len(findings)
    doubt_title = f"存疑之处（{count} 处）" if count else "存疑之处：未发现问题"
    printed = ""
    if title != record.name:
        printed = f'<p><strong>清单所列名称：</strong><span class="qd-raw">{esc(record.name)}</span></p>'
    editor = kinds.editor_note(record)

    chunks = [
        block(
            f'<h1 id="qd-title">{esc(title)}</h1>',
            also_called(ctx, record.name),
            f'<p class="qd-kicker">{esc(matter.name)} · {agency_link(ctx, here, record.agency)}</p>',
            draft_line(ctx, here, record),
            _first_line(g),
        ),
        *_parts(g, facts),
    ]
    if other_columns:
        chunks += [heading("源文件中的其他栏目", "qd-source-columns"), block(source_text_block(other_columns))]
    if related:
        chunks += [
            heading("涉及的其他部门", "qd-others"),
            block(f'<div class="qd-others">{_others_html(ctx, here, record, related)}</div>'),
        ]
    chunks += [
        *same_matter_chunks(ctx, here, record.id),
        heading("本页信息的出处和存疑之处", "qd-source"),
        block(
            admonition(
                "info",
                "出处",
                source_block(ctx, here, record, "本事项摘自")
                + printed
                + (f'<p class="qd-note"><strong>编者注（非源文件内容）：</strong>{text(editor)}</p>' if editor else ""),
                collapsible=True,
                opened=False,
            ),
            '<div id="qd-quality" data-search-exclude>'
            + admonition("warning" if count else "success", doubt_title, doubts or "<p>未发现问题。</p>", True, False)
            + "</div>",
        ),
        block(json_ld(_json_ld(ctx, record, kind, agency, here))),
    ]
    description = f"{title}：{matter.name}（{agency.name if agency else ''}）"
    return page({"title": esc(title), "description": esc(description)}, *chunks)


def _json_ld(ctx: SiteContext, record, kind: str, agency, here: str) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": kinds.reader_title(record.name),
        "identifier": kinds.shown_code(record) or record.id,
        "serviceType": kinds.matter_of(record).name,
    }
    if agency is not None:
        data["provider"] = {"@type": "GovernmentOrganization", "name": agency.name}
        if agency.region:
            data["areaServed"] = {
                "@type": "AdministrativeArea",
                "name": region_name(agency.region),
                "identifier": agency.region,
            }
    if ctx.site_url:
        data["url"] = ctx.site_url.rstrip("/") + "/" + here
        if agency is not None:
            data["provider"]["url"] = ctx.site_url.rstrip("/") + "/" + page_url("agency", agency.id)
    channel = {}
    phones = [p.number for p in record.phones if p.kind in ("service", "consulting")]
    if phones:
        channel["servicePhone"] = {"@type": "ContactPoint", "telephone": phones[0]}
    if record.place:
        channel["serviceLocation"] = {"@type": "Place", "name": record.place}
    if channel:
        data["availableChannel"] = {"@type": "ServiceChannel", **channel}
    if getattr(record, "content", None):
        data["description"] = record.content
    return data
