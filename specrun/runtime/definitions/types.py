"""Data types attached to inputs and outputs (Dagster's `DagsterType`).

As in Dagster, an input's or output's Python annotation becomes a type whose check is an
`isinstance` test (`int` -> "Int", `Optional[int]` also lets None through, `list[int]`
checks the items); `In/Out(dagster_type=...)` takes a `DagsterType` or a Python type.
"""

from __future__ import annotations

import collections.abc
import types
import typing
from typing import Any, Callable, Optional

from .signature import _hints


class TypeCheck:
    """The result of a type check: success plus an optional description and metadata."""

    def __init__(self, success: bool, description: Optional[str] = None,
                 metadata: Optional[dict] = None) -> None:
        self.success = bool(success)
        self.description = description
        self.metadata = dict(metadata or {})


class DataType:
    """A named type with an optional check run on every value that passes through it."""

    def __init__(
        self,
        type_check_fn: Optional[Callable[[Any, Any], Any]] = None,
        name: Optional[str] = None,
        description: Optional[str] = None,
        is_nothing: bool = False,
        python_type: Any = None,
    ) -> None:
        self.type_check_fn = type_check_fn
        self.name = name or "Any"
        self.description = description
        self.is_nothing = is_nothing
        self.python_type = python_type
        self._instance_of: Any = None  # set when the check is exactly isinstance(value, it)

    @property
    def display_name(self) -> str:
        return self.name

    def passes(self, value: Any) -> bool:
        """Whether `value` passes the check (a bare isinstance test where that is all it is:
        this runs for every annotated input and output of every step)."""
        instance_of = getattr(self, "_instance_of", None)  # a subclass may skip __init__
        if instance_of is not None:
            return isinstance(value, instance_of)
        return self.type_check(None, value).success

    def type_check(self, context: Any, value: Any) -> TypeCheck:
        """Run the check; a bare bool result becomes a TypeCheck."""
        if self.type_check_fn is None:
            return TypeCheck(True)
        result = self.type_check_fn(context, value)
        return result if isinstance(result, TypeCheck) else TypeCheck(bool(result))

    def __repr__(self) -> str:
        return f"DataType({self.name!r})"


DagsterType = DataType
Nothing = DataType(name="Nothing", is_nothing=True, description="No value: an ordering dependency")
AnyType = DataType(name="Any")


def is_nothing(t: Any) -> bool:
    return isinstance(t, DataType) and t.is_nothing


_SCALAR_NAMES = {int: "Int", float: "Float", str: "String", bool: "Bool"}
# Annotations that describe how a function returns (a generator, a result object), not the
# type of the value stored: they check nothing.
_NOT_VALUE_TYPES = (collections.abc.Iterator, collections.abc.Iterable,
                    collections.abc.AsyncIterator, collections.abc.AsyncIterable,
                    collections.abc.Generator, collections.abc.Coroutine)


def _instance_check(python_type: Any, name: str) -> DataType:
    checked = DataType(lambda _ctx, value: isinstance(value, python_type), name=name,
                       python_type=python_type)
    checked._instance_of = python_type
    return checked


def resolve_dagster_type(annotation: Any) -> Optional[DataType]:
    """The DataType an annotation (or an `In/Out(dagster_type=...)` value) stands for;
    None where it checks nothing (no annotation, `Any`, an unresolved string)."""
    if annotation is None or isinstance(annotation, DataType):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return resolve_dagster_type(typing.get_args(annotation)[0])
    if origin is typing.Union or (hasattr(types, "UnionType") and origin is types.UnionType):
        return _union(typing.get_args(annotation))
    if origin is not None:
        return _generic(annotation, origin)
    if not isinstance(annotation, type) or annotation is type(None):
        return None
    if annotation in _SCALAR_NAMES:
        return _instance_check(annotation, _SCALAR_NAMES[annotation])
    if annotation is list:
        return _instance_check(list, "[Any]")
    if annotation.__module__.split(".")[0] in ("specrun", "dagster", "typing") or (
            issubclass(annotation, _NOT_VALUE_TYPES) and not issubclass(annotation, (list, tuple, set, dict, str))):
        return None
    return _instance_check(annotation, annotation.__name__)


def _union(members: tuple) -> Optional[DataType]:
    resolved = [resolve_dagster_type(m) for m in members if m is not type(None)]
    if any(r is None for r in resolved):
        return None
    optional = len(resolved) < len(members)
    name = " | ".join(r.name for r in resolved) + ("?" if optional else "")

    def check(ctx: Any, value: Any) -> bool:
        if value is None and optional:
            return True
        return any(r.type_check(ctx, value).success for r in resolved)

    return DataType(check, name=name)


def _generic(annotation: Any, origin: Any) -> Optional[DataType]:
    if not isinstance(origin, type) or origin.__module__.split(".")[0] in (
            "collections", "specrun", "dagster", "typing"):
        return None
    args = typing.get_args(annotation)
    if origin is list and len(args) == 1:
        inner = resolve_dagster_type(args[0])
        name = f"[{inner.name if inner else 'Any'}]"

        def check(ctx: Any, value: Any) -> bool:
            return isinstance(value, list) and (
                inner is None or all(inner.type_check(ctx, v).success for v in value))

        return DataType(check, name=name, python_type=list)
    return _instance_check(origin, origin.__name__)


def return_annotation(fn: Callable[..., Any]) -> Any:
    """A function's resolved return annotation (None when absent or unresolvable)."""
    return _hints(fn).get("return")
