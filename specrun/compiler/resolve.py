"""Resolve stage: a `Spec` -> the runtime's own `Definitions`.

Functions are imported, resources / IO managers / partitions / checks / executors bound,
and ops wired into jobs. Every problem is collected (not just the first) as a SpecError at
the line of the reference that caused it, with "did you mean" where a name is close.
"""

from __future__ import annotations

import re

from dataclasses import replace
from typing import Any, Optional

from ..errors import DefinitionError, SpecError, SpecErrors, suggest
from ..runtime.definitions.assets import AssetIn, AssetsDefinition, SharedAssetParts, asset, make_asset
from ..runtime.definitions.keys import AssetKey
from ..runtime.definitions.signature import read_signature
from .callables import CallableResolver
from .decorated import decorated_deps, decorated_ins, described, function_of, multi_without_outs
from .model import AssetEntry, Spec
from .resolve_multi import multi_asset_op_name, resolve_multi_asset
from .resolve_parts import (
    Collector, build_executor, build_ops, build_partitions, build_resources, check_config, kind_tags,
    retry_policy, timeout_tags,
)


class Resolved:
    """What resolve produced: definitions plus the default run config and spec facts."""

    def __init__(self, defs: Any, run_config: dict[str, Any], executor_def: Any, jobs: dict[str, Any],
                 job_executors: Optional[dict[str, Any]] = None) -> None:
        self.definitions = defs
        self.run_config = run_config
        self.executor_def = executor_def
        self.jobs = jobs
        self.job_executors = job_executors or {}


def _asset_keys(spec: Spec) -> dict[str, AssetKey]:
    """Asset name -> key; an entry with `outs:` names one asset per output, not itself."""
    keys = {}
    for n, e in spec.assets.items():
        if e.outs:
            keys.update({o: AssetKey([*e.key_prefix, o]) for o in e.outs})
        else:
            keys[n] = AssetKey([*e.key_prefix, e.name])
    return keys


def _resolve_asset(entry: AssetEntry, ctx: "ResolveContext") -> Any:
    """The definition of one `assets.<name>` entry, or None after adding its errors to `ctx.col`."""
    if entry.kinds and kind_tags(entry.tags, entry.kinds, AssetKey([*entry.key_prefix, entry.name]),
                                 entry.pointer + "/kinds", ctx.col) is None:
        return None  # (more than ten: said at its `kinds:`, before any definition says it again)
    if entry.external or entry.observe:
        from .resolve_external import resolve_external_asset

        return resolve_external_asset(entry, ctx)
    if entry.graph:
        from .resolve_graphs import resolve_graph_asset

        return resolve_graph_asset(entry, ctx, ctx.ops)
    found = _step_function(entry, ctx)
    if found is None:
        return None
    fn, base, sig = found
    if multi_without_outs(entry, base, ctx):
        return None
    carried, handled = decorated_ins(entry, base, ctx)
    ins = {**carried, **_asset_ins(entry, sig, ctx, skip=handled)}
    deps = _asset_deps(entry, base, ctx)
    pdef = _check_bindings(entry, ctx)
    if entry.outs:
        made = resolve_multi_asset(entry, fn, ins, deps, pdef, _check_specs(entry, ctx), ctx)
        return _without_defaulted(made, ins, sig)
    return _without_defaulted(_single_asset(entry, fn, base, ins, deps, pdef, ctx), ins, sig)


def _step_function(entry: AssetEntry, ctx: "ResolveContext") -> Optional[tuple[Any, Optional[AssetsDefinition], Any]]:
    """The entry's `fn:` as (function, the asset it was decorated as if any, its signature), or
    None after adding why not to `ctx.col`."""
    known = ctx.step_functions.get(entry.fn)
    if known is not None and ctx.callables.held(entry.fn) is known[0]:
        return known[1]  # the same object as for an earlier entry: the same checks passed, the same answer
    col = ctx.col
    if not entry.fn:
        col.add(SpecError(f"asset {entry.name!r} needs `fn:` (its function) or `graph:` (ops, each a step)",
                          ctx.doc.locate(entry.pointer, key=True), entry.pointer, "fn: module:function"))
        return None
    obj = col.attempt(lambda: ctx.callables.resolve_code(entry.fn, entry.pointer + "/fn", "a step function"))
    if obj is None:
        return None
    fn, decorated = function_of(obj)
    if not callable(fn) or isinstance(fn, type):  # a class would be called with the inputs, not run
        col.add(SpecError(f"{entry.fn!r} is not a function", ctx.doc.locate(entry.pointer + "/fn"), entry.pointer + "/fn",
                          "name a function defined with def"))
        return None
    sig = col.attempt(lambda: read_signature(fn, f"asset {entry.name!r}"), entry.pointer + "/fn")
    if sig is None:
        return None
    found = fn, decorated if isinstance(decorated, AssetsDefinition) else None, sig
    ctx.step_functions[entry.fn] = (obj, found)
    return found


def _asset_deps(entry: AssetEntry, base: Optional[AssetsDefinition], ctx: "ResolveContext") -> list[AssetKey]:
    """The keys of `deps:` (and of the decorated asset's deps); an unknown name is an error."""
    if not entry.deps:
        return decorated_deps(entry, base, ctx)
    deps = [ctx.keys[d] for d in entry.deps if d in ctx.keys] + decorated_deps(entry, base, ctx)
    for dep in entry.deps:
        if dep not in ctx.keys:
            ptr = f"{entry.pointer}/deps/{entry.deps.index(dep)}"
            ctx.col.add(SpecError(f"deps: no asset named {dep!r}", ctx.doc.locate(ptr), ptr, suggest(dep, ctx.keys)))
    return deps


def _check_bindings(entry: AssetEntry, ctx: "ResolveContext") -> Any:
    """The entry's partitions definition (or None), after checking that its partitions,
    resources and IO manager name things the spec declares."""
    pdef = None if entry.partitions is None else ctx.partitions_for(entry.partitions, entry.pointer + "/partitions")
    if entry.resources:
        ctx.check_resources(entry.resources, entry.pointer + "/resources")
    if entry.io_manager and entry.io_manager not in ctx.resource_names:
        ptr = entry.pointer + "/io_manager"
        ctx.col.add(SpecError(f"no resource named {entry.io_manager!r}", ctx.doc.locate(ptr), ptr,
                              suggest(entry.io_manager, ctx.resource_names)))
    return pdef


def _single_asset(entry: AssetEntry, fn: Any, base: Optional[AssetsDefinition], ins: dict[str, AssetIn],
                  deps: list[AssetKey], pdef: Any, ctx: "ResolveContext") -> Optional[AssetsDefinition]:
    """`asset(fn, ...)` with the entry's options over those of the asset `fn` was decorated as."""
    col = ctx.col
    if base is None:
        made: Optional[AssetsDefinition] = col.attempt(lambda: make_asset(
            fn, {"name": entry.name, "ins": ins, **_options_set(entry, deps, pdef, ctx)}, ctx.asset_parts), entry.pointer)
    else:
        made = col.attempt(lambda: asset(
            fn, name=entry.name, key_prefix=entry.key_prefix or None, ins=ins,
            deps=deps,
            partitions_def=pdef if pdef is not None else base.partitions_def,
            required_resource_keys=set(entry.resources) | set(base.op.required_resource_keys),
            io_manager_key=entry.io_manager or base.io_manager_key,
            retry_policy=retry_policy(entry.retry, entry.pointer) or base.op.retry_policy,
            op_tags={**base.op.tags, **timeout_tags(entry.timeout, entry.pointer)} or None,
            code_version=entry.code_version or base.code_version,
            group_name=entry.group or base.group_name, **described(entry, base),
            config_schema=base.op.config_schema,
            check_specs=_check_specs(entry, ctx) or base.check_specs,
        ), entry.pointer)
    if made is not None and entry.config is not None:
        col.attempt(lambda: check_config(made.op.config_schema, entry.config, entry.pointer + "/config", ctx))
    return made


def _options_set(entry: AssetEntry, deps: list[AssetKey], pdef: Any, ctx: "ResolveContext") -> dict[str, Any]:
    """The options of `asset()` that an entry naming a plain function sets; each one left out
    would be passed as `asset()`'s default. (One test an option: most entries set none.)"""
    options: dict[str, Any] = {}
    if pdef is not None:
        options["partitions_def"] = pdef
    if entry.key_prefix:
        options["key_prefix"] = entry.key_prefix
    if deps:
        options["deps"] = deps
    if entry.resources:
        options["required_resource_keys"] = set(entry.resources)
    if entry.io_manager:
        options["io_manager_key"] = entry.io_manager
    if entry.retry is not None:
        options["retry_policy"] = retry_policy(entry.retry, entry.pointer)
    if entry.timeout is not None:
        options["op_tags"] = timeout_tags(entry.timeout, entry.pointer)
    if entry.code_version:
        options["code_version"] = entry.code_version
    if entry.group:
        options["group_name"] = entry.group
    if entry.metadata:
        options["metadata"] = dict(entry.metadata)
    if entry.description:
        options["description"] = entry.description
    if entry.compute_kind:
        options["compute_kind"] = entry.compute_kind
    if entry.kinds:
        options["kinds"] = entry.kinds
    if specs := _check_specs(entry, ctx):
        options["check_specs"] = specs
    if entry.tags:
        options["tags"] = {k: str(v) for k, v in entry.tags.items()}
    return options


def _without_defaulted(made: Optional[AssetsDefinition], ins: dict[str, AssetIn], sig: Any
                       ) -> Optional[AssetsDefinition]:
    """`made` without the inputs `asset()` inferred, by name, for parameters with a default that
    no asset of the spec provides: such a parameter takes its default (the run passes none)."""
    if made is None or not sig.input_defaults:
        return made
    unused = [p for p in sig.input_defaults if p not in ins and p in made.input_keys]
    if not unused:
        return made
    return replace(made, input_keys={n: k for n, k in made.input_keys.items() if n not in unused})


def _asset_ins(entry: AssetEntry, sig: Any, ctx: "ResolveContext", skip: Any = ()) -> dict[str, AssetIn]:
    """The inputs `entry.ins` maps, and the other parameters by name (but those in `skip`: a
    decorator's own inputs)."""
    col, doc = ctx.col, ctx.doc
    ins: dict[str, AssetIn] = {}
    for param, src in entry.ins.items():
        if param not in sig.input_params and not sig.has_var_kwargs:
            col.add(SpecError(f"ins: {entry.fn!r} has no parameter {param!r}", doc.locate(src.pointer, key=True),
                              src.pointer, suggest(param, sig.input_params)))
            continue
        if src.asset not in ctx.keys:
            col.add(SpecError(f"ins: no asset named {src.asset!r}", doc.locate(src.pointer), src.pointer,
                              suggest(src.asset, ctx.keys)))
            continue
        mapping = ctx.mapping_for(src)
        ins[param] = AssetIn(key=ctx.keys[src.asset], partition_mapping=mapping,
                             input_manager_key=src.input_manager)
    for param in sig.input_params:
        if param in ins or param in entry.ins or param in skip:
            continue
        if entry.scope and entry.scope + param in ctx.keys:  # a template's asset: its instance's asset first
            ins[param] = AssetIn(key=ctx.keys[entry.scope + param])
        elif param in ctx.keys:
            ins[param] = AssetIn(key=ctx.keys[param])
        elif param not in sig.input_defaults:
            ptr = entry.pointer + "/fn"
            col.add(SpecError(
                f"parameter {param!r} of {entry.fn!r} is not provided: no asset is named {param!r}",
                doc.locate(ptr), ptr,
                (suggest(param, ctx.keys) or "") + (" - or " if suggest(param, ctx.keys) else "")
                + f"map it with `ins: {{{param}: <asset>}}`"))
    return ins


MAX_OFFSET = 10_000  # partitions a time-window mapping may shift by: 833 years of monthly windows


class ResolveContext:
    """What every resolve step shares: the document, the collector, names known so far."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.doc = spec.document
        self.col = Collector(self.doc)
        self.callables = CallableResolver(self.doc, spec.module)
        self.keys = _asset_keys(spec)
        self.key_set = set(self.keys.values())
        self.resource_names = set(spec.resources) | {"io_manager"}
        self.partitions: dict[str, Any] = {}
        self.ops: dict[str, Any] = {}
        self.asset_parts = SharedAssetParts()  # the assets of one function share what they take from it
        self.step_functions: dict[str, tuple[Any, tuple[Any, Optional[AssetsDefinition], Any]]] = {}  # fn: -> (it, answer)

    def partitions_for(self, name: Optional[str], pointer: str) -> Any:
        if name is None:
            return None
        if name not in self.partitions:
            if name in self.spec.partitions:  # declared, but its own error is reported already
                return None
            self.col.add(SpecError(f"no partitions named {name!r}", self.doc.locate(pointer), pointer,
                                   suggest(name, self.partitions) or "declare it under `partitions:`"))
            return None
        return self.partitions[name]

    def mapping_for(self, src: Any) -> Any:
        if src.partition_mapping is None:
            return None
        from ..runtime.partitions.mappings import mapping_from_spec

        for option in ("start_offset", "end_offset"):
            offset = getattr(src, option)
            if isinstance(offset, int) and abs(offset) > MAX_OFFSET:  # beyond the calendar: an overflow at plan time
                ptr = f"{src.pointer}/{option}"
                self.col.add(SpecError(f"{option} {offset} is out of range: at most {MAX_OFFSET} partitions either way",
                                       self.doc.locate(ptr), ptr))
                return None
        return self.col.attempt(lambda: mapping_from_spec(src.partition_mapping, src.start_offset, src.end_offset),
                                src.pointer)

    def check_resources(self, keys: list[str], pointer: str) -> None:
        for i, key in enumerate(keys):
            if key not in self.resource_names:
                ptr = f"{pointer}/{i}"
                self.col.add(SpecError(f"no resource named {key!r}", self.doc.locate(ptr), ptr,
                                       suggest(key, self.resource_names) or "declare it under `resources:`"))


def resolve_spec(spec: Spec) -> Resolved:
    """Build the runtime Definitions of `spec`, or raise SpecErrors with every problem."""
    from ..runtime.definitions.definitions import Definitions

    ctx = ResolveContext(spec)
    resources, resource_config = build_resources(spec, ctx)
    ctx.partitions = build_partitions(spec, ctx)
    ops = ctx.ops = build_ops(spec, ctx)
    assets = [a for a in (_resolve_asset(e, ctx) for e in spec.assets.values()) if a is not None]
    checks = _checks(spec, ctx)
    executor_def, executor_config = build_executor(spec.executor, ctx)
    run_config = _default_run_config(spec, ctx.keys, resource_config, executor_config)
    jobs = _jobs(spec, ctx, ops, executor_def)
    job_executors = {name: build_executor(entry.executor, ctx) for name, entry in spec.jobs.items()
                     if entry.executor is not None and not entry.ops}
    _check_storage_url(spec, ctx)
    ctx.col.raise_if_any()
    try:
        defs = Definitions(assets=assets, asset_checks=checks, jobs=[j for j in jobs.values() if hasattr(j, "nodes")],
                           resources=resources, executor=executor_def)
    except DefinitionError as e:
        raise SpecErrors([SpecError(str(e), ctx.doc.locate(""), "")]) from None
    return Resolved(defs, run_config, executor_def, jobs, job_executors)


def _check_specs(entry: AssetEntry, ctx: ResolveContext) -> list[Any]:
    """`resolve_checks.asset_check_specs`: imported only for an entry that has `check_specs:`."""
    if not entry.check_specs:
        return []
    from .resolve_checks import asset_check_specs

    return asset_check_specs(entry, ctx)


def _checks(spec: Spec, ctx: ResolveContext) -> list[Any]:
    """The definitions of `checks:` (their module imported only for a spec that has some)."""
    if not spec.checks:
        return []
    from .resolve_checks import resolve_check

    return [c for c in (resolve_check(e, ctx) for e in spec.checks.values()) if c is not None]


def _jobs(spec: Spec, ctx: ResolveContext, ops: dict[str, Any], executor_def: Any) -> dict[str, Any]:
    """`op_jobs.build_jobs` (op jobs and selection jobs), imported only for a spec with `jobs:`."""
    if not spec.jobs:
        return {}
    from .op_jobs import build_jobs

    return build_jobs(spec, ctx, ops, executor_def)


_STORAGE_URL = re.compile(r"(sqlite|postgresql|postgres)(\+\w+)?://")


def _check_storage_url(spec: Spec, ctx: ResolveContext) -> None:
    url = spec.storage_url
    if url is not None and not _STORAGE_URL.match(url):
        ctx.col.add(SpecError(f"storage url {url!r} is neither SQLite nor PostgreSQL", ctx.doc.locate("/storage/url"),
                              "/storage/url", "write sqlite:///path/to/runs.db or postgresql://user@host/db"))


def _default_run_config(spec: Spec, keys: dict[str, AssetKey], resource_config: dict[str, Any],
                        executor_config: Optional[dict[str, Any]]) -> dict[str, Any]:
    ops: dict[str, Any] = {}
    for name, entry in spec.assets.items():
        if entry.config is not None:
            op_name = multi_asset_op_name(entry) if entry.outs else keys[name].to_python_identifier()
            ops[op_name] = {"config": entry.config}
    for check in spec.checks.values():
        if check.config is not None and check.specs:
            ops[check.name] = {"config": check.config}
        elif check.config is not None and check.asset in keys:
            ops[f"{keys[check.asset].to_python_identifier()}_{check.name}"] = {"config": check.config}
    config: dict[str, Any] = {}
    if ops:
        config["ops"] = ops
    if resource_config:
        config["resources"] = resource_config
    if executor_config:
        config["execution"] = {"config": executor_config}
    if not spec.run_config:
        return config
    from ..runtime.run_config import deep_merge

    return deep_merge(config, spec.run_config)
