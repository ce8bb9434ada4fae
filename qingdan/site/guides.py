"""Service guides (办事指南): one page per power and public service.

The elements follow the national guidance on 办事指南: name, code and category, the
handling agency and unit, legal basis, who may apply, conditions, materials, time limit,
fees, place, procedure, flowchart, phones, other bodies involved, provenance and findings.
Each element is shown or marked 源文件未载明 (not stated in the source).
"""

from __future__ import annotations

from functools import cache

from .. import flowchart
from ..labels import zh_label
from ..urls import page_url
from .components import (
    agency_link,
    also_called,
    findings_block,
    handling_html,
    legal_bases_html,
    note_block,
    party_html,
    phones_html,
    review_block,
    source_block,
)
from .context import SiteContext, region_name
from .markup import NS, a, admonition, block, dl, esc, heading, json_ld, page, text, ul
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


def _material_facts(material) -> str:
    """份数 and 是否必备 after a material's name, where the guide prints them."""
    facts = [esc(material.copies)] if material.copies else []
    if material.mandatory is not None:
        facts.append("必备" if material.mandatory else "非必备")
    return f'<span class="qd-muted">（{"；".join(facts)}）</span>' if facts else ""


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
                    f'<span class="task-list-indicator"></span> {esc(m.name)}{_material_facts(m)}</label></li>'
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


def _summary(record, processes: list) -> str:
    """The facts a citizen looks for first, under the title: time limit, fees, ways to apply."""
    parts = []
    if record.time_limit:
        parts.append(f"办理时限：{esc(record.time_limit)}")
    if record.fees:
        parts.append(f"收费：{esc(record.fees)}")
    if processes:
        parts.append("办理方式：" + "、".join(esc(p.name) for p in processes))
    return f'<p class="qd-summary">{" · ".join(parts)}</p>' if parts else ""


def _contacts(record, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    """Rows (label as printed, else the kind's name; value) for the contacts of these kinds."""
    return [
        (esc(c.label or zh_label("Contact.kind", c.kind)), text(c.value)) for c in record.contacts if c.kind in kinds
    ]


def _phones_row(record, label: str, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    if not any(p.kind in kinds for p in record.phones):
        return []
    return [(label, phones_html(record.phones, kinds))]


def _others_html(ctx: SiteContext, here: str, record) -> str:
    related = related_boundaries(ctx, record)
    if not related:
        return "<p>本机构登记的职责边界中没有与本事项名称有共同词语的管理事项（按名称中的共同词语匹配）。</p>"
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


def _single_procedure(ctx: SiteContext, record, flow, is_power: bool) -> str:
    """The older single-procedure form: channels, then steps from the flowchart or the text."""
    reg = ctx.registry
    if flow is not None and flow.availability == "full":
        steps = steps_from_flow(flowchart.resolve_flow(reg, flow, record.handling))
        if not is_power and record.process:
            steps = _steps_from_text(record.process) + '<p class="qd-muted">下图为该事项的流程图。</p>'
    elif not is_power and record.process:
        steps = _steps_from_text(record.process)
    else:
        steps = f"<p>{NS}</p>"
    if flow is not None and flow.availability == "full" and flowchart.resolve_flow(reg, flow).any_reconstructed:
        steps += (
            '<p class="qd-recon-note">步骤顺序据流程图方框中的文字重建：源文件中的箭头已丢失，'
            "标有“连线系重建”的衔接不是源文件原样。</p>"
        )
    return dl([("办理渠道", channels_html(record.channels))]) + f'<div class="qd-procedure">{steps}</div>'


def guide_flows(ctx: SiteContext, record) -> list[str]:
    """IDs of the flows the guide's page draws: its own, then its ways to apply's."""
    flow = ctx.registry.get(record.flow) if record.flow else None
    return ([flow.id] if flow is not None else []) + [p.flow for p in getattr(record, "processes", []) if p.flow]


def guide_findings(ctx: SiteContext, record) -> list:
    """The findings the guide's page shows: about it, its flow, that flow's template and its ways to apply's flows."""
    flow = ctx.registry.get(record.flow) if record.flow else None
    related = [flow.id] if flow is not None else []
    if flow is not None and flow.template:
        related.append(flow.template)
    related += [p.flow for p in getattr(record, "processes", []) if p.flow]
    return ctx.findings(record.id, *related)


def guide_page(ctx: SiteContext, record, kind: str) -> str:
    """The guide in the order a citizen needs it; the record's provenance and doubts come last, folded."""
    reg = ctx.registry
    here = page_url(kind, record.id)
    agency = reg.get(record.agency)
    flow = reg.get(record.flow) if record.flow else None
    is_power = kind == "power"

    facts = []
    if is_power:
        facts.append(("事项编码", f"<code>{esc(record.code)}</code>" if record.code else "未印编码"))
        category = esc(record.category)
        if record.category_raw and record.category_raw != record.category:
            category += f'<span class="qd-muted">（原文类别：{esc(record.category_raw)}）</span>'
        facts.append(("事项类别", category))
    else:
        if record.main_item and record.main_item != record.name:
            facts.append(("主项名称", esc(record.main_item)))
        facts.append(("事项类别", text(record.category)))
        facts.append(("主要内容", text(record.content)))
    facts.append(("实施机构", agency_link(ctx, here, record.agency)))
    facts.append(("承办机构", handling_html(ctx, here, record.handling)))
    if is_power and record.levels_raw:
        facts.append(("行使层级", esc(record.levels_raw)))
    if not is_power:
        levels = "、".join(zh_label("PublicService.levels", lv) for lv in record.levels)
        if record.levels_raw:
            levels = (levels + "；" if levels else "") + f'<span class="qd-muted">原文：{esc(record.levels_raw)}</span>'
        facts.append(("办理层级", levels or NS))
        if record.seq:
            facts.append(("序号", esc(record.seq)))
    if agency is not None and agency.region:
        facts.append(("行政区划", esc(region_name(agency.region) or agency.region)))

    processes = getattr(record, "processes", [])
    if processes:
        how = "".join(_process_html(ctx, here, record, i, p) for i, p in enumerate(processes, 1))
        how = f'<p class="qd-muted">本事项有 {len(processes)} 种办理方式，任选其一。</p>{how}'
    else:
        how = _single_procedure(ctx, record, flow, is_power)

    where = [("办理地点", text(record.place))]
    where += [("办理时间", text(record.hours))] if record.hours else []
    where += _contacts(record, ("opening_hours",))
    where += _contacts(record, ("website",))
    complain = _phones_row(record, "监督投诉电话", ("supervision",))
    complain += _phones_row(record, "服务热线", ("hotline",))
    complain += _contacts(record, ("petition_mailbox", "director_mailbox", "email", "rating", "other"))

    findings = guide_findings(ctx, record)
    model = type(record).__name__
    doubts = review_block(record.review, model=model) + findings_block(ctx, here, findings, empty=None)
    count = len(record.review) + len(findings)
    doubt_title = f"存疑之处（{count} 处）" if count else "存疑之处：未发现问题"

    chunks = [
        block(
            f'<h1 id="qd-title">{esc(record.name)}</h1>',
            also_called(ctx, record.name),
            f'<p class="qd-kicker">{"行政职权" if is_power else "公共服务"} · '
            f"{agency_link(ctx, here, record.agency)}</p>",
            _summary(record, processes),
        ),
        heading("是什么、谁可以办", "qd-basic"),
        block(dl(facts)),
        heading("申请对象", "qd-applicants", 3),
        block(f"<p>{text(record.applicants)}</p>"),
        heading("受理条件", "qd-conditions", 3),
        block(ul([text(c) for c in record.conditions])),
        heading("需要带什么", "qd-materials"),
        block(
            '<p class="qd-muted">可打印本页或逐项勾选。</p>',
            f'<div class="qd-materials">{_materials(record.materials)}</div>',
        ),
        heading("怎么办理", "qd-steps"),
        heading("办理时限", "qd-time", 3),
        block(f"<p>{text(record.time_limit)}</p>"),
        heading("收费标准", "qd-fees", 3),
        block(f"<p>{text(record.fees)}</p>"),
        *([heading("办理结果", "qd-result", 3), block(f"<p>{text(record.result)}</p>")] if record.result else []),
        heading("办理方式和步骤", "qd-ways", 3),
        block(how),
        heading("流程图", "qd-flowchart", 3),
        block(flow_figure(ctx, here, flow, record.handling, anchor="guide")),
        heading("在哪里办、什么时间、打哪个电话", "qd-place"),
        block(dl(where)),
        heading("咨询电话", "qd-phones", 3),
        block(phones_html(record.phones, ("consulting", "service"))),
        heading("设定依据", "qd-basis"),
        block(legal_bases_html(record.legal_bases)),
        heading("怎么投诉和评价", "qd-complain"),
        block(dl(complain) if complain else f"<p>{NS}</p>"),
        heading("涉及的其他部门", "qd-others"),
        block(f'<div class="qd-others">{_others_html(ctx, here, record)}</div>'),
        *same_matter_chunks(ctx, here, record.id),
        heading("本页信息的出处和存疑之处", "qd-source"),
        block(
            admonition(
                "info",
                "出处",
                source_block(ctx, here, record, "本事项摘自") + note_block(record),
                collapsible=True,
                opened=False,
            ),
            '<div id="qd-quality" data-search-exclude>'
            + admonition("warning" if count else "success", doubt_title, doubts or "<p>未发现问题。</p>", True, False)
            + "</div>",
        ),
        block(json_ld(_json_ld(ctx, record, kind, agency, here))),
    ]
    description = f"{record.name}：办事指南（{agency.name if agency else ''}）"
    return page({"title": esc(record.name), "description": esc(description)}, *chunks)


def _json_ld(ctx: SiteContext, record, kind: str, agency, here: str) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": record.name,
        "identifier": getattr(record, "code", None) or record.id,
        "serviceType": record.category,
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
