"""Layout: columns by rank, one band per group, no overlaps, the same picture every time."""

from __future__ import annotations

import itertools

from specrun.ui.layout import NODE_H, edge_path, layout_graph


def _layout(edges, groups, checks=None):
    names = sorted({n for e in edges for n in e} | set(groups))
    return layout_graph(names, {n: groups.get(n, "default") for n in names}, checks or {}, edges)


def test_every_edge_points_right():
    edges = [("a", "b"), ("b", "c"), ("a", "c"), ("c", "d"), ("x", "d")]
    lay = _layout(edges, {})
    for u, v in edges:
        assert lay.nodes[u].x < lay.nodes[v].x
    assert lay.nodes["a"].x == lay.nodes["x"].x  # both sources: the first column


def test_groups_get_bands_that_hold_their_nodes_and_do_not_overlap():
    edges = [("a1", "a2"), ("a2", "b1"), ("b1", "b2"), ("a1", "b2"), ("c1", "b2")]
    groups = {"a1": "ingest", "a2": "ingest", "b1": "model", "b2": "model", "c1": "other"}
    lay = _layout(edges, groups)
    for name, group in groups.items():
        node, band = lay.nodes[name], lay.groups[group]
        assert band.x <= node.x and node.x + node.w <= band.x + band.w
        assert band.y <= node.y and node.y + node.h <= band.y + band.h
    for g1, g2 in itertools.combinations(lay.groups.values(), 2):
        assert g1.y + g1.h <= g2.y or g2.y + g2.h <= g1.y


def test_nodes_never_overlap_and_checks_make_a_node_taller():
    edges = [("s", f"n{i}") for i in range(6)]
    lay = _layout(edges, {}, {"n3": 2})
    assert lay.nodes["n3"].h == NODE_H + 2 * 17
    for a, b in itertools.combinations(lay.nodes.values(), 2):
        assert a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y


def test_the_same_graph_gives_the_same_layout_whatever_the_input_order():
    edges = [("a", "c"), ("b", "c"), ("c", "d"), ("b", "e")]
    first = _layout(edges, {})
    second = _layout(list(reversed(edges)), {})
    assert first.nodes == second.nodes


def test_barycenter_order_uncrosses_edges_that_name_order_would_cross():
    edges = [("a", "y"), ("b", "x"), ("y", "y2"), ("x", "x2")]  # by name alone: a->y and b->x cross
    lay = _layout(edges, {})
    assert lay.nodes["a"].y < lay.nodes["b"].y
    assert lay.nodes["y"].y == lay.nodes["y2"].y == lay.nodes["a"].y
    assert lay.nodes["x"].y == lay.nodes["x2"].y == lay.nodes["b"].y


def test_edge_path_runs_from_the_right_side_to_the_left_side():
    lay = _layout([("a", "b")], {})
    a, b = lay.nodes["a"], lay.nodes["b"]
    path = edge_path(a, b)
    assert path.startswith(f"M{a.x + a.w:.0f},") and path.endswith(f"{b.x:.0f},{b.y + NODE_H / 2:.0f}")
