"""runtime.definitions.assets_definition: the values an asset is made of, still found where
they were before assets.py was split (its importers and user code importing from `specrun`)."""

from __future__ import annotations

import specrun
from specrun.runtime.definitions import assets, assets_definition


def test_the_asset_values_are_the_same_objects_from_assets_and_from_specrun():
    for name in ("AssetDep", "AssetIn", "AssetSpec", "AssetsDefinition", "SourceAsset"):
        value = getattr(assets_definition, name)
        assert getattr(assets, name) is value
        assert getattr(specrun, name) is value
    assert assets.dep_key is assets_definition.dep_key
    assert specrun.SourceAsset is specrun.AssetSpec


def test_the_decorator_stays_in_assets_and_makes_an_assets_definition():
    @specrun.asset
    def numbers() -> list:
        return [1]

    assert specrun.asset is assets.asset
    assert isinstance(numbers, assets_definition.AssetsDefinition)
    assert assets_definition.dep_key(numbers) == specrun.AssetKey("numbers")


def test_an_asset_keeps_no_groups_of_its_keys_but_reads_its_one_group():
    # (`group_names_by_key` is computed when read: a dict kept per asset would cost bytes and
    # cache misses at 10,000 assets; only a definition of several assets keeps one)
    from dataclasses import fields

    @specrun.asset(group_name="g")
    def numbers() -> list:
        return [1]

    assert "group_names_by_key" not in {f.name for f in fields(assets_definition.AssetsDefinition)}
    assert dict(numbers.key_facts) == {}
    assert numbers.group_names_by_key == {specrun.AssetKey("numbers"): "g"}

    @specrun.multi_asset(outs={"x": specrun.AssetOut(), "y": specrun.AssetOut(group_name="h")})
    def both():
        return 1, 2

    assert {k: f.group_name for k, f in both.key_facts.items()} == {specrun.AssetKey("x"): "default",
                                                                     specrun.AssetKey("y"): "h"}


def test_a_subset_s_source_assets_are_its_selected_assets_and_its_node_keys_all():
    @specrun.multi_asset(outs={"x": specrun.AssetOut(), "y": specrun.AssetOut()}, can_subset=True)
    def both():
        return 1, 2

    part = both.subset_for({specrun.AssetKey("y")})
    assert [s.key for s in part.to_source_assets()] == [specrun.AssetKey("y")]
    assert part.to_source_asset().key == specrun.AssetKey("y")
    assert part.node_keys_by_output_name == {"x": specrun.AssetKey("x"), "y": specrun.AssetKey("y")}
