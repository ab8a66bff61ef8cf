"""Direct invocation: calling an op, asset or check outside a run, as in unit tests."""

from __future__ import annotations

import copy
from typing import Any, Mapping, Optional, Sequence

from ...errors import InvocationError, suggest
from ..config import process_config


def _is_context(value: Any) -> bool:
    from ..context.compute import OpExecutionContext

    return isinstance(value, OpExecutionContext)


def _bind_context(op_def: Any, ctx: Any, assets_def: Any, check_def: Any,
                  config_object: Any = None) -> Any:
    """A copy of `ctx` bound to the definition: config validated, resources checked.

    A `Config` object given to the call is the op's config, whatever the context holds."""
    if ctx is None:
        from ..context.build import build_asset_context, build_op_context

        ctx = build_asset_context() if assets_def is not None else build_op_context()
    missing = sorted(op_def.all_resource_keys - set(ctx.resources))
    if missing:
        hint = suggest(missing[0], list(ctx.resources))
        raise InvocationError(
            f"{op_def.kind} {op_def.name!r} requires resource(s) {missing}, which the context "
            "does not provide: pass them as build_op_context(resources={...})"
            + (f"; {hint}" if hint else ""))
    bound = copy.copy(ctx)
    bound._op_def = op_def
    bound._assets_def = assets_def
    bound._check_def = check_def
    given = ctx.op_config if config_object is None else config_object.model_dump()
    bound._op_config = process_config(op_def.config_schema, given, ("config",),
                                      subject=f"config of {op_def.kind} {op_def.name!r}")
    bound.output_metadata = ctx.output_metadata
    if assets_def is not None and ctx._asset_key is None:
        bound._asset_key = assets_def.key
    if assets_def is not None and assets_def.partitions_def is not None and ctx._partitions_def is None:
        bound._partitions_def = assets_def.partitions_def
    return bound


def invoke_directly(op_def: Any, args: Sequence[Any], kwargs: Mapping[str, Any],
                    assets_def: Any = None, check_def: Any = None) -> Any:
    """Call the compute function with a bound context, config, resources and inputs."""
    sig = op_def.signature
    args = list(args)
    kwargs = dict(kwargs)
    ctx: Optional[Any] = None
    # As in Dagster, the context may be given as None (a fresh one is built), and a `Config`
    # object may follow it positionally.
    if args and (_is_context(args[0]) or (args[0] is None and sig.context_param)):
        ctx = args.pop(0)
    elif sig.context_param and _is_context(kwargs.get(sig.context_param)):
        ctx = kwargs.pop(sig.context_param)
    config_object = None
    if sig.config_param:
        if args and _is_config_object(args[0]):
            config_object = args.pop(0)
        elif _is_config_object(kwargs.get(sig.config_param)):
            config_object = kwargs.pop(sig.config_param)
    bound = _bind_context(op_def, ctx, assets_def, check_def, config_object)
    call: dict[str, Any] = {}
    if sig.context_param:
        call[sig.context_param] = bound
    if sig.config_param:
        value = config_object if config_object is not None else kwargs.pop(sig.config_param, None)
        call[sig.config_param] = value if value is not None else _config_value(sig, bound)
    for name in sig.resource_params:
        call[name] = kwargs.pop(name, None) or getattr(bound.resources, name)
    _bind_inputs(op_def, args, kwargs, call)
    # An `async def` function returns its coroutine (or async generator) unawaited, as in
    # Dagster: the caller awaits it.
    return op_def.compute_fn(**call)


def _is_config_object(value: Any) -> bool:
    from ..config_models import Config

    return isinstance(value, Config)


def _config_value(sig: Any, ctx: Any) -> Any:
    if sig.config_class is None:
        return ctx.op_config
    return sig.config_class.model_validate(ctx.op_config or {})


def _bind_inputs(op_def: Any, args: list, kwargs: dict, call: dict) -> None:
    names = list(op_def.signature.input_params)
    if len(args) > len(names):
        raise InvocationError(
            f"{op_def.kind} {op_def.name!r} takes {len(names)} input(s) {names}, "
            f"got {len(args)} positional argument(s)")
    call.update(zip(names, args))
    for key, value in kwargs.items():
        if key not in names and not op_def.signature.has_var_kwargs:
            hint = suggest(key, names)
            raise InvocationError(f"{op_def.kind} {op_def.name!r} has no input {key!r}"
                                  + (f"; {hint}" if hint else ""))
        call[key] = value
    for name in names:
        if name not in call:
            spec = op_def.ins[name]
            if spec.has_default:
                call[name] = spec.default_value
            else:
                raise InvocationError(
                    f"{op_def.kind} {op_def.name!r} needs input {name!r}: pass it as an argument")
