"""Benchmark groups beyond in-process execution; registered into run.py's table."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

import time

from run import BEFORE, DAGSTER_PY, HERE, _median, _side_by_side, _worker


def compile_rows(quick: bool) -> list[tuple]:
    """validate+compile of generated specs (seconds, peak MB), cold and import-excluded."""
    rows = []
    for n in (1000, 10000):
        for fmt in ("yaml", "toml"):
            warm = _worker(sys.executable, "compile_worker.py", [str(n), fmt])
            cold = _worker(sys.executable, "compile_worker.py", [str(n), fmt, "--cold"])
            if warm:
                rows.append((f"compile {fmt} (excl. import)", n, warm["seconds"], None, " s"))
                rows.append((f"compile {fmt} peak memory", n, warm["peak_mb"], None, " MB"))
            if cold:
                rows.append((f"compile {fmt} (whole process)", n, cold["seconds"], None, " s"))
    return rows


def cold_validate_rows(quick: bool) -> list[tuple]:
    """`specrun validate` of the quickstart as a whole process, and `specrun --help`."""
    spec = os.path.join(os.path.dirname(HERE), "examples", "quickstart", "pipeline.yaml")
    exe = os.path.join(os.path.dirname(sys.executable), "specrun")
    rows = []
    for label, args in (("cold specrun validate (quickstart)", ["validate", spec]), ("specrun --help", ["--help"])):
        times = []
        for _ in range(3 if quick else 7):
            start = time.perf_counter()
            subprocess.run([exe, *args], capture_output=True, check=True)
            times.append(time.perf_counter() - start)
        rows.append((label, 1, statistics.median(times), None, " s"))
    return rows


PARALLEL_WORKLOADS = (("sleep", 16, "16 sleeps 0.5s, 4 workers (ideal 2.0)"),
                      ("cpu", 16, "16 cpu 0.3s, 2 workers (ideal 2.4)"),
                      ("noop", 200, "200 no-op steps, 2 workers"),
                      ("chain", 100, "chain of 100 no-op steps, 2 workers"))


# A parallel cell takes 1-20 s (Dagster's multiprocess 200 no-ops about a minute under load):
# one still going after this long hangs, and its cell says "timeout".
PARALLEL_TIMEOUT = 180.0


def parallel_rows(quick: bool) -> list[tuple]:
    """Executors: 16 x 0.5 s sleeps on 4 workers, 16 x 0.3 s CPU on 2, 200 no-ops, a 100-chain.

    dask-existing: a cluster started before timing (the timed run is its first); dask-warm:
    the same after one untimed run; dask-preloaded: workers started with specrun's worker
    preload (`dask worker --preload ...`; specrun only). With --before, the older checkout's
    cell runs beside specrun's in each round (side by side, as the in-process cells). Beside
    dask-warm, Dask alone runs the same bodies as plain tasks (its floor), in the same rounds."""
    rows = []
    have_dagster = os.path.exists(DAGSTER_PY)
    for executor in ("multiprocess", "dask", "dask-existing", "dask-warm", "dask-preloaded"):
        for workload, n, label in PARALLEL_WORKLOADS:
            args = ["--workload", workload, "--executor", executor.split("-")[0]]
            if executor != "dask" and executor.startswith("dask"):
                args.append("--existing-cluster")
            if executor in ("dask-preloaded", "dask-warm"):
                args.append("--preload" if executor == "dask-preloaded" else "--warm")
            cells = {"specrun": (sys.executable, "parallel_workloads.py", args, None)}
            if BEFORE["path"]:
                cells["before"] = (sys.executable, "parallel_workloads.py", args, {"PYTHONPATH": BEFORE["path"]})
            if executor == "dask-warm":  # Dask's own cost for the same tasks, in the same rounds
                cells["dask"] = (sys.executable, "parallel_workloads.py", args + ["--framework", "dask"], None)
            found = _side_by_side(cells, 1 if quick else 3, "seconds", timeout=PARALLEL_TIMEOUT)
            theirs = None
            dagster_runs_it = executor not in ("dask-preloaded", "dask-warm") and not (
                executor.startswith("dask") and not _has_dagster_dask())
            if have_dagster and not quick and dagster_runs_it:
                theirs = _median(DAGSTER_PY, "parallel_workloads.py", args + ["--framework", "dagster"], 1, "seconds",
                                 timeout=PARALLEL_TIMEOUT)
            rows.append((f"{executor}: {label}", n, found["specrun"], theirs, " s", {"before": found.get("before")}))
            if "dask" in found:
                rows.append(("  Dask alone, same kind of cluster (floor)", n, found["dask"], None, " s"))
    return rows


def _has_dagster_dask() -> bool:
    return subprocess.run([DAGSTER_PY, "-c", "import dagster_dask"], capture_output=True).returncode == 0


def storage_rows(quick: bool) -> list[tuple]:
    """Per-step overhead with persistent SQLite storage vs in memory; plan over 10,000 assets."""
    rows = []
    for label, args in (("materialize 1000, SQLite instance", ["sqlite"]),
                        ("materialize 1000, in-memory instance", ["memory"])):
        ours = _median(sys.executable, "storage_worker.py", args, 1 if quick else 3, "us_per_step")
        theirs = None
        if os.path.exists(DAGSTER_PY) and args == ["sqlite"] and not quick:
            theirs = _median(DAGSTER_PY, "storage_worker.py", ["dagster"], 1, "us_per_step")
        rows.append((label, 1000, ours, theirs))
    for label, arg in (("plan over 10,000 assets with history", "plan"),
                       ("plan 10,000, functions reaching helpers (deep code versions)", "plan-deep"),
                       ("plan 10,000 deep, after editing a helper all reach", "plan-deep-edited")):
        plan = _worker(sys.executable, "storage_worker.py", [arg])
        if plan:
            rows.append((label, 10000, plan["seconds"], None, " s"))
    return rows


def template_rows(quick: bool) -> list[tuple]:
    """Compile of a spec of N `use:` instances of one 10-asset template (N*10 assets), beside
    the plain spec of as many assets: what rendering and namespacing the instances adds."""
    rows = []
    for n in (100, 1000):
        found = [r for r in (_worker(sys.executable, "template_worker.py", [str(n)]) for _ in range(1 if quick else 3)) if r]
        plain = [r for r in (_worker(sys.executable, "compile_worker.py", [str(n * 10), "yaml"])
                             for _ in range(1 if quick else 3)) if r]
        if found:
            rows.append(("compile use: N x 10-asset template", n, statistics.median(r["seconds"] for r in found), None, " s"))
            rows.append(("  same, CPU seconds", n, statistics.median(r["cpu_seconds"] for r in found), None, " s"))
            rows.append(("  same, peak memory", n, statistics.median(r["peak_mb"] for r in found), None, " MB"))
        if plain:
            rows.append(("  plain spec, N*10 assets, CPU s", n, statistics.median(r["cpu_seconds"] for r in plain), None, " s"))
    return rows


def apply_rows(quick: bool) -> list[tuple]:
    """Whole-process `specrun apply` of a 1,000-asset chain: default SQLite store, fs IO manager.

    Each repeat applies a fresh copy of the project (nothing stored yet), so every asset runs
    and every materialization is committed before the step that reads it starts. Rows: wall
    seconds, then the process's user and system CPU seconds, each the median of the repeats;
    with `--before`, that checkout alternates with this one, each first in every other repeat. `specrun plan` of the same fresh
    project (1,000 rows to draw) is timed before each apply.

    Every project is written before the first timing and deleted after the last: nothing is
    deleted while an apply runs or just before. On ext4 without a journal (this VM's disk), each
    new file's inode allocation walks past every free inode of its block group deleted in the
    last minute, or longer while that inode's table block is not yet written back
    (`recently_deleted` in the kernel's inode allocator): an apply creating its 1,000 output
    files within minutes of mass deletions (a previous bench run's, a test suite's) paid up to
    0.6 s more system time (perf: `recently_deleted` under `ext4_create`). System time is still
    the disk's to set; the load average and the kernel's IO pressure are printed beside the rows."""
    import shutil
    import tempfile

    from spec_gen import write_chain_project

    exe = os.path.join(os.path.dirname(sys.executable), "specrun")
    sides = {"specrun": None, **({"before": {"PYTHONPATH": BEFORE["path"]}} if BEFORE["path"] else {})}
    repeats = 1 if quick else (4 if len(sides) > 1 else 3)  # (each side first in half the repeats)
    root = tempfile.mkdtemp(prefix="specrun-apply-bench-")
    found: dict[tuple[str, str, str], list[float]] = {}
    loads = []
    try:
        folders = {}
        for repeat in range(repeats):
            for side in sides:
                folders[repeat, side] = folder = os.path.join(root, f"{side}-{repeat}")
                os.mkdir(folder)
                write_chain_project(folder, 1000)
        pressure = _io_pressure()
        for repeat in range(repeats):
            order = list(sides.items())  # the side that runs first was slower in an A/A run
            for side, env in (order if repeat % 2 == 0 else order[::-1]):  # (1.51 s against 1.34)
                for command, seconds, user, system in _timed_apply(exe, env, folders[repeat, side]):
                    for label, value in (("wall", seconds), ("CPU user", user), ("CPU system", system)):
                        found.setdefault((command, label, side), []).append(value)
                loads.append(os.getloadavg()[0])
        pressure = _io_pressure() - pressure
    finally:
        shutil.rmtree(root, ignore_errors=True)
    timed = sum(sum(values) for (_, label, _), values in found.items() if label == "wall")
    print(f"  apply: load average {min(loads):.1f}-{max(loads):.1f} during the runs; some task stalled on IO"
          f" {pressure / 1e6:.2f} s of their {timed:.2f} s (/proc/pressure/io)", file=sys.stderr)
    rows = []
    for command in ("apply", "plan"):
        for label in ("wall", "CPU user", "CPU system"):
            before = found.get((command, label, "before"))
            extra = {"before": statistics.median(before)} if before else {}
            rows.append((f"specrun {command}, 1,000-asset chain, {label}", 1000,
                         statistics.median(found[(command, label, "specrun")]), None, " s", extra))
    return rows


def _io_pressure() -> float:
    """Microseconds some task has stalled on IO since boot (/proc/pressure/io), 0 where absent."""
    try:
        with open("/proc/pressure/io") as fh:
            return float(fh.readline().rsplit("total=", 1)[1])
    except (OSError, IndexError, ValueError):
        return 0.0


def _timed_apply(exe: str, env: "dict | None", folder: str) -> list[tuple[str, float, float, float]]:
    """(command, wall, user CPU, system CPU) seconds of `specrun plan` and then `specrun apply` of
    the project in `folder`."""
    import resource

    times = []
    for command in ("plan", "apply"):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([exe, command, "pipeline.yaml"], cwd=folder, capture_output=True, check=True,
                       env={**os.environ, **env} if env else None)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append((command, seconds, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime))
    return times


def dynamic_rows(quick: bool) -> list[tuple]:
    """Per-step cost of a 1,000-wide dynamic fan-out (emit -> 1,000 mapped no-ops -> collect),
    in process and under multiprocess (2 workers), beside a static fan-out of the same width.
    Dagster's cells are narrower (seconds per step under multiprocess, which starts a process
    per step): 200 wide in process, 10 under multiprocess; the label says so."""
    repeats = 1 if quick else 3
    rows = []
    for executor, dagster_n in (("in_process", 200), ("multiprocess", 10)):
        args = ["--executor", executor]
        ours = _median(sys.executable, "dynamic_workloads.py", args + ["--n", "1000"], repeats, "us_per_step")
        theirs = None
        if not quick and os.path.exists(DAGSTER_PY):
            theirs = _median(DAGSTER_PY, "dynamic_workloads.py",
                             args + ["--framework", "dagster", "--n", str(dagster_n)], 1, "us_per_step")
        label = f"dynamic fan-out ({executor}) [dagster: {dagster_n} wide]"
        rows.append((label, 1000, ours, theirs, " us/step"))
    static = _median(sys.executable, "workloads.py",
                     ["--framework", "specrun", "--workload", "fanout", "--n", "1000"], repeats, "us_per_step")
    rows.append(("static fan-out, same width (in_process)", 1000, static, None, " us/step"))
    return rows


GROUPS = {"compile": compile_rows, "cold": cold_validate_rows, "parallel": parallel_rows,
          "storage": storage_rows, "templates": template_rows, "apply": apply_rows,
          "dynamic": dynamic_rows}
