"""The store dynamic partitions read their keys from, and a worker's snapshot of its parent's."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from types import SimpleNamespace

from specrun.runtime.dynamic_partitions import DynamicPartitionsDefinition
from specrun.runtime.partitions import StaticPartitionsDefinition
from specrun.runtime.partition_store import current_store, partition_loading_context, snapshot_for, use_snapshot


class _Store:
    def __init__(self, keys: dict[str, list[str]]) -> None:
        self.keys = keys

    def get_dynamic_partitions(self, name: str) -> list[str]:
        return list(self.keys[name])


def _job(*pdefs, inputs=()):
    nodes = {f"n{i}": SimpleNamespace(asset=SimpleNamespace(partitions_def=p), inputs={})
             for i, p in enumerate(pdefs)}
    nodes["reader"] = SimpleNamespace(asset=None, inputs={f"i{i}": SimpleNamespace(partitions_def=p)
                                                           for i, p in enumerate(inputs)})
    return SimpleNamespace(nodes=nodes, partitions_def=None)


def test_snapshot_for_gives_the_keys_of_each_dynamic_definition_the_job_reads_by_name():
    fruits, colours = DynamicPartitionsDefinition(name="fruits"), DynamicPartitionsDefinition(name="colours")
    store = _Store({"fruits": ["apple", "fig"], "colours": ["red"], "other": ["x"]})
    job = _job(fruits, None, StaticPartitionsDefinition(["a", "b"]), inputs=[colours])
    with partition_loading_context(store):
        assert snapshot_for(job) == {"colours": ["red"], "fruits": ["apple", "fig"]}
    assert snapshot_for(job) == {}  # no store open: nothing to send


def test_an_unpartitioned_job_has_an_empty_snapshot():
    with partition_loading_context(_Store({})):
        assert snapshot_for(_job(None, None)) == {}


def test_a_workers_snapshot_is_read_where_no_store_is_open_and_an_empty_one_clears_it():
    try:
        use_snapshot({"fruits": ["apple"]})
        assert current_store().get_dynamic_partitions("fruits") == ["apple"]
        assert current_store().has_dynamic_partition("fruits", "apple")
        use_snapshot({})
        assert current_store() is None
    finally:
        use_snapshot({})


def test_an_unpartitioned_jobs_run_on_workers_does_not_import_the_partitions_package():
    # A Dask worker unpickles the job (importing its executor's module), rebuilds the run
    # (`RunPayload.build_context`: `use_snapshot`); the parent takes the job's snapshot.
    code = textwrap.dedent("""
        import sys
        import specrun.runtime.executors.dask, specrun.runtime.executors.multiprocess
        from specrun import DagsterInstance, job, op
        from specrun.runtime.partition_store import partition_loading_context, snapshot_for, use_snapshot

        @op
        def one():
            return 1

        @job
        def unpartitioned():
            one()

        with partition_loading_context(DagsterInstance.ephemeral()):
            assert snapshot_for(unpartitioned) == {}
        use_snapshot({})
        print(sorted(m for m in sys.modules if m.startswith("specrun.runtime.partitions")))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
