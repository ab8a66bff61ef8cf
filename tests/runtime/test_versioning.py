"""Version records: their text is exactly what `json.dumps` writes, so stored versions keep
comparing equal across releases."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.runtime import versioning as v

VALUES = [
    ["82bb08286baba4aa", "none", [["raw", "0123456789abcdef"]], None, "run-1"],
    ["v1", "none", [], "2024-01-01", "run-2"],
    {"b/c": "1", "a": "\u00e9\u2603\n\"quoted\" \\ tab\t"},
    ["\U0001f600", 1, 2.5, True, None, {"z": [1, {"y": 2}], "a": float("inf")}],
]


@pytest.mark.parametrize("value", VALUES)
def test_json_writers_write_what_json_dumps_writes(value):
    assert v._to_json(value) == json.dumps(value)
    assert v._to_sorted_json(value) == json.dumps(value, sort_keys=True)


def test_data_version_hashes_the_json_of_its_parts():
    inputs = {"b": "2", "a": "1"}
    text = json.dumps(["code", "cfg", sorted(inputs.items()), "p", "run"])
    assert v.data_version("code", "cfg", inputs, "p", "run") == hashlib.sha1(text.encode()).hexdigest()[:16]


def test_input_data_versions_text_is_sorted_json():
    assert v.input_data_versions_text({"b": "2", "a": "1"}) == '{"a": "1", "b": "2"}'


# (code version, config hash, inputs, partition, run id): strings that need escaping, none,
# one and several inputs, no partition; then parts that are not strings (json writes them).
VERSION_PARTS = [
    ("82bb08286baba4aa", "none", {"raw": "0123456789abcdef"}, None, "0b8d5d5e-2b6c-4a8f"),
    ("v1", "cfg", {}, "2024-01-01", "run-2"),
    ("c\u00e9\u2603", "h\n\"q\"", {"b/c": "1", "a": "\U0001f600 \\ tab\t", "\x00": "\x7f"}, "p\u2028", "r"),
    ("", "", {"z": "", "": "z"}, "", ""),
    ("code", "none", {"a": None, "b": "2"}, None, "run"),
    ("code", "none", {"a": "1"}, 3, "run"),
    ("code", 1.5, {"a": "1"}, None, "run"),
    (7, None, {"a": "1"}, None, "run"),
    ("code", "none", {"a": True}, None, "run"),
]


@pytest.mark.parametrize("parts", VERSION_PARTS)
def test_data_version_and_input_text_are_what_json_dumps_gives(parts):
    code, cfg, inputs, partition, run_id = parts
    text = json.dumps([code, cfg, sorted(inputs.items()), partition, run_id])
    for _ in range(2):  # the second time from the kept string texts
        assert v.data_version(code, cfg, inputs, partition, run_id) == hashlib.sha1(text.encode()).hexdigest()[:16]
        assert v.input_data_versions_text(inputs) == json.dumps(inputs, sort_keys=True)
        expected = (hashlib.sha1(text.encode()).hexdigest()[:16], json.dumps(inputs, sort_keys=True))
        assert v.data_version_and_inputs_text(code, cfg, inputs, partition, run_id) == expected
        prefix = v.version_text_prefix(code, cfg)
        assert v.data_version_and_inputs_text(code, cfg, inputs, partition, run_id, prefix) == expected


# (code version, config hash, upstream label, upstream version, run id) of a materialization
# that read one unpartitioned upstream asset; strings that need escaping, empty ones.
ONE_INPUT_PARTS = [
    ("82bb08286baba4aa", "none", "raw", "0123456789abcdef", "0b8d5d5e-2b6c-4a8f"),
    ("c\u00e9\u2603", "h\n\"q\"", "b/c \U0001f600", "\\ tab\t\x00\x7f", "r\u2028"),
    ("", "", "", "", ""),
]


@pytest.mark.parametrize("parts", ONE_INPUT_PARTS)
def test_one_input_texts_are_what_json_dumps_gives(parts):
    code, cfg, label, upstream, run_id = parts
    text = json.dumps([code, cfg, [[label, upstream]], None, run_id])
    expected = (hashlib.sha1(text.encode()).hexdigest()[:16], json.dumps({label: upstream}))
    for _ in range(2):  # the second time from the kept string texts
        head, lead = v.one_input_text_parts(v.version_text_prefix(code, cfg), label)
        assert v.one_input_version_and_text(head, lead, upstream, run_id) == expected
        general = v.data_version_and_inputs_text(code, cfg, {label: upstream}, None, run_id)
        assert general == expected


@pytest.mark.parametrize("upstream, run_id", [(None, "run"), ("1", None), (3, "run")])
def test_one_input_texts_of_a_part_that_is_not_a_string_raise_type_error(upstream, run_id):
    head, lead = v.one_input_text_parts(v.version_text_prefix("code", "none"), "up")
    with pytest.raises(TypeError):
        v.one_input_version_and_text(head, lead, upstream, run_id)


@given(st.lists(st.tuples(st.text(max_size=4), st.text(max_size=4)), max_size=8),
       st.sampled_from(VERSION_PARTS))
@settings(max_examples=200, deadline=None)
def test_the_texts_of_label_sorted_inputs_are_those_of_their_mapping(pairs, parts):
    """Of (label, version) pairs in the order of the labels (a stable sort: of equal labels
    the last counts, as in the mapping), the one-pass texts are the general function's."""
    code, cfg, _, _, run_id = parts
    if not all(isinstance(p, str) for p in (code, cfg, run_id)):
        return
    pairs = sorted(pairs, key=lambda pair: pair[0])
    prefix = v.version_text_prefix(code, cfg)
    expected = v.data_version_and_inputs_text(code, cfg, dict(pairs), None, run_id)
    assert v.sorted_inputs_version_and_text(prefix, iter(pairs), run_id) == expected
    assert v.sorted_inputs_version_and_text(prefix, iter(pairs), run_id) == expected


@given(st.lists(st.tuples(st.sampled_from("abcdefgh"), st.text(max_size=3)), max_size=12),
       st.integers(min_value=1, max_value=4))
@settings(max_examples=200, deadline=None)
def test_the_texts_of_label_sorted_inputs_put_together_in_chunks_are_those_of_their_mapping(
        pairs, chunk):
    """Past `_CHUNK` pairs the texts are written a chunk at a time (the version's text hashed
    as written): the same texts as the general function's, two inputs of one label across a
    chunk's end included."""
    pairs = sorted(pairs, key=lambda pair: pair[0])
    prefix = v.version_text_prefix("code", "none")
    expected = v.data_version_and_inputs_text("code", "none", dict(pairs), None, "run")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(v, "_CHUNK", chunk)
        assert v.sorted_inputs_version_and_text(prefix, iter(pairs), "run") == expected


def test_the_texts_of_a_join_of_thousands_of_inputs_are_those_of_their_mapping():
    labels = sorted(f"src_{i}" for i in range(1, 1000))
    pairs = [(label, f"{i:016x}") for i, label in enumerate(labels)]
    pairs.insert(v._CHUNK, (labels[v._CHUNK - 1], "again"))  # (the first chunk's last label, twice)
    prefix = v.version_text_prefix("code", "none")
    expected = v.data_version_and_inputs_text("code", "none", dict(pairs), None, "run")
    assert v.sorted_inputs_version_and_text(prefix, iter(pairs), "run") == expected
    assert json.loads(expected[1])[labels[v._CHUNK - 1]] == "again"


@pytest.mark.parametrize("pairs, run_id", [([("a", None)], "run"), ([("a", "1")], None), ([(3, "1")], "run")])
def test_the_texts_of_label_sorted_inputs_of_a_part_that_is_not_a_string_raise_type_error(pairs, run_id):
    with pytest.raises(TypeError):
        v.sorted_inputs_version_and_text(v.version_text_prefix("code", "none"), pairs, run_id)


def test_a_data_version_made_is_not_kept_and_is_quoted_downstream_as_json_dumps_writes_it():
    version, _ = v.data_version_and_inputs_text("code", "none", {}, None, "run-not-kept")
    assert version not in v._QUOTED
    prefix = v.version_text_prefix("code", "none")
    expected = v.data_version_and_inputs_text("code", "none", {"up": version}, None, "run-not-kept")
    assert expected[1] == json.dumps({"up": version})
    assert v.one_input_version_and_text(*v.one_input_text_parts(prefix, "up"), version, "run-not-kept") == expected
    assert v.sorted_inputs_version_and_text(prefix, [("up", version)], "run-not-kept") == expected
    assert version not in v._QUOTED and expected[0] not in v._QUOTED


def test_kept_string_texts_are_emptied_when_many(monkeypatch):
    monkeypatch.setattr(v, "_QUOTED_KEPT", 3)
    kept = v._QuotedStrings()
    assert [kept[s] for s in ("a", "b", "c")] == ['"a"', '"b"', '"c"']
    assert kept["\u00e9"] == '"\\u00e9"' and len(kept) == 1
    with pytest.raises(TypeError):
        kept[1]


def test_a_version_with_unorderable_input_names_fails_as_json_does():
    with pytest.raises(TypeError):
        v.data_version("code", "none", {1: "a", "b": "c"}, None, "run")


def test_an_asset_made_by_a_template_has_the_templates_hash_in_its_code_version():
    from specrun import asset
    from specrun.runtime.versioning import asset_code_version, code_version_of, template_part

    @asset(tags={"specrun/template": "t.yaml.j2", "specrun/template_hash": "abc123"})
    def made():
        return 1

    @asset(code_version="7")
    def plain():
        return 1

    code = asset_code_version(made.op, made)
    assert code == code_version_of(made.op) + "@tabc123"
    assert template_part(code) == "abc123"
    assert asset_code_version(plain.op, plain) == "7"
    assert template_part("7") is None and template_part(None) is None


def test_an_assets_code_facts_are_its_code_version_and_code_parts_text():
    """`asset_code_facts` reads the parts once; it gives what the two functions give apart:
    automatic, explicit, template-made and explicit template-made versions, and a callable
    that is not a function."""
    from specrun import asset
    from specrun.runtime.versioning import asset_code_facts, asset_code_version, code_parts_text

    @asset
    def auto():
        return 1

    @asset(code_version="7")
    def explicit():
        return 1

    @asset(tags={"specrun/template": "t.yaml.j2", "specrun/template_hash": "abc123"})
    def made():
        return 1

    @asset(code_version="8", tags={"specrun/template_hash": "def456"})
    def made_explicit():
        return 1

    class Call:
        def __call__(self):
            return 1

    for a in (auto, explicit, made, made_explicit):
        facts = asset_code_facts(a.op, a)
        assert facts == (asset_code_version(a.op, a), code_parts_text(a.op, a.code_version))
    assert asset_code_facts(made.op, made)[0].endswith("@tabc123")
    assert asset_code_facts(made_explicit.op, made_explicit) == ("8@tdef456", None)
    assert asset_code_facts(auto.op, auto)[1] is not None

    class NotAFunction:
        compute_fn = Call()

    assert asset_code_facts(NotAFunction(), auto) == ("unknown", None)
    assert asset_code_version(NotAFunction(), auto) == "unknown"
    assert code_parts_text(NotAFunction(), None) is None
