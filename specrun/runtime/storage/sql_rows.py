"""What the two SQL run storages share, without SQLAlchemy: the schema version, how runs and
event batches become rows and rows become runs and events again, and error texts.

`sql.py` (SQLAlchemy Core: PostgreSQL, and SQLite URLs with options) and `sqlite.py` (the
default store: a SQLite file through the standard library's `sqlite3`) write the same rows
to the same tables, so either can open a store the other wrote.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any, Mapping, Optional, Sequence

from ...errors import StorageError
from .. import versioning as v
from ..events import ET, DagsterEventType, Event
from .base import DagsterRun, DagsterRunStatus
from .layout import pid_alive
from .leases import host_identity
from ..definitions.metadata import MetadataValue
from .serde import dumps, flat_json, loads
from .stored import STORED_METADATA_KEY, stored_facts

SCHEMA_VERSION = 4
LIVE_STATUSES = ("STARTING", "STARTED", "CANCELING")


def mask_url(url: str) -> str:
    """`url` with its password (if any) replaced by ``***``."""
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def short_error(e: BaseException) -> str:
    """The first line of a driver error (SQLAlchemy's wrapped one or the driver's own)."""
    return str(getattr(e, "orig", None) or e).split("\n")[0]


def newer_schema_error(current: int) -> StorageError:
    return StorageError(
        f"this run storage is at schema version {current}, newer than this specrun knows "
        f"({SCHEMA_VERSION}): it was written by a newer specrun; upgrade specrun to use it")


def run_row(run: DagsterRun) -> dict:
    """The `runs` columns of `run` (without seq, host and heartbeat, set when it is added)."""
    return {"run_id": run.run_id, "job_name": run.job_name, "status": run.status.value,
            "run_config": json.dumps(run.run_config, default=str), "tags": json.dumps(dict(run.tags)),
            "start_time": run.start_time, "end_time": run.end_time, "parent_run_id": run.parent_run_id,
            "root_run_id": run.root_run_id, "pid": run.pid,
            "step_keys_to_execute": json.dumps(list(run.step_keys_to_execute)) if run.step_keys_to_execute else None}


def run_from_row(row: Mapping[str, Any]) -> DagsterRun:
    """The run a `runs` row (any mapping of its columns) describes."""
    steps = json.loads(row["step_keys_to_execute"]) if row["step_keys_to_execute"] else None
    return DagsterRun(row["run_id"], row["job_name"], DagsterRunStatus(row["status"]),
                      json.loads(row["run_config"] or "{}"), json.loads(row["tags"] or "{}"), row["start_time"],
                      row["end_time"], row["parent_run_id"], row["root_run_id"], tuple(steps) if steps else None,
                      row["pid"])


# The columns of the rows `event_rows` makes, in the order of `sqlite_writer`'s statements.
EVENT_COLUMNS = ("run_id", "event_type", "step_key", "timestamp", "asset_key", "partition", "body")
MATERIALIZATION_COLUMNS = ("asset_key", "partition", "run_id", "timestamp", "code_version", "config_hash",
                           "data_version", "input_data_versions", "body", "stored")
CHECK_COLUMNS = ("asset_key", "check_name", "partition", "run_id", "passed", "timestamp", "body")
RELEASE_COLUMNS = ("asset_key", "partition", "run_id")


def event_rows(batch: Sequence[Event]) -> tuple[list[tuple], list[tuple], list[tuple], list[tuple]]:
    """The rows one event batch writes, as tuples of the `*_COLUMNS` above: events, latest
    materializations, latest check evaluations, and the leases its materializations give
    back (see `runtime/leases.py`)."""
    rows, mats, evals = [], {}, {}
    materialization, check_evaluation = ET.ASSET_MATERIALIZATION, ET.ASSET_CHECK_EVALUATION
    texts, event_type = _TYPE_TEXTS, DagsterEventType
    payloads: dict[int, tuple[Any, str]] = {}  # (see `dumps`)
    for event in batch:
        body = dumps(event, payloads)
        data = event.data
        kind = event.event_type
        text = texts[kind] if kind.__class__ is event_type else kind.value
        # (a step's start, loaded input and end: no data, so no asset key, partition or record)
        if data is None and kind is not materialization and kind is not check_evaluation:
            rows.append((event.run_id, text, event.step_key, event.timestamp, None, None, body))
            continue
        asset_key = getattr(data, "asset_key", None)
        key = asset_key.to_user_string() if asset_key else None
        rows.append((event.run_id, text, event.step_key, event.timestamp, key, getattr(data, "partition", None),
                     body))
        if kind is materialization:
            mats[(key, data.partition or "")] = _materialization_row(event, key, body, payloads)
        elif kind is check_evaluation:
            evals[(key, data.check_name)] = (key, data.check_name, data.partition, event.run_id, bool(data.passed),
                                             event.timestamp, body)
    released = [(m[0], m[1], m[2]) for m in mats.values()]
    return rows, list(mats.values()), list(evals.values()), released


# Each event type's stored text (`.value`, read through Enum's slow property: ~1 µs an event).
_TYPE_TEXTS = {kind: kind.value for kind in DagsterEventType}


def _materialization_row(event: Event, key: str, body: str, payloads: dict[int, tuple[Any, Any]]) -> tuple:
    tags = event.data.tags or {}
    metadata = event.data.metadata
    entry = metadata.get(STORED_METADATA_KEY) if metadata else None
    text = flat_json(entry.value, payloads) if entry.__class__ is MetadataValue and entry.value else None
    if text is None:  # (not a dict the body's text was just written from: `stored_facts`'s answer)
        stored = stored_facts(metadata)
        text = stored_text(stored) if stored else None
    return (key, event.data.partition or "", event.run_id, event.timestamp, tags.get(v.CODE_VERSION_TAG),
            tags.get(v.CONFIG_HASH_TAG), tags.get(v.DATA_VERSION_TAG), tags.get(v.INPUT_DATA_VERSIONS_TAG), body,
            text)


def stored_text(stored: dict[str, Any]) -> str:
    """`json.dumps(stored)`: the `stored` column's text. A dict of plain values (what the
    IO managers record: a file's path, size, checksum and time) is written by an encoder made
    once (`json.dumps` makes one per call: ~2 µs of a step's record). That encoder has no
    circular check, which such a dict cannot need (it holds no container); any other goes
    through `json.dumps`."""
    if _STORED_ENCODE is not None:
        for value in stored.values():
            if type(value) not in _PLAIN:
                return json.dumps(stored)
        return "".join(_STORED_ENCODE(stored, 0))
    return json.dumps(stored)


_PLAIN = frozenset((str, int, float, bool, type(None)))
_make_encoder = getattr(json.encoder, "c_make_encoder", None)
# `json.dumps`'s own encoder (separators ", " and ": ", ASCII only, NaN allowed, keys as
# given), made once, without the `markers` of its circular check
_STORED_ENCODE = None if _make_encoder is None else _make_encoder(
    None, json.JSONEncoder().default, json.encoder.encode_basestring_ascii, None, ": ", ", ", False, False, True)


def version_tags(code_version: Any, config_hash: Any, data_version: Any, input_data_versions: Any) -> dict:
    """The version tags of a materialization row's version columns (the ones set)."""
    tags = {v.CODE_VERSION_TAG: code_version, v.CONFIG_HASH_TAG: config_hash,
            v.DATA_VERSION_TAG: data_version, v.INPUT_DATA_VERSIONS_TAG: input_data_versions}
    return {k: val for k, val in tags.items() if val is not None}


def stored_event(event_id: Any, event_type: str, step_key: Optional[str], timestamp: Optional[float],
                 body: str, run_id: str) -> Event:
    """The stored event of an `events` row; one whose body cannot be read (damaged, or written
    by something else) becomes an error-level engine event saying so, not a crash of the reader."""
    try:
        return loads(body)
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        return Event(DagsterEventType.ENGINE_EVENT, run_id, "", step_key,
                     f"event {event_id} ({event_type}) in the run storage cannot be read: "
                     f"{type(e).__name__}: {str(e)[:200]}", None, level=40, timestamp=timestamp)


def interrupted_message(host: Optional[str], pid: Optional[int], heartbeat: Optional[float]) -> str:
    """Why a run whose holder is dead (see `leases.alive`) failed."""
    if heartbeat is not None and (host != host_identity() or pid_alive(pid or 0)):
        return (f"Run interrupted: the process running it (pid {pid} on {host}) sent no "
                f"heartbeat for {time.time() - (heartbeat or 0):.0f}s.")
    return f"Run interrupted: the process running it (pid {pid}) ended before the run finished."
