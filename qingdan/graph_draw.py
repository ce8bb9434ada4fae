"""Static SVG drawings of the responsibility graph, laid out by Graphviz.

The drawing is apart from the building (`qingdan.graph`): these functions take the graph
`build_graph` returns and give back one `<svg …>…</svg>` element (no XML prolog, no
doctype, no comments, no script) that a page can inline.

Edge types differ in line style, arrowhead and label, not only colour, and a legend
(图例) names them. Every text from the registry goes through `_text`, so names holding
`<script>`, quotes, backslashes or `&` are shown literally and cannot break the SVG.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable

import graphviz
import networkx as nx

from . import graphviz_svg
from .bidi import visible
from .graph import EDGE_LABELS, EDGE_TYPES, degree, neighbours, top_nodes
from .graphviz_svg import FONT
from .urls import page_url

MAX_NODES = 300  # draw the whole graph up to this many nodes
TOP_N = 80  # otherwise the top-N nodes by degree
MAX_NEIGHBOURS = 60
LABEL_CHARS = 18  # matter text on an edge is cut to this many characters (full text in the tooltip)

EDGE_STYLES = {
    "shares_matter": {"style": "solid", "dir": "none", "color": "#1f5fa6", "penwidth": "1.2"},
    "hands_over_to": {"style": "bold", "arrowhead": "normal", "color": "#b03a2e", "penwidth": "2"},
    "leads": {"style": "dashed", "arrowhead": "diamond", "color": "#1e8449"},
    "responsible_for": {"style": "dashed", "arrowhead": "odiamond", "color": "#7d3c98"},
    "belongs_to": {"style": "dotted", "arrowhead": "empty", "color": "#555555"},
    "kept_by_higher_level": {"style": "bold,dashed", "arrowhead": "tee", "color": "#b9770e"},
    "lists_same_matter": {"style": "dotted", "dir": "none", "color": "#117a65", "penwidth": "1.2"},
}
NODE_STYLES = {
    "agency": {"shape": "box", "style": "rounded"},
    "unit": {"shape": "ellipse", "style": "solid"},
}
MATTER_NODE = {"shape": "note", "style": "filled", "fillcolor": "#eaf1fb", "color": "#1f5fa6", "fontsize": "10"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- text ------------------------------------------------------------------------------


def _text(value) -> str:
    """Registry text made literal for a Graphviz label: &, backslashes, control characters."""
    text = visible(_CONTROL.sub("", "" if value is None else str(value)))
    return text.replace("&", "&amp;").replace("\\", "\\\\")


def _label(*lines) -> str:
    """A Graphviz label from text lines (never read as an HTML-like `<…>` label)."""
    return graphviz.nohtml("\\n".join(_text(line) for line in lines if line))


def _cut(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- rendering -------------------------------------------------------------------------


def _svg_element(svg: str, title: str, links_to: str | None = None) -> str:
    """Only the <svg> element, cleaned by the one cleaner (`graphviz_svg.clean`); role and name added."""
    cleaned = graphviz_svg.clean(svg, links_to)
    if cleaned is None:
        raise graphviz_svg.GraphvizError("the drawing holds script, event attributes or links out; it was not used")
    return cleaned.replace("<svg", f'<svg role="img" aria-label="{html.escape(title, quote=True)}"', 1)


def render_svg(dot: graphviz.Digraph, title: str, engine: str = "dot", links_to: str | None = None) -> str:
    """Lay out a Graphviz graph and return its inlinable <svg> element (cached by content); absolute
    links are allowed only under `links_to`."""
    graphviz_svg.require(engine)
    return _svg_element(graphviz_svg.render_cached(dot.source, engine), title, links_to)


# --- drawing ---------------------------------------------------------------------------


def _new_dot(name: str, rankdir: str) -> graphviz.Digraph:
    dot = graphviz.Digraph(name=name)
    dot.attr(rankdir=rankdir, fontname=FONT, fontsize="12", bgcolor="white", nodesep="0.3", ranksep="0.6")
    dot.attr("node", fontname=FONT, fontsize="11", margin="0.12,0.06")
    dot.attr("edge", fontname=FONT, fontsize="9")
    return dot


def _add_nodes(
    dot: graphviz.Digraph, graph: nx.MultiDiGraph, nodes: Iterable[str], focus: str | None, link_base: str | None
) -> None:
    for node in nodes:
        data = graph.nodes[node]
        node_type = data.get("node_type", "agency")
        attrs = dict(NODE_STYLES.get(node_type, NODE_STYLES["agency"]))
        lines = [data.get("name") or node]
        if node_type == "unit" and data.get("agency_name"):
            lines.append(f"（{data['agency_name']}）")
        attrs["tooltip"] = _label(f"{data.get('name') or node} [{node}]")
        if node == focus:
            attrs.update(penwidth="2.5", style=attrs["style"] + ",filled", fillcolor="#fff3bf")
        if link_base is not None:
            url = (
                page_url("agency", node, base=link_base)
                if node_type == "agency"
                else page_url("unit", node, agency=data.get("agency"), base=link_base)
            )
            if url:
                attrs["URL"] = _text(url)
                attrs["target"] = "_top"
        dot.node(node, label=_label(*lines), **attrs)


def _edge_text(data: dict) -> str:
    """What an edge is about: a boundary handover's `what`, otherwise its matter."""
    if data.get("origin") == "boundary" and data.get("what"):
        return data["what"]
    return data.get("matter") or data.get("what") or ""


def _add_matter_hubs(dot: graphviz.Digraph, graph: nx.MultiDiGraph, nodes: set[str], groups: dict) -> bool:
    """A matter shared by three or more drawn bodies becomes one node with a spoke per body.

    n bodies sharing a matter are n(n-1)/2 pairwise edges in the graph; drawn as a hub they
    are n spokes, and the matter is written once. Returns whether any hub was drawn.
    """
    by_record: dict[str, set[str]] = defaultdict(set)
    for (u, v, relation), edges in groups.items():
        if relation == "shares_matter":
            for e in edges:
                for record in e["records"]:
                    by_record[record] |= {u, v}
    matters = graph.graph.get("matters", {})
    drawn = False
    for record, bodies in sorted(by_record.items()):
        if len(bodies) < 3:
            continue
        drawn = True
        info = matters.get(record, {})
        hub = f"matter_{record}"
        dot.node(
            hub,
            label=_label(*_wrap(info.get("matter") or record)),
            tooltip=_label(info.get("matter") or record, record),
            **MATTER_NODE,
        )
        divisions = info.get("divisions", {})
        for body in sorted(bodies):
            name = graph.nodes[body].get("name") or body
            tooltip = f"{name}：{divisions[body]}" if divisions.get(body) else name
            style = {**EDGE_STYLES["shares_matter"], "class": "qd-rel-shares_matter"}
            dot.edge(body, hub, tooltip=_label(_cut(tooltip, 120)), **style)
        # the pairwise edges of this matter are drawn by the hub
        for key, edges in list(groups.items()):
            if key[2] == "shares_matter":
                kept = [e for e in edges if e["records"] != [record]]
                if kept:
                    groups[key] = kept
                else:
                    del groups[key]
    return drawn


def _wrap(text: str, width: int = 12, lines: int = 3) -> list[str]:
    text = " ".join(str(text).split())
    out = [text[i : i + width] for i in range(0, len(text), width)][:lines]
    if len(text) > width * lines:
        out[-1] = out[-1][:-1] + "…"
    return out


def _add_edges(
    dot: graphviz.Digraph, graph: nx.MultiDiGraph, nodes: set[str], edge_types: Iterable[str] | None
) -> list[str]:
    """One drawn edge per (u, v, relation), shared matters of 3+ bodies as hubs.

    Returns the legend entries needed, in legend order.
    """
    wanted = set(edge_types) if edge_types is not None else None
    groups: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for u, v, data in graph.edges(data=True):
        if u in nodes and v in nodes and u != v and (wanted is None or data["relation"] in wanted):
            groups[u, v, data["relation"]].append(data)
    hubs = _add_matter_hubs(dot, graph, nodes, groups)
    present = {relation for _, _, relation in groups}
    for (u, v, relation), edges in sorted(groups.items()):
        name = EDGE_LABELS.get(relation, relation)
        matters = [m for m in dict.fromkeys(_edge_text(e) for e in edges) if m]
        if relation == "kept_by_higher_level":
            label = f"{name}（{sum(e['weight'] for e in edges)}项）"
        elif len(matters) == 1:
            label = f"{name}：{_cut(matters[0])}"
        elif matters:
            label = f"{name} ×{len(matters)}"
        else:
            label = name
        if relation == "hands_over_to" and any(e.get("reconstructed") for e in edges):
            label += "（重建）"
        records = sorted({r for e in edges for r in e["records"]})
        tooltip_lines = [name, *matters[:12], ("…" if len(matters) > 12 else ""), "依据：" + "，".join(records[:12])]
        attrs = dict(EDGE_STYLES.get(relation, {}))
        attrs["class"] = f"qd-rel-{relation}"  # the graph page shows or hides each relation
        attrs["tooltip"] = _label(*(_cut(line, 120) for line in tooltip_lines))
        weight = sum(e["weight"] for e in edges)
        if weight > 1 and relation != "belongs_to":
            attrs["penwidth"] = str(min(4.0, float(attrs.get("penwidth", "1")) + 0.4 * (weight - 1)))
        dot.edge(u, v, label=_label(label), **attrs)
    legend = [relation for relation in EDGE_TYPES if relation in present]
    if hubs:
        legend.insert(0, "matter_hub")
    return legend


def _add_legend(dot: graphviz.Digraph, relations: list[str]) -> None:
    if not relations:
        return
    with dot.subgraph(name="cluster_legend") as legend:
        legend.attr(label=_label("图例"), fontname=FONT, fontsize="11", style="rounded", color="#999999")
        legend.attr("node", shape="point", width="0.06", label="")
        for i, relation in enumerate(relations):
            a, b = f"legend_{i}_a", f"legend_{i}_b"
            legend.node(a)
            if relation == "matter_hub":
                legend.node(b, label=_label("共管事项"), **{**MATTER_NODE, "width": "0", "height": "0"})
                legend.edge(a, b, label=_label("各方共担一项事项"), **EDGE_STYLES["shares_matter"])
                continue
            legend.node(b)
            legend.edge(a, b, label=_label(EDGE_LABELS.get(relation, relation)), **EDGE_STYLES.get(relation, {}))


def graph_dot(
    graph: nx.MultiDiGraph,
    *,
    max_nodes: int = MAX_NODES,
    top_n: int = TOP_N,
    edge_types: Iterable[str] | None = None,
    link_base: str | None = None,
    rankdir: str = "LR",
    isolated: bool = False,
    legend: bool = True,
) -> graphviz.Digraph:
    """The Graphviz description of the whole graph (see `draw_graph_svg`); its `comment` is the caption."""
    total = graph.number_of_nodes()
    if total <= max_nodes:
        nodes = list(graph.nodes)
        caption = f"机构关系图（{total} 个节点）"
    else:
        nodes = top_nodes(graph, top_n, edge_types)
        caption = f"机构关系图：关联最多的 {len(nodes)} 个节点（共 {total} 个）"
    if not isolated:
        linked = degree(graph.subgraph(nodes), edge_types)
        alone = [n for n in nodes if not linked[n]]
        if alone:
            nodes = [n for n in nodes if linked[n]]
            caption += f"；{len(alone)} 个没有关联的机构未画出"
    dot = _new_dot("responsibility_graph", rankdir)
    dot.attr(label=_label(caption), labelloc="t")
    _add_nodes(dot, graph, sorted(nodes), None, link_base)
    relations = _add_edges(dot, graph, set(nodes), edge_types)
    if legend:
        _add_legend(dot, relations)
    dot.caption = caption
    dot.relations = relations
    return dot


def draw_graph_svg(
    graph: nx.MultiDiGraph,
    *,
    max_nodes: int = MAX_NODES,
    top_n: int = TOP_N,
    edge_types: Iterable[str] | None = None,
    link_base: str | None = None,
    engine: str = "dot",
    rankdir: str = "LR",
    isolated: bool = False,
    legend: bool = True,
) -> str:
    """The whole graph as an inlinable <svg> element.

    Up to `max_nodes` nodes the whole graph is drawn; above, only the `top_n` nodes of
    highest degree and the edges among them (the caption says so). Bodies with no link
    are left out unless `isolated` (the caption counts them). A matter shared by three or
    more bodies is drawn as one matter node with a spoke to each body. `edge_types` limits
    the relations drawn; `link_base` (the site URL, or '' for site-relative addresses)
    makes nodes link to their pages. `legend=False` leaves the legend to the page (the graph page
    draws its own, with a switch per relation).
    """
    dot = graph_dot(
        graph,
        max_nodes=max_nodes,
        top_n=top_n,
        edge_types=edge_types,
        link_base=link_base,
        rankdir=rankdir,
        isolated=isolated,
        legend=legend,
    )
    return render_svg(dot, dot.caption, engine, links_to=link_base)


def neighbourhood_dot(
    graph: nx.MultiDiGraph,
    agency_id: str,
    *,
    max_neighbours: int = MAX_NEIGHBOURS,
    edge_types: Iterable[str] | None = None,
    link_base: str | None = None,
    rankdir: str = "LR",
) -> graphviz.Digraph:
    """The Graphviz description of one body's neighbourhood (see `draw_neighbourhood_svg`)."""
    if agency_id not in graph:
        raise nx.NodeNotFound(f"{agency_id!r} is not a node of the graph")
    wanted = set(edge_types) if edge_types is not None else None
    rows = [row for row in neighbours(graph, agency_id) if wanted is None or wanted & set(row["types"])]
    kept = [row["id"] for row in rows[:max_neighbours]]
    name = graph.nodes[agency_id].get("name") or agency_id
    caption = f"{name}：{len(rows)} 个关联机构" + (
        f"（显示关联最强的 {len(kept)} 个）" if len(kept) < len(rows) else ""
    )
    dot = _new_dot("neighbourhood", rankdir)
    dot.attr(label=_label(caption), labelloc="t")
    _add_nodes(dot, graph, [agency_id, *sorted(kept)], agency_id, link_base)
    relations = _add_edges(dot, graph, {agency_id, *kept}, edge_types)
    _add_legend(dot, relations)
    dot.caption = caption
    return dot


def draw_neighbourhood_svg(
    graph: nx.MultiDiGraph,
    agency_id: str,
    *,
    max_neighbours: int = MAX_NEIGHBOURS,
    edge_types: Iterable[str] | None = None,
    link_base: str | None = None,
    engine: str = "dot",
    rankdir: str = "LR",
) -> str:
    """One body and the bodies linked to it (the `max_neighbours` strongest links), as <svg>.

    Edges among the neighbours are drawn too, so bodies sharing a matter show as a group.
    """
    dot = neighbourhood_dot(
        graph, agency_id, max_neighbours=max_neighbours, edge_types=edge_types, link_base=link_base, rankdir=rankdir
    )
    return render_svg(dot, dot.caption, engine, links_to=link_base)
