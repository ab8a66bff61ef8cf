"""Validate stage: the JSON Schema, with every error at once, each at its position."""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, Optional

from ..errors import SpecError, suggest, unusual_characters
from ..schemas import load_schema
from .parse import Document, escape

_TYPE_WORDS = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "a whole number",
               "number": "a number", "boolean": "true or false", "null": "nothing"}


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema())


@functools.lru_cache(maxsize=1)
def _quick_check() -> Any:
    from ..schemas.quick import compile_schema

    return compile_schema(load_schema())


def _pointer(path: Any) -> str:
    return "".join("/" + escape(p) for p in path)


def _subschema_props(error: Any) -> list[str]:
    return sorted((error.schema or {}).get("properties", {}))


def _type_name(value: Any) -> str:
    mapping = {dict: "a mapping", list: "a list", str: "a string", bool: "true/false", int: "a number",
               float: "a number", type(None): "nothing"}
    return mapping.get(type(value), type(value).__name__)


def _convert(error: Any, doc: Document) -> list[SpecError]:
    """One jsonschema error as what the user reads: none, one or (unknown keys) several."""
    pointer = _pointer(error.absolute_path)
    kind = error.validator
    if kind == "additionalProperties":
        return _unknown_keys(error, pointer, doc)
    if kind in _VALUE_ERRORS:
        return [_VALUE_ERRORS[kind](error, pointer, doc)]
    if kind in ("minLength", "pattern", "propertyNames"):
        found = _text_error(error, pointer, doc)
        if found is not None:
            return [found]
    if kind in ("anyOf", "oneOf"):
        alternatives = _alternatives_error(error, pointer, doc)
        if alternatives is not None:
            return alternatives
    return [SpecError(error.message, doc.locate(pointer), pointer)]


def _unknown_keys(error: Any, pointer: str, doc: Document) -> list[SpecError]:
    """additionalProperties: each unknown key (but `x-` ones) at its own position."""
    allowed = _subschema_props(error)
    patterns = [re.compile(p) for p in (error.schema or {}).get("patternProperties", {})]
    extras = sorted(k for k in error.instance if k not in allowed
                    and not any(p.search(k) for p in patterns)) if isinstance(error.instance, dict) else []
    if patterns and len(patterns) > 1:
        return []  # named maps: an invalid name is reported by propertyNames
    return [SpecError(f"unknown key {key!r}" + _where(pointer), doc.locate(f"{pointer}/{escape(key)}", key=True),
                      f"{pointer}/{escape(key)}",
                      suggest(key, allowed) or (f"allowed here: {', '.join(allowed)}" if allowed else None))
            for key in extras if not str(key).startswith("x-")]


_KIND_PATTERN = "^[A-Za-z0-9_.-]{1,63}$"  # (the schema's, as Dagster's tag keys allow: dagster/kind/<kind>)


def _text_error(error: Any, pointer: str, doc: Document) -> Optional[SpecError]:
    """minLength / pattern / propertyNames: an empty string, a bad key part or a bad name
    (None: another pattern, reported in jsonschema's words)."""
    kind = error.validator
    if kind == "minLength" or (kind == "pattern" and error.validator_value == "\\S"):
        return SpecError("expected a non-empty string" + _where(pointer), doc.locate(pointer), pointer)
    if kind == "pattern" and error.validator_value == "^[A-Za-z0-9_]+$":
        return SpecError(f"{error.instance!r} is not a valid key part" + _where(pointer) + ": use letters, digits and _",
                         doc.locate(pointer), pointer)
    if kind == "pattern" and error.validator_value == _KIND_PATTERN:
        return SpecError(f"{error.instance!r} is not a valid kind" + _where(pointer)
                         + ": use letters, digits, _, - and . (at most 63)", doc.locate(pointer), pointer)
    if kind == "propertyNames" or (kind == "pattern" and error.absolute_schema_path and "propertyNames" in error.absolute_schema_path):
        name = error.instance
        odd = unusual_characters(str(name))
        return SpecError(f"{name!r} is not a valid name: use letters, digits and _ (not starting with a digit)",
                         doc.locate(f"{pointer}/{escape(name)}", key=True), pointer,
                         f"it has {odd}" if odd else None)
    return None


def _missing_key(error: Any, pointer: str, doc: Document) -> SpecError:
    missing = re.findall(r"'([^']+)' is a required property", error.message) or ["?"]
    return SpecError(f"missing required key {missing[0]!r}" + _where(pointer), doc.locate(pointer, key=True), pointer)


def _not_an_option(error: Any, pointer: str, doc: Document) -> SpecError:
    options = [str(o) for o in error.validator_value]
    return SpecError(f"{error.instance!r} is not one of: {', '.join(options)}", doc.locate(pointer), pointer,
                     suggest(str(error.instance), options))


def _not_the_version(error: Any, pointer: str, doc: Document) -> SpecError:
    return SpecError(f"expected {error.validator_value!r}, got {error.instance!r}", doc.locate(pointer), pointer,
                     "this spec format is version 1: write `specrun: 1`")


def _wrong_type(error: Any, pointer: str, doc: Document) -> SpecError:
    wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    words = " or ".join(_TYPE_WORDS.get(str(w), str(w)) for w in wanted)
    return SpecError(f"expected {words}, got {_type_name(error.instance)}" + _where(pointer),
                     doc.locate(pointer), pointer)


# validator -> its error as the user reads it
_VALUE_ERRORS: dict[str, Callable[[Any, str, Document], SpecError]] = {
    "required": _missing_key, "enum": _not_an_option, "const": _not_the_version, "type": _wrong_type}


def _alternatives_error(error: Any, pointer: str, doc: Document) -> Optional[list[SpecError]]:
    """anyOf / oneOf: the keys one of which is missing, or what is wrong with the alternative
    that fits best (None: jsonschema's own message)."""
    if error.context and all(e.validator == "required" for e in error.context):
        keys = [k for e in error.context for k in re.findall(r"'([^']+)' is a required property", e.message)]
        return [SpecError("missing required key " + " or ".join(repr(k) for k in keys) + _where(pointer),
                          doc.locate(pointer, key=True), pointer)]
    from jsonschema.exceptions import best_match

    # the alternative whose type fits says what is wrong; "expected a list" would not
    fitting = [e for e in error.context or () if e.validator != "type" or e.relative_path]
    best = best_match(fitting or error.context) if error.context else None
    if best is not None and best is not error:
        return _convert(best, doc)
    return None


def _where(pointer: str) -> str:
    """` in assets/orders/raw`: the pointer as it reads, `~1` (a `/` in a name, as in a `use:`
    instance's `orders/raw`) shown as `/`."""
    return f" in {pointer[1:].replace('~1', '/').replace('~0', '~')}" if pointer else " at the top level"


def validate_document(doc: Document) -> list[SpecError]:
    """Every schema error of `doc`, in source order."""
    if _quick_check()(doc.data):
        return []
    errors: list[SpecError] = []
    for error in _validator().iter_errors(doc.data):
        errors.extend(_convert(error, doc))
    return sorted(errors, key=lambda e: (e.location.file, e.location.line, e.location.col) if e.location else ("", 0, 0))
