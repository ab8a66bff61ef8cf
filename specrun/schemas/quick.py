"""A fast yes/no check of a document against the subset of JSON Schema our schema uses.

jsonschema reports every error precisely but takes about 0.2 ms per spec entry; most
documents are valid, so this check runs first and jsonschema only runs when it says no.
The schema is compiled once into nested closures. It never says yes to an invalid
document: a keyword outside its subset compiles to a check that always says no.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any, Callable

Check = Callable[[Any], bool]
# JSON Schema's types as the Python types of parsed YAML/TOML (a bool is not an integer here)
_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,), "integer": (int,),
    "number": (int, float), "null": (type(None),),
}
_KNOWN = {"type", "properties", "patternProperties", "additionalProperties", "required", "enum",
          "const", "anyOf", "items", "minimum", "minLength", "propertyNames", "pattern",
          "description", "title", "$schema", "$id", "default"}


def _never(_: Any) -> bool:
    return False


def _always(_: Any) -> bool:
    return True


def compile_schema(schema: Any) -> Check:
    """A function answering whether a value satisfies `schema`."""
    if schema is True or schema == {}:
        return _always
    if not isinstance(schema, dict) or not _KNOWN.issuperset(schema):
        return _never
    checks: list[Check] = []
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        checks.append(_type_check(kinds))
    if "const" in schema:
        const = schema["const"]
        checks.append(lambda v: v == const and type(v) is type(const))
    if "enum" in schema:
        options = [_strict(o) for o in schema["enum"]]
        checks.append(lambda v: _strict(v) in options)
    if "anyOf" in schema:
        checks.append(_any_of([compile_schema(s) for s in schema["anyOf"]]))
    checks.extend(_scalar_checks(schema))
    if "items" in schema:
        item = compile_schema(schema["items"])
        checks.append(lambda v: type(v) is not list or all(item(x) for x in v))
    if any(k in schema for k in ("properties", "patternProperties", "additionalProperties", "required", "propertyNames")):
        checks.append(_object_check(schema))
    return _all_of(checks)


def _strict(value: Any) -> Any:
    """`value` with its booleans told apart from 0 and 1, as JSON Schema compares them
    (Python's `True == 1` would let `true` through an `enum: [1]`)."""
    if type(value) is bool:
        return (bool, value)
    if type(value) is list:
        return [_strict(x) for x in value]
    if type(value) is dict:
        return {k: _strict(x) for k, x in value.items()}
    return value


def _type_check(kinds: list[str]) -> Check:
    if kinds == ["object"]:  # the common cases without a call per test: this runs for every value
        return lambda v: type(v) is dict
    if kinds == ["string"]:
        return lambda v: type(v) is str
    types = frozenset(t for k in kinds for t in _PYTHON_TYPES[k])
    return lambda v: type(v) in types


def _any_of(alternatives: list[Check]) -> Check:
    """Whether one of `alternatives` says yes, asked in turn (no generator made a value: an
    `anyOf` is met once an entry of a spec, and again once an input of it)."""
    if len(alternatives) == 1:
        return alternatives[0]
    if len(alternatives) == 2:
        first, second = alternatives
        return lambda v: first(v) or second(v)

    def check(value: Any) -> bool:
        for alternative in alternatives:
            if alternative(value):
                return True
        return False

    return check


def _all_of(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)

    def check(value: Any) -> bool:
        for c in checks:
            if not c(value):
                return False
        return True

    return check


def _scalar_checks(schema: dict[str, Any]) -> list[Check]:
    checks: list[Check] = []
    if "minLength" in schema:
        n = schema["minLength"]
        checks.append(lambda v: type(v) is not str or len(v) >= n)
    if "pattern" in schema:
        rx = re.compile(schema["pattern"])
        checks.append(lambda v: type(v) is not str or rx.search(v) is not None)
    if "minimum" in schema:
        low = schema["minimum"]
        checks.append(lambda v: type(v) not in (int, float) or v >= low)
    return checks


def _object_check(schema: dict[str, Any]) -> Check:
    props = {k: compile_schema(s) for k, s in schema.get("properties", {}).items()}
    patterns = [(re.compile(p), compile_schema(s)) for p, s in schema.get("patternProperties", {}).items()]
    additional = compile_schema(schema.get("additionalProperties", True))
    names = compile_schema(schema["propertyNames"]) if "propertyNames" in schema else None
    required = tuple(schema.get("required", ()))
    # a declared property's checks, its own and those of the patterns its name matches, worked
    # out once: the same few names recur in every entry of a spec
    declared = {k: [test, *(sub for rx, sub in patterns if rx.search(k))] for k, test in props.items()}

    def check(value: Any) -> bool:
        if type(value) is not dict:
            return True
        for k in required:
            if k not in value:
                return False
        for key, item in value.items():
            if names is not None and not names(key):
                return False
            tests = declared.get(key)
            if tests is not None:
                for test in tests:
                    if not test(item):
                        return False
                continue
            matched = False
            for rx, sub in patterns:
                if rx.search(key):
                    matched = True
                    if not sub(item):
                        return False
            if not matched and not additional(item):
                return False
        return True

    if not props and not patterns and names is None and additional is _always:
        return _required_only(required)
    return check


def _required_only(required: tuple[str, ...]) -> Check:
    """An object check of `required` keys and nothing else (an `anyOf` of `required: [fn]`,
    `required: [graph]`, ... tells an entry's kind): no pass over the value's keys."""
    if len(required) == 1:
        key = required[0]
        return lambda v: type(v) is not dict or key in v

    def check(value: Any) -> bool:
        if type(value) is dict:
            for k in required:
                if k not in value:
                    return False
        return True

    return check


@functools.lru_cache(maxsize=8)
def _compiled(schema_text: str) -> Check:
    return compile_schema(json.loads(schema_text))


def is_valid(schema: Any, value: Any) -> bool:
    """True only if `value` satisfies `schema` (False also when unsure)."""
    return _compiled(json.dumps(schema, sort_keys=True))(value)
