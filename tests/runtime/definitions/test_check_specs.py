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
