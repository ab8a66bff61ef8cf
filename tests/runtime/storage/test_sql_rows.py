"""sql_rows: how an event batch becomes rows (the parts not covered by test_serde/test_sqlite)."""

from __future__ import annotations

import json
import math
from collections import OrderedDict

from hypothesis import given, settings, strategies as st

from specrun.runtime.definitions.metadata import MetadataValue
from specrun.runtime.storage.sql_rows import stored_text
from specrun.runtime.storage.stored import stored_facts

_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                     st.text())
_keys = st.one_of(st.text(), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(st.text(), inner, max_size=3)), max_leaves=8)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_keys, _values, max_size=6))
def test_stored_text_is_json_dumps(stored):
    assert stored_text(stored) == json.dumps(stored)


def test_stored_text_is_json_dumps_for_the_usual_facts_and_odd_values():
    facts = {"kind": "file", "path": "/s/a@v-1 é \"q\"", "size": 5, "sha256": "ab" * 32, "mtime_ns": 1796432706682093323}
    assert stored_text(facts) == json.dumps(facts)
    for odd in ({"x": math.nan, "y": -math.inf}, {1: "int key", None: "none key", 2.5: True},
                {"sub": type("S", (str,), {})("str subclass")}, {"nested": {"a": [1, 2]}}):
        assert stored_text(odd) == json.dumps(odd)
    circular: dict = {}
    circular["self"] = circular
    for fn in (stored_text, json.dumps):  # a container goes through json.dumps: the same error
        try:
            fn(circular)
        except ValueError as e:
            assert str(e) == "Circular reference detected"
        else:
            raise AssertionError("no error")
    try:
        stored_text({"o": object()})
    except TypeError as e:
        assert str(e) == "Object of type object is not JSON serializable"


def test_stored_facts_copies_a_dict_or_any_mapping_and_ignores_the_rest():
    from specrun.runtime.definitions.metadata import MetadataValue

    facts = {"kind": "file", "size": 5}
    got = stored_facts({"specrun/stored": MetadataValue(facts, "json")})
    assert got == facts and got is not facts and type(got) is dict
    assert stored_facts({"specrun/stored": OrderedDict(facts)}) == facts
    assert stored_facts({"specrun/stored": "not a mapping"}) is None
    assert stored_facts({}) is None and stored_facts(None) is None


_flat_values = st.one_of(st.none(), st.integers(), st.text())


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), _flat_values, min_size=1, max_size=6),
       st.dictionaries(st.text(), _flat_values, min_size=1, max_size=3))
def test_a_materializations_stored_column_is_json_dumps_of_its_facts_from_the_bodys_texts(facts, other):
    from specrun.runtime.definitions.keys import AssetKey
    from specrun.runtime.definitions.results import AssetMaterialization
    from specrun.runtime.events import DagsterEventType, Event, StepOutputData
    from specrun.runtime.storage import sql_rows

    stored = MetadataValue(facts, "json")
    key = AssetKey("a")
    other = {**other, "ratio": 0.5}  # (a float: the body's encoder writes this dict, not its values' texts)
    batch = [Event(DagsterEventType.STEP_OUTPUT, "r1", "job", "a", "out",
                   StepOutputData("result", {"specrun/stored": stored}, key), timestamp=1.0, pid=7),
             Event(DagsterEventType.ASSET_MATERIALIZATION, "r1", "job", "a", "mat",
                   AssetMaterialization(key, None, {"specrun/stored": stored}, None, {}), timestamp=2.0, pid=7),
             Event(DagsterEventType.ASSET_MATERIALIZATION, "r1", "job", "b", "mat",
                   AssetMaterialization(AssetKey("b"), None, {"specrun/stored": MetadataValue(other, "json")},
                                        None, {}), timestamp=3.0, pid=7)]
    encoded: list = []
    real = sql_rows.stored_text
    sql_rows.stored_text = lambda value: encoded.append(value) or real(value)
    try:
        _, mats, _, _ = sql_rows.event_rows(batch)
    finally:
        sql_rows.stored_text = real
    assert [m[-1] for m in mats] == [json.dumps(facts), json.dumps(other)]
    assert encoded == [other]  # the first from the body's texts


def test_the_stored_column_of_facts_the_body_wrote_is_not_encoded_again(monkeypatch):
    from specrun.runtime.definitions.keys import AssetKey
    from specrun.runtime.definitions.results import AssetMaterialization
    from specrun.runtime.events import DagsterEventType, Event, StepOutputData
    from specrun.runtime.storage import serde, sql_rows

    facts = {"kind": "file", "path": "/s/a@v-1 é \"q\"", "size": 5, "sha256": "ab" * 32, "mtime_ns": 17964327066820933}
    odd = {"kind": "file", "ratio": 0.5}  # (a float: the body's encoder writes it, the column json.dumps)
    batches = []
    for value in (facts, odd):
        stored, key = MetadataValue(value, "json"), AssetKey("a")
        batches.append([Event(DagsterEventType.STEP_OUTPUT, "r1", "job", "a", "out",
                              StepOutputData("result", {"specrun/stored": stored}, key), timestamp=1.0, pid=7),
                        Event(DagsterEventType.ASSET_MATERIALIZATION, "r1", "job", "a", "mat",
                              AssetMaterialization(key, None, {"specrun/stored": stored}, None, {}), timestamp=2.0,
                              pid=7)])
    encoded, strings = [], []
    real_stored_text, real_string = sql_rows.stored_text, serde._STRING
    monkeypatch.setattr(sql_rows, "stored_text", lambda value: encoded.append(value) or real_stored_text(value))
    monkeypatch.setattr(serde, "_STRING", lambda value: strings.append(value) or real_string(value))
    assert sql_rows.event_rows(batches[0])[1][0][-1] == json.dumps(facts)
    assert encoded == [] and strings.count(facts["path"]) == 1  # each value's text written once
    assert sql_rows.event_rows(batches[1])[1][0][-1] == json.dumps(odd)
    assert encoded == [odd]


def test_an_event_without_data_is_a_row_of_no_asset_or_partition_and_no_record():
    import pytest

    from specrun.runtime.definitions.keys import AssetKey
    from specrun.runtime.definitions.results import AssetMaterialization
    from specrun.runtime.events import ET, Event
    from specrun.runtime.storage.serde import dumps
    from specrun.runtime.storage.sql_rows import event_rows

    batch = [Event(ET.STEP_START, "r", "job", "a", "started"),
             Event(ET.ASSET_MATERIALIZATION, "r", "job", "a", "made", AssetMaterialization(AssetKey("a"))),
             Event(ET.STEP_SUCCESS, "r", "job", "a", "done"), Event(ET.RUN_SUCCESS, "r", "job", None, "ok")]
    rows, mats, evals, released = event_rows(batch)
    assert [row[2:] for row in rows] == [("a", batch[0].timestamp, None, None, dumps(batch[0])),
                                         ("a", batch[1].timestamp, "a", None, dumps(batch[1])),
                                         ("a", batch[2].timestamp, None, None, dumps(batch[2])),
                                         (None, batch[3].timestamp, None, None, dumps(batch[3]))]
    assert [m[:3] for m in mats] == [("a", "", "r")] and evals == [] and released == [("a", "", "r")]
    # (a materialization or check evaluation without data is not one: as before, it is refused)
    for kind in (ET.ASSET_MATERIALIZATION, ET.ASSET_CHECK_EVALUATION):
        with pytest.raises(AttributeError):
            event_rows([Event(kind, "r", "job", "a", "no data")])
