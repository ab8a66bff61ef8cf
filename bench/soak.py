"""Soak test of specrun's storage promises: `apply` killed at random moments, concurrent applies.

    nice -n 15 python bench/soak.py                  # about 4 minutes, SQLite and PostgreSQL
    python bench/soak.py --seconds 60 --kills 5 --concurrent 3

Two kinds of rounds, each bounded in count (and all of them together in time):

- kill: `specrun apply --force` (in_process, then multiprocess) SIGKILLed at a random moment
  of its run; then the next `plan` is checked (see `check`), then `apply` finishes the work and
  the store is checked again (everything up to date, every value right).
- concurrent: three `specrun apply`s (mixed executors) started at once on one store (SQLite,
  then PostgreSQL when a server answers at SPECRUN_TEST_POSTGRES_URL) after the source's code
  version changed; every asset must be computed once, and the store checked as above.

`check`: for every asset the plan says is up to date, its stored file must exist and match its
record (size and sha256), and its value must be the function of its upstream values that the
module computes; a plan that trusts anything else is an inconsistency. The table gives rounds,
kills, kills after which a worker process was still alive half a second later (they are
then killed: they hold the output pipes), duplicate computations and inconsistencies.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

MODULE = '''\
import os
import random
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _called(name):
    with open(os.path.join(HERE, "calls.log"), "a") as fh:
        fh.write(name + "\\n")
    time.sleep(random.uniform(0, 0.03))


def src():
    _called("src")
    with open(os.path.join(HERE, "value.txt")) as fh:
        return int(fh.read())


def a(src):
    _called("a")
    return src * 2


def b(a):
    _called("b")
    return a + 1


def c(b):
    _called("c")
    return b * 3


def d(a, c):
    _called("d")
    return a + c
'''
UPSTREAM = {"src": (), "a": ("src",), "b": ("a",), "c": ("b",), "d": ("a", "c")}
RULES = {"a": lambda v: v["src"] * 2, "b": lambda v: v["a"] + 1, "c": lambda v: v["b"] * 3,
         "d": lambda v: v["a"] + v["c"]}


def spec_text(url: str, version: int) -> str:
    return (f"specrun: 1\nname: soak\nmodule: soakm\nstorage: {{url: '{url}'}}\n"
            "resources:\n  io_manager: {type: fs, config: {base_dir: .specrun/storage}}\n"
            f"assets:\n  src: {{fn: src, code_version: 'v{version}'}}\n  a: {{fn: a}}\n  b: {{fn: b}}\n"
            "  c: {fn: c}\n  d: {fn: d}\n")


class Project:
    """A spec folder with its own store (SQLite in the folder, or a fresh PostgreSQL database)."""

    def __init__(self, root: str, url: str) -> None:
        self.root, self.url, self.version = root, url, 0
        os.makedirs(root, exist_ok=True)
        with open(os.path.join(root, "soakm.py"), "w") as fh:
            fh.write(MODULE)
        self.set_value(1)
        self.bump()

    def bump(self) -> None:
        self.version += 1
        with open(os.path.join(self.root, "soak.yaml"), "w") as fh:
            fh.write(spec_text(self.url, self.version))

    def set_value(self, value: int) -> None:
        with open(os.path.join(self.root, "value.txt"), "w") as fh:
            fh.write(str(value))

    def start(self, *args: str) -> subprocess.Popen:
        env = {**os.environ, "CI": "true"}
        env.pop("SPECRUN_STORAGE_URL", None)
        return subprocess.Popen([sys.executable, "-m", "specrun.cli", *args], cwd=self.root, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)

    def run(self, *args: str) -> subprocess.CompletedProcess:
        proc = self.start(*args)
        out, err = proc.communicate(timeout=300)
        return subprocess.CompletedProcess(args, proc.returncode, out, err)

    def calls(self) -> list[str]:
        try:
            with open(os.path.join(self.root, "calls.log")) as fh:
                return fh.read().split()
        except FileNotFoundError:
            return []

    def plan(self) -> dict[str, bool]:
        done = self.run("plan", "soak.yaml", "--format", "json")
        steps = json.loads(done.stdout)["steps"]
        return {s["asset"]: s["run"] for s in steps}

    def records(self) -> dict[str, dict]:
        from specrun.compiler import in_folder
        from specrun.runtime.definitions.keys import AssetKey
        from specrun.runtime.storage import open_run_storage

        store = open_run_storage(in_folder(self.root, self.url) or self.url)
        try:
            found = store.latest_versions()
        finally:
            store.close()
        return {k.to_user_string(): dict(v.stored or {}) for (k, _), v in found.items() if isinstance(k, AssetKey)}


def check(project: Project) -> list[str]:
    """What the next plan trusts that it should not (see the module docstring)."""
    problems, values = [], {}
    runs = project.plan()
    records = project.records()
    for asset in UPSTREAM:  # dependency order
        if runs.get(asset, True):
            continue
        facts = records.get(asset) or {}
        path = facts.get("path")
        if not path or not os.path.isfile(path):
            problems.append(f"{asset}: plan trusts it, but its recorded file {path} is missing")
            continue
        data = open(path, "rb").read()
        if len(data) != facts.get("size") or hashlib.sha256(data).hexdigest() != facts.get("sha256"):
            problems.append(f"{asset}: plan trusts it, but its file does not match its record")
            continue
        values[asset] = pickle.loads(data)
        if asset in RULES and all(u in values for u in UPSTREAM[asset]):
            want = RULES[asset](values)
            if values[asset] != want:
                problems.append(f"{asset}: plan trusts {values[asset]}, but its upstream values make {want}")
    return problems


def finish(project: Project) -> list[str]:
    """Apply what is left; afterwards nothing may be left to run and every value must be right."""
    done = project.run("apply", "soak.yaml")
    if done.returncode != 0:
        return [f"the apply after the round failed: {done.stderr.strip()[-300:]}"]
    problems = check(project)
    left = [a for a, run in project.plan().items() if run]
    if left:
        problems.append(f"after a complete apply, plan still runs {left}")
    return problems


def kill_rounds(project: Project, executor: str, rounds: int, deadline: float, stats: dict) -> None:
    took = []
    for _ in range(2):  # the second one shows how long a warm apply takes
        started = time.monotonic()
        warm = project.run("apply", "soak.yaml", "--force", "--executor", executor)
        took.append(max(time.monotonic() - started, 0.2))
        if warm.returncode != 0:
            raise SystemExit(f"a warm-up apply failed: {warm.stderr}")
    for n in range(rounds):
        if time.monotonic() > deadline:
            break
        project.set_value(random.randint(1, 10**6))
        proc = project.start("apply", "soak.yaml", "--force", "--executor", executor)
        time.sleep(random.uniform(0.2, 1.0) * took[-1])  # start-up (imports, compile) is the first part
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            stats["kills"] += 1
            proc.wait(timeout=60)
            time.sleep(0.5)  # workers of a killed parent are meant to end on their own
            if _live_members(proc.pid):  # anything of the run still alive?
                stats["orphans"] += 1
                os.killpg(proc.pid, signal.SIGKILL)  # they hold the output pipes open
        proc.communicate(timeout=300)
        stats["rounds"] += 1
        stats["problems"] += check(project) + finish(project)


def _live_members(pgid: int) -> list[int]:
    """Processes of process group `pgid` that are still running. A worker that died with its
    parent is re-parented to PID 1 and stays a zombie until PID 1 reaps it (in a container
    that can take a second): it holds nothing and is not counted."""
    live = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                live.append(int(name))
    return live


def concurrent_rounds(project: Project, rounds: int, deadline: float, stats: dict) -> None:
    project.run("apply", "soak.yaml")
    for n in range(rounds):
        if time.monotonic() > deadline:
            break
        project.bump()  # the source's code version changed: every asset is stale
        project.set_value(random.randint(1, 10**6))
        before = len(project.calls())
        procs = [project.start("apply", "soak.yaml", "--executor", random.choice(["in_process", "multiprocess"]))
                 for _ in range(3)]
        results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
        stats["rounds"] += 1
        made = project.calls()[before:]
        stats["duplicates"] += sum(made.count(asset) - 1 for asset in set(made))
        failed = [err.strip()[-300:] for _, err, code in results if code != 0]
        stats["problems"] += [f"a concurrent apply failed: {e}" for e in failed]
        stats["problems"] += check(project)
        left = [a for a, run in project.plan().items() if run]
        if left:
            stats["problems"].append(f"after the concurrent applies, plan still runs {left}")


def postgres_url() -> str | None:
    base = os.environ.get("SPECRUN_TEST_POSTGRES_URL", "postgresql://specrun:specrun@127.0.0.1:5432/specrun")
    try:
        import psycopg

        name = f"specrun_soak_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as e:  # no driver or no server: the PostgreSQL rounds are left out, and said so
        print(f"PostgreSQL rounds skipped: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
        return None
    return base.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=240, help="time budget for all rounds")
    parser.add_argument("--kills", type=int, default=15, help="kill rounds per executor")
    parser.add_argument("--concurrent", type=int, default=8, help="concurrent rounds per storage")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    random.seed(args.seed)
    end = time.monotonic() + args.seconds
    work = tempfile.mkdtemp(prefix="specrun-soak-")
    table: list[tuple[str, dict]] = []
    pg = postgres_url()
    scenarios = [(f"kill apply ({ex}, SQLite)", "kill", ex, "sqlite:///.specrun/runs.db")
                 for ex in ("in_process", "multiprocess")]
    scenarios += [(f"3 concurrent applies ({name})", "concurrent", None, url)
                  for name, url in (("SQLite", "sqlite:///.specrun/runs.db"), ("PostgreSQL", pg)) if url]
    try:
        for i, (name, kind, executor, url) in enumerate(scenarios):
            deadline = time.monotonic() + (end - time.monotonic()) / (len(scenarios) - i)  # a fair share
            stats: dict = {"rounds": 0, "kills": 0, "orphans": 0, "duplicates": 0, "problems": []}
            project = Project(os.path.join(work, f"s{i}"), url)
            if kind == "kill":
                kill_rounds(project, executor, args.kills, deadline, stats)
            else:
                concurrent_rounds(project, args.concurrent, deadline, stats)
            table.append((name, stats))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if pg:
            drop_database(pg)
    print(f"\n{'scenario':<36} {'rounds':>6} {'kills':>6} {'workers left':>12} {'duplicate steps':>15} "
          f"{'inconsistencies':>15}")
    for name, s in table:
        print(f"{name:<36} {s['rounds']:>6} {s['kills']:>6} {s['orphans']:>12} {s['duplicates']:>15} "
              f"{len(s['problems']):>15}")
    for name, s in table:
        for problem in s["problems"][:5]:
            print(f"  {name}: {problem}")
    if any(s["problems"] for _, s in table):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
