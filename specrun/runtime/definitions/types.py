"""Data types attached to inputs and outputs (Dagster's `DagsterType`)."""

from __future__ import annotations

from typing import Any, Callable, Optional


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

    @property
    def display_name(self) -> str:
        return self.name

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
