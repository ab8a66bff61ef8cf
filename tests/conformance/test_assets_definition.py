"""`AssetsDefinition`'s public read properties, for every kind of assets definition, as Dagster
gives them (a single `@asset` included: its one key and group)."""

import types

import pytest

from tests.conformance.api import dg

K = dg.AssetKey
KIND = "dagster/kind/"


@dg.asset
def plain():
    return 1


@dg.asset(group_name="g")
def grouped():
    return 1


@dg.multi_asset(outs={"m1": dg.AssetOut(), "m2": dg.AssetOut(group_name="g2")})
def mixed_groups():
    return 1, 2


@dg.multi_asset(outs={"n1": dg.AssetOut(), "n2": dg.AssetOut()}, group_name="gm")
def one_group():
    return 1, 2


@dg.multi_asset(specs=[dg.AssetSpec("s1", group_name="gs"), dg.AssetSpec("s2")])
def from_specs():
    return 1, 2


@dg.op
def one() -> int:
    return 1


@dg.op
def add_one(x: int) -> int:
    return x + 1


@dg.graph_asset(group_name="gg")
def graph_backed():
    return add_one(one())


@dg.graph_asset
def graph_backed_plain():
    return one()


@dg.graph
def two_ops():
    return add_one(one())


@dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="checked")])
def checked():
    return 1


def test_a_single_asset_has_its_one_key_and_group():
    assert plain.group_names_by_key == {K("plain"): "default"}
    assert grouped.group_names_by_key == {K("grouped"): "g"}
    assert checked.group_names_by_key == {K("checked"): "default"}


def test_a_multi_asset_has_the_group_of_each_of_its_keys():
    assert mixed_groups.group_names_by_key == {K("m1"): "default", K("m2"): "g2"}
    assert one_group.group_names_by_key == {K("n1"): "gm", K("n2"): "gm"}
    assert from_specs.group_names_by_key == {K("s1"): "gs", K("s2"): "default"}


def test_graph_backed_assets_have_the_group_of_their_key():
    assert graph_backed.group_names_by_key == {K("graph_backed"): "gg"}
    assert graph_backed_plain.group_names_by_key == {K("graph_backed_plain"): "default"}
    from_graph = dg.AssetsDefinition.from_graph(two_ops, group_name="fg")
    assert from_graph.group_names_by_key == {K("two_ops"): "fg"}
    assert dg.AssetsDefinition.from_op(add_one).group_names_by_key == {K("add_one"): "default"}


def test_the_groups_read_are_a_copy():
    groups = mixed_groups.group_names_by_key
    groups[K("m1")] = "changed"
    assert mixed_groups.group_names_by_key[K("m1")] == "default"


def test_loading_with_a_group_name_puts_every_key_of_the_default_group_in_it():
    module = types.ModuleType("assets_module")
    module.plain, module.one_group_default, module.graph_backed_plain = plain, _default_multi(), graph_backed_plain
    loaded = dg.load_assets_from_modules([module], group_name="loaded")
    assert len(loaded) == 3  # (in an order of Dagster's own: the groups, merged)
    assert {k: g for a in loaded for k, g in a.group_names_by_key.items()} == {
        K("plain"): "loaded", K("d1"): "loaded", K("d2"): "loaded", K("graph_backed_plain"): "loaded"}
    job = dg.define_asset_job("loaded_job", selection=dg.AssetSelection.groups("loaded"))
    defs = dg.Definitions(assets=loaded, jobs=[job])
    result = defs.get_job_def("loaded_job").execute_in_process()
    assert sorted(e.asset_key.to_user_string() for e in result.get_asset_materialization_events()) == [
        "d1", "d2", "graph_backed_plain", "plain"]


def _default_multi():
    @dg.multi_asset(outs={"d1": dg.AssetOut(), "d2": dg.AssetOut()})
    def default_multi():
        return 1, 2

    return default_multi


@dg.asset(deps=[dg.AssetKey(["p", "z"]), "y-1", "plain"])
def with_deps(plain, up):
    return plain


@dg.multi_asset(specs=[dg.AssetSpec("t1"), dg.AssetSpec("t2", deps=["up2", "up3"])])
def specs_with_deps(up3):
    return 1, 2


def test_keys_by_input_name_names_each_ordering_only_dep_as_dagster_names_its_input():
    assert with_deps.keys_by_input_name == {
        "plain": K("plain"), "up": K("up"), "p_z": K(["p", "z"]), "y_1": K("y-1")}
    assert specs_with_deps.keys_by_input_name == {"up2": K("up2"), "up3": K("up3")}
    assert with_deps.dependency_keys == {K("plain"), K("up"), K(["p", "z"]), K("y-1")}


def test_an_assets_definition_is_not_observable():
    assert [d.is_observable for d in (plain, mixed_groups, graph_backed)] == [False, False, False]


def test_an_assets_definition_materializes_and_has_no_hooks_or_backfill_policy():
    for d in (plain, mixed_groups, graph_backed, checked):
        assert (d.is_executable, d.is_materializable) == (True, True)
        assert d.execution_type.value == "MATERIALIZATION"
        assert (d.hook_defs, d.backfill_policy) == (frozenset(), None)


def test_asset_and_check_keys_are_its_assets_and_the_keys_of_its_checks():
    assert checked.asset_and_check_keys == {K("checked"), dg.AssetCheckKey(K("checked"), "positive")}
    assert mixed_groups.asset_and_check_keys == {K("m1"), K("m2")}
    assert graph_backed.asset_and_check_keys == {K("graph_backed")}


@dg.asset(metadata={"rows": 3}, code_version="7", description="Described.")
def described():
    """Not the description."""
    return 1


@dg.asset
def documented():
    """From the docstring."""
    return 1


@dg.multi_asset(outs={"e1": dg.AssetOut(), "e2": dg.AssetOut(metadata={"k": 2}, description="e2 text",
                                                              code_version="3")},
                code_version="9", description="Whole multi.")
def multi_described():
    return 1, 2


@dg.multi_asset(specs=[dg.AssetSpec("f1", metadata={"q": 1}, description="f1 text"), dg.AssetSpec("f2")])
def specs_described():
    """Doc of the specs' function."""
    return 1, 2


@dg.graph_asset(metadata={"g": 1}, description="Graph text.", code_version="5")
def graph_described():
    return add_one(one())


@dg.graph_multi_asset(outs={"h1": dg.AssetOut(metadata={"x": 1}, description="h1 text", code_version="4"),
                            "h2": dg.AssetOut()})
def graph_multi_described():
    """Doc of the graph."""
    return {"h1": one(), "h2": add_one(one())}


def test_metadata_descriptions_and_code_versions_by_key_of_single_assets():
    assert described.metadata_by_key == {K("described"): {"rows": 3}}
    assert described.descriptions_by_key == {K("described"): "Described."}
    assert described.code_versions_by_key == {K("described"): "7"}
    assert documented.descriptions_by_key == {K("documented"): "From the docstring."}
    assert plain.metadata_by_key == {K("plain"): {}}
    assert plain.descriptions_by_key == {}
    assert plain.code_versions_by_key == {K("plain"): None}


def test_metadata_descriptions_and_code_versions_by_key_of_multi_assets():
    assert multi_described.metadata_by_key == {K("e1"): {}, K("e2"): {"k": 2}}
    assert multi_described.descriptions_by_key == {K("e1"): "Whole multi.", K("e2"): "e2 text"}
    assert multi_described.code_versions_by_key == {K("e1"): "9", K("e2"): "3"}
    assert specs_described.metadata_by_key == {K("f1"): {"q": 1}, K("f2"): {}}
    assert specs_described.descriptions_by_key == {K("f1"): "f1 text", K("f2"): "Doc of the specs' function."}
    assert specs_described.code_versions_by_key == {K("f1"): None, K("f2"): None}


def test_metadata_descriptions_and_code_versions_by_key_of_graph_backed_assets():
    assert graph_described.metadata_by_key == {K("graph_described"): {"g": 1}}
    assert graph_described.descriptions_by_key == {K("graph_described"): "Graph text."}
    assert graph_described.code_versions_by_key == {K("graph_described"): "5"}
    assert graph_backed_plain.code_versions_by_key == {K("graph_backed_plain"): None}  # (none given)
    assert graph_multi_described.metadata_by_key == {K("h1"): {"x": 1}, K("h2"): {}}
    assert graph_multi_described.descriptions_by_key == {K("h1"): "h1 text", K("h2"): "Doc of the graph."}
    assert graph_multi_described.code_versions_by_key == {K("h1"): "4", K("h2"): None}
    assert dg.AssetsDefinition.from_op(add_one).descriptions_by_key == {}


@dg.asset(tags={"tier": "gold"}, owners=["team:data", "a@b.com"])
def owned():
    return 1


@dg.multi_asset(outs={"o1": dg.AssetOut(), "o2": dg.AssetOut(tags={"t": "v"}, owners=["team:x"])})
def multi_owned():
    return 1, 2


@dg.graph_asset(tags={"g": "1"})
def graph_tagged():
    return one()


@dg.graph_multi_asset(outs={"p1": dg.AssetOut(tags={"p": "1"}, owners=["p@q.com"]), "p2": dg.AssetOut()})
def graph_multi_owned():
    return {"p1": one(), "p2": add_one(one())}


def test_tags_and_owners_by_key_of_every_kind():
    assert owned.tags_by_key == {K("owned"): {"tier": "gold"}}
    assert owned.owners_by_key == {K("owned"): ["team:data", "a@b.com"]}
    assert plain.tags_by_key == {K("plain"): {}} and plain.owners_by_key == {K("plain"): []}
    assert multi_owned.tags_by_key == {K("o1"): {}, K("o2"): {"t": "v"}}
    assert multi_owned.owners_by_key == {K("o1"): [], K("o2"): ["team:x"]}
    assert graph_tagged.tags_by_key == {K("graph_tagged"): {"g": "1"}}
    assert graph_tagged.owners_by_key == {K("graph_tagged"): []}
    assert graph_multi_owned.tags_by_key == {K("p1"): {"p": "1"}, K("p2"): {}}
    assert graph_multi_owned.owners_by_key == {K("p1"): ["p@q.com"], K("p2"): []}


DAILY = dg.DailyPartitionsDefinition(start_date="2024-01-01")


@dg.asset(partitions_def=DAILY)
def daily_numbers():
    return 1


@dg.asset(partitions_def=DAILY,
          ins={"daily_numbers": dg.AssetIn(partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1))},
          deps=[dg.AssetDep("other_daily", partition_mapping=dg.LastPartitionMapping()), "unmapped"])
def daily_window(daily_numbers):
    return daily_numbers


def test_get_partition_mapping_gives_the_mapping_given_for_an_upstream_key():
    window = daily_window.get_partition_mapping(K("daily_numbers"))
    assert isinstance(window, dg.TimeWindowPartitionMapping) and window.start_offset == -1
    assert isinstance(daily_window.get_partition_mapping(K("other_daily")), dg.LastPartitionMapping)
    assert daily_window.get_partition_mapping(K("unmapped")) is None
    assert daily_numbers.get_partition_mapping(K("daily_window")) is None


@dg.multi_asset(outs={"q1": dg.AssetOut(is_required=False),
                      "q2": dg.AssetOut(tags={"tier": "gold"}, is_required=False)}, can_subset=True)
def tagged_outputs(context):
    for name in sorted(context.selected_output_names):
        yield dg.Output(1, output_name=name)


def test_a_selection_by_tag_sees_the_tags_of_each_asset_of_a_multi_asset():
    job = dg.define_asset_job("gold_job", selection=dg.AssetSelection.tag("tier", "gold"))
    defs = dg.Definitions(assets=[tagged_outputs], jobs=[job])
    result = defs.get_job_def("gold_job").execute_in_process()
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [K("q2")]


def test_from_graph_gives_each_output_the_facts_its_by_output_name_arguments_give():
    made = dg.AssetsDefinition.from_graph(
        two_ops, metadata_by_output_name={"result": {"rows": 3}}, descriptions_by_output_name={"result": "Two."},
        tags_by_output_name={"result": {"t": "1"}}, owners_by_output_name={"result": ["team:data"]},
        code_versions_by_output_name={"result": "v2"})
    key = K("two_ops")
    assert (made.metadata_by_key, made.descriptions_by_key) == ({key: {"rows": 3}}, {key: "Two."})
    assert (made.tags_by_key, made.owners_by_key) == ({key: {"t": "1"}}, {key: ["team:data"]})
    assert made.code_versions_by_key == {key: "v2"}
    assert [e.asset_key for e in dg.materialize([made]).get_asset_materialization_events()] == [key]


@dg.op(out={"x": dg.Out(), "y": dg.Out()})
def two_outputs():
    return 1, 2


def test_from_op_gives_only_the_outputs_named_the_metadata_and_tags_given():
    made = dg.AssetsDefinition.from_op(two_outputs, metadata_by_output_name={"x": {"m": 1}},
                                       tags_by_output_name={"y": {"t": "2"}})
    assert made.metadata_by_key == {K("x"): {"m": 1}, K("y"): {}}
    assert made.tags_by_key == {K("x"): {}, K("y"): {"t": "2"}}


# `to_source_asset(s)`: each asset as a SourceAsset of its key, metadata, IO manager, description,
# partitions, group and tags (a SourceAsset of Dagster's keeps no owners or code version).

@dg.asset(group_name="g", metadata={"m": 1}, description="d", tags={"t": "1"}, owners=["team:a"],
          io_manager_key="store", kinds={"python"}, deps=["up"])
def to_source():
    return 1


@dg.multi_asset(outs={"u1": dg.AssetOut(io_manager_key="x", metadata={"k": 1}), "u2": dg.AssetOut(group_name="h")})
def to_sources():
    return 1, 2


def _source(source):
    values = {k: getattr(v, "value", v) for k, v in source.metadata.items()}  # (Dagster's are MetadataValues)
    return (source.key, values, source.io_manager_key, source.description, source.group_name, source.tags,
            source.partitions_def)


def test_to_source_asset_keeps_what_a_source_asset_has():
    assert _source(to_source.to_source_asset()) == (
        K("to_source"), {"m": 1}, "store", "d", "g", {"t": "1", KIND + "python": ""}, None)
    assert _source(plain.to_source_asset()) == (K("plain"), {}, "io_manager", None, "default", {}, None)
    assert [_source(s) for s in to_source.to_source_assets()] == [_source(to_source.to_source_asset("to_source"))]
    assert isinstance(to_source.to_source_asset(), dg.SourceAsset)


def test_to_source_assets_of_a_multi_asset_gives_each_asset_and_key_chooses_one():
    assert [_source(s) for s in to_sources.to_source_assets()] == [
        (K("u1"), {"k": 1}, "x", None, "default", {}, None), (K("u2"), {}, "io_manager", None, "h", {}, None)]
    assert to_sources.to_source_asset("u2").key == K("u2")
    with pytest.raises(Exception):
        to_sources.to_source_asset()
    with pytest.raises(Exception):
        to_sources.to_source_asset("nope")


def test_a_source_asset_made_of_an_asset_loads_what_it_stored(instance):
    dg.materialize([plain], instance=instance)

    @dg.asset
    def reads_plain(plain):
        return plain + 1

    result = dg.materialize([plain.to_source_asset(), reads_plain], instance=instance)
    assert result.output_for_node("reads_plain") == 2


def test_node_keys_by_output_name_and_get_asset_spec_of_no_key():
    assert to_sources.node_keys_by_output_name == {"u1": K("u1"), "u2": K("u2")}
    assert graph_backed.node_keys_by_output_name == {"result": K("graph_backed")}
    assert plain.get_asset_spec().key == K("plain")
