"""Benchmark workloads written once against the shared API and run on either framework.

    python bench/workloads.py --framework specrun|dagster --workload chain --n 1000

Workloads: chain, fanout, fanin (ops, `execute_in_process`); materialize (an asset chain, with
the in-memory IO manager), materialize_to_memory (an asset chain), asset_fanout and asset_fanin
(`materialize_to_memory` of one root asset feeding N - 1, and of N - 1 roots feeding one).

prints one JSON line: {"workload", "n", "steps", "seconds", "us_per_step"}. Only the
execute call is timed: imports and definition building are excluded.

`--second` runs the workload once untimed first and times the second run of the same job
(what a job pays once its per-job work is cached). `--define` times defining the job (its ops'
or assets' decorators and the job's composition) together with its first run: what a process
that defines a job and runs it once pays, to compare with Hamilton's `Driver.build` + `execute`. `--instructions` makes the timed call
inside `functools.reduce`, so that `valgrind --tool=callgrind --toggle-collect=functools_reduce`
counts the instructions of that call alone (see `run.py --instructions`).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import sys
import time


def _op_factory(fw, name, with_input):
    if with_input:
        @fw.op(name=name, ins={"x": fw.In()})
        def step(x):
            return x
    else:
        @fw.op(name=name)
        def step():
            return 1
    return step


def chain_job(fw, n):
    first = _op_factory(fw, "op_0", False)
    rest = [_op_factory(fw, f"op_{i}", True) for i in range(1, n)]

    @fw.job(name=f"chain_{n}")
    def chain():
        value = first()
        for o in rest:
            value = o(value)
    return chain, n


def fanout_job(fw, n):
    root = _op_factory(fw, "root", False)
    leaves = [_op_factory(fw, f"leaf_{i}", True) for i in range(1, n)]

    @fw.job(name=f"fanout_{n}")
    def fanout():
        value = root()
        for leaf in leaves:
            leaf(value)
    return fanout, n


def fanin_job(fw, n):
    sources = [_op_factory(fw, f"src_{i}", False) for i in range(1, n)]

    @fw.op(name="join", ins={"xs": fw.In()})
    def join(xs):
        return len(xs)

    @fw.job(name=f"fanin_{n}")
    def fanin():
        join([s() for s in sources])
    return fanin, n


def asset_chain(fw, n):
    @fw.asset(name="a_0")
    def a0():
        return 1
    assets = [a0]
    for i in range(1, n):
        def make(i):
            @fw.asset(name=f"a_{i}", ins={"up": fw.AssetIn(f"a_{i - 1}")})
            def a(up):
                return up
            return a
        assets.append(make(i))
    return assets, n


def asset_fanout(fw, n):
    """One root asset feeding n - 1 leaves."""
    @fw.asset(name="root")
    def root():
        return 1
    assets = [root]
    for i in range(1, n):
        @fw.asset(name=f"leaf_{i}", ins={"up": fw.AssetIn("root")})
        def leaf(up):
            return up
        assets.append(leaf)
    return assets, n


def asset_fanin(fw, n):
    """n - 1 root assets feeding one asset, each through an input of its own."""
    assets = []
    for i in range(1, n):
        @fw.asset(name=f"src_{i}")
        def src():
            return 1
        assets.append(src)
    names = [f"src_{i}" for i in range(1, n)]
    # Both frameworks match an asset's inputs to its function's parameters by name.
    namespace: dict = {}
    exec(f"def join({', '.join(names)}):\n    return {len(names)}", namespace)
    assets.append(fw.asset(name="join", ins={name: fw.AssetIn(name) for name in names})(namespace["join"]))
    return assets, n


# The asset workloads: what makes the assets, and how they are materialized.
ASSET_WORKLOADS = {"materialize": asset_chain, "materialize_to_memory": asset_chain,
                   "asset_fanout": asset_fanout, "asset_fanin": asset_fanin}


def warm_up(fw) -> None:
    """One tiny run first, so lazily imported modules are not timed (for either framework)."""
    job, _ = chain_job(fw, 1)
    job.execute_in_process()
    assets, _ = asset_chain(fw, 1)
    fw.materialize(assets, resources={"io_manager": fw.mem_io_manager})


def _workload_call(fw, workload: str, n: int, define: bool = False):
    """The call to time, and how many steps it runs; with `define`, the call also defines the
    job (or the assets) before running it."""
    if workload in ("chain", "fanout", "fanin"):
        make = {"chain": chain_job, "fanout": fanout_job, "fanin": fanin_job}[workload]
        if define:
            return lambda: make(fw, n)[0].execute_in_process(), n
        job, steps = make(fw, n)
        return job.execute_in_process, steps
    if workload not in ASSET_WORKLOADS:
        raise SystemExit(f"unknown workload {workload}")
    make = ASSET_WORKLOADS[workload]
    if workload == "materialize":
        run = lambda assets: fw.materialize(assets, resources={"io_manager": fw.mem_io_manager})  # noqa: E731
    else:
        run = fw.materialize_to_memory
    if define:
        return lambda: run(make(fw, n)[0]), n
    assets, steps = make(fw, n)
    return lambda: run(assets), steps


def timed_call(call, instructions: bool):
    """`call()`; with `instructions`, inside the one C function callgrind is told to count
    (`--toggle-collect=functools_reduce`), so that nothing else in the process is counted."""
    if instructions:
        return functools.reduce(lambda _acc, _item: call(), [0], None)
    return call()


def run(framework: str, workload: str, n: int, second: bool = False, instructions: bool = False,
        define: bool = False) -> dict:
    if second and define:
        raise SystemExit("--second and --define exclude each other")
    fw = importlib.import_module(framework)
    warm_up(fw)
    call, steps = _workload_call(fw, workload, n, define)
    if second:
        assert call().success
    start = time.perf_counter()
    result = timed_call(call, instructions)
    seconds = time.perf_counter() - start
    assert result.success
    return {"framework": framework, "workload": workload, "n": n, "steps": steps, "run": "define+1" if define else (2 if second else 1),
            "seconds": seconds, "us_per_step": seconds / steps * 1e6}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--framework", default="specrun")
    parser.add_argument("--workload", required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--second", action="store_true", help="time the second run of the job")
    parser.add_argument("--define", action="store_true",
                        help="time defining the job together with its first run")
    parser.add_argument("--instructions", action="store_true",
                        help="make the timed call inside functools.reduce (for callgrind)")
    args = parser.parse_args()
    sys.setrecursionlimit(10000)
    print(json.dumps(run(args.framework, args.workload, args.n, args.second, args.instructions, args.define)))
