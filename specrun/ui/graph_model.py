"""The asset graph as the UI draws it: nodes (assets and ops, with their checks folded in) and
edges marked `data` or `deps` (order only). Built from a compiled spec only: no storage, no
user code. The browser lays it out (`static/graph.js`, dagre); `layout` (Python) is computed
only when asked for, by `specrun graph --format svg`, which must work without a browser."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Optional

from .layout import Layout, edge_path, layout_graph


@dataclass
class Check:
    id: str  # the graph's node id, `check:asset/name`
    name: str
    blocking: bool


@dataclass
class Node:
    id: str
    kind: str  # asset | op | external
    group: str
    partitioned: bool
    checks: list[Check] = field(default_factory=list)
    description: str = ""
    upstream: list[str] = field(default_factory=list)
    downstream: list[str] = field(default_factory=list)


@dataclass
class Edge:
    src: str
    dst: str
    kind: str  # data | deps
    path: str = ""


@dataclass
class GraphModel:
    """Everything needed to draw a spec's DAG."""

    name: str
    nodes: dict[str, Node]
    edges: list[Edge]

    def to_json(self) -> dict[str, Any]:
        """What `static/graph.js` draws (and scripts may read): no positions, the page lays out."""
        return {
            "name": self.name,
            "nodes": [{"id": n.id, "kind": n.kind, "group": n.group, "partitioned": n.partitioned,
                       "checks": [vars(c) for c in n.checks], "description": n.description,
                       "upstream": n.upstream, "downstream": n.downstream}
                      for n in self.nodes.values()],
            "edges": [{"from": e.src, "to": e.dst, "kind": e.kind} for e in self.edges],
        }

    @functools.cached_property
    def layout(self) -> Layout:
        """Positions for the server-drawn SVG picture (`specrun graph --format svg`) only."""
        layout = layout_graph(list(self.nodes), {n.id: n.group for n in self.nodes.values()},
                              {n.id: len(n.checks) for n in self.nodes.values()},
                              [(e.src, e.dst) for e in self.edges])
        for e in self.edges:
            e.path = edge_path(layout.nodes[e.src], layout.nodes[e.dst])
        return layout


def _order_only(definitions: Any) -> set[tuple[str, str]]:
    """(upstream, downstream) pairs that are `deps:` of the downstream asset and not inputs."""
    pairs = set()
    for a in getattr(definitions, "assets", ()):
        inputs = set(getattr(a, "input_keys", {}).values())
        for dep in getattr(a, "deps", ()):
            if dep not in inputs:
                pairs.add((dep.to_user_string(), a.key.to_user_string()))
    return pairs


def _descriptions(definitions: Any) -> dict[str, str]:
    return {a.key.to_user_string(): getattr(a, "description", None) or ""
            for a in getattr(definitions, "assets", ())}


def build_graph_model(compiled: Any, keep: Optional[set[str]] = None) -> GraphModel:
    """The drawable graph of `compiled` (a CompiledSpec); `keep` limits it to those node ids
    (checks follow their asset)."""
    data = compiled.graph_data
    nodes: dict[str, Node] = {}
    for name, attrs in data.nodes.items():
        if attrs.get("kind") == "check" or (keep is not None and name not in keep):
            continue
        nodes[name] = Node(name, str(attrs.get("kind")), str(attrs.get("group") or "default"),
                           bool(attrs.get("partitioned")))
    order_only = _order_only(compiled.definitions)
    edges = []
    for u, v in data.edges:
        if data.nodes.get(v, {}).get("kind") == "check":
            if u in nodes:
                name = v.split("/", 1)[1] if "/" in v else v
                nodes[u].checks.append(Check(v, name, bool(data.nodes[v].get("blocking"))))
            continue
        if u in nodes and v in nodes:
            edges.append(Edge(u, v, "deps" if (u, v) in order_only else "data"))
            nodes[u].downstream.append(v)
            nodes[v].upstream.append(u)
    for node_id, text in _descriptions(compiled.definitions).items():
        if node_id in nodes:
            nodes[node_id].description = text
    return GraphModel(compiled.name, nodes, edges)

