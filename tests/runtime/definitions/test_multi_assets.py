"""@multi_asset definitions: what a multi-asset must declare, and the errors that name it."""

from __future__ import annotations

import pytest

from specrun import AssetOut, Out, multi_asset
from specrun.compiler import compile_spec
from specrun.errors import DefinitionError, SpecErrors


def test_an_output_that_is_not_an_asset_is_refused_naming_the_multi_asset():
    with pytest.raises(DefinitionError) as caught:
        @multi_asset(outs={"a": AssetOut(), "b": Out()})
        def ab():
            return 1, 2
    assert str(caught.value) == ("multi_asset 'ab': output 'b' is Out, not an AssetOut: every output of a "
                                 "multi-asset is an asset (use @op with Out for outputs that are not)")


def test_a_multi_asset_without_assets_is_refused():
    with pytest.raises(DefinitionError, match="multi_asset 'nothing' declares no assets"):
        @multi_asset(outs={})
        def nothing():
            return None


def test_two_outputs_of_one_asset_are_refused():
    with pytest.raises(DefinitionError, match=r"produces asset\(s\) \['x'\] from more than one output"):
        @multi_asset(outs={"a": AssetOut(key="x"), "b": AssetOut(key="x")})
        def twice():
            return 1, 2


def test_a_spec_multi_asset_output_that_is_not_a_mapping_is_an_error_at_it(tmp_path):
    (tmp_path / "multi_funcs.py").write_text("def split():\n    return 1, 2\n")
    spec = tmp_path / "p.yaml"
    spec.write_text("specrun: 1\nname: t\nmodule: multi_funcs\nassets:\n  split: {fn: split, outs: {a: {}, b: Out}}\n")
    with pytest.raises(SpecErrors) as caught:
        compile_spec(str(spec))
    [error] = caught.value.errors
    assert (error.location.line, error.location.col) == (5, 39)
    assert "assets/split/outs/b" in error.message


def test_definitions_find_a_multi_asset_by_any_of_its_keys():
    from specrun import Definitions

    @multi_asset(outs={"a": AssetOut(), "b": AssetOut()})
    def pair():
        return 1, 2

    defs = Definitions(assets=[pair])
    assert defs.get_assets_def("b") is pair
    assert sorted(k.to_user_string() for k in defs.asset_keys) == ["a", "b"]


def test_multi_assets_that_need_no_resource_share_the_one_empty_resource_key_set():
    """A multi-asset that names no required resource key holds `NO_RESOURCE_KEYS`, as ops and
    assets do (no empty frozenset of its own); one that names some holds them."""
    from specrun.runtime.definitions.ops import NO_RESOURCE_KEYS

    @multi_asset(outs={"a": AssetOut(), "b": AssetOut()})
    def ab():
        return 1, 2

    @multi_asset(outs={"c": AssetOut(), "d": AssetOut()}, required_resource_keys={"db"})
    def cd():
        return 1, 2

    assert ab.op.required_resource_keys is NO_RESOURCE_KEYS == frozenset()
    assert cd.op.required_resource_keys == frozenset({"db"})
    assert ab.required_resource_keys == frozenset({"io_manager"})
