"""Benchmarks: one command prints a table, comparing with Hamilton and Dagster when installed.

    python bench/run.py                    # everything; in-process cells: median of 5 rounds
    python bench/run.py --quick            # 1 round, Dagster skipped
    python bench/run.py --only inprocess   # one group
    python bench/run.py --before /tmp/old  # also an older checkout of specrun, side by side

Hamilton and Dagster live in side virtualenvs (bench/setup_hamilton.sh, bench/setup_dagster.sh),
never in specrun's own dependencies. Each cell runs in a fresh subprocess; only the execute
call is timed. In-process cells run side by side: each round runs every framework's cell once
in turn, so that load from other work on the machine falls on all of them alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from typing import Callable, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
DAGSTER_PY = os.path.join(HERE, ".dagster-venv", "bin", "python")


HAMILTON_PY = os.path.join(HERE, ".hamilton-venv", "bin", "python")
# --before PATH: a checkout of specrun (e.g. `git archive` of an older commit) measured in the
# same run, in a column of its own, by putting PATH first on the workers' PYTHONPATH.
BEFORE: dict[str, Optional[str]] = {"path": None}


def _worker(python: str, script: str, args: list[str], timeout: float = 900,
            env: Optional[dict] = None) -> Optional[dict]:
    proc = subprocess.run([python, os.path.join(HERE, script), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=os.path.dirname(HERE),
                          env={**os.environ, **env} if env else None)
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if proc.returncode != 0 or not lines:
        print(f"  ! {script} {' '.join(args)} failed: {proc.stderr.strip().splitlines()[-1:] }", file=sys.stderr)
        return None
    return json.loads(lines[-1])


def _median(python: str, script: str, args: list[str], repeats: int, key: str) -> Optional[float]:
    values = [r[key] for r in (_worker(python, script, args) for _ in range(repeats)) if r]
    return statistics.median(values) if values else None


def _side_by_side(cells: dict[str, tuple], repeats: int, key: str) -> dict[str, Optional[float]]:
    """Median of `repeats` rounds, each round running every cell once in turn, so that load
    from other work on the machine falls on all of them alike."""
    values: dict[str, list[float]] = {name: [] for name in cells}
    for _ in range(repeats):
        for name, (python, script, args, env) in cells.items():
            found = _worker(python, script, args, env=env)
            if found:
                values[name].append(found[key])
    return {name: statistics.median(v) if v else None for name, v in values.items()}


# (workload, N, whether Hamilton has it, whether Dagster runs it at this N in a full run)
INPROCESS = [
    ("chain", 1000, True, True), ("chain", 10000, True, False),
    ("fanout", 1000, True, True), ("fanout", 10000, True, False),
    ("fanin", 1000, True, True), ("fanin", 10000, True, False),
    ("materialize", 1000, False, True), ("materialize", 10000, False, False),
    ("materialize_to_memory", 1000, False, False),
]


def inprocess_rows(quick: bool) -> list[tuple]:
    """Per-step cost of in-process execution, specrun beside Hamilton and Dagster."""
    rows = []
    repeats = 1 if quick else 5
    for workload, n, hamilton, dagster in INPROCESS:
        args = ["--workload", workload, "--n", str(n)]
        cells = {"specrun": (sys.executable, "workloads.py", args + ["--framework", "specrun"], None)}
        if BEFORE["path"]:
            cells["before"] = (sys.executable, "workloads.py", args + ["--framework", "specrun"],
                               {"PYTHONPATH": BEFORE["path"]})
        if hamilton and os.path.exists(HAMILTON_PY):
            cells["hamilton"] = (HAMILTON_PY, "hamilton_workloads.py", args, None)
        if dagster and not quick and os.path.exists(DAGSTER_PY):
            cells["dagster"] = (DAGSTER_PY, "workloads.py", args + ["--framework", "dagster"], None)
        found = _side_by_side(cells, repeats, "us_per_step")
        rows.append((f"{workload} (in-process)", n, found["specrun"], found.get("dagster"), " us/step",
                     {"hamilton": found.get("hamilton"), "before": found.get("before")}))
    return rows


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


def _fmt(value: Optional[float], unit: str = "") -> str:
    if value is None:
        return "-"
    if value < 10:
        return f"{value:.2f}{unit}"
    return f"{value:,.1f}{unit}" if value < 1000 else f"{value:,.0f}{unit}"


def print_table(rows: list[tuple]) -> None:
    with_before = any(len(r) > 5 and r[5].get("before") is not None for r in rows)
    header = (f"{'benchmark':<36} {'N':>6} {'specrun':>14}" + (f" {'before':>14}" if with_before else "")
              + f" {'hamilton':>14} {'spec/ham':>8} {'dagster':>14} {'dag/spec':>8}")
    print(header)
    print("-" * len(header))
    for row in rows:
        name, n, ours, theirs = row[:4]
        u = row[4] if len(row) > 4 else " us/step"
        extra = row[5] if len(row) > 5 else {}
        ham, before = extra.get("hamilton"), extra.get("before")
        vs_ham = f"{ours / ham:.2f}x" if ours and ham else "-"
        vs_dag = f"{theirs / ours:,.0f}x" if ours and theirs else "-"
        line = f"{name:<36} {n:>6} {_fmt(ours) + u:>14}"
        if with_before:
            line += f" {_fmt(before) + u:>14}"
        print(line + f" {_fmt(ham) + u:>14} {vs_ham:>8} {_fmt(theirs) + u:>14} {vs_dag:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", help="one group: inprocess, compile, cold, parallel, storage, templates, apply, dynamic")
    parser.add_argument("--before", metavar="PATH",
                        help="also measure the specrun at PATH (a checkout) in a column of its own")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="remove specrun's .pyc files first: every cell compiles the sources")
    args = parser.parse_args()
    print(prepare_bytecode(not args.no_bytecode))
    if args.before:
        BEFORE["path"] = os.path.abspath(args.before)
        if not args.no_bytecode:
            import compileall

            compileall.compile_dir(os.path.join(BEFORE["path"], "specrun"), quiet=1)
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
