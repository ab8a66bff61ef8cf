"""What an event reports (runtime/event_types.py)."""

from __future__ import annotations

import specrun
from specrun.runtime import event_types, events
from specrun.runtime.event_types import ET, STEP_EVENT_TYPES, DagsterEventType


def test_et_has_each_member_as_a_plain_attribute():
    assert {name: getattr(ET, name) for name in DagsterEventType.__members__} == dict(DagsterEventType.__members__)
    assert ET.STEP_START is DagsterEventType.STEP_START == "STEP_START"


def test_step_event_types_are_the_step_hook_input_output_and_asset_events():
    assert {t.value for t in STEP_EVENT_TYPES} == {
        "STEP_START", "STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED", "STEP_UP_FOR_RETRY", "STEP_RESTARTED",
        "STEP_OUTPUT", "LOADED_INPUT", "HANDLED_OUTPUT", "ASSET_MATERIALIZATION", "ASSET_OBSERVATION",
        "ASSET_CHECK_EVALUATION", "HOOK_COMPLETED", "HOOK_ERRORED", "HOOK_SKIPPED"}
    assert events.Event(ET.HOOK_SKIPPED, "r", "j", "a").is_step_event
    assert not events.Event(ET.RUN_START, "r", "j").is_step_event


def test_the_public_names_and_the_events_modules_are_the_same_objects():
    assert specrun.DagsterEventType is specrun.EventType is events.DagsterEventType is event_types.DagsterEventType
    assert events.ET is ET and events.EventType is DagsterEventType
