"""The fast constructors of `specrun.runtime.definitions.nodes` make the same values as the
dataclasses' own __init__ (so a field added to Node or FromOutput fails here until they
fill it too)."""

import dataclasses
import pickle
from dataclasses import fields

import pytest

from specrun.runtime.definitions.keys import AssetKey
from specrun.runtime.definitions.nodes import FromOutput, Node, new_asset_node, new_from_output


def _values(obj) -> dict:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


def test_new_asset_node_has_every_field_of_the_dataclass_made_node():
    inputs = {"up": FromOutput("up_node", "result", asset_key=AssetKey("up"))}
    asset, op_def = object(), object()
    made = Node("n", op_def, inputs, asset=asset, extra_deps=("x",))
    fast = new_asset_node("n", op_def, inputs, asset, ("x",))
    assert type(fast) is Node
    assert _values(fast) == _values(made)
    assert fast.tags is not made.tags and fast.graph_inputs is not made.graph_inputs
    assert fast.upstream_nodes() == {"up_node", "x"}
    again = pickle.loads(pickle.dumps(new_asset_node("n", "op", inputs, "asset", ("x",))))
    assert type(again) is Node
    assert _values(again) == _values(Node("n", "op", inputs, asset="asset", extra_deps=("x",)))


def test_new_asset_node_gives_each_node_its_own_tags_and_graph_inputs():
    a = new_asset_node("a", None, {}, None, ())
    b = new_asset_node("b", None, {}, None, ())
    assert a.tags == {} and a.tags is not b.tags and a.graph_inputs is not b.graph_inputs


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
    node = new_asset_node("n", "op", {}, "asset", ())
    source = new_from_output("node", "out", None)
    assert not hasattr(node, "__dict__") and not hasattr(source, "__dict__")
    assert Node.__slots__ == tuple(f.name for f in fields(Node))
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.name = "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        source.node = "other"
    assert dataclasses.replace(node, extra_deps=("c",)).extra_deps == ("c",)
    assert node.extra_deps == ()
