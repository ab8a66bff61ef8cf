"""The pydantic half of the config system: `Config` classes and their use as a schema.

Kept apart from `config.py` so that importing pydantic (~0.15 s) is paid only by code that
uses a Config class; `config.py` loads this module on first need.
"""

from __future__ import annotations

from typing import Any, Mapping

import pydantic
from pydantic import ConfigDict

from ..errors import ConfigErrorEntry, suggest
from .config_types import ConfigType, Path


class Config(pydantic.BaseModel):
    """Typed config for an op, asset or resource (Dagster's `Config`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class PermissiveConfig(Config):
    """A Config class that keeps keys it does not declare."""

    model_config = ConfigDict(extra="allow", frozen=True)


class ConfigClassType(ConfigType):
    """A pydantic Config class used as a schema."""

    config_type_kind = "config_class"

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.name = cls.__name__

    def default(self):
        required = [n for n, f in self.cls.model_fields.items() if f.is_required()]
        return (True, self._dump(self.cls())) if not required else (False, None)

    @staticmethod
    def _dump(instance: Any) -> dict:
        return {k: getattr(instance, k) for k in type(instance).model_fields} | dict(
            instance.model_extra or {})

    def validate(self, value, path, errors):
        if value is None:
            value = {}
        if isinstance(value, self.cls):
            return self._dump(value)
        try:
            return self._dump(self.cls.model_validate(value))
        except pydantic.ValidationError as e:
            for err in e.errors():
                errors.append(_pydantic_entry(err, path, self.cls))
            return value


def _pydantic_entry(err: Mapping[str, Any], path: Path, cls: type) -> ConfigErrorEntry:
    loc = tuple(str(p) for p in err.get("loc", ()))
    kind = err.get("type", "")
    if kind == "extra_forbidden" and loc:
        hint = suggest(loc[-1], cls.model_fields) if len(loc) == 1 else None
        message = f'Received unexpected config entry "{loc[-1]}"' + (f" ({hint})" if hint else "")
        return ConfigErrorEntry(message, path + loc[:-1])
    if kind == "missing" and loc:
        return ConfigErrorEntry(f'Missing required config entry "{loc[-1]}"', path + loc[:-1])
    message = f"{err.get('msg', 'invalid value')} (got {err.get('input')!r})"
    return ConfigErrorEntry(message, path + loc)
