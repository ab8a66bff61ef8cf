"""Asset checks defined by `@asset_check`: a step of its own that checks one asset (its value
goes to the check's one free parameter) and may block the asset's downstream."""

from __future__ import annotations

import inspect
from dataclasses import field
from typing import Any, Callable, Mapping, Optional, Sequence

from ...errors import DefinitionError
from ..config import normalize_config_schema
from .assets_definition import AssetIn, dep_key
from .check_specs import AssetCheckSpec, spec_for_key
from .keys import AssetKey
from .ops import In, OpDefinition, Out, build_ins, op_tags_with_compute_kind, resource_key_set
from .policy import RetryPolicy
from .signature import read_signature
from .values import value_class


@value_class(frozen=True, eq=False)
class AssetChecksDefinition:
    """A check of one asset; runs after the asset, and may block its downstream."""

    name: str
    asset_key: AssetKey
    op: OpDefinition
    asset_param: Optional[str]
    input_keys: Mapping[str, AssetKey] = field(default_factory=dict)
    blocking: bool = False
    description: Optional[str] = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    resource_defs: Mapping[str, Any] = field(default_factory=dict)
    additional_deps: tuple[AssetKey, ...] = ()
    specs: tuple[AssetCheckSpec, ...] = ()  # the checks it evaluates (one unless `multi`)
    multi: bool = False  # made by @multi_asset_check: one step, several checks

    def __post_init__(self) -> None:
        if not self.specs:
            spec = AssetCheckSpec(self.name, asset=self.asset_key, blocking=self.blocking,
                                  description=self.description, metadata=self.metadata,
                                  additional_deps=self.additional_deps)
            object.__setattr__(self, "specs", (spec,))

    @property
    def node_name(self) -> str:
        if self.multi:
            return self.name
        return f"{self.asset_key.to_python_identifier()}_{self.name}"

    @property
    def node_def(self) -> OpDefinition:
        return self.op

    @property
    def asset_keys(self) -> list[AssetKey]:
        """The assets it checks, each once, in spec order."""
        return list(dict.fromkeys(s.asset_key for s in self.specs))

    @property
    def check_specs(self) -> tuple[AssetCheckSpec, ...]:
        return self.specs

    @property
    def check_keys(self) -> set[Any]:
        return {s.key for s in self.specs}

    @property
    def check_key(self) -> Any:
        if len(self.specs) != 1:
            raise DefinitionError(f"{self!r} evaluates {len(self.specs)} checks; use check_keys")
        return self.specs[0].key

    def get_spec_for_check_key(self, check_key: Any) -> AssetCheckSpec:
        return spec_for_key(self.specs, check_key, repr(self))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from .invocation import invoke_directly

        return invoke_directly(self.op, args, kwargs, check_def=self)

    def __repr__(self) -> str:
        on = ", ".join(k.to_user_string() for k in self.asset_keys)
        return f"<AssetChecksDefinition {self.name!r} on {on!r}>"


def asset_check(
    compute_fn: Optional[Callable[..., Any]] = None,
    *,
    asset: Any = None,
    name: Optional[str] = None,
    description: Optional[str] = None,
    blocking: bool = False,
    additional_ins: Optional[Mapping[str, AssetIn]] = None,
    additional_deps: Optional[Sequence[Any]] = None,
    required_resource_keys: Optional[set[str]] = None,
    resource_defs: Optional[Mapping[str, Any]] = None,
    config_schema: Any = None,
    retry_policy: Optional[RetryPolicy] = None,
    metadata: Optional[Mapping[str, Any]] = None,
    compute_kind: Optional[str] = None,
    op_tags: Optional[Mapping[str, Any]] = None,
) -> Any:
    """Decorate a function returning an `AssetCheckResult` as a check of `asset`; its op's tags
    are `op_tags` and `dagster/compute_kind` = `compute_kind`, as in Dagster."""
    options = dict(locals())
    options.pop("compute_fn")
    if compute_fn is not None:
        return _make_check(compute_fn, **options)
    return lambda fn: _make_check(fn, **options)


def _make_check(fn: Callable[..., Any], **o: Any) -> AssetChecksDefinition:
    if o["asset"] is None:
        raise DefinitionError(f"asset_check {fn.__name__!r} needs asset=")
    target = dep_key(o["asset"])
    check_name = o["name"] or fn.__name__
    what = f"asset check {check_name!r}"
    sig = read_signature(fn, what)
    extra = dict(o["additional_ins"] or {})
    free = [p for p in sig.input_params if p not in extra]
    if len(free) > 1:
        raise DefinitionError(
            f"{what}: parameters {free} are not declared; the checked asset's value goes to "
            "one parameter, others need additional_ins=")
    asset_param = free[0] if free else None
    ins = build_ins(sig, {n: In(metadata=s.metadata) for n, s in extra.items()}, what)
    input_keys = {n: s.resolve_key(n) for n, s in extra.items()}
    if asset_param:
        input_keys[asset_param] = target
    op_def = OpDefinition(
        name=check_name, compute_fn=fn, ins=ins, outs={"result": Out()}, signature=sig,
        config_schema=normalize_config_schema(sig.config_class or o["config_schema"]),
        required_resource_keys=resource_key_set(o["required_resource_keys"]),
        retry_policy=o["retry_policy"], tags=op_tags_with_compute_kind(o["compute_kind"], o["op_tags"]),
        description=o["description"] or inspect.getdoc(fn), kind="check",
    )
    return AssetChecksDefinition(
        name=check_name, asset_key=target, op=op_def, asset_param=asset_param,
        input_keys=input_keys, blocking=bool(o["blocking"]), description=op_def.description,
        metadata=dict(o["metadata"] or {}), resource_defs=dict(o["resource_defs"] or {}),
        additional_deps=tuple(dep_key(d) for d in (o["additional_deps"] or ())),
    )
