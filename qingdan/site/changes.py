"""Change pages: what changed in each published version, site-wide and per agency."""

from __future__ import annotations

from ..changes import CHANGE_ZH, WORKING_COPY, ChangeSet, summary_zh
from ..urls import page_url, safe_id
from .context import SiteContext
from .markup import a, admonition, block, esc, heading, page, table

FIELD_LIMIT = 12  # field changes listed per record before "…"
OPEN_LIMIT = 50  # versions with more changes than this are shown folded


def _value(value) -> str:
    if value is None or value == []:
        return '<span class="qd-muted">（空）</span>'
    text = str(value)
    return esc(text if len(text) <= 120 else text[:120] + "…")


def _change_rows(ctx: SiteContext, here: str, changes) -> list[list[str]]:
    rows = []
    for change in changes:
        url = ctx.url_of(change.record_id) if change.kind != "removed" else None
        fields = "".join(
            f"<li><code>{esc(f.field)}</code>：{_value(f.old)} → {_value(f.new)}</li>"
            for f in change.fields[:FIELD_LIMIT]
        )
        if len(change.fields) > FIELD_LIMIT:
            fields += f"<li>……另有 {len(change.fields) - FIELD_LIMIT} 处</li>"
        rows.append(
            [
                CHANGE_ZH[change.kind],
                a(here, url, esc(change.title[:80])) + f'<br><code class="qd-muted">{esc(change.record_id)}</code>',
                f"<ul>{fields}</ul>" if fields else "",
            ]
        )
    return rows


def _version_section(ctx: SiteContext, here: str, change_set: ChangeSet, changes) -> list[str]:
    anchor = f"v-{safe_id(change_set.revision)}"
    title = "未提交的修改" if change_set.revision == WORKING_COPY else f"{change_set.date} 版本 {change_set.revision}"
    rows = table(["变化", "记录", "修改的字段（原值 → 新值）"], _change_rows(ctx, here, changes), "qd-changes")
    if len(changes) > OPEN_LIMIT:  # e.g. a first publication: every record is new
        rows = admonition("note", f"展开全部 {len(changes)} 条", rows, collapsible=True, opened=False)
    return [heading(esc(title), anchor, 2), block(f"<p>{esc(change_set.message)}。{summary_zh(changes)}。</p>", rows)]


def changes_page(ctx: SiteContext, sets: list[ChangeSet], agency_id: str | None = None) -> str:
    """The whole site's changes, or one agency's (`agency_id`)."""
    if agency_id:
        here = f"changes/{safe_id(agency_id)}/"
        name = ctx.name_of(agency_id) or agency_id
        title = f"{name}：变更记录"
        intro = (
            f"<p>{a(here, page_url('agency', agency_id), esc(name))}的清单在各版本之间的变化。"
            f"{a(here, 'changes/', '全部机构的变更记录')}</p>"
        )
    else:
        here = "changes/"
        title = "变更记录"
        intro = (
            "<p>每次发布的新版本与上一版本相比新增、删除和修改了哪些记录（按记录编号比对：改名是修改，不是删除再新增）。"
            f"订阅：{a(here, 'changes.xml', 'Atom 订阅源')}。</p>"
        )
    chunks = [block(f'<h1 id="qd-title">{esc(title)}</h1>', intro)]
    shown = 0
    for change_set in sets:
        changes = change_set.for_agency(agency_id) if agency_id else change_set.changes
        if changes:
            chunks += _version_section(ctx, here, change_set, changes)
            shown += 1
    if not shown:
        chunks.append(
            block(
                admonition("info", "暂无变更记录", "<p>没有可比较的历史版本（不在 git 仓库中构建，或尚无修改）。</p>")
            )
        )
    elif not agency_id:
        changed = {c.agency for s in sets for c in s.changes}
        agencies = [ag.id for ag in ctx.publishing if ag.id in changed]
        links = "".join(f"<li>{a(here, f'changes/{safe_id(ag)}/', esc(ctx.name_of(ag) or ag))}</li>" for ag in agencies)
        chunks.insert(1, block(f"<p>按机构查看：</p><ul>{links}</ul>"))
    return page({"title": esc(title), "search": {"exclude": True}}, *chunks)
