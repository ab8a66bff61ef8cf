"""`AssetSpec`'s tags, owners and code version, as Dagster keeps them: readable on the spec, and
given to the asset a `@multi_asset(specs=...)` makes of it (its `*_by_key` properties) and to a
selection by tag."""

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
