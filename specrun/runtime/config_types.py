"""Config types of Dagster's config-schema system: scalars, sources, `Field`, `Shape`, ...

Each type checks a value (`validate(value, path, errors)`), reporting every problem with the
path of keys leading to it. `normalize_config_schema` turns any accepted schema (a type, a
Python type, a dict, a list, a `Config` class) into one. Validation as a whole is in `config`.
"""

from __future__ import annotations

import os
import sys
import typing
from typing import Any as TAny
from typing import Mapping, Optional, Sequence

from ..errors import ConfigErrorEntry, suggest
from .definitions.values import value_class

Path = tuple[str, ...]


class ConfigType:
    """Base of every config type."""

    name = "Any"
    config_type_kind = "any"

    def validate(self, value: TAny, path: Path, errors: list[ConfigErrorEntry]) -> TAny:
        return value

    def default(self) -> tuple[bool, TAny]:
        """(has a default, that default) for when the value is absent."""
        return False, None

    def __repr__(self) -> str:
        return self.name


class _Scalar(ConfigType):
    def __init__(self, name: str, types: tuple[type, ...], exclude: tuple[type, ...] = ()) -> None:
        self.name = name
        self._types = types
        self._exclude = exclude
        self.config_type_kind = "scalar"

    def validate(self, value, path, errors):
        if isinstance(value, self._types) and not isinstance(value, self._exclude):
            return float(value) if self.name == "Float" else value
        errors.append(ConfigErrorEntry(
            f'Value {value!r} is not valid: expected {self.name}, got {type(value).__name__}', path))
        return value


Any = ConfigType()
Int = _Scalar("Int", (int,), (bool,))
Float = _Scalar("Float", (int, float), (bool,))
String = _Scalar("String", (str,))
Bool = _Scalar("Bool", (bool,))


class _Source(ConfigType):
    """A literal, or ``{"env": "VAR"}`` read from the environment."""

    def __init__(self, inner: _Scalar) -> None:
        self.inner = inner
        self.name = f"{inner.name}Source"
        self.config_type_kind = "scalar"

    def validate(self, value, path, errors):
        if isinstance(value, Mapping) and set(value) == {"env"}:
            var = value["env"]
            if var not in os.environ:
                errors.append(ConfigErrorEntry(
                    f'Environment variable "{var}" is not set', path))
                return None
            raw = os.environ[var]
            return _coerce_env(raw, self.inner, path, errors)
        return self.inner.validate(value, path, errors)


def _coerce_env(raw: str, inner: _Scalar, path: Path, errors: list) -> TAny:
    try:
        if inner is Int:
            return int(raw)
        if inner is Bool:
            if raw.lower() not in ("true", "false", "1", "0"):
                raise ValueError(raw)
            return raw.lower() in ("true", "1")
    except ValueError:
        errors.append(ConfigErrorEntry(f'Environment value {raw!r} is not a valid {inner.name}', path))
    return raw


StringSource = _Source(String)
IntSource = _Source(Int)
BoolSource = _Source(Bool)


class Array(ConfigType):
    config_type_kind = "array"

    def __init__(self, inner: TAny) -> None:
        self.inner = _as_type(inner)
        self.name = f"[{self.inner.name}]"

    def validate(self, value, path, errors):
        if not isinstance(value, (list, tuple)):
            errors.append(ConfigErrorEntry(
                f'Value {value!r} is not valid: expected a list ({self.name})', path))
            return value
        return [self.inner.validate(v, path + (str(i),), errors) for i, v in enumerate(value)]


class Noneable(ConfigType):
    config_type_kind = "noneable"

    def __init__(self, inner: TAny) -> None:
        self.inner = _as_type(inner)
        self.name = f"{self.inner.name}?"

    def validate(self, value, path, errors):
        return None if value is None else self.inner.validate(value, path, errors)

    def default(self):
        return True, None


class Map(ConfigType):
    config_type_kind = "map"

    def __init__(self, key_type: TAny, inner_type: TAny) -> None:
        self.key_type = _as_type(key_type)
        self.inner = _as_type(inner_type)
        self.name = f"Map[{self.key_type.name}, {self.inner.name}]"

    def validate(self, value, path, errors):
        if not isinstance(value, Mapping):
            errors.append(ConfigErrorEntry(f"Value {value!r} is not valid: expected a mapping", path))
            return value
        return {self.key_type.validate(k, path, errors): self.inner.validate(v, path + (str(k),), errors)
                for k, v in value.items()}


@value_class(frozen=True)
class EnumValue:
    config_value: str
    python_value: TAny = None
    description: Optional[str] = None


class Enum(ConfigType):
    config_type_kind = "enum"

    def __init__(self, name: str, enum_values: Sequence[EnumValue]) -> None:
        self.name = name
        self.values = {e.config_value: (e.python_value if e.python_value is not None else e.config_value)
                       for e in enum_values}

    def validate(self, value, path, errors):
        if value in self.values:
            return self.values[value]
        hint = suggest(str(value), self.values)
        errors.append(ConfigErrorEntry(
            f"Value {value!r} is not one of {sorted(self.values)} (enum {self.name})"
            + (f"; {hint}" if hint else ""), path))
        return value


class _Unset:
    """The 'no default' marker; pickles by name so it stays the same object in workers."""

    def __repr__(self) -> str:
        return "<unset>"

    def __reduce__(self) -> str:
        return "_UNSET"


_UNSET: TAny = _Unset()


class Field:
    """A config entry: its type, default, whether required, and a description."""

    def __init__(self, config: TAny, default_value: TAny = _UNSET, is_required: Optional[bool] = None,
                 description: Optional[str] = None) -> None:
        self.config_type = _as_type(config)
        self.default_value = default_value
        self.description = description
        if is_required is None:
            has_default, _ = self.config_type.default()
            is_required = default_value is _UNSET and not has_default
        self.is_required = bool(is_required)

    @property
    def has_default_value(self) -> bool:
        return self.default_value is not _UNSET or (not self.is_required and self.config_type.default()[0])

    def absent_value(self) -> tuple[bool, TAny]:
        """(present, value) when the entry is missing from the config."""
        if self.default_value is not _UNSET:
            return True, self.default_value
        has_default, value = self.config_type.default()
        return (True, value) if has_default else (False, None)

    def __repr__(self) -> str:
        return f"Field({self.config_type!r}, required={self.is_required})"


def _as_field(value: TAny) -> Field:
    return value if isinstance(value, Field) else Field(value)


class Shape(ConfigType):
    """A mapping with known keys; unknown keys are errors."""

    config_type_kind = "shape"
    permissive = False

    def __init__(self, fields: Optional[Mapping[str, TAny]] = None, description: Optional[str] = None) -> None:
        self.fields = {k: _as_field(v) for k, v in (fields or {}).items()}
        self.description = description
        self.name = "Shape"

    def default(self):
        # Computed once: a shape is immutable. Callers build new dicts around it and must
        # not mutate the default in place.
        cached = self.__dict__.get("_default")
        if cached is None:
            if all(not f.is_required for f in self.fields.values()):
                errors: list = []
                cached = (True, self.validate({}, (), errors))
            else:
                cached = (False, None)
            self._default = cached
        return cached

    def validate(self, value, path, errors):
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            errors.append(ConfigErrorEntry(
                f"Value {value!r} is not valid: expected a mapping of {sorted(self.fields)}", path))
            return value
        result = {}
        for key, item in value.items():
            if key in self.fields:
                result[key] = self.fields[key].config_type.validate(item, path + (str(key),), errors)
            elif self.permissive:
                result[key] = item
            else:
                hint = suggest(str(key), self.fields)
                expected = ", ".join(sorted(self.fields)) or "none"
                errors.append(ConfigErrorEntry(
                    f'Received unexpected config entry "{key}"'
                    + (f" ({hint})" if hint else f" (expected: {expected})"), path))
        for key, fld in self.fields.items():
            if key in value:
                continue
            present, default = fld.absent_value()
            if present:
                result[key] = default
            elif fld.is_required:
                errors.append(ConfigErrorEntry(f'Missing required config entry "{key}"', path))
        return result


class Permissive(Shape):
    """A mapping whose known keys are checked and whose other keys are kept."""

    permissive = True

    def __init__(self, fields: Optional[Mapping[str, TAny]] = None, description: Optional[str] = None) -> None:
        super().__init__(fields, description)
        self.name = "Permissive"


class Selector(Shape):
    """A mapping with exactly one of its keys."""

    def __init__(self, fields: Mapping[str, TAny], description: Optional[str] = None) -> None:
        super().__init__(fields, description)
        self.name = "Selector"

    def default(self):
        return False, None

    def validate(self, value, path, errors):
        if not isinstance(value, Mapping) or len(value) != 1:
            errors.append(ConfigErrorEntry(
                f"Selector needs exactly one of {sorted(self.fields)}, got {value!r}", path))
            return value
        (key, item), = value.items()
        if key not in self.fields:
            hint = suggest(str(key), self.fields)
            errors.append(ConfigErrorEntry(f'Received unexpected config entry "{key}"'
                                           + (f" ({hint})" if hint else ""), path))
            return value
        fld = self.fields[key]
        return {key: fld.config_type.validate(item, path + (str(key),), errors)}


def loaded_class(module: str, name: str) -> TAny:
    """Class `name` of `module` if that module has been imported (and defined it), else None.

    For isinstance/issubclass tests that must not import a slow module: a class that was
    never defined has no instances and no subclasses.
    """
    return getattr(sys.modules.get(module), name, None)


def is_config_class(obj: TAny) -> bool:
    """Whether `obj` is a pydantic model class (a `Config` class, usable as a schema).

    Checked without importing pydantic (~0.15 s), which most specs never need.
    """
    if not isinstance(obj, type):
        return False
    base = loaded_class("pydantic.main", "BaseModel")
    return base is not None and issubclass(obj, base)


def _is_config_class_type(config_type: ConfigType) -> bool:
    cls = loaded_class(f"{__package__}.config_models", "ConfigClassType")
    return cls is not None and isinstance(config_type, cls)


_SHORTHAND = {int: Int, float: Float, str: String, bool: Bool}


def _as_type(schema: TAny) -> ConfigType:
    if isinstance(schema, ConfigType):
        return schema
    if isinstance(schema, Field):
        return Shape({"_": schema}).fields["_"].config_type
    if isinstance(schema, type) and schema in _SHORTHAND:
        return _SHORTHAND[schema]
    if schema is list:
        return Array(Any)
    if schema is dict:
        return Permissive()
    if schema is typing.Any or schema is object or schema is None:
        return Any
    if isinstance(schema, Mapping):
        return Shape(schema)
    if isinstance(schema, list) and len(schema) == 1:
        return Array(schema[0])
    if is_config_class(schema):
        from .config_models import ConfigClassType

        return ConfigClassType(schema)
    raise TypeError(f"cannot use {schema!r} as a config schema")


def normalize_config_schema(schema: TAny) -> Optional[ConfigType]:
    """Any accepted schema as a ConfigType; None stays None (meaning: anything goes)."""
    if schema is None:
        return None
    if isinstance(schema, Field):
        return schema.config_type
    return _as_type(schema)
