"""The inter-agency responsibility graph: building, analysis, exports and drawings.

Two registries: the mini fixture extended with one record of every edge type (a city
bureau keeping a work item, a unit per flow step, a work plan, a hostile name), and the
real `registry/`, whose expectations are taken from the source texts.
"""

import json
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from itertools import combinations
from pathlib import Path

import networkx as nx
import pytest

from qingdan.graph import (
    EDGE_TYPES,
    betweenness,
    build_graph,
    degree,
    export_graph,
    graph_tables,
    matters_by_bodies,
    neighbours,
    path_between,
    read_graphml,
    single_source_bodies,
    top_nodes,
    weighted_degree,
)
from qingdan.validate import validate

from .conftest import MINI, edit

HOSTILE = '<script>alert("x")</script> "某局" \\N & ]]> --> 局'
needs_dot = pytest.mark.usefixtures("graphviz")  # fails with the install command when dot is missing

# Records added to the mini registry so that every edge type has an example.
EXTRA = f"""
documents:
  - id: doc-mini-city
    title: 示例市医疗保障局文件
    file: mini.txt
    publisher: demo-sybj
    kind: 通知

agencies:
  - id: demo-sybj
    name: 长治市医疗保障局
    aliases: [市医保局]
    level: city
    region: "140400"
    kind: government_department
    source: {{document: doc-mini-city, locator: 标题, line: 1}}
  - id: demo-hostile
    name: '{HOSTILE.replace("'", "''")}'
    level: county
    region: "140423"
    kind: other
    source: {{document: doc-mini, locator: 职责边界 序号2, line: 7}}
  - id: demo-lonely
    name: 孤立机构
    level: county
    kind: other
    source: {{document: doc-mini, locator: 标题, line: 1}}

units:
  - id: demo-ybj-ld
    agency: demo-ybj
    name: 局领导
    kind: leadership
    source: {{document: doc-mini, locator: 流程图, line: 22}}

boundaries:
  - id: demo-boundary-2
    agency: demo-ybj
    seq: "2"
    matter: 医疗保障基金监管
    parties:
      - {{agency: demo-ybj, raw: 县医保局, division: 日常监管}}
      - {{agency: demo-mzj, raw: 县民政局, division: 提供名单}}
      - {{agency: demo-sybj, raw: 市医保局, division: 抽查}}
      - {{agency: demo-hostile, raw: 某局, division: 配合}}
      - {{raw: 有关部门, division: 配合}}
    source: {{document: doc-mini, locator: 职责边界 序号2, line: 7}}

flows:
  - id: demo-flow-2
    agency: demo-ybj
    title: 处罚流程图
    availability: full
    nodes:
      - {{id: n1, kind: start, label: 立案, unit: demo-ybj-jjjg}}
      - {{id: n2, kind: step, label: 调查}}
      - {{id: n3, kind: step, label: 决定, unit: demo-ybj-ld}}
      - {{id: n4, kind: end, label: 送达, unit: demo-ybj-jjjg}}
    edges:
      - {{from: n1, to: n2, reconstructed: true}}
      - {{from: n2, to: n3}}
      - {{from: n3, to: n4}}
    source: {{document: doc-mini, locator: 流程图, line: 22}}

tasks:
  - id: demo-task-2
    agency: demo-sybj
    seq: "1"
    title: 基金监管专项行动
    lead: [{{agency: demo-ybj, raw: 县医保局}}]
    responsible:
      - {{agency: demo-mzj, raw: 县民政局}}
      - {{agency: demo-sybj, raw: 市医保局}}
    source: {{document: doc-mini-city, locator: 任务 1, line: 26}}
"""


def _extended_mini(root: Path) -> Path:
    shutil.copytree(MINI, root)
    edit(root, "    name_stated: false\n", "    name_stated: false\n    parent: demo-sybj\n")
    edit(root, "        delegation: not_delegated\n", "        delegation: not_delegated\n        kept_by: demo-sybj\n")
    edit(
        root,
        "      - {node: n1, unit: demo-ybj-jjjg, unit_raw: 基金监管股（立案）}\n",
        "      - {node: n1, unit: demo-ybj-jjjg, unit_raw: 基金监管股（立案）}\n"
        "      - {node: n3, unit: demo-ybj-ld, unit_raw: 局领导}\n",
    )
    (root / "demo-bureau" / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def mini_registry(tmp_path_factory):
    report = validate(_extended_mini(tmp_path_factory.mktemp("graph") / "mini"))
    assert report.errors == [], [p.format() for p in report.errors]
    return report.registry


@pytest.fixture(scope="module")
def g(mini_registry):
    return build_graph(mini_registry)


@pytest.fixture(scope="module")
def real(seed_report):
    return seed_report.registry


@pytest.fixture(scope="module")
def real_graph(real):
    return build_graph(real)


def edges_of(graph, relation, u=None, v=None):
    return [
        (a, b, data)
        for a, b, data in graph.edges(data=True)
        if data["relation"] == relation and (u is None or a == u) and (v is None or b == v)
    ]


def only_edge(graph, relation, u, v):
    found = edges_of(graph, relation, u, v)
    assert len(found) == 1, f"expected one {relation} edge {u} → {v}, got {found}"
    return found[0][2]


# --- nodes -----------------------------------------------------------------------------


def test_every_agency_is_a_node_with_its_attributes(g, mini_registry):
    assert {a.id for a in mini_registry.of("agency")} <= set(g.nodes)
    node = g.nodes["demo-ybj"]
    assert node["node_type"] == "agency"
    assert (node["name"], node["level"], node["region"], node["kind"], node["parent"]) == (
        "襄垣县医疗保障局",
        "county",
        "140423",
        "government_department",
        "demo-sybj",
    )
    assert node["documents"] == ["doc-mini", "doc-mini-city"]  # doc-mini-city names it as a task's lead
    assert g.nodes["demo-lonely"]["documents"] == ["doc-mini"]


def test_documents_naming_a_body_include_every_record_referring_to_it(g):
    # its own record is in doc-mini-city; doc-mini names it in a boundary and a kept_by
    assert g.nodes["demo-sybj"]["documents"] == ["doc-mini", "doc-mini-city"]
    assert g.nodes["demo-mzj"]["documents"] == ["doc-mini", "doc-mini-city"]  # task-2 names it


def test_units_are_nodes_only_where_they_take_part(g, mini_registry):
    assert g.nodes["demo-ybj-jjjg"]["node_type"] == "unit"
    assert g.nodes["demo-ybj-jjjg"]["kind"] == "unit"
    assert g.nodes["demo-ybj-jjjg"]["agency"] == "demo-ybj"
    assert g.nodes["demo-ybj-ld"]["unit_kind"] == "leadership"
    assert "demo-ybj-dy" not in g  # 待遇股 handles no flow step
    everything = build_graph(mini_registry, all_units=True)
    assert "demo-ybj-dy" in everything
    only_edge(everything, "belongs_to", "demo-ybj-dy", "demo-ybj")


def test_unresolved_parties_are_counted_not_drawn(g):
    names = {data["name"] for _, data in g.nodes(data=True)}
    assert not names & {"某合作社", "办公室", "有关部门"}
    assert g.graph["unresolved_parties"] == 3
    assert {(u["record"], u["raw"]) for u in g.graph["unresolved"]} == {
        ("demo-boundary-1", "某合作社"),
        ("demo-task-1", "办公室"),
        ("demo-boundary-2", "有关部门"),
    }
    assert g.graph["dangling"] == []


# --- edges -----------------------------------------------------------------------------


def test_shares_matter_is_stored_once_per_pair_and_boundary(g):
    found = [(u, v) for u, v, d in edges_of(g, "shares_matter") if d["records"] == ["demo-boundary-2"]]
    bodies = ["demo-ybj", "demo-mzj", "demo-sybj", "demo-hostile"]
    assert sorted(found) == sorted(tuple(sorted(pair)) for pair in combinations(bodies, 2))
    pair = {tuple(d["records"]): d for _, _, d in edges_of(g, "shares_matter", "demo-mzj", "demo-ybj")}
    assert set(pair) == {("demo-boundary-1",), ("demo-boundary-2",)}  # one edge per boundary
    data = pair["demo-boundary-1",]  # canonical direction: smaller ID first
    assert data["directed"] is False
    assert data["matter"] == "医疗救助"
    assert (data["source_division"], data["target_division"]) == ("认定", "受理初审")
    assert data["weight"] == 1
    assert not edges_of(g, "shares_matter", "demo-ybj", "demo-mzj")


def test_hands_over_to_from_a_boundary_keeps_reconstructed(g):
    data = only_edge(g, "hands_over_to", "demo-ybj", "demo-mzj")
    assert data["records"] == ["demo-boundary-1"]
    assert data["what"] == "初审材料"
    assert data["reconstructed"] is True
    assert data["origin"] == "boundary"


def test_hands_over_to_from_flow_steps_of_different_units(g):
    out = {tuple(d["records"]): d for _, _, d in edges_of(g, "hands_over_to", "demo-ybj-jjjg", "demo-ybj-ld")}
    assert set(out) == {("demo-flow-2",), ("demo-flow-b1",)}
    own = out["demo-flow-2",]
    assert own["bridged"] is True  # 立案 → (调查, no unit) → 决定
    assert own["reconstructed"] is True
    assert "立案 → 决定" in own["steps"]
    back = only_edge(g, "hands_over_to", "demo-ybj-ld", "demo-ybj-jjjg")
    assert back["records"] == ["demo-flow-2"]
    assert (back["bridged"], back["reconstructed"]) == (False, False)  # 决定 → 送达, drawn arrow
    template = out["demo-flow-b1",]  # template steps with the flow's assignments
    assert template["reconstructed"] is True
    assert template["matter"] == "对骗取医疗保障基金行为的处罚流程图"


def test_leads_and_responsible_for_point_at_the_tasks_agency(g):
    lead = only_edge(g, "leads", "demo-ybj", "demo-sybj")
    assert lead["records"] == ["demo-task-2"] and lead["matter"] == "基金监管专项行动"
    only_edge(g, "responsible_for", "demo-mzj", "demo-sybj")
    assert only_edge(g, "responsible_for", "demo-mzj", "demo-ybj")["records"] == ["demo-task-1"]
    assert nx.number_of_selfloops(g) == 0  # 市医保局 responsible for its own plan's task: no edge


def test_belongs_to_for_units_and_parent_agencies(g):
    assert only_edge(g, "belongs_to", "demo-ybj-jjjg", "demo-ybj")["records"] == ["demo-ybj-jjjg"]
    assert only_edge(g, "belongs_to", "demo-ybj", "demo-sybj")["records"] == ["demo-ybj"]


def test_kept_by_higher_level_carries_the_work_items(g):
    data = only_edge(g, "kept_by_higher_level", "demo-ybj", "demo-sybj")
    assert data["records"] == ["demo-duty-1-wi-1"]
    assert data["matter"] == "医疗救助申请受理、初审"
    assert g.graph["not_delegated_without_kept_by"] == 0


def test_not_delegated_without_kept_by_is_counted():
    graph = build_graph(validate(MINI).registry)
    assert graph.graph["not_delegated_without_kept_by"] == 1
    assert not edges_of(graph, "kept_by_higher_level")


def test_every_edge_has_relation_records_weight_and_label(g):
    relations = set()
    for _u, _v, key, data in g.edges(keys=True, data=True):
        relations.add(data["relation"])
        assert data["records"] and data["weight"] == len(data["records"])
        assert data["label"]
        assert key.startswith(data["relation"] + ":")
    assert relations == set(EDGE_TYPES) - {"lists_same_matter"}  # the mini has one bureau; see test_matters
    keys = [k for _, _, k in g.edges(keys=True)]
    assert len(keys) == len(set(keys))  # unique in the whole graph: GraphML/GEXF edge IDs


# --- analysis --------------------------------------------------------------------------


def test_degree_and_weighted_degree(g):
    deg, wdeg = degree(g), weighted_degree(g)
    # demo-mzj: demo-ybj (2 shared matters, a handover, a task), demo-sybj (a matter, a task), demo-hostile
    assert deg["demo-mzj"] == 3
    assert wdeg["demo-mzj"] == 4 + 2 + 1
    assert deg["demo-lonely"] == 0 and wdeg["demo-lonely"] == 0
    # degree by edge type
    assert degree(g, ["belongs_to"])["demo-ybj"] == 3  # two units and its parent


def test_betweenness_exact_and_sampled(g):
    exact = betweenness(g)
    assert set(exact) == set(g.nodes)
    assert max(exact, key=exact.get) == "demo-ybj"  # between its units and everyone else
    assert exact["demo-lonely"] == 0
    sampled = betweenness(g, exact_limit=0, k=g.number_of_nodes())
    assert sampled == pytest.approx(exact)
    few = betweenness(g, exact_limit=0, k=2, seed=1)
    assert set(few) == set(g.nodes) and all(0 <= x <= 1 for x in few.values())


def test_matters_ranked_by_number_of_bodies(g):
    rows = matters_by_bodies(g)
    assert [(r["record"], r["count"]) for r in rows[:2]] == [("demo-boundary-2", 4), ("demo-task-2", 3)]
    assert rows[0]["unresolved"] == ["有关部门"]
    assert rows[0]["names"][0] == "襄垣县医疗保障局"
    assert rows[0]["divisions"]["demo-sybj"] == "抽查"
    assert [r["record"] for r in matters_by_bodies(g, ["boundary"])] == ["demo-boundary-2", "demo-boundary-1"]


def test_neighbours_with_edge_types_and_records(g):
    rows = {row["id"]: row for row in neighbours(g, "demo-mzj")}
    assert set(rows) == {"demo-ybj", "demo-sybj", "demo-hostile"}
    ybj = rows["demo-ybj"]
    assert ybj["types"] == ["shares_matter", "hands_over_to", "responsible_for"]
    assert ybj["records"] == ["demo-boundary-1", "demo-boundary-2", "demo-task-1"]
    assert set(ybj["matters"]) >= {"医疗救助", "医疗保障基金监管", "行风教育"}
    directions = {(link["relation"], link["direction"]) for link in ybj["links"]}
    assert directions == {("shares_matter", "both"), ("hands_over_to", "in"), ("responsible_for", "out")}
    shared = next(
        link for link in ybj["links"] if link["records"] == ["demo-boundary-1"] and link["relation"] == "shares_matter"
    )
    assert (shared["own_division"], shared["their_division"]) == ("认定", "受理初审")
    back = next(link for link in neighbours(g, "demo-ybj") if link["id"] == "demo-mzj")["links"]
    assert ("受理初审", "认定") in {(link.get("own_division"), link.get("their_division")) for link in back}
    assert neighbours(g, "demo-mzj")[0]["id"] == "demo-ybj"  # strongest link first
    assert neighbours(g, "demo-lonely") == []
    with pytest.raises(nx.NodeNotFound):
        neighbours(g, "no-such-body")


def test_path_between(g):
    hops = path_between(g, "demo-ybj-ld", "demo-hostile")
    assert [h["from"] for h in hops] + [hops[-1]["to"]] == ["demo-ybj-ld", "demo-ybj", "demo-hostile"]
    assert hops[1]["links"][0]["records"] == ["demo-boundary-2"]
    assert path_between(g, "demo-ybj", "demo-ybj") == []
    assert path_between(g, "demo-ybj", "demo-lonely") is None
    # following the arrows: 县民政局 does not hand anything to a unit
    assert path_between(g, "demo-mzj", "demo-ybj-ld", edge_types=["hands_over_to"], directed=True) is None
    assert len(path_between(g, "demo-ybj-jjjg", "demo-ybj-ld", directed=True)) == 1


def test_bodies_named_in_only_one_document(g):
    single = single_source_bodies(g)
    assert single == {"demo-hostile": "doc-mini", "demo-lonely": "doc-mini"}
    assert g.nodes["demo-ybj"]["documents"] == ["doc-mini", "doc-mini-city"]
    assert all(node in g and g.nodes[node]["node_type"] == "agency" for node in single)


def test_top_nodes_by_degree(g):
    assert top_nodes(g, 2) == ["demo-ybj", "demo-mzj"]


# --- exports ---------------------------------------------------------------------------


def edge_set(graph):
    return Counter((u, v, k) for u, v, k in graph.edges(keys=True))


def test_export_writes_three_files_that_read_back(g, tmp_path):
    out = tmp_path / "dist" / "graph"
    written = export_graph(g, out)
    assert sorted(p.name for p in out.iterdir()) == ["graph.gexf", "graph.graphml", "graph.json"]
    assert set(written) == {"graphml", "gexf", "json"}

    back = read_graphml(out / "graph.graphml")
    assert set(back.nodes) == set(g.nodes)
    assert edge_set(back) == edge_set(g)
    for u, v, k, data in g.edges(keys=True, data=True):
        assert back.edges[u, v, k]["relation"] == data["relation"]
        assert back.edges[u, v, k]["records"] == " | ".join(data["records"])
    assert back.nodes["demo-hostile"]["name"] == HOSTILE

    root = ET.parse(out / "graph.gexf").getroot()
    ns = {"g": "http://www.gexf.net/1.2draft"}
    gexf_edges = root.findall(".//g:edge", ns)
    assert len(gexf_edges) == g.number_of_edges()
    assert len({e.get("id") for e in gexf_edges}) == len(gexf_edges)
    assert {e.get("type") for e in gexf_edges} == {"directed", "undirected"}
    labels = {n.get("label") for n in root.findall(".//g:node", ns)}
    assert "襄垣县医疗保障局" in labels and HOSTILE in labels
    for value in root.iter("{http://www.gexf.net/1.2draft}attvalue"):
        assert not value.get("value").startswith("[")  # lists became strings

    data = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    linked = nx.node_link_graph(data, edges="edges")
    assert set(linked.nodes) == set(g.nodes) and edge_set(linked) == edge_set(g)


def test_export_replaces_files_atomically(g, tmp_path):
    export_graph(g, tmp_path)
    export_graph(g, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.gexf", "graph.graphml", "graph.json"]


def test_graph_tables(g):
    nodes, edges = graph_tables(g)
    assert len(nodes) == g.number_of_nodes() and len(edges) == g.number_of_edges()
    for row in nodes + edges:
        assert all(key.isascii() for key in row)
        assert all(value is None or isinstance(value, (str, int, float)) for value in row.values())
    by_id = {row["id"]: row for row in nodes}
    assert by_id["demo-ybj"]["page_url"] == "agencies/demo-ybj/"
    assert by_id["demo-ybj-jjjg"]["page_url"] == "agencies/demo-ybj/#demo-ybj-jjjg"
    assert json.loads(by_id["demo-sybj"]["documents"]) == ["doc-mini", "doc-mini-city"]
    assert by_id["demo-mzj"]["degree"] == 3
    edge = next(e for e in edges if e["relation"] == "kept_by_higher_level")
    assert (edge["source"], edge["target"], json.loads(edge["records"])) == (
        "demo-ybj",
        "demo-sybj",
        ["demo-duty-1-wi-1"],
    )
    shared = next(e for e in edges if e["relation"] == "shares_matter")
    assert shared["directed"] == 0


# --- drawings --------------------------------------------------------------------------


def svg_texts(svg):
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def drawn_nodes(svg):
    root = ET.fromstring(svg)
    out = []
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        if group.get("class") == "node":
            title = group.find("{http://www.w3.org/2000/svg}title").text
            if not title.startswith(("legend_", "matter_")):
                out.append(title)
    return out


@needs_dot
def test_graph_svg_is_an_inlinable_svg_element(g):
    from qingdan.graph_draw import draw_graph_svg

    svg = draw_graph_svg(g)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg
    assert "<script" not in svg.lower()
    texts = svg_texts(svg)
    assert HOSTILE in texts  # shown literally, quotes, backslash and & included
    assert "襄垣县医疗保障局" in texts
    assert 'font-family="Noto Sans CJK SC"' in svg
    assert sorted(drawn_nodes(svg)) == sorted(set(g.nodes) - {"demo-lonely"})  # no link: left out
    assert any("1 个没有关联的机构未画出" in t for t in texts)
    assert "demo-lonely" in drawn_nodes(draw_graph_svg(g, isolated=True))


SCRIPTED_SVGS = [
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<svg><g ONLOAD="alert(1)"></g></svg>',
    "<svg><foreignObject><p>x</p></foreignObject></svg>",
    '<svg><a href="https://elsewhere.example/"><text>x</text></a></svg>',
    '<svg><image src="http://elsewhere.example/x.png"/></svg>',
]


@pytest.mark.parametrize("svg", SCRIPTED_SVGS)
def test_the_svg_cleaner_refuses_anything_scripted_or_linking_out(svg):
    from qingdan.graphviz_svg import clean

    assert clean('<?xml version="1.0"?>\n' + svg) is None


def test_absolute_links_are_allowed_only_under_the_site_address_asked_for():
    from qingdan.graphviz_svg import clean

    own = '<svg><a xlink:href="https://example.org/agencies/x/"><text>x</text></a></svg>'
    assert clean(own, links_to="https://example.org/") == own
    assert clean(own) is None and clean(own, links_to="https://example.org.evil/") is None
    assert clean(own, links_to="..") is None  # a relative base allows no absolute link
    assert clean(own.replace("</svg>", "<script/></svg>"), links_to="https://example.org/") is None


def test_the_svg_cleaner_keeps_the_drawing_and_drops_prolog_and_comments():
    from qingdan.graphviz_svg import clean

    drawn = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg>\n<!-- a -->\n<svg>\n<!-- b -->\n\n'
        '<a xlink:href="../x/"><text>&lt;script&gt;</text></a>\n</svg>\n'
    )
    assert clean(drawn) == '<svg>\n<a xlink:href="../x/"><text>&lt;script&gt;</text></a>\n</svg>'
    assert clean("no drawing") is None


@pytest.mark.parametrize("drawing", ["graph", "flowchart"])
def test_graph_drawings_and_flowcharts_go_through_the_cleaner(monkeypatch, drawing):
    """Whatever Graphviz returned, a drawing that holds script never reaches a page."""
    from qingdan import flowchart, graph_draw, graphviz_svg

    monkeypatch.setattr(graphviz_svg, "require", lambda engine="dot": engine)
    monkeypatch.setattr(graphviz_svg, "render_cached", lambda *args, **kwargs: SCRIPTED_SVGS[0])
    with pytest.raises(graphviz_svg.GraphvizError, match="script"):
        if drawing == "graph":
            graph_draw.render_svg(graph_draw.graphviz.Digraph(), "图")
        else:
            flowchart.render_svg(graph_draw.graphviz.Digraph())


@needs_dot
def test_a_matter_of_three_or_more_bodies_is_drawn_once_as_a_hub(g):
    from qingdan.graph_draw import graph_dot

    source = graph_dot(g).source
    assert source.count("matter_demo-boundary-2") == 1 + 4  # the hub and a spoke per body
    assert "医疗保障基金监管" in source
    assert "共管事项：医疗救助" in source  # a matter of two bodies stays one labelled edge


@needs_dot
def test_edge_types_differ_by_style_label_and_legend(g):
    from qingdan.graph_draw import EDGE_STYLES, draw_graph_svg

    svg = draw_graph_svg(g)
    texts = svg_texts(svg)
    assert "图例" in texts
    for name in ("共管事项", "移交", "牵头", "责任", "隶属", "上级未下放"):
        assert name in texts  # in the legend
    styles = {(s["style"], s.get("arrowhead"), s.get("dir")) for s in EDGE_STYLES.values()}
    assert len(styles) == len(EDGE_STYLES)  # not colour alone
    assert "stroke-dasharray" in svg  # dashed and dotted lines are drawn as such


@needs_dot
def test_neighbourhood_svg(g):
    from qingdan.graph_draw import draw_neighbourhood_svg

    svg = draw_neighbourhood_svg(g, "demo-mzj")
    assert sorted(drawn_nodes(svg)) == sorted(["demo-mzj", "demo-ybj", "demo-sybj", "demo-hostile"])
    assert "<script" not in svg.lower()
    assert any("襄垣县民政局" in t for t in svg_texts(svg))
    small = draw_neighbourhood_svg(g, "demo-mzj", max_neighbours=1)
    assert sorted(drawn_nodes(small)) == ["demo-mzj", "demo-ybj"]
    with pytest.raises(nx.NodeNotFound):
        draw_neighbourhood_svg(g, "no-such-body")


@needs_dot
def test_big_graphs_draw_only_the_top_n(g):
    from qingdan.graph_draw import draw_graph_svg

    svg = draw_graph_svg(g, max_nodes=3, top_n=2)
    assert sorted(drawn_nodes(svg)) == ["demo-mzj", "demo-ybj"]
    assert any(f"共 {g.number_of_nodes()} 个" in t for t in svg_texts(svg))


@needs_dot
def test_nodes_link_to_their_pages_when_asked(g):
    from qingdan.graph_draw import draw_graph_svg

    svg = draw_graph_svg(g, link_base="https://example.org/")
    assert 'xlink:href="https://example.org/agencies/demo-ybj/"' in svg
    assert "href" not in draw_graph_svg(g).replace("xlink:href", "").replace("xmlns:xlink", "")


def test_a_missing_dot_program_is_a_clear_error(g, monkeypatch):
    from qingdan import graph_draw, graphviz_svg

    monkeypatch.setattr(graphviz_svg.shutil, "which", lambda name: None)
    with pytest.raises(graphviz_svg.GraphvizMissing, match="dot"):
        graph_draw.draw_graph_svg(g)


# --- the real registry -----------------------------------------------------------------


def _boundary(registry, matter, region):
    found = [b for b in registry.of("boundary") if b.matter == matter and registry.get(b.agency).region == region]
    assert found, f"no boundary {matter} of region {region} in the registry yet"
    return found[0]


def _names(graph, node):
    data = graph.nodes[node]
    return [data["name"], *data.get("aliases", [])]


def test_haitang_medical_assistance_involves_five_bodies(real, real_graph):
    boundary = _boundary(real, "医疗救助", "460202")
    matter = real_graph.graph["matters"][boundary.id]
    assert len(matter["bodies"]) == 5
    assert matter["unresolved"] == []
    # the five bodies as the source names them
    raws = {p.agency: p.raw for p in boundary.parties}
    for short in ("区医保局", "村（居）委会", "区民政局", "市医保局", "市社保服务中心"):
        assert any(short in raws[b] or any(short in n for n in _names(real_graph, b)) for b in matter["bodies"]), short
    shared = [(u, v) for u, v, d in edges_of(real_graph, "shares_matter") if boundary.id in d["records"]]
    assert len(shared) == 10  # every pair of the five
    assert matters_by_bodies(real_graph, ["boundary"])[0]["count"] >= 5


def test_sanya_social_insurance_centre_is_one_node(real, real_graph):
    named = {}
    for boundary in real.of("boundary"):
        for party in boundary.parties:
            for spelling in ("市社保服务中心", "市社会保险服务中心"):
                if party.raw.endswith(spelling) and "区" not in party.raw:
                    named.setdefault(spelling, set()).add(party.agency)
    assert set(named) == {"市社保服务中心", "市社会保险服务中心"}, named
    nodes = named["市社保服务中心"] | named["市社会保险服务中心"]
    assert len(nodes) == 1 and None not in nodes
    (node,) = nodes
    assert node in real_graph
    holders = [n for n in real_graph if {"市社保服务中心", "市社会保险服务中心"} & set(_names(real_graph, n))]
    assert holders == [node]  # no second node under either spelling


def test_hengshui_police_shares_the_fraud_case_matter(real_graph):
    assert "131100-gaj" in real_graph and "131100-ybj" in real_graph
    links = [
        d
        for u, v, d in real_graph.edges(data=True)
        if {u, v} == {"131100-gaj", "131100-ybj"} and d["relation"] == "shares_matter"
    ]
    assert [d["matter"] for d in links] == ["涉嫌骗取医疗保障基金犯罪案件查处"]
    row = next(r for r in neighbours(real_graph, "131100-gaj") if r["id"] == "131100-ybj")
    assert "涉嫌骗取医疗保障基金犯罪案件查处" in row["matters"]


def test_every_real_agency_is_a_node(real, real_graph):
    assert {a.id for a in real.of("agency")} <= set(real_graph.nodes)
    assert real_graph.graph["dangling"] == []


def test_real_graphml_reads_back_the_same(real_graph, tmp_path):
    export_graph(real_graph, tmp_path)
    back = read_graphml(tmp_path / "graph.graphml")
    assert set(back.nodes) == set(real_graph.nodes)
    assert edge_set(back) == edge_set(real_graph)
    assert Counter(d["relation"] for *_, d in back.edges(data=True)) == Counter(
        d["relation"] for *_, d in real_graph.edges(data=True)
    )


@needs_dot
def test_real_graph_draws(real_graph):
    from qingdan.graph_draw import draw_graph_svg, draw_neighbourhood_svg

    svg = draw_graph_svg(real_graph)
    ET.fromstring(svg)
    assert "衡水市公安局" in svg_texts(svg)
    ET.fromstring(draw_neighbourhood_svg(real_graph, "131100-ybj"))
