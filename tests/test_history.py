"""specrun/history.py: finding a run by its id prefix and the steps a re-execution runs."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from specrun.errors import SpecrunError
from specrun.history import _get_run, steps_from_failure
from specrun.runtime.instance import Instance


def _plan(upstream: dict[str, set[str]]) -> SimpleNamespace:
    """A plan whose steps, in dependency order, have the given upstream step keys."""
    return SimpleNamespace(steps={k: SimpleNamespace(upstream_keys=frozenset(ups)) for k, ups in upstream.items()})


CHAIN = _plan({"a": set(), "x": set(), "b": {"a"}, "c": {"b"}, "y": {"x"}, "z": set()})


def test_from_failure_runs_the_failed_step_and_its_downstream_steps_only():
    assert steps_from_failure(CHAIN, ["a", "x", "b", "c", "y", "z"], {"a", "x", "y", "z"}) == ["b", "c"]


def test_from_failure_keeps_to_the_parent_runs_steps():
    # The parent ran only b and c (the rest were up to date): nothing else is re-run.
    assert steps_from_failure(CHAIN, ["b", "c"], set()) == ["b", "c"]


def test_from_failure_reruns_a_step_that_succeeded_downstream_of_a_failed_one():
    assert steps_from_failure(CHAIN, ["a", "b", "c"], {"a", "c"}) == ["b", "c"]


def test_from_failure_reruns_steps_that_never_started():
    assert steps_from_failure(CHAIN, ["a", "x", "b", "c", "y", "z"], {"a", "x"}) == ["b", "c", "y", "z"]


@pytest.fixture
def instance():
    store = Instance.ephemeral()
    for run_id in ("0a1-first", "0a2-second", "0b3-third", "0c4-fourth", "1d5-fifth"):
        store.create_run("job", run_id)
    return store


def test_a_unique_prefix_finds_its_run(instance):
    assert _get_run(instance, "0b").run_id == "0b3-third"
    assert _get_run(instance, "1d5-fifth").run_id == "1d5-fifth"


def test_an_ambiguous_prefix_says_so_and_lists_some_of_the_runs(instance):
    with pytest.raises(SpecrunError) as raised:
        _get_run(instance, "0")
    message = str(raised.value)
    assert message.startswith("run id prefix '0' matches 4 runs (")
    assert message.endswith(" and 1 more): give more of the id")
    assert sum(run_id in message for run_id in ("0a1-first", "0a2-second", "0b3-third", "0c4-fourth")) == 3


def test_an_unknown_run_id_says_there_is_no_such_run(instance):
    with pytest.raises(SpecrunError, match=r"^no run '9' in this store$"):
        _get_run(instance, "9")
