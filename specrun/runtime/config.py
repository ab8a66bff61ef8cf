"""Dagster's config-schema system: validation, and the types (from `config_types`).

`Config` classes (pydantic models) are in `config_models`, imported only when used; they
are also reachable from here by name.

`validate_config(schema, value)` checks a value against any accepted schema and reports
ALL problems at once, each with the path of keys leading to it; defaults are filled in,
environment sources resolved and enums mapped to their Python values.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any as TAny

from ..errors import ConfigError, ConfigErrorEntry
from .config_types import (  # noqa: F401  (this module is where callers find the types)
    Path, ConfigType, Any, Int, Float, String,
    Bool, StringSource, IntSource, BoolSource, Array, Noneable,
    Map, EnumValue, Enum, Field, Shape, Permissive,
    Selector, loaded_class, is_config_class, normalize_config_schema,
)
from .config_types import _is_config_class_type
from .definitions.values import value_class


@value_class(frozen=True)
class ConfigResult:
    """The outcome of validating config."""

    success: bool
    value: TAny
    errors: list[ConfigErrorEntry] = field(default_factory=list)
    config_instance: TAny = None


def _takes_mapping(config_type: ConfigType) -> bool:
    """A Shape or a Config class: None stands for an empty mapping, so defaults fill in."""
    return isinstance(config_type, Shape) or _is_config_class_type(config_type)


def validate_config(schema: TAny, value: TAny, path: Path = ()) -> ConfigResult:
    """Validate `value` against `schema`, collecting every error."""
    config_type = normalize_config_schema(schema)
    if config_type is None:
        return ConfigResult(True, value)
    errors: list[ConfigErrorEntry] = []
    if value is None:
        has_default, default = config_type.default()
        if has_default:
            value = default if not _takes_mapping(config_type) else None
        elif not _takes_mapping(config_type):
            errors.append(ConfigErrorEntry("Missing required config", path))
            return ConfigResult(False, None, errors)
    processed = config_type.validate(value, path, errors)
    instance = None
    if not errors and _is_config_class_type(config_type):
        instance = config_type.cls.model_validate(processed)
    return ConfigResult(not errors, processed, errors, instance)


def process_config(schema: TAny, value: TAny, path: Path = (), subject: str = "config") -> TAny:
    """The processed value, or ConfigError with every problem."""
    result = validate_config(schema, value, path)
    if not result.success:
        raise ConfigError(result.errors, subject)
    return result.value


def config_type_name(t: TAny) -> str:
    converted = normalize_config_schema(t)
    return converted.name if converted is not None else "Any"


def field_defaults(schema: TAny) -> TAny:
    """The value of `schema` when nothing is given; ConfigError if something is required."""
    return process_config(schema, None)


def __getattr__(name: str) -> TAny:
    # The pydantic-based names load pydantic only when asked for (see config_models).
    if name in ("Config", "PermissiveConfig"):
        from . import config_models

        return getattr(config_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
