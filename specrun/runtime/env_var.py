"""`EnvVar`: a config value read from an environment variable when a run needs it.

As in Dagster, `MyResource(api_key=EnvVar("API_KEY"))` keeps the variable's name in the
definition and reads its value only when the resource is built, so definitions load on a
machine where the variable is not set (CI, a laptop) and secrets never sit in the code.
"""

from __future__ import annotations

import os
from typing import Any, Optional

from ..errors import ConfigError, ConfigErrorEntry


class EnvVar(str):
    """The name of an environment variable whose value is the config value."""

    @property
    def env_var_name(self) -> str:
        return str(self)

    @classmethod
    def int(cls, name: str) -> "IntEnvVar":
        """A variable whose value is read as an integer."""
        return IntEnvVar(name)

    def get_value(self, default: Optional[str] = None) -> Optional[str]:
        """The variable's value now, or `default` when it is not set."""
        return os.environ.get(str(self), default)

    def resolve(self, path: tuple[str, ...] = ()) -> Any:
        """The value, or a ConfigError saying which variable to set."""
        value = os.environ.get(str(self))
        if value is None:
            raise ConfigError([ConfigErrorEntry(
                f'environment variable "{self}" is not set (it gives this config value: '
                f"set it, or pass the value itself)", path)], "config")
        return self._convert(value, path)

    def _convert(self, value: str, path: tuple[str, ...]) -> Any:
        return value

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class IntEnvVar(EnvVar):
    """An `EnvVar` read as an integer."""

    def _convert(self, value: str, path: tuple[str, ...]) -> Any:
        try:
            return int(value)
        except ValueError:
            raise ConfigError([ConfigErrorEntry(
                f'environment variable "{self}" must be an integer, got {value!r}', path)], "config") from None


def resolve_env_vars(values: dict[str, Any], path: tuple[str, ...] = ()) -> dict[str, Any]:
    """`values` with each `EnvVar` (also in nested dicts) replaced by its variable's value."""
    resolved = {}
    for key, value in values.items():
        if isinstance(value, EnvVar):
            value = value.resolve(path + (key,))
        elif isinstance(value, dict):
            value = resolve_env_vars(value, path + (key,))
        resolved[key] = value
    return resolved
