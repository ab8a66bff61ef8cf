"""The bytes a run leaves in the SQLite store are the ones specrun wrote before (an older
specrun reads the store): what the store holds after writing a representative run's batches
(and the leases their rows give back) is compared with `stored_bytes.json`, written by
the specrun of 767b98c (``python -m tests.runtime.storage.test_stored_bytes`` writes it
again: only for a change of stored format, which needs a schema version).

The run: events of every kind, as made here and as a worker's (another pid, a warning
level), a step's usual six, a failure with a chained error, a retry, skips, a check, an
observation, metadata of every `MetadataValue` kind and raw values, asset keys of one and
two parts, partitions, texts that JSON escapes, a batch longer than one INSERT takes."""

import json
import math
import os
import sqlite3
import sys

from specrun.runtime.definitions.keys import AssetKey
from specrun.runtime.definitions.metadata import MetadataValue, normalize_metadata
from specrun.runtime.definitions.results import (AssetCheckEvaluation, AssetCheckSeverity, AssetMaterialization,
                                                 AssetObservation)
from specrun.runtime.events import (DagsterEventType as T, ErrorInfo, Event, LoadedInputData, RunFailureData,
                                    StepFailureData, StepOutputData, StepRetryData, StepSkippedData)
from specrun.runtime.storage.sql_rows import event_rows
from specrun.runtime.storage.sqlite import SqliteRunStorage

EXPECTED = os.path.join(os.path.dirname(__file__), "stored_bytes.json")
RUN, JOB, PID, WORKER = "5f0c2b9e-1d2a-4c3b-9e8f-0a1b2c3d4e5f", "nightly", 4242, 5151


class Text(str):
    pass


def _facts(name: str) -> dict:
    return {"kind": "file", "path": f"/srv/store/{name}@v-0123456789abcdef01234567", "size": 1234,
            "sha256": "ab" * 32, "mtime_ns": 1796562759974651777}


def _metadata(name: str) -> dict:
    """Metadata of every kind, as an IO manager's and a user's `add_output_metadata` give it."""
    raw = {"rows": 12, "ratio": 0.25, "ok": True, "none": None, "label": 'say "hi"\n\ttab \u00e9 \u6f22 \U0001f600',
           "nested": {"a": [1, 2.5, None, "x"], "b": {"c": False}}, "pair": (1, "two"), "odd": {1, 2},
           "sub": Text("a str subclass"), "big": 2 ** 70, "neg": -3, "nan": math.nan, "inf": -math.inf}
    typed = {"text": MetadataValue.text("/srv/store/" + name), "int": MetadataValue.int(7),
             "float": MetadataValue.float(1e-7), "bool": MetadataValue.bool(False), "md": MetadataValue.md("# t"),
             "url": MetadataValue.url("https://example.com/a?b=1&c='2'"), "path": MetadataValue.path("rel/p"),
             "null": MetadataValue.null(), "timestamp": MetadataValue.timestamp(1796562759.5),
             "json": MetadataValue.json({"k": [1, {"v": "w"}]}), "json_list": MetadataValue.json([3, 2, 1]),
             "specrun/stored": MetadataValue.json(_facts(name))}
    return {**normalize_metadata(raw), **typed}


def _error(message: str, cause=None) -> ErrorInfo:
    return ErrorInfo(message, "ValueError", ['  File "u.py", line 3, in f\n    raise ValueError\n'], cause)


def _event(kind, step, message, data=None, when=0.0, level=20, pid=PID) -> Event:
    return Event(kind, RUN, JOB, step, message, data, level, 1796562759.0 + when, pid)


def _step(key: AssetKey, step: str, partition, when: float) -> list:
    """A step's six events, as an asset step makes them (output payload shared, metadata
    values shared by the output and the materialization)."""
    metadata = _metadata(step)
    output = StepOutputData("result", metadata, key, partition)
    tags = {"specrun/code_version": "32664ddf1170e830", "specrun/config_hash": "none",
            "specrun/data_version": "fd8d6fb9590c9af0", "specrun/input_data_versions": '{"a0": "fd7b50327ce59bdd"}',
            "specrun/code_parts": '{"nxt": ["13b5c31f96657777", ""]}'}
    return [
        _event(T.STEP_START, step, f'Started execution of step "{step}".', when=when),
        _event(T.LOADED_INPUT, step, 'Loaded input "up" using input manager "io_manager"',
               LoadedInputData("up", "a0", "result", "io_manager"), when + 0.0001234),
        _event(T.STEP_OUTPUT, step, 'Yielded output "result" of type "Any".', output, when + 0.0002),
        _event(T.HANDLED_OUTPUT, step, 'Handled output "result" using IO manager "io_manager"', output,
               when + 0.00030517578125),
        _event(T.ASSET_MATERIALIZATION, step, f"Materialized value {step}",
               AssetMaterialization(key, "the description", metadata, partition, tags), when + 0.0004),
        _event(T.STEP_SUCCESS, step, f'Finished execution of step "{step}".', when=when + 0.1),
    ]


def representative_batches() -> list:
    start = [_event(T.RUN_START, None, f'Started execution of run for "{JOB}".'),
             _event(T.ENGINE_EVENT, None, "Launching worker", when=0.01, level=30, pid=WORKER),
             _event(T.LOG_MESSAGE, "a1", "a log line: \u00e9\\ \"q\"", when=0.02, level=10, pid=WORKER)]
    failing = [
        _event(T.STEP_START, "b", 'Started execution of step "b".', when=2.0),
        _event(T.STEP_UP_FOR_RETRY, "b", "retrying", StepRetryData(1, 0.5, _error("first")), 2.1, 30),
        _event(T.STEP_RESTARTED, "b", "restarted", when=2.2),
        _event(T.STEP_FAILURE, "b", 'Execution of step "b" failed.',
               StepFailureData(_error("outer", _error("inner")), {"why": "bad"}, "user"), 2.3, 40),
        _event(T.STEP_SKIPPED, "c", "Skipped: upstream failed", StepSkippedData("upstream failed", ("b",)), 2.4),
        _event(T.ASSET_OBSERVATION, "d", "Observed d",
               AssetObservation(AssetKey(["src", "d"]), None, {"n": 3}, None, {"t": "v"}), 2.5),
        _event(T.ASSET_CHECK_EVALUATION, "a1", "Check rows_ok failed",
               AssetCheckEvaluation(AssetKey("a1"), "rows_ok", False, {"rows": 0}, AssetCheckSeverity.WARN,
                                    "too few", False, "p1"), 2.6),
        _event(T.ASSET_CHECK_EVALUATION, None, "Check fresh passed",
               AssetCheckEvaluation(AssetKey(["src", "d"]), "fresh", True), 2.65),
        _event(T.HOOK_COMPLETED, "a1", "hook done", when=2.7),
        _event(T.HOOK_ERRORED, "b", "hook failed", when=2.8, level=40),
        _event(T.HOOK_SKIPPED, "c", "hook skipped", when=2.9),
    ]
    end = [_event(T.RUN_FAILURE, None, "Execution of run failed.", RunFailureData(("b",), _error("run")), 3.0, 40),
           _event(T.RUN_CANCELED, None, "canceled", when=3.1), _event(T.RUN_SUCCESS, None, "done", when=3.2)]
    long = [_event(T.ENGINE_EVENT, None if n % 3 else f"s{n}", f"engine {n}", when=4.0 + n / 8) for n in range(20)]
    return [start, _step(AssetKey("a1"), "a1", None, 1.0), _step(AssetKey(["grp", "a2"]), "a2", "p1", 1.5),
            _step(AssetKey("a1"), "a1", None, 1.75), failing, end, long]


def _stored(path: str) -> dict:
    with sqlite3.connect(path) as conn:
        return {table: [list(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY {order}")]
                for table, order in (("events", "id"), ("asset_materializations", "asset_key, partition"),
                                     ("check_evaluations", "asset_key, check_name"))}


def what_is_stored(folder: str) -> dict:
    """The store's tables after writing the batches, and the leases each batch's rows give back."""
    released = [[list(row) for row in event_rows(batch)[3]] for batch in representative_batches()]
    path = os.path.join(folder, "specrun.db")
    storage = SqliteRunStorage("sqlite:///" + path, path)
    for batch in representative_batches():
        storage.store_events(batch)
    storage.close()
    return {"tables": _stored(path), "released": released}


def _json(value) -> str:
    return json.dumps(value, indent=1, ensure_ascii=True)


def test_a_representative_run_is_stored_byte_for_byte_as_specrun_stored_it_before(tmp_path):
    with open(EXPECTED, encoding="ascii") as fh:
        expected = fh.read()
    assert _json(what_is_stored(str(tmp_path))) + "\n" == expected


if __name__ == "__main__":  # (writes the expected bytes: see the module docstring)
    import tempfile

    with tempfile.TemporaryDirectory() as folder, open(EXPECTED, "w", encoding="ascii") as out:
        out.write(_json(what_is_stored(folder)) + "\n")
    sys.exit(0)
