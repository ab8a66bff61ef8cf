"""Tests of specrun/runtime/definitions/results.py: the values user code and runs report."""

import copy
import dataclasses
import pickle

from specrun import AssetKey, AssetMaterialization, MetadataValue, asset, materialize_to_memory


def test_an_asset_materialization_keeps_its_fields_in_slots_without_a_dict():
    # A run keeps one a step as long as its result: one block, not an object and its values.
    mat = AssetMaterialization("a", metadata={"rows": 3}, tags={"t": "v"})
    assert AssetMaterialization.__slots__ == ("asset_key", "description", "metadata", "partition", "tags")
    assert not hasattr(mat, "__dict__")
    assert (mat.asset_key, mat.description, mat.metadata, mat.partition, mat.tags) == (
        AssetKey("a"), None, {"rows": MetadataValue.int(3)}, None, {"t": "v"})


def test_an_asset_materialization_with_slots_copies_pickles_and_replaces_as_a_value():
    mat = AssetMaterialization("a", description="d", metadata={"rows": 3}, partition="p", tags={"t": "v"})
    for other in (pickle.loads(pickle.dumps(mat)), copy.copy(mat), copy.deepcopy(mat)):
        assert other == mat and other is not mat
    moved = dataclasses.replace(mat, partition="q")
    assert (moved.partition, moved.asset_key, moved.tags) == ("q", AssetKey("a"), {"t": "v"})
    assert moved != mat
    assert dataclasses.asdict(mat)["tags"] == {"t": "v"}


def test_a_runs_materialization_equals_the_one_its_fields_make():
    @asset
    def a():
        return 1

    mat = materialize_to_memory([a]).asset_materializations_for_node("a")[0]
    assert not hasattr(mat, "__dict__")
    made = AssetMaterialization(mat.asset_key, mat.description, dict(mat.metadata), mat.partition, dict(mat.tags))
    assert made == mat and repr(made) == repr(mat)
    assert list(mat.tags) == ["specrun/code_version", "specrun/config_hash", "specrun/data_version",
                              "specrun/input_data_versions", "specrun/code_parts"]
