"""Ops: named compute functions with inputs, outputs, config and resources.

`@op` builds an `OpDefinition` (a value). Calling the definition inside a `@graph` or
`@job` body records an invocation (see `composition.py`); calling it anywhere else runs
the function directly, as Dagster's direct invocation does (see `invocation.py`).
"""

from __future__ import annotations

import inspect
from dataclasses import field, replace
from typing import Any, Callable, Mapping, Optional, Union

from ...errors import DefinitionError
from ..config import normalize_config_schema
from .policy import RetryPolicy
from .signature import ComputeSignature, read_signature
from .types import DataType, Nothing, resolve_dagster_type, return_annotation
from .values import value_class

class _Unset:
    """The 'no default' marker; pickles by name so it stays the same object in workers."""

    def __repr__(self) -> str:
        return "<unset>"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@value_class(frozen=True)
class In:
    """Declares an op input: its type, default, metadata and input manager."""

    dagster_type: Any = None
    description: Optional[str] = None
    default_value: Any = UNSET
    metadata: Optional[Mapping[str, Any]] = None
    asset_key: Any = None
    asset_partitions: Any = None
    input_manager_key: Optional[str] = None

    @property
    def has_default(self) -> bool:
        return self.default_value is not UNSET

    @property
    def is_nothing(self) -> bool:
        return self.dagster_type is Nothing


@value_class(frozen=True)
class Out:
    """Declares an op output: its type, whether it must be produced, and its IO manager."""

    dagster_type: Any = None
    description: Optional[str] = None
    is_required: bool = True
    io_manager_key: str = "io_manager"
    metadata: Optional[Mapping[str, Any]] = None
    code_version: Optional[str] = None

    @property
    def is_nothing(self) -> bool:
        return self.dagster_type is Nothing

    @property
    def is_dynamic(self) -> bool:
        """Whether values come one per mapping key (`DynamicOut`)."""
        return False


InputDefinition = In
OutputDefinition = Out


@value_class(frozen=True, eq=False, slots=True, weakref_slot=True)
class OpDefinition:
    """An op: compute function plus everything needed to call it."""

    name: str
    compute_fn: Callable[..., Any]
    ins: Mapping[str, In]
    outs: Mapping[str, Out]
    signature: ComputeSignature
    config_schema: Any = None
    required_resource_keys: frozenset[str] = frozenset()
    retry_policy: Optional[RetryPolicy] = None
    tags: Mapping[str, str] = field(default_factory=dict)
    description: Optional[str] = None
    code_version: Optional[str] = None
    kind: str = "op"

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(self.ins)

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(self.outs)

    @property
    def input_defs(self) -> list[In]:
        return list(self.ins.values())

    @property
    def output_defs(self) -> list[Out]:
        return list(self.outs.values())

    @property
    def all_resource_keys(self) -> frozenset[str]:
        """Resources the compute function needs: declared keys plus resource parameters."""
        params = self.signature.resource_params
        if not params:  # (most ops: the declared keys as they are, no union made per call)
            return frozenset(self.required_resource_keys)  # (a frozenset is returned itself)
        return self.required_resource_keys | frozenset(params)

    def with_name(self, name: str) -> "OpDefinition":
        return replace(self, name=name)

    def alias(self, name: str) -> "PendingInvocation":
        return PendingInvocation(self, alias=name)

    def tag(self, tags: Mapping[str, str]) -> "PendingInvocation":
        return PendingInvocation(self, tags=dict(tags))

    def with_retry_policy(self, policy: RetryPolicy) -> "PendingInvocation":
        return PendingInvocation(self, retry_policy=policy)

    def with_hooks(self, hook_defs: Any) -> "PendingInvocation":
        """This op, invoked with `hook_defs` run after its step (see `definitions.hooks`)."""
        return PendingInvocation(self, hooks=tuple(hook_defs))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from .nodes import current_scope

        scope = current_scope()
        if scope is not None:
            return scope.invoke(self, args, kwargs)
        from .invocation import invoke_directly

        return invoke_directly(self, args, kwargs)

    def __repr__(self) -> str:
        return f"<OpDefinition {self.name!r}>"


@value_class(frozen=True)
class PendingInvocation:
    """An op about to be invoked under another name, with tags or a retry policy."""

    op_def: OpDefinition
    alias: Optional[str] = None
    tags: Optional[Mapping[str, str]] = None
    retry_policy: Optional[RetryPolicy] = None
    hooks: tuple[Any, ...] = ()

    def with_hooks(self, hook_defs: Any) -> "PendingInvocation":
        return replace(self, hooks=self.hooks + tuple(hook_defs))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from .nodes import current_scope

        scope = current_scope()
        if scope is None:
            return self.op_def(*args, **kwargs)
        return scope.invoke(self.op_def, args, kwargs, self.alias, self.tags, self.retry_policy,
                            self.hooks)


NO_RESOURCE_KEYS: frozenset[str] = frozenset()  # (not a singleton: each made is 216 bytes)


COMPUTE_KIND_TAG = "dagster/compute_kind"  # Dagster's op tag for an asset's or check's compute_kind=


def op_tags_with_compute_kind(compute_kind: Optional[str], op_tags: Optional[Mapping[str, Any]]) -> dict[str, str]:
    """The op tags of an asset or check: `dagster/compute_kind` = its `compute_kind` (when given),
    then its `op_tags` (values as text; one of them may set that tag too), as Dagster's."""
    tags = {COMPUTE_KIND_TAG: compute_kind} if compute_kind else {}
    for k, v in (op_tags or {}).items():
        tags[k] = str(v)
    return tags


def resource_key_set(keys: Any) -> frozenset[str]:
    """`frozenset(keys or ())`: the one empty set (`NO_RESOURCE_KEYS`) every op that needs no
    resource shares, when `keys` names none (a job's build reads each op's, and 10,000 own
    empty sets made with the definitions would be 10,000 lines out of cache)."""
    return frozenset(keys) if keys else NO_RESOURCE_KEYS


def build_ins(
    sig: ComputeSignature, ins: Optional[Mapping[str, In]], what: str
) -> dict[str, In]:
    """Inputs in parameter order; explicit `ins` must name parameters (or be Nothing)."""
    explicit = dict(ins or {})
    params = sig.input_param_set  # (a set when long: a join may have 10,000 inputs)
    for name, spec in explicit.items():
        if name not in params and not sig.has_var_kwargs and not _is_nothing(spec):
            from ...errors import suggest

            hint = suggest(name, sig.input_params)
            raise DefinitionError(
                f"{what} declares input {name!r}, but its function has no parameter of that name"
                + (f"; {hint}" if hint else "")
            )
    result = {}
    for name in sig.input_params:
        spec = explicit.get(name, _NO_SPEC)
        if type(spec) is In:
            result[name] = _plain_in(spec, name, sig)
            continue
        if name in sig.input_defaults and not spec.has_default:
            spec = replace(spec, default_value=sig.input_defaults[name])
        given = spec.dagster_type if spec.dagster_type is not None else sig.input_annotations.get(name)
        result[name] = replace(spec, dagster_type=resolve_dagster_type(given))
    for name, spec in explicit.items():
        result.setdefault(name, spec)
    return result


_NO_SPEC = In()


def _plain_in(spec: In, name: str, sig: ComputeSignature) -> In:
    """What `build_ins` makes of a plain `In` (not a subclass): its default from the function
    when it has none, its type from the annotation when it has none. The same as the two
    `dataclasses.replace` calls a subclass gets, made directly: `replace` looks up the fields
    and reads each by name, most of `build_ins` in a 1,000-asset compile (the tests compare them).
    When neither changes (an input of no annotation and no default), `spec` itself is given back:
    it is frozen, and the `In` made from it would equal it."""
    default = spec.default_value
    if default is UNSET and name in sig.input_defaults:
        default = sig.input_defaults[name]
    given = spec.dagster_type if spec.dagster_type is not None else sig.input_annotations.get(name)
    dagster_type = resolve_dagster_type(given)
    if default is spec.default_value and dagster_type is spec.dagster_type:
        return spec  # (frozen) the same values: most inputs, none of which sets either
    return In(dagster_type, spec.description, default, spec.metadata, spec.asset_key,
              spec.asset_partitions, spec.input_manager_key)


def _out_with(out: Out, dagster_type: Any) -> Out:
    """`replace(out, dagster_type=...)`, made directly for a plain `Out` (see `_plain_in`)."""
    if type(out) is not Out:
        return replace(out, dagster_type=dagster_type)
    return Out(dagster_type, out.description, out.is_required, out.io_manager_key, out.metadata,
               out.code_version)


def _is_nothing(spec: Any) -> bool:
    return isinstance(spec, In) and spec.is_nothing


def build_outs(out: Union[Out, Mapping[str, Out], None], return_annotation: Any = None
               ) -> dict[str, Out]:
    """The outputs; a single output without a type takes the function's return annotation."""
    if out is None:
        out = Out()
    if isinstance(out, Out):
        given = out.dagster_type if out.dagster_type is not None else return_annotation
        return {"result": _out_with(out, resolve_dagster_type(given))}
    if isinstance(out, Mapping) and all(isinstance(v, Out) for v in out.values()):
        return {name: _out_with(o, resolve_dagster_type(o.dagster_type)) for name, o in out.items()}
    raise DefinitionError(f"out must be an Out or a dict of Outs, got {out!r}")


def result_out(dagster_type: Any, metadata: Optional[Mapping[str, Any]], io_manager_key: str,
               return_annotation: Any) -> dict[str, Out]:
    """`build_outs(Out(dagster_type=..., metadata=..., io_manager_key=...), return_annotation)`,
    making the one `Out` it returns and no other; an output of no type, metadata or IO manager of
    its own (most assets') is one shared `Out()` (frozen; the one made would equal it)."""
    given = dagster_type if dagster_type is not None else return_annotation
    resolved = resolve_dagster_type(given)
    if resolved is None and metadata is None and io_manager_key == _PLAIN_OUT.io_manager_key:
        return {"result": _PLAIN_OUT}  # (frozen) the output of most assets
    return {"result": Out(resolved, None, True, io_manager_key, metadata, None)}


_PLAIN_OUT = Out()


def op(
    name: Union[str, Callable[..., Any], None] = None,
    *,
    description: Optional[str] = None,
    ins: Optional[Mapping[str, In]] = None,
    out: Union[Out, Mapping[str, Out], None] = None,
    config_schema: Any = None,
    required_resource_keys: Optional[set[str]] = None,
    tags: Optional[Mapping[str, Any]] = None,
    retry_policy: Optional[RetryPolicy] = None,
    code_version: Optional[str] = None,
) -> Any:
    """Decorate a function as an op (with or without arguments)."""
    if callable(name):
        return _make_op(name, None, description, ins, out, config_schema,
                        required_resource_keys, tags, retry_policy, code_version)

    def decorate(fn: Callable[..., Any]) -> OpDefinition:
        return _make_op(fn, name, description, ins, out, config_schema,
                        required_resource_keys, tags, retry_policy, code_version)

    return decorate


def _make_op(fn, name, description, ins, out, config_schema, required_resource_keys, tags,
             retry_policy, code_version) -> OpDefinition:
    op_name = name or fn.__name__
    sig = read_signature(fn, f"op {op_name!r}")
    if sig.config_class is not None:
        if config_schema is not None:
            raise DefinitionError(f"op {op_name!r} has both a Config parameter and config_schema")
        config_schema = sig.config_class
    return OpDefinition(
        name=op_name,
        compute_fn=fn,
        ins=build_ins(sig, ins, f"op {op_name!r}"),
        outs=build_outs(out, return_annotation(fn)),
        signature=sig,
        config_schema=normalize_config_schema(config_schema),
        required_resource_keys=resource_key_set(required_resource_keys),
        retry_policy=retry_policy,
        tags={k: str(v) for k, v in (tags or {}).items()},
        description=description or inspect.getdoc(fn),
        code_version=code_version,
    )


def type_of(spec: Union[In, Out]) -> Optional[DataType]:
    t = spec.dagster_type
    return t if isinstance(t, DataType) else None
