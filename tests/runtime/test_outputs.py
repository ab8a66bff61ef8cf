"""Storing a step's outputs (runtime/outputs.py): a plain asset step's output, stored by key,
records the events the general path (`handle_output`) records."""

from __future__ import annotations

from types import GeneratorType

from specrun import (AssetIn, AssetKey, InMemoryIOManager, asset, io_manager, job, materialize,
                     materialize_to_memory, op)
from specrun import DynamicOutput, MaterializeResult, Output
from specrun.runtime import execute
from specrun.runtime.events import StepOutputData
from specrun.runtime.outputs import handle_output, plain_value


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

    monkeypatch.setattr(execute, "handle_output", general)
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


def test_a_plain_steps_output_payload_is_one_object_kept_with_its_output_for_every_run():
    # STEP_OUTPUT and HANDLED_OUTPUT of a plain step's value carry what depends on the job
    # only: made once, kept with the job's output facts, and the same in its next run.
    first, second = materialize_to_memory([base, doubled]), materialize_to_memory([base, doubled])
    for result in (first, second):
        assert _payloads(result, "STEP_OUTPUT") == {
            "base": StepOutputData("result", {}, AssetKey("base")),
            "doubled": StepOutputData("result", {}, AssetKey("doubled"))}
        assert all(_payloads(result, "HANDLED_OUTPUT")[k] is d
                   for k, d in _payloads(result, "STEP_OUTPUT").items())
    assert _payloads(second, "STEP_OUTPUT")["doubled"] is _payloads(first, "STEP_OUTPUT")["doubled"]
    # A materialization's metadata stays its own dict.
    made = [e.data for e in second.all_events if e.event_type_value == "ASSET_MATERIALIZATION"]
    assert [m.metadata for m in made] == [{}, {}]
    assert made[1].metadata is not _payloads(second, "STEP_OUTPUT")["doubled"].metadata


def test_plain_op_steps_with_outputs_of_one_name_share_one_payload():
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

    runs = [three.execute_in_process(), three.execute_in_process()]
    # (The first step of a run sets its resources up, through the general path.)
    payloads = [_payloads(r, k)[step] for r in runs for k in ("STEP_OUTPUT", "HANDLED_OUTPUT")
                for step in ("plus", "again")]
    assert payloads[0] == StepOutputData("result", {}, None)
    assert all(d is payloads[0] for d in payloads)


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
