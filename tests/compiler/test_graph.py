"""Renderings of the DAG and the compiler's static typing."""

from __future__ import annotations

import json
import os
import importlib.util
import subprocess
import sys

import pytest

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
