"""Renderings of the DAG and the compiler's static typing."""

from __future__ import annotations

import json
import os
import importlib.util
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.compiler.graph import GraphData, graph_to_dot, graph_to_json, graph_to_mermaid


@pytest.fixture
def small_graph():
    data = GraphData()
    data.add_node("b", kind="asset", group="g", tags={"t": "1"}, pointer="/assets/b")
    data.add_node("check:b/ok", kind="check", group="g", tags={}, pointer="/checks/ok")
    data.add_node("a", kind="asset", group="g", tags={}, pointer="/assets/a")
    data.add_edge("a", "b")
    data.add_edge("b", "check:b/ok")
    return data.to_networkx()


def test_mermaid_lists_nodes_by_name_with_check_shapes_then_edges(small_graph):
    assert graph_to_mermaid(small_graph).split("\n") == [
        "graph LR", "    a[a]", "    b[b]", "    check_b_ok{{check:b/ok}}",
        "    a --> b", "    b --> check_b_ok"]


def test_dot_gives_checks_a_hexagon(small_graph):
    dot = graph_to_dot(small_graph)
    assert '  "check:b/ok" [shape=hexagon];' in dot.split("\n")
    assert '  "a" -> "b";' in dot.split("\n")


def test_json_keeps_every_node_attribute(small_graph):
    data = json.loads(graph_to_json(small_graph))
    assert data["nodes"][1] == {"id": "b", "kind": "asset", "group": "g", "tags": {"t": "1"}, "pointer": "/assets/b"}
    assert data["edges"] == [{"from": "a", "to": "b"}, {"from": "b", "to": "check:b/ok"}]


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is in the test extra: pip install -e .[test]")
def test_compiler_passes_mypy_strict():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
                           "specrun/compiler", "specrun/errors.py"], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


@pytest.fixture
def tagged_graph():
    g = GraphData()
    g.add_node("raw_orders", kind="asset", group="raw", tags={"tier": "bronze"})
    g.add_node("total", kind="asset", group="report", tags={"tier": "gold"})
    g.add_edge("raw_orders", "total")
    return g.to_networkx()


@pytest.mark.parametrize("selector, message", [
    # each was "the selection matches no assets", naming neither the selector nor what exists
    ("group:nope", "selector 'group:nope' matches nothing; the groups are raw, report"),
    ("group:raww", "selector 'group:raww' matches nothing; did you mean 'group:raw'?"),
    ("tag:", "selector 'tag:' matches nothing; the tags are tier"),
    ("tag:tier=glod", "selector 'tag:tier=glod' matches nothing; did you mean 'tag:tier=gold'?"),
    ("tag:k=v,total", "selector 'tag:k=v' matches nothing; the tags are tier=bronze, tier=gold"),
    ("kind:assets", "selector 'kind:assets' matches nothing; did you mean 'kind:asset'?"),
    ("zzz", "selector 'zzz' matches nothing; the assets are raw_orders, total"),
    ("raw_orders,tag:tier=gold",
     "selector 'raw_orders,tag:tier=gold' matches nothing: no node is in all of 'raw_orders' and 'tag:tier=gold'"),
])
def test_selector_that_matches_nothing_is_named_with_what_exists(tagged_graph, selector, message):
    from specrun.compiler.graph import select
    from specrun.errors import SpecrunError

    with pytest.raises(SpecrunError) as caught:
        select(tagged_graph, [selector])
    assert str(caught.value) == message


def test_the_graph_of_definitions_has_every_kind_of_node_with_its_attributes():
    from specrun import (AssetCheckResult, AssetCheckSpec, AssetKey, AssetOut, AssetSpec, DailyPartitionsDefinition,
                         Definitions, asset, asset_check, job, multi_asset, op)
    from specrun.compiler.graph import build_graph_data

    @asset(group_name="raw", tags={"tier": "bronze"}, partitions_def=DailyPartitionsDefinition("2024-01-01"))
    def a():
        return 1

    @asset(deps=[AssetKey("ext")], check_specs=[AssetCheckSpec("positive", asset="b", blocking=True)])
    def b(a):
        return a

    @multi_asset(outs={"m1": AssetOut(group_name="g1"), "m2": AssetOut()}, deps=["a"])
    def m():
        return 1, 2

    @asset_check(asset=a)
    def a_ok(a):
        return AssetCheckResult(passed=True)

    @op
    def o1():
        return 1

    @op(tags={"k": "v"})
    def o2(x):
        return x

    @job
    def j():
        o2(o1())

    defs = Definitions(assets=[a, b, m, AssetSpec("ext")], asset_checks=[a_ok], jobs=[j])
    g = build_graph_data(defs, {"a": "/assets/a", "check:a_ok": "/checks/a_ok", "check:b/positive": "/assets/b",
                                "op:j.o2": "/jobs/j/ops/o2"})
    plain = {"group": "default", "tags": {}, "pointer": "", "partitioned": False}
    assert g.nodes == {
        "a": {"kind": "asset", "group": "raw", "tags": {"tier": "bronze"}, "pointer": "/assets/a", "partitioned": True},
        "b": {"kind": "asset", **plain},
        "ext": {"kind": "external", **plain},
        "m1": {"kind": "asset", **plain, "group": "g1"},
        "m2": {"kind": "asset", **plain},
        "check:a/a_ok": {"kind": "check", "group": "raw", "tags": {}, "pointer": "/checks/a_ok", "blocking": False},
        "check:b/positive": {"kind": "check", "group": "default", "tags": {}, "pointer": "/assets/b", "blocking": True},
        "op:j.o1": {"kind": "op", "group": "j", "tags": {}, "pointer": ""},
        "op:j.o2": {"kind": "op", "group": "j", "tags": {"k": "v"}, "pointer": "/jobs/j/ops/o2"},
    }
    assert sorted(g.edges) == [("a", "b"), ("a", "check:a/a_ok"), ("a", "m1"), ("a", "m2"), ("b", "check:b/positive"),
                               ("ext", "b"), ("op:j.o1", "op:j.o2")]


def test_an_edge_from_an_unknown_node_adds_it_as_external_and_keeps_a_known_one():
    data = GraphData()
    data.add_node("b", kind="asset", group="g", tags={"t": "1"}, pointer="/assets/b")
    data.add_edge("a", "b")
    data.add_edge("b", "c")
    assert data.nodes == {"b": {"kind": "asset", "group": "g", "tags": {"t": "1"}, "pointer": "/assets/b"},
                          "a": {"kind": "external", "group": "default", "tags": {}, "pointer": ""}}
    assert data.edges == [("a", "b"), ("b", "c")]


@pytest.mark.parametrize("order", [["a", "b", "c"], ["c", "b", "a"], ["b", "c", "a"]])
def test_a_cycle_is_named_from_its_alphabetically_first_node(order):
    from specrun.compiler.graph import cycle_error

    data = GraphData()
    for name in order:
        data.add_node(name, kind="asset", group="g", tags={}, pointer=f"/assets/{name}")
    for u, v in [("b", "c"), ("c", "a"), ("a", "b")]:
        data.add_edge(u, v)
    error = cycle_error(data, lambda pointer: ("at", pointer))
    assert (error.message, error.location, error.pointer, error.hint) == (
        "dependency cycle: a -> b -> c -> a", ("at", "/assets/a"), "/assets/a", "remove one of these dependencies")
    assert cycle_error(data).location is None


def test_an_acyclic_graph_has_no_cycle_error():
    from specrun.compiler.graph import cycle_error

    data = GraphData()
    data.add_node("b", kind="asset", group="g", tags={}, pointer="")
    data.add_edge("a", "b")
    assert cycle_error(data) is None


def test_an_acyclic_graph_is_checked_without_graphlib(monkeypatch):
    import graphlib

    from specrun.compiler.graph import cycle_error

    def refused(*args, **kwargs):
        raise AssertionError("graphlib asked")

    monkeypatch.setattr(graphlib, "TopologicalSorter", refused)
    data = GraphData()
    for i in range(1, 50):
        data.add_node(f"a{i}", kind="asset", group="g", tags={}, pointer="")
        data.add_edge(f"a{i - 1}", f"a{i}")
    data.add_edge("a3", "a9")
    data.add_edge("a3", "a9")  # twice: still one dependency
    assert cycle_error(data) is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=20))
def test_a_graph_has_a_cycle_exactly_when_graphlib_finds_one(edges):
    from graphlib import CycleError, TopologicalSorter

    from specrun.compiler.graph import _has_cycle

    data = GraphData()
    for n in range(8):
        data.add_node(str(n), kind="asset", group="g", tags={}, pointer="")
    preds: dict = {str(n): set() for n in range(8)}
    for u, v in edges:
        data.add_edge(str(u), str(v))
        preds[str(v)].add(str(u))
    try:
        TopologicalSorter(preds).prepare()
        expected = False
    except CycleError:
        expected = True
    assert _has_cycle(data) is expected


@pytest.fixture
def pipeline():
    g = GraphData()
    g.add_node("raw/orders", kind="asset", group="raw", tags={"tier": "bronze"}, pointer="")
    g.add_node("clean", kind="asset", group="core", tags={"tier": "silver"}, pointer="")
    g.add_node("report", kind="asset", group="core", tags={"tier": "gold"}, pointer="")
    g.add_node("check:report/fresh", kind="check", group="core", tags={}, pointer="")
    g.add_node("op:j.load", kind="op", group="j", tags={}, pointer="")
    g.add_node("op:j.save", kind="op", group="j", tags={}, pointer="")
    for u, v in [("raw/orders", "clean"), ("clean", "report"), ("report", "check:report/fresh"),
                 ("op:j.load", "op:j.save")]:
        g.add_edge(u, v)
    return g.to_networkx()


EVERY_NODE = {"raw/orders", "clean", "report", "check:report/fresh", "op:j.load", "op:j.save"}


@pytest.mark.parametrize("selector, expected", [
    ("orders", {"raw/orders"}),  # the last part of a prefixed key
    ("save", {"op:j.save"}),  # an op node by its own name
    ("clean", {"clean"}),
    ("*", EVERY_NODE),
    ("+report", {"raw/orders", "clean", "report"}),
    ("1+report", {"clean", "report"}),
    ("clean+", {"clean", "report", "check:report/fresh"}),
    ("clean+1", {"clean", "report"}),
    ("1+clean+1", {"raw/orders", "clean", "report"}),
    ("tag:tier", {"raw/orders", "clean", "report"}),
    ("tag:tier=gold", {"report"}),
    ("group:core", {"clean", "report", "check:report/fresh"}),
    ("kind:check", {"check:report/fresh"}),
    ("group:core,tag:tier", {"clean", "report"}),
    (" clean , +clean ", {"clean"}),
])
def test_one_selector_picks_its_nodes(pipeline, selector, expected):
    from specrun.compiler.graph import select_one

    assert select_one(pipeline, selector) == expected


def test_select_unites_selectors_and_takes_out_the_excluded(pipeline):
    from specrun.compiler.graph import select

    assert select(pipeline, ["clean report", "orders"], exclude=["kind:check"]) == {"clean", "report", "raw/orders"}
    assert select(pipeline) == EVERY_NODE
    assert select(pipeline, [], exclude=["group:core", "load"]) == {"raw/orders", "op:j.save"}


@pytest.mark.parametrize("selector, message", [
    ("++", "cannot read selector '++'"),
    ("zzz", "selector 'zzz' matches nothing; the assets are clean, raw/orders, report"),
    ("tag:tier=glod", "selector 'tag:tier=glod' matches nothing; did you mean 'tag:tier=gold'?"),
])
def test_a_selector_that_cannot_pick_anything_is_an_error(pipeline, selector, message):
    from specrun.compiler.graph import select_one
    from specrun.errors import SpecrunError

    with pytest.raises(SpecrunError) as caught:
        select_one(pipeline, selector)
    assert str(caught.value) == message


def test_the_names_listed_for_a_selector_that_matches_nothing_stop_at_ten():
    from specrun.compiler.graph import select_one
    from specrun.errors import SpecrunError

    g = GraphData()
    for i in range(12):
        g.add_node(f"n{i:02}", kind="asset", group="g", tags={}, pointer="")
    with pytest.raises(SpecrunError) as caught:
        select_one(g.to_networkx(), "zzzz")
    assert str(caught.value) == ("selector 'zzzz' matches nothing; the assets are n00, n01, n02, n03, n04, n05, n06, "
                                 "n07, n08, n09, ... (2 more)")
    with pytest.raises(SpecrunError) as caught:
        select_one(g.to_networkx(), "tag:x")
    assert str(caught.value) == "selector 'tag:x' matches nothing; no node has a tag"


def test_topological_order_breaks_ties_by_name(pipeline):
    from specrun.compiler.graph import topological_order

    assert topological_order(pipeline) == ["op:j.load", "op:j.save", "raw/orders", "clean", "report",
                                           "check:report/fresh"]
    assert topological_order(pipeline, {"report", "clean", "raw/orders"}) == ["raw/orders", "clean", "report"]


def test_dot_lists_every_node_then_every_edge(small_graph):
    assert graph_to_dot(small_graph).split("\n") == [
        "digraph specrun {", "  rankdir=LR;", '  "a" [shape=box];', '  "b" [shape=box];',
        '  "check:b/ok" [shape=hexagon];', '  "a" -> "b";', '  "b" -> "check:b/ok";', "}"]


def test_json_shows_a_value_json_cannot_hold_as_text():
    data = GraphData()
    data.add_node("a", kind="asset", group="g", tags={}, pointer="", since=frozenset({1}))
    assert json.loads(graph_to_json(data.to_networkx()))["nodes"] == [
        {"id": "a", "kind": "asset", "group": "g", "tags": {}, "pointer": "", "since": "frozenset({1})"}]
    assert graph_to_json(data.to_networkx()).split("\n")[1] == '  "nodes": ['


def test_build_graph_takes_an_asset_specs_deps_and_the_pointers_given():
    from specrun import AssetSpec, Definitions, asset
    from specrun.compiler.graph import build_graph

    @asset
    def a():
        return 1

    g = build_graph(Definitions(assets=[a, AssetSpec("late", deps=["a"])]), {"a": "/assets/a"})
    assert sorted(g.edges) == [("a", "late")]
    assert (g.nodes["a"]["pointer"], g.nodes["late"]["pointer"], g.nodes["late"]["kind"]) == (
        "/assets/a", "", "external")


def test_a_cycle_through_nodes_without_a_pointer_is_located_at_the_top():
    from specrun.compiler.graph import cycle_error

    data = GraphData()
    for name in "ab":
        data.add_node(name, kind="asset")
    data.add_edge("a", "b")
    data.add_edge("b", "a")
    asked = []
    error = cycle_error(data, lambda pointer: asked.append(pointer))
    assert (error.message, error.pointer, asked) == ("dependency cycle: a -> b -> a", "", [""])


def test_selectors_on_nodes_without_tags_and_names_in_capitals():
    from specrun.compiler.graph import select_one

    data = GraphData()
    data.add_node("Orders", kind="asset", group="g")
    data.add_node("b", kind="asset", group="g", tags={"t": "1"})
    g = data.to_networkx()
    assert select_one(g, "tag:t") == {"b"}
    assert graph_to_mermaid(g).split("\n")[1] == "    Orders[Orders]"


def test_upstream_and_downstream_of_several_nodes_unite_each_ones():
    from specrun.compiler.graph import select_one

    data = GraphData()
    for name in ("x1", "y1", "x2", "y2"):
        data.add_node(name, kind="asset", group="g" if name.startswith("y") else "h", tags={})
    data.add_edge("x1", "y1")
    data.add_edge("x2", "y2")
    g = data.to_networkx()
    assert select_one(g, "+group:g") == {"x1", "y1", "x2", "y2"}
    assert select_one(g, "1+group:g") == {"x1", "y1", "x2", "y2"}
    assert select_one(g, "group:h+") == {"x1", "y1", "x2", "y2"}


def test_ten_names_are_listed_without_a_count_of_more():
    from specrun.compiler.graph import select_one
    from specrun.errors import SpecrunError

    data = GraphData()
    for i in range(10):
        data.add_node(f"n{i}", kind="asset", group="g", tags={})
    with pytest.raises(SpecrunError) as caught:
        select_one(data.to_networkx(), "zzzz")
    assert str(caught.value) == "selector 'zzzz' matches nothing; the assets are n0, n1, n2, n3, n4, n5, n6, n7, n8, n9"


def test_checks_without_a_pointer_given_and_on_an_asset_the_definitions_lack():
    from specrun import (AssetCheckResult, AssetCheckSpec, Definitions, SourceAsset, asset, asset_check,
                         define_asset_job, job, op)
    from specrun.compiler.graph import build_graph_data

    @asset(check_specs=[AssetCheckSpec("own", asset="a")])
    def a():
        return 1

    @asset_check(asset=a)
    def a_ok(a):
        return AssetCheckResult(passed=True)

    @asset_check(asset="ghost")
    def ghost_ok():
        return AssetCheckResult(passed=True)

    @op
    def o():
        return 1

    @job
    def ops_job():
        o()

    defs = Definitions(assets=[a, SourceAsset("src")], asset_checks=[a_ok, ghost_ok],
                       jobs=[define_asset_job("assets_job", selection="a"), ops_job])
    g = build_graph_data(defs)
    assert {n: (d.get("group"), d.get("pointer"), d.get("tags")) for n, d in g.nodes.items()} == {
        "a": ("default", "", {}), "src": ("default", "", {}), "ghost": ("default", "", {}),
        "check:a/own": ("default", "", {}), "check:a/a_ok": ("default", "", {}),
        "check:ghost/ghost_ok": ("default", "", {}), "op:ops_job.o": ("ops_job", "", {})}
    assert (g.nodes["src"]["partitioned"], g.nodes["src"]["kind"], g.nodes["ghost"]["kind"]) == (False, "external",
                                                                                                 "external")
