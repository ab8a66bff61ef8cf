"""Terminal output of `plan` and `apply`: the plan table, live progress, summary, failure.

The live view of a run is `progress.py`.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import time
from typing import Any, Optional

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
    console = _console()
    executor = session.executor_def.name
    title = f"plan for {session.compiled.name} (executor: {executor})"
    rows = _grouped(decisions) if len(decisions) > GROUP_PLAN_OVER else [
        (d.run, d.step_key, d.kind, d.partition or "-", d.reason) for d in decisions]
    drawn = _plain_table(console, title, rows)
    if drawn is not None:
        console.file.write(drawn)
        console.file.flush()
    else:
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        for column in _COLUMNS:
            table.add_column(column)
        for run, step, kind, partition, reason in rows:
            table.add_row("[green]run[/]" if run else "[dim]skip[/]", step, kind, partition, reason)
        console.print(table)
    n_run = sum(1 for d in decisions if d.run)
    n_waiting = sum(1 for d in decisions if not d.run and d.reason.startswith("waiting"))
    waiting = f", {n_waiting} waiting for upstream partitions" if n_waiting else ""
    console.print(f"{n_run} to run, {len(decisions) - n_run - n_waiting} up to date{waiting}")


_COLUMNS = ("", "step", "kind", "partition", "reason")
# What rich would read as markup (a [tag]) or an emoji code (:name:): such a table is left to rich.
_NOT_PLAIN = re.compile(r"\[|:\S+:")
_RESET, _TITLE, _HEADER = "\x1b[0m", "\x1b[3m", "\x1b[1m"  # rich's table.title and table.header styles
_RUN = {True: ("run", "\x1b[32m"), False: ("skip", "\x1b[2m")}  # [green]run[/], [dim]skip[/]


def _plain_table(console: Any, title: str, rows: list[tuple]) -> Optional[str]:
    """The plan table exactly as rich draws it (the same characters and, on a colour terminal,
    the same styles), drawn directly: rich measures and renders every cell, which took most of
    `plan`'s time for a 1,000-step plan. None when rich must draw it: text it would read as
    markup or that is not one plain line, a table wider than the console (rich would wrap
    cells), a terminal without plain ANSI colours, or no rows."""
    from rich.cells import cell_len

    styled = console.is_terminal
    if not rows or styled and (console.no_color or console.legacy_windows
                   or console.color_system not in ("standard", "256", "truecolor")):
        return None
    table = [(_RUN[bool(row[0])], *(str(c) for c in row[1:])) for row in rows]
    for text in (title, *(c for cells in table for c in cells[1:])):
        if not text.isprintable() or _NOT_PLAIN.search(text):
            return None
    sized = [[(text, cell_len(text)) for text in (run, *cells)] for (run, _), *cells in table]
    widths = [max([cell_len(c)] + [row[i][1] for row in sized]) for i, c in enumerate(_COLUMNS)]
    if sum(widths) + 3 * len(widths) + 1 > console.width:
        return None
    on, off = (_HEADER, _RESET) if styled else ("", "")
    header = "┃".join(f"{on} {off}{on}{c}{' ' * (w - cell_len(c))}{off}{on} {off}" for c, w in zip(_COLUMNS, widths))
    out = [f"{_TITLE}{title}{_RESET}" if styled else title] if title else []
    out += [_rule("┏━┳┓", widths), f"┃{header}┃", _rule("┡━╇┩", widths)]
    for ((_, colour), *_cells), row in zip(table, sized):
        (run, n), *cells = row
        first = f"{colour}{run}{_RESET}" if styled else run
        rest = "".join(f" │ {text}{' ' * (w - n)}" for (text, n), w in zip(cells, widths[1:]))
        out.append(f"│ {first}{' ' * (widths[0] - n)}{rest} │")
    out.append(_rule("└─┴┘", widths))
    return "\n".join(out) + "\n"


def _rule(box: str, widths: list[int]) -> str:
    """A horizontal line of the table: `box` is its left end, line, crossing and right end."""
    left, line, cross, right = box
    return left + cross.join(line * (w + 2) for w in widths) + right


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


def print_summary(result: Any, progress: Any) -> None:
    """Counts of succeeded / failed / skipped steps and the wall time."""
    counts = {s: sum(1 for v in progress.state.values() if v == s) for s in ("ok", "failed", "skipped")}
    wall = time.monotonic() - progress.start_time
    status = "succeeded" if result.success else "failed"
    print(f"run {result.run_id} {status} in {wall:.2f}s: {counts['ok']} ok, "
          f"{counts['failed']} failed, {counts['skipped']} skipped")


def user_frames(stack: list[str]) -> list[str]:
    """Traceback frames of the user's code: those of specrun, of Python's standard library
    and of the machinery running its steps (threads, futures, process pools, Dask) left out.
    When the error was raised outside the user's code, a last line says where."""
    machinery = _machinery()
    mine = [f for f in stack if not machinery.search(f.split("\n", 1)[0]) and not _stdlib(f)]
    if mine and stack and _stdlib(stack[-1]):
        where = stack[-1].split("\n", 1)[0].strip()
        mine.append(f"  (raised in Python's standard library: {where})\n")
    return mine


_STDLIB = os.path.dirname(os.__file__) + os.sep


def _stdlib(frame: str) -> bool:
    """Whether a formatted frame is in Python's standard library (not an installed package)."""
    path = frame.split('"', 2)[1] if frame.count('"') >= 2 else ""
    return path.startswith(_STDLIB) and "-packages" + os.sep not in path[len(_STDLIB):]


@functools.lru_cache(maxsize=1)
def _machinery() -> re.Pattern[str]:
    """The files of the machinery running steps (compiled when a failure is first shown: ~3 M
    instructions every `specrun apply` paid at import)."""
    return re.compile("|".join([
        re.escape(_SPECRUN_DIR + os.sep),
        *(re.escape(os.path.join(os.path.dirname(os.__file__), name)) for name in (
            "concurrent" + os.sep, "multiprocessing" + os.sep, "threading.py")),
        r"[/\\](?:site|dist)-packages[/\\](?:distributed|dask|cloudpickle|tornado)[/\\]",
    ]))


def print_failure(result: Any, progress: Any = None, resume: Optional[str] = None) -> None:
    """For each failed step: its key, the error message and the user's part of the traceback;
    the steps skipped because of it; the command that resumes the run."""
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
    skipped = [k for k, state in progress.state.items() if state == "skipped"] if progress else []
    if skipped:
        print(f"\nskipped {len(skipped)} step(s):", file=sys.stderr)
        for key in skipped[:10]:
            print(f"  {key}: {progress.reasons.get(key, 'skipped')}", file=sys.stderr)
        if len(skipped) > 10:
            print(f"  ... and {len(skipped) - 10} more (`specrun logs {result.run_id}`)", file=sys.stderr)
    if resume:
        print(f"\nresume with: {resume}", file=sys.stderr)


_CONTROL = None


def printable(text: str) -> str:
    """`text` safe to write to a terminal: control characters other than line breaks and tabs
    (escape sequences that retitle the window, clear the screen or move the cursor to forge a
    line) are shown as ``\\x1b``-style escapes instead of acting."""
    global _CONTROL
    if _CONTROL is None:
        import re

        _CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
