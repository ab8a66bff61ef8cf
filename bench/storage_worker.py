"""Persistent-storage workloads.

    storage_worker.py sqlite|memory   materialize a 1000-asset chain (specrun), us/step
    storage_worker.py dagster         the same on Dagster with a persistent (SQLite) instance
    storage_worker.py plan            plan of a 10,000-asset spec with a materialization history
    storage_worker.py plan-deep       the same, its functions reaching helpers, a class, constants
    storage_worker.py plan-deep-edited  ... after editing a helper all of them reach
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def materialize(kind: str) -> dict:
    import workloads

    fw = __import__("dagster" if kind == "dagster" else "specrun")
    home = tempfile.mkdtemp()
    if kind == "dagster":
        instance = fw.DagsterInstance.local_temp(home)
    elif kind == "sqlite":
        instance = fw.DagsterInstance.local(home)
    else:
        instance = fw.DagsterInstance.ephemeral()
    workloads.warm_up(fw)
    assets, n = workloads.asset_chain(fw, 1000)
    start = time.perf_counter()
    result = fw.materialize(assets, instance=instance, resources={"io_manager": fw.mem_io_manager})
    seconds = time.perf_counter() - start
    assert result.success
    return {"kind": kind, "seconds": seconds, "us_per_step": seconds / n * 1e6}


def plan_10k(deep: bool = False, edited: bool = False) -> dict:
    """Plan 10,000 assets with history; `deep`: functions reaching helpers, a class and
    constants; `edited`: then a helper every function reaches is edited, so that every step
    is stale and its reason names the edited part (the worst case of `plan`'s explanations)."""
    from spec_gen import write_project

    folder = tempfile.mkdtemp()
    path = write_project(folder, 10000, "yaml", deep=deep)
    from specrun.commands import Session

    session = Session(path, {})
    events = _history(session)
    session.instance.handle_new_events(events)
    session.instance.flush()
    if edited:
        _edit_shared_helper(session)
    start, cpu = time.perf_counter(), time.process_time()
    session = Session(path, {})
    plan = session.plan()
    decisions = session.decisions(plan)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu  # less disturbed than wall time on a shared machine
    if edited:
        assert sum(1 for d in decisions if d.reason.startswith("code changed: ")) > 9000, decisions[1]
    else:
        assert sum(1 for d in decisions if not d.run) > 9000
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "steps": len(decisions)}


def _edit_shared_helper(session) -> None:
    """Change what helper_19 (reached by every function of the deep module) returns, and
    forget the imported module so that the next Session imports the edited file."""
    import importlib

    path = os.path.join(os.path.dirname(session.compiled.path), "noop.py")
    with open(path) as fh:
        text = fh.read()
    with open(path, "w") as fh:
        fh.write(text.replace("return x + LIMITS['rows']", "return x - LIMITS['rows']"))
    for name in ("noop", "noop_helpers"):
        sys.modules.pop(name, None)
    importlib.invalidate_caches()


def _history(session) -> list:
    """A materialization of every asset, as a real apply would have recorded it."""
    from specrun.runtime import versioning as v
    from specrun.runtime.definitions.results import AssetMaterialization
    from specrun.runtime.events import DagsterEventType, Event

    events, versions = [], {}
    for name in session.plan().steps:
        node = session.job.nodes[name]
        asset = node.asset
        inputs = {k.to_user_string(): versions[k] for k in asset.dependency_keys}
        version = v.data_version("x", "y", inputs, None, "history")
        versions[asset.key] = version
        tags = {v.CODE_VERSION_TAG: v.code_version_of(node.op_def, asset.code_version),
                v.CONFIG_HASH_TAG: v.config_hash(None), v.DATA_VERSION_TAG: version,
                v.INPUT_DATA_VERSIONS_TAG: json.dumps(inputs, sort_keys=True)}
        parts = v.code_parts_text(node.op_def, asset.code_version)
        if parts is not None:
            tags[v.CODE_PARTS_TAG] = parts
        events.append(Event(DagsterEventType.ASSET_MATERIALIZATION, "history", "generated", name,
                            "", AssetMaterialization(asset.key, None, {}, None, tags)))
    session.instance.create_run("generated", run_id="history")
    storage = os.path.join(os.path.dirname(session.compiled.path), ".specrun", "storage")
    os.makedirs(storage, exist_ok=True)
    for name in session.plan().steps:  # the stored outputs a real apply would have left
        with open(os.path.join(storage, name), "wb") as fh:
            fh.write(b"\x80\x04K\x01.")
    return events


if __name__ == "__main__":
    arg = sys.argv[1]
    if arg.startswith("plan"):  # plan, plan-deep, plan-deep-edited
        print(json.dumps(plan_10k(deep="deep" in arg, edited="edited" in arg)))
    else:
        print(json.dumps(materialize(arg)))
