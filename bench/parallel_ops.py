"""Jobs for parallel_workloads.py, defined at module level so both frameworks can rebuild
them in worker processes (`reconstructable`)."""

from __future__ import annotations

import importlib
import time


def _burn(seconds: float) -> int:
    end, n = time.process_time() + seconds, 0
    while time.process_time() < end:
        n += 1
    return n


def build_job(fw, workload: str, executor: str):
    count = 200 if workload == "noop" else 16
    body = {"sleep": lambda: time.sleep(0.5), "cpu": lambda: _burn(0.3), "noop": lambda: None}[workload]

    def make(i):
        @fw.op(name=f"step_{i}")
        def step():
            body()
            return i
        return step

    steps = [make(i) for i in range(count)]
    if executor == "multiprocess":
        executor_def = fw.multiprocess_executor
    else:
        executor_def = fw.dask_executor if fw.__name__ == "specrun" else importlib.import_module("dagster_dask").dask_executor

    @fw.job(name=f"{workload}_{executor}", executor_def=executor_def,
            resource_defs={"io_manager": fw.fs_io_manager})
    def parallel():
        for s in steps:
            s()
    return parallel


def _factory(framework: str, workload: str, executor: str):
    def get():
        return build_job(importlib.import_module(framework), workload, executor)
    get.__name__ = get.__qualname__ = f"{workload}_{executor}_{framework}"
    return get


for _fw in ("specrun", "dagster"):
    for _w in ("sleep", "cpu", "noop"):
        for _e in ("multiprocess", "dask"):
            globals()[f"{_w}_{_e}_{_fw}"] = _factory(_fw, _w, _e)
