"""runtime.definitions.asset_spec: `AssetSpec` and the one rule for kinds, the same objects
wherever they were imported from before assets_definition.py was split."""

from __future__ import annotations

import specrun
from specrun.runtime.definitions import asset_spec, assets, assets_definition, multi_assets


def test_asset_spec_is_the_same_class_from_each_module_that_exported_it():
    assert asset_spec.AssetSpec is assets_definition.AssetSpec is assets.AssetSpec is specrun.AssetSpec
    assert asset_spec.SourceAsset is assets_definition.SourceAsset is specrun.SourceAsset


def test_asset_and_multi_asset_use_the_one_kinds_rule():
    assert assets.tags_with_kinds is multi_assets.tags_with_kinds is asset_spec.tags_with_kinds
    assert asset_spec.tags_with_kinds({"t": "1"}, ["python"]) == {"t": "1", "dagster/kind/python": ""}
    assert asset_spec.kinds_of({"dagster/kind/sql": "", "t": "1"}) == {"sql"}


def test_a_replaced_observable_source_asset_keeps_its_observation_function():
    @specrun.observable_source_asset(group_name="g")
    def feed():
        return specrun.DataVersion("1")

    made = feed.replace_attributes(description="new").merge_attributes(tags={"t": "1"})
    assert (type(made), made.observe_fn, made.description, made.tags) == (type(feed), feed.observe_fn, "new", {"t": "1"})
    assert (feed.description, feed.tags) == (None, {})


def test_asset_dep_lives_beside_asset_spec_and_is_exported_where_it_was():
    assert asset_spec.AssetDep is assets_definition.AssetDep is assets.AssetDep is specrun.AssetDep
    assert asset_spec.dep_key is assets_definition.dep_key is assets.dep_key
    assert asset_spec.dep_key(specrun.AssetDep(["p", "q"])) == specrun.AssetKey(["p", "q"])
