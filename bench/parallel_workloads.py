"""Parallel executor workloads, written against the shared API (specrun or dagster).

    python bench/parallel_workloads.py --framework specrun --workload sleep --executor multiprocess

sleep: 16 independent steps sleeping 0.5 s with 4 workers (ideal 2.0 s)
cpu:   16 CPU-bound steps of ~0.3 s on 2 workers (ideal 8 x one step)
noop:  200 independent no-op steps: per-step overhead
chain: 100 no-op steps, each reading the one before: the cost of a link

--framework dask (with --executor dask --existing-cluster) times Dask alone on the same kind
of cluster: the same bodies as plain Dask tasks (client.map; the chain as futures each
taking the one before), the floor a framework on Dask starts from.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parallel_ops  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--framework", default="specrun")
    parser.add_argument("--workload", required=True, choices=["sleep", "cpu", "noop", "chain"])
    parser.add_argument("--executor", default="multiprocess", choices=["multiprocess", "dask"])
    parser.add_argument("--existing-cluster", action="store_true",
                        help="dask: start the cluster before timing and connect by address")
    parser.add_argument("--preload", action="store_true",
                        help="with --existing-cluster: workers preload the framework's Dask worker "
                             "module (specrun: `dask worker --preload specrun.runtime.executors.dask_worker`)")
    parser.add_argument("--warm", action="store_true",
                        help="with --existing-cluster: one untimed run first, so the workers have "
                             "served a run (imports done) before the timed one")
    args = parser.parse_args()
    if args.framework == "dask":
        return raw_dask(args.workload, args.warm)
    fw = importlib.import_module(args.framework)
    job = parallel_ops.build_job(fw, args.workload, args.executor)
    workers = {"sleep": 4, "cpu": 2, "noop": 2, "chain": 2}[args.workload]
    base = tempfile.mkdtemp()
    if args.executor == "multiprocess":
        execution = {"config": {"max_concurrent": workers}}
    elif args.existing_cluster:
        from distributed import LocalCluster

        preload = {"specrun": ["specrun.runtime.executors.dask_worker"],
                   "dagster": ["dagster_dask.executor"]}[args.framework] if args.preload else []
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None, preload=preload)
        execution = {"config": {"cluster": {"existing": {"address": cluster.scheduler_address}}}}
        if args.framework == "specrun":
            execution = {"config": {"address": cluster.scheduler_address}}
    else:
        execution = {"config": {"cluster": {"local": {"n_workers": workers, "threads_per_worker": 1}}}}
        if args.framework == "specrun":
            execution = {"config": {"n_workers": workers, "threads_per_worker": 1}}
    run_config = {"execution": execution, "resources": {"io_manager": {"config": {"base_dir": base}}}}
    instance = fw.DagsterInstance.ephemeral() if args.framework == "specrun" else fw.DagsterInstance.local_temp()
    recon = fw.reconstructable(getattr(parallel_ops, f"{args.workload}_{args.executor}_{args.framework}"))
    # Looked up before timing: in specrun, `execute_job` is imported lazily (its module's
    # import, ~25 ms, is paid by `from specrun import execute_job`, not by a run).
    execute_job = fw.execute_job
    if args.warm:
        execute_job(recon, instance=instance, run_config=run_config)
    start, cpu = time.perf_counter(), time.process_time()
    result = execute_job(recon, instance=instance, run_config=run_config)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert result.success, [e.message for e in result.all_events if e.is_failure][:3]
    n = len(job.nodes) if hasattr(job, "nodes") else 0
    print(json.dumps({"framework": args.framework, "workload": args.workload, "executor": args.executor,
                      "seconds": seconds, "steps": n,
                      # this process's CPU (its threads: with --existing-cluster, the scheduler's too)
                      "parent_cpu_seconds": cpu}))


def raw_dask(workload: str, warm: bool) -> None:
    """Dask alone: the workload's bodies as plain tasks on a cluster started before timing."""
    from distributed import Client, LocalCluster

    workers = {"sleep": 4, "cpu": 2, "noop": 2, "chain": 2}[workload]
    with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster.scheduler_address) as client:
        if warm:
            parallel_ops.raw_dask_run(client, workload)
        start = time.perf_counter()
        count = parallel_ops.raw_dask_run(client, workload)
        seconds = time.perf_counter() - start
    print(json.dumps({"framework": "dask", "workload": workload, "executor": "dask",
                      "seconds": seconds, "steps": count}))


if __name__ == "__main__":
    main()
