"""The other generated pages: home, indexes, boundaries, who-handles-what, data quality,
data and downloads, graph, and the source texts with line anchors."""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from functools import partial
from pathlib import Path

from ..completeness import completeness_rows
from ..datasette_setup import canned_queries
from ..kinds import reader_title
from ..labels import zh_label
from ..urls import page_url, safe_id
from .agencies import POWER_ORDER
from .completeness_chart import completeness_section
from .components import (
    agency_link,
    draft_line,
    findings_block,
    findings_table,
    legal_bases_html,
    note_block,
    party_html,
    review_block,
    source_block,
)
from .context import (
    SEVERITY_BOX,
    SiteContext,
    region_name,
)
from .generated import Parts
from .graph_view import graph_view
from .markup import NS, a, admonition, block, dl, esc, heading, page, table, table_rows, text, ul

log = logging.getLogger("qingdan.site")

COMMON_CATEGORIES = ("公共服务", "行政给付", "行政确认")


# --- home ------------------------------------------------------------------------------


def home_page(ctx: SiteContext, parts: Parts | None = None) -> str:
    """The home page; `parts` keeps each agency's likeliest common tasks (`common_tasks`)."""
    here = ""
    reg = ctx.registry
    counts = {kind: len(reg.of(kind)) for kind in ("agency", "power", "service", "post", "boundary", "flow")}
    search = (
        '<form class="qd-search" action="./" method="get" role="search">'
        '<label for="qd-q">搜索办事事项、机构、岗位</label>'
        '<div class="qd-search-row"><input id="qd-q" type="search" name="q" '
        'placeholder="例如：异地就医、医疗救助、保险" autocomplete="off">'
        '<button type="submit" class="md-button md-button--primary">搜索</button></div></form>'
    )
    common = common_tasks(ctx, parts=parts)
    common_items = [
        f"{a(here, page_url(_kind(g), g.id), esc(g.name))}"
        f'<span class="qd-muted"> · {esc(ctx.name_of(g.agency) or "")}</span>'
        for g in common[:12]
    ]
    more = f"<p>{a(here, 'guides/', '全部办事指南')}（{counts['power'] + counts['service']} 项）</p>"

    cards = []
    for agency in ctx.publishing:
        mine = ctx.by_agency.get(agency.id, {})
        bits = [
            f"{label} {len(mine.get(kind, []))}"
            for kind, label in (
                ("power", "权力"),
                ("service", "服务"),
                ("post", "岗位"),
                ("duty", "职责"),
                ("boundary", "边界"),
            )
            if mine.get(kind)
        ]
        region = region_name(agency.region) or ""
        cards.append(
            f"<li><p><strong>{a(here, page_url('agency', agency.id), esc(agency.name))}</strong></p>"
            f'<p class="qd-muted">{esc(region)}{" · " if region and bits else ""}{"，".join(bits)}</p></li>'
        )
    sections = [
        ("guides/", "办事指南", "每个权力事项和公共服务的材料、流程、时限、电话"),
        ("agencies/", "机构", "各机构的科室、岗位与人员、职责、流程图"),
        ("boundaries/", "职责边界", "多个部门共同管理的事项与分工"),
        ("who/", "谁办什么", "事项、职责和岗位由哪个机构、科室办理"),
        ("quality/", "数据质量报告", "官方清单中的缺陷：重复编码、缺失依据、残缺文字"),
        ("data/", "数据下载", "SQLite 数据库、CSV、关系图文件和在线查询"),
        ("about/", "关于本站", "数据来源与整理方法"),
    ]
    section_items = [
        f"<li><p><strong>{a(here, url, label)}</strong></p><p>{desc}</p></li>" for url, label, desc in sections
    ]
    stats = (
        f"本站收录 {counts['agency']} 个机构、{counts['power']} 项行政职权、{counts['service']} 项公共服务、"
        f"{counts['post']} 个岗位、{counts['boundary']} 项职责边界、{counts['flow']} 张流程图，"
        f"以及数据质量问题 {len(ctx.report.findings)} 条。"
    )
    chunks = [
        block(
            '<h1 id="qd-title">政府部门权责清单</h1>',
            "<p>查询各级政府部门的权力事项、公共服务办事指南、岗位职责和部门间职责边界。"
            "内容逐字摘自官方公布的清单，每条记录都注明出处；源文件没有写明的内容标为“源文件未载明”，不作补充。</p>",
            search,
        ),
        heading("常办事项", "qd-common"),
        block(ul(common_items, "qd-guides", empty="暂无。"), more),
        heading("机构", "qd-agencies"),
        block(
            f'<div class="grid cards qd-cards"><ul>{"".join(cards)}</ul></div>' if cards else "<p>暂无。</p>",
            f"<p>{a(here, 'agencies/', '全部机构')}（含清单中提到的其他机构）</p>",
        ),
        heading("栏目", "qd-sections"),
        block(f'<div class="grid cards qd-cards"><ul>{"".join(section_items)}</ul></div>', f"<p>{stats}</p>"),
    ]
    return page({"title": "首页", "description": "政府部门权责清单：办事指南、机构职责、职责边界与数据质量"}, *chunks)


def common_tasks(ctx: SiteContext, limit: int = 12, parts: Parts | None = None) -> list:
    """Guides a citizen is likeliest to need: public services and benefit-type powers, the most
    complete guides first, taking turns between agencies so that no one agency fills the list.
    Each agency's `limit` likeliest are a part of `parts` (kept by the agency's key)."""
    parts = parts or Parts()

    def completeness(g) -> int:
        return sum(
            bool(v)
            for v in (
                g.materials,
                g.conditions,
                g.time_limit,
                g.applicants,
                g.fees,
                g.place,
                getattr(g, "process", None),
                g.flow,
                g.phones,
                g.legal_bases,
            )
        )

    def likeliest(guides: list) -> str:
        ranked = sorted(guides, key=completeness, reverse=True)[:limit]
        return json.dumps([[completeness(g), g.id] for g in ranked])

    candidates = ctx.registry.of("service") + [p for p in ctx.registry.of("power") if p.category in COMMON_CATEGORIES]
    position = {g.id: i for i, g in enumerate(candidates)}
    mine: dict[str, list] = defaultdict(list)
    for g in candidates:
        mine[g.agency].append(g)
    # the agency's own order (services, then powers) is the candidates' order: sorting each agency's
    # likeliest by completeness and then position gives the queues one sort of all candidates gives
    ranked = []
    for agency, guides in mine.items():
        ranked += [
            (-score, position[rid], agency, rid)
            for score, rid in json.loads(parts.of(agency, partial(likeliest, guides)))
        ]
    queues: dict[str, list] = defaultdict(list)
    for _score, _position, agency, rid in sorted(ranked):
        queues[agency].append(rid)
    picked: list = []
    while len(picked) < limit and any(queues.values()):
        for agency in list(queues):
            if queues[agency] and len(picked) < limit:
                picked.append(ctx.registry.get(queues[agency].pop(0)))
    return picked


def _kind(record) -> str:
    return "power" if hasattr(record, "code_scheme") else "service"


# --- indexes ---------------------------------------------------------------------------


def agencies_index(ctx: SiteContext) -> str:
    here = "agencies/"

    def rows(agencies):
        out = []
        for ag in agencies:
            out.append(
                [
                    a(here, page_url("agency", ag.id), esc(ag.name)),
                    esc(zh_label("Agency.level", ag.level)),
                    esc(region_name(ag.region) or "") or NS,
                ]
            )
        return out

    chunks = [block('<h1 id="qd-title">机构</h1>')]
    chunks += [
        heading("发布清单的机构", "qd-publishing"),
        block(table(["机构", "层级", "行政区划"], rows(ctx.publishing)) if ctx.publishing else "<p>暂无。</p>"),
    ]
    if ctx.named_only:
        chunks += [
            heading("清单中提到的其他机构", "qd-named"),
            block(
                "<p>这些机构在清单中作为相关部门、牵头或责任部门出现，本站没有它们自己发布的清单。</p>",
                table(["机构", "层级", "行政区划"], rows(ctx.named_only)),
            ),
        ]
    return page({"title": "机构"}, *chunks)


def guides_index(ctx: SiteContext, parts: Parts | None = None) -> str:
    """The guides by agency; each agency's list is a part of `parts` (kept by its key)."""
    here = "guides/"
    parts = parts or Parts()
    chunks = [
        block(
            '<h1 id="qd-title">办事指南</h1>',
            "<p>每项行政职权和公共服务一页：依据、条件、材料清单、时限、收费、流程和流程图、电话。按机构排列。</p>",
        )
    ]

    def listed(agency, powers: list, services: list) -> str:
        items = [f'<h2 id="g-{safe_id(agency.id)}">{esc(agency.name)}</h2>']
        if powers:
            by_cat = defaultdict(list)
            for p in powers:
                by_cat[p.category].append(p)
            for cat in sorted(by_cat, key=lambda c: POWER_ORDER.index(c) if c in POWER_ORDER else 99):
                items.append(
                    f'<p class="qd-list-title">{esc(cat)}</p>'
                    + ul(
                        [a(here, page_url("power", p.id), esc(reader_title(p.name))) for p in by_cat[cat]],
                        "qd-guides",
                    )
                )
        if services:
            items.append(
                '<p class="qd-list-title">公共服务</p>'
                + ul([a(here, page_url("service", s.id), esc(reader_title(s.name))) for s in services], "qd-guides")
            )
        return block("".join(items))

    for agency in ctx.publishing:
        mine = ctx.by_agency.get(agency.id, {})
        powers, services = mine.get("power", []), mine.get("service", [])
        if powers or services:
            chunks.append(parts.of(agency.id, partial(listed, agency, powers, services)))
    return page({"title": "办事指南"}, *chunks)


def boundaries_index(ctx: SiteContext) -> str:
    here = "boundaries/"
    chunks = [
        block(
            '<h1 id="qd-title">职责边界</h1>',
            "<p>同一事项由几个部门分工负责时，各部门在清单中登记的分工、依据和案例。</p>",
        )
    ]
    by_agency = defaultdict(list)
    for b in ctx.registry.of("boundary"):
        by_agency[b.agency].append(b)
    for agency_id, items in by_agency.items():
        rows = [
            f"{a(here, page_url('boundary', b.id), esc(b.matter))}"
            f'<span class="qd-muted">（{len(b.parties)} 个部门）</span>'
            for b in items
        ]
        chunks.append(
            block(f'<h2 id="b-{safe_id(agency_id)}">{esc(ctx.name_of(agency_id) or agency_id)}登记</h2>', ul(rows))
        )
    if not by_agency:
        chunks.append(block("<p>暂无。</p>"))
    return page({"title": "职责边界"}, *chunks)


def boundary_page(ctx: SiteContext, b) -> str:
    here = page_url("boundary", b.id)
    rows = [[party_html(ctx, here, p), text(p.division)] for p in b.parties]
    handovers = []
    for h in b.handovers:
        mark = '<span class="qd-recon-mark">（重建：据案例叙述整理，非源文件原样）</span>' if h.reconstructed else ""
        handovers.append(
            f"{agency_link(ctx, here, h.from_agency)} → {agency_link(ctx, here, h.to_agency)}：{esc(h.what)}{mark}"
        )
    chunks = [
        block(
            f'<h1 id="qd-title">{esc(b.matter)}</h1>',
            f'<p class="qd-kicker">职责边界 · {agency_link(ctx, here, b.agency)}登记'
            f"{'（序号 ' + esc(b.seq) + '）' if b.seq else ''}</p>",
            draft_line(ctx, here, b),
            review_block(b.review, drafts=False),
        ),
        heading("各部门职责分工", "qd-parties"),
        block(table(["部门（原文）", "职责分工"], rows)),
        heading("相关依据", "qd-basis"),
        block(legal_bases_html(b.legal_bases)),
        heading("案例", "qd-case"),
        block(f'<div class="qd-case"><p>{text(b.case)}</p></div>'),
    ]
    if b.handovers:
        chunks += [
            heading("办理衔接", "qd-handovers"),
            block("<p>以下衔接关系是从案例叙述中整理出来的，源文件没有以图表形式给出。</p>", ul(handovers)),
        ]
    chunks += [
        heading("来源", "qd-source"),
        block(source_block(ctx, here, b), note_block(b)),
        heading("数据质量", "qd-quality"),
        # the draft finding is said by the draft line; the quality report and the agency page list it
        block(
            "<div data-search-exclude>"
            + findings_block(ctx, here, [f for f in ctx.findings(b.id) if f.code != "draft"])
            + "</div>"
        ),
    ]
    return page({"title": esc(b.matter), "description": esc(f"{b.matter}：职责边界")}, *chunks)


# --- who handles what ------------------------------------------------------------------


def who_page(ctx: SiteContext, parts: Parts | None = None) -> str:
    """Who handles what; each agency's rows of the guides table are a part of `parts` (kept by its key)."""
    here = "who/"
    reg = ctx.registry
    parts = parts or Parts()

    def rows_of(guides: list) -> str:
        rows = []
        for g in sorted(guides, key=lambda g: (g.category or "", g.name)):
            units = "、".join(esc(h.raw) for h in g.handling) or NS
            rows.append(
                [
                    a(here, page_url(_kind(g), g.id), esc(g.name)),
                    esc(g.category or "") or NS,
                    agency_link(ctx, here, g.agency),
                    units,
                ]
            )
        return table_rows(rows)

    by_agency = defaultdict(list)
    for g in ctx.guides:
        by_agency[g.agency].append(g)
    guide_rows = "".join(parts.of(agency, partial(rows_of, by_agency[agency])) for agency in sorted(by_agency))
    duty_rows = []
    for d in reg.of("duty"):
        for wi in d.work_items:
            units = "、".join(a(here, ctx.url_of(u), esc(ctx.name_of(u) or u)) for u in wi.responsible_units)
            if not units and wi.responsible_raw:
                units = esc(wi.responsible_raw)
            duty_rows.append(
                [
                    a(here, ctx.url_of(wi.id), text(wi.text, empty="（空白）")),
                    agency_link(ctx, here, d.agency),
                    units or NS,
                ]
            )
    post_rows = []
    for p in reg.of("post"):
        people = "、".join(
            f"{esc(ctx.name_of(m.person) or m.person)}（{esc(m.role_label)}）"
            for m in ctx.memberships_by_post.get(p.id, [])
        )
        for wi in p.work_items:
            post_rows.append(
                [
                    a(here, ctx.url_of(wi.id), text(wi.text, empty="（空白）")),
                    a(here, ctx.url_of(p.id), esc(p.name)),
                    agency_link(ctx, here, p.agency),
                    people or NS,
                ]
            )
    ds = ctx.datasette_url.rstrip("/")
    ask = (
        f'<form class="qd-search" action="{esc(ds)}/qingdan/who_handles" method="get" role="search">'
        '<label for="qd-who-q">用自己的话问：这件事谁来办？（在数据库中检索服务事项、职权、岗位、工作事项、职责边界、'
        "工作任务、机构和科室；每条结果附有原文中含查询词的那句话）</label>"
        '<div class="qd-search-row"><input id="qd-who-q" type="search" name="q" placeholder="例如：异地就医备案" '
        'autocomplete="off"><input id="qd-who-region" type="search" name="region" '
        'placeholder="地区（可不填），如：三亚" aria-label="地区（可不填）" autocomplete="off">'
        '<button type="submit" class="md-button md-button--primary">查询</button></div></form>'
    )
    chunks = [
        block(
            '<h1 id="qd-title">谁办什么</h1>',
            "<p>按事项查办理机构和承办科室，按工作事项查负责的科室和岗位。表格可横向滑动。</p>",
            ask,
        )
    ]
    chunks += [
        heading("办事事项", "qd-who-guides"),
        block(
            table(["事项", "类别", "实施机构", "承办机构（原文）"], [], body=guide_rows)
            if guide_rows
            else "<p>暂无。</p>"
        ),
    ]
    if duty_rows:
        chunks += [
            heading("职责与工作事项", "qd-who-duties"),
            block(table(["工作事项", "机构", "责任处室"], duty_rows)),
        ]
    if post_rows:
        chunks += [
            heading("岗位工作事项", "qd-who-posts"),
            block(table(["工作事项", "岗位", "机构", "人员"], post_rows)),
        ]
    return page({"title": "谁办什么", "search": {"exclude": True}}, *chunks)


# --- data quality ----------------------------------------------------------------------


def quality_page(ctx: SiteContext, parts: Parts | None = None) -> str:
    """The data quality report, read from its first screen: the totals, the completeness chart, the findings
    by agency and by kind. Each agency's full list is on its own page (and in Datasette, linked); only
    the findings of no registered agency are listed here, a part of `parts` each (kept by its key)."""
    here = "quality/"
    parts = parts or Parts()
    findings = ctx.report.findings
    by_agency: dict[str | None, list] = defaultdict(list)
    for f in findings:
        by_agency[f.agency].append(f)
    registered = [ag.id for ag in ctx.registry.of("agency")]
    known = set(registered)
    order = [k for k in registered if k in by_agency] + [k for k in by_agency if k not in known]
    severities = ("high", "medium", "low", "info")
    tally = Counter((f.agency, f.severity) for f in findings)
    by_severity = Counter(f.severity for f in findings)
    summary_rows = []
    for agency_id in order:
        counts = {s: tally[agency_id, s] for s in severities}
        if agency_id in known:  # its full list is on its own page
            name = a(here, page_url("agency", agency_id) + f"#q-{safe_id(agency_id)}", esc(ctx.name_of(agency_id)))
        elif agency_id:
            name = a(here, f"#q-{safe_id(agency_id)}", esc(ctx.name_of(agency_id) or agency_id))
        else:
            name = a(here, "#q-none", "未归属机构")
        summary_rows.append(
            [name] + [str(counts[s]) if counts[s] else "" for s in severities] + [str(len(by_agency[agency_id]))]
        )
    codes = Counter(f.code for f in findings)
    ds = ctx.datasette_url.rstrip("/")

    def in_db(query: str, label: str) -> str:
        return f'<a href="{esc(ds)}/qingdan/quality_findings?{esc(query)}">{label}</a>' if ds else label

    code_rows = [
        [esc(zh_label("finding", c)), f"<code>{esc(c)}</code>", in_db(f"code={c}", str(n))]
        for c, n in codes.most_common()
    ]
    where = (
        "<p>每个机构的全部问题列在该机构的页面上（上表中点击机构名称），"
        + (
            f"全部 {len(findings)} 条也可在{in_db('_sort=id', '数据库')}中按严重程度、问题类型和机构筛选、下载；"
            if ds
            else ""
        )
        + f"{a(here, 'data/', '数据下载')}中的 quality_findings 表与此相同。</p>"
    )
    chunks = [
        block(
            '<h1 id="qd-title">数据质量报告</h1>',
            "<p>这里列出官方清单本身的缺陷（例如同一编码用于多个事项、未载明设定依据、表格中断、文字识别损坏），"
            "以及整理时重建或无法确认的内容。本站不修改官方数据：缺陷照原样登记并在此公开。</p>",
            f"<p>共 {len(findings)} 条："
            + "，".join(f"{zh_label('severity', s)} {by_severity[s]} 条" for s in severities)
            + "。</p>",
        ),
        heading("清单要素齐全程度", "qd-completeness"),
        block(completeness_section(here, completeness_rows(ctx.registry), ctx.datasette_url)),
        heading("按机构汇总", "qd-summary"),
        block(
            table(["机构"] + [zh_label("severity", s) for s in severities] + ["合计"], summary_rows)
            if summary_rows
            else "<p>未发现问题。</p>"
        ),
        heading("按问题类型汇总", "qd-codes"),
        block(table(["问题", "代码", "条数"], code_rows) if code_rows else "<p>未发现问题。</p>"),
        block(where),
    ]

    def listed(agency_id: str | None) -> str:
        anchor = f"q-{safe_id(agency_id)}" if agency_id else "q-none"
        name = ctx.name_of(agency_id) if agency_id else None
        items = [f'<h3 id="{anchor}">{esc(name or "未归属机构")}</h3>']
        if agency_id and ctx.registry.get(agency_id) is not None:
            items.append(f"<p>{a(here, page_url('agency', agency_id), '机构页面')}</p>")
        for s in severities:
            group = [f for f in by_agency[agency_id] if f.severity == s]
            if group:
                items.append(
                    admonition(
                        SEVERITY_BOX[s],
                        f"{zh_label('severity', s)}（{len(group)} 条）",
                        findings_table(ctx, here, group),
                        collapsible=True,
                        opened=s != "info",
                    )
                )
        return block("".join(items))

    # the findings of no registered agency have no agency page: listed here in full
    homeless = [agency_id for agency_id in order if agency_id not in known]
    if homeless:
        chunks.append(heading("未归属已登记机构的问题", "qd-all"))
    for agency_id in homeless:
        chunks.append(parts.of(agency_id, partial(listed, agency_id)))
    return page({"title": "数据质量报告", "search": {"exclude": True}}, *chunks)


# --- data and downloads ----------------------------------------------------------------


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def data_page(ctx: SiteContext) -> str:
    here = "data/"
    ds = ctx.datasette_url.rstrip("/")
    files = ctx.downloads

    def entry(path: str, label: str) -> str:
        size = f'<span class="qd-muted">（{_size(files[path])}）</span>' if path in files else ""
        return f"{a(here, 'downloads/' + path, esc(label))} <code>{esc(path)}</code>{size}"

    csvs = sorted(p for p in files if p.startswith("csv/") and p.endswith(".csv"))
    csv_items = [entry(p, Path(p).stem) for p in csvs] or [
        "每张数据表一个 CSV 文件（UTF-8 编码），在本站的 <code>downloads/csv/</code> 文件夹中"
    ]
    graph_items = [
        entry(f"graph/graph.{ext}", label)
        for ext, label in (
            ("graphml", "GraphML（Gephi、yEd、networkx）"),
            ("gexf", "GEXF（Gephi）"),
            ("json", "JSON（node-link）"),
        )
    ]
    chunks = [
        block(
            '<h1 id="qd-title">数据下载</h1>',
            "<p>全部数据可以下载，也可以在线查询。数据由登记簿（YAML 文件）经校验后生成，与本站页面同源同版本。</p>",
        ),
        heading("数据库", "qd-db"),
        block(
            ul([entry("qingdan.db", "SQLite 数据库")]),
            "<p>用 SQLite 或 Datasette 打开；每类记录一张表，字段说明见数据库中的表结构。</p>",
        ),
        heading("CSV 表格", "qd-csv"),
        block(ul(csv_items)),
        heading("关系图文件", "qd-graph-files"),
        block(ul(graph_items), f"<p>关系图的说明见{a(here, 'graph/', '关系图')}页。</p>"),
        heading("在线查询", "qd-datasette"),
        block(
            f'<p>在 Datasette 中浏览、筛选和全文检索：<a href="{esc(ds)}/qingdan">'
            f"{esc(ds)}/qingdan</a>。现成的查询：</p>",
            ul([f'<a href="{esc(ds)}/qingdan/{name}">{esc(title)}</a>' for name, title in canned_queries()]),
            "<p>记录很多时，数据库的全文检索比本站页面内的搜索更快。</p>",
        ),
        heading("数据质量", "qd-quality-link"),
        block(f"<p>官方数据中发现的问题见{a(here, 'quality/', '数据质量报告')}。</p>"),
    ]
    return page({"title": "数据下载"}, *chunks)


# --- graph -----------------------------------------------------------------------------


def graph_page(ctx: SiteContext) -> str:
    here = "graph/"
    svg = None
    if ctx.graph is not None:
        try:
            from ..graph_draw import draw_graph_svg

            svg = draw_graph_svg(ctx.graph, link_base="..", legend=False)  # links relative to graph/
        except Exception as exc:  # noqa: BLE001 - the drawing is optional: the site builds without it
            log.warning("could not draw the graph: %s", exc)
            svg = None
    body = graph_view(ctx, svg) if svg else "<p>本次构建没有生成关系图。关系图文件可在数据下载页获取。</p>"
    chunks = [
        block(
            '<h1 id="qd-title">关系图</h1>',
            "<p>机构之间通过职责边界、工作任务和上下级关系相连。图中每个点是一个机构或事项。</p>",
            body,
            f"<p>{a(here, 'data/#qd-graph-files', '下载关系图文件')}</p>",
        )
    ]
    return page({"title": "关系图"}, *chunks)


# --- sources ---------------------------------------------------------------------------


def sources_index(ctx: SiteContext) -> str:
    here = "sources/"
    rows = []
    for doc in ctx.registry.of("document"):
        file_name = ctx.source_file(doc)
        rows.append(
            [
                a(here, f"sources/{doc.id}/", esc(doc.title)),
                agency_link(ctx, here, doc.publisher),
                esc(doc.kind),
                esc(doc.doc_number) if doc.doc_number else NS,
                esc(doc.date) if doc.date else NS,
                a(here, f"sources/{file_name}", esc(file_name)) if file_name else NS,
            ]
        )
    chunks = [
        block(
            '<h1 id="qd-title">源文件</h1>',
            "<p>本站每条记录都摘自下列官方文件。文件是从 Word 或 PDF 原件提取的文本：表格边框、流程图图片已丢失，"
            "部分文字有识别错误。点击文件名查看带行号的全文。</p>",
            table(["文件", "发布机构", "类型", "文号", "日期", "文本"], rows) if rows else "<p>暂无。</p>",
        )
    ]
    return page({"title": "源文件"}, *chunks)


def source_page(ctx: SiteContext, doc, lines: list[str] | None) -> str:
    here = f"sources/{doc.id}/"
    cited = ctx.cited_lines.get(doc.id, set())
    file_name = ctx.source_file(doc)
    facts = [
        ("发布机构", agency_link(ctx, here, doc.publisher)),
        ("类型", esc(doc.kind)),
        ("文号", esc(doc.doc_number) if doc.doc_number else NS),
        ("日期", esc(doc.date) if doc.date else NS),
        ("文本文件", a(here, f"sources/{file_name}", esc(file_name)) if file_name else NS),
    ]
    defects = []
    for d in doc.defects:
        where = a(here, f"#L{d.line}", f"第 {d.line} 行") if d.line else ""
        defects.append(f"{esc(d.locator)} {where}：{esc(d.description)}")
    chunks = [block(f'<h1 id="qd-title">{esc(doc.title)}</h1>', dl(facts), note_block(doc))]
    if defects:
        chunks.append(block(admonition("warning", "源文件缺陷", ul(defects))))
    if lines is None:
        chunks.append(block(f"<p>源文件文本{NS}。</p>"))
    else:
        rows = []
        for number, line in enumerate(lines, 1):
            klass = "qd-line qd-cited" if number in cited else "qd-line"
            rows.append(
                f'<span id="L{number}" class="{klass}"><a class="qd-ln" href="#L{number}">{number}</a>'
                f"<span>{esc(line) if line.strip() else ' '}</span></span>"
            )
        chunks.append(
            block(
                '<p class="qd-muted">带底色的行是本站记录所引用的行。</p>',
                '<div class="qd-source-text">' + "".join(rows) + "</div>",
            )
        )
    return page({"title": esc(doc.title), "search": {"exclude": True}}, *chunks)
