"""Property tests: random DAG specs compile to the graph the equivalent Python definitions
give; random mutations of a valid spec produce SpecErrors and never another exception."""

from __future__ import annotations

import copy
import os

import networkx as nx
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specrun import AssetIn, asset
from specrun.compiler import compile_spec
from specrun.compiler.graph import build_graph
from specrun.compiler.load import load_text
from specrun.compiler.model import build_spec
from specrun.compiler.validate import validate_document
from specrun.errors import SpecErrors
from specrun.runtime.definitions.definitions import Definitions

FUNCS = "def leaf():\n    return 1\n\n\ndef join(**ups):\n    return sum(ups.values())\n"


@st.composite
def random_dags(draw):
    """A list of (name, upstream names) where upstreams always come earlier: acyclic."""
    n = draw(st.integers(min_value=1, max_value=12))
    nodes = []
    for i in range(n):
        ups = draw(st.sets(st.integers(min_value=0, max_value=i - 1), max_size=3)) if i else set()
        nodes.append((f"n{i}", sorted(f"n{u}" for u in ups)))
    return nodes


def _spec_text(dag) -> str:
    assets = {}
    for name, ups in dag:
        entry = {"fn": "join" if ups else "leaf"}
        if ups:
            entry["ins"] = {u: u for u in ups}
        assets[name] = entry
    return yaml.safe_dump({"specrun": 1, "module": "funcs_prop", "assets": assets})


def _python_graph(dag) -> nx.DiGraph:
    def make(name, ups):
        if not ups:
            return asset(name=name)(lambda: 1)

        def body(**kw):
            return sum(kw.values())
        return asset(name=name, ins={u: AssetIn(u) for u in ups})(body)

    defs = Definitions(assets=[make(n, u) for n, u in dag])
    return build_graph(defs)


def _drawn_edges(dag) -> set[tuple[str, str]]:
    """The edges the DAG was drawn with, written out without any specrun code."""
    return {(up, name) for name, ups in dag for up in ups}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(random_dags())
def test_random_spec_compiles_to_the_same_graph_as_python_definitions(tmp_path_factory, dag):
    folder = tmp_path_factory.mktemp("dag")
    (folder / "funcs_prop.py").write_text(FUNCS)
    (folder / "pipeline.yaml").write_text(_spec_text(dag))
    compiled = compile_spec(str(folder / "pipeline.yaml"))
    # The expectation is the drawn DAG itself; the Python definitions must give the same graph.
    assert set(compiled.graph.nodes) == {name for name, _ in dag}
    assert set(compiled.graph.edges) == _drawn_edges(dag)
    python = _python_graph(dag)
    assert (set(python.nodes), set(python.edges)) == ({name for name, _ in dag}, _drawn_edges(dag))


VALID = {"specrun": 1, "module": "funcs", "name": "p",
         "assets": {"source": {"fn": "source", "config": {"n": 2}, "group": "g"},
                    "doubled": {"fn": "double", "ins": {"values": "source"}}},
         "checks": {"ok": {"asset": "doubled", "fn": "positive"}},
         "executor": {"type": "in_process"}}
PATHS = [("assets", "source"), ("assets", "doubled"), ("checks", "ok"), ("executor",), ()]


@st.composite
def mutations(draw):
    data = copy.deepcopy(VALID)
    path = draw(st.sampled_from(PATHS))
    target = data
    for part in path:
        target = target[part]
    kind = draw(st.sampled_from(["delete", "rename", "retype", "unknown"]))
    keys = sorted(target)
    key = draw(st.sampled_from(keys))
    if kind == "delete" and (path or key == "specrun") and key in ("fn", "asset", "type", "specrun"):
        del target[key]
    elif kind == "rename":
        target[key + draw(st.sampled_from(["x", "_", "s"]))] = target.pop(key)
    elif kind == "retype":
        target[key] = draw(st.sampled_from([12345, [1, 2], True, None, {"zz": 1}]))
    else:
        target[draw(st.sampled_from(["bogus", "fnn", "grup", "assetz"]))] = "x"
    return data


@settings(max_examples=80, deadline=None)
@given(mutations())
def test_mutations_of_a_valid_spec_give_spec_errors_only(data):
    text = yaml.safe_dump(data)
    doc = load_text(text, "mutated.yaml")
    errors = validate_document(doc)
    if errors:
        assert all(e.location is not None and e.location.line >= 1 for e in errors)
        return
    # Schema-valid mutations (e.g. a retyped config) may still fail later; only as SpecErrors.
    try:
        build_spec(doc)
    except SpecErrors:
        pass


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=list("ab: -[]{}\n\"'&*!#|>%@`,?"), max_size=60))
def test_random_text_never_raises_anything_but_spec_errors(text):
    try:
        load_text(text, "random.yaml")
    except SpecErrors as e:
        assert e.errors and all(err.location is not None for err in e.errors)


def test_mutation_baseline_is_valid():
    folder = os.path.join(os.path.dirname(__file__), "..", "..", "specs", "valid")
    doc = load_text(yaml.safe_dump(VALID), os.path.join(folder, "base.yaml"))
    assert validate_document(doc) == []
