"""A page per agency: its units, posts and people, duties, powers and services, boundaries,
supervision rules, tasks, self-checks and flowcharts, each record at an anchor equal to its ID."""

from __future__ import annotations

import logging
import typing
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ..flowchart import resolve_flow
from ..kinds import reader_title
from ..labels import zh_label
from ..models import PowerCategory
from ..urls import page_url, safe_id
from .components import (
    agency_link,
    draft_line,
    findings_table,
    is_draft,
    note_block,
    party_html,
    review_block,
    source_block,
    source_link,
)
from .context import SEVERITY_BOX, SiteContext, region_name
from .guides import flow_figure, steps_from_flow
from .markup import NS, a, admonition, block, dl, esc, heading, page, table, text, ul

log = logging.getLogger("qingdan.site")

POWER_ORDER = list(typing.get_args(PowerCategory))


def _record_source(ctx, here, record) -> str:
    # the page opens with the draft line when the agency's list is a draft; no line per record
    return source_link(ctx, here, record) + review_block(record.review, drafts=False) + note_block(record)


def _draft_line(ctx, here, agency, mine: dict) -> str:
    """The line a citizen reads first when the agency or its records are still machine drafts (the
    draft flag's explanation is for editors and is not shown)."""
    drafted = [r for records in mine.values() for r in records if is_draft(r)]
    if is_draft(agency):
        return draft_line(ctx, here, agency, "本机构的清单")
    if drafted:
        return draft_line(ctx, here, drafted[0], f"本机构的 {len(drafted)} 条记录")
    return ""


def _work_item(ctx: SiteContext, here: str, wi) -> str:
    rows = [("工作事项", text(wi.text, empty='<span class="qd-ns">源文件此格为空</span>'))]
    if wi.function is not None:
        rows.append(("岗位职能", text(wi.function)))
    if wi.responsibility is not None:
        rows.append(("岗位责任", text(wi.responsibility)))
    if wi.responsible_units or wi.responsible_raw:
        units = [a(here, ctx.url_of(u), esc(ctx.name_of(u) or u)) for u in wi.responsible_units]
        raw = f'<span class="qd-muted">（原文：{esc(wi.responsible_raw)}）</span>' if wi.responsible_raw else ""
        rows.append(("责任处室", ("、".join(units) or "") + raw))
    if wi.flows:
        rows.append(("流程图", "、".join(a(here, ctx.url_of(f), esc(_flow_label(ctx, f))) for f in wi.flows)))
    if wi.remark or wi.delegation:
        remark = text(wi.remark, empty="")
        if wi.delegation:
            kept = ""
            if wi.kept_by:
                kept = "，保留机构：" + agency_link(ctx, here, wi.kept_by)
            remark += f'<span class="qd-delegation">〔{zh_label("WorkItem.delegation", wi.delegation)}{kept}〕</span>'
        rows.append(("备注", remark))
    return (
        f'<li id="{safe_id(wi.id)}" class="qd-work-item">{dl(rows, "qd-facts qd-compact")}'
        f"{source_link(ctx, here, wi)}{review_block(wi.review)}</li>"
    )


def _flow_label(ctx: SiteContext, flow_id: str) -> str:
    flow = ctx.registry.get(flow_id)
    if flow is None:
        return flow_id
    return f"{flow.code} {flow.title}" if flow.code else flow.title


def _people(ctx: SiteContext, here: str, memberships: list) -> str:
    items = []
    for m in memberships:
        person = ctx.registry.get(m.person)
        name = esc(person.name) if person else esc(m.person)
        if person is not None and person.review:
            name += '<span class="qd-flag">（姓名待核对）</span>'
        title = f"，{esc(m.title)}" if m.title else ""
        items.append(f'<span id="{safe_id(m.id)}" class="qd-person">{esc(m.role_label)}：{name}{title}</span>')
        if person is not None and person.review:
            items[-1] += review_block(person.review, "姓名待核对")
    return "<p>" + "<br>".join(items) + "</p>" if items else f"<p>人员：{NS}</p>"


def agency_page(ctx: SiteContext, agency) -> str:
    here = page_url("agency", agency.id)
    mine = ctx.by_agency.get(agency.id, {})
    chunks: list[str] = []

    kicker = " · ".join(
        x
        for x in (
            zh_label("Agency.kind", agency.kind),
            zh_label("Agency.level", agency.level),
            region_name(agency.region),
        )
        if x
    )
    chunks.append(
        block(
            f'<h1 id="qd-title">{esc(agency.name)}</h1>',
            f'<p class="qd-kicker">{esc(kicker)}</p>',
            _draft_line(ctx, here, agency, mine),
        )
    )
    if not agency.name_stated:
        chunks.append(
            block(
                '<div class="admonition warning"><p class="admonition-title">源文件未写明本机构名称</p>'
                f"<p>名称系推断：{text(agency.inference, empty='推断依据源文件未载明')}</p></div>"
            )
        )

    facts = [("名称", esc(agency.name))]
    if agency.aliases:
        facts.append(("其他写法", "、".join(esc(x) for x in agency.aliases)))
    facts.append(("类别", esc(zh_label("Agency.kind", agency.kind))))
    facts.append(("层级", esc(zh_label("Agency.level", agency.level))))
    facts.append(("行政区划", f"{esc(region_name(agency.region))}（{esc(agency.region)}）" if agency.region else NS))
    if agency.parent:
        facts.append(("上级机构", agency_link(ctx, here, agency.parent)))
    children = ctx.children_of.get(agency.id, [])
    if children:
        facts.append(("下级或所属机构", "、".join(agency_link(ctx, here, c.id) for c in children)))
    docs = ctx.documents_of.get(agency.id, [])
    if docs:
        facts.append(("发布的清单", "<br>".join(a(here, f"sources/{d.id}/", esc(d.title)) for d in docs)))
    counts = [
        (label, len(mine.get(kind, [])))
        for kind, label in (
            ("power", "权力事项"),
            ("service", "公共服务"),
            ("post", "岗位"),
            ("duty", "主要职责"),
            ("boundary", "职责边界"),
            ("flow", "流程图"),
        )
    ]
    summary = "，".join(f"{label} {n} 项" for label, n in counts if n)
    if summary:
        facts.append(("登记内容", summary))
    facts.append(("变更记录", a(here, f"changes/{agency.id}/", "各版本之间的变化")))
    chunks += [block(dl(facts)), block(_record_source(ctx, here, agency))]

    # contents first: on a phone this is the way into a long page
    filled = [(section, records) for section in SECTIONS if (records := section.records(ctx, agency))]
    links = [f'<a href="#{s.anchor}">{s.title}</a>' for s, _ in filled if s.in_contents]
    if links:
        chunks.append(block('<nav class="qd-jump" aria-label="本页内容">' + " · ".join(links) + "</nav>"))
    for section, records in filled:
        chunks.append(heading(section.title, section.anchor))
        chunks.append(block(section.render(ctx, here, agency, records)))

    if ctx.graph is not None:
        svg = neighbourhood_svg(ctx, agency.id)
        involved = who_else_is_involved(ctx, here, agency.id)
        if svg or involved:
            chunks.append(heading("关系", "qd-graph"))
        if svg:
            chunks.append(
                block(
                    f'<figure class="qd-graph" data-search-exclude>{ctx.inline_svg(svg)}'
                    f"<figcaption>与本机构直接相关的机构和事项</figcaption></figure>"
                )
            )
        if involved:
            chunks.append(heading("还涉及哪些机构", "qd-involved", 3))
            chunks.append(block(involved))

    findings = ctx.findings_by_agency.get(agency.id, [])
    if findings:
        chunks.append(heading("数据质量", "qd-quality"))
        counts = Counter(f.severity for f in findings)
        summary = "，".join(
            f"{zh_label('severity', s)} {counts[s]} 项" for s in ("high", "medium", "low", "info") if counts[s]
        )
        ds = ctx.datasette_url.rstrip("/")
        elsewhere = (
            f'，也可在<a href="{esc(ds)}/qingdan/quality_findings?agency={esc(agency.id)}">数据库</a>中筛选'
            if ds
            else ""
        )
        lists = "".join(
            admonition(
                SEVERITY_BOX[s],
                f"{zh_label('severity', s)}（{counts[s]} 条）",
                findings_table(ctx, here, [f for f in findings if f.severity == s]),
                collapsible=True,
                opened=False,
            )
            for s in ("high", "medium", "low", "info")
            if counts[s]
        )
        chunks.append(
            block(
                f"<p>关于本机构数据的问题：{summary}。全部列在下面{elsewhere}；"
                f"各机构的汇总见{a(here, 'quality/', '数据质量报告')}。</p>",
                f'<div id="q-{safe_id(agency.id)}" data-search-exclude>{lists}</div>',
            )
        )

    return page({"title": esc(agency.name), "description": esc(f"{agency.name}的权责清单")}, *chunks)


# --- the sections of an agency page: which records each shows, and how -----------------------


def _powers(ctx: SiteContext, here: str, agency, powers: list) -> str:
    by_category: dict[str, list] = {}
    for p in powers:
        by_category.setdefault(p.category, []).append(p)
    parts = []
    for category in sorted(by_category, key=lambda c: POWER_ORDER.index(c) if c in POWER_ORDER else 99):
        items = [
            a(here, page_url("power", p.id), esc(reader_title(p.name)))
            + (f" <code>{esc(p.code)}</code>" if p.code else "")
            for p in by_category[category]
        ]
        parts.append(f'<p class="qd-list-title">{esc(category)}（{len(items)}）</p>' + ul(items, "qd-guides"))
    return "".join(parts)


def _services(ctx: SiteContext, here: str, agency, services: list) -> str:
    items = []
    for s in services:
        main = f'<span class="qd-muted">{esc(s.main_item)} · </span>' if s.main_item and s.main_item != s.name else ""
        items.append(f"{main}{a(here, page_url('service', s.id), esc(reader_title(s.name)))}")
    return ul(items, "qd-guides")


def _units(ctx: SiteContext, here: str, agency, units: list) -> str:
    parts = []
    for u in units:
        aliases = f'<span class="qd-muted">（又作：{"、".join(esc(x) for x in u.aliases)}）</span>' if u.aliases else ""
        parts.append(
            f'<div class="qd-record"><h3 id="{safe_id(u.id)}">{esc(u.name)}</h3>'
            f"<p>{esc(zh_label('Unit.kind', u.kind))}{aliases}</p>{_record_source(ctx, here, u)}</div>"
        )
    return "".join(parts)


def _posts(ctx: SiteContext, here: str, agency, posts: list) -> str:
    parts = []
    for p in posts:
        seq = f"{esc(p.seq)}. " if p.seq else ""
        unit = f"<p>所在科室：{a(here, ctx.url_of(p.unit), esc(ctx.name_of(p.unit) or p.unit))}</p>" if p.unit else ""
        remark = f"<p>备注：{text(p.remark)}</p>" if p.remark else ""
        items = "".join(_work_item(ctx, here, wi) for wi in p.work_items)
        work = f'<ol class="qd-work-items">{items}</ol>' if items else "<p>工作事项：" + NS + "</p>"
        parts.append(
            f'<div class="qd-record"><h3 id="{safe_id(p.id)}">{seq}{esc(p.name)}</h3>{unit}'
            f"{_people(ctx, here, ctx.memberships_by_post.get(p.id, []))}{remark}{work}"
            f"{_record_source(ctx, here, p)}</div>"
        )
    return "".join(parts)


def _members(ctx: SiteContext, here: str, agency, members: list) -> str:
    rows = []
    for m in members:
        person = ctx.registry.get(m.person)
        name = esc(person.name) if person else esc(m.person)
        title = f"（{esc(m.title)}）" if m.title else ""
        rows.append(
            f'<span id="{safe_id(m.id)}">{esc(m.role_label)}：{name}{title}</span>'
            + (review_block(person.review, "姓名待核对") if person and person.review else "")
        )
    return ul(rows)


def _persons(ctx: SiteContext, here: str, agency, persons: list) -> str:
    rows = [
        f'<span id="{safe_id(p.id)}">{esc(p.name)}</span>{note_block(p)}{review_block(p.review, "姓名待核对")}'
        f"{source_link(ctx, here, p)}"
        for p in persons
    ]
    return ul(rows)


def _duties(ctx: SiteContext, here: str, agency, duties: list) -> str:
    parts = []
    for d in duties:
        seq = f"{esc(d.seq)}. " if d.seq else ""
        items = "".join(_work_item(ctx, here, wi) for wi in d.work_items)
        work = f'<ol class="qd-work-items">{items}</ol>' if items else ""
        parts.append(
            f'<div class="qd-record" id="{safe_id(d.id)}"><p class="qd-record-title">{seq}{text(d.text)}</p>'
            f"{work}{_record_source(ctx, here, d)}</div>"
        )
    return "".join(parts)


def _boundaries(ctx: SiteContext, here: str, agency, boundaries: list) -> str:
    items = []
    for b in boundaries:
        role = "本机构登记" if b.agency == agency.id else "作为相关部门，由" + agency_link(ctx, here, b.agency) + "登记"
        division = [p.division for p in b.parties if p.agency == agency.id and p.division]
        div = f"<br>本机构分工：{text(division[0])}" if division else ""
        items.append(
            f'{a(here, page_url("boundary", b.id), esc(b.matter))}<span class="qd-muted">（{role}）</span>{div}'
        )
    return ul(items)


def _rules(ctx: SiteContext, here: str, agency, rules: list) -> str:
    parts = []
    for r in rules:
        scope = f"<p>适用对象：{text(r.scope)}</p>" if r.scope else ""
        secs = "".join(
            (f'<p class="qd-list-title">{esc(s.heading)}</p>' if s.heading else "") + f"<p>{text(s.text)}</p>"
            for s in r.sections
        )
        parts.append(
            f'<div class="qd-record"><h3 id="{safe_id(r.id)}">{esc(r.title)}</h3>{scope}{secs}'
            f"{_record_source(ctx, here, r)}</div>"
        )
    return "".join(parts)


def _tasks_of(ctx: SiteContext, agency) -> list:
    """The agency's own tasks, then those of other work plans it leads or is responsible for."""
    return ctx.by_agency.get(agency.id, {}).get("task", []) + ctx.tasks_involving.get(agency.id, [])


def _tasks(ctx: SiteContext, here: str, agency, tasks: list) -> str:
    parts = []
    for t in (t for t in tasks if t.agency == agency.id):
        seq = f"{esc(t.seq)} " if t.seq else ""
        facts = [
            ("牵头部门", "、".join(party_html(ctx, here, p) for p in t.lead) or NS),
            ("责任部门", "、".join(party_html(ctx, here, p) for p in t.responsible) or NS),
            ("完成时限", text(t.deadline)),
        ]
        if t.content:
            facts.insert(0, ("任务内容", text(t.content)))
        parts.append(
            f'<div class="qd-record"><h3 id="{safe_id(t.id)}">{seq}{esc(t.title)}</h3>{dl(facts)}'
            f"{_record_source(ctx, here, t)}</div>"
        )
    involving = [t for t in tasks if t.agency != agency.id]
    if involving:
        items = [
            f"{a(here, ctx.url_of(t.id), esc(t.title))}（{agency_link(ctx, here, t.agency)}的工作方案）"
            for t in involving
        ]
        parts.append('<p class="qd-list-title">本机构作为牵头或责任部门的其他任务</p>' + ul(items))
    return "".join(parts)


def _checks(ctx: SiteContext, here: str, agency, checks: list) -> str:
    goals: dict[str, list] = {}
    for c in checks:
        goals.setdefault(c.goal, []).append(c)
    parts = []
    for goal, items in goals.items():
        rows = "".join(
            f'<li id="{safe_id(c.id)}">{esc(c.seq) + ". " if c.seq else ""}{text(c.requirement)}'
            f'<span class="qd-muted">（完成时限：{text(c.deadline)}）</span>{review_block(c.review)}</li>'
            for c in items
        )
        parts.append(f'<p class="qd-list-title">{esc(goal)}</p><ul>{rows}</ul>')
    parts.append(source_block(ctx, here, checks[0], "来源（首项）"))
    return "".join(parts)


def _flows(ctx: SiteContext, here: str, agency, flows: list) -> str:
    parts = []
    for f in flows:
        code = f"{esc(f.code)} " if f.code else ""
        used = [a(here, page_url(ctx.kind(g.id), g.id), esc(g.name)) for g in ctx.guides_of_flow.get(f.id, [])]
        cited = [a(here, ctx.url_of(w.id), esc(ctx.work_item_label(w))) for w in ctx.work_items_of_flow.get(f.id, [])]
        body = []
        if used:
            body.append("<p>办事指南：" + "、".join(used) + "</p>")
        if cited:
            body.append("<p>引用本图的工作事项：" + "、".join(cited) + "</p>")
        if f.availability != "full":
            body.append('<p class="qd-ns">流程图未在源文件中保留（仅存标题）</p>')
        elif not used:
            body.append(flow_figure(ctx, here, f, anchor=f.id))
            steps = steps_from_flow(resolve_flow(ctx.registry, f))
            body.append(f'<details class="note"><summary>文字步骤</summary>{steps}</details>')
        parts.append(
            f'<div class="qd-record"><h3 id="{safe_id(f.id)}">{code}{esc(f.title)}</h3>'
            + "".join(body)
            + _record_source(ctx, here, f)
            + "</div>"
        )
    return "".join(parts)


def _own(kind: str):
    return lambda ctx, agency: ctx.by_agency.get(agency.id, {}).get(kind, [])


@dataclass(frozen=True)
class Section:
    """One section of an agency page: shown (and listed in the page's contents) when it has records."""

    anchor: str
    title: str
    records: Callable[[SiteContext, object], list]
    render: Callable[[SiteContext, str, object, list], str]
    in_contents: bool = True


SECTIONS = (
    Section("qd-powers", "权力事项", _own("power"), _powers),
    Section("qd-services", "公共服务", _own("service"), _services),
    Section("qd-units", "内设机构", _own("unit"), _units),
    Section("qd-posts", "岗位与人员", _own("post"), _posts),
    Section("qd-members", "成员", lambda ctx, agency: ctx.memberships_by_org.get(agency.id, []), _members),
    Section(
        "qd-persons",
        "清单中提到的其他人员",
        lambda ctx, agency: ctx.loose_persons.get(agency.id, []),
        _persons,
        in_contents=False,
    ),
    Section("qd-duties", "主要职责", _own("duty"), _duties),
    Section("qd-boundaries", "职责边界", lambda ctx, agency: ctx.boundaries_of.get(agency.id, []), _boundaries),
    Section("qd-rules", "事中事后监管", _own("supervision_rule"), _rules),
    Section("qd-tasks", "工作任务", _tasks_of, _tasks),
    Section("qd-checks", "自查", _own("self_check"), _checks),
    Section("qd-flows", "流程图", _own("flow"), _flows),
)


def who_else_is_involved(ctx: SiteContext, here: str, agency_id: str) -> str:
    """The bodies linked to this one in the graph, with the relations and the matters behind them."""
    from ..graph import EDGE_LABELS, neighbours

    if agency_id not in ctx.graph:
        return ""
    rows = []
    for row in neighbours(ctx.graph, agency_id):
        if row["node_type"] != "agency":
            continue
        relations = "、".join(EDGE_LABELS[t] for t in row["types"])
        matters = []
        for link in row["links"]:
            if not link.get("matter"):
                continue
            record = next((r for r in link["records"] if ctx.url_of(r)), None)
            label = esc(link["matter"])
            if link.get("their_division"):
                label += f'<span class="qd-muted">（对方分工：{esc(link["their_division"])}）</span>'
            matters.append(a(here, ctx.url_of(record), label) if record else label)
        rows.append(
            [
                a(here, page_url("agency", row["id"]), esc(row["name"] or row["id"])),
                esc(relations),
                "<br>".join(dict.fromkeys(matters)) or NS,
            ]
        )
    return table(["机构", "关系", "事项"], rows) if rows else ""


def neighbourhood_svg(ctx: SiteContext, agency_id: str) -> str | None:
    """The agency's neighbourhood in the graph, drawn by qingdan.graph_draw; None if unavailable."""
    try:
        from ..graph_draw import draw_neighbourhood_svg
    except ImportError:
        return None
    try:
        if agency_id not in ctx.graph:
            return None
        svg = draw_neighbourhood_svg(ctx.graph, agency_id, link_base="../../")  # links relative to this page
    except Exception as exc:  # noqa: BLE001 - a drawing problem must not stop the site
        log.warning("could not draw the neighbourhood of %s: %s", agency_id, exc)
        return None
    return svg or None
