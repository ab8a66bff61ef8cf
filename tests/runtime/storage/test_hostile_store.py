"""The SQL run storage facing a hostile world: a real full disk, a store written by a newer
specrun, an event body that cannot be read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from specrun.errors import StorageError
from specrun.runtime.events import DagsterEventType as ET, Event
from specrun.runtime.storage.base import DagsterRun
from specrun.runtime.storage import open_run_storage

FILL = '''
import sys
from specrun.runtime.events import DagsterEventType as ET, Event
from specrun.runtime.storage.base import DagsterRun
from specrun.runtime.storage import open_run_storage
store = open_run_storage("sqlite:///" + sys.argv[1])
store.add_run(DagsterRun("r", "job"))
for i in range(10000):
    store.store_events([Event(ET.ENGINE_EVENT, "r", "job", None, "x" * 2000 + str(i))])
'''


def _mount_namespace() -> list[str]:
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed: no small filesystem to fill")
    prefix = ["unshare", "--mount"] + ([] if os.geteuid() == 0 else ["--user", "--map-root-user"])
    probe = subprocess.run([*prefix, "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", "/mnt"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({probe.stderr.strip()}): no disk to fill")
    return prefix


def test_a_full_disk_says_the_database_or_disk_is_full(tmp_path):
    prefix = _mount_namespace()
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = f"mount -t tmpfs -o size=300k tmpfs {mnt} && exec {sys.executable} -c \"$0\" {mnt}/runs.db"
    done = subprocess.run([*prefix, "sh", "-c", script, FILL], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "database or disk is full" in done.stderr, done.stderr[-2000:]
    assert "cannot rollback" not in done.stderr


def test_a_store_of_a_newer_schema_is_refused(tmp_path):
    from specrun.runtime.storage.schema import SCHEMA_VERSION, schema_version

    url = "sqlite:///" + str(tmp_path / "runs.db")
    store = open_run_storage(url)
    with store.engine.begin() as conn:
        conn.execute(schema_version.update().values(version=SCHEMA_VERSION + 1))
    store.close()
    with pytest.raises(StorageError, match=rf"at schema version {SCHEMA_VERSION + 1}, newer than this "
                                          rf"specrun knows \({SCHEMA_VERSION}\).*upgrade specrun"):
        open_run_storage(url)


def test_a_missing_or_emptied_store_starts_a_new_history(tmp_path):
    path = tmp_path / "runs.db"
    seen = []
    for _ in range(2):
        store = open_run_storage("sqlite:///" + str(path))
        seen.append(store.new_history)
        store.close()
    for name in ("runs.db", "runs.db-wal", "runs.db-shm"):
        if (tmp_path / name).exists():
            (tmp_path / name).write_bytes(b"")
    store = open_run_storage("sqlite:///" + str(path))
    assert seen + [store.new_history] == [True, False, True]
    store.close()


def test_an_unreadable_event_body_is_read_as_an_error_event_saying_so(sql_url):
    from specrun.runtime.storage.schema import events

    storage = open_run_storage(sql_url)
    storage.add_run(DagsterRun("r", "job"))
    storage.store_events([Event(ET.RUN_START, "r", "job", None, "started"),
                          Event(ET.RUN_SUCCESS, "r", "job", None, "done")])
    with storage.engine.begin() as conn:
        conn.execute(events.update().where(events.c.event_type == "RUN_SUCCESS").values(body='{"bad'))
    first, second = storage.get_events("r")
    assert first.message == "started"
    assert second.event_type is ET.ENGINE_EVENT and second.level == 40
    assert "(RUN_SUCCESS) in the run storage cannot be read: JSONDecodeError" in second.message
    storage.close()
