"""Resolve helpers: resources, partitions, ops and executors of a spec (op jobs: op_jobs.py)."""

from __future__ import annotations

import functools
import inspect
import math
import re
from typing import Any, Callable, Mapping, Optional, Sequence

from ..errors import DefinitionError, SpecError, SpecErrors, SpecrunError, suggest
from .parse import escape
from ..runtime.definitions.asset_spec import tags_with_kinds
from ..runtime.definitions.dynamic import DynamicOut
from ..runtime.definitions.keys import AssetKey
from ..runtime.definitions.ops import In, Out, op
from ..runtime.definitions.policy import RetryPolicy


class Collector:
    """Collects SpecErrors so that one compile reports all of them."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.errors: list[SpecError] = []

    def add(self, error: SpecError) -> None:
        self.errors.append(error)

    def attempt(self, fn: Callable[[], Any], pointer: str = "") -> Any:
        """Run `fn`; specrun errors become SpecErrors at `pointer` and None is returned."""
        try:
            return fn()
        except SpecErrors as e:
            self.errors.extend(e.errors)
        except SpecError as e:
            if any(e is seen for seen in self.errors):  # one cause met again (a module that failed to import)
                return None
            if e.location is None and e.pointer:
                e.location = self.doc.locate(e.pointer)
            self.errors.append(e)
        except (SpecrunError, ValueError, TypeError) as e:
            self.errors.append(SpecError(str(e), self.doc.locate(pointer), pointer))
        return None

    def raise_if_any(self) -> None:
        if self.errors:
            def where(e: SpecError) -> tuple[Any, ...]:
                loc = e.location
                return (loc.file, loc.line, loc.col) if loc else ("", 0, 0)
            raise SpecErrors(sorted(self.errors, key=where))


def timeout_tags(timeout: Optional[float], pointer: str = "") -> dict[str, str]:
    """The op tag carrying the `timeout:` of the asset or op at `pointer` (the schema checked
    its range; .nan passes a range check)."""
    if timeout is None:
        return {}
    from ..runtime.timeouts import STEP_TIMEOUT_TAG

    if not math.isfinite(timeout):
        raise SpecError(f"timeout must be a finite number of seconds, not {timeout}", None,
                        f"{pointer}/timeout", "write the seconds each attempt may take, e.g. timeout: 600")
    return {STEP_TIMEOUT_TAG: str(float(timeout))}


def kind_tags(tags: Mapping[str, Any], kinds: Sequence[str], key: AssetKey, pointer: str,
              col: Collector) -> Optional[dict[str, str]]:
    """An entry's `tags:` as text, with a tag `dagster/kind/<kind>` of value "" for each of
    `kinds` (Dagster's rule, `tags_with_kinds`); None after adding the error at `pointer`
    (its `kinds:`) when they are more than ten."""
    text = {k: str(v) for k, v in tags.items()}
    if not kinds:
        return text
    return col.attempt(lambda: tags_with_kinds(text, kinds, key), pointer)  # type: ignore[no-any-return]


def retry_policy(entry: Any, pointer: str = "") -> Optional[RetryPolicy]:
    """The RetryPolicy of a `retry:` entry (of the asset or op at `pointer`)."""
    if entry is None:
        return None
    if isinstance(entry.delay, float) and not math.isfinite(entry.delay):  # .nan and .inf pass `minimum: 0`
        raise SpecError(f"retry delay must be a finite number of seconds, not {entry.delay}", None,
                        f"{pointer}/retry/delay", "write the seconds to wait, e.g. delay: 5")
    return RetryPolicy(max_retries=entry.max_retries, delay=entry.delay,
                       backoff=entry.backoff.upper() if entry.backoff else None,
                       jitter=entry.jitter.upper() if entry.jitter else None)


def _resource_value(entry: Any, ctx: Any) -> tuple[Any, Any]:
    """(resource definition or object, run-config entry for it)."""
    from ..runtime.definitions.resources import ResourceDefinition, is_configurable_resource_class
    from ..runtime.io_managers import fs_io_manager, mem_io_manager

    builtins = {"fs": fs_io_manager, "memory": mem_io_manager}
    if entry.type in builtins:
        check_config(builtins[entry.type].config_schema, entry.config, entry.pointer + "/config", ctx)
        config = dict(entry.config or {})
        if entry.type == "fs":
            config = _fs_config(config, entry, ctx)
        return builtins[entry.type], ({"config": config} if config else None)
    if ":" not in entry.type:
        ptr = entry.pointer + "/type"
        raise SpecError(f"unknown resource type {entry.type!r}: use fs, memory or module:attr",
                        ctx.doc.locate(ptr), ptr, suggest(entry.type, builtins))
    target = ctx.callables.resolve_code(entry.type, entry.pointer + "/type", "a resource")
    if isinstance(target, ResourceDefinition):
        check_config(target.config_schema, entry.config, entry.pointer + "/config", ctx)
        return target, ({"config": entry.config} if entry.config is not None else None)
    # A class or factory is built when a run needs the resource, never by `specrun validate`
    # (its __init__ may connect to a warehouse); its config is checked here without calling it.
    config = dict(entry.config or {})
    if is_configurable_resource_class(target):
        check_call_config(_configurable_fields(target), entry, ctx)
        return ResourceDefinition(functools.partial(_build_configurable, target, config),
                                  description=target.__doc__, config_class=target), None
    if isinstance(target, type) or callable(target):
        check_call_config(_parameters(target), entry, ctx)
        return ResourceDefinition(functools.partial(_build_called, target, config),
                                  description=inspect.getdoc(target)), None
    return target, None


def _fs_config(config: dict[str, Any], entry: Any, ctx: Any) -> dict[str, Any]:
    """A relative local `base_dir` is relative to the spec's folder; a URL is left as is, and a
    secret in its `storage_options` must come from the environment (run config is recorded)."""
    base_dir = config.get("base_dir")
    if isinstance(base_dir, str) and not _is_url(base_dir):
        import os

        config["base_dir"] = os.path.join(ctx.callables.folder, base_dir)
    options = config.get("storage_options")
    if not options:  # (a local folder's config: the object-store package is not imported)
        return config
    from ..runtime.upath_io.stores import literal_secrets

    for key in literal_secrets(options):
        ptr = f"{entry.pointer}/config/storage_options/{'/'.join(key)}"
        raise SpecError(f"storage option {'.'.join(key)!r} looks like a secret: it would be recorded "
                        "with every run", ctx.doc.locate(ptr), ptr,
                        f"read it from an environment variable: {key[-1]}: {{env: SOME_VARIABLE}}")
    return config


def _is_url(base_dir: str) -> bool:
    """`upath_io.stores.is_url`, asked only of a text that may be one (a URL has ``://``)."""
    if "://" not in base_dir:
        return False
    from ..runtime.upath_io.stores import is_url

    return is_url(base_dir)


def _build_configurable(cls: Any, config: dict[str, Any], context: Any) -> Any:
    """The ConfigurableResource `cls` built from its spec config (run config overrides it)."""
    return cls(**config).get_resource_definition().resource_fn(context)


def _build_called(factory: Any, config: dict[str, Any], context: Any) -> Any:
    """What the class or function `factory` returns for the spec config."""
    return factory(**config)


def _configurable_fields(cls: Any) -> tuple[set[str], set[str]]:
    """(field names, required field names) of a ConfigurableResource class."""
    fields = cls.model_fields
    return set(fields), {name for name, info in fields.items() if info.is_required()}


def _parameters(factory: Any) -> Optional[tuple[set[str], set[str]]]:
    """(keyword parameter names, required ones) of a class or function; None when it takes
    any keyword (**kwargs) or its signature cannot be read."""
    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: nothing to check against
        return None
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return None
    named = [p for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return {p.name for p in named}, {p.name for p in named if p.default is p.empty}


def check_call_config(accepted: Optional[tuple[set[str], set[str]]], entry: Any, ctx: Any) -> None:
    """Raise SpecErrors, each at its key, for config keys the resource `entry.type` does not
    take and for the keys it needs that are missing."""
    if accepted is None:
        return
    names, required = accepted
    config = entry.config or {}
    errors: list[SpecError] = []
    meant: set[str] = set()
    for key in config:
        if key not in names:
            where = f"{entry.pointer}/config/{escape(key)}"
            hint = suggest(key, names)
            if hint:
                meant.add(hint.split("'")[1])
            errors.append(SpecError(f"unknown config key {key!r}", ctx.doc.locate(where, key=True), where,
                                    hint or _takes(entry.type, names)))
    missing = sorted(required - set(config) - meant)  # a misspelt key is reported once, as misspelt
    if missing:
        where = entry.pointer + ("/config" if entry.config is not None else "/type")
        listed = ", ".join(repr(name) for name in missing)
        errors.append(SpecError(f"resource {entry.name!r} ({entry.type}) needs config {listed}",
                                ctx.doc.locate(where, key=True), where,
                                f"write config: {{{missing[0]}: ...}}"))
    if errors:
        raise SpecErrors(errors)


def _takes(type_name: str, names: set[str]) -> str:
    return f"{type_name} takes " + (", ".join(sorted(names)) if names else "no config")


_UNEXPECTED = re.compile(r'Received unexpected config entry "([^"]+)"(?: \(did you mean (\'[^\']+\')\?\))?')


def check_config(schema: Any, config: Any, pointer: str, ctx: Any) -> None:
    """Raise SpecErrors, each at its key, when `config` does not fit the config `schema` of a
    resource or an executor (else a run would be refused later, without a position)."""
    if config is None or schema is None:
        return
    from ..runtime.config import validate_config

    errors = []
    for problem in validate_config(schema, config).errors:
        where = pointer + "".join("/" + escape(part) for part in problem.path)
        unexpected = _UNEXPECTED.match(problem.description)
        if unexpected:
            where += "/" + escape(unexpected.group(1))
            errors.append(SpecError(f"unknown config key {unexpected.group(1)!r}", ctx.doc.locate(where, key=True),
                                    where, f"did you mean {unexpected.group(2)}?" if unexpected.group(2) else None))
        else:
            errors.append(SpecError(f"config: {problem.description}", ctx.doc.locate(where), where))
    if errors:
        raise SpecErrors(errors)


def build_resources(spec: Any, ctx: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    resources: dict[str, Any] = {}
    config: dict[str, Any] = {}
    for name, entry in spec.resources.items():
        value = ctx.col.attempt(lambda: _resource_value(entry, ctx), entry.pointer)
        if value is None:
            continue
        resources[name], run_entry = value
        if run_entry is not None:
            config[name] = run_entry
    return resources, config


def build_partitions(spec: Any, ctx: Any) -> dict[str, Any]:
    if not spec.partitions:
        return {}  # without importing the partitions module: ~20 ms of a cold `specrun validate`
    from ..runtime.partitions import partitions_def_from_spec

    from .partition_checks import partition_problems

    found: dict[str, Any] = {}
    for name, entry in spec.partitions.items():
        if entry.type == "dynamic":  # keys live in the run storage (`specrun partitions add`)
            from ..runtime.dynamic_partitions import DynamicPartitionsDefinition

            found[name] = DynamicPartitionsDefinition(name=entry.options.get("name") or name)
            continue
        try:
            value = partitions_def_from_spec(entry.type, **entry.options)
        except (SpecrunError, ValueError, TypeError) as e:
            pointer = _option_pointer(str(e), entry)
            ctx.col.add(SpecError(str(e), ctx.doc.locate(pointer), pointer))
            continue
        problems = list(partition_problems(value, entry.pointer))
        for pointer, message, hint in problems:
            ctx.col.add(SpecError(message, ctx.doc.locate(pointer), pointer, hint))
        if not problems:
            found[name] = value
    return found


def _option_pointer(message: str, entry: Any) -> str:
    """Pointer of the option of a partitions entry that `message` is about (the first the
    message names, as in "start '2024-13-45' is neither ..."), else of the entry."""
    dimension = re.match(r"dimension '([^']+)': (.*)", message)
    if dimension and isinstance(entry.options.get("dimensions"), dict):
        inner = entry.options["dimensions"].get(dimension.group(1))
        base = f"{entry.pointer}/dimensions/{dimension.group(1)}"
        options = inner if isinstance(inner, dict) else {}
        message = dimension.group(2)
    else:
        base, options = entry.pointer, entry.options
    aliases = {"timezone": ("timezone",), "keys": ("keys", "key"), "dimensions": ("dimensions",)}
    named = [(m.start(), option) for option in options
             for word in aliases.get(option, (option,))
             for m in [re.search(rf"\b{re.escape(word)}\b", message)] if m]
    return f"{base}/{min(named)[1]}" if named else base


def build_ops(spec: Any, ctx: Any) -> dict[str, Any]:
    ops = {}
    for name, entry in spec.ops.items():
        obj = ctx.col.attempt(lambda: ctx.callables.resolve_code(entry.fn, entry.pointer + "/fn", "a step function"))
        if obj is None:
            continue
        fn = getattr(obj, "compute_fn", obj)
        ctx.check_resources(entry.resources, entry.pointer + "/resources")
        outs = {o: (DynamicOut if d.get("dynamic") else Out)(
            is_required=d.get("required", True), io_manager_key=d.get("io_manager", "io_manager"),
            description=d.get("description")) for o, d in entry.outs.items()} or None
        ins = {i: In(description=d.get("description"), **({"default_value": d["default"]} if "default" in d else {}))
               for i, d in entry.ins.items()} or None
        made = ctx.col.attempt(lambda: op(name=name, ins=ins, out=outs, retry_policy=retry_policy(entry.retry, entry.pointer),
                                          required_resource_keys=set(entry.resources),
                                          tags={**{k: str(v) for k, v in entry.tags.items()},
                                                **timeout_tags(entry.timeout, entry.pointer)},
                                          description=entry.description)(fn), entry.pointer)
        if made is not None:
            if entry.config is not None:
                ctx.col.attempt(lambda: check_config(made.config_schema, entry.config, entry.pointer + "/config", ctx))
            ops[name] = made
    return ops


def build_executor(entry: Any, ctx: Any) -> tuple[Any, Optional[dict[str, Any]]]:
    """(executor definition, its config for run config `execution:`)."""
    if entry is None:
        return None, None
    from ..runtime.executors import executor_def_by_name
    from ..runtime.executors.base import ExecutorDefinition

    ptr = entry.pointer + "/type"
    if ":" in entry.type:
        target = ctx.col.attempt(lambda: ctx.callables.resolve(entry.type, ptr))
        if target is not None and not isinstance(target, ExecutorDefinition):
            ctx.col.add(SpecError(f"{entry.type!r} is not an executor (decorate it with @executor)",
                                  ctx.doc.locate(ptr), ptr))
            return None, None
        if target is not None:
            ctx.col.attempt(lambda: check_config(target.config_schema, entry.config, entry.pointer + "/config", ctx))
        return target, entry.config or None
    try:
        found = executor_def_by_name(entry.type)
    except DefinitionError:
        found = None
    if found is not None:
        ctx.col.attempt(lambda: check_config(found.config_schema, entry.config, entry.pointer + "/config", ctx))
        return found, entry.config or None
    ctx.col.add(SpecError(f"unknown executor {entry.type!r}", ctx.doc.locate(ptr), ptr,
                          suggest(entry.type, ["in_process", "multiprocess", "dask"])
                          or "use in_process, multiprocess, dask or module:attr"))
    return None, None
