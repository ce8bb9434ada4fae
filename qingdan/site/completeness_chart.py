"""The quality page's completeness chart: for each kind of matter, the agencies side by side, each bar the
share of the elements a reader expects that its records give (`qingdan.completeness`). Inline SVG, no
script, with a text alternative, and the same numbers in a table beside it."""

from __future__ import annotations

from itertools import groupby

from .markup import a, esc, table

ROW = 22  # px per agency bar
HEAD = 26  # px for a kind's heading line
NAME_W, BAR_W, PCT_W = 170, 170, 44  # fits a phone at about its own size
WIDTH = NAME_W + BAR_W + PCT_W


def _percent(row: dict) -> str:
    return f"{100 * row['given'] / row['expected']:.0f}%" if row["expected"] else "—"


def completeness_svg(rows: list[dict]) -> str:
    """A grouped bar chart (one group per kind of matter, one bar per agency), or "" for no rows."""
    if not rows:
        return ""
    parts, y = [], 0
    groups = groupby(
        sorted(rows, key=lambda r: (r["matter_type"], r["agency_name"], r["agency"])), key=lambda r: r["matter_type"]
    )
    for _, members in groups:
        members = list(members)
        y += HEAD
        first = members[0]
        label = f"{first['matter_type']} {esc(first['matter_name'])}"
        parts.append(f'<text class="qd-chart-kind" x="0" y="{y - 8}">{label}</text>')
        for row in members:
            share = row["given"] / row["expected"] if row["expected"] else 0
            parts.append(
                f'<text class="qd-chart-name" x="{NAME_W - 8}" y="{y + 15}" text-anchor="end">'
                f"{esc(row['agency_name'])}</text>"
                f'<rect class="qd-chart-track" x="{NAME_W}" y="{y + 3}" width="{BAR_W}" height="{ROW - 6}"/>'
                f'<rect class="qd-chart-bar" x="{NAME_W}" y="{y + 3}" width="{BAR_W * share:.1f}" height="{ROW - 6}"/>'
                f'<text class="qd-chart-pct" x="{NAME_W + BAR_W + 6}" y="{y + 15}">{_percent(row)}</text>'
            )
            y += ROW
    best = max(rows, key=lambda r: r["given"] / r["expected"] if r["expected"] else 0)
    worst = min(rows, key=lambda r: r["given"] / r["expected"] if r["expected"] else 0)
    desc = (
        f"{len({r['agency'] for r in rows})} 个机构、{len({r['matter_type'] for r in rows})} 类事项。"
        f"最高：{best['agency_name']}的{best['matter_name']} {_percent(best)}；"
        f"最低：{worst['agency_name']}的{worst['matter_name']} {_percent(worst)}。各项数字见右侧（窄屏为下方）的表格。"
    )
    return (
        f'<svg class="qd-chart" viewBox="0 0 {WIDTH} {y + 4}" role="img" '
        'aria-labelledby="qd-completeness-title qd-completeness-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="qd-completeness-title">各机构清单要素齐全程度（按事项类型）</title>'
        f'<desc id="qd-completeness-desc">{esc(desc)}</desc>' + "".join(parts) + "</svg>"
    )


def completeness_table(here: str, rows: list[dict]) -> str:
    """The chart's numbers: kind, agency, records, elements expected, given, share."""
    body = [
        [
            f"{row['matter_type']} {esc(row['matter_name'])}",
            a(here, f"agencies/{row['agency']}/", esc(row["agency_name"])),
            str(row["records"]),
            str(row["expected"]),
            str(row["given"]),
            _percent(row),
        ]
        for row in sorted(rows, key=lambda r: (r["matter_type"], r["agency_name"], r["agency"]))
    ]
    return table(["事项类型", "机构", "事项数", "应载要素", "已载要素", "比例"], body, "qd-completeness-table")


def completeness_section(here: str, rows: list[dict], datasette_url: str = "") -> str:
    """The chart and its table side by side (stacked on a phone), and where the data is."""
    if not rows:
        return "<p>没有行政职权或公共服务事项。</p>"
    query = ""
    if datasette_url:
        link = f'<a href="{esc(datasette_url.rstrip("/"))}/qingdan/completeness_by_kind">数据库查询</a>'
        query = f"（{link}）"
    return (
        "<p>每类事项读者需要的要素（如许可的申请材料、办理时限，处罚的处罚依据、执法机构），"
        f"各机构清单载明的比例{query}。未载明的要素在每个事项页面上列于“源文件未载明”一行。</p>"
        f'<div class="qd-chart-pair"><figure class="qd-chart-figure">{completeness_svg(rows)}</figure>'
        f'<div class="qd-chart-numbers">{completeness_table(here, rows)}</div></div>'
    )
