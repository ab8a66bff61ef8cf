"""The live view of `specrun apply`: step states from events, shown as they change.

On a terminal it is a table (rich) under a progress line with counts and an estimate of the
time left; when the table is taller than the terminal, failed and running steps keep their
rows and the others are counted. Elsewhere (CI, pipes) it is one line per finished step.
With `--format jsonl` every event is one JSON line; with `--format json` nothing is shown
until the run's document at the end. Log messages of the steps (`context.log`,
`get_dagster_logger()`) at the chosen level and above are shown as they come, with their
step and level.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any, Optional

from .runtime.events import ET  # (the members as plain attributes: read per event, see events.py)

_ENDS = {ET.STEP_SUCCESS: "ok", ET.STEP_FAILURE: "failed", ET.STEP_SKIPPED: "skipped"}
# The events `Progress.on_event` shows or counts (the others it passes over).
_SHOWN = frozenset((ET.LOG_MESSAGE, ET.STEP_START, ET.STEP_UP_FOR_RETRY, *_ENDS))
_COLOURS = {"pending": "dim", "running": "yellow", "retrying": "yellow", "ok": "green", "failed": "red",
            "skipped": "magenta", "canceled": "red"}
STATUS_EVERY = 10.0  # seconds between progress lines when not on a terminal
# Rows kept first when the table is cut to the terminal's height.
_PRIORITY = {"failed": 0, "canceled": 0, "running": 1, "retrying": 1, "skipped": 2, "ok": 3, "pending": 4}


def say(line: str, err: bool = False) -> None:
    """Print a line; a reader that went away (`specrun apply | head`) does not stop the run:
    the rest of the output is dropped. The line and its newline are one write (`print` writes
    them apart, which on an unbuffered stream, PYTHONUNBUFFERED, is two system calls a line)."""
    stream = sys.stderr if err else sys.stdout
    try:
        stream.write(f"{line}\n")
        stream.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


class Progress:
    """Tracks step states from events and shows them live (`mode`: live, lines, jsonl, json)."""

    def __init__(self, plan: Any, decisions: list, executor_name: str, mode: str = "auto",
                 log_level: int = logging.WARNING, recorded: Optional[dict[str, float]] = None) -> None:
        self.plan = plan
        self.executor_name = executor_name
        self.reasons = {d.step_key: d.reason for d in decisions}
        self.state = {k: "pending" for k in plan.steps}
        self.started: dict[str, float] = {}
        self.duration: dict[str, float] = {}
        self.recorded = dict(recorded or {})  # node -> seconds its step took in an earlier run
        self.failed_roots: dict[str, tuple[str, ...]] = {}  # a failed or skipped step -> failed steps behind it
        self.start_time = time.monotonic()
        self.run_id: Optional[str] = None  # the run's, from its first event
        self.log_level = log_level
        self._last_status = self.start_time
        self._live: Any = None
        if mode == "auto":
            mode = "live" if sys.stdout.isatty() and os.environ.get("CI") != "true" else "lines"
        self.mode = mode
        self.interactive = mode == "live"

    def __enter__(self) -> "Progress":
        if self.mode == "live":
            from rich.live import Live

            from .output import _console

            self._live = Live(self._render(), console=_console(), refresh_per_second=8, transient=False,
                              get_renderable=self._render)
            self._live.__enter__()
        elif self.mode == "lines":
            say(f"running {len(self.plan.steps)} step(s) with the {self.executor_name} executor")
        return self

    def __exit__(self, *exc: object) -> None:
        for key, state in self.state.items():
            if state in ("running", "retrying"):  # the run was stopped under it
                self.state[key] = "canceled"
        if self._live is not None:
            self._live.update(self._render())
            self._live.__exit__(*exc)

    def on_event(self, event: Any) -> None:
        if self.run_id is None:
            self.run_id = event.run_id
        if self.mode == "jsonl":
            from .formats import emit, event_json

            emit(event_json(event))
        kind = event.event_type
        if kind not in _SHOWN:  # (most events: a step's inputs, outputs, materializations)
            return
        key = event.step_key
        if kind is ET.LOG_MESSAGE:
            self._log(event)
            return
        if kind is ET.STEP_START:
            self.state[key] = "running"
            # Event times, not arrival times: a Dask worker's events all arrive when its step ends.
            self.started.setdefault(key, event.timestamp)
        elif kind in _ENDS:
            self._finish(key, _ENDS[kind], event)
        elif kind is ET.STEP_UP_FOR_RETRY:
            self.state[key] = "retrying"
            self.reasons[key] = event.message
            if self.mode == "lines":
                say(f"  retry    {self._label(key)}: {event.message}")
        # The live view is drawn by its own refresh (8 a second, from `_render`), not per event:
        # drawing the table per event cost a 1,000-step apply at a terminal ~2 s of CPU.

    def _finish(self, key: str, state: str, event: Any) -> None:
        self.state[key] = state
        self.duration[key] = max(0.0, event.timestamp - self.started.get(key, event.timestamp))
        if state == "failed":
            self.failed_roots[key] = (key,)
        elif state == "skipped":
            self.reasons[key] = self._skip_reason(event)
        if self.mode == "lines":
            why = f": {self.reasons[key]}" if state == "skipped" and self.reasons[key] else ""
            say(f"  {state:<8} {self._label(key)} ({self.duration[key]:.2f}s){why}")
            if time.monotonic() - self._last_status >= STATUS_EVERY:
                self._last_status = time.monotonic()
                say(f"  progress {self.status_line()}")

    def _skip_reason(self, event: Any) -> str:
        """`upstream t07 failed`: the failed steps behind a skip, however far upstream."""
        data = event.data
        upstream = tuple(getattr(data, "upstream_step_keys", ()) or ())
        roots = sorted({r for u in upstream for r in self.failed_roots.get(u, ())})
        if not roots:
            return getattr(data, "reason", None) or event.message
        self.failed_roots[event.step_key] = tuple(roots)
        shown = ", ".join(roots[:3]) + (f" and {len(roots) - 3} more" if len(roots) > 3 else "")
        return f"upstream {shown} failed"

    def _log(self, event: Any) -> None:
        """A step's (or the run's) log message at the chosen level or above, as it comes
        (escape sequences in it shown, not acted on)."""
        from .output import printable

        # The run's own messages (the executor's: which cluster) are few: shown from info on.
        threshold = self.log_level if event.step_key or self.log_level > logging.WARNING \
            else min(self.log_level, logging.INFO)
        if event.level < threshold or self.mode not in ("live", "lines"):
            return
        level = logging.getLevelName(event.level).lower()
        where = f" [{event.step_key}]" if event.step_key else ""
        line = f"  {level:<8}{where} {printable(event.message)}"
        if self._live is not None:
            self._live.console.print(line, markup=False, highlight=False)
        else:
            say(line, err=event.level >= logging.WARNING)

    def _label(self, key: str) -> str:
        """The step key, with its partition when the key does not already carry it."""
        partition = getattr(self.plan.steps.get(key), "partition_key", None)
        return f"{key} [{partition}]" if partition and partition not in key else key

    def counts(self) -> dict[str, int]:
        counts = {"ok": 0, "running": 0, "failed": 0, "skipped": 0, "pending": 0}
        for state in list(self.state.values()):  # (a snapshot: see `estimate`)
            counts["running" if state == "retrying" else "failed" if state == "canceled" else state] += 1
        return counts

    def estimate(self, now: Optional[float] = None) -> Optional[float]:
        """Seconds left: for each step left, how long a step of its node took (in this run,
        else as recorded in an earlier run), else the mean of the steps finished; divided
        among the steps running at once."""
        # (a snapshot: the live view's refresh thread asks while the run adds durations)
        durations = list(self.duration.items())
        done = [d for k, d in durations if self.state[k] == "ok"] or list(self.recorded.values())
        if not done:
            return None
        mean = sum(done) / len(done)
        by_node: dict[str, list[float]] = {}
        for key, took in durations:
            by_node.setdefault(_node_of(key), []).append(took)
        now = time.time() if now is None else now
        left = 0.0
        running = 0
        for key, state in list(self.state.items()):  # (dynamic steps join the run as it goes)
            if state in ("pending", "running", "retrying"):
                same = by_node.get(_node_of(key))
                expected = sum(same) / len(same) if same else self.recorded.get(_node_of(key), mean)
                if state != "pending":
                    running += 1
                    expected = max(0.0, expected - (now - self.started.get(key, now)))
                left += expected
        return left / max(1, running)

    def status_line(self) -> str:
        """`12/40 done · 2 running · 1 failed · 25 pending · about 14s left`."""
        c = self.counts()
        finished = c["ok"] + c["failed"] + c["skipped"]
        parts = [f"{finished}/{len(self.state)} done", f"{c['running']} running"]
        parts += [f"{c[s]} {s}" for s in ("failed", "skipped") if c[s]]
        parts.append(f"{c['pending']} pending")
        eta = self.estimate()
        if eta is not None and finished < len(self.state):
            parts.append(f"about {_seconds(eta)} left")
        return " · ".join(parts)

    def _render(self) -> Any:
        from rich.console import Group
        from rich.table import Table

        table = Table(title=f"apply ({self.executor_name})", expand=False)
        for column in ("status", "step", "duration", "why"):
            table.add_column(column)
        now = time.time()
        keys = list(self.state)
        room = self._room()
        hidden: dict[str, int] = {}
        if len(keys) > room:
            keep = set(sorted(keys, key=lambda k: _PRIORITY[self.state[k]])[:room])
            for k in keys:
                if k not in keep:
                    hidden[self.state[k]] = hidden.get(self.state[k], 0) + 1
            keys = [k for k in keys if k in keep]
        for key in keys:
            state = self.state[key]
            elapsed = self.duration.get(key) or (now - self.started[key] if key in self.started else None)
            shown = f"{elapsed:.2f}s" if elapsed is not None else ""
            table.add_row(f"[{_COLOURS[state]}]{state}[/]", self._label(key), shown, self.reasons.get(key, ""))
        lines: list[Any] = [table]
        if hidden:
            more = ", ".join(f"{n} {s}" for s, n in sorted(hidden.items(), key=lambda i: _PRIORITY[i[0]]))
            lines.append(f"... and {sum(hidden.values())} more steps not shown ({more})")
        return Group(*lines, self.status_line())

    def _room(self) -> int:
        """How many step rows fit on the terminal (title, header, borders, caption and the
        progress line take 7 lines)."""
        height = self._live.console.height if self._live is not None else 10_000
        return max(3, height - 7)


def _node_of(step_key: str) -> str:
    return step_key.split("[", 1)[0]


def _seconds(s: float) -> str:
    return f"{s:.0f}s" if s < 90 else f"{s / 60:.0f} min"
