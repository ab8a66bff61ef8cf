"""Benchmarks: one command prints a table, comparing with Dagster when it is installed.

    python bench/run.py            # everything, median of 3 fresh processes per cell
    python bench/run.py --quick    # 1 repeat, Dagster skipped at N=1000
    python bench/run.py --only chain

Dagster lives in a side virtualenv (bench/setup_dagster.sh), never in specrun's own
dependencies. Each cell runs in a fresh subprocess; only the execute call is timed.
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


def _worker(python: str, script: str, args: list[str], timeout: float = 900) -> Optional[dict]:
    proc = subprocess.run([python, os.path.join(HERE, script), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=os.path.dirname(HERE))
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if proc.returncode != 0 or not lines:
        print(f"  ! {script} {' '.join(args)} failed: {proc.stderr.strip().splitlines()[-1:] }", file=sys.stderr)
        return None
    return json.loads(lines[-1])


def _median(python: str, script: str, args: list[str], repeats: int, key: str) -> Optional[float]:
    values = [r[key] for r in (_worker(python, script, args) for _ in range(repeats)) if r]
    return statistics.median(values) if values else None


def inprocess_rows(quick: bool) -> list[tuple]:
    """Per-step overhead of in-process execution: chains, fan-outs and asset materialization."""
    rows = []
    repeats = 1 if quick else 3
    have_dagster = os.path.exists(DAGSTER_PY)
    for workload in ("chain", "fanout", "materialize"):
        for n in (10, 100, 1000):
            args = ["--workload", workload, "--n", str(n)]
            ours = _median(sys.executable, "workloads.py", args + ["--framework", "specrun"], repeats, "us_per_step")
            theirs = None
            if have_dagster and not (quick and n == 1000):
                theirs = _median(DAGSTER_PY, "workloads.py", args + ["--framework", "dagster"], repeats, "us_per_step")
            rows.append((f"{workload} (in-process)", n, ours, theirs))
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
    header = f"{'benchmark':<34} {'N':>6} {'specrun':>14} {'dagster':>14} {'ratio':>8}"
    print(header)
    print("-" * len(header))
    for name, n, ours, theirs, *unit in rows:
        u = unit[0] if unit else " us/step"
        ratio = f"{theirs / ours:,.0f}x" if ours and theirs else "-"
        print(f"{name:<34} {n:>6} {_fmt(ours) + u:>14} {_fmt(theirs) + u:>14} {ratio:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", help="one group: inprocess, compile, cold, parallel, storage, templates")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="remove specrun's .pyc files first: every cell compiles the sources")
    args = parser.parse_args()
    print(prepare_bytecode(not args.no_bytecode))
    import bench_more

    BENCHMARKS.update(bench_more.GROUPS)
    rows: list[tuple] = []
    for name, fn in BENCHMARKS.items():
        if args.only and args.only != name:
            continue
        rows.extend(fn(args.quick))
    if not os.path.exists(DAGSTER_PY):
        print("(Dagster not installed: run bench/setup_dagster.sh for the comparison column)")
    print_table(rows)


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    main()
