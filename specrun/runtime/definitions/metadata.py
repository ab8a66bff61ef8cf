"""Metadata values attached to outputs, materializations and check results.

As in Dagster, raw Python values are wrapped in typed `MetadataValue`s whose `.value`
gives the raw value back.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, NamedTuple

from .values import value_class


@value_class(frozen=True, slots=True)
class MetadataValue:
    """A typed metadata value; `.value` is the plain value."""

    value: Any
    kind: str = "json"

    @staticmethod
    def text(value: str) -> "MetadataValue":
        return MetadataValue(value, "text")

    @staticmethod
    def int(value: int) -> "MetadataValue":
        return MetadataValue(value, "int")

    @staticmethod
    def float(value: float) -> "MetadataValue":
        return MetadataValue(value, "float")

    @staticmethod
    def bool(value: bool) -> "MetadataValue":
        return MetadataValue(value, "bool")

    @staticmethod
    def json(value: Any) -> "MetadataValue":
        return MetadataValue(value, "json")

    @staticmethod
    def md(value: str) -> "MetadataValue":
        return MetadataValue(value, "md")

    @staticmethod
    def url(value: str) -> "MetadataValue":
        return MetadataValue(value, "url")

    @staticmethod
    def path(value: "str | os.PathLike[str]") -> "MetadataValue":
        return MetadataValue(os.fspath(value), "path")

    @staticmethod
    def null() -> "MetadataValue":
        return MetadataValue(None, "null")

    @staticmethod
    def timestamp(value: float) -> "MetadataValue":
        return MetadataValue(value, "timestamp")


class MetadataEntry(NamedTuple):
    """A (label, value) pair: the shape of Dagster's legacy `metadata_entries`."""

    label: str
    value: MetadataValue


_KIND_BY_TYPE = {bool: "bool", int: "int", float: "float", str: "text", type(None): "null"}


def to_metadata_value(value: Any) -> MetadataValue:
    """Wrap a raw value in the MetadataValue of its kind (already-wrapped values pass through)."""
    if isinstance(value, MetadataValue):
        return value
    kind = _KIND_BY_TYPE.get(type(value))
    if kind is not None:
        return MetadataValue(value, kind)
    if isinstance(value, os.PathLike):
        return MetadataValue.path(value)
    if hasattr(value, "item") and callable(value.item):  # numpy / pandas scalars
        try:
            return to_metadata_value(value.item())
        except (TypeError, ValueError):
            pass
    return MetadataValue(value, "json")


def normalize_metadata(metadata: Mapping[str, Any] | None) -> dict[str, MetadataValue]:
    """Turn a mapping of raw values into a mapping of MetadataValues."""
    if not metadata:
        return {}
    return {str(k): to_metadata_value(v) for k, v in metadata.items()}
