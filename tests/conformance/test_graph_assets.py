"""Graph-backed assets (issue #14 item 2): `@graph_asset`, `@graph_multi_asset`,
`AssetsDefinition.from_graph` / `from_op`. The ops inside run as their own steps (named
`<asset>.<op>`); the asset's materialization comes from the step producing the graph's output."""

from __future__ import annotations

from tests.conformance.api import dg


@dg.asset
def upstream_number():
    return 2


@dg.op
def fetch(upstream_number):
    return upstream_number + 1


@dg.op
def scale(x):
    return x * 10


@dg.graph_asset
def scaled(upstream_number):
    return scale(fetch(upstream_number))


@dg.asset
def scaled_plus_one(scaled):
    return scaled + 1


def _materializations(result):
    return sorted((e.step_key, e.asset_key.to_user_string()) for e in result.get_asset_materialization_events())


def test_a_graph_asset_runs_its_ops_as_steps_and_records_the_asset_from_the_graph_output():
    result = dg.materialize([upstream_number, scaled, scaled_plus_one])
    assert result.success
    assert sorted(e.step_key for e in result.get_step_success_events()) == [
        "scaled.fetch", "scaled.scale", "scaled_plus_one", "upstream_number"]
    assert _materializations(result) == [
        ("scaled.scale", "scaled"), ("scaled_plus_one", "scaled_plus_one"), ("upstream_number", "upstream_number")]
    assert result.output_for_node("scaled") == 30
    assert result.output_for_node("scaled_plus_one") == 31


def test_graph_asset_lookups():
    assert scaled.keys == {dg.AssetKey("scaled")}
    assert scaled.keys_by_input_name == {"upstream_number": dg.AssetKey("upstream_number")}
    assert scaled.keys_by_output_name == {"result": dg.AssetKey("scaled")}
    assert scaled.node_def.name == "scaled"


@dg.op(out={"first": dg.Out(), "second": dg.Out()})
def split():
    return 1, 2


@dg.op
def increment(x):
    return x + 1


@dg.graph_multi_asset(outs={"left": dg.AssetOut(), "right": dg.AssetOut()})
def halves():
    first, second = split()
    return {"left": increment(first), "right": second}


def test_a_graph_multi_asset_records_each_asset_at_the_step_producing_it():
    result = dg.materialize([halves])
    assert _materializations(result) == [("halves.increment", "left"), ("halves.split", "right")]
    assert result.output_for_node("halves", "left") == 2
    assert result.output_for_node("halves", "right") == 2


@dg.graph
def doubled_graph(upstream_number):
    return scale(upstream_number)


def test_assets_definition_from_graph_names_its_keys():
    doubled = dg.AssetsDefinition.from_graph(
        doubled_graph, keys_by_output_name={"result": dg.AssetKey("doubled")}, group_name="maths")
    assert doubled.keys == {dg.AssetKey("doubled")}
    assert doubled.keys_by_input_name == {"upstream_number": dg.AssetKey("upstream_number")}
    result = dg.materialize([upstream_number, doubled])
    assert _materializations(result) == [("doubled_graph.scale", "doubled"), ("upstream_number", "upstream_number")]
    assert result.output_for_node("doubled_graph") == 20


def test_assets_definition_from_op_makes_each_output_an_asset():
    from_op = dg.AssetsDefinition.from_op(split, keys_by_output_name={"first": dg.AssetKey("one"),
                                                                     "second": dg.AssetKey("two")})
    assert from_op.keys == {dg.AssetKey("one"), dg.AssetKey("two")}
    result = dg.materialize([from_op])
    assert sorted(e.asset_key.to_user_string() for e in result.get_asset_materialization_events()) == ["one", "two"]


def test_a_failing_op_inside_a_graph_asset_skips_what_reads_the_asset():
    @dg.op
    def explode(x):
        raise ValueError("no")

    @dg.graph_asset
    def broken(upstream_number):
        return explode(fetch(upstream_number))

    @dg.asset
    def after_broken(broken):
        return broken

    result = dg.materialize([upstream_number, broken, after_broken], raise_on_error=False)
    assert not result.success
    assert [e.step_key for e in result.get_step_failure_events()] == ["broken.explode"]
    assert sorted(e.step_key for e in result.get_step_success_events()) == ["broken.fetch", "upstream_number"]
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [dg.AssetKey("upstream_number")]


def test_metadata_by_output_name_is_the_definitions_not_the_materializations():
    # Dagster keeps a definition's metadata on the definition (metadata_by_key); a
    # materialization's metadata is what the run logged (the IO manager's, the step's)
    graphed = dg.AssetsDefinition.from_graph(doubled_graph, metadata_by_output_name={"result": {"note": "one"}})
    from_op = dg.AssetsDefinition.from_op(split, metadata_by_output_name={"first": {"note": "first"}})
    assert {k.to_user_string(): dict(v) for k, v in from_op.metadata_by_key.items()} == {
        "first": {"note": "first"}, "second": {}}
    assert dict(graphed.metadata_by_key[dg.AssetKey("doubled_graph")]) == {"note": "one"}
    result = dg.materialize([upstream_number, graphed, from_op])
    noted = [e.asset_key.to_user_string() for e in result.get_asset_materialization_events()
             if "note" in e.materialization.metadata]
    assert noted == []


KIND = "dagster/kind/"


def test_a_graph_asset_s_kinds_are_tags_beside_its_own_and_it_has_its_owners():
    @dg.graph_asset(kinds={"python", "s3"}, tags={"t": "1"}, owners=["team:data"])
    def typed_graph(upstream_number):
        return scale(fetch(upstream_number))

    key = dg.AssetKey("typed_graph")
    assert typed_graph.tags_by_key == {key: {"t": "1", KIND + "python": "", KIND + "s3": ""}}
    assert typed_graph.specs_by_key[key].kinds == {"python", "s3"}
    assert typed_graph.owners_by_key == {key: ["team:data"]}
    job = dg.define_asset_job("py_graphs", selection=dg.AssetSelection.kind("s3").upstream())
    defs = dg.Definitions(assets=[upstream_number, typed_graph], jobs=[job])
    result = defs.get_job_def("py_graphs").execute_in_process()
    assert _materializations(result) == [("typed_graph.scale", "typed_graph"),
                                         ("upstream_number", "upstream_number")]


def test_a_graph_asset_takes_at_most_ten_kinds_counting_kind_tags():
    import pytest

    with pytest.raises(dg.DagsterInvalidDefinitionError):
        @dg.graph_asset(kinds={str(i) for i in range(10)}, tags={KIND + "eleven": ""})
        def many(upstream_number):
            return scale(fetch(upstream_number))


def test_a_graph_multi_asset_gives_each_key_the_kinds_of_its_asset_out():
    @dg.graph_multi_asset(outs={"g1": dg.AssetOut(kinds={"python"}), "g2": dg.AssetOut(tags={"t": "1"})})
    def typed_outs():
        first, second = split()
        return {"g1": scale(first), "g2": scale(second)}

    assert typed_outs.tags_by_key == {dg.AssetKey("g1"): {KIND + "python": ""}, dg.AssetKey("g2"): {"t": "1"}}
    assert {k: s.kinds for k, s in typed_outs.specs_by_key.items()} == {
        dg.AssetKey("g1"): {"python"}, dg.AssetKey("g2"): set()}
