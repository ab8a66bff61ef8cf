"""serde: the stored JSON text of an event is the compact JSON of `event_to_dict`, whichever
path writes it; a metadata value is kept when JSON can hold it and becomes its repr when not."""

import json
import math
import os

from hypothesis import given, settings, strategies as st

from specrun.runtime.definitions.keys import AssetKey
from specrun.runtime.definitions.metadata import MetadataValue
from specrun.runtime.definitions.results import AssetMaterialization
from specrun.runtime.events import DagsterEventType, Event, StepOutputData
from specrun.runtime.storage import serde


def reference(event: Event) -> str:
    return json.dumps(serde.event_to_dict(event), separators=(",", ":"))


def old_plain(value):
    """`_plain` as it was: the encoder decides."""
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


class Text(str):
    pass


class Number(int):
    pass


texts = st.one_of(st.text(max_size=12), st.sampled_from(['a "quoted" \\ word', "é ü 漢 \U0001f600", "\x00\n\t"]))
floats = st.floats(allow_nan=True, allow_infinity=True)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), floats, texts)
plain = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple),
    st.dictionaries(st.one_of(texts, st.integers(), st.booleans(), st.none(), floats), inner, max_size=3)),
    max_leaves=12)
odd = st.one_of(st.sets(st.integers(), max_size=2), st.builds(object), st.builds(Text, texts),
                st.builds(Number, st.integers()), st.dictionaries(st.tuples(st.integers()), st.integers(), max_size=2))
values = st.recursive(st.one_of(plain, odd), lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)), max_leaves=8)


@given(values)
@settings(max_examples=300, deadline=None)
def test_a_metadata_value_is_kept_exactly_when_the_encoder_takes_it(value):
    kept = serde._plain(value)
    expected = old_plain(value)
    assert type(kept) is type(expected)
    if isinstance(expected, str):
        assert kept == expected
    else:
        assert kept is value


def test_a_cycle_and_very_deep_values_are_decided_by_the_encoder():
    loop: list = [1]
    loop.append(loop)
    assert serde._plain(loop) == repr(loop)
    deep: list = []
    for _ in range(40):
        deep = [deep]
    assert serde._plain(deep) is deep


payloads = st.one_of(
    st.none(),
    st.builds(StepOutputData, texts, st.dictionaries(texts, st.builds(MetadataValue, values, st.just("json")),
                                                     max_size=2),
              st.one_of(st.none(), st.builds(AssetKey, st.lists(st.text(min_size=1, max_size=5), min_size=1,
                                                                   max_size=2)))),
    st.builds(AssetMaterialization, st.just(AssetKey("a")), st.one_of(st.none(), texts),
              st.dictionaries(texts, st.builds(MetadataValue.text, texts), max_size=2),
              st.one_of(st.none(), texts), st.dictionaries(texts, texts, max_size=2)),
)


@given(st.sampled_from(list(DagsterEventType)), st.one_of(texts, st.builds(Text, texts)), texts,
       st.one_of(st.none(), texts, st.builds(Text, texts)), st.one_of(texts, st.builds(Text, texts)),
       payloads, st.one_of(st.integers(), st.booleans(), st.builds(Number, st.integers())),
       st.one_of(floats, st.integers()), st.one_of(st.none(), st.integers(), st.booleans()))
@settings(max_examples=400, deadline=None)
def test_the_stored_text_is_the_compact_json_of_the_event_dict(event_type, run_id, job_name, step_key, message,
                                                               data, level, timestamp, pid):
    event = Event(event_type, run_id, job_name, step_key, message, data, level, 0.0, 0)
    event.timestamp, event.pid = timestamp, pid
    text = serde.dumps(event)
    assert text == reference(event)
    assert serde.dumps(event) == text  # the second time from the kept start of the text


def test_a_step_events_text_reads_back_as_the_same_event():
    metadata = {"path": MetadataValue.text("/s/a/v-1"), "specrun/stored": MetadataValue({"kind": "file", "size": 5})}
    event = Event(DagsterEventType.HANDLED_OUTPUT, "r1", "job", "a", 'Handled output "result"',
                  StepOutputData("result", metadata, AssetKey("a")), timestamp=1.5, pid=7)
    text = serde.dumps(event)
    assert text.startswith('{"event_type":"HANDLED_OUTPUT","run_id":"r1","job_name":"job","step_key":"a",'
                           '"message":"Handled output \\"result\\"","level":20,"timestamp":1.5,"pid":7,"data":{')
    back = serde.loads(text)
    assert (back.event_type, back.step_key, back.timestamp, back.data) == (event.event_type, "a", 1.5, event.data)
    nan = Event(DagsterEventType.STEP_START, "r1", "job", "a", "", None, timestamp=math.nan, pid=7)
    assert serde.dumps(nan) == reference(nan) and '"timestamp":NaN' in serde.dumps(nan)


def test_an_event_reads_back_with_its_level_and_pid_and_of_the_same_kind():
    """An INFO event made here reads back as one (no level or pid of its own); a worker's or a
    warning keeps its level and pid."""
    for level, pid in ((20, os.getpid()), (20, os.getpid() + 1), (30, os.getpid()), (40, 1)):
        event = Event(DagsterEventType.STEP_START, "r1", "job", "a", "m", None, level, 1.5, pid)
        back = serde.loads(serde.dumps(event))
        assert type(back) is type(event) and (back.level, back.pid, back.timestamp) == (level, pid, 1.5)
    assert type(serde.loads(serde.dumps(Event(DagsterEventType.RUN_START, "r1", "job")))) is Event


def test_a_runs_events_differing_only_in_level_or_pid_each_get_their_own_text():
    # The text before the step key, and those around the time, are kept per (type, run, job,
    # level, pid): an equal level or pid of another type (True is 1) is never taken for it.
    cases = [(20, 7), (40, 7), (1, 7), (True, 7), (1, 7), (20, None), (20, 8), (20, True), (20, 1), (20, 7)]
    events = [Event(DagsterEventType.STEP_START, "r-levels", "job", "a", "m", None, level, 1.25, pid)
              for level, pid in cases]
    assert [serde.dumps(e) for e in events] == [reference(e) for e in events]
    kept = serde._HEADS[(DagsterEventType.STEP_START, "r-levels", "job", 20, 7)]
    assert kept == ('{"event_type":"STEP_START","run_id":"r-levels","job_name":"job","step_key":',
                    ',"level":20,"timestamp":', ',"pid":7,"data":')
    # (True == 1 as a key: the level-1 entry is the only one, and the bool's event went to the encoder)
    level_one = serde._HEADS[(DagsterEventType.STEP_START, "r-levels", "job", True, 7)]
    assert level_one[1] == ',"level":1,"timestamp":'


def test_events_sharing_one_payload_in_a_batch_get_the_text_each_would_get_alone():
    from specrun.runtime.storage.sql_rows import event_rows

    shared = StepOutputData("result", {"path": MetadataValue.text("/s/a/v-1")}, AssetKey("a"))
    other = StepOutputData("result", {"path": MetadataValue.text("/s/b/v-1")}, AssetKey("b"))
    batch = [Event(DagsterEventType.STEP_OUTPUT, "r1", "job", "a", "out", shared, timestamp=1.0, pid=7),
             Event(DagsterEventType.HANDLED_OUTPUT, "r1", "job", "a", "handled", shared, timestamp=2.0, pid=7),
             Event(DagsterEventType.HANDLED_OUTPUT, "r1", "job", "b", "handled", other, timestamp=3.0, pid=7)]
    rows = event_rows(batch)[0]
    assert [row[-1] for row in rows] == [reference(e) for e in batch]
    shared.metadata["extra"] = MetadataValue.text("added later")  # a new batch encodes the payload anew
    assert event_rows(batch[1:2])[0][0][-1] == reference(batch[1]) and "added later" in reference(batch[1])


metadata_dicts = st.one_of(
    st.dictionaries(texts, st.builds(MetadataValue, values, st.sampled_from(["json", "text", "", "q\"uote", None])),
                    max_size=3),
    st.dictionaries(st.one_of(texts, st.integers(), st.builds(Text, texts)), st.builds(MetadataValue.text, texts),
                    max_size=2),  # keys `to_jsonable` turns into strings (and may merge)
    st.dictionaries(texts, values, max_size=2))  # raw values


@given(st.lists(st.tuples(st.sampled_from([DagsterEventType.STEP_OUTPUT, DagsterEventType.HANDLED_OUTPUT,
                                           DagsterEventType.ASSET_MATERIALIZATION]), metadata_dicts,
                          st.integers(0, 2), st.one_of(st.none(), texts), st.booleans()), min_size=1, max_size=6),
       st.dictionaries(texts, texts, max_size=2))
@settings(max_examples=300, deadline=None)
def test_a_batchs_payloads_put_together_from_their_fields_are_the_text_each_would_get_alone(events, tags):
    from specrun.runtime.storage.sql_rows import event_rows

    keys = [AssetKey("a"), AssetKey(["b", "c"]), AssetKey("a")]
    shared: dict = {}  # metadata values used by more than one payload, as a step's are
    batch = []
    for n, (kind, metadata, key, partition, reuse) in enumerate(events):
        metadata = {**shared, **metadata} if reuse else metadata
        shared.update({k: v for k, v in metadata.items() if isinstance(v, MetadataValue)})
        if kind is DagsterEventType.ASSET_MATERIALIZATION:
            data = AssetMaterialization(keys[key], None, metadata, partition, tags)
        else:
            data = StepOutputData("result", metadata, keys[key], partition)
        batch.append(Event(kind, "r1", "job", "a", "m", data, timestamp=float(n), pid=7))
    assert [row[-1] for row in event_rows(batch)[0]] == [reference(e) for e in batch]


def test_a_metadata_value_or_asset_key_shared_by_a_batchs_payloads_is_encoded_once(monkeypatch):
    from specrun.runtime.storage.sql_rows import event_rows

    path, key = MetadataValue.text("/s/a/v-1"), AssetKey("k")
    # (a float, first: the dict goes to the encoder before `_flat_text` writes any of its texts)
    stored = MetadataValue({"ratio": 0.5, "kind": "file", "path": "/s/a/v-1", "size": 5})
    output = StepOutputData("result", {"path": path, "specrun/stored": stored}, key)
    mat = AssetMaterialization(key, None, {"path": path, "specrun/stored": stored}, None, {"t": "1"})
    batch = [Event(DagsterEventType.STEP_OUTPUT, "r1", "job", "a", "out", output, timestamp=1.0, pid=7),
             Event(DagsterEventType.ASSET_MATERIALIZATION, "r1", "job", "a", "mat", mat, timestamp=2.0, pid=7)]
    expected = [reference(e) for e in batch]
    plain, encoded, strings = [], [], []
    real_plain, real_encode, real_string = serde._plain, serde._encode, serde._STRING
    monkeypatch.setattr(serde, "_plain", lambda value: plain.append(value) or real_plain(value))
    monkeypatch.setattr(serde, "_encode", lambda value: encoded.append(value) or real_encode(value))
    monkeypatch.setattr(serde, "_STRING", lambda value: strings.append(value) or real_string(value))
    assert [row[-1] for row in event_rows(batch)[0]] == expected
    assert plain == [stored.value]  # each metadata value's value, once (a text value is written as it is)
    assert encoded == [serde.to_jsonable(stored)]  # the one value written by the encoder, once
    assert (strings.count("/s/a/v-1"), strings.count("k")) == (1, 1)  # the text value and the asset key, once


def test_a_metadata_dict_of_texts_ints_and_nones_is_written_without_the_encoder(monkeypatch):
    values = [{"kind": "file", "path": "/s/a\u00e9 \"q\"", "size": 5, "sha256": "ab", "mtime_ns": 2 ** 70, "n": None}, {},
              {"flag": True}, {"x": 0.5}, {"nested": {"a": 1}}, {"n": Number(3)}, {Text("k"): "v"}, {1: "v"}]
    events = [Event(DagsterEventType.STEP_OUTPUT, "r1", "job", "a", "out",
                    StepOutputData("result", {"specrun/stored": MetadataValue(value)}), timestamp=1.0, pid=7)
              for value in values]
    expected = [reference(e) for e in events]
    encoded = []
    real_encode = serde._encode
    monkeypatch.setattr(serde, "_encode", lambda value: encoded.append(value) or real_encode(value))
    assert [serde.dumps(e, {}) for e in events] == expected
    assert [v["value"] for v in encoded] == values[2:]  # a bool, a float, a dict, an int's subclass, keys


def test_each_event_type_is_stored_as_its_value_a_plain_string():
    from specrun.runtime.storage.sql_rows import event_rows

    kinds = [k for k in DagsterEventType if k is not DagsterEventType.ASSET_CHECK_EVALUATION]  # (needs a check)
    batch = [Event(kind, "r1", "job", None, "m", AssetMaterialization(AssetKey("a")), timestamp=1.0, pid=7)
             for kind in kinds]
    texts = [row[1] for row in event_rows(batch)[0]]
    assert texts == [kind.value for kind in kinds] and {type(t) for t in texts} == {str}


def test_the_last_head_texts_of_a_kind_are_taken_for_the_same_run_job_level_and_pid_objects_only():
    run, job = "r-identity", "job"
    first = Event(DagsterEventType.STEP_START, run, job, "a", "m", None, 30, 1.5, 7)
    assert serde.dumps(first) == reference(first)
    last = serde._LAST_HEADS[DagsterEventType.STEP_START]
    assert last[:4] == (run, job, 30, 7) and last[0] is run and last[4] is serde._HEADS[
        (DagsterEventType.STEP_START, run, job, 30, 7)]
    # equal values that are other objects, or of another type, go the checked way (and are then the last)
    others = [Event(DagsterEventType.STEP_START, "".join(["r-", "identity"]), job, "b", "m", None, 30, 2.5, 7),
              Event(DagsterEventType.STEP_START, run, job, "b", "m", None, 30, 2.5, 7),
              Event(DagsterEventType.STEP_START, Text(run), job, "b", "m", None, 30, 2.5, 7),
              Event(DagsterEventType.STEP_START, run, job, "b", "m", None, 20, 2.5, True)]
    assert [serde.dumps(e) for e in others] == [reference(e) for e in others]
    assert serde._LAST_HEADS[DagsterEventType.STEP_START][0] is run  # (the Text one and the bool pid were not kept)


def test_a_flat_dicts_forms_are_kept_by_its_keys_and_written_as_the_encoder_and_json_dumps_write_it():
    from specrun.runtime.storage.sql_rows import stored_text

    facts = [{"kind": "file", "path": "/s/a%s", "size": 5, "%d 100%": "x%"}, {"kind": "file", "path": "/s/b",
                                                                             "size": 7, "%d 100%": "%%"}]
    known: dict = {}
    texts = [serde._flat_text(value, known) for value in facts]
    assert texts == [json.dumps(value, separators=(",", ":")) for value in facts]
    assert [serde.flat_json(value, known) for value in facts] == [stored_text(value) for value in facts]
    assert known[id(facts[0])][1][1] is known[id(facts[1])][1][1] is serde._FLAT_FORMS[tuple(facts[0])]
