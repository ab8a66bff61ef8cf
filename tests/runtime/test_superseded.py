"""runtime.superseded: which stored versions are removed once newer records name others."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from specrun import DagsterInstance, asset, fs_io_manager, materialize


def _recorded_file(instance, key: str) -> str:
    return instance.get_latest_materialization_event(key).data.metadata["path"].value


@asset
def a():
    return 1


@asset
def b(a):
    return a + 1


def _materialize(base_dir, instance=None):
    return materialize([a, b], instance=instance, resources={"io_manager": fs_io_manager},
                       run_config={"resources": {"io_manager": {"config": {"base_dir": str(base_dir)}}}})


_PERSISTENT_RUN = textwrap.dedent("""
    import sys
    from specrun import DagsterInstance
    from tests.runtime.test_superseded import _materialize

    _materialize(sys.argv[2], DagsterInstance.local(sys.argv[1]))
""")


def test_an_ephemeral_run_into_a_persistent_stores_folder_leaves_that_stores_versions(tmp_path):
    base = tmp_path / "storage"
    # (in another process, as `specrun apply` would be: this one made no folder of the store)
    done = subprocess.run([sys.executable, "-c", _PERSISTENT_RUN, str(tmp_path / "home"), str(base)],
                          capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert done.returncode == 0, done.stderr
    home = DagsterInstance.local(str(tmp_path / "home"))
    kept = {key: _recorded_file(home, key) for key in ("a", "b")}

    first = _materialize(base)  # an ephemeral instance each: its records die with it
    second = _materialize(base)

    assert first.success and second.success
    for key, path in kept.items():
        assert os.path.isfile(path), key  # the persistent store's records still name these
    assert sorted(os.listdir(base)) == sorted(
        [os.path.basename(p) for p in kept.values()]
        + [os.path.basename(second.asset_materializations_for_node(k)[0].metadata["path"].value) for k in ("a", "b")]
        + [os.path.basename(first.asset_materializations_for_node(k)[0].metadata["path"].value) for k in ("a", "b")])
    assert home.get_latest_materialization_event("b").run_id == home.get_runs()[0].run_id


def test_an_ephemeral_instance_removes_the_versions_its_own_earlier_records_named(tmp_path):
    base = tmp_path / "storage"
    instance = DagsterInstance.ephemeral()
    runs = [_materialize(base, instance) for _ in range(3)]

    files = {key: [r.asset_materializations_for_node(key)[0].metadata["path"].value for r in runs] for key in ("a", "b")}
    assert all(len(set(paths)) == 3 for paths in files.values())  # a new version each run
    assert sorted(os.listdir(base)) == sorted(os.path.basename(paths[-1]) for paths in files.values())


def test_superseded_files_are_looked_for_only_in_records_with_metadata():
    from specrun.runtime import superseded
    from specrun.runtime.definitions.keys import AssetKey
    from specrun.runtime.definitions.results import AssetMaterialization
    from specrun.runtime.events import ET, Event
    from specrun.runtime.storage.stored import STORED_METADATA_KEY

    asked = []

    class Storage:
        def live_runs(self, exclude):
            asked.append(exclude)
            return []

    def record(run_id, metadata):
        mat = AssetMaterialization(AssetKey("a"), metadata=metadata)
        return Event(ET.ASSET_MATERIALIZATION, run_id, "job", message="m", data=mat)

    stored = {STORED_METADATA_KEY: {"kind": "object", "url": "memory://nowhere"}}
    events = [record("no metadata", {}), record("none", None), record("other", {"rows": 1})]
    superseded.collect_superseded(events, Storage())
    assert asked == []  # no record names a stored version: no run is asked about
    superseded.collect_superseded([record("stored", stored)], Storage())
    assert asked == ["stored"]  # a record that names one is still looked at
