"""Storing a step's outputs (runtime/outputs.py): a plain asset step's output, stored by key,
records the events the general path (`handle_output`) records."""

from __future__ import annotations

from types import GeneratorType

import pytest

from specrun import (AssetIn, AssetKey, InMemoryIOManager, asset, io_manager, job, materialize,
                     materialize_to_memory, op)
from specrun import DynamicOutput, MaterializeResult, Output
from specrun.runtime import step_attempt
from specrun.runtime.events import StepOutputData
from specrun.runtime.outputs import _BUILTIN_VALUES, _WRAPPED, handle_output, plain_value


class WithContexts(InMemoryIOManager):
    """Overrides the context methods: values go through `handle_output` and `load_input`."""

    def handle_output(self, context, obj):
        super().handle_output(context, obj)

    def load_input(self, context):
        return super().load_input(context)


@asset
def base():
    return 5


@asset(ins={"base": AssetIn("base")})
def doubled(base):
    return base * 2


def _materialize(manager):
    @io_manager
    def resource(_):
        return manager

    return materialize([base, doubled], resources={"io_manager": resource}, run_id="the-run")


def _events(result) -> list[tuple]:
    return [(e.event_type_value, e.step_key, e.message, e.data, e.level) for e in result.all_events
            if e.step_key]


def test_a_plain_asset_output_stored_by_key_is_not_handled_by_the_general_path(monkeypatch):
    handled = []  # the steps whose output `handle_output` stored

    def general(run, step, *args, **kwargs):
        handled.append(step.key)
        return handle_output(run, step, *args, **kwargs)

    monkeypatch.setattr(step_attempt, "handle_output", general)
    manager = InMemoryIOManager()
    result = _materialize(manager)
    assert result.success
    assert manager.values == {("base",): 5, ("doubled",): 10}
    # (The first step sets the run's resources up, through the general path.)
    assert handled == ["base"]


def test_a_plain_asset_output_stored_by_key_records_the_general_paths_events():
    keyed = _materialize(InMemoryIOManager())
    general = _materialize(WithContexts())
    assert [e[:2] for e in _events(keyed)] == [
        ("STEP_START", "base"), ("STEP_OUTPUT", "base"), ("HANDLED_OUTPUT", "base"),
        ("ASSET_MATERIALIZATION", "base"), ("STEP_SUCCESS", "base"),
        ("STEP_START", "doubled"), ("LOADED_INPUT", "doubled"), ("STEP_OUTPUT", "doubled"),
        ("HANDLED_OUTPUT", "doubled"), ("ASSET_MATERIALIZATION", "doubled"), ("STEP_SUCCESS", "doubled")]
    assert _events(keyed) == _events(general)
    tags = [m.tags for m in (e.data for e in keyed.all_events) if hasattr(m, "tags")]
    assert tags == [m.tags for m in (e.data for e in general.all_events) if hasattr(m, "tags")]
    assert tags[1]["specrun/input_data_versions"] == f'{{"base": "{tags[0]["specrun/data_version"]}"}}'


def _payloads(result, kind: str) -> dict:
    return {e.step_key: e.data for e in result.all_events if e.event_type_value == kind}


def test_a_plain_asset_steps_output_payload_edited_by_a_user_leaves_the_next_runs_events_alone():
    # A payload is mutable and the result hands it out: one run's edit must not reach the next
    # run's STEP_OUTPUT/HANDLED_OUTPUT, nor its materialization's metadata.
    first = materialize_to_memory([base, doubled])
    for step, data in _payloads(first, "STEP_OUTPUT").items():
        assert data == StepOutputData("result", {}, AssetKey(step))
        assert _payloads(first, "HANDLED_OUTPUT")[step] is data  # one payload a step, as before
        data.metadata["edited"] = "by the user"
        data.output_name = "renamed"
    second = materialize_to_memory([base, doubled])
    for kind in ("STEP_OUTPUT", "HANDLED_OUTPUT"):
        assert _payloads(second, kind) == {
            "base": StepOutputData("result", {}, AssetKey("base")),
            "doubled": StepOutputData("result", {}, AssetKey("doubled"))}
    made = [e.data for e in second.all_events if e.event_type_value == "ASSET_MATERIALIZATION"]
    assert [m.metadata for m in made] == [{}, {}]


def test_plain_op_steps_with_outputs_of_one_name_have_payloads_of_their_own():
    @op
    def one():
        return 1

    @op
    def plus(x):
        return x + 1

    @op
    def again(x):
        return x + 1

    @job
    def three():
        again(plus(one()))

    first = three.execute_in_process()
    _payloads(first, "STEP_OUTPUT")["plus"].metadata["edited"] = 1
    assert _payloads(first, "STEP_OUTPUT")["again"] == StepOutputData("result", {}, None)
    second = three.execute_in_process()
    for kind in ("STEP_OUTPUT", "HANDLED_OUTPUT"):
        assert _payloads(second, kind) == {step: StepOutputData("result", {}, None)
                                           for step in ("one", "plus", "again")}
    assert _payloads(second, "STEP_OUTPUT")["plus"] is not _payloads(first, "STEP_OUTPUT")["plus"]


class _ClaimsOutput:
    """A proxy: says it is an Output."""

    @property
    def __class__(self):
        return Output


class _ClaimsDynamicList(list):
    pass


class _ClaimsList:
    """A proxy of a list of dynamic outputs."""

    def __init__(self) -> None:
        self.items = [DynamicOutput(1, mapping_key="a")]

    @property
    def __class__(self):
        return list

    def __bool__(self) -> bool:
        return True

    def __getitem__(self, i):
        return self.items[i]


class _MyOutput(Output):
    pass


def _generator():
    yield 1


def test_plain_value_answers_as_isinstance_does_for_types_and_proxies():
    def by_isinstance(result):
        if isinstance(result, (Output, MaterializeResult, DynamicOutput, GeneratorType)):
            return False
        return not (isinstance(result, list) and result and result[0].__class__ is DynamicOutput)

    values = [1, "a", None, {}, [], [1], [DynamicOutput(1, mapping_key="a")], Output(1), _MyOutput(1),
              MaterializeResult(), DynamicOutput(1, mapping_key="a"), _generator(), _ClaimsOutput(),
              _ClaimsList(), _ClaimsDynamicList([DynamicOutput(2, mapping_key="b")])]
    assert [plain_value(v) for v in values] == [by_isinstance(v) for v in values]
    assert [plain_value(v) for v in values] == [True] * 6 + [False] * 9


def test_plain_value_answers_builtin_values_by_their_class_as_isinstance_does():
    values = [0, 1.5, True, "a", b"b", None, {"a": 1}, (1,), {1}, frozenset((1,))]
    assert sorted(type(v).__name__ for v in values) == sorted(c.__name__ for c in _BUILTIN_VALUES)
    assert [plain_value(v) for v in values] == [not isinstance(v, (*_WRAPPED, list)) for v in values]
    assert [plain_value(v) for v in values] == [True] * len(values)
    # (what the look-up relies on: none of these classes is a wrapper's or a list's, nor can become one)
    assert not any(issubclass(c, (*_WRAPPED, list)) for c in _BUILTIN_VALUES)
    with pytest.raises(TypeError):
        (1).__class__ = Output
