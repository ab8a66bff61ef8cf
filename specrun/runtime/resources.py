"""Building resources for a run (or a test) and cleaning them up afterwards."""

from __future__ import annotations

import contextlib
import inspect
from typing import Any, Iterator, Mapping, Optional

from ..errors import DefinitionError, suggest
from .config import process_config
from .definitions.resources import InitResourceContext, ResourceDefinition, coerce_resource_defs


class Resources:
    """The resources of a step, by attribute (`resources.database`) or by key."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name: str) -> Any:
        values = object.__getattribute__(self, "_values")
        try:
            return values[name]
        except KeyError:
            hint = suggest(name, values)
            known = ", ".join(sorted(values)) or "none"
            raise AttributeError(
                f"no resource named {name!r} (available: {known})"
                + (f"; {hint}" if hint else "")
            ) from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("resources are read-only")

    def _asdict(self) -> dict[str, Any]:
        return dict(self._values)

    @property
    def original_resource_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def __repr__(self) -> str:
        return f"Resources({', '.join(sorted(self._values))})"


ScopedResourcesBuilder = Resources


def _init_order(defs: Mapping[str, ResourceDefinition], wanted: set[str]) -> list[str]:
    """Keys to initialise, dependencies first; unknown dependency keys are an error."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(key: str, chain: tuple[str, ...]) -> None:
        if state.get(key) == 2:
            return
        if state.get(key) == 1:
            raise DefinitionError(f"resources depend on each other in a cycle: {' -> '.join(chain + (key,))}")
        if key not in defs:
            hint = suggest(key, defs)
            needed_by = f" (required by resource {chain[-1]!r})" if chain else ""
            raise DefinitionError(
                f"resource {key!r}{needed_by} is not provided" + (f"; {hint}" if hint else "")
            )
        state[key] = 1
        for dep in sorted(defs[key].required_resource_keys):
            visit(dep, chain + (key,))
        state[key] = 2
        order.append(key)

    for key in sorted(wanted):
        visit(key, ())
    return order


def _enter_resource(stack: contextlib.ExitStack, value: Any) -> Any:
    """A generator resource is entered; the code after its `yield` runs when `stack` closes."""
    if inspect.isgenerator(value):
        return stack.enter_context(contextlib.contextmanager(lambda: value)())
    return value


def init_resources(
    stack: contextlib.ExitStack,
    resource_defs: Mapping[str, Any],
    resource_config: Optional[Mapping[str, Any]] = None,
    keys: Optional[set[str]] = None,
    instance: Any = None,
    log: Any = None,
    run_id: Optional[str] = None,
) -> Resources:
    """Build the resources named by `keys` (all when None) into `stack`.

    `resource_config` is the run config's ``resources:`` section (``{key: {"config": ...}}``).
    Clean-up of generator resources runs when `stack` closes.
    """
    defs = coerce_resource_defs(resource_defs)
    wanted = set(defs) if keys is None else set(keys)
    built: dict[str, Any] = {}
    configs = resource_config or {}
    for key in _init_order(defs, wanted):
        rdef = defs[key]
        if rdef.is_hardcoded:
            built[key] = rdef.hardcoded
            continue
        raw = (configs.get(key) or {}).get("config")
        value = process_config(rdef.config_schema, raw, path=("resources", key, "config"),
                               subject=f"config for resource {key!r}")
        ctx = InitResourceContext(
            resource_config=value,
            resources=Resources({k: built[k] for k in rdef.required_resource_keys}),
            log=log, instance=instance, run_id=run_id, resource_def=rdef,
        )
        try:
            built[key] = _enter_resource(stack, rdef.resource_fn(ctx))
        except Exception as e:  # user set-up code: the step's failure names the resource
            _mark_resource(e, key)
            raise
    return Resources(built)


RESOURCE_KEY_ATTR = "specrun_resource_key"


def _mark_resource(exc: BaseException, key: str) -> None:
    """Note on `exc` which resource's set-up raised it (the innermost one, when nested)."""
    if getattr(exc, RESOURCE_KEY_ATTR, None) is None:
        try:
            setattr(exc, RESOURCE_KEY_ATTR, key)
        except AttributeError:  # an exception type without attributes: the message stays as is
            pass


@contextlib.contextmanager
def build_resources(
    resources: Mapping[str, Any],
    instance: Any = None,
    resource_config: Optional[Mapping[str, Any]] = None,
    run_config: Optional[Mapping[str, Any]] = None,
    log_manager: Any = None,
) -> Iterator[Resources]:
    """Build resources outside a run, as a context manager that cleans them up on exit.

    Config comes from `resource_config` (``{key: {"config": ...}}``) or from the
    ``resources:`` section of `run_config`.
    """
    config = resource_config if resource_config is not None else (run_config or {}).get("resources")
    with contextlib.ExitStack() as stack:
        yield init_resources(stack, resources, config, instance=instance, log=log_manager)
