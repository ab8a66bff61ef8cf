"""Where each asset of the graph is drawn: columns by rank, one horizontal band per group.

The layering comes from networkx (`topological_generations`: a node's column is its longest
path from a source), so every edge points right. Each group gets a band of rows (its cluster
box), as tall as the group's busiest column; inside a band, nodes of a column are ordered by
the mean row of their upstream nodes (two sweeps of the barycenter heuristic), ties broken by
name. The same graph always gives the same picture, the layout of 1,000 assets takes tens of
milliseconds, and the UI, `specrun report` and `specrun graph --format svg` share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

NODE_W = 210
NODE_H = 50
CHECK_H = 17
COL_GAP = 70
ROW_GAP = 14
BAND_PAD = 30  # room for the group's name above its first row
BAND_GAP = 22


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float


@dataclass
class Layout:
    """Positions of nodes and group boxes, and the size of the whole picture."""

    nodes: dict[str, Box] = field(default_factory=dict)
    groups: dict[str, Box] = field(default_factory=dict)
    width: float = 0.0
    height: float = 0.0


def node_height(checks: int) -> float:
    return NODE_H + CHECK_H * checks


def _ranks(names: Sequence[str], edges: Iterable[tuple[str, str]]) -> dict[str, int]:
    import networkx as nx

    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_nodes_from(names)
    g.add_edges_from((u, v) for u, v in edges if u in g and v in g)
    return {n: i for i, generation in enumerate(nx.topological_generations(g)) for n in generation}


def _group_order(groups: Mapping[str, str], ranks: Mapping[str, int]) -> list[str]:
    """Groups by the column where they start, then by name: upstream groups on top."""
    first: dict[str, int] = {}
    for name, group in groups.items():
        first[group] = min(first.get(group, ranks[name]), ranks[name])
    return sorted(first, key=lambda g: (first[g], g))


def _order_cells(cells: dict[tuple[str, int], list[str]], upstream: Mapping[str, list[str]],
                 downstream: Mapping[str, list[str]], columns: int) -> None:
    """Order each (group, column) cell's nodes by the mean slot of their neighbours."""
    slot = {n: i for members in cells.values() for i, n in enumerate(members)}

    def sweep(ranks: Iterable[int], neighbours: Mapping[str, list[str]]) -> None:
        for rank in ranks:
            for (group, r), members in cells.items():
                if r != rank:
                    continue

                def centre(n: str) -> tuple[float, str]:
                    near = [slot[m] for m in neighbours.get(n, ()) if m in slot]
                    return (sum(near) / len(near) if near else slot[n], n)

                members.sort(key=centre)
                slot.update({n: i for i, n in enumerate(members)})

    sweep(range(1, columns), upstream)
    sweep(range(columns - 2, -1, -1), downstream)


def layout_graph(names: Sequence[str], groups: Mapping[str, str], checks: Mapping[str, int],
                 edges: Sequence[tuple[str, str]]) -> Layout:
    """Lay out `names` (each in `groups[name]`, with `checks[name]` checks drawn inside its box)
    joined by `edges` (upstream, downstream)."""
    names = sorted(names)
    ranks = _ranks(names, edges)
    columns = max(ranks.values(), default=-1) + 1
    upstream: dict[str, list[str]] = {}
    downstream: dict[str, list[str]] = {}
    for u, v in edges:
        if u in ranks and v in ranks:
            upstream.setdefault(v, []).append(u)
            downstream.setdefault(u, []).append(v)
    cells: dict[tuple[str, int], list[str]] = {}
    for name in names:
        cells.setdefault((groups[name], ranks[name]), []).append(name)
    _order_cells(cells, upstream, downstream, columns)
    result = Layout()
    y = 0.0
    for group in _group_order(groups, ranks):
        members = [n for n in names if groups[n] == group]
        row_h = node_height(max(checks.get(n, 0) for n in members)) + ROW_GAP
        rows = max(len(cells.get((group, r), ())) for r in range(columns))
        cols = sorted({ranks[n] for n in members})
        top = y + BAND_PAD
        for r in cols:
            for i, n in enumerate(cells.get((group, r), ())):
                result.nodes[n] = Box(20 + r * (NODE_W + COL_GAP), top + i * row_h, NODE_W,
                                      node_height(checks.get(n, 0)))
        left = 20 + cols[0] * (NODE_W + COL_GAP) - 12
        right = 20 + cols[-1] * (NODE_W + COL_GAP) + NODE_W + 12
        height = BAND_PAD + rows * row_h - ROW_GAP + 12
        result.groups[group] = Box(left, y, right - left, height)
        y += height + BAND_GAP
    result.width = 40 + max(columns, 1) * (NODE_W + COL_GAP) - COL_GAP
    result.height = max(y - BAND_GAP, NODE_H) + 20
    return result


def edge_path(src: Box, dst: Box) -> str:
    """An S-shaped curve from the right side of `src` to the left side of `dst`."""
    x1, y1 = src.x + src.w, src.y + NODE_H / 2
    x2, y2 = dst.x, dst.y + NODE_H / 2
    bend = max(30.0, (x2 - x1) / 2)
    return f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
