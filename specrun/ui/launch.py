"""Launching runs from the UI: the page's "materialize" and "re-execute from failure" start
`specrun apply` / `specrun reexecute` as their own process, so a launched run takes exactly the
CLI's code path (same plan, executor and storage) and goes on when the page or the server
closes. The run is found by the launching process's pid, which the run record keeps."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Optional, Sequence

_CLI = "import sys; from specrun.cli import main; main(prog_name='specrun')"


@dataclass
class Launched:
    """A launched command: its run (when one started) or what it printed instead."""

    run_id: Optional[str]
    pid: int
    message: str
    exit_code: Optional[int]
    log_path: str


def spec_args(var: Sequence[str] = (), vars_file: Optional[str] = None) -> list[str]:
    args = [a for v in var for a in ("--var", v)]
    return args + (["--vars", vars_file] if vars_file else [])


def apply_args(spec: str, select: str = "", partitions: str = "", force: bool = False,
               spec_extra: Sequence[str] = ()) -> list[str]:
    """The `specrun apply` command line for a selection (and a partition range) of `spec`."""
    args = ["apply", spec, *spec_extra]
    if select.strip():
        args += ["--select", select.strip()]
    if partitions.strip():
        args += ["--partitions", partitions.strip()]
    if force:
        args.append("--force")
    return args


def _find_run(instance: Any, pid: int, since: float) -> Optional[str]:
    for run in instance.get_runs(limit=20):
        if run.pid == pid and (run.start_time or 0) >= since - 1:
            return run.run_id
    return None


def launch(instance: Any, args: Sequence[str], log_dir: str, timeout: float = 60.0) -> Launched:
    """Start `specrun ARGS` in its own session; wait until its run is recorded, or it exits."""
    os.makedirs(log_dir, exist_ok=True)
    since = time.time()
    log_path = os.path.join(log_dir, f"launch-{int(since * 1000)}.log")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-c", _CLI, *args], stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    threading.Thread(target=proc.wait, daemon=True).start()  # reaped when it ends
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run_id = _find_run(instance, proc.pid, since)
        if run_id is not None:
            return Launched(run_id, proc.pid, "started", None, log_path)
        if proc.poll() is not None:
            run_id = _find_run(instance, proc.pid, since)
            return Launched(run_id, proc.pid, _read(log_path), proc.returncode, log_path)
        time.sleep(0.05)
    return Launched(None, proc.pid, f"no run recorded after {timeout:.0f}s; see {log_path}", None,
                    log_path)


def _read(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().strip()[-4000:]
