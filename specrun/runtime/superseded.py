"""Removing the stored versions that newer records superseded (the versioning contract in
`io_managers.py`; the fs layout in `storage/layout.py`).

A persistent store's records name the versions that are current, so once a record is
committed, every other version of its value is garbage (`collect_superseded`). An ephemeral
instance's records live in memory only: the folder it writes to may be a persistent store's
too (``load_spec(...)...execute_in_process()`` without ``instance=`` writes to the spec's
storage folder), whose records name versions this instance never heard of. So it removes only
the files its own earlier records named (`OwnVersions`).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from .events import Event
from .storage import layout
from .storage.base import RunStorage
from .storage.stored import stored_facts


def collect_superseded(events: Sequence[Event], storage: RunStorage) -> None:
    """Remove stored files that the records just committed made superseded (see
    `storage/layout.py`): only once a record names the new version is the old one unneeded.

    Not while another run on the store is alive: it may have read the old record and be about
    to load the old version. The versions left are removed with the next one superseded.
    Whether another run lives is asked once per batch (and only when an old version exists)."""
    checks: dict[str, Any] = {}
    files = []
    for event in events:
        metadata = event.data.metadata
        if not metadata:  # (most records: `stored_facts` would say None)
            continue
        facts = stored_facts(metadata)
        if not facts:
            continue
        alone = checks.get(event.run_id)
        if alone is None:
            alone = checks[event.run_id] = _alone(storage, event.run_id)
        if facts.get("kind") == "file" and facts.get("path"):
            files.append((facts["path"], alone))  # (collected together: one listing a folder)
        elif facts.get("kind") == "object" and facts.get("url") and alone():
            from .upath_io.versions import collect_objects

            collect_objects(facts)
    if files:
        layout.collect_all(files)


def _alone(storage: RunStorage, run_id: str) -> Any:
    """A check, made once when first asked, that no run but `run_id` is alive on `storage`."""
    answer: list[bool] = []

    def alone() -> bool:
        if not answer:
            answer.append(not storage.live_runs(exclude=run_id))
        return answer[0]
    return alone


class OwnVersions:
    """An ephemeral instance's collector: the file each (asset, partition) was last recorded
    in by this instance, removed when a newer record of this instance names another file.

    Files of this instance's runs never collide with another store's: a data version holds
    its run's id (unless a step sets its own data version). Versions in object stores, and
    abandoned temp files, are left to a persistent store's collection."""

    def __init__(self) -> None:
        self._files: dict[tuple[Any, Optional[str]], str] = {}

    def collect(self, events: Sequence[Event]) -> list[str]:
        """Remove the files that `events`' records made superseded; returns their paths."""
        removed = []
        for event in events:
            metadata = event.data.metadata
            if not metadata:  # (most records of an in-memory run: `stored_facts` would say None)
                continue
            facts = stored_facts(metadata)
            if not facts or facts.get("kind") != "file" or not facts.get("path"):
                continue
            key = (event.asset_key, event.partition)
            before, self._files[key] = self._files.get(key), facts["path"]
            if before is not None and before != facts["path"] and layout.remove_file(before):
                removed.append(before)
        return removed
