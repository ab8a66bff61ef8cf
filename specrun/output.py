"""Terminal output of `plan` and `apply`: the plan table, live progress, summary, failure.

On a terminal the progress is a live table (rich); elsewhere (CI, pipes) one line per
finished step, so logs stay readable.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from typing import Any, Optional

from .runtime.events import DagsterEventType as ET

_SPECRUN_DIR = os.path.dirname(os.path.abspath(__file__))


def _console() -> Any:
    """Rich console; when output is not a terminal, wide enough that rows never wrap."""
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console = Console(highlight=False, soft_wrap=True, width=220)
    return console


# A plan with more steps than this shows one line per node and reason, with the range of
# partitions it covers: 17,000 lines explain nothing (and took rich seconds to draw).
GROUP_PLAN_OVER = 60


def print_plan(session: Any, plan: Any, decisions: list) -> None:
    """One line per step (or, for a large plan, per node and reason): run/skip, step,
    partition(s), reason; then the totals."""
    from rich.table import Table

    console = _console()
    executor = session.executor_def.name
    table = Table(title=f"plan for {session.compiled.name} (executor: {executor})", show_lines=False)
    for column in ("", "step", "kind", "partition", "reason"):
        table.add_column(column)
    rows = _grouped(decisions) if len(decisions) > GROUP_PLAN_OVER else [
        (d.run, d.step_key, d.kind, d.partition or "-", d.reason) for d in decisions]
    for run, step, kind, partition, reason in rows:
        table.add_row("[green]run[/]" if run else "[dim]skip[/]", step, kind, partition, reason)
    console.print(table)
    n_run = sum(1 for d in decisions if d.run)
    n_waiting = sum(1 for d in decisions if not d.run and d.reason.startswith("waiting"))
    waiting = f", {n_waiting} waiting for upstream partitions" if n_waiting else ""
    console.print(f"{n_run} to run, {len(decisions) - n_run - n_waiting} up to date{waiting}")


def _grouped(decisions: list) -> list[tuple]:
    """Decisions that share node, kind, run/skip and reason as one row with their partitions."""
    groups: dict[tuple, list] = {}
    for d in decisions:
        groups.setdefault((d.run, d.node, d.kind, d.reason), []).append(d)
    rows = []
    for (run, node, kind, reason), members in groups.items():
        if len(members) == 1:
            d = members[0]
            rows.append((run, d.step_key, kind, d.partition or "-", reason))
        else:
            first, last = members[0].partition or "-", members[-1].partition or "-"
            rows.append((run, node, kind, f"{first} .. {last} ({len(members)})", reason))
    return rows


def _say(line: str) -> None:
    """Print a progress line; a reader that went away (`specrun apply | head`) does not stop
    the run: the rest of the output is dropped."""
    try:
        print(line, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


class Progress:
    """Tracks step states from events and shows them live."""

    def __init__(self, plan: Any, decisions: list, executor_name: str) -> None:
        self.plan = plan
        self.executor_name = executor_name
        self.reasons = {d.step_key: d.reason for d in decisions}
        self.state = {k: "pending" for k in plan.steps}
        self.started: dict[str, float] = {}
        self.duration: dict[str, float] = {}
        self.start_time = time.monotonic()
        self._live: Any = None
        self.interactive = sys.stdout.isatty() and os.environ.get("CI") != "true"

    def __enter__(self) -> "Progress":
        if self.interactive:
            from rich.live import Live

            self._live = Live(self._render(), console=_console(), refresh_per_second=8, transient=False)
            self._live.__enter__()
        else:
            _say(f"running {len(self.plan.steps)} step(s) with the {self.executor_name} executor")
        return self

    def __exit__(self, *exc: object) -> None:
        for key, state in self.state.items():
            if state in ("running", "retrying"):  # the run was stopped under it
                self.state[key] = "canceled"
        if self._live is not None:
            self._live.update(self._render())
            self._live.__exit__(*exc)

    def on_event(self, event: Any) -> None:
        key, kind = event.step_key, event.event_type
        if kind is ET.LOG_MESSAGE and key is None and event.level >= logging.INFO:
            # The run's own messages (the executor's: which cluster, warnings) are few: shown.
            line = f"  {logging.getLevelName(event.level).lower():<8} {event.message}"
            if self._live is not None:
                self._live.console.print(line, markup=False, highlight=False)
            else:
                _say(line)
            return
        if kind is ET.STEP_START:
            self.state[key] = "running"
            # Event times, not arrival times: a Dask worker's events all arrive when its step ends.
            self.started.setdefault(key, event.timestamp)
        elif kind in (ET.STEP_SUCCESS, ET.STEP_FAILURE, ET.STEP_SKIPPED):
            self.state[key] = {ET.STEP_SUCCESS: "ok", ET.STEP_FAILURE: "failed",
                               ET.STEP_SKIPPED: "skipped"}[kind]
            self.duration[key] = max(0.0, event.timestamp - self.started.get(key, event.timestamp))
            if not self.interactive:
                _say(f"  {self.state[key]:<8} {self._label(key)} ({self.duration[key]:.2f}s)")
        elif kind is ET.STEP_UP_FOR_RETRY:
            self.state[key] = "retrying"
            self.reasons[key] = event.message
            if not self.interactive:
                _say(f"  retry    {self._label(key)}: {event.message}")
        else:
            return
        if self._live is not None:
            self._live.update(self._render())

    def _label(self, key: str) -> str:
        """The step key, with its partition when the key does not already carry it."""
        partition = getattr(self.plan.steps.get(key), "partition_key", None)
        return f"{key} [{partition}]" if partition and partition not in key else key

    def _render(self) -> Any:
        from rich.table import Table

        colours = {"pending": "dim", "running": "yellow", "retrying": "yellow", "ok": "green", "failed": "red",
                   "skipped": "magenta", "canceled": "red"}
        table = Table(title=f"apply ({self.executor_name})", expand=False)
        for column in ("status", "step", "duration", "why"):
            table.add_column(column)
        now = time.time()
        for key, state in self.state.items():
            elapsed = self.duration.get(key) or (now - self.started[key] if key in self.started else None)
            shown = f"{elapsed:.2f}s" if elapsed is not None else ""
            table.add_row(f"[{colours[state]}]{state}[/]", self._label(key), shown, self.reasons.get(key, ""))
        return table


def print_summary(result: Any, progress: Progress) -> None:
    """Counts of succeeded / failed / skipped steps and the wall time."""
    counts = {s: sum(1 for v in progress.state.values() if v == s) for s in ("ok", "failed", "skipped")}
    wall = time.monotonic() - progress.start_time
    status = "succeeded" if result.success else "failed"
    print(f"run {result.run_id} {status} in {wall:.2f}s: {counts['ok']} ok, "
          f"{counts['failed']} failed, {counts['skipped']} skipped")


def user_frames(stack: list[str]) -> list[str]:
    """Traceback frames of the user's code: those of specrun and of the machinery running its
    steps (threads, futures, process pools, Dask) left out."""
    return [f for f in stack if not _MACHINERY.search(f.split("\n", 1)[0])]


_MACHINERY = re.compile("|".join([
    re.escape(_SPECRUN_DIR + os.sep),
    *(re.escape(os.path.join(os.path.dirname(os.__file__), name)) for name in (
        "concurrent" + os.sep, "multiprocessing" + os.sep, "threading.py")),
    r"[/\\](?:site|dist)-packages[/\\](?:distributed|dask|cloudpickle|tornado)[/\\]",
]))


def print_failure(result: Any) -> None:
    """For each failed step: its key, the error message and the user's part of the traceback."""
    for event in result.get_step_failure_events():
        error: Optional[Any] = event.data.error if event.data is not None else None
        print(f"\nstep {event.step_key!r} failed: {error.message if error else event.message}",
              file=sys.stderr)
        frames = user_frames(error.stack) if error is not None else []
        if frames:
            print("Traceback (your code):", file=sys.stderr)
            print("".join(frames).rstrip(), file=sys.stderr)
    failure = result.all_events[-1]
    data = getattr(failure, "data", None)
    if not result.get_step_failure_events() and getattr(data, "error", None) is not None:
        # specrun's own errors read as sentences; their class path is noise here.
        message = data.error.message.removeprefix(f"specrun.errors.{data.error.cls_name}: ")
        print(f"\nrun failed: {message}", file=sys.stderr)
