"""How fast multiprocess workers go away when `specrun apply` is killed or canceled.

    python bench/worker_lifetime.py            # 5 rounds of each case
    python bench/worker_lifetime.py --rounds 2

Each round starts `specrun apply` on a two-asset spec (multiprocess, two workers: one busy in
a step that sleeps, one idle) in a fresh folder, then:
  - kill:    SIGKILL of apply; time until every worker is gone from /proc;
  - cancel:  SIGTERM of apply; time until apply exits (the workers ran their teardown);
  - grace:   SIGTERM of apply, teardown that sleeps 60 s, teardown_grace_seconds 1; time until
             apply exits (the worker was killed after the grace period).
Prints a table of the median and the worst round. Bounded: each round gives up after 60 s.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from tests.procs import alive as _alive, children as _children, wait_until  # noqa: E402

MODULE = '''\
import os
import time

from specrun import resource

HERE = os.path.dirname(os.path.abspath(__file__))


@resource
def conn(init_context):
    yield "connection"
    time.sleep(float(os.environ.get("TEARDOWN_SECONDS", "0")))


def idle():
    return 1


def busy(context):
    open(os.path.join(HERE, "busy.pid"), "w").write(str(os.getpid()))
    time.sleep(120)
'''

SPEC = ("specrun: 1\nname: life\nmodule: life\n"
        "executor: {{type: multiprocess, config: {{max_concurrent: 2, teardown_grace_seconds: {grace}}}}}\n"
        "resources:\n  conn: {{type: life:conn}}\n"
        "  io_manager: {{type: fs, config: {{base_dir: .specrun/storage}}}}\n"
        "assets:\n  idle: {{fn: idle}}\n  busy: {{fn: busy, resources: [conn]}}\n")


def _poll(what) -> bool:
    return wait_until(what, 60.0, every=0.005)


def one_round(case: str) -> float:
    folder = tempfile.mkdtemp(prefix="specrun-life-")
    grace, teardown = (1, "60") if case == "grace" else (5, "0")
    with open(os.path.join(folder, "life.py"), "w") as fh:
        fh.write(MODULE)
    with open(os.path.join(folder, "life.yaml"), "w") as fh:
        fh.write(SPEC.format(grace=grace))
    env = {**os.environ, "CI": "true", "TEARDOWN_SECONDS": teardown}
    apply = subprocess.Popen([sys.executable, "-m", "specrun.cli", "apply", "life.yaml"], cwd=folder,
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not _poll(lambda: os.path.exists(os.path.join(folder, "busy.pid")) and len(_children(apply.pid)) >= 2):
        apply.kill()
        raise RuntimeError("apply did not start its workers within 60 s")
    time.sleep(0.2)  # the idle worker has reported its step and waits for work
    workers = _children(apply.pid)
    started = time.monotonic()
    if case == "kill":
        apply.kill()
        apply.wait()
        if not _poll(lambda: not any(_alive(p) for p in workers)):
            raise RuntimeError(f"workers {workers} still alive 60 s after apply was killed")
    else:
        apply.send_signal(signal.SIGTERM)
        apply.wait(timeout=60)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"{'case':<8} {'what is timed':<48} {'median s':>9} {'worst s':>8}")
    what = {"kill": "SIGKILL of apply -> last worker gone",
            "cancel": "SIGTERM of apply -> apply exited (teardown ran)",
            "grace": "SIGTERM, 60 s teardown, grace 1 s -> exited"}
    for case in ("kill", "cancel", "grace"):
        times = [one_round(case) for _ in range(args.rounds)]
        print(f"{case:<8} {what[case]:<48} {statistics.median(times):>9.3f} {max(times):>8.3f}")


if __name__ == "__main__":
    main()
