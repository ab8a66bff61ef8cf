"""Per-step overhead of a dynamic fan-out, on specrun or Dagster (shared API).

    python bench/dynamic_workloads.py --framework specrun --executor in_process --n 1000

prints one JSON line {"framework", "executor", "n", "steps", "seconds", "us_per_step"}: the run
of `dynamic_ops.build_job` (N mapped no-op steps between an emitter and a collect), only the
execute call timed. Multiprocess: 2 workers, the filesystem IO manager in a temp folder.
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
import dynamic_ops  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--framework", default="specrun")
    parser.add_argument("--executor", default="in_process", choices=["in_process", "multiprocess"])
    parser.add_argument("--n", type=int, required=True)
    args = parser.parse_args()
    fw = importlib.import_module(args.framework)
    os.environ["FAN_N"] = str(args.n)
    if args.executor == "in_process":
        dynamic_ops.build_job(fw, "in_process", 2).execute_in_process()  # imports not timed
        job = dynamic_ops.build_job(fw, "in_process", args.n)
        start = time.perf_counter()
        result = job.execute_in_process()
    else:
        base = tempfile.mkdtemp()
        run_config = {"execution": {"config": {"max_concurrent": 2}},
                      "resources": {"io_manager": {"config": {"base_dir": base}}}}
        instance = fw.DagsterInstance.ephemeral() if args.framework == "specrun" else fw.DagsterInstance.local_temp()
        recon = fw.reconstructable(getattr(dynamic_ops, f"multiprocess_{args.framework}"))
        start = time.perf_counter()
        result = fw.execute_job(recon, instance=instance, run_config=run_config)
    seconds = time.perf_counter() - start
    assert result.success, [e.message for e in result.all_events if e.is_failure][:3]
    steps = args.n + 2
    print(json.dumps({"framework": args.framework, "executor": args.executor, "n": args.n,
                      "steps": steps, "seconds": seconds, "us_per_step": seconds / steps * 1e6}))


if __name__ == "__main__":
    main()
