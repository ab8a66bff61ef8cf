"""runtime.plan: step order, dependency cycles and step subsets."""

from __future__ import annotations

import pytest

from specrun import asset, materialize
from specrun.errors import DefinitionError
from specrun.runtime.definitions.jobs import build_asset_job
from specrun.runtime.plan import build_plan


def _cycle():
    @asset(deps=["b"])
    def a():
        return 1

    @asset(deps=["a"])
    def b():
        return 2

    @asset
    def c():
        return 3

    return [a, b, c]


def test_a_dependency_cycle_in_a_python_job_is_an_error_not_an_empty_run():
    with pytest.raises(DefinitionError) as raised:
        materialize(_cycle())
    assert str(raised.value) == "job '__ephemeral_asset_job__' has a dependency cycle: a -> b -> a"
    with pytest.raises(DefinitionError, match="^job 'looping' has a dependency cycle: a -> b -> a$"):
        build_plan(build_asset_job("looping", _cycle()), [])


def _chain():
    @asset
    def raw():
        return 1

    @asset
    def clean(raw):
        return raw

    @asset
    def report(clean):
        return clean

    return build_asset_job("chain", [raw, clean, report])


def test_steps_are_in_dependency_order():
    assert [s.key for s in build_plan(_chain(), []).get_all_steps()] == ["raw", "clean", "report"]


def test_a_subset_keeps_only_its_steps_and_loads_the_rest_from_storage():
    plan = build_plan(_chain(), [], ["clean", "report"])
    steps = plan.get_all_steps()
    assert [s.key for s in steps] == ["clean", "report"]
    clean, report = steps
    assert clean.upstream_keys == frozenset()  # raw is read from storage, not waited for
    assert [u.step_key for u in clean.inputs["raw"]] == ["raw"]
    assert report.upstream_keys == frozenset({"clean"})


@pytest.mark.parametrize("keys, message", [
    (["clean", "cleen"], "no step 'cleen' in this job; did you mean 'clean'?"),
    (["zzz", "report"], "no step 'zzz' in this job"),
])
def test_a_subset_naming_an_unknown_step_is_an_error(keys, message):
    with pytest.raises(DefinitionError) as raised:
        build_plan(_chain(), [], keys)
    assert str(raised.value) == message


def test_get_step_of_an_unknown_key_suggests_the_nearest():
    plan = build_plan(_chain(), [])
    assert plan.get_step("clean").key == "clean"
    with pytest.raises(DefinitionError, match="^no step 'claen' in this plan; did you mean 'clean'\\?$"):
        plan.get_step("claen")
