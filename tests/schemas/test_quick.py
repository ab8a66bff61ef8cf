"""schemas.quick: the fast pre-check agrees with jsonschema on generated documents."""

from __future__ import annotations

import json
import os

import jsonschema
import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from specrun.schemas import load_schema
from specrun.schemas.quick import _compiled, compile_schema, is_valid


def _schema_words(schema) -> tuple[list[str], list]:
    """Property names and enum/const values the pipeline schema mentions (so generated
    documents reach deep into it instead of failing at the top)."""
    names, values = set(), []

    def walk(node):
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            values.extend(node.get("enum", []))
            if "const" in node:
                values.append(node["const"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(schema)
    return sorted(names), values


def _examples(full: int) -> dict:
    """The property tests' sample: `full` random examples; under bench/mutation.py (which sets
    SPECRUN_MUTATION_RUN and runs this file for each of quick's ~260 mutants) a fixed sample of 25,
    the same for every mutant and every run, the exact cases below carrying the rest."""
    if os.environ.get("SPECRUN_MUTATION_RUN"):
        return {"max_examples": 25, "derandomize": True, "database": None}
    return {"max_examples": full}


SCHEMA = load_schema()
NAMES, VALUES = _schema_words(SCHEMA)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-3, max_value=3), st.sampled_from([0.5, 1.0, -1.5]),
    st.sampled_from(VALUES), st.text(alphabet="ab_-.:1 ", max_size=6))
KEYS = st.one_of(st.sampled_from(NAMES), st.sampled_from(["x-note", "a", "b.c", "1", ""]))


def _json(leaves):
    return st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=4)), max_leaves=12)


@st.composite
def spec_documents(draw):
    """A top-level mapping that is often close to a valid spec."""
    doc = {"specrun": draw(st.sampled_from([1, 1, 1, 2, "1", True]))}
    for section in draw(st.lists(st.sampled_from(["module", "assets", "checks", "ops", "jobs", "resources",
                                                   "executor", "partitions", "include", "vars", "name"]),
                                 max_size=4, unique=True)):
        if section in ("module", "name"):
            doc[section] = draw(st.one_of(st.text(alphabet="abc_", min_size=1, max_size=5), LEAVES))
        else:
            doc[section] = draw(st.one_of(
                st.dictionaries(st.text(alphabet="abc_", min_size=1, max_size=4),
                                st.dictionaries(KEYS, _json(LEAVES), max_size=4), max_size=3),
                _json(LEAVES)))
    return doc


@pytest.fixture(scope="module")
def spec_check():
    # compiled here, not only through is_valid's cache: a cache filled before the test (as in a
    # mutation run's parent process) would hide what compiling the schema does
    return compile_schema(SCHEMA)


@settings(**_examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec_documents())
def test_quick_agrees_with_jsonschema_on_spec_documents(spec_check, doc):
    exact = VALIDATOR.is_valid(doc)
    assert spec_check(doc) == exact, json.dumps(doc)
    assert is_valid(SCHEMA, doc) == exact, json.dumps(doc)


def test_the_generated_documents_are_both_valid_and_invalid():
    # Guard against a generator that only makes invalid documents (which would agree trivially).
    assert VALIDATOR.is_valid(find(spec_documents(), VALIDATOR.is_valid))
    assert not VALIDATOR.is_valid(find(spec_documents(), lambda doc: not VALIDATOR.is_valid(doc)))


SUBSET_SCHEMAS = st.recursive(
    st.one_of(
        st.builds(lambda t: {"type": t}, st.sampled_from(["object", "array", "string", "boolean", "integer",
                                                          "number", "null"])),
        st.builds(lambda ts: {"type": ts}, st.lists(st.sampled_from(["string", "integer", "null"]),
                                                    min_size=1, max_size=2, unique=True)),
        st.builds(lambda c: {"const": c}, st.sampled_from([1, "a", True, None])),
        st.builds(lambda e: {"enum": e}, st.lists(st.sampled_from([0, 1, "a", True, False, None]),
                                                  min_size=1, max_size=3, unique_by=repr)),
        st.builds(lambda n: {"minLength": n}, st.integers(0, 3)),
        st.builds(lambda n: {"minimum": n}, st.integers(-1, 2)),
        st.just({"pattern": "^a"}), st.just({}), st.just({"required": ["a"]})),
    lambda inner: st.one_of(
        st.builds(lambda s: {"items": s}, inner),
        st.builds(lambda alts: {"anyOf": alts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda props, extra: {"type": "object", "properties": props, "additionalProperties": extra},
                  st.dictionaries(st.sampled_from(["a", "b"]), inner, max_size=2), st.one_of(st.booleans(), inner)),
        st.builds(lambda s: {"patternProperties": {"^x-": s}, "additionalProperties": False}, inner),
        st.builds(lambda s: {"propertyNames": s}, inner)),
    max_leaves=6)
VALUES_FOR_SUBSET = _json(st.one_of(st.none(), st.booleans(), st.integers(-2, 3), st.sampled_from([0.5, 2.0]),
                                    st.sampled_from(["", "a", "ab", "ba", "x-1"])))


def _has_whole_float(value) -> bool:
    if type(value) is float:
        return value.is_integer()
    if type(value) is list:
        return any(_has_whole_float(x) for x in value)
    if type(value) is dict:
        return any(_has_whole_float(x) for x in value.values())
    return False


@settings(**_examples(300), deadline=None)
@given(SUBSET_SCHEMAS, VALUES_FOR_SUBSET)
def test_quick_agrees_with_jsonschema_on_its_subset(schema, value):
    # It never says yes to what jsonschema refuses. Within its subset it also says yes to all
    # jsonschema accepts, but for one strictness: jsonschema reads 2.0 as the integer 2 (for
    # `type: integer`, `const: 1`), quick does not.
    quick = compile_schema(schema)(value)
    exact = jsonschema.Draft202012Validator(schema).is_valid(value)
    assert not quick or exact, (schema, value)
    assert quick or not exact or _has_whole_float(value), (schema, value)


@pytest.mark.parametrize("schema, value", [
    ({"not": {"type": "string"}}, 1), ({"$ref": "#/x"}, 1), ({"oneOf": [{}]}, 1), (False, 1)])
def test_a_keyword_outside_the_subset_always_says_no(schema, value):
    assert compile_schema(schema)(value) is False


@pytest.mark.parametrize("schema, value, expected", [
    ({"type": "integer"}, True, False), ({"type": "number"}, False, False), ({"type": "integer"}, 3, True),
    ({"enum": [1]}, True, False), ({"enum": [0]}, False, False), ({"enum": [True]}, 1, False),
    ({"const": 1}, True, False), ({"minimum": 1}, 0, False), ({"minimum": 1}, 1, True),
    ({"minLength": 2}, "a", False), ({"minLength": 2}, "ab", True), ({"pattern": "b"}, "ab", True),
    ({"required": ["a"]}, {}, False), ({"required": ["a"]}, [], True),
    ({"enum": [[1]]}, [True], False), ({"enum": [{"a": 0}]}, {"a": False}, False), ({"enum": [1]}, 1.0, True),
    (True, None, True), ({}, [1], True), ({"const": "a"}, "a", True), ({"enum": ["a", 1]}, 1, True),
    ({"type": "object"}, {}, True), ({"type": "object"}, [], False), ({"type": "string"}, "a", True),
    ({"type": "string"}, 1, False), ({"type": "array"}, [], True), ({"type": "null"}, None, True),
    ({"type": "boolean"}, 0, False), ({"type": "number"}, 0.5, True), ({"type": ["string", "null"]}, None, True),
    ({"type": ["string", "null"]}, 1, False),
    ({"minLength": 2}, 5, True), ({"pattern": "^a"}, 5, True), ({"pattern": "^a"}, "ba", False),
    ({"minimum": 1}, "a", True), ({"minimum": 1}, 0.5, False),
    ({"type": "integer", "minimum": 1}, 0, False), ({"type": "integer", "minimum": 1}, 1, True),
    ({"type": "string", "minLength": 2, "pattern": "^a"}, "ab", True),
    ({"type": "string", "minLength": 2, "pattern": "^a"}, "ba", False),
    ({"type": "string", "minLength": 2, "pattern": "^a"}, "a", False),
    ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, 1, True),
    ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, None, False),
    ({"items": {"type": "integer"}}, [1, 2], True), ({"items": {"type": "integer"}}, [1, "a"], False),
    ({"items": {"type": "integer"}}, "a", True),
    ({"properties": {"a": {"type": "string"}}}, {"a": "x"}, True),
    ({"properties": {"a": {"type": "string"}}}, {"a": 1}, False),
    ({"properties": {"a": {"type": "string"}}}, {"b": 1}, True),
    ({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2}, False),
    ({"properties": {"a": {}}, "additionalProperties": {"type": "integer"}}, {"a": "s", "b": 2}, True),
    ({"properties": {"a": {}}, "additionalProperties": {"type": "integer"}}, {"b": "s"}, False),
    ({"patternProperties": {"^x-": {"type": "integer"}}}, {"x-a": 1}, True),
    ({"patternProperties": {"^x-": {"type": "integer"}}}, {"x-a": "s"}, False),
    ({"patternProperties": {"^x-": {"type": "integer"}}, "additionalProperties": False}, {"y": 1}, False),
    ({"patternProperties": {"^x-": {"type": "integer"}}, "additionalProperties": False}, {"x-a": 1}, True),
    ({"properties": {"x-a": {"type": "integer"}}, "patternProperties": {"^x-": {"minimum": 2}}}, {"x-a": 1}, False),
    ({"properties": {"x-a": {"type": "integer"}}, "patternProperties": {"^x-": {"minimum": 2}}}, {"x-a": 3}, True),
    ({"propertyNames": {"pattern": "^a"}}, {"ab": 1}, True), ({"propertyNames": {"pattern": "^a"}}, {"b": 1}, False),
    ({"required": ["a", "b"]}, {"a": 1}, False), ({"required": ["a", "b"]}, {"a": 1, "b": 2}, True),
    ({"additionalProperties": False}, {"b": 1}, False), ({"additionalProperties": False}, {}, True),
    ({"properties": {"a": {"type": "string"}}, "patternProperties": {"^x-": {}}, "additionalProperties": False,
      "required": ["a"], "propertyNames": {"minLength": 1}}, {"a": 1}, False),
])
def test_edge_values_agree_with_jsonschema(schema, value, expected):
    assert jsonschema.Draft202012Validator(schema).is_valid(value) is expected
    assert compile_schema(schema)(value) is expected


def test_is_valid_compiles_a_schema_once_whatever_its_key_order():
    _compiled.cache_clear()
    assert is_valid({"type": "string", "minLength": 1}, "a") is True
    assert is_valid({"minLength": 1, "type": "string"}, "") is False
    info = _compiled.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def _calls_checking(check, value) -> list[str]:
    """The Python functions `check(value)` calls, by name, in order."""
    import sys

    names: list[str] = []

    def profile(frame, event, arg):
        if event == "call":
            names.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        assert check(value) is True
    finally:
        sys.setprofile(None)
    return names[:-1]  # (the last: sys.setprofile itself, a C call seen as none)


def test_an_asset_entry_is_checked_without_generators_or_a_pass_for_its_kind(spec_check):
    """An entry's `anyOf` of kinds (`required: [fn]`, ...) and an input's `anyOf` of a name or a
    mapping are asked in turn, with no generator made; a `required`-only alternative looks up
    its key instead of passing over the entry's keys."""
    doc = {"specrun": 1, "assets": {"a": {"fn": "f"}, "b": {"fn": "g", "ins": {"up": "a"}}}}
    calls = _calls_checking(spec_check, doc)
    assert "<genexpr>" not in calls
    one_more_entry = _calls_checking(spec_check, {**doc, "assets": {**doc["assets"], "c": {"fn": "h", "ins": {"up": "b"}}}})
    assert len(one_more_entry) - len(calls) == 14  # an entry of one input: 14 Python calls (20 before)
