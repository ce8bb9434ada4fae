"""The inter-agency responsibility graph: who shares a matter, who hands work to whom.

Plain functions over a networkx graph, in the networkx style: `build_graph` turns the
validated registry into a `networkx.MultiDiGraph`; the analysis functions read the graph;
`export_graph` and `graph_tables` write it out. Drawing is apart, in `graph_draw`.

Nodes
-----
Node keys are record IDs (unique in the whole registry, so agencies and units never clash).

- Every agency record is a node (``node_type="agency"``), with ``name``, ``level``,
  ``region``, ``kind`` (the agency's kind, e.g. ``government_department``), ``parent`` and
  ``documents``: the sorted IDs of the source documents that name the body (the document
  of its own record, the documents it publishes and those of every record referring to it;
  a child agency's ``parent`` reference does not count as naming the parent).
- A unit record is a node (``node_type="unit"``, ``kind="unit"``, ``unit_kind`` its own
  kind, ``agency`` and ``parent`` its agency, ``level``/``region`` of its agency) only where
  it takes part in an edge other than its ``belongs_to`` edge (a flow step it handles),
  unless ``build_graph(..., all_units=True)``. Leaf units would otherwise inflate the
  betweenness of their agency.

Parties with no agency (names the registry could not resolve) are not nodes: the graph
attribute ``unresolved_parties`` counts them and ``unresolved`` lists them (record, field,
raw name).

Edges
-----
Every edge has ``relation`` (the edge type; not ``type``, which GEXF reserves for
directed/undirected), ``records`` (sorted IDs of the records that justify it),
``weight`` (= the number of those records), ``label`` (readable, Chinese), ``directed``
and, where there is one, ``matter``. Keys are ``relation:record:u:v`` for edges made
per record (shares_matter, hands_over_to, leads, responsible_for) and ``relation:u:v``
for the others, so they are unique in the whole graph and serve as GraphML/GEXF edge IDs.

``shares_matter`` (u — v, ``directed=False``)
    Two resolved parties of the same 职责边界 matter: one edge per boundary per pair,
    stored once, from the smaller node ID to the larger (read it both ways).
    ``source_division``/``target_division`` hold each side's 职责分工; ``records`` is the
    boundary. Analysis treats it as undirected.
``hands_over_to`` (u → v)
    u hands work to v. From a boundary's ``handovers`` (``what`` as the label,
    ``reconstructed`` kept: true when read from the case narrative) and from flows: a
    step handled by one unit/agency followed by a step handled by another (node
    ``unit``/``agency``, or a template node with the flow's ``assignments``); one edge
    per flow per pair, ``reconstructed`` true if any arrow behind it was rebuilt,
    ``steps`` naming the steps. Steps with no stated handler in between are crossed
    (the work still passed from the one body to the other) and counted in ``steps``;
    ``bridged`` is true when no pair of the edge's steps is directly consecutive.
``leads`` / ``responsible_for`` (body → the agency whose work plan sets the task)
    A 牵头部门 / 责任部门 of a task. Tasks are not nodes: the edge runs from the body to the
    task's agency, one edge per task, ``matter`` the task title. Where the body is the
    task's own agency there is no edge (no self-loops); the graph's ``matters`` still
    lists it.
``lists_same_matter`` (u — v, ``directed=False``)
    Both agencies list the same matter (`matters.py`: a power or service of each, grouped by code,
    name or cited article): one edge per pair, ``records`` their records of the shared matters,
    ``matter`` the matters' titles. Matters listed by more than MAX_AGENCIES_PER_MATTER_EDGE
    agencies draw none.
``belongs_to`` (child → parent)
    A unit inside its agency; an agency under its ``parent`` (a centre under its bureau,
    a district bureau under the city bureau).
``kept_by_higher_level`` (agency → higher-level body)
    Work items of the agency's duties/posts marked ``not_delegated`` with ``kept_by``
    (市局未下放): one edge per pair, ``records`` the work items. Items marked
    ``not_delegated`` without ``kept_by`` are counted in ``not_delegated_without_kept_by``.

Graph attributes: ``unresolved_parties``, ``unresolved``, ``not_delegated_without_kept_by``,
``dangling`` (references to records missing from a broken registry; skipped) and
``matters``: boundary ID / task ID → its matter, registering agency and the bodies
involved (including those with no edge, e.g. a single resolved party).
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from .atomic import atomic_write_bytes
from .matters import match_matters
from .registry import Registry, iter_refs
from .urls import page_url

EDGE_TYPES = (
    "shares_matter",
    "hands_over_to",
    "leads",
    "responsible_for",
    "belongs_to",
    "kept_by_higher_level",
    "lists_same_matter",
)
EDGE_LABELS = {
    "shares_matter": "共管事项",
    "hands_over_to": "移交",
    "leads": "牵头",
    "responsible_for": "责任",
    "belongs_to": "隶属",
    "kept_by_higher_level": "上级未下放",
    "lists_same_matter": "同列事项",
}
# A matter listed by more agencies than this draws no edges: every county listing 医疗救助 would be
# n(n-1)/2 edges that say nothing about any two of them.
MAX_AGENCIES_PER_MATTER_EDGE = 20
# Betweenness is exact up to this many nodes, sampled with k pivots above it
# (PERFORMANCE-NOTES: exact on 30k nodes takes ~30 s, k=300 ~2 s).
EXACT_BETWEENNESS_LIMIT = 1000
BETWEENNESS_SAMPLES = 300


# --- building --------------------------------------------------------------------------


def build_graph(registry: Registry, *, all_units: bool = False, matters: list | None = None) -> nx.MultiDiGraph:
    """The responsibility graph of a validated registry (see the module docstring).

    `matters` (from `matters.match_matters`, computed when not given) gives the lists_same_matter edges."""
    graph = nx.MultiDiGraph(
        name="qingdan inter-agency responsibility graph",
        unresolved_parties=0,
        unresolved=[],
        not_delegated_without_kept_by=0,
        dangling=[],
        matters={},
    )
    documents = _documents_naming(registry)
    for agency in registry.of("agency"):
        graph.add_node(
            agency.id,
            node_type="agency",
            name=agency.name,
            aliases=list(agency.aliases),
            level=agency.level,
            region=agency.region,
            kind=agency.kind,
            parent=agency.parent,
            name_stated=agency.name_stated,
            documents=sorted(documents.get(agency.id, ())),
        )
    builder = _Builder(graph, registry, documents)
    for agency in registry.of("agency"):
        if agency.parent:
            builder.edge("belongs_to", agency.id, agency.parent, [agency.id], label=EDGE_LABELS["belongs_to"])
    _add_boundaries(builder, registry)
    _add_flows(builder, registry)
    _add_tasks(builder, registry)
    _add_kept_by(builder, registry)
    _add_listed_matters(builder, match_matters(registry) if matters is None else matters)
    # Units: a node where linked (or all of them), each with its belongs_to edge.
    for unit in registry.of("unit"):
        if all_units or unit.id in graph:
            builder.unit_node(unit.id)
    return graph


class _Builder:
    def __init__(self, graph: nx.MultiDiGraph, registry: Registry, documents: dict[str, set[str]]):
        self.graph = graph
        self.registry = registry
        self.documents = documents

    def body(self, body_id: str | None, record_id: str) -> str | None:
        """The node for an agency or unit ID, added if it is a unit; None if missing."""
        if body_id is None:
            return None
        if body_id in self.graph:
            return body_id
        entry = self.registry.entries.get(body_id)
        if entry is not None and entry.kind == "unit":
            return self.unit_node(body_id)
        self.graph.graph["dangling"].append({"record": record_id, "ref": body_id})
        return None

    def unit_node(self, unit_id: str) -> str | None:
        graph = self.graph
        unit = self.registry.get(unit_id)
        if unit_id in graph and graph.nodes[unit_id].get("node_type") == "unit":
            return unit_id
        agency = graph.nodes[unit.agency] if unit.agency in graph else {}
        graph.add_node(
            unit_id,
            node_type="unit",
            name=unit.name,
            aliases=list(unit.aliases),
            agency=unit.agency,
            agency_name=agency.get("name"),
            level=agency.get("level"),
            region=agency.get("region"),
            kind="unit",
            unit_kind=unit.kind,
            parent=unit.agency,
            documents=sorted(self.documents.get(unit_id, ())),
        )
        if unit.agency in graph:
            self.edge("belongs_to", unit_id, unit.agency, [unit_id], label=EDGE_LABELS["belongs_to"])
        else:
            graph.graph["dangling"].append({"record": unit_id, "ref": unit.agency})
        return unit_id

    def edge(
        self,
        relation: str,
        u: str,
        v: str,
        records: Iterable[str],
        *,
        group: str | None = None,
        directed: bool = True,
        **attrs,
    ) -> str:
        """Add an edge, or merge records into the edge with the same key."""
        if not directed and v < u:
            u, v = v, u
            attrs["source_division"], attrs["target_division"] = (
                attrs.pop("target_division", None),
                attrs.pop("source_division", None),
            )
        key = ":".join(part for part in (relation, group, u, v) if part)
        data = self.graph.get_edge_data(u, v, key)
        if data is None:
            attrs = {k: val for k, val in attrs.items() if val is not None}
            self.graph.add_edge(
                u, v, key=key, relation=relation, directed=directed, records=sorted(set(records)), **attrs
            )
            data = self.graph.edges[u, v, key]
        else:
            data["records"] = sorted(set(data["records"]) | set(records))
        data["weight"] = len(data["records"])
        return key


def _documents_naming(registry: Registry) -> dict[str, set[str]]:
    """Body ID → IDs of the documents naming it."""
    naming: dict[str, set[str]] = defaultdict(set)
    for record_id, entry in registry.entries.items():
        if entry.kind == "work_item":
            continue  # reached through the post or duty holding it
        if entry.kind == "document":
            document = record_id
        else:
            source = getattr(entry.record, "source", None)
            document = source.document if source else None
        if not document:
            continue
        if entry.kind in ("agency", "unit"):
            naming[record_id].add(document)
        for path, kind, target in iter_refs(entry.record):
            if kind not in ("agency", "unit"):
                continue
            if entry.kind == "agency" and path[:1] == ("parent",):
                continue  # a child's record does not name its parent
            naming[target].add(document)
    return naming


def _party_bodies(builder: _Builder, record, field: str) -> list[tuple[str, object]]:
    """(node, party) for the resolved parties of a record's party list; counts the others."""
    out = []
    for i, party in enumerate(getattr(record, field)):
        if party.agency is None:
            builder.graph.graph["unresolved_parties"] += 1
            builder.graph.graph["unresolved"].append({"record": record.id, "field": f"{field}[{i}]", "raw": party.raw})
            continue
        node = builder.body(party.agency, record.id)
        if node is not None:
            out.append((node, party))
    return out


def _add_boundaries(builder: _Builder, registry: Registry) -> None:
    graph = builder.graph
    for boundary in registry.of("boundary"):
        parties = _party_bodies(builder, boundary, "parties")
        divisions: dict[str, list[str]] = defaultdict(list)
        for node, party in parties:
            if party.division and party.division not in divisions[node]:
                divisions[node].append(party.division)
        bodies = list(dict.fromkeys(node for node, _ in parties))
        graph.graph["matters"][boundary.id] = {
            "record": boundary.id,
            "record_kind": "boundary",
            "matter": boundary.matter,
            "agency": boundary.agency,
            "bodies": bodies,
            "divisions": {node: "；".join(divisions[node]) for node in bodies if divisions[node]},
            "unresolved": [p.raw for p in boundary.parties if p.agency is None],
        }
        for i, u in enumerate(bodies):
            for v in bodies[i + 1 :]:
                builder.edge(
                    "shares_matter",
                    u,
                    v,
                    [boundary.id],
                    group=boundary.id,
                    directed=False,
                    matter=boundary.matter,
                    label=f"{EDGE_LABELS['shares_matter']}：{boundary.matter}",
                    source_division="；".join(divisions[u]) or None,
                    target_division="；".join(divisions[v]) or None,
                )
        by_pair: dict[tuple[str, str], list] = defaultdict(list)
        for handover in boundary.handovers:
            u = builder.body(handover.from_agency, boundary.id)
            v = builder.body(handover.to_agency, boundary.id)
            if u and v and u != v:
                by_pair[u, v].append(handover)
        for (u, v), handovers in by_pair.items():
            what = "；".join(dict.fromkeys(h.what for h in handovers))
            builder.edge(
                "hands_over_to",
                u,
                v,
                [boundary.id],
                group=boundary.id,
                matter=boundary.matter,
                what=what,
                label=f"{EDGE_LABELS['hands_over_to']}：{what}",
                reconstructed=any(h.reconstructed for h in handovers),
                origin="boundary",
            )


def _flow_handlers(registry: Registry, flow) -> tuple[dict, list]:
    """(node ID → (handler body ID, node label), edges) of a flow, its own or its template's."""
    template = registry.get(flow.template) if flow.template else None
    nodes = flow.nodes or (template.nodes if template else [])
    edges = flow.edges or (template.edges if template else [])
    assigned = {a.node: (a.unit or a.agency) for a in flow.assignments}
    handlers = {}
    for node in nodes:
        body = assigned.get(node.id) or node.unit or node.agency
        handlers[node.id] = (body, node.label)
    return handlers, edges


def _flow_handovers(handlers: dict, edges) -> list[tuple[str, str, str, str, bool, int]]:
    """(handler a, handler b, step a, step b, reconstructed, skipped) for each passage of work.

    From each step with a stated handler, follow the arrows through steps with no stated
    handler to the next steps that have one; where that handler differs, the work passed
    from one body to the other. `skipped` counts the steps with no stated handler crossed
    on the way (0: the two steps are consecutive), `reconstructed` is true if any arrow on
    the way was rebuilt.
    """
    successors: dict[str, list] = defaultdict(list)
    for edge in edges:
        successors[edge.from_node].append(edge)
    out = []
    for start, (body, label) in handlers.items():
        if not body:
            continue
        queue = [(edge, edge.reconstructed, 0) for edge in successors.get(start, [])]
        seen = set()
        while queue:
            edge, rebuilt, skipped = queue.pop(0)
            target = edge.to_node
            if (target, rebuilt) in seen or target not in handlers:
                continue
            seen.add((target, rebuilt))
            other, other_label = handlers[target]
            if other:
                if other != body:
                    out.append((body, other, label, other_label, rebuilt, skipped))
                continue  # the next handled step ends the search
            queue.extend((e, rebuilt or e.reconstructed, skipped + 1) for e in successors.get(target, []))
    return out


def _add_flows(builder: _Builder, registry: Registry) -> None:
    for flow in registry.of("flow"):
        handlers, edges = _flow_handlers(registry, flow)
        by_pair: dict[tuple[str, str], list] = defaultdict(list)
        for a, b, a_label, b_label, rebuilt, skipped in _flow_handovers(handlers, edges):
            u, v = builder.body(a, flow.id), builder.body(b, flow.id)
            if u and v:
                by_pair[u, v].append((a_label, b_label, rebuilt, skipped))
        for (u, v), steps in by_pair.items():
            step_text = "；".join(
                dict.fromkeys(f"{x} → {y}" + (f"（经 {n} 个未注明承办的步骤）" if n else "") for x, y, _, n in steps)
            )
            builder.edge(
                "hands_over_to",
                u,
                v,
                [flow.id],
                group=flow.id,
                matter=flow.title,
                what=step_text,
                steps=step_text,
                label=f"{EDGE_LABELS['hands_over_to']}：{flow.title}",
                reconstructed=any(r for _, _, r, _ in steps),
                bridged=all(n > 0 for *_, n in steps),
                origin="flow",
            )


def _add_tasks(builder: _Builder, registry: Registry) -> None:
    graph = builder.graph
    for task in registry.of("task"):
        bodies: list[str] = []
        for relation, field in (("leads", "lead"), ("responsible_for", "responsible")):
            for node, _party in _party_bodies(builder, task, field):
                bodies.append(node)
                if node == task.agency or task.agency not in graph:
                    continue
                builder.edge(
                    relation,
                    node,
                    task.agency,
                    [task.id],
                    group=task.id,
                    matter=task.title,
                    label=f"{EDGE_LABELS[relation]}：{task.title}",
                    deadline=task.deadline,
                )
        graph.graph["matters"][task.id] = {
            "record": task.id,
            "record_kind": "task",
            "matter": task.title,
            "agency": task.agency,
            "bodies": list(dict.fromkeys(bodies)),
            "divisions": {},
            "unresolved": [p.raw for p in (*task.lead, *task.responsible) if p.agency is None],
        }


def _add_kept_by(builder: _Builder, registry: Registry) -> None:
    graph = builder.graph
    items: dict[tuple[str, str], list] = defaultdict(list)
    for record_id, entry in registry.entries.items():
        if entry.kind != "work_item" or entry.record.delegation != "not_delegated":
            continue
        holder = registry.get(entry.owner)
        agency = getattr(holder, "agency", None)
        if entry.record.kept_by is None:
            graph.graph["not_delegated_without_kept_by"] += 1
            continue
        u = builder.body(agency, record_id)
        v = builder.body(entry.record.kept_by, record_id)
        if u and v and u != v:
            items[u, v].append(entry.record)
    for (u, v), work_items in items.items():
        texts = "；".join(w.text for w in work_items if w.text)
        builder.edge(
            "kept_by_higher_level",
            u,
            v,
            [w.id for w in work_items],
            matter=texts or None,
            label=f"{EDGE_LABELS['kept_by_higher_level']}（{len(work_items)}项）",
        )


# --- analysis --------------------------------------------------------------------------


def _add_listed_matters(builder: _Builder, matters: list) -> None:
    """One edge per pair of agencies listing the same matters, its records the pair's records of them."""
    titles: dict[str, list[str]] = defaultdict(list)
    for matter in matters:
        agencies = sorted(set(matter.agencies))
        if not 1 < len(agencies) <= MAX_AGENCIES_PER_MATTER_EDGE:
            continue
        record_of = {m.agency: m.record for m in matter.members}
        for i, u in enumerate(agencies):
            for v in agencies[i + 1 :]:
                if u not in builder.graph or v not in builder.graph:
                    continue
                key = builder.edge("lists_same_matter", u, v, [record_of[u], record_of[v]], directed=False)
                titles[key].append(matter.title)
                data = builder.graph.edges[u, v, key]
                data["matter"] = "、".join(titles[key])
                data["label"] = f"{EDGE_LABELS['lists_same_matter']}（{len(titles[key])} 项）：{_cut(data['matter'])}"


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _simple(graph: nx.MultiDiGraph, edge_types: Iterable[str] | None = None) -> nx.Graph:
    """Undirected simple graph: one edge per linked pair, weight = records summed."""
    wanted = set(edge_types) if edge_types is not None else None
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    for u, v, data in graph.edges(data=True):
        if wanted is not None and data["relation"] not in wanted:
            continue
        if simple.has_edge(u, v):
            simple[u][v]["weight"] += data["weight"]
        else:
            simple.add_edge(u, v, weight=data["weight"])
    return simple


def degree(graph: nx.MultiDiGraph, edge_types: Iterable[str] | None = None) -> dict[str, int]:
    """Node → number of distinct bodies it is linked to (any direction)."""
    return dict(_simple(graph, edge_types).degree())


def weighted_degree(graph: nx.MultiDiGraph, edge_types: Iterable[str] | None = None) -> dict[str, int]:
    """Node → number of justifying records over all its edges (a record behind two edges counts twice)."""
    return dict(_simple(graph, edge_types).degree(weight="weight"))


def betweenness(
    graph: nx.MultiDiGraph,
    edge_types: Iterable[str] | None = None,
    *,
    exact_limit: int = EXACT_BETWEENNESS_LIMIT,
    k: int = BETWEENNESS_SAMPLES,
    seed: int = 0,
) -> dict[str, float]:
    """Normalised betweenness over the undirected simple graph (hops, not weights).

    Exact up to `exact_limit` nodes; above it estimated from `k` sampled pivots with a fixed
    `seed`, so builds are reproducible.
    """
    simple = _simple(graph, edge_types)
    if simple.number_of_nodes() <= exact_limit:
        return nx.betweenness_centrality(simple, normalized=True)
    return nx.betweenness_centrality(simple, k=min(k, simple.number_of_nodes()), normalized=True, seed=seed)


def ranked(scores: dict[str, float], graph: nx.MultiDiGraph | None = None, top: int | None = None) -> list[dict]:
    """Scores as rows {id, name, score}, highest first (ties by ID)."""
    rows = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [{"id": n, "name": graph.nodes[n].get("name") if graph is not None else None, "score": s} for n, s in rows]


def matters_by_bodies(graph: nx.MultiDiGraph, record_kinds: Iterable[str] = ("boundary", "task")) -> list[dict]:
    """Shared matters (boundaries, tasks) ranked by the number of resolved bodies involved.

    Each row: record, record_kind, matter, agency, bodies (IDs), names, count, unresolved
    (raw names of parties that are not nodes), divisions.
    """
    kinds = set(record_kinds)
    rows = []
    for item in graph.graph.get("matters", {}).values():
        if item["record_kind"] not in kinds:
            continue
        row = dict(item)
        row["names"] = [graph.nodes[b].get("name") for b in item["bodies"]]
        row["count"] = len(item["bodies"])
        rows.append(row)
    rows.sort(key=lambda r: (-r["count"], r["record"]))
    return rows


def neighbours(graph: nx.MultiDiGraph, agency_id: str) -> list[dict]:
    """The bodies linked to `agency_id`, strongest link first.

    Each row: id, name, node_type, types (edge relations, sorted), weight (records summed),
    records (sorted union), matters (distinct, in order), and links: one dict per edge with
    relation, direction ('out' from `agency_id`, 'in' to it, 'both' for undirected), matter,
    label, records and the edge's other attributes; shares_matter links also carry
    own_division (the 职责分工 of `agency_id`) and their_division (the neighbour's).
    """
    if agency_id not in graph:
        raise nx.NodeNotFound(f"{agency_id!r} is not a node of the graph")
    found: dict[str, list[dict]] = defaultdict(list)
    for _, other, key, data in graph.out_edges(agency_id, keys=True, data=True):
        found[other].append(_link(data, key, "both" if not data["directed"] else "out", True))
    for other, _, key, data in graph.in_edges(agency_id, keys=True, data=True):
        found[other].append(_link(data, key, "both" if not data["directed"] else "in", False))
    rows = []
    for other, links in found.items():
        if other == agency_id:
            continue
        links.sort(key=lambda link: (EDGE_TYPES.index(link["relation"]), link["key"]))
        rows.append(
            {
                "id": other,
                "name": graph.nodes[other].get("name"),
                "node_type": graph.nodes[other].get("node_type"),
                "types": sorted({link["relation"] for link in links}, key=EDGE_TYPES.index),
                "weight": sum(link["weight"] for link in links),
                "records": sorted({r for link in links for r in link["records"]}),
                "matters": list(dict.fromkeys(link["matter"] for link in links if link.get("matter"))),
                "links": links,
            }
        )
    rows.sort(key=lambda row: (-row["weight"], row["id"]))
    return rows


def _link(data: dict, key: str, direction: str, own_is_source: bool | None = None) -> dict:
    link = dict(data)
    link["key"] = key
    link["direction"] = direction
    if own_is_source is not None and ("source_division" in data or "target_division" in data):
        own, theirs = (
            ("source_division", "target_division") if own_is_source else ("target_division", "source_division")
        )
        link["own_division"], link["their_division"] = data.get(own), data.get(theirs)
    return link


def path_between(
    graph: nx.MultiDiGraph, a: str, b: str, edge_types: Iterable[str] | None = None, directed: bool = False
) -> list[dict] | None:
    """A shortest chain of links from `a` to `b`, or None if they are not connected.

    Undirected by default (how are two bodies connected at all); with `directed=True` only
    following edges the way they point (undirected shares_matter edges both ways). Each hop:
    {from, to, from_name, to_name, links: [edge dicts between the two, with relation,
    direction, matter, records]}. An empty list when a == b.
    """
    for node in (a, b):
        if node not in graph:
            raise nx.NodeNotFound(f"{node!r} is not a node of the graph")
    wanted = set(edge_types) if edge_types is not None else None
    if directed:
        view = nx.DiGraph()
        view.add_nodes_from(graph.nodes)
        for u, v, data in graph.edges(data=True):
            if wanted is None or data["relation"] in wanted:
                view.add_edge(u, v)
                if not data["directed"]:
                    view.add_edge(v, u)
    else:
        view = _simple(graph, wanted)
    try:
        nodes = nx.shortest_path(view, a, b)
    except nx.NetworkXNoPath:
        return None
    hops = []
    for u, v in zip(nodes, nodes[1:], strict=False):
        links = []
        for x, y, direction in ((u, v, "out"), (v, u, "in")):
            for key, data in (graph.get_edge_data(x, y) or {}).items():
                if wanted is not None and data["relation"] not in wanted:
                    continue
                if directed and direction == "in" and data["directed"]:
                    continue
                links.append(_link(data, key, "both" if not data["directed"] else direction))
        hops.append(
            {
                "from": u,
                "to": v,
                "from_name": graph.nodes[u].get("name"),
                "to_name": graph.nodes[v].get("name"),
                "links": links,
            }
        )
    return hops


def single_source_bodies(graph: nx.MultiDiGraph, node_type: str = "agency") -> dict[str, str]:
    """Bodies named by exactly one source document: body ID → that document's ID."""
    return {
        node: data["documents"][0]
        for node, data in sorted(graph.nodes(data=True))
        if data.get("node_type") == node_type and len(data.get("documents") or ()) == 1
    }


def top_nodes(graph: nx.MultiDiGraph, n: int, edge_types: Iterable[str] | None = None) -> list[str]:
    """The `n` nodes of highest degree (ties: weighted degree, then ID)."""
    deg = degree(graph, edge_types)
    wdeg = weighted_degree(graph, edge_types)
    return sorted(graph.nodes, key=lambda node: (-deg[node], -wdeg[node], node))[:n]


# --- export ----------------------------------------------------------------------------


def _scalar(value):
    """A value GraphML/GEXF can store: lists joined with ' | ', mappings as JSON, None dropped."""
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return " | ".join(str(item) for item in items)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def scalar_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with every attribute a scalar (str, int, float, bool), as GraphML and GEXF need."""
    flat = nx.MultiDiGraph()
    for name, value in graph.graph.items():
        value = _scalar(value)
        if value is not None:
            flat.graph[name] = value
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{k: _scalar(v) for k, v in data.items() if v is not None})
    for u, v, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(u, v, key=key, **{k: _scalar(v_) for k, v_ in data.items() if v_ is not None})
    return flat


def _gexf_graph(flat: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """GEXF reads `label`, `weight` and `type` itself: node labels are names, edge type the direction."""
    gexf = nx.MultiDiGraph()
    gexf.graph.update({k: v for k, v in flat.graph.items() if k in ("name", "unresolved_parties")})
    for node, data in flat.nodes(data=True):
        gexf.add_node(node, **data, label=data.get("name", node))
    for u, v, key, data in flat.edges(keys=True, data=True):
        gexf.add_edge(u, v, key=key, **data, id=key, type="directed" if data.get("directed", True) else "undirected")
    return gexf


def export_graph(graph: nx.MultiDiGraph, out_dir: Path | str) -> dict[str, Path]:
    """Write graph.graphml, graph.gexf and graph.json (node-link) into `out_dir`, each atomically."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    flat = scalar_graph(graph)
    written = {}

    buffer = io.BytesIO()
    nx.write_graphml(flat, buffer, encoding="utf-8", prettyprint=True)
    written["graphml"] = out / "graph.graphml"
    atomic_write_bytes(written["graphml"], buffer.getvalue())

    buffer = io.BytesIO()
    nx.write_gexf(_gexf_graph(flat), buffer, encoding="utf-8", prettyprint=True)
    written["gexf"] = out / "graph.gexf"
    atomic_write_bytes(written["gexf"], buffer.getvalue())

    data = nx.node_link_data(graph, edges="edges")
    written["json"] = out / "graph.json"
    atomic_write_bytes(
        written["json"], json.dumps(data, ensure_ascii=False, indent=1, default=_json_default).encode("utf-8")
    )
    return written


def _json_default(value):
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def read_graphml(path: Path | str) -> nx.MultiDiGraph:
    """Read an exported graph.graphml back (list attributes stay ' | '-joined strings)."""
    return nx.read_graphml(path, force_multigraph=True)


def graph_tables(graph: nx.MultiDiGraph, base: str = "") -> tuple[list[dict], list[dict]]:
    """Rows for the `graph_nodes` and `graph_edges` tables (ASCII columns, scalar values).

    Nodes: id, node_type, name, kind, unit_kind, level, region, parent, agency, documents
    (JSON list), document_count, degree, weighted_degree, betweenness, page_url.
    Edges: id (the key), source, target, relation, directed, label, matter, records (JSON
    list), weight, reconstructed, source_division, target_division, what, origin.
    """
    deg, wdeg, btw = degree(graph), weighted_degree(graph), betweenness(graph)
    node_rows = []
    for node, data in graph.nodes(data=True):
        is_agency = data.get("node_type") == "agency"
        node_rows.append(
            {
                "id": node,
                "node_type": data.get("node_type"),
                "name": data.get("name"),
                "kind": data.get("kind"),
                "unit_kind": data.get("unit_kind"),
                "level": data.get("level"),
                "region": data.get("region"),
                "parent": data.get("parent"),
                "agency": node if is_agency else data.get("agency"),
                "documents": json.dumps(data.get("documents") or [], ensure_ascii=False),
                "document_count": len(data.get("documents") or ()),
                "degree": deg.get(node, 0),
                "weighted_degree": wdeg.get(node, 0),
                "betweenness": round(btw.get(node, 0.0), 6),
                "page_url": page_url("agency", node, base=base)
                if is_agency
                else page_url("unit", node, agency=data.get("agency"), base=base),
            }
        )
    edge_rows = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        edge_rows.append(
            {
                "id": key,
                "source": u,
                "target": v,
                "relation": data["relation"],
                "directed": int(bool(data["directed"])),
                "label": data.get("label"),
                "matter": data.get("matter"),
                "records": json.dumps(data["records"], ensure_ascii=False),
                "weight": data["weight"],
                "reconstructed": None if "reconstructed" not in data else int(bool(data["reconstructed"])),
                "source_division": data.get("source_division"),
                "target_division": data.get("target_division"),
                "what": data.get("what"),
                "origin": data.get("origin"),
            }
        )
    return node_rows, edge_rows
