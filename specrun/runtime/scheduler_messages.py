"""What goes in and out of the scheduler (`scheduler.RunState`): the stimuli it takes, the
instructions it answers with, and the status it reports of each step."""

from __future__ import annotations

from collections import abc
from typing import Any, Iterable, Iterator, Mapping, NamedTuple, Optional, Sequence, Union

from .events import Event
from .step_events import STATE_EVENT_TYPES  # noqa: F401 (importers' name)

PENDING, RUNNING, SUCCEEDED, FAILED, SKIPPED = "pending", "running", "succeeded", "failed", "skipped"
# The status of each of the scheduler's step codes (see `scheduler.RunState._codes`).
STATUS_OF_CODE = (PENDING, PENDING, RUNNING, SUCCEEDED, FAILED, SKIPPED)



class Run(NamedTuple):
    """Instruction: submit this step."""

    step: Any


class Emit(NamedTuple):
    """Instruction: report this event (a step the scheduler skipped)."""

    event: Event


class StepDone(NamedTuple):
    """Stimulus: the executor is finished with this step; its slot is free."""

    step_key: str


class NewSteps(NamedTuple):
    """Stimulus: add `steps` to the running plan.

    A new step waits on its `upstream_keys` (earlier steps or other new ones). `dependents`
    maps a pending step, not yet released, to new steps it must now also wait on (the step
    that collects a dynamic fan-out). Handle it before the emitting step's STEP_SUCCESS, so
    that nothing waiting on the new steps has been released already.
    """

    steps: Sequence[Any]
    dependents: Mapping[str, Sequence[str]] = {}
    # pending step -> {input name: upstream outputs it now also reads} (a collect's list grows)
    inputs: Mapping[str, Mapping[str, Sequence[Any]]] = {}


Instruction = Union[Run, Emit]


def with_upstream(step: Any, keys: Iterable[str],
                   inputs: Optional[Mapping[str, Sequence[Any]]] = None) -> Any:
    """`step` also waiting on `keys` and reading `inputs` (steps are treated as immutable:
    a new one)."""
    reads = step.inputs
    if inputs:
        reads = dict(reads)
        for name, ups in inputs.items():
            reads[name] = (*reads.get(name, ()), *ups)
    return step.__class__(step.key, step.node, step.partition_key,
                          step.upstream_keys | frozenset(keys), reads, step.mapping_key)


class StatusView(abc.Mapping):
    """`scheduler.RunState.status`: step -> pending | running | succeeded | failed |
    skipped, read from the run's codes (`_codes`) by plan position (`_position`)."""

    __slots__ = ("_state",)

    def __init__(self, state: Any) -> None:
        self._state = state

    def __getitem__(self, key: str) -> str:
        state = self._state
        return STATUS_OF_CODE[state._codes[state._position[key]]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._state._position)

    def __len__(self) -> int:
        return len(self._state._position)
