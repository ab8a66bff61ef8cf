"""A dynamic fan-out for dynamic_workloads.py, at module level so both frameworks can rebuild
it in worker processes (`reconstructable`): `emit` yields N values, `work` (a no-op) is
mapped over them, `total` collects them. N + 2 steps."""

from __future__ import annotations

import importlib
import os


def build_job(fw, executor: str, n: int):
    @fw.op(out=fw.DynamicOut())
    def emit():
        for i in range(n):
            yield fw.DynamicOutput(i, mapping_key=f"k{i}")

    @fw.op
    def work(value):
        return value

    @fw.op
    def total(values):
        return len(values)

    kwargs = {}
    if executor == "multiprocess":
        kwargs = {"executor_def": fw.multiprocess_executor, "resource_defs": {"io_manager": fw.fs_io_manager}}

    @fw.job(name=f"dynamic_{executor}_{n}", **kwargs)
    def fanned():
        total(emit().map(work).collect())
    return fanned


def multiprocess_specrun():
    return build_job(importlib.import_module("specrun"), "multiprocess", int(os.environ["FAN_N"]))


def multiprocess_dagster():
    return build_job(importlib.import_module("dagster"), "multiprocess", int(os.environ["FAN_N"]))
