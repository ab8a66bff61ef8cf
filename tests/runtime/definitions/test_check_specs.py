"""`@multi_asset_check` (runtime/definitions/check_specs.py): the definition and op it makes."""

from __future__ import annotations

import pytest

from specrun import AssetCheckSpec, AssetIn, AssetKey, RetryPolicy, multi_asset_check
from specrun.errors import DefinitionError


def test_a_multi_asset_check_makes_one_check_op_from_its_options():
    policy = RetryPolicy(max_retries=2)

    @multi_asset_check(specs=[AssetCheckSpec("rows", asset="a"), AssetCheckSpec("cols", asset="b", blocking=True)],
                       ins={"ref": AssetIn(key="c", metadata={"m": 1})}, required_resource_keys={"db"},
                       retry_policy=policy, config_schema={"limit": int})
    def checks(ref):
        """Rows and columns."""

    op = checks.op
    assert (checks.name, checks.asset_key, checks.blocking) == ("checks", AssetKey("a"), True)
    assert checks.input_keys == {"ref": AssetKey("c")}
    assert [s.name for s in checks.specs] == ["rows", "cols"]
    assert (op.name, op.description, op.required_resource_keys, op.retry_policy) == (
        "checks", "Rows and columns.", frozenset({"db"}), policy)
    assert list(op.ins) == ["ref"] and op.ins["ref"].metadata == {"m": 1}
    assert list(op.outs) == ["result"]
    assert op.config_schema is not None


def test_a_multi_asset_check_refuses_no_specs_and_undeclared_parameters():
    with pytest.raises(DefinitionError, match="multi_asset_check 'c' needs at least one AssetCheckSpec"):
        multi_asset_check(specs=[], name="c")(lambda: None)
    with pytest.raises(DefinitionError, match=r"multi_asset_check 'c': parameters \['x'\] are not declared"):
        multi_asset_check(specs=[AssetCheckSpec("rows", asset="a")], name="c")(lambda x: None)


def test_checks_that_need_no_resource_share_the_one_empty_resource_key_set():
    """An `@asset_check` or `@multi_asset_check` that names no required resource key holds
    `NO_RESOURCE_KEYS`, as ops and assets do; one that names some holds them."""
    from specrun import asset_check
    from specrun.runtime.definitions.ops import NO_RESOURCE_KEYS

    @asset_check(asset="a")
    def plain(a):
        return None

    @asset_check(asset="a", required_resource_keys={"db"})
    def needs(a):
        return None

    @multi_asset_check(specs=[AssetCheckSpec("rows", asset="a")])
    def many():
        return None

    assert plain.op.required_resource_keys is many.op.required_resource_keys is NO_RESOURCE_KEYS
    assert NO_RESOURCE_KEYS == frozenset() and needs.op.required_resource_keys == frozenset({"db"})
