"""`run.py --misses`: each in-process workload's first run under callgrind's cache simulation
(`run.SIMULATED_LL`), in instructions and simulated last-level cache misses per step.

At 10,000 steps the per-step instructions of a run are flat, while its time grows: tables as
large as the plan, read at random places, and objects touched long after they were made fall
out of cache. The misses count that growth without depending on load, as instructions do.
"""

from __future__ import annotations

import sys
from typing import Optional

from run import CALLGRIND_TIMEOUT, INPROCESS, _callgrind


def miss_rows(sizes: list[int], before: Optional[str] = None) -> list[tuple]:
    """(workload, N, instructions a step, simulated LL misses a step) of each in-process
    workload's first run at these N, in one callgrind run each: at 10,000 steps, what the
    run's memory costs beyond its instructions (issue #11's 10,000 / 1,000 target); `before`,
    a checkout of specrun measured instead (`run.py --before`)."""
    rows = []
    for workload, n, _, _ in INPROCESS:
        if n not in sizes:
            continue
        # A cell's time grows with N: under the cache simulation a 10,000-step first run took
        # 12 min at a load of 8 and 25 min at 10, and one was stopped at 30 min at 12-14.
        found = _callgrind(sys.executable, "workloads.py", ["--workload", workload, "--n", str(n)],
                           {"PYTHONPATH": before} if before else None, cache=True,
                           timeout=CALLGRIND_TIMEOUT * max(1.0, n / 1000))
        figures = found if isinstance(found, str) else (found[0] / n, found[1] / n)
        print(f"  {workload} {n}: {figures}", file=sys.stderr)
        rows.append((workload, n, figures))
    return rows


def print_miss_table(rows: list[tuple]) -> None:
    """Instructions and simulated LL misses a step; each row's ratio to the same workload's
    smallest N."""
    header = f"{'first run, a step':<24} {'N':>6} {'instructions':>13} {'LL misses':>10} {'misses/smallest N':>18}"
    print(header)
    print("-" * len(header))
    smallest: dict[str, float] = {}
    for workload, n, figures in rows:
        if isinstance(figures, str):
            print(f"{workload:<24} {n:>6} {figures:>13}")
            continue
        ratio = f"{figures[1] / smallest[workload]:.2f}" if workload in smallest else "-"
        smallest.setdefault(workload, figures[1])
        print(f"{workload:<24} {n:>6} {figures[0]:>13,.0f} {figures[1]:>10.1f} {ratio:>18}")
