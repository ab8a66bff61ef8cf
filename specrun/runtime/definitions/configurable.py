"""`ConfigurableResource`: a resource declared as a typed (pydantic) config class.

Apart from `resources.py` so that pydantic is imported only by code that uses it;
`resources.py` tells its instances apart without importing this module.
"""

from __future__ import annotations

from typing import Any

from ..config_models import Config
from .resources import ResourceDefinition


class ConfigurableResource(Config):
    """A resource declared as a typed config class (Dagster's Pythonic resources).

    The instance given in `resources=` is the resource; run config under
    `resources: {key: {config: ...}}` overrides its fields. Override `setup_for_execution`
    / `teardown_after_execution` (or `yield_for_execution`) for set-up and clean-up.
    """

    model_config = {"arbitrary_types_allowed": True, "frozen": False, "extra": "forbid"}

    def __init__(self, **data: Any) -> None:
        from ..env_var import EnvVar

        if not any(isinstance(v, EnvVar) for v in data.values()):
            super().__init__(**data)
            return
        # Fields given as `EnvVar` are validated when the resource is built, with the
        # variables' values (see `_configurable_definition`); until then they hold the names.
        constructed = type(self).model_construct(**data)
        for attr in ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"):
            object.__setattr__(self, attr, getattr(constructed, attr))

    def setup_for_execution(self, context: Any) -> None:
        """Called before the first step that uses the resource."""

    def teardown_after_execution(self, context: Any) -> None:
        """Called when the run ends, also when it failed."""

    def yield_for_execution(self, context: Any):
        """Set up, yield the resource, tear down; override for generator-style lifecycles."""
        self.setup_for_execution(context)
        try:
            yield self
        finally:
            self.teardown_after_execution(context)

    def get_resource_definition(self) -> ResourceDefinition:
        """The definition that builds this resource, honouring config overrides."""
        return _configurable_definition(self)


ConfigurableResourceBase = ConfigurableResource


def _configurable_definition(instance: ConfigurableResource) -> ResourceDefinition:
    from ..env_var import EnvVar, resolve_env_vars

    cls = type(instance)
    # The fields given, as given (`model_dump` would serialise an `EnvVar` in an int field).
    base_values = {name: getattr(instance, name) for name in instance.model_fields_set}

    has_env_vars = any(isinstance(v, EnvVar) for v in base_values.values())

    def build(ctx: Any):
        overrides = ctx.resource_config or {}
        if not overrides and not has_env_vars:
            return instance.yield_for_execution(ctx)
        values = resolve_env_vars({**base_values, **overrides}, ("resources", cls.__name__, "config"))
        return cls(**values).yield_for_execution(ctx)

    return ResourceDefinition(
        resource_fn=build, config_schema=None, description=cls.__doc__, config_class=cls
    )
