"""事项对照 pages: one matter's records side by side, the index of matters, and the guide's link to them."""

from __future__ import annotations

from ..comparison import compare
from ..matters import shared_matters
from ..urls import MATTERS_FOLDER, matter_path, page_url
from .components import agency_link
from .context import SiteContext, region_name
from .markup import NS, a, block, esc, heading, page, table, text, ul

INDEX = f"{MATTERS_FOLDER}/"
KIND_ZH = {"power": "行政职权", "service": "公共服务"}
STATUS_ZH = {"confirmed": "已经编辑确认", "proposed": "程序建议归并，未经编辑确认"}
PROPOSAL_NOTE = (
    "归并由程序按职权编码（同一省份编码规则中的类别字母和序号）、规范化后的名称和所引依据条款提出，"
    "把握程度和理由见下；未经编辑确认的只是建议，可能有误。各栏均照录各机构清单原文。"
)


def _status(matter) -> str:
    return STATUS_ZH.get(matter.status, matter.status)


def matters_index(ctx: SiteContext) -> str:
    here = INDEX
    items = []
    for matter in shared_matters(ctx.matters):
        agencies = "、".join(esc(ctx.name_of(agency) or agency) for agency in matter.agencies)
        items.append(
            f"{a(here, matter_path(matter.id), esc(matter.title))}"
            f'<span class="qd-muted">（{len(matter.members)} 个机构：{agencies}；{_status(matter)}）</span>'
        )
    chunks = [
        block(
            '<h1 id="qd-title">事项对照</h1>',
            "<p>不同机构清单中的同一事项，逐项对照：名称原文、类别、编码、依据、时限、收费、材料、层级和步骤，"
            "并标出与其他机构不同之处。</p>",
            f'<p class="qd-muted">{PROPOSAL_NOTE}</p>',
            ul(items, "qd-guides", empty="暂无多个机构共同列出的事项。"),
        )
    ]
    return page({"title": "事项对照", "description": "不同机构清单中的同一事项对照"}, *chunks)


def matter_keys(ctx: SiteContext, matters: list, digests: dict[str, str]) -> dict[str, str]:
    """A hash per matter of what its page shows: the matter (title, status, members, evidence), its
    members' records (`digests`: record ID → hash) and their agencies. A matter with a member
    without a hash has none (its page is made every time)."""
    import hashlib
    import pickle

    agencies: dict[str, bytes] = {}
    keys = {}
    for matter in matters:
        digest = hashlib.sha256(pickle.dumps(_shown(matter)))
        for member in matter.members:
            if member.record not in digests:
                break
            if member.agency not in agencies:
                agency = ctx.registry.get(member.agency)
                agencies[member.agency] = agency.model_dump_json().encode() if agency is not None else b"-"
            digest.update(f"{digests[member.record]}\0".encode() + agencies[member.agency])
        else:
            keys[matter.id] = digest.hexdigest()
    return keys


def _shown(matter) -> tuple:
    """The matter's fields and its members' (faster to hash than its repr)."""
    fields = vars(matter)
    return (*(v for k, v in fields.items() if k != "members"), [tuple(vars(m).values()) for m in matter.members])


def matters_index_key(ctx: SiteContext, matters: list) -> str:
    """A hash of what the index of matters shows: each matter's title, status, members' agencies
    and those agencies' names."""
    import hashlib
    import pickle

    shown = [(m.id, m.title, m.status, m.agencies) for m in matters]
    names = [(agency, ctx.name_of(agency)) for agency in sorted({agency for m in matters for agency in m.agencies})]
    return hashlib.sha256(pickle.dumps((shown, names))).hexdigest()


def matter_page(ctx: SiteContext, matter) -> str:
    here = matter_path(matter.id)
    rows = compare(ctx.registry, matter)
    headers = [
        "机构",
        "名称（原文）",
        "类型",
        "类别",
        "编码",
        "依据",
        "办理时限",
        "收费",
        "材料数",
        "办理层级",
        "步骤数",
    ]
    cells = []
    for row in rows:
        agency = ctx.registry.get(row.agency)
        place = region_name(agency.region) if agency and agency.region else None
        cells.append(
            [
                agency_link(ctx, here, row.agency)
                + (f'<br><span class="qd-muted">{esc(place)}</span>' if place else ""),
                a(here, page_url(row.kind, row.record), esc(row.name)),
                KIND_ZH[row.kind],
                text(row.category),
                f"<code>{esc(row.code)}</code>" if row.code else "未印编码",
                ul([esc(b) for b in row.legal_bases]),
                text(row.time_limit),
                text(row.fees),
                str(row.materials) if row.materials else NS,
                text(row.level),
                str(row.steps) if row.steps else NS,
            ]
        )
    outliers = [
        f"{agency_link(ctx, here, row.agency)}：{'；'.join(esc(o) for o in row.outliers)}"
        for row in rows
        if row.outliers
    ]
    evidence = [
        f"{agency_link(ctx, here, row.agency)}：把握程度 {row.confidence:.2f}；"
        + "；".join(esc(e) for e in row.evidence)
        for row in rows
    ]
    chunks = [
        block(
            f'<h1 id="qd-title">{esc(matter.title)}</h1>',
            f'<p class="qd-kicker">{a(here, INDEX, "事项对照")} · {len(rows)} 个机构 · {_status(matter)}</p>',
        ),
        heading("各机构对照", "qd-compare"),
        block(f'<div class="qd-compare">{table(headers, cells)}</div>'),
        heading("与其他机构不同之处", "qd-outliers"),
        block(ul(outliers, empty="各机构所列没有明显不同（按时限、材料数、依据和类别比较）。")),
        heading("归并依据", "qd-evidence"),
        block(f'<p class="qd-muted">{PROPOSAL_NOTE}</p>', ul(evidence)),
    ]
    description = f"{matter.title}：{len(rows)} 个机构的同一事项对照"
    return page({"title": esc(matter.title), "description": esc(description)}, *chunks)


# Other agencies' records of the same matter named on a guide page; the comparison page lists them
# all. Bounded: in a province every county bureau lists the same matters, and a guide naming all of
# them would grow with the province (110 KB at 500 agencies, and its build time with it).
SAME_MATTER_SHOWN = 10


def nearest_same_matter(ctx: SiteContext, record_id: str) -> tuple[object, list, int] | None:
    """The matter of a guide, the other agencies' records of it its page names (at most
    SAME_MATTER_SHOWN: those whose region code shares the most leading digits with the guide's
    agency's first, in the matter's order) and how many more the comparison page lists; None when
    no other agency lists it. Cost bounded by SAME_MATTER_SHOWN, not by the matter's size: a
    province's matters have a member per county bureau."""
    matter = ctx.matter_of.get(record_id)
    if matter is None or len(matter.members) < 2:
        return None
    members = matter.members
    others = len(members) - 1
    own = getattr(ctx.registry.get(record_id), "agency", None)
    if own is None or others <= SAME_MATTER_SHOWN:
        rest = [m for m in members if m.record != record_id]
        return matter, rest[:SAME_MATTER_SHOWN], len(rest) - len(rest[:SAME_MATTER_SHOWN])
    code, by_prefix = _region_code(ctx, own), _members_by_region_prefix(ctx, matter)
    shown: list[int] = []
    for length in range(len(code), -1, -1):  # the same county, city, province, then the rest
        for position in by_prefix.get(code[:length], ()):
            if len(shown) == SAME_MATTER_SHOWN:
                break
            if members[position].record != record_id and position not in shown:
                shown.append(position)
    return matter, [members[position] for position in shown], others - len(shown)


def _region_code(ctx: SiteContext, agency_id: str) -> str:
    return getattr(ctx.registry.get(agency_id), "region", None) or ""


def _members_by_region_prefix(ctx: SiteContext, matter) -> dict[str, list[int]]:
    """Every leading part of each member's region code ("" included) → the members' positions, in order."""
    index = ctx.matter_regions.get(matter.id)
    if index is None:
        index = ctx.matter_regions[matter.id] = {}
        for position, member in enumerate(matter.members):
            code = _region_code(ctx, member.agency)
            for length in range(len(code) + 1):
                index.setdefault(code[:length], []).append(position)
    return index


def same_matter_chunks(ctx: SiteContext, here: str, record_id: str) -> list[str]:
    """The guide's 其他地区的同一事项: the nearest other agencies' records of its matter
    (`nearest_same_matter`), and the comparison page with all of them."""
    nearest = nearest_same_matter(ctx, record_id)
    if nearest is None:
        return []
    matter, shown, more = nearest
    others = [
        f"{agency_link(ctx, here, m.agency)}：{a(here, page_url(m.kind, m.record), esc(ctx.name_of(m.record)))}"
        for m in shown
    ]
    compare_text = "逐项对照各机构的名称、依据、时限、材料和流程"
    if more:
        compare_text = f"另有 {more} 个机构的同一事项：{compare_text}"
    return [
        heading("其他地区的同一事项", "qd-same-matter"),
        block(
            ul(others),
            f"<p>{a(here, matter_path(matter.id), compare_text)}"
            f'<span class="qd-muted">（{_status(matter)}）</span></p>',
        ),
    ]
