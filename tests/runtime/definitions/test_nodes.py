"""The fast constructors of `specrun.runtime.definitions.nodes` (and the asset nodes
`asset_nodes.add_asset_nodes` fills the same way) make the same values as the dataclasses'
own __init__ (so a field added to Node or FromOutput fails here until they fill it too)."""

import copy
import dataclasses
import gc
import pickle
from dataclasses import fields

import pytest

from specrun import AssetIn, asset
from specrun.runtime.definitions.jobs import build_asset_job
from specrun.runtime.definitions.keys import AssetKey
from specrun.runtime.definitions.nodes import NO_GRAPH_INPUTS, NO_INPUTS, FromOutput, Node, new_from_output


@asset
def up():
    return 1


@asset
def x():
    return 1


@asset(deps=[x])
def n(up):
    return up


def new_asset_node(a, *others) -> Node:
    """The node an asset job makes for asset `a`, which reads the assets `others`."""
    return build_asset_job("nodes", [a, *others]).nodes[a.op.name]


def _values(obj) -> dict:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


def test_an_asset_node_has_every_field_of_the_dataclass_made_node():
    inputs = {"up": FromOutput("up", "result", asset_key=AssetKey("up"))}
    made = Node("n", n.op, inputs, asset=n, extra_deps=("x",))
    fast = new_asset_node(n, up, x)
    assert type(fast) is Node and type(fast.inputs["up"]) is FromOutput
    assert _values(fast) == _values(made)
    assert fast.tags is not made.tags and fast.graph_inputs is made.graph_inputs is NO_GRAPH_INPUTS
    assert fast.upstream_nodes() == {"up", "x"}
    # (Copied through the state pickle writes: the asset's function is not a module's to pickle.)
    again = copy.copy(fast)
    assert type(again) is Node and again is not fast
    assert _values(again) == _values(made)
    assert pickle.loads(pickle.dumps(fast.inputs["up"])) == inputs["up"]


def test_each_asset_node_has_its_own_tags():
    a, b = new_asset_node(up), new_asset_node(x)
    assert a.tags == {} and a.tags is not b.tags
    a.tags["kept"] = "yes"
    assert b.tags == {}


def test_nodes_without_graph_inputs_share_one_read_only_empty_dict():
    """Every node that reads no graph input (an asset's, an op's) holds `NO_GRAPH_INPUTS`: an
    empty dict each reader takes as one, which refuses every change (it would show in every
    node) and pickles and copies as itself."""
    a, b = new_asset_node(up), new_asset_node(x)
    op_node = Node("op", None, {})
    assert a.graph_inputs is b.graph_inputs is op_node.graph_inputs is NO_GRAPH_INPUTS
    assert a.graph_inputs == {} and dict(a.graph_inputs) == {} and isinstance(a.graph_inputs, dict)
    assert a.graph_inputs.get("up") is None and "up" not in a.graph_inputs and repr(a.graph_inputs) == "{}"
    for change in (lambda d: d.__setitem__("up", 1), lambda d: d.update(up=1), lambda d: d.setdefault("up"),
                   lambda d: d.pop("up", None), lambda d: d.popitem(), lambda d: d.clear(),
                   lambda d: d.__delitem__("up"), lambda d: d.__ior__({"up": 1})):
        with pytest.raises(TypeError, match="graph inputs cannot be changed"):
            change(a.graph_inputs)
    assert NO_GRAPH_INPUTS == {}
    assert pickle.loads(pickle.dumps(NO_GRAPH_INPUTS)) is NO_GRAPH_INPUTS
    assert copy.copy(NO_GRAPH_INPUTS) is NO_GRAPH_INPUTS and copy.deepcopy(NO_GRAPH_INPUTS) is NO_GRAPH_INPUTS
    assert pickle.loads(pickle.dumps(op_node)).graph_inputs is NO_GRAPH_INPUTS
    assert dataclasses.replace(a, name="other").graph_inputs is NO_GRAPH_INPUTS


def test_asset_nodes_reading_no_upstream_share_one_read_only_empty_inputs_dict():
    """An asset's node that reads no upstream asset (a root) holds `NO_INPUTS`: an empty dict
    every reader takes as one (the plan, `upstream_nodes`), which refuses every change and
    pickles and copies as itself; a node that reads one holds a dict of its own."""
    a, b, reader = new_asset_node(up), new_asset_node(x), new_asset_node(n, up, x)
    assert a.inputs is b.inputs is NO_INPUTS and reader.inputs is not NO_INPUTS
    assert a.inputs == {} and dict(a.inputs) == {} and isinstance(a.inputs, dict) and repr(a.inputs) == "{}"
    assert a.inputs.get("up") is None and len(a.inputs) == 0 and a.upstream_nodes() == set()
    for change in (lambda d: d.__setitem__("up", 1), lambda d: d.update(up=1), lambda d: d.setdefault("up"),
                   lambda d: d.pop("up", None), lambda d: d.popitem(), lambda d: d.clear(),
                   lambda d: d.__delitem__("up"), lambda d: d.__ior__({"up": 1})):
        with pytest.raises(TypeError, match="a node's inputs cannot be changed"):
            change(a.inputs)
    assert pickle.loads(pickle.dumps(NO_INPUTS)) is NO_INPUTS and copy.copy(a).inputs is NO_INPUTS
    assert copy.copy(NO_INPUTS) is NO_INPUTS and copy.deepcopy(NO_INPUTS) is NO_INPUTS
    assert dataclasses.replace(a, name="other").inputs is NO_INPUTS and NO_INPUTS is not NO_GRAPH_INPUTS


def test_new_from_output_equals_and_hashes_as_the_dataclass_made_one():
    key = AssetKey(["a", "b"])
    made = FromOutput("node", "out", asset_key=key)
    fast = new_from_output("node", "out", key)
    assert type(fast) is FromOutput
    assert fast == made and hash(fast) == hash(made) and repr(fast) == repr(made)
    assert _values(fast) == {"node": "node", "output": "out", "asset_key": key}
    assert pickle.loads(pickle.dumps(fast)) == made


def test_nodes_and_sources_keep_their_values_in_slots_and_stay_frozen():
    # A slot is read without a dict look-up, on every step of every run.
    node = new_asset_node(up)
    source = new_from_output("node", "out", None)
    assert not hasattr(node, "__dict__") and not hasattr(source, "__dict__")
    assert Node.__slots__ == tuple(f.name for f in fields(Node))
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.name = "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        source.node = "other"
    assert dataclasses.replace(node, extra_deps=("c",)).extra_deps == ("c",)
    assert node.extra_deps == ()


def _chain(n):
    first = asset(name="c_0")(lambda: 1)
    made = [first]
    for i in range(1, n):
        made.append(asset(name=f"c_{i}", ins={"up": AssetIn(f"c_{i - 1}")})(lambda up: up))
    return made


def test_an_asset_jobs_nodes_are_made_in_one_pass_without_a_python_call_an_asset():
    import sys

    def python_calls(assets) -> int:
        # (The collector is off while counting: a pass calls gc_pause's callback, twice, and
        # whether one falls inside the build depends on what the process allocated before.)
        calls = []
        enabled = gc.isenabled()
        gc.disable()
        sys.setprofile(lambda frame, event, arg: calls.append(event == "call"))
        try:
            build_asset_job("chain", assets)
        finally:
            sys.setprofile(None)
            if enabled:
                gc.enable()
        return sum(calls)

    five, twenty = _chain(5), _chain(20)
    assert python_calls(five) == python_calls(twenty)
    assert [type(n) for n in build_asset_job("chain", twenty).nodes.values()] == [Node] * 20


def test_the_writable_node_and_source_are_their_frozen_classes_with_no_slot_added():
    # (so that making one the frozen class's compares no slot names; and its attribute
    # stores are the interpreter's own: a Python __delattr__ left on it would make every
    # store call Python's __setattr__, as both share one slot of the type)
    from specrun.runtime.definitions.nodes import _WritableFromOutput, _WritableNode

    for writable, frozen in ((_WritableNode, Node), (_WritableFromOutput, FromOutput)):
        assert writable.__bases__ == (frozen,) and writable.__slots__ == ()
        assert writable.__basicsize__ == frozen.__basicsize__
        assert writable.__setattr__ is object.__setattr__ and writable.__delattr__ is object.__delattr__
