"""The in-process workloads of `workloads.py`, written for Hamilton (run in bench/.hamilton-venv).

    bench/.hamilton-venv/bin/python bench/hamilton_workloads.py --workload chain --n 1000

prints one JSON line like `workloads.py`. Hamilton's nodes are functions in a module, each
parameter naming the node it reads, so the module's source is generated; only the
`execute` call is timed (the driver, which builds Hamilton's graph, is built before);
with `--define`, building the driver is timed too (the module's functions exist before:
defining them is Python's work, not Hamilton's).
`--instructions`: the timed call runs inside `functools.reduce`, for callgrind's
`--toggle-collect=functools_reduce` (see `run.py --instructions`).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
import types


def _module(source: str) -> types.ModuleType:
    module = types.ModuleType("bench_nodes")
    exec(compile(source, "bench_nodes", "exec"), module.__dict__)
    sys.modules["bench_nodes"] = module
    return module


def _source(workload: str, n: int) -> tuple[str, list[str]]:
    """Module source and the outputs to request."""
    if workload == "chain":
        lines = ["def n_0() -> int:\n    return 1\n"]
        lines += [f"def n_{i}(n_{i - 1}: int) -> int:\n    return n_{i - 1}\n" for i in range(1, n)]
        return "\n".join(lines), [f"n_{n - 1}"]
    if workload == "fanout":
        lines = ["def root() -> int:\n    return 1\n"]
        lines += [f"def leaf_{i}(root: int) -> int:\n    return root\n" for i in range(1, n)]
        return "\n".join(lines), [f"leaf_{i}" for i in range(1, n)]
    if workload == "fanin":
        lines = [f"def src_{i}() -> int:\n    return 1\n" for i in range(1, n)]
        params = ", ".join(f"src_{i}: int" for i in range(1, n))
        lines.append(f"def join({params}) -> int:\n    return {n - 1}\n")
        return "\n".join(lines), ["join"]
    raise SystemExit(f"unknown workload {workload}")


def run(workload: str, n: int, instructions: bool = False, define: bool = False) -> dict:
    from hamilton import driver

    warm = driver.Builder().with_modules(_module(_source("chain", 2)[0])).build()
    warm.execute(["n_1"])
    source, outputs = _source(workload, n)
    module = _module(source)
    if define:
        call = lambda: driver.Builder().with_modules(module).build().execute(outputs)  # noqa: E731
    else:
        dr = driver.Builder().with_modules(module).build()
        call = lambda: dr.execute(outputs)  # noqa: E731
    start = time.perf_counter()
    if instructions:  # counted by callgrind alone: see workloads.timed_call
        result = functools.reduce(lambda _acc, _item: call(), [0], None)
    else:
        result = call()
    seconds = time.perf_counter() - start
    assert len(result) == len(outputs)
    return {"framework": "hamilton", "workload": workload, "n": n, "steps": n, "define": define,
            "seconds": seconds, "us_per_step": seconds / n * 1e6}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--workload", required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--define", action="store_true", help="time building the driver too")
    parser.add_argument("--instructions", action="store_true",
                        help="make the timed call inside functools.reduce (for callgrind)")
    args = parser.parse_args()
    sys.setrecursionlimit(100000)
    print(json.dumps(run(args.workload, args.n, args.instructions, args.define)))
