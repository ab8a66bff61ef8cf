"""`AssetSelection`'s kind, tag and owner family, as Dagster resolves them: a kind is a tag
`dagster/kind/<kind>`; a selection by tag or kind leaves external assets (an `AssetSpec`) out
unless `include_sources=True`, which shows in what their downstream selects; one by owner
keeps them. (A job may not select an external asset in Dagster: the tests take it out.)"""

import pytest

from tests.conformance.api import dg

K = dg.AssetKey


@dg.asset(kinds={"python"}, tags={"tier": "gold"}, owners=["team:a"])
def py():
    return 1


@dg.asset(kinds={"sql"})
def sql(py):
    return 2


@dg.asset
def bare():
    return 3


EXT = dg.AssetSpec("ext", kinds={"python"}, tags={"tier": "gold"}, owners=["team:a"], group_name="outside")


@dg.asset(deps=["ext"], owners=["team:b"])
def after_ext():
    return 4


def _materialized(selection):
    selection = selection - dg.AssetSelection.keys("ext")
    job = dg.define_asset_job("chosen", selection=selection)
    defs = dg.Definitions(assets=[py, sql, bare, EXT, after_ext], jobs=[job])
    result = defs.get_job_def("chosen").execute_in_process()
    return sorted(e.asset_key.to_user_string() for e in result.get_asset_materialization_events())


def test_a_selection_by_kind_runs_the_assets_of_that_kind():
    assert _materialized(dg.AssetSelection.kind("python")) == ["py"]
    assert _materialized(dg.AssetSelection.kind("sql") | dg.AssetSelection.kind("python")) == ["py", "sql"]


def test_a_selection_of_kind_none_runs_the_assets_of_no_kind():
    assert _materialized(dg.AssetSelection.kind(None)) == ["after_ext", "bare"]


def test_a_selection_by_tag_or_kind_leaves_external_assets_out_unless_asked():
    assert _materialized(dg.AssetSelection.tag("tier", "gold").downstream()) == ["py", "sql"]
    assert _materialized(dg.AssetSelection.tag("tier", "gold", include_sources=True).downstream()) == [
        "after_ext", "py", "sql"]
    assert _materialized(dg.AssetSelection.kind("python").downstream()) == ["py", "sql"]
    assert _materialized(dg.AssetSelection.kind("python", include_sources=True).downstream()) == [
        "after_ext", "py", "sql"]


def test_a_tag_string_is_key_equals_value_or_a_key_of_value_empty():
    assert _materialized(dg.AssetSelection.tag_string("tier=gold")) == ["py"]
    assert _materialized(dg.AssetSelection.tag_string("dagster/kind/sql").upstream()) == ["py", "sql"]
    assert _materialized(dg.AssetSelection.tag_string("tier=gold", include_sources=True).downstream()) == [
        "after_ext", "py", "sql"]
    with pytest.raises(Exception, match="a=b=c"):
        dg.AssetSelection.tag_string("a=b=c")


def test_a_selection_by_owner_keeps_external_assets():
    assert _materialized(dg.AssetSelection.owner("team:b")) == ["after_ext"]
    assert _materialized(dg.AssetSelection.owner("team:a").downstream()) == ["after_ext", "py", "sql"]


def test_a_selection_by_group_or_key_prefix_leaves_external_assets_out_unless_asked():
    bare = dg.AssetSelection.keys("bare")
    assert _materialized((dg.AssetSelection.groups("outside") | bare).downstream()) == ["bare"]
    assert _materialized((dg.AssetSelection.groups("outside", include_sources=True) | bare).downstream()) == [
        "after_ext", "bare"]
    assert _materialized((dg.AssetSelection.key_prefixes("ext") | bare).downstream()) == ["bare"]
    assert _materialized((dg.AssetSelection.key_prefixes(["ext"], include_sources=True) | bare).downstream()) == [
        "after_ext", "bare"]


@dg.asset_check(asset="ext")
def ext_present():
    return dg.AssetCheckResult(passed=True)


def test_a_group_selection_selects_no_check_of_an_external_asset():
    job = dg.define_asset_job("checked", selection=dg.AssetSelection.groups("outside") | dg.AssetSelection.keys("bare"))
    defs = dg.Definitions(assets=[bare, EXT], asset_checks=[ext_present], jobs=[job])
    result = defs.get_job_def("checked").execute_in_process()
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [K("bare")]
    assert result.get_asset_check_evaluations() == []
