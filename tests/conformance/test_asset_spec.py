"""`AssetSpec`'s tags, owners and code version, as Dagster keeps them: readable on the spec, and
given to the asset a `@multi_asset(specs=...)` makes of it (its `*_by_key` properties) and to a
selection by tag."""

import pytest

from tests.conformance.api import dg

K = dg.AssetKey

SPEC = dg.AssetSpec("a", tags={"tier": "gold"}, owners=["ann@example.com", "team:data"], code_version="v1")


@dg.multi_asset(specs=[SPEC, dg.AssetSpec("b", group_name="g")])
def from_specs():
    return 1, 2


def test_an_asset_spec_keeps_its_tags_owners_and_code_version():
    assert SPEC.tags == {"tier": "gold"}
    assert SPEC.owners == ["ann@example.com", "team:data"]
    assert SPEC.code_version == "v1"


def test_an_asset_spec_given_none_has_no_tags_no_owners_and_no_code_version():
    bare = dg.AssetSpec("c")
    assert (bare.tags, bare.owners, bare.code_version) == ({}, [], None)


def test_a_multi_asset_gives_each_key_the_tags_owners_and_code_version_of_its_spec():
    assert from_specs.tags_by_key == {K("a"): {"tier": "gold"}, K("b"): {}}
    assert from_specs.owners_by_key == {K("a"): ["ann@example.com", "team:data"], K("b"): []}
    assert from_specs.code_versions_by_key == {K("a"): "v1", K("b"): None}


@dg.multi_asset(specs=[dg.AssetSpec("c", tags={"tier": "gold"}),
                       dg.AssetSpec("d")], can_subset=True)
def subsettable(context):
    for key in sorted(context.selected_asset_keys, key=lambda k: k.path):
        yield dg.MaterializeResult(asset_key=key)


def test_a_selection_by_tag_sees_the_tags_of_a_spec():
    job = dg.define_asset_job("gold", selection=dg.AssetSelection.tag("tier", "gold"))
    defs = dg.Definitions(assets=[subsettable], jobs=[job])
    result = defs.get_job_def("gold").execute_in_process()
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [K("c")]


# `AssetsDefinition.specs` / `get_asset_spec`: an AssetSpec per key, each with its own deps.

@dg.asset(deps=["x"], group_name="g", description="d", metadata={"m": 1}, code_version="1",
          tags={"a": "b"}, owners=["team:x"])
def one_asset(up):
    return 1


@dg.multi_asset(specs=[dg.AssetSpec("s1", deps=["x"], tags={"t": "1"}),
                       dg.AssetSpec("s2", deps=["y", "s1"], group_name="gb", description="bd",
                                    metadata={"k": 2}, owners=["o@x.com"], code_version="v")])
def two_specs():
    return 1, 2


@dg.multi_asset(outs={"o1": dg.AssetOut(group_name="go", description="od", tags={"u": "v"}),
                      "o2": dg.AssetOut(key=["p", "o2"])}, deps=["z"])
def two_outs(u):
    return 1, 2


@dg.op
def inc(v):
    return v


@dg.graph
def ga(src):
    return inc(src)


GRAPH_ASSET = dg.AssetsDefinition.from_graph(ga, group_name="gg", metadata_by_output_name={"result": {"gm": 1}})


def _fields(spec):
    """Every field both sides' AssetSpec has; deps as keys (Dagster's are `AssetDep`s)."""
    return (spec.key, [getattr(d, "asset_key", d) for d in spec.deps], spec.description,
            spec.metadata, spec.group_name, spec.code_version, spec.owners, spec.tags,
            spec.partitions_def)


def test_the_spec_of_an_asset_has_its_inputs_and_deps_and_its_own_facts():
    assert [_fields(s) for s in one_asset.specs] == [
        (K("one_asset"), [K("up"), K("x")], "d", {"m": 1}, "g", "1",
         ["team:x"], {"a": "b"}, None)]


def test_each_spec_of_a_specs_multi_asset_keeps_its_own_deps():
    assert [_fields(s) for s in two_specs.specs] == [
        (K("s1"), [K("x")], None, {}, "default", None, [], {"t": "1"}, None),
        (K("s2"), [K("y"), K("s1")], "bd", {"k": 2}, "gb", "v", ["o@x.com"], {}, None)]
    assert _fields(two_specs.get_asset_spec(K("s2"))) == _fields(list(two_specs.specs)[1])


def test_each_key_of_an_outs_multi_asset_depends_on_all_its_inputs_and_deps():
    assert [_fields(s) for s in two_outs.specs] == [
        (K("o1"), [K("u"), K("z")], "od", {}, "go", None, [], {"u": "v"}, None),
        (K(["p", "o2"]), [K("u"), K("z")], None, {}, "default", None, [], {}, None)]


def test_the_spec_of_a_graph_asset_has_the_graph_inputs_and_the_metadata_given():
    assert [_fields(s) for s in GRAPH_ASSET.specs] == [
        (K("ga"), [K("src")], None, {"gm": 1}, "gg", None, [], {}, None)]
    assert _fields(GRAPH_ASSET.get_asset_spec(K("ga"))) == _fields(*GRAPH_ASSET.specs)


def test_an_observable_source_asset_keeps_its_tags():
    @dg.observable_source_asset(tags={"tier": "raw"}, group_name="g")
    def feed():
        return dg.DataVersion("1")

    assert (feed.key, feed.tags, feed.group_name) == (K("feed"), {"tier": "raw"}, "g")


def test_get_asset_spec_of_a_key_it_does_not_have_is_a_key_error():
    with pytest.raises(KeyError):
        two_specs.get_asset_spec(K("nope"))


# Kinds: tags `dagster/kind/<kind>` of value "", read back as `kinds`.

KIND = "dagster/kind/"


def test_an_asset_s_kinds_are_tags_beside_its_own_and_its_spec_s_kinds():
    @dg.asset(kinds={"python", "snowflake"}, tags={"tier": "gold"})
    def typed():
        return 1

    assert typed.tags_by_key == {K("typed"): {"tier": "gold", KIND + "python": "", KIND + "snowflake": ""}}
    assert typed.specs_by_key[K("typed")].kinds == {"python", "snowflake"}
    assert typed.get_asset_spec(K("typed")).tags == typed.tags_by_key[K("typed")]


def test_an_asset_spec_s_kinds_are_tags_and_a_kind_tag_is_a_kind():
    spec = dg.AssetSpec("x", kinds={"s3"})
    assert (spec.tags, spec.kinds) == ({KIND + "s3": ""}, {"s3"})
    both = dg.AssetSpec("y", kinds={"s3"}, tags={KIND + "pg": "", "k": "v"})
    assert (both.tags, both.kinds) == ({KIND + "pg": "", "k": "v", KIND + "s3": ""}, {"s3", "pg"})
    assert dg.AssetSpec("z").kinds == set()


def test_a_multi_asset_gives_each_key_the_kinds_of_its_asset_out_or_spec():
    assert dg.AssetOut(kinds={"python"}, tags={"t": "1"}).tags == {"t": "1", KIND + "python": ""}

    @dg.multi_asset(outs={"m1": dg.AssetOut(kinds={"python"}), "m2": dg.AssetOut(tags={"t": "1"})},
                    compute_kind="sql")
    def by_outs():
        return 1, 2

    @dg.multi_asset(specs=[dg.AssetSpec("s1", kinds={"s3"}), dg.AssetSpec("s2")])
    def by_specs():
        pass

    assert by_outs.tags_by_key == {K("m1"): {KIND + "python": ""}, K("m2"): {"t": "1"}}
    assert {k: s.kinds for k, s in by_outs.specs_by_key.items()} == {K("m1"): {"python"}, K("m2"): set()}
    assert by_specs.tags_by_key == {K("s1"): {KIND + "s3": ""}, K("s2"): {}}
    assert {k: s.kinds for k, s in by_specs.specs_by_key.items()} == {K("s1"): {"s3"}, K("s2"): set()}


def test_compute_kind_beside_kinds_is_refused():
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        @dg.asset(kinds={"python"}, compute_kind="sql")
        def both():
            return 1
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        @dg.multi_asset(specs=[dg.AssetSpec("s1", kinds={"s3"})], compute_kind="sql")
        def spec_kinds():
            pass


def test_more_than_ten_kinds_are_refused_counting_kind_tags():
    ten = {str(i) for i in range(10)}
    assert len(dg.AssetSpec("ok", kinds=ten).kinds) == 10
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.AssetSpec("x", kinds=ten | {"eleven"})
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.AssetSpec("x", kinds=ten, tags={KIND + "eleven": ""})
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.AssetOut(kinds=ten | {"eleven"})
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        @dg.asset(kinds=ten, tags={KIND + "eleven": ""})
        def many():
            return 1


def test_a_selection_by_a_kind_tag_runs_the_assets_of_that_kind():
    @dg.asset(kinds={"python"})
    def py():
        return 1

    @dg.asset(kinds={"sql"})
    def sql():
        return 2

    job = dg.define_asset_job("py", selection=dg.AssetSelection.tag(KIND + "python", ""))
    defs = dg.Definitions(assets=[py, sql, dg.AssetSpec("ext", kinds={"python"})], jobs=[job])
    result = defs.get_job_def("py").execute_in_process()
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [K("py")]


def test_asset_deps_gives_each_key_the_deps_of_its_spec():
    assert one_asset.asset_deps == {K("one_asset"): {K("up"), K("x")}}
    assert two_specs.asset_deps == {K("s1"): {K("x")}, K("s2"): {K("y"), K("s1")}}
    assert two_outs.asset_deps == {K("o1"): {K("u"), K("z")}, K(["p", "o2"]): {K("u"), K("z")}}
    assert GRAPH_ASSET.asset_deps == {K("ga"): {K("src")}}
    assert from_specs.asset_deps == {K("a"): set(), K("b"): set()}


# `replace_attributes` / `merge_attributes`: a new spec; kinds stay kind tags apart from `tags=`.

FULL = dg.AssetSpec("a", deps=["x"], description="d", metadata={"m": 1}, group_name="g", code_version="1",
                    owners=["team:a"], tags={"t": "1"}, kinds={"python"})


def _all(spec):
    return (*_fields(spec), spec.kinds)


def test_replace_attributes_replaces_what_is_given_and_keeps_the_rest():
    made = FULL.replace_attributes(key="b", description="e", tags={"u": "2"}, deps=["y", dg.AssetDep("z")])
    assert _all(made) == (K("b"), [K("y"), K("z")], "e", {"m": 1}, "g", "1", ["team:a"],
                          {"u": "2", KIND + "python": ""}, None, {"python"})
    assert _all(FULL)[:2] == (K("a"), [K("x")])  # (the spec itself is unchanged)
    assert FULL.replace_attributes() == FULL
    assert FULL.replace_attributes(skippable=True).merge_attributes(tags={"v": "1"}).skippable


def test_replace_attributes_of_kinds_replaces_the_kind_tags_only():
    assert FULL.replace_attributes(kinds={"sql"}).tags == {"t": "1", KIND + "sql": ""}
    assert FULL.replace_attributes(tags={KIND + "pg": ""}).kinds == {"pg", "python"}


def test_replace_attributes_with_none_gives_none():
    bare = FULL.replace_attributes(deps=None, metadata=None, owners=None, tags=None, kinds=None,
                                   group_name=None, description=None, code_version=None)
    assert _all(bare) == (K("a"), [], None, {}, None, None, [], {}, None, set())


def test_merge_attributes_adds_to_the_spec_s_own():
    made = FULL.merge_attributes(deps=["y", "x"], metadata={"n": 2, "m": 3}, owners=["team:b"],
                                 tags={"t": "2", "v": "3"}, kinds={"sql"})
    assert _all(made) == (K("a"), [K("x"), K("y")], "d", {"m": 3, "n": 2}, "g", "1", ["team:a", "team:b"],
                          {"t": "2", "v": "3", KIND + "python": "", KIND + "sql": ""}, None, {"python", "sql"})
    assert FULL.merge_attributes() == FULL
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        FULL.merge_attributes(kinds={str(i) for i in range(10)})


def test_a_spec_s_deps_are_each_asset_once_and_may_be_asset_deps():
    assert [d.asset_key if hasattr(d, "asset_key") else d
            for d in dg.AssetSpec("a", deps=["x", dg.AssetDep("y"), "x"]).deps] == [K("x"), K("y")]


def test_a_replaced_spec_is_what_a_multi_asset_makes():
    @dg.multi_asset(specs=[FULL.replace_attributes(key="r1"), FULL.merge_attributes(deps=["w"]).replace_attributes(key="r2")])
    def replaced():
        return 1, 2

    assert replaced.tags_by_key == {K("r1"): {"t": "1", KIND + "python": ""}, K("r2"): {"t": "1", KIND + "python": ""}}
    assert replaced.asset_deps == {K("r1"): {K("x")}, K("r2"): {K("x"), K("w")}}
