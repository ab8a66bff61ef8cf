"""The pipeline DAG as a `networkx.DiGraph`, selection in dbt's syntax, and renderings.

Nodes are asset keys (``a/b``), checks (``check:asset/name``) and job op nodes
(``op:job.node``); every node carries ``kind``, ``group``, ``tags`` and, when known, the
``pointer`` of its spec entry. Every later question (what is upstream, what a selector
picks, in what order to run) is a query on this graph.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional

from ..errors import SpecError, SpecrunError, suggest

if TYPE_CHECKING:
    import networkx as nx

_SELECTOR = re.compile(r"^(?P<up>(\d*)\+)?(?P<name>[^+]+?)(?P<down>\+(\d*))?$")


class GraphData:
    """Nodes (with attributes) and edges of the DAG, before any graph library is involved."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: list[tuple[str, str]] = []

    def add_node(self, name: str, **attrs: Any) -> None:
        self.nodes[name] = attrs

    def add_edge(self, u: str, v: str) -> None:
        if u not in self.nodes:  # (not setdefault: its default would be made for every edge)
            self.nodes[u] = {"kind": "external", "group": "default", "tags": {}, "pointer": ""}
        self.edges.append((u, v))

    def to_networkx(self) -> "nx.DiGraph[str]":
        import networkx as nx

        g: nx.DiGraph[str] = nx.DiGraph()
        g.add_nodes_from(self.nodes.items())
        g.add_edges_from(self.edges)
        return g


def build_graph_data(defs: Any, pointers: Optional[Mapping[str, str]] = None) -> GraphData:
    """The DAG of a `Definitions`: assets with their deps, checks after their assets."""
    g = GraphData()
    pointers = pointers or {}
    for a in defs.assets:
        deps = getattr(a, "dependency_keys", None)
        deps = set(deps) if deps is not None else set(getattr(a, "deps", ()))
        groups = getattr(a, "group_names_by_key", None) or {}
        # a multi-asset's (or graph asset's) assets each have their own tags, as
        # `AssetSelection.tag` sees them at run time
        tags_by_key = a.tags_by_key if getattr(a, "key_facts", None) else None
        keys = getattr(a, "keys", None) or (a.key,)
        for key in sorted(keys, key=lambda k: k.path) if len(keys) > 1 else keys:  # a multi-asset: each
            name = key.to_user_string()
            tags = tags_by_key[key] if tags_by_key is not None else dict(getattr(a, "tags", {}) or {})
            g.add_node(name, kind="asset" if hasattr(a, "op") else "external",
                       group=groups.get(key) or getattr(a, "group_name", None) or "default",
                       tags=tags, pointer=pointers.get(name, ""),
                       partitioned=getattr(a, "partitions_def", None) is not None)
            for dep in deps:
                g.add_edge(dep.to_user_string(), name)
    checks = [(s, pointers.get(f"check:{c.name}", "")) for c in defs.asset_checks for s in c.specs]
    checks += [(s, "") for a in defs.assets for s in getattr(a, "check_specs", ())]
    for spec, pointer in checks:
        target = spec.asset_key.to_user_string()
        name = f"check:{target}/{spec.name}"
        g.add_node(name, kind="check", group=(g.nodes.get(target) or {}).get("group", "default"),
                   tags={}, pointer=pointers.get(name, pointer), blocking=spec.blocking)
        g.add_edge(target, name)
    for job in defs.jobs:
        if job.asset_keys:
            continue
        for node in job.nodes.values():
            name = f"op:{job.name}.{node.name}"
            g.add_node(name, kind="op", group=job.name, tags=dict(node.op_def.tags),
                       pointer=pointers.get(name, ""))
            for up in node.upstream_nodes():
                g.add_edge(f"op:{job.name}.{up}", name)
    return g


def build_graph(defs: Any, pointers: Optional[Mapping[str, str]] = None) -> "nx.DiGraph[str]":
    """The DAG of a `Definitions` as a `networkx.DiGraph`."""
    return build_graph_data(defs, pointers).to_networkx()


def cycle_error(g: GraphData, locate: Any = None) -> Optional[SpecError]:
    """A SpecError naming the cycle's path (a -> b -> c -> a), or None if there is none."""
    if not _has_cycle(g):
        return None
    from graphlib import CycleError, TopologicalSorter

    preds: dict[str, set[str]] = {n: set() for n in g.nodes}
    for u, v in g.edges:
        preds[v].add(u)
    try:
        TopologicalSorter(preds).prepare()
        return None
    except CycleError as e:
        found = list(e.args[1])
    path = found  # each node feeds the next, ending where it started
    if path[0] != min(path[:-1]):  # start at the alphabetically first node: stable messages
        i = path.index(min(path[:-1]))
        path = path[i:-1] + path[:i] + [path[i]]
    first = path[0]
    pointer = g.nodes[first].get("pointer", "")
    location = locate(pointer) if locate else None
    return SpecError(f"dependency cycle: {' -> '.join(path)}", location, pointer,
                     "remove one of these dependencies")


def _has_cycle(g: GraphData) -> bool:
    """Whether some nodes are left when nodes without upstream ones are taken away in turn
    (Kahn's algorithm on plain dicts: graphlib's depth-first search for the cycle, in Python,
    cost ~17k instructions a node; it runs only to name the cycle of a graph that has one)."""
    upstream = dict.fromkeys(g.nodes, 0)
    downstream: dict[str, list[str]] = {}
    for u, v in g.edges:  # (an edge given twice is counted, and taken away, twice)
        upstream[v] += 1
        downstream.setdefault(u, []).append(v)
    ready = [n for n, count in upstream.items() if not count]
    taken = 0
    while ready:
        taken += 1
        for v in downstream.get(ready.pop(), ()):
            upstream[v] -= 1
            if not upstream[v]:
                ready.append(v)
    return taken < len(upstream)


def _name_nodes(g: "nx.DiGraph[str]", name: str) -> set[str]:
    if name == "*":
        return set(g.nodes)
    for prefix, known in (("tag:", _tag_names), ("group:", _attr_names("group")), ("kind:", _attr_names("kind"))):
        if name.startswith(prefix):
            found = _prefixed_nodes(g, prefix, name[len(prefix):])
            if not found:
                raise _matches_nothing(name, prefix, known(g, name), prefix[:-1])
            return found
    if name in g:
        return {name}
    matches = {n for n in g if n.endswith("/" + name) or n.split(".")[-1] == name}
    if matches:
        return matches
    raise _matches_nothing(name, "", [n for n in g if not n.startswith(("check:", "op:"))], "asset")


def _prefixed_nodes(g: "nx.DiGraph[str]", prefix: str, wanted: str) -> set[str]:
    if prefix == "tag:":
        key, _, value = wanted.partition("=")
        return {n for n, d in g.nodes(data=True) if key in d.get("tags", {})
                and (not value or d["tags"][key] == value)}
    attr = prefix[:-1]
    return {n for n, d in g.nodes(data=True) if d.get(attr) == wanted}


def _tag_names(g: "nx.DiGraph[str]", selector: str) -> set[str]:
    """The tags of the graph as `tag:` selectors would name them: `k=v` when `selector` gives a
    value, else `k`."""
    pairs = {(k, str(v)) for _, d in g.nodes(data=True) for k, v in (d.get("tags") or {}).items()}
    return {f"{k}={v}" for k, v in pairs} if "=" in selector else {k for k, _ in pairs}


def _attr_names(attr: str) -> Any:
    def names(g: "nx.DiGraph[str]", _selector: str) -> set[str]:
        return {str(d[attr]) for _, d in g.nodes(data=True) if d.get(attr) is not None}
    return names


MAX_LISTED = 10


def _matches_nothing(selector: str, prefix: str, names: Iterable[str], what: str) -> SpecrunError:
    """'selector X matches nothing', with the closest existing name, else the names there are."""
    known = sorted(set(names))
    hint = suggest(selector[len(prefix):], known)
    if hint:
        hint = hint.replace("did you mean '", f"did you mean '{prefix}", 1)
    elif known:
        more = f", ... ({len(known) - MAX_LISTED} more)" if len(known) > MAX_LISTED else ""
        hint = f"the {what}s are {', '.join(known[:MAX_LISTED])}{more}"
    else:
        hint = f"no node has a {what}"
    return SpecrunError(f"selector {selector!r} matches nothing; {hint}")


def _expand(g: "nx.DiGraph[str]", nodes: set[str], depth: Optional[int], up: bool) -> set[str]:
    import networkx as nx

    found = set(nodes)
    for node in nodes:
        if depth is None:
            found |= nx.ancestors(g, node) if up else nx.descendants(g, node)
        else:
            lengths = nx.single_source_shortest_path_length(g.reverse(copy=False) if up else g, node, cutoff=depth)
            found |= set(lengths)
    return found


def select_one(g: "nx.DiGraph[str]", selector: str) -> set[str]:
    """Nodes one dbt-style selector picks: ``name``, ``+name``, ``name+``, ``2+name+1``,
    ``tag:x``, ``group:x``; commas intersect (``tag:a,group:b``)."""
    result: Optional[set[str]] = None
    for part in selector.split(","):
        m = _SELECTOR.match(part.strip())
        if not m:
            raise SpecrunError(f"cannot read selector {part!r}")
        nodes = _name_nodes(g, m.group("name"))
        if m.group("up"):
            nodes = _expand(g, nodes, int(m.group(2)) if m.group(2) else None, up=True) | nodes
        if m.group("down"):
            base = _name_nodes(g, m.group("name"))
            nodes |= _expand(g, base, int(m.group(5)) if m.group(5) else None, up=False)
        result = nodes if result is None else result & nodes
    if not result and "," in selector:
        parts = " and ".join(repr(p.strip()) for p in selector.split(","))
        raise SpecrunError(f"selector {selector!r} matches nothing: no node is in all of {parts}")
    return result or set()


def select(g: "nx.DiGraph[str]", selectors: Iterable[str] = (), exclude: Iterable[str] = ()) -> set[str]:
    """Union of `selectors` (each may hold several, space-separated) minus `exclude`."""
    chosen: set[str] = set()
    tokens = [t for s in selectors for t in s.split()]
    for token in tokens or ["*"]:
        chosen |= select_one(g, token)
    for token in [t for s in exclude for t in s.split()]:
        chosen -= select_one(g, token)
    return chosen


def topological_order(g: "nx.DiGraph[str]", nodes: Optional[set[str]] = None) -> list[str]:
    """Nodes in dependency order (ties broken by name, so plans read the same every time)."""
    import networkx as nx

    sub = g.subgraph(nodes) if nodes is not None else g
    return list(nx.lexicographical_topological_sort(sub))


def _mermaid_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def graph_to_mermaid(g: "nx.DiGraph[str]") -> str:
    lines = ["graph LR"]
    for node in sorted(g.nodes):
        shape = ("{{%s}}" if g.nodes[node].get("kind") == "check" else "[%s]") % node
        lines.append(f"    {_mermaid_id(node)}{shape}")
    for u, v in sorted(g.edges):
        lines.append(f"    {_mermaid_id(u)} --> {_mermaid_id(v)}")
    return "\n".join(lines)


def graph_to_dot(g: "nx.DiGraph[str]") -> str:
    lines = ["digraph specrun {", "  rankdir=LR;"]
    for node in sorted(g.nodes):
        shape = "hexagon" if g.nodes[node].get("kind") == "check" else "box"
        lines.append(f'  "{node}" [shape={shape}];')
    for u, v in sorted(g.edges):
        lines.append(f'  "{u}" -> "{v}";')
    lines.append("}")
    return "\n".join(lines)


def graph_to_json(g: "nx.DiGraph[str]") -> str:
    nodes = [{"id": n, **g.nodes[n]} for n in sorted(g.nodes)]
    edges = [{"from": u, "to": v} for u, v in sorted(g.edges)]
    return json.dumps({"nodes": nodes, "edges": edges}, indent=2, default=str)
