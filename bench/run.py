"""Benchmarks: one command prints a table, comparing with Hamilton and Dagster when installed.

    python bench/run.py                    # everything; in-process cells: median of 5 rounds
    python bench/run.py --quick            # 1 round, Dagster skipped
    python bench/run.py --only inprocess   # one group
    python bench/run.py --before /tmp/old  # also an older checkout of specrun, side by side
    python bench/run.py --instructions     # in-process cells in instructions (callgrind), N=1,000
    python bench/run.py --only inprocess --rounds 15   # more rounds: to see a change of ~5%
    python bench/run.py --misses           # first runs: instructions and simulated LL misses per step, N=1,000 and 10,000

Hamilton and Dagster live in side virtualenvs (bench/setup_hamilton.sh, bench/setup_dagster.sh),
never in specrun's own dependencies. Each cell runs in a fresh subprocess; only the execute
call is timed. In-process cells run side by side: each round runs every framework's cell once
in turn, so that load from other work on the machine falls on all of them alike.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
from typing import Callable, Optional, Union

HERE = os.path.dirname(os.path.abspath(__file__))
DAGSTER_PY = os.path.join(HERE, ".dagster-venv", "bin", "python")


HAMILTON_PY = os.path.join(HERE, ".hamilton-venv", "bin", "python")
# --before PATH: a checkout of specrun (e.g. `git archive` of an older commit) measured in the
# same run, in a column of its own, by putting PATH first on the workers' PYTHONPATH.
BEFORE: dict[str, Optional[str]] = {"path": None}


# Seconds a cell may take before it is stopped and its table cell says "timeout" (the rest
# of the table still runs). Dagster's in-process cells take 10-50 s each at N=1,000 on a
# 2-core machine; a cell near this limit is a hang, not a slow framework.
CELL_TIMEOUT = 300.0
# A cell's outcome when it gave no figure: shown in its table cell instead of a number.
TIMEOUT, FAILED = "timeout", "failed"


def _outcome(python: str, script: str, args: list[str], timeout: float = CELL_TIMEOUT,
             env: Optional[dict] = None) -> Union[dict, str]:
    """Run one cell in a fresh process: its JSON line, or TIMEOUT / FAILED.

    The cell runs in a session of its own, so that on timeout the processes it started
    (Dask workers, a multiprocess pool) are stopped with it instead of outliving the table.
    """
    proc = subprocess.Popen([python, os.path.join(HERE, script), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=os.path.dirname(HERE),
                            env={**os.environ, **env} if env else None, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop_session(proc)
        print(f"  ! {script} {' '.join(args)}: no result within {timeout:.0f} s, stopped", file=sys.stderr)
        return TIMEOUT
    finally:
        _stop_session(proc)  # what the cell left running (a worker it did not close)
    lines = [l for l in stdout.splitlines() if l.startswith("{")]
    if proc.returncode != 0 or not lines:
        print(f"  ! {script} {' '.join(args)} failed: {stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return FAILED
    return json.loads(lines[-1])


def _stop_session(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:  # the cell and all it started have ended
        pass
    if proc.returncode is None:
        proc.communicate()


def _worker(python: str, script: str, args: list[str], timeout: float = CELL_TIMEOUT,
            env: Optional[dict] = None) -> Optional[dict]:
    """One cell's JSON line, or None when it failed or timed out (said on stderr)."""
    found = _outcome(python, script, args, timeout, env)
    return found if isinstance(found, dict) else None


# A cell's figure: a median, TIMEOUT / FAILED when no run gave one, None when not run.
Figure = Optional[Union[float, str]]


def _summary(values: list[float], outcomes: list[str]) -> Figure:
    if values:
        return statistics.median(values)
    return TIMEOUT if TIMEOUT in outcomes else (FAILED if outcomes else None)


def _median(python: str, script: str, args: list[str], repeats: int, key: str,
            timeout: float = CELL_TIMEOUT) -> Figure:
    found = [_outcome(python, script, args, timeout) for _ in range(repeats)]
    return _summary([r[key] for r in found if isinstance(r, dict)], [r for r in found if isinstance(r, str)])


def _side_by_side(cells: dict[str, tuple], repeats: int, key: str, timeout: float = CELL_TIMEOUT,
                  rounds: Optional[dict[str, int]] = None) -> dict[str, Figure]:
    """Median of `repeats` rounds, each round running every cell once in turn, so that load
    from other work on the machine falls on all of them alike. `rounds` caps the rounds of
    some cells (a slow framework runs in the first few rounds only); a cell that timed out
    is not run again."""
    values: dict[str, list[float]] = {name: [] for name in cells}
    outcomes: dict[str, list[str]] = {name: [] for name in cells}
    for round_ in range(repeats):
        for name, (python, script, args, env) in cells.items():
            if round_ >= (rounds or {}).get(name, repeats) or TIMEOUT in outcomes[name]:
                continue
            found = _outcome(python, script, args, timeout, env)
            if isinstance(found, dict):
                values[name].append(found[key])
            else:
                outcomes[name].append(found)
    return {name: _summary(values[name], outcomes[name]) for name in cells}


# (workload, N, whether Hamilton has it, whether Dagster runs it at this N in a full run)
INPROCESS = [
    ("chain", 1000, True, True), ("chain", 10000, True, False),
    ("fanout", 1000, True, True), ("fanout", 10000, True, False),
    ("fanin", 1000, True, True), ("fanin", 10000, True, False),
    ("materialize", 1000, False, True), ("materialize", 10000, False, False),
    ("materialize_to_memory", 1000, False, False), ("materialize_to_memory", 10000, False, False),
    ("asset_fanout", 1000, False, False), ("asset_fanout", 10000, False, False),
    ("asset_fanin", 1000, False, False), ("asset_fanin", 10000, False, False),
]
# Workloads measured at N = 1,000 on the first run only (no second run, no define + run rows),
# to keep the table short: the asset fan-out and fan-in are there for their 10,000 / 1,000 ratio.
FIRST_RUN_ONLY = {"asset_fanout", "asset_fanin"}


# Dagster's in-process cells (N=1,000 only) run in the first rounds only: each takes 10-50 s
# on a 2-core machine, against 1-3 s for specrun's and Hamilton's, and at ~1,000x their
# per-step cost, more rounds would not change the ratio's first digit.
DAGSTER_ROUNDS = 2


def inprocess_rows(quick: bool) -> list[tuple]:
    """Per-step cost of in-process execution, specrun beside Hamilton and Dagster (median of
    INPROCESS_ROUNDS rounds; Dagster of DAGSTER_ROUNDS). Each workload's first run of a job just defined; at
    N = 1,000 also the second run of the same job (beside Hamilton's `execute`) and defining
    the job with its first run (beside Hamilton's `Driver.build` + `execute`)."""
    rows = []
    repeats = 1 if quick else INPROCESS_ROUNDS[0]
    for workload, n, hamilton, dagster in INPROCESS:
        for variant, flag in _variants(n, quick or workload in FIRST_RUN_ONLY):
            args = ["--workload", workload, "--n", str(n)]
            ours = args + ["--framework", "specrun"] + ([flag] if flag else [])
            cells = {"specrun": (sys.executable, "workloads.py", ours, None)}
            if BEFORE["path"]:
                cells["before"] = (sys.executable, "workloads.py", ours, {"PYTHONPATH": BEFORE["path"]})
            if hamilton and os.path.exists(HAMILTON_PY):
                ham = args + (["--define"] if flag == "--define" else [])
                cells["hamilton"] = (HAMILTON_PY, "hamilton_workloads.py", ham, None)
            if dagster and not quick and not flag and os.path.exists(DAGSTER_PY):
                cells["dagster"] = (DAGSTER_PY, "workloads.py", args + ["--framework", "dagster"], None)
            found = _side_by_side(cells, repeats, "us_per_step", rounds={"dagster": DAGSTER_ROUNDS})
            rows.append((f"{workload} (in-process{variant})", n, found["specrun"], found.get("dagster"),
                         " us/step", {"hamilton": found.get("hamilton"), "before": found.get("before")}))
    return rows


INPROCESS_ROUNDS = [5]  # (`--rounds`) two 5-round tables of the same code can differ by ~10%


def _variants(n: int, first_only: bool) -> list[tuple[str, Optional[str]]]:
    """(row-name suffix, workloads.py flag) of the runs measured at this N (`first_only`: the
    first run alone, as --quick measures)."""
    if n != 1000 or first_only:
        return [("", None)]
    return [("", None), (", run 2", "--second"), (", defined + run", "--define")]


def prepare_bytecode(compile_it: bool) -> str:
    """Byte-compile specrun as `pip install` does (or remove its bytecode); say which.

    Each cell is a fresh process, and processes that import from source (an editable
    install under PYTHONDONTWRITEBYTECODE, as on the CI machines) would charge compiling
    specrun to every cell: tens of ms per process, once per Dask or multiprocess worker
    too. Dagster's side venv is byte-compiled by pip, so both sides start equal.
    """
    import compileall
    import shutil

    package = os.path.join(os.path.dirname(HERE), "specrun")
    if compile_it:
        compileall.compile_dir(package, quiet=1)
        return "(specrun byte-compiled, as an installed package is)"
    for folder, dirs, _ in os.walk(package):
        if "__pycache__" in dirs:
            shutil.rmtree(os.path.join(folder, "__pycache__"))
    return "(specrun without .pyc files: each process compiles its sources)"


BENCHMARKS: dict[str, Callable[[bool], list[tuple]]] = {"inprocess": inprocess_rows}

# How long one cell may take under valgrind (~50x slower than natively; a 1,000-step cell
# takes 30-60 s on a quiet machine, minutes under load).
CALLGRIND_TIMEOUT = 1800.0


def _instructions(python: str, script: str, args: list[str], env: Optional[dict] = None) -> Figure:
    """Instructions of the cell's timed call alone: the cell makes that call inside
    `functools.reduce` (`--instructions`), and callgrind counts only inside that C function.
    Load-independent, unlike wall time on a shared machine."""
    found = _callgrind(python, script, args, env)
    return found if isinstance(found, str) else found[0]


# `--misses`: the last-level cache callgrind simulates (1 MiB, 16-way, 64-byte lines), fixed
# so that counts do not depend on the machine's caches.
SIMULATED_LL = "--LL=1048576,16,64"


def _callgrind(python: str, script: str, args: list[str], env: Optional[dict] = None,
               cache: bool = False, timeout: float = CALLGRIND_TIMEOUT,
               ) -> Union[tuple[float, float], str]:
    """(instructions, simulated last-level cache misses: with `cache`, else 0) of the cell's
    timed call alone (see `_instructions`), or TIMEOUT / FAILED after `timeout` seconds."""
    simulate = ["--cache-sim=yes", SIMULATED_LL] if cache else []
    command = ["valgrind", "--tool=callgrind", "--toggle-collect=functools_reduce", *simulate,
               "--callgrind-out-file=/dev/null", python, os.path.join(HERE, script), *args, "--instructions"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, cwd=os.path.dirname(HERE),
                              env={**os.environ, **env} if env else None, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"  ! {script} {' '.join(args)}: no count within {timeout:.0f} s", file=sys.stderr)
        return TIMEOUT
    counted = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    missed = re.search(r"LL misses:\s*([\d,]+)", done.stderr) if cache else None
    if done.returncode != 0 or counted is None or (cache and missed is None):
        print(f"  ! {script} {' '.join(args)} failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return FAILED
    return float(counted.group(1)), float(missed.group(1).replace(",", "")) if missed else 0.0


def instruction_rows(sizes: list[int]) -> list[tuple]:
    """Instructions per step of the execute call: specrun's first run of a fresh job (what the
    wall-clock table times), the second run of the same job (per-job work cached) and defining
    the job together with its first run; beside Hamilton's `Driver.execute` (its graph built
    in `Driver.build`, not counted) and `Driver.build` + `execute`."""
    rows = []
    for workload, n, hamilton, _ in INPROCESS:
        if n not in sizes:
            continue
        args = ["--workload", workload, "--n", str(n)]
        cells: dict[str, tuple] = {
            "run 1": (sys.executable, "workloads.py", args, None),
            "run 2": (sys.executable, "workloads.py", args + ["--second"], None),
            "define+1": (sys.executable, "workloads.py", args + ["--define"], None)}
        if BEFORE["path"]:
            env = {"PYTHONPATH": BEFORE["path"]}
            cells["before 1"] = (sys.executable, "workloads.py", args, env)
            cells["before 2"] = (sys.executable, "workloads.py", args + ["--second"], env)
        if hamilton and os.path.exists(HAMILTON_PY):
            cells["hamilton"] = (HAMILTON_PY, "hamilton_workloads.py", args, None)
            cells["ham build"] = (HAMILTON_PY, "hamilton_workloads.py", args + ["--define"], None)
        found: dict[str, Figure] = {}
        for name, (python, script, cell_args, env) in cells.items():
            count = _instructions(python, script, cell_args, env)
            found[name] = count / n if isinstance(count, float) else count
            print(f"  {workload} {n} {name}: {_fmt(found[name])} instructions/step", file=sys.stderr)
        rows.append((workload, n, found))
    return rows


# Ratios of the instruction table: (label, specrun's column, Hamilton's column).
RATIOS = [("run1/ham", "run 1", "hamilton"), ("run2/ham", "run 2", "hamilton"),
          ("def/build", "define+1", "ham build")]


def print_instruction_table(rows: list[tuple]) -> None:
    names = ["run 1", "run 2", "define+1", "before 1", "before 2", "hamilton", "ham build"]
    shown = [c for c in names if any(c in r[2] for r in rows)]
    ratios = [r for r in RATIOS if r[1] in shown and r[2] in shown]
    header = (f"{'instructions/step':<24} {'N':>6}" + "".join(f" {c:>12}" for c in shown)
              + "".join(f" {label:>9}" for label, _, _ in ratios))
    print(header)
    print("-" * len(header))
    for workload, n, found in rows:
        line = f"{workload:<24} {n:>6}" + "".join(f" {_fmt(found.get(c)):>12}" for c in shown)
        for _, ours, theirs in ratios:
            a, b = found.get(ours), found.get(theirs)
            line += f" {a / b:>8.2f}x" if _both_figures(a, b) else f" {'-':>9}"
        print(line)


def _fmt(value: Figure, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, str):  # TIMEOUT / FAILED: no unit
        return value
    if value < 10:
        return f"{value:.2f}{unit}"
    return f"{value:,.1f}{unit}" if value < 1000 else f"{value:,.0f}{unit}"


def print_table(rows: list[tuple]) -> None:
    with_before = any(len(r) > 5 and r[5].get("before") is not None for r in rows)
    width = max([36] + [len(r[0]) for r in rows])
    header = (f"{'benchmark':<{width}} {'N':>6} {'specrun':>14}" + (f" {'before':>14}" if with_before else "")
              + f" {'hamilton':>14} {'spec/ham':>8} {'dagster':>14} {'dag/spec':>8}")
    print(header)
    print("-" * len(header))
    for row in rows:
        name, n, ours, theirs = row[:4]
        u = row[4] if len(row) > 4 else " us/step"
        extra = row[5] if len(row) > 5 else {}
        ham, before = extra.get("hamilton"), extra.get("before")
        vs_ham = f"{ours / ham:.2f}x" if _both_figures(ours, ham) else "-"
        vs_dag = f"{theirs / ours:,.0f}x" if _both_figures(ours, theirs) else "-"
        line = f"{name:<{width}} {n:>6} {_fmt(ours, u):>14}"
        if with_before:
            line += f" {_fmt(before, u):>14}"
        print(line + f" {_fmt(ham, u):>14} {vs_ham:>8} {_fmt(theirs, u):>14} {vs_dag:>8}")


def _both_figures(a: Figure, b: Figure) -> bool:
    return all(isinstance(v, (int, float)) and v > 0 for v in (a, b))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, metavar="N",
                        help=f"rounds of each in-process cell (default {INPROCESS_ROUNDS[0]}); the median is shown")
    parser.add_argument("--only", help="one group: inprocess, compile, cold, parallel, storage, templates, apply, dynamic")
    parser.add_argument("--before", metavar="PATH",
                        help="also measure the specrun at PATH (a checkout) in a column of its own")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="remove specrun's .pyc files first: every cell compiles the sources")
    parser.add_argument("--instructions", nargs="?", const="1000", metavar="N[,N]",
                        help="in-process cells in instructions per step (callgrind) instead of "
                             "wall time, at these N (default 1000): first and second run")
    parser.add_argument("--misses", nargs="?", const="1000,10000", metavar="N[,N]",
                        help="in-process cells' first run under callgrind's cache simulation: "
                             "instructions and simulated LL misses per step (default N 1000,10000); "
                             "with --before, of that checkout instead")
    args = parser.parse_args()
    if args.rounds is not None:
        if args.rounds < 1:
            parser.error("--rounds must be at least 1")
        INPROCESS_ROUNDS[0] = args.rounds
    print(prepare_bytecode(not args.no_bytecode))
    if args.before:
        BEFORE["path"] = os.path.abspath(args.before)
        if not args.no_bytecode:
            import compileall

            compileall.compile_dir(os.path.join(BEFORE["path"], "specrun"), quiet=1)
    if args.misses:
        import misses

        misses.print_miss_table(misses.miss_rows(sorted(int(n) for n in args.misses.split(",")),
                                                 BEFORE["path"]))
        return
    if args.instructions:
        print_instruction_table(instruction_rows([int(n) for n in args.instructions.split(",")]))
        return
    import bench_more

    bench_more.BEFORE = BEFORE  # this file runs as __main__: `from run import BEFORE` is another dict
    BENCHMARKS.update(bench_more.GROUPS)
    rows: list[tuple] = []
    for name, fn in BENCHMARKS.items():
        if args.only and args.only != name:
            continue
        rows.extend(fn(args.quick))
    if not os.path.exists(DAGSTER_PY):
        print("(Dagster not installed: run bench/setup_dagster.sh for the comparison column)")
    if not os.path.exists(HAMILTON_PY):
        print("(Hamilton not installed: run bench/setup_hamilton.sh for the comparison column)")
    print_table(rows)


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    main()
