"""specrun.output: progress lines while a run goes on."""

from __future__ import annotations

from types import SimpleNamespace

from specrun.output import Progress, user_frames
from specrun.runtime.events import DagsterEventType, Event


def test_step_durations_come_from_event_times_not_arrival(capsys, monkeypatch):
    # A Dask worker's events reach the parent together, when its step has ended.
    monkeypatch.setenv("CI", "true")
    plan = SimpleNamespace(steps={"slow": None, "after": None})
    progress = Progress(plan, [], "dask")
    events = [Event(DagsterEventType.STEP_START, "run", "job", "slow", "", timestamp=100.0),
              Event(DagsterEventType.STEP_SUCCESS, "run", "job", "slow", "", timestamp=102.5),
              Event(DagsterEventType.STEP_SKIPPED, "run", "job", "after", "", timestamp=102.6)]
    for event in events:
        progress.on_event(event)
    assert progress.duration == {"slow": 2.5, "after": 0.0}
    assert capsys.readouterr().out.splitlines()[-2:] == ["  ok       slow (2.50s)", "  skipped  after (0.00s)"]


def test_the_traceback_shown_is_the_users_frames_only():
    import os

    import distributed

    import specrun

    stdlib = os.path.dirname(os.__file__)
    frames = [f'  File "{os.path.join(stdlib, "concurrent", "futures", "_base.py")}", line 449, in result\n',
              f'  File "{os.path.join(os.path.dirname(specrun.__file__), "runtime", "execute.py")}", line 1, in x\n',
              f'  File "{os.path.join(os.path.dirname(distributed.__file__), "worker.py")}", line 3, in y\n',
              '  File "/home/me/project/assets.py", line 7, in clean\n    raise ValueError("bad")\n',
              f'  File "{os.path.join(stdlib, "json", "decoder.py")}", line 355, in raw_decode\n']
    assert user_frames(frames) == frames[3:]  # the stdlib call the user made stays
