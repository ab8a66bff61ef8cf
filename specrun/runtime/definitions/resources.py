"""Resources: objects (connections, clients, IO managers) that steps are given.

A `ResourceDefinition` is a value: a function that builds the resource from its config,
plus that config's schema. Plain objects and `ConfigurableResource` instances are turned
into definitions by `as_resource_definition`.
"""

from __future__ import annotations

import inspect
from dataclasses import field, replace
from typing import Any, Callable, Mapping, Optional

from ..config import is_config_class, loaded_class, normalize_config_schema
from .values import value_class


class _Unset:
    """The 'not given' marker; pickles by name so it stays the same object in workers."""

    def __repr__(self) -> str:
        return "<unset>"

    def __reduce__(self) -> str:
        return "_UNSET"


_UNSET = _Unset()


@value_class(frozen=True, eq=False)
class ResourceDefinition:
    """How to build one resource: `resource_fn(init_context)` plus a config schema."""

    resource_fn: Callable[..., Any]
    config_schema: Any = None
    required_resource_keys: frozenset[str] = frozenset()
    description: Optional[str] = None
    config_class: Optional[type] = None
    hardcoded: Any = _UNSET

    def __post_init__(self) -> None:
        object.__setattr__(self, "config_schema", normalize_config_schema(self.config_schema))

    @staticmethod
    def hardcoded_resource(value: Any, description: Optional[str] = None) -> "ResourceDefinition":
        """A resource that is always `value`."""
        return ResourceDefinition(lambda _ctx: value, description=description, hardcoded=value)

    @staticmethod
    def none_resource(description: Optional[str] = None) -> "ResourceDefinition":
        return ResourceDefinition.hardcoded_resource(None, description)

    @staticmethod
    def mock_resource(description: Optional[str] = None) -> "ResourceDefinition":
        from unittest import mock

        return ResourceDefinition.hardcoded_resource(mock.MagicMock(), description)

    @property
    def is_hardcoded(self) -> bool:
        return self.hardcoded is not _UNSET

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the resource function directly (for tests), as Dagster allows."""
        return self.resource_fn(*args, **kwargs)

    def configured(self, config_or_config_fn: Any, config_schema: Any = None,
                   description: Optional[str] = None) -> "ResourceDefinition":
        """This resource with its config given, as Dagster's `configured`.

        `config_or_config_fn` is the config itself, or a function from the config of a new
        `config_schema` to this resource's config. Either way the result is checked against
        this resource's schema (defaults filled) when the resource is built.
        """
        from ..config import process_config

        base = self

        def resource_fn(context: "InitResourceContext") -> Any:
            given = config_or_config_fn
            if callable(config_or_config_fn):
                given = config_or_config_fn(context.resource_config)
            config = process_config(base.config_schema, given, subject="configured resource config")
            return base.resource_fn(replace(context, resource_config=config))

        return replace(self, resource_fn=resource_fn, config_schema=config_schema, config_class=None,
                       description=description or self.description)


def _resource_fn_adapter(fn: Callable[..., Any], config_class: Optional[type]) -> Callable[..., Any]:
    """Adapt a user resource function to the `fn(init_context)` calling convention."""
    params = list(inspect.signature(fn).parameters.values())
    if not params:
        return lambda _ctx: fn()
    first = params[0]
    annotation = first.annotation
    if is_config_class(annotation) or (config_class is not None and first.name == "config"):
        cls = annotation if is_config_class(annotation) else config_class
        return lambda ctx: fn(cls(**(ctx.resource_config or {})))
    return fn


def resource(
    config_schema: Any = None,
    description: Optional[str] = None,
    required_resource_keys: Optional[set[str]] = None,
) -> Any:
    """Decorate `fn(init_context)` (or `fn()`, or `fn(config: MyConfig)`) as a resource.

    The function may `yield` the resource: code after the `yield` runs when the run
    ends, whether it succeeded or failed.
    """
    if inspect.isfunction(config_schema):  # bare @resource
        return _make_resource(config_schema, None, None, None)

    def decorate(fn: Callable[..., Any]) -> ResourceDefinition:
        return _make_resource(fn, config_schema, description, required_resource_keys)

    return decorate


def _make_resource(fn, config_schema, description, required_keys) -> ResourceDefinition:
    config_class = config_schema if is_config_class(config_schema) else None
    if config_schema is None:
        params = list(inspect.signature(fn).parameters.values())
        if params and is_config_class(params[0].annotation):
            config_class = params[0].annotation
            config_schema = config_class
    return ResourceDefinition(
        resource_fn=_resource_fn_adapter(fn, config_class),
        config_schema=config_schema,
        required_resource_keys=frozenset(required_keys or ()),
        description=description or inspect.getdoc(fn),
        config_class=config_class,
    )


class ResourceParam:
    """Marks a compute-function parameter as a resource: ``db: ResourceParam[MyDb]``."""

    def __class_getitem__(cls, item: Any) -> Any:
        from typing import Annotated

        return Annotated[item, cls]


_CONFIGURABLE_MODULE = f"{__package__}.configurable"


def is_configurable_resource(value: Any) -> bool:
    """Whether `value` is a ConfigurableResource instance (without importing pydantic)."""
    cls = loaded_class(_CONFIGURABLE_MODULE, "ConfigurableResource")
    return cls is not None and isinstance(value, cls)


def is_configurable_resource_class(value: Any) -> bool:
    """Whether `value` is a ConfigurableResource subclass (without importing pydantic)."""
    cls = loaded_class(_CONFIGURABLE_MODULE, "ConfigurableResource")
    return cls is not None and isinstance(value, type) and issubclass(value, cls)


def as_resource_definition(value: Any) -> ResourceDefinition:
    """A ResourceDefinition for any accepted resource value (definition, configurable, object)."""
    if isinstance(value, ResourceDefinition):
        return value
    if is_configurable_resource(value):
        return value.get_resource_definition()
    return ResourceDefinition.hardcoded_resource(value)


def coerce_resource_defs(resources: Optional[Mapping[str, Any]]) -> dict[str, ResourceDefinition]:
    """Turn a mapping of resource values into a mapping of definitions."""
    return {k: as_resource_definition(v) for k, v in (resources or {}).items()}


@value_class
class InitResourceContext:
    """What a resource function receives: its config, other resources, log, instance."""

    resource_config: Any = None
    resources: Any = None
    log: Any = None
    instance: Any = None
    run_id: Optional[str] = None
    resource_def: Optional[ResourceDefinition] = None
    all_tags: Mapping[str, str] = field(default_factory=dict)


class BuiltInitResourceContext(InitResourceContext):
    """What `build_init_resource_context` returns: its resources are initialised, and
    leaving ``with build_init_resource_context(...) as context:`` tears them down."""

    _stack: Any = None

    def __enter__(self) -> "BuiltInitResourceContext":
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


def configured(configurable: Any, config_schema: Any = None, **kwargs: Any) -> Callable[[Callable], Any]:
    """Decorator form of `.configured`: the function maps the new config to the original's."""

    def decorate(fn: Callable[[Any], Any]) -> Any:
        return configurable.configured(fn, config_schema=config_schema, **kwargs)

    return decorate


def build_init_resource_context(
    config: Any = None, resources: Optional[Mapping[str, Any]] = None, instance: Any = None
) -> InitResourceContext:
    """An InitResourceContext for calling a resource function in a test; `resources` may
    hold values or resource definitions (initialised now, as Dagster does)."""
    import contextlib

    from ..resources import init_resources

    stack = contextlib.ExitStack()
    built = init_resources(stack, dict(resources or {}), instance=instance)
    context = BuiltInitResourceContext(resource_config=config, resources=built, instance=instance)
    context._stack = stack
    return context


def __getattr__(name: str) -> Any:
    # The pydantic-based classes live in `configurable` and load pydantic when asked for.
    if name in ("ConfigurableResource", "ConfigurableResourceBase"):
        from . import configurable

        return getattr(configurable, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
