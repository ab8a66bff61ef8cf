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
