"""specrun.progress: the live view of a run."""

from __future__ import annotations

import io
import logging
import os
import sys
from types import SimpleNamespace

from specrun.progress import Progress, say
from specrun.runtime.events import DagsterEventType, Event, StepSkippedData


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


def _event(kind, step, at, message=""):
    return Event(kind, "run", "job", step, message, timestamp=at)


def test_retries_are_shown_and_a_step_left_running_when_the_run_stops_is_canceled(capsys, monkeypatch):
    monkeypatch.setenv("CI", "true")
    plan = SimpleNamespace(steps={"flaky": SimpleNamespace(partition_key="2024-01-02"), "slow": None})
    with Progress(plan, [], "in_process") as progress:
        for event in [_event(DagsterEventType.STEP_START, "flaky", 1.0),
                      _event(DagsterEventType.STEP_UP_FOR_RETRY, "flaky", 1.5, "attempt 1 failed"),
                      _event(DagsterEventType.STEP_START, "flaky", 2.0),
                      _event(DagsterEventType.STEP_SUCCESS, "flaky", 2.25),
                      _event(DagsterEventType.STEP_START, "slow", 2.5)]:
            progress.on_event(event)
    assert progress.state == {"flaky": "ok", "slow": "canceled"}
    assert capsys.readouterr().out.splitlines()[1:] == [
        "  retry    flaky [2024-01-02]: attempt 1 failed", "  ok       flaky [2024-01-02] (1.25s)"]


def test_a_step_skipped_behind_a_failure_names_the_failed_step_however_far_upstream(capsys, monkeypatch):
    monkeypatch.setenv("CI", "true")
    plan = SimpleNamespace(steps={"t07": None, "t08": None, "t09": None})
    progress = Progress(plan, [], "in_process")
    progress.on_event(_event(DagsterEventType.STEP_START, "t07", 1.0))
    progress.on_event(_event(DagsterEventType.STEP_FAILURE, "t07", 2.0))
    for step, up in (("t08", "t07"), ("t09", "t08")):
        progress.on_event(Event(DagsterEventType.STEP_SKIPPED, "run", "job", step, "", timestamp=2.0,
                                data=StepSkippedData("upstream did not succeed", (up,))))
    assert progress.reasons == {"t08": "upstream t07 failed", "t09": "upstream t07 failed"}
    assert capsys.readouterr().out.splitlines()[-1] == "  skipped  t09 (0.00s): upstream t07 failed"


def _log(step, level, message):
    return Event(DagsterEventType.LOG_MESSAGE, "run", "job", step, message, level=level, timestamp=1.0)


def test_step_log_messages_show_from_the_chosen_level_with_their_step_and_level(capsys, monkeypatch):
    monkeypatch.setenv("CI", "true")
    plan = SimpleNamespace(steps={"a": None})
    for level, expected in ((logging.WARNING, ["  warning  [a] careful", "  error    [a] broken"]),
                            (logging.INFO, ["  info     [a] hello", "  warning  [a] careful",
                                            "  error    [a] broken"]),
                            (logging.ERROR, ["  error    [a] broken"])):
        progress = Progress(plan, [], "in_process", log_level=level)
        for lvl, text in ((logging.DEBUG, "details"), (logging.INFO, "hello"), (logging.WARNING, "careful"),
                          (logging.ERROR, "broken")):
            progress.on_event(_log("a", lvl, text))
        captured = capsys.readouterr()
        assert (captured.out + captured.err).splitlines() == expected


def test_the_progress_line_counts_states_and_estimates_from_finished_durations():
    plan = SimpleNamespace(steps={f"s{i}": None for i in range(6)})
    progress = Progress(plan, [], "multiprocess", mode="json")
    for key, start, end in (("s0", 0.0, 2.0), ("s1", 0.0, 4.0)):
        progress.on_event(_event(DagsterEventType.STEP_START, key, start))
        progress.on_event(_event(DagsterEventType.STEP_SUCCESS, key, end))
    progress.on_event(_event(DagsterEventType.STEP_START, "s2", 10.0))
    progress.on_event(_event(DagsterEventType.STEP_START, "s3", 10.0))
    progress.on_event(_event(DagsterEventType.STEP_FAILURE, "s3", 11.0))
    assert progress.counts() == {"ok": 2, "running": 1, "failed": 1, "skipped": 0, "pending": 2}
    # mean 3 s each: s2 has 2 s left at t=11, s4 and s5 3 s each, one step running at a time
    assert progress.estimate(now=11.0) == 8.0


def test_a_table_taller_than_the_terminal_keeps_failed_and_running_rows():
    from rich.console import Console

    plan = SimpleNamespace(steps={f"s{i:02d}": None for i in range(40)})
    progress = Progress(plan, [], "in_process", mode="json")
    progress.on_event(_event(DagsterEventType.STEP_START, "s35", 1.0))
    progress.on_event(_event(DagsterEventType.STEP_START, "s38", 1.0))
    progress.on_event(_event(DagsterEventType.STEP_FAILURE, "s38", 2.0))
    progress._live = SimpleNamespace(console=SimpleNamespace(height=15))
    console = Console(width=120, record=True, force_terminal=False)
    console.print(progress._render())
    text = console.export_text()
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert len(rows) == 8  # 15 lines, less 7 for the title, header, borders and the two lines below
    assert any("s38" in r and "failed" in r for r in rows) and any("s35" in r and "running" in r for r in rows)
    assert text.splitlines()[-2:] == ["... and 32 more steps not shown (32 pending)",
                                      "1/40 done · 1 running · 1 failed · 38 pending"]


def test_before_any_step_finishes_the_estimate_comes_from_durations_recorded_in_earlier_runs():
    plan = SimpleNamespace(steps={"load": None, "clean[a]": None, "clean[b]": None})
    progress = Progress(plan, [], "in_process", mode="json", recorded={"load": 4.0, "clean": 1.0})
    assert progress.estimate(now=0.0) == 6.0
    progress.on_event(_event(DagsterEventType.STEP_START, "load", 0.0))
    assert progress.estimate(now=1.0) == 5.0  # 3 s left of load, then 1 s for each clean


class _Unbuffered(io.StringIO):
    """A text stream that records each write and each flush (as an unbuffered stdout does)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def write(self, text: str) -> int:
        self.calls.append(text)
        return super().write(text)

    def flush(self) -> None:
        self.calls.append("<flush>")


def test_say_writes_a_line_and_its_newline_at_once_then_flushes(monkeypatch):
    out, err = _Unbuffered(), _Unbuffered()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    say("  ok       a1 (0.00s)")
    say("problem", err=True)
    assert out.calls == ["  ok       a1 (0.00s)\n", "<flush>"] and out.getvalue() == "  ok       a1 (0.00s)\n"
    assert err.calls == ["problem\n", "<flush>"]


def test_say_to_a_reader_that_went_away_drops_the_rest_of_the_output(monkeypatch, tmp_path):
    class Gone(_Unbuffered):
        def write(self, text: str) -> int:
            raise BrokenPipeError

        def fileno(self) -> int:
            return self.fd

    gone = Gone()
    gone.fd = os.open(tmp_path / "stdout", os.O_WRONLY | os.O_CREAT)
    monkeypatch.setattr(sys, "stdout", gone)
    say("dropped")  # no error
    os.write(gone.fd, b"after")
    assert (tmp_path / "stdout").read_bytes() == b""  # the descriptor now writes to /dev/null
    os.close(gone.fd)


def test_the_run_is_named_from_its_first_event_and_a_steps_other_events_change_nothing(capsys):
    """`specrun apply` hands the run's events to `on_event` itself (no wrapper of its own): the
    view keeps the run's id from the first event (the cancel message names it), and passes
    over the events it neither shows nor counts, as it did before it looked them up in one set."""
    plan = SimpleNamespace(steps={"a": None})
    progress = Progress(plan, [], "in_process", mode="lines")
    assert progress.run_id is None
    progress.on_event(Event(DagsterEventType.RUN_START, "run-7", "job", None, ""))
    passed_over = [DagsterEventType.LOADED_INPUT, DagsterEventType.STEP_OUTPUT,
                   DagsterEventType.HANDLED_OUTPUT, DagsterEventType.ASSET_MATERIALIZATION,
                   DagsterEventType.ASSET_OBSERVATION, DagsterEventType.ENGINE_EVENT]
    for kind in passed_over:
        progress.on_event(Event(kind, "run-8", "job", "a", "", timestamp=1.0))
    assert progress.run_id == "run-7"
    assert (progress.state, progress.started, progress.duration) == ({"a": "pending"}, {}, {})
    assert capsys.readouterr().out.splitlines()[1:] == []
    progress.on_event(Event(DagsterEventType.STEP_START, "run-7", "job", "a", "", timestamp=1.0))
    progress.on_event(Event(DagsterEventType.STEP_SUCCESS, "run-7", "job", "a", "", timestamp=1.5))
    assert (progress.state, progress.duration) == ({"a": "ok"}, {"a": 0.5})
    assert capsys.readouterr().out.splitlines() == ["  ok       a (0.50s)"]
