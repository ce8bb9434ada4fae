"""The graph page's drawing as something to explore: a legend that switches relations on and off,
zoom buttons and the panel listing a clicked body's links (content/javascripts/graph.js)."""

from __future__ import annotations

from ..graph import EDGE_LABELS, EDGE_TYPES
from ..graph_draw import EDGE_STYLES
from .context import SiteContext
from .markup import esc


def _swatch(relation: str) -> str:
    """A short line drawn as the relation is drawn in the graph (colour and dashes from EDGE_STYLES)."""
    style = EDGE_STYLES.get(relation, {})
    dashes = {"dashed": ' stroke-dasharray="6 3"', "dotted": ' stroke-dasharray="2 3"'}
    dash = next((d for name, d in dashes.items() if name in style.get("style", "")), "")
    color = esc(style.get("color", "#555555"))
    return (
        f'<svg class="qd-swatch" width="32" height="10" aria-hidden="true">'
        f'<line x1="1" y1="5" x2="31" y2="5" stroke="{color}" stroke-width="2.5"{dash}/></svg>'
    )


def graph_view(ctx: SiteContext, svg: str) -> str:
    present = {data["relation"] for _, _, data in ctx.graph.edges(data=True)}
    switches = "".join(
        f'<label class="qd-graph-switch"><input type="checkbox" checked data-qd-rel="{relation}">'
        f"{_swatch(relation)}{esc(EDGE_LABELS[relation])}</label>"
        for relation in EDGE_TYPES
        if relation in present
    )
    return (
        '<div class="qd-graph-tools" data-search-exclude>'
        f'<fieldset class="qd-graph-legend"><legend>图例（点选以显示或隐藏该类关系）</legend>{switches}</fieldset>'
        '<div class="qd-graph-zoom">'
        '<button type="button" class="qd-graph-button" data-qd-zoom="in" aria-label="放大">放大</button>'
        '<button type="button" class="qd-graph-button" data-qd-zoom="out" aria-label="缩小">缩小</button>'
        '<button type="button" class="qd-graph-button" data-qd-zoom="reset" aria-label="复原">复原</button>'
        "</div></div>"
        f'<figure class="qd-graph" data-search-exclude><div class="qd-graph-view">{ctx.inline_svg(svg)}</div>'
        "<figcaption>拖动平移，滚轮或按钮缩放；点击机构查看与其相连的机构，再点“打开页面”进入其页面。"
        "</figcaption></figure>"
        '<div id="qd-graph-panel" class="qd-graph-panel" hidden aria-live="polite"></div>'
    )
