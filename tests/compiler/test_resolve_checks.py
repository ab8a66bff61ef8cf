"""Checks declared in a spec next to their asset (`check_specs:`) and several checks in one step
(`checks.<name>.specs:`), resolved to the runtime's check definitions."""

from __future__ import annotations

import pytest

from specrun import AssetCheckKey, AssetKey, materialize
from specrun.compiler import compile_spec
from specrun.errors import SpecErrors

FUNCS = '''
from specrun import AssetCheckResult, Output

def left():
    return 1

def right():
    return 2

def scored():
    yield Output(3)
    yield AssetCheckResult(check_name="positive", passed=True)
    yield AssetCheckResult(check_name="small", passed=False)

def pair():
    yield Output(1, output_name="one")
    yield Output(2, output_name="two")
    yield AssetCheckResult(asset_key="two", check_name="two_ok", passed=True)

def both(context):
    yield AssetCheckResult(asset_key="left", check_name="left_ok", passed=True)
    yield AssetCheckResult(asset_key="right", check_name="right_ok", passed=False)
'''


def _spec(tmp_path, checks: str, extra_asset: str = "") -> str:
    (tmp_path / "check_funcs.py").write_text(FUNCS)
    path = tmp_path / "p.yaml"
    path.write_text("specrun: 1\nname: t\nmodule: check_funcs\nassets:\n  left: {fn: left}\n"
                    f"  right: {{fn: right}}\n{extra_asset}checks:\n{checks}")
    return str(path)


def test_check_specs_of_an_asset_entry_become_its_check_specs(tmp_path):
    path = _spec(tmp_path, "  {}\n", "  scored: {fn: scored, check_specs: {positive: {}, "
                 "small: {blocking: true, description: under ten}}}\n")
    defs = compile_spec(path).definitions
    scored = next(a for a in defs.assets if a.key == AssetKey("scored"))
    assert [(s.name, s.blocking, s.description) for s in scored.check_specs] == [
        ("positive", False, None), ("small", True, "under ten")]
    result = materialize([scored], raise_on_error=False)
    assert [(e.check_name, e.passed, e.blocking) for e in result.get_asset_check_evaluations()] == [
        ("positive", True, False), ("small", False, True)]
    assert not result.success  # the blocking check failed


def test_check_with_specs_is_one_step_evaluating_checks_of_several_assets(tmp_path):
    path = _spec(tmp_path, "  both: {fn: both, specs: {left_ok: {asset: left}, "
                 "right_ok: {asset: right, blocking: true}}}\n")
    defs = compile_spec(path).definitions
    [check] = defs.asset_checks
    assert check.check_keys == {AssetCheckKey(AssetKey("left"), "left_ok"),
                                AssetCheckKey(AssetKey("right"), "right_ok")}
    result = materialize([*defs.assets, check], raise_on_error=False)
    assert sorted((e.check_name, e.passed) for e in result.get_asset_check_evaluations()) == [
        ("left_ok", True), ("right_ok", False)]
    assert [e.step_key for e in result.get_step_failure_events()] == ["both"]


def _errors(path: str) -> list:
    with pytest.raises(SpecErrors) as caught:
        compile_spec(path)
    return caught.value.errors


def test_a_check_spec_naming_an_unknown_asset_is_an_error_at_its_asset(tmp_path):
    [error] = _errors(_spec(tmp_path, "  both: {fn: both, specs: {left_ok: {asset: lefty}}}\n"))
    assert error.message == "check 'both': spec 'left_ok' names no asset 'lefty'"
    assert (error.location.line, error.location.col) == (8, 45)
    assert error.hint == "did you mean 'left'?"


def test_a_check_needs_either_an_asset_or_specs(tmp_path):
    [error] = _errors(_spec(tmp_path, "  both: {fn: both}\n"))
    assert error.message.startswith("check 'both' needs one of `asset:`")
    assert (error.location.line, error.location.col) == (8, 9)
    [error] = _errors(_spec(tmp_path, "  both: {fn: both, asset: left, specs: {x: {asset: left}}}\n"))
    assert error.message.startswith("check 'both' has both `asset:`")


def test_a_check_spec_name_that_is_not_an_identifier_is_refused_by_the_schema(tmp_path):
    errors = _errors(_spec(tmp_path, "  {}\n", "  scored: {fn: scored, check_specs: {'no good': {}}}\n"))
    assert errors[0].location.line == 7


def test_check_specs_of_a_multi_asset_entry_name_the_asset_they_check(tmp_path):
    path = _spec(tmp_path, "  {}\n", "  pair: {fn: pair, outs: {one: {}, two: {}}, "
                 "check_specs: {two_ok: {asset: two, blocking: true}}}\n")
    defs = compile_spec(path).definitions
    pair = next(a for a in defs.assets if a.node_name == "pair")
    assert [(s.asset_key, s.name, s.blocking) for s in pair.check_specs] == [(AssetKey("two"), "two_ok", True)]
    result = materialize([pair])
    assert [(e.asset_key, e.check_name, e.passed) for e in result.get_asset_check_evaluations()] == [
        (AssetKey("two"), "two_ok", True)]


def test_a_check_spec_of_a_multi_asset_without_its_asset_is_an_error_at_its_line(tmp_path):
    path = _spec(tmp_path, "  {}\n", "  pair: {fn: pair, outs: {one: {}, two: {}}, check_specs: {two_ok: {}, "
                 "x: {asset: tow}}}\n")
    with pytest.raises(SpecErrors) as e:
        compile_spec(path)
    assert [(err.location.line, err.message, err.hint) for err in e.value.errors] == [
        (7, "check 'two_ok' of multi-asset 'pair' needs `asset:`: which of its outs it checks", "one of: one, two"),
        (7, "check 'x' of multi-asset 'pair' names 'tow', which is not one of its outs", "did you mean 'two'?"),
    ]
