"""specrun.output: the plan table and the user's part of tracebacks."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings, strategies as st

from specrun.output import user_frames


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
    # The standard library's frame is not shown as the user's code; where it raised is said.
    assert user_frames(frames) == [frames[3], f"  (raised in Python's standard library: {frames[4].strip()})\n"]


def test_importing_output_compiles_no_pattern_of_the_machinery_until_a_traceback_is_shown():
    import re
    import subprocess
    import sys

    code = ("import re, specrun, os; specrun_dir = re.escape(os.path.dirname(specrun.__file__)); "
            "import specrun.output as o; compiled = lambda: any(isinstance(k[1], str) and specrun_dir in k[1] for k in re._cache); "
            "print(compiled()); o.user_frames(['  File \"x.py\", line 1, in f\\n']); print(compiled())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert isinstance(getattr(re, "_cache", None), dict)  # (where it is not, this test says nothing)
    assert result.stdout.split() == ["False", "True"]


def test_the_plan_summary_counts_waiting_steps_apart_from_up_to_date_ones(capsys):
    from specrun.output import print_plan
    from specrun.runtime.staleness import Decision

    session = SimpleNamespace(executor_def=SimpleNamespace(name="in_process"), compiled=SimpleNamespace(name="p"))
    decisions = [Decision("a", "a", "asset", None, True, "never materialized"),
                 Decision("b", "b", "asset", None, False, "up to date"),
                 Decision("c", "c", "asset", None, False, "waiting: upstream a has 3 of 4 partition(s) ...")]
    print_plan(session, None, decisions)
    assert capsys.readouterr().out.splitlines()[-1] == "1 to run, 1 up to date, 1 waiting for upstream partitions"


def test_a_large_plan_shows_one_row_per_node_and_reason_with_its_partition_range(capsys):
    from specrun.output import print_plan
    from specrun.runtime.staleness import Decision

    session = SimpleNamespace(executor_def=SimpleNamespace(name="in_process"), compiled=SimpleNamespace(name="p"))
    days = [f"2024-01-{d:02d}" for d in range(1, 32)] + [f"2024-02-{d:02d}" for d in range(1, 30)]
    decisions = [Decision(f"events[{day}]", "events", "asset", day, day >= "2024-02-01",
                          "never materialized" if day >= "2024-02-01" else "up to date") for day in days]
    decisions.append(Decision("total", "total", "asset", None, True, "upstream events will be re-materialized"))
    print_plan(session, None, decisions)
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("│")]
    cells = [[c.strip() for c in row.strip("│").split("│")] for row in rows]
    assert cells == [
        ["skip", "events", "asset", "2024-01-01 .. 2024-01-31 (31)", "up to date"],
        ["run", "events", "asset", "2024-02-01 .. 2024-02-29 (29)", "never materialized"],
        ["run", "total", "asset", "-", "upstream events will be re-materialized"],
    ]


def _rich_plan_table(console, title, rows):
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for column in ("", "step", "kind", "partition", "reason"):
        table.add_column(column)
    for run, *cells in rows:
        table.add_row("[green]run[/]" if run else "[dim]skip[/]", *cells)
    with console.capture() as captured:
        console.print(table)
    return captured.get()


_cell = st.text(alphabet="ab Z09-_.()/:é漢😀[]\t", max_size=14)


@given(st.text(alphabet="ab (): 漢", max_size=30), st.lists(st.tuples(st.booleans(), _cell, _cell, _cell, _cell),
                                                           max_size=6),
       st.sampled_from([(False, None, 220), (True, "truecolor", 220), (True, "standard", 60), (True, "256", 40)]))
@settings(max_examples=300, deadline=None)
def test_the_plan_table_drawn_directly_is_what_rich_draws(title, rows, terminal):
    import io

    from rich.console import Console

    from specrun.output import _plain_table

    force, colours, width = terminal
    console = Console(file=io.StringIO(), highlight=False, soft_wrap=True, force_terminal=force,
                      color_system=colours, width=width)
    drawn = _plain_table(console, title, rows)
    if drawn is not None:
        assert drawn == _rich_plan_table(console, title, rows)
    elif rows and not any(ch in text for ch in "[\t:" for text in (title, *(c for r in rows for c in r[1:]))):
        # then only a table wider than the console is left to rich
        from rich.cells import cell_len

        columns = zip(("run ", "step", "kind", "partition", "reason"), *[("run" if r[0] else "skip", *r[1:])
                                                                        for r in rows])
        assert sum(max(cell_len(c) for c in column) for column in columns) + 16 > width


def test_a_plan_of_a_thousand_steps_is_drawn_directly_with_the_rows_rich_would_draw(capsys):
    from specrun.output import print_plan
    from specrun.runtime.staleness import Decision

    session = SimpleNamespace(executor_def=SimpleNamespace(name="in_process"), compiled=SimpleNamespace(name="p"))
    decisions = [Decision(f"a{i}", f"a{i}", "asset", None, i % 3 == 0, "never materialized" if i % 3 == 0
                          else "up to date") for i in range(1000)]
    print_plan(session, None, decisions)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "plan for p (executor: in_process)"
    assert lines[2] == "┃      ┃ step ┃ kind  ┃ partition ┃ reason             ┃"
    assert lines[4] == "│ run  │ a0   │ asset │ -         │ never materialized │"
    assert lines[5] == "│ skip │ a1   │ asset │ -         │ up to date         │"
    assert lines[-2] == "└──────┴──────┴───────┴───────────┴────────────────────┘"
    assert lines[-1] == "334 to run, 666 up to date"
