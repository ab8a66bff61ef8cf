"""schemas.quick: the fast pre-check agrees with jsonschema on generated documents."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from specrun.schemas import load_schema
from specrun.schemas.quick import compile_schema, is_valid


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


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec_documents())
def test_quick_agrees_with_jsonschema_on_spec_documents(doc):
    assert is_valid(SCHEMA, doc) == VALIDATOR.is_valid(doc), json.dumps(doc)


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


@settings(max_examples=300, deadline=None)
@given(SUBSET_SCHEMAS, VALUES_FOR_SUBSET)
def test_quick_never_says_yes_to_what_jsonschema_refuses(schema, value):
    quick = compile_schema(schema)(value)
    exact = jsonschema.Draft202012Validator(schema).is_valid(value)
    assert not quick or exact, (schema, value)


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
])
def test_edge_values_agree_with_jsonschema(schema, value, expected):
    assert jsonschema.Draft202012Validator(schema).is_valid(value) is expected
    assert compile_schema(schema)(value) is expected
