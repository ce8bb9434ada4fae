"""Flowcharts: a registry flow → a layered inline SVG (Graphviz `dot`), cached by content hash.

A flow is drawn from its own nodes, or from a template with the flow's unit assignments
applied to the template's nodes. Title-only flows are never drawn: their chart was lost
and only the title survives, so there is nothing to draw that would not be invented.

Registry text is untrusted: every label goes into Graphviz as an HTML-like label built
with `html.escape`, so Graphviz neither interprets escapes (`\\N`, `\\l`) nor markup,
and the SVG it writes carries the text as escaped XML.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from . import graphviz_svg
from .bidi import visible
from .graphviz_svg import FONT

WRAP_STEP = 12  # characters per line in a box
WRAP_DECISION = 8  # diamonds grow fast: wrap shorter


@dataclass
class Node:
    id: str
    kind: str  # start | step | decision | end
    label: str
    unit: str | None = None  # handling unit as shown (as written in the source where given)


@dataclass
class Edge:
    source: str
    target: str
    label: str | None = None
    reconstructed: bool = False


@dataclass
class ResolvedFlow:
    """A flow ready to draw: template applied, units resolved to display text."""

    id: str
    title: str
    code: str | None
    available: bool
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    template: str | None = None

    @property
    def any_reconstructed(self) -> bool:
        return any(e.reconstructed for e in self.edges)

    def outgoing(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.source == node_id]


def _unit_text(registry, unit_id: str | None, agency_id: str | None, raw: str | None) -> str | None:
    """The handling unit as the reader should see it: as written, else the registry's name."""
    if raw:
        return raw
    for ref in (unit_id, agency_id):
        record = registry.get(ref) if ref else None
        if record is not None:
            return record.name
    return None


def resolve_flow(registry, flow, handling=()) -> ResolvedFlow:
    """Apply the template and assignments; `handling` (a power's or service's Handling list)
    names units for steps whose label equals one of its `steps` exactly."""
    resolved = ResolvedFlow(flow.id, flow.title, flow.code, flow.availability == "full", template=flow.template)
    if not resolved.available:
        return resolved
    template = registry.get(flow.template) if flow.template else None
    source_nodes = template.nodes if template is not None else flow.nodes
    source_edges = template.edges if template is not None else flow.edges
    assigned = {a.node: a for a in flow.assignments} if template is not None else {}
    by_step: dict[str, str] = {}
    for h in handling or ():
        for step in h.steps:
            by_step.setdefault(step, h.raw)
    for n in source_nodes:
        a = assigned.get(n.id)
        if a is not None:
            unit = _unit_text(registry, a.unit, a.agency, a.unit_raw)
        else:
            unit = _unit_text(registry, n.unit, n.agency, n.unit_raw) or by_step.get(n.label)
        resolved.nodes.append(Node(n.id, n.kind, n.label, unit))
    for e in source_edges:
        resolved.edges.append(Edge(e.from_node, e.to_node, e.label, e.reconstructed))
    return resolved


# --- DOT ---------------------------------------------------------------------------------


def _html_lines(text: str, width: int) -> str:
    return "<BR/>".join(html.escape(line, quote=True) for line in graphviz_svg.wrap(visible(text), width))


def _node_label(node: Node) -> str:
    width = WRAP_DECISION if node.kind == "decision" else WRAP_STEP
    label = _html_lines(node.label, width)
    if not node.unit:
        return f"<{label}>"
    unit = f'<FONT POINT-SIZE="10" COLOR="#5A5A5A">{_html_lines(node.unit, WRAP_STEP + 2)}</FONT>'
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
        f"<TR><TD>{label}</TD></TR><TR><TD>{unit}</TD></TR></TABLE>>"
    )


def flow_dot(resolved: ResolvedFlow):
    """A graphviz.Digraph for the flow: layered top to bottom, one box per step."""
    import graphviz

    graph = graphviz.Digraph(
        name="flow",
        graph_attr={
            "rankdir": "TB",
            "bgcolor": "transparent",
            "pad": "0.1",
            "nodesep": "0.3",
            "ranksep": "0.35",
            "fontname": FONT,
        },
        node_attr={
            "fontname": FONT,
            "fontsize": "14",
            "shape": "box",
            "margin": "0.15,0.06",
            "color": "black",
            "fontcolor": "black",
        },
        edge_attr={"fontname": FONT, "fontsize": "12", "color": "black", "fontcolor": "black", "arrowsize": "0.7"},
    )
    shapes = {
        "start": {"shape": "box", "style": "rounded,bold"},
        "end": {"shape": "box", "style": "rounded,bold"},
        "step": {"shape": "box"},
        "decision": {"shape": "diamond", "margin": "0.02,0.02"},
    }
    known = {n.id for n in resolved.nodes}
    for node in resolved.nodes:
        graph.node(node.id, label=_node_label(node), **shapes.get(node.kind, {}), **{"class": f"qd-{node.kind}"})
    for edge in resolved.edges:
        if edge.source not in known or edge.target not in known:
            continue
        attrs = {}
        if edge.label:
            attrs["label"] = f"<{_html_lines(edge.label, 10)}>"
        if edge.reconstructed:
            attrs["style"] = "dashed"
            attrs["class"] = "qd-reconstructed"
        graph.edge(edge.source, edge.target, **attrs)
    return graph


# --- SVG ---------------------------------------------------------------------------------

_TITLE = re.compile(r"<title>.*?</title>\s*", re.DOTALL)
_ROOT = re.compile(r"<svg\b[^>]*>", re.DOTALL)
_VIEWBOX = re.compile(r'viewBox="([\d.\-]+) ([\d.\-]+) ([\d.\-]+) ([\d.\-]+)"')
_IDS = re.compile(r'\bid="([^"]+)"')


class UnsafeDrawing(graphviz_svg.GraphvizError):
    """A drawing the cleaner refused: left out of its page (with a warning), never a reason to stop the build."""


LEFT_OUT: list[tuple[str, str]] = []  # (flow ID, why) of drawings left out by this process


def _clean_svg(svg: str) -> str:
    """Cleaned by the one cleaner (`graphviz_svg.clean`), tooltips dropped, the root made scalable
    (viewBox, no size)."""
    cleaned = graphviz_svg.clean(svg)
    if cleaned is None:
        raise UnsafeDrawing("a flowchart holds script, event attributes or links out; it was not used")
    svg = _TITLE.sub("", cleaned)
    root = _ROOT.search(svg).group(0)
    box = _VIEWBOX.search(root)
    x, y, width, height = (float(v) for v in box.groups()) if box else (0.0, 0.0, 400.0, 300.0)
    new_root = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x:g} {y:g} {width:g} {height:g}" '
        f'data-width="{width:.0f}" data-height="{height:.0f}">'
    )
    return svg.replace(root, new_root, 1).strip() + "\n"


def render_svg(graph, cache_dir: Path | None = None) -> str:
    """Render with `dot`, reusing a drawing of the same chart (in memory or in `cache_dir`)."""
    return _clean_svg(graphviz_svg.render_cached(graph.source, cache_dir=cache_dir))


def prefix_ids(svg: str, prefix: str) -> str:
    """Give the SVG's element IDs a prefix, so two charts on one page never share an ID."""
    return _IDS.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)


def svg_size(svg: str) -> tuple[float, float]:
    match = re.search(r'data-width="([\d.]+)" data-height="([\d.]+)"', svg)
    return (float(match.group(1)), float(match.group(2))) if match else (400.0, 300.0)


def flowchart_svg(registry, flow, cache_dir: Path | None = None, handling=()) -> str | None:
    """Inline SVG of a full flow, or None for a title-only flow (never drawn).

    Flows drawn alike (most guides use their agency's template with the same units) are drawn,
    and even written as DOT, once: the drawing is kept by what decides it."""
    resolved = resolve_flow(registry, flow, handling)
    if not resolved.available or not resolved.nodes:
        return None
    key = (
        str(cache_dir),
        tuple((n.id, n.kind, n.label, n.unit) for n in resolved.nodes),
        tuple((e.source, e.target, e.label, e.reconstructed) for e in resolved.edges),
    )
    with _DRAWN_LOCK:
        svg = _DRAWN.get(key)
    if svg is None:
        try:
            svg = render_svg(flow_dot(resolved), cache_dir)
        except UnsafeDrawing as exc:  # text never stops publication: the page is made without this drawing
            LEFT_OUT.append((flow.id, str(exc)))
            logging.getLogger("qingdan").warning("flowchart %s left out: %s", flow.id, exc)
            return None
        with _DRAWN_LOCK:
            if len(_DRAWN) >= graphviz_svg.MEMORY_CACHE_SIZE:
                _DRAWN.pop(next(iter(_DRAWN)))
            _DRAWN[key] = svg
    return svg


_DRAWN: dict[tuple, str] = {}
_DRAWN_LOCK = threading.Lock()
