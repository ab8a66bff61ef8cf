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
    count = {"noop": 200, "chain": 100}.get(workload, 16)
    body = {"sleep": lambda: time.sleep(0.5), "cpu": lambda: _burn(0.3)}.get(workload, lambda: None)
    if workload == "chain":
        return _chain_job(fw, count, executor)

    def make(i):
        @fw.op(name=f"step_{i}")
        def step():
            body()
            return i
        return step

    steps = [make(i) for i in range(count)]
    executor_def = _executor_def(fw, executor)

    @fw.job(name=f"{workload}_{executor}", executor_def=executor_def,
            resource_defs={"io_manager": fw.fs_io_manager})
    def parallel():
        for s in steps:
            s()
    return parallel


def _executor_def(fw, executor: str):
    if executor == "multiprocess":
        return fw.multiprocess_executor
    return fw.dask_executor if fw.__name__ == "specrun" else importlib.import_module("dagster_dask").dask_executor


def _chain_job(fw, count: int, executor: str):
    """`count` no-op steps, each reading the one before: the cost of a link."""

    @fw.op(name="link_0")
    def first():
        return 0

    def make(i):
        @fw.op(name=f"link_{i}")
        def link(value):
            return value + 1
        return link

    links = [make(i) for i in range(1, count)]

    @fw.job(name=f"chain_{executor}", executor_def=_executor_def(fw, executor),
            resource_defs={"io_manager": fw.fs_io_manager})
    def chain():
        value = first()
        for link in links:
            value = link(value)
    return chain


def _raw_body(workload: str, value: int = 0) -> int:
    {"sleep": lambda: time.sleep(0.5), "cpu": lambda: _burn(0.3)}.get(workload, lambda: None)()
    return value + 1


def raw_dask_run(client, workload: str) -> int:
    """The workload as plain Dask tasks (no framework); how many tasks ran."""
    count = {"noop": 200, "chain": 100}.get(workload, 16)
    if workload == "chain":  # each task takes the one before: no round trip through the client
        future = client.submit(_raw_body, workload, 0, pure=False)
        for _ in range(count - 1):
            future = client.submit(_raw_body, workload, future, pure=False)
        future.result()
    else:
        client.gather(client.map(_raw_body, [workload] * count, pure=False))
    return count


def _factory(framework: str, workload: str, executor: str):
    def get():
        return build_job(importlib.import_module(framework), workload, executor)
    get.__name__ = get.__qualname__ = f"{workload}_{executor}_{framework}"
    return get


for _fw in ("specrun", "dagster"):
    for _w in ("sleep", "cpu", "noop", "chain"):
        for _e in ("multiprocess", "dask"):
            globals()[f"{_w}_{_e}_{_fw}"] = _factory(_fw, _w, _e)
