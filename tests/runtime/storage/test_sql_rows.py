"""sql_rows: how an event batch becomes rows (the parts not covered by test_serde/test_sqlite)."""

from __future__ import annotations

import json
import math
from collections import OrderedDict

from hypothesis import given, settings, strategies as st

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
