"""Typed events: everything a run reports, in the order it happened.

`Event` is the one event class (aliased `DagsterEvent`); its `event_type` says what
happened and `data` carries the type-specific payload.
"""

from __future__ import annotations

import os
import pickle
import time
import traceback
from dataclasses import field
from types import SimpleNamespace
from typing import Any, Optional

from .definitions.keys import AssetKey
from .definitions.results import AssetCheckEvaluation, AssetMaterialization, AssetObservation
from .definitions.values import value_class
from .event_types import ET, STEP_EVENT_TYPES, DagsterEventType, EventType  # noqa: F401 (importers' names)
from .process_id import PID as _PID


@value_class
class ErrorInfo:
    """A failure: message, class name, formatted traceback, cause, and the original exception.

    The original exception is kept as `exc` in the process where it was raised; across a
    process boundary it survives only if it pickles.
    """

    message: str
    cls_name: str
    stack: list[str] = field(default_factory=list)
    cause: Optional["ErrorInfo"] = None
    exc: Optional[BaseException] = None

    @staticmethod
    def from_exception(exc: BaseException, skip_frames: int = 0) -> "ErrorInfo":
        """Capture `exc` with its traceback, leaving out the first `skip_frames` frames."""
        tb = exc.__traceback__
        for _ in range(skip_frames):
            if tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
        stack = traceback.format_tb(tb)
        cause_exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        cause = ErrorInfo.from_exception(cause_exc) if cause_exc is not None else None
        message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return ErrorInfo(message, type(exc).__name__, stack, cause, exc)

    def to_string(self) -> str:
        """Message and traceback, as printed by Python."""
        text = "Traceback (most recent call last):\n" + "".join(self.stack) + self.message + "\n"
        if self.cause is not None:
            text = self.cause.to_string() + "\nThe above exception was the direct cause:\n\n" + text
        return text

    def __str__(self) -> str:
        return self.message

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        if state.get("exc") is not None:
            try:
                pickle.dumps(state["exc"])
            except Exception:  # any unpicklable user exception: keep the text, drop the object
                state["exc"] = None
        return state


SerializableErrorInfo = ErrorInfo


class Event:
    """One thing that happened in a run (Dagster's `DagsterEvent`).

    Most events are at INFO level and made in this process: such an event keeps no `level` and
    `pid` of its own but reads the class's (20, and this process's id), 16 bytes less an event
    (a step makes five or more, all kept by the run's result). Any other event is an
    `_OwnLevelPid`, which keeps both. `Event(...)` chooses the class, and so does a copy or an
    unpickled event (`__reduce__` calls `Event` again): a worker's event keeps the worker's pid
    in the parent. On an event of the first kind, `level` and `pid` cannot be set.
    """

    __slots__ = ("event_type", "run_id", "job_name", "step_key", "message", "data", "timestamp")
    level = 20
    pid = _PID[0]

    def __new__(
        cls,
        event_type: DagsterEventType,
        run_id: str,
        job_name: str,
        step_key: Optional[str] = None,
        message: str = "",
        data: Any = None,
        level: int = 20,
        timestamp: Optional[float] = None,
        pid: Optional[int] = None,
    ) -> "Event":
        if level == 20 and type(level) is int and (pid is None or pid == _Here.pid and type(pid) is int):
            event = new_event(event_type, run_id, job_name, step_key, message, data)
            if timestamp is not None:
                event.timestamp = timestamp
            return event
        # (the fields set one by one, as `new_event` does, on the other class: a loop over the
        # slots would cost every worker's event in its parent, and every stored event read back)
        event = _new_object(_OwnLevelPid)
        event.level = level
        event.pid = _PID[0] if pid is None else pid
        event.event_type, event.run_id, event.job_name = event_type, run_id, job_name
        event.step_key, event.message, event.data = step_key, message, data
        event.timestamp = time.time() if timestamp is None else timestamp
        return event

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        if type(self.event_type) is DagsterEventType:  # by its name: see `_of_type_named`
            return _of_type_named, (self.event_type._name_, self.run_id, self.job_name, self.step_key,
                                    self.message, self.data, self.level, self.timestamp, self.pid)
        return Event, (self.event_type, self.run_id, self.job_name, self.step_key, self.message,
                       self.data, self.level, self.timestamp, self.pid)

    # Dagster's names for the same facts.
    @property
    def event_type_value(self) -> str:
        return self.event_type.value

    @property
    def dagster_event(self) -> Optional["Event"]:
        """Self, except for plain log messages (which Dagster keeps outside its events)."""
        return None if self.event_type is ET.LOG_MESSAGE else self

    @property
    def event_specific_data(self) -> Any:
        """The type-specific payload (Dagster's name for `data`)."""
        return self.data

    @property
    def user_message(self) -> str:
        return self.message

    @property
    def job_name_or_none(self) -> Optional[str]:
        return self.job_name

    @property
    def is_step_event(self) -> bool:
        return self.event_type in STEP_EVENT_TYPES

    @property
    def is_step_start(self) -> bool:
        return self.event_type is ET.STEP_START

    @property
    def is_step_success(self) -> bool:
        return self.event_type is ET.STEP_SUCCESS

    @property
    def is_step_failure(self) -> bool:
        return self.event_type is ET.STEP_FAILURE

    @property
    def is_step_skipped(self) -> bool:
        return self.event_type is ET.STEP_SKIPPED

    @property
    def is_step_up_for_retry(self) -> bool:
        return self.event_type is ET.STEP_UP_FOR_RETRY

    @property
    def is_successful_output(self) -> bool:
        return self.event_type is ET.STEP_OUTPUT

    @property
    def is_handled_output(self) -> bool:
        return self.event_type is ET.HANDLED_OUTPUT

    @property
    def is_loaded_input(self) -> bool:
        return self.event_type is ET.LOADED_INPUT

    @property
    def is_asset_materialization(self) -> bool:
        return self.event_type is ET.ASSET_MATERIALIZATION

    @property
    def is_asset_check_evaluation(self) -> bool:
        return self.event_type is ET.ASSET_CHECK_EVALUATION

    @property
    def is_run_success(self) -> bool:
        return self.event_type is ET.RUN_SUCCESS

    @property
    def is_run_failure(self) -> bool:
        return self.event_type is ET.RUN_FAILURE

    @property
    def is_failure(self) -> bool:
        return self.event_type in (ET.STEP_FAILURE, ET.RUN_FAILURE)

    @property
    def is_log_message(self) -> bool:
        return self.event_type is ET.LOG_MESSAGE

    @property
    def step_failure_data(self) -> Optional["StepFailureData"]:
        return self.data if self.event_type is ET.STEP_FAILURE else None

    @property
    def step_output_data(self) -> Optional["StepOutputData"]:
        return self.data if self.event_type is ET.STEP_OUTPUT else None

    @property
    def asset_key(self) -> Optional[AssetKey]:
        return getattr(self.data, "asset_key", None)

    @property
    def partition(self) -> Optional[str]:
        return getattr(self.data, "partition", None)

    @property
    def materialization(self) -> Optional[AssetMaterialization]:
        return self.data if self.is_asset_materialization else None

    @property
    def asset_check_evaluation(self) -> Optional[AssetCheckEvaluation]:
        return self.data if self.is_asset_check_evaluation else None

    @property
    def asset_observation(self) -> Optional[AssetObservation]:
        return self.data if self.event_type is ET.ASSET_OBSERVATION else None

    @property
    def asset_observation_data(self) -> Any:
        """Dagster's wrapper of an observation: `.asset_observation` is it."""
        return SimpleNamespace(asset_observation=self.asset_observation)

    def __repr__(self) -> str:
        step = f" step={self.step_key!r}" if self.step_key else ""
        return f"<Event {self.event_type.value}{step} {self.message!r}>"


DagsterEvent = Event

_TYPES = DagsterEventType.__members__


def _of_type_named(type_name: str, *fields: Any) -> Event:
    """`Event(DagsterEventType[type_name], *fields)`: an event unpickled (`Event.__reduce__`).

    A member pickled as itself costs Enum's `__reduce_ex__` (Python) to write and a call of
    the enum class to read (~7k instructions a member each way); a step's report to a Dask
    parent carries four or more, pickled by the worker and unpickled by the parent."""
    return Event(_TYPES[type_name], *fields)


class _OwnLevelPid(Event):
    """An event at another level than INFO, or made in another process (see `Event`)."""

    __slots__ = ("level", "pid")


# The class of the events made here at INFO: `Event` in the process that imported this module;
# in a child forked from it, a subclass with the child's id (its parent's events, copied by the
# fork, are still `Event`s and keep their parent's id).
_Here: type[Event] = Event


def _forked() -> None:
    global _Here
    _Here = type("Event", (Event,), {"__slots__": (), "pid": os.getpid(), "__module__": __name__,
                                     "__qualname__": "Event", "__doc__": Event.__doc__})


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forked)

_new_object = object.__new__
_now = time.time


def new_event(event_type: DagsterEventType, run_id: str, job_name: str, step_key: Optional[str],
              message: str, data: Any = None) -> Event:
    """`Event(event_type, run_id, job_name, step_key, message, data)`, made now in this process
    at INFO level, without the class call's argument handling: the step path makes five or
    more events per step, and this is a fifth cheaper."""
    event = _new_object(_Here)
    event.event_type = event_type
    event.run_id = run_id
    event.job_name = job_name
    event.step_key = step_key
    event.message = message
    event.data = data
    event.timestamp = _now()
    return event


@value_class(slots=True)  # two per output of every step
class StepOutputData:
    """Payload of STEP_OUTPUT and HANDLED_OUTPUT: which output, and its metadata."""

    output_name: str
    metadata: dict = field(default_factory=dict)
    asset_key: Optional[AssetKey] = None
    partition: Optional[str] = None
    mapping_key: Optional[str] = None  # which value of a dynamic output


def new_output_data(output_name: str, asset_key: Optional[AssetKey]) -> StepOutputData:
    """`StepOutputData(output_name, {}, asset_key)`: the payload of the STEP_OUTPUT and
    HANDLED_OUTPUT events of a plain step's value (`outputs.store_plain_output`,
    `store_plain_asset_output`), made without the class call and its dataclass `__init__`
    (callgrind: ~1.8k instructions, against ~2.3k; see `new_event`). A new one each step, with
    its own metadata dict, as Dagster's: a payload is mutable and reachable by user code (the
    result's events, a listener), so one kept with the job and shared by its runs would carry
    one run's edits into the next run's events and its materialization's metadata."""
    data = _new_object(StepOutputData)
    data.output_name = output_name
    data.metadata = {}
    data.asset_key = asset_key
    data.partition = data.mapping_key = None
    return data


@value_class
class LoadedInputData:
    """Payload of LOADED_INPUT."""

    input_name: str
    upstream_step_key: Optional[str] = None
    upstream_output_name: Optional[str] = None
    manager_key: Optional[str] = None


@value_class
class StepFailureData:
    """Payload of STEP_FAILURE: the error, plus a user `Failure`'s description and metadata."""

    error: Optional[ErrorInfo]
    user_failure_data: Optional[dict] = None
    kind: str = "user"  # user | framework | crash | blocking_check | type_check

    @property
    def error_display_string(self) -> str:
        return self.error.to_string() if self.error else ""


@value_class
class StepRetryData:
    """Payload of STEP_UP_FOR_RETRY."""

    attempt: int
    seconds_to_wait: float
    error: Optional[ErrorInfo] = None


@value_class
class StepSkippedData:
    """Payload of STEP_SKIPPED: why the step did not run."""

    reason: str
    upstream_step_keys: tuple[str, ...] = ()


@value_class
class RunFailureData:
    """Payload of RUN_FAILURE: the failed steps, or an error outside any step."""

    failed_step_keys: tuple[str, ...] = ()
    error: Optional[ErrorInfo] = None
