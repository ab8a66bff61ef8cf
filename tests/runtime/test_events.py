"""Events and their payloads (runtime/events.py)."""

from __future__ import annotations

import copy
import os
import pickle
import pickletools
import sys

import pytest

from specrun import AssetKey
from specrun.runtime.events import ET, DagsterEventType, Event, StepOutputData, new_event, new_output_data


def _values(event: Event) -> tuple:
    return (event.event_type, event.run_id, event.job_name, event.step_key, event.message, event.data,
            event.level, event.timestamp, event.pid)


def _events() -> list[Event]:
    """One event of each kind: at INFO made here (both ways), at another level, from another process."""
    data = StepOutputData("result", {"rows": 3}, AssetKey("a"))
    return [new_event(ET.STEP_OUTPUT, "r1", "job", "a", "Yielded", data),
            Event(ET.RUN_START, "r1", "job", message="Started", timestamp=1.5),
            Event(ET.STEP_FAILURE, "r1", "job", "a", "Failed", None, level=40, timestamp=2.5),
            Event(ET.STEP_SUCCESS, "r1", "job", "a", "Done", None, timestamp=3.5, pid=os.getpid() + 1),
            Event(ET.LOG_MESSAGE, "r1", "job", "a", "hi", None, level=30, timestamp=4.5, pid=1)]


def test_an_info_event_made_here_keeps_no_level_or_pid_of_its_own():
    """It reads the class's (16 bytes less an event); any other event keeps both, writable."""
    made, called, failed, foreign, logged = _events()
    assert type(made) is type(called) is Event and (made.level, made.pid) == (called.level, called.pid) == (20, os.getpid())
    assert sys.getsizeof(made) + 16 == sys.getsizeof(failed) == sys.getsizeof(foreign)
    assert (failed.level, failed.pid, foreign.level, foreign.pid, logged.level, logged.pid) == (
        40, os.getpid(), 20, os.getpid() + 1, 30, 1)
    assert type(Event(ET.RUN_START, "r1", "job", level=20, pid=os.getpid())) is Event
    assert Event(ET.RUN_START, "r1", "job", level=20.0).level.__class__ is float  # kept as given
    failed.level, foreign.pid = 50, 7
    assert (failed.level, foreign.pid) == (50, 7)
    with pytest.raises(AttributeError):
        made.level = 30


def test_a_copy_or_an_unpickled_event_has_the_same_values_and_kind():
    for event in _events():
        copies = [copy.copy(event), copy.deepcopy(event),
                  *(pickle.loads(pickle.dumps(event, protocol)) for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1))]
        for again in copies:
            assert again is not event and type(again) is type(event) and _values(again) == _values(event)


def test_an_event_of_every_kind_is_unpickled_with_the_same_member_named_not_the_enum_called():
    """A worker's report pickles four or more events: their types go by name (one look-up when
    read), not as members (Enum's __reduce_ex__ to write, a call of the enum to read)."""
    for kind in DagsterEventType:
        for event in (new_event(kind, "r1", "job", "a", "m"), Event(kind, "r1", "job", None, "m", level=40, pid=1)):
            for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
                data = pickle.dumps(event, protocol)
                assert "DagsterEventType" not in {arg for _, arg, _ in pickletools.genops(data)}
                again = pickle.loads(data)
                assert again.event_type is kind and type(again) is type(event) and _values(again) == _values(event)
    odd = Event("STEP_START", "r1", "job")  # (a type that is not a member is pickled as it is)
    assert _values(pickle.loads(pickle.dumps(odd))) == _values(odd)


def test_an_event_made_in_a_forked_child_keeps_the_childs_pid_and_its_parents_events_the_parents():
    before = new_event(ET.STEP_START, "r1", "job", "a", "Started")
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child)
        try:
            made = [new_event(ET.STEP_START, "r1", "job", "a", "Started"), Event(ET.RUN_START, "r1", "job")]
            os.write(write, pickle.dumps((os.getpid(), made, before.pid, pickle.loads(pickle.dumps(before)).pid)))
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        child_pid, made, before_there, copied_there = pickle.loads(fh.read())
    os.waitpid(child, 0)
    assert child_pid != os.getpid() and before_there == copied_there == before.pid == os.getpid()
    assert [(e.level, e.pid) for e in made] == [(20, child_pid), (20, child_pid)]
    assert new_event(ET.STEP_START, "r1", "job", "a", "Started").pid == os.getpid()


def test_new_output_data_equals_the_payload_the_class_makes_with_a_metadata_dict_of_its_own():
    for key in (None, AssetKey(["schema", "table"])):
        made, again = new_output_data("result", key), new_output_data("result", key)
        assert made == StepOutputData("result", {}, key)
        assert (made.partition, made.mapping_key) == (None, None)
        assert repr(made) == repr(StepOutputData("result", {}, key))
        assert pickle.loads(pickle.dumps(made)) == made
        assert made is not again and made.metadata is not again.metadata
