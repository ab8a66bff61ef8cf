"""Tests of specrun/runtime/definitions/results.py: the values user code and runs report."""

import copy
import dataclasses
import pickle

from specrun import AssetKey, AssetMaterialization, asset, materialize_to_memory


def test_an_asset_materialization_copies_pickles_and_replaces_as_a_value():
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
    made = AssetMaterialization(mat.asset_key, mat.description, dict(mat.metadata), mat.partition, dict(mat.tags))
    assert made == mat and repr(made) == repr(mat)
    assert list(mat.tags) == ["specrun/code_version", "specrun/config_hash", "specrun/data_version",
                              "specrun/input_data_versions", "specrun/code_parts"]
