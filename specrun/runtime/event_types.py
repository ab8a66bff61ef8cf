"""What an event reports: `DagsterEventType` (aliased `EventType`), and its members as `ET`'s
plain attributes, which the runtime reads per step and per event (see `events.Event`)."""

from __future__ import annotations

import enum
from types import ModuleType


class DagsterEventType(str, enum.Enum):
    """What an event reports."""

    RUN_START = "RUN_START"
    RUN_SUCCESS = "RUN_SUCCESS"
    RUN_FAILURE = "RUN_FAILURE"
    RUN_CANCELED = "RUN_CANCELED"
    STEP_START = "STEP_START"
    STEP_SUCCESS = "STEP_SUCCESS"
    STEP_FAILURE = "STEP_FAILURE"
    STEP_SKIPPED = "STEP_SKIPPED"
    STEP_UP_FOR_RETRY = "STEP_UP_FOR_RETRY"
    STEP_RESTARTED = "STEP_RESTARTED"
    STEP_OUTPUT = "STEP_OUTPUT"
    LOADED_INPUT = "LOADED_INPUT"
    HANDLED_OUTPUT = "HANDLED_OUTPUT"
    ASSET_MATERIALIZATION = "ASSET_MATERIALIZATION"
    ASSET_OBSERVATION = "ASSET_OBSERVATION"
    ASSET_CHECK_EVALUATION = "ASSET_CHECK_EVALUATION"
    ENGINE_EVENT = "ENGINE_EVENT"
    HOOK_COMPLETED = "HOOK_COMPLETED"
    HOOK_ERRORED = "HOOK_ERRORED"
    HOOK_SKIPPED = "HOOK_SKIPPED"
    LOG_MESSAGE = "LOG_MESSAGE"


EventType = DagsterEventType

# The members again, as plain attributes. Reading `DagsterEventType.STEP_START` goes through
# the slow hook of Enum's metaclass `__getattr__` (about 4x a plain attribute read); the
# runtime reads them here wherever it does so per step or per event (the step path, the
# `Event.is_*` tests, `ExecutionResult`'s queries over all events). A module object, not a
# SimpleNamespace: CPython 3.11 caches attribute reads of modules in place (about 50
# instructions each), not of namespaces (about 290).
ET = ModuleType("specrun.runtime.event_types.ET", "The members of DagsterEventType, as attributes.")
ET.__dict__.update(DagsterEventType.__members__)
# What `Event.is_step_event` asks: the kinds of event a step reports.
STEP_EVENT_TYPES = frozenset(
    t for t in DagsterEventType if t.value.startswith(("STEP_", "HOOK_")) or t in (
        DagsterEventType.LOADED_INPUT, DagsterEventType.HANDLED_OUTPUT,
        DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_OBSERVATION,
        DagsterEventType.ASSET_CHECK_EVALUATION,
    )
)
