"""The DAG's nodes of a multi-asset's assets (compiler/graph.py): each asset with its own
tags, so that a `tag:` selector picks the keys `AssetSelection.tag` picks at run time."""

from __future__ import annotations

from specrun import (AssetOut, AssetSelection, AssetSpec, Definitions, asset, define_asset_job,
                     multi_asset)
from specrun.compiler.graph import build_graph, select


@multi_asset(outs={"gold_out": AssetOut(tags={"tier": "gold"}), "plain_out": AssetOut(kinds={"python"})},
             can_subset=True)
def from_outs():
    return 1, 2


@multi_asset(specs=[AssetSpec("gold_spec", tags={"tier": "gold"}), AssetSpec("plain_spec")], can_subset=True)
def from_specs():
    return None


@asset(tags={"tier": "gold"})
def single():
    return 1


DEFS = Definitions(assets=[from_outs, from_specs, single],
                   jobs=[define_asset_job("gold", selection=AssetSelection.tag("tier", "gold"))])


def test_each_asset_of_a_multi_asset_has_its_own_tags_in_the_graph():
    nodes = build_graph(DEFS).nodes
    assert nodes["gold_out"]["tags"] == {"tier": "gold"}
    assert nodes["plain_out"]["tags"] == {"dagster/kind/python": ""}
    assert nodes["gold_spec"]["tags"] == {"tier": "gold"}
    assert nodes["plain_spec"]["tags"] == {}
    assert nodes["single"]["tags"] == {"tier": "gold"}


def test_a_tag_selector_picks_the_keys_asset_selection_tag_picks():
    at_run_time = DEFS.get_job_def("gold").asset_keys
    assert {k.to_user_string() for k in at_run_time} == {"gold_out", "gold_spec", "single"}
    assert select(build_graph(DEFS), ["tag:tier=gold"]) == {"gold_out", "gold_spec", "single"}
