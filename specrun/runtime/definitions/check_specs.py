"""Checks declared next to assets: `AssetCheckSpec`, `@multi_asset_check`, and how a check
result yielded by a step is matched to the spec it evaluates.

An `@asset(check_specs=[...])` evaluates its checks in the asset's own step (it yields or
returns an `AssetCheckResult` per spec); a `@multi_asset_check` is one step evaluating several
checks, possibly of several assets. Both name each check by an `AssetCheckKey`.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Mapping, Optional, Sequence

from ...errors import DefinitionError, suggest
from .keys import AssetCheckKey, AssetKey, check_key_text


class AssetCheckSpec:
    """A check of `asset` named `name`, evaluated by whatever definition declares it."""

    __slots__ = ("name", "asset_key", "description", "additional_deps", "blocking", "metadata")

    def __init__(self, name: str, *, asset: Any, additional_deps: Optional[Sequence[Any]] = None,
                 description: Optional[str] = None, blocking: bool = False,
                 metadata: Optional[Mapping[str, Any]] = None) -> None:
        from .assets_definition import dep_key

        if not isinstance(name, str) or not name.isidentifier():
            raise DefinitionError(f"AssetCheckSpec name {name!r} is not a valid name: use letters, "
                                  "digits and underscores, not starting with a digit")
        self.name = name
        self.asset_key = dep_key(asset)
        self.additional_deps = [dep_key(d) for d in (additional_deps or ())]
        self.description = description
        self.blocking = bool(blocking)
        self.metadata = dict(metadata or {})

    @property
    def key(self) -> AssetCheckKey:
        return AssetCheckKey(self.asset_key, self.name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AssetCheckSpec) and all(
            getattr(self, s) == getattr(other, s) for s in self.__slots__)

    def __hash__(self) -> int:
        return hash((self.name, self.asset_key, self.blocking))

    def __repr__(self) -> str:
        return (f"AssetCheckSpec(name={self.name!r}, asset_key={self.asset_key!r}, "
                f"description={self.description!r}, additional_deps={self.additional_deps!r}, "
                f"blocking={self.blocking!r}, metadata={self.metadata!r})")


def check_output_name(spec: AssetCheckSpec) -> str:
    """The output name Dagster gives a check spec: `<asset>_<check>`."""
    return f"{spec.asset_key.to_python_identifier()}_{spec.name}"


def validate_asset_check_specs(specs: Sequence[Any], asset_keys: set[AssetKey], what: str) -> tuple:
    """`specs` as a tuple, each targeting one of `asset_keys` and named once."""
    seen: set[AssetCheckKey] = set()
    for spec in specs:
        if not isinstance(spec, AssetCheckSpec):
            raise DefinitionError(f"{what}: check_specs takes AssetCheckSpec values, got {spec!r}")
        if spec.asset_key not in asset_keys:
            names = sorted(k.to_user_string() for k in asset_keys)
            raise DefinitionError(
                f"{what}: check spec {spec.name!r} names asset {spec.asset_key.to_user_string()!r}, "
                f"which it does not produce (it produces {names})")
        if spec.key in seen:
            raise DefinitionError(f"{what}: check {spec.name!r} on "
                                  f"{spec.asset_key.to_user_string()!r} is declared twice")
        seen.add(spec.key)
    return tuple(specs)


def spec_for_result(specs: Sequence[AssetCheckSpec], result: Any, default_asset: Optional[AssetKey],
                    what: str) -> AssetCheckSpec:
    """The spec an `AssetCheckResult` evaluates; its asset key and check name may be left out
    when only one spec could be meant."""
    candidates = [s for s in specs if result.asset_key is None or s.asset_key == result.asset_key]
    if result.asset_key is None and default_asset is not None and len(
            {s.asset_key for s in specs}) > 1:
        candidates = [s for s in candidates if s.asset_key == default_asset]
    if result.check_name is not None:
        found = [s for s in candidates if s.name == result.check_name]
    else:
        found = candidates if len(candidates) == 1 else []
    if len(found) == 1:
        return found[0]
    names = sorted(s.name for s in candidates or specs)
    if result.check_name is None:
        raise DefinitionError(f"{what} evaluates checks {names}: give AssetCheckResult(check_name=...)")
    target = (result.asset_key or default_asset)
    label = target.to_user_string() if target is not None else "?"
    hint = suggest(result.check_name, names)
    raise DefinitionError(
        f"{what} yielded an AssetCheckResult for check {result.check_name!r} on {label!r}, which "
        f"it does not declare (its checks: {names})" + (f"; {hint}" if hint else ""))


def multi_asset_check(
    *,
    specs: Sequence[AssetCheckSpec],
    name: Optional[str] = None,
    description: Optional[str] = None,
    required_resource_keys: Optional[set[str]] = None,
    resource_defs: Optional[Mapping[str, Any]] = None,
    config_schema: Any = None,
    retry_policy: Any = None,
    ins: Optional[Mapping[str, Any]] = None,
    can_subset: bool = False,
    compute_kind: Optional[str] = None,
    op_tags: Optional[Mapping[str, Any]] = None,
) -> Callable[[Callable[..., Any]], Any]:
    """Decorate a function that evaluates several checks (of one or more assets) in one step;
    it yields one `AssetCheckResult(asset_key=..., check_name=...)` per spec. Its op's tags are
    `op_tags` and `dagster/compute_kind` = `compute_kind`, as in Dagster."""

    def decorate(fn: Callable[..., Any]) -> Any:
        from .asset_checks import AssetChecksDefinition
        from .ops import op_tags_with_compute_kind
        from .signature import read_signature

        node_name = name or fn.__name__
        what = f"multi_asset_check {node_name!r}"
        if not specs:
            raise DefinitionError(f"{what} needs at least one AssetCheckSpec in specs=")
        checked = validate_asset_check_specs(specs, {s.asset_key for s in specs}, what)
        sig = read_signature(fn, what)
        extra = dict(ins or {})
        op_def = _check_op(fn, sig, node_name, what, extra, config_schema=config_schema,
                           required_resource_keys=required_resource_keys, retry_policy=retry_policy,
                           description=description, tags=op_tags_with_compute_kind(compute_kind, op_tags))
        first = checked[0]
        return AssetChecksDefinition(
            name=node_name, asset_key=first.asset_key, op=op_def, asset_param=None,
            input_keys={n: s.resolve_key(n) for n, s in extra.items()},
            blocking=any(s.blocking for s in checked), description=op_def.description,
            resource_defs=dict(resource_defs or {}),
            additional_deps=tuple(k for s in checked for k in s.additional_deps),
            specs=checked, multi=True,
        )

    return decorate


def _check_op(fn: Callable[..., Any], sig: Any, name: str, what: str, ins: dict[str, Any], *,
              config_schema: Any, required_resource_keys: Optional[set[str]], retry_policy: Any,
              description: Optional[str], tags: dict[str, str]) -> Any:
    """The op of a `@multi_asset_check`: each of `fn`'s inputs must be one of `ins`."""
    from ..config import normalize_config_schema
    from .ops import In, OpDefinition, Out, build_ins, resource_key_set

    undeclared = [p for p in sig.input_params if p not in ins]
    if undeclared:
        raise DefinitionError(f"{what}: parameters {undeclared} are not declared; "
                              "give them as ins={name: AssetIn(...)}")
    return OpDefinition(
        name=name, compute_fn=fn,
        ins=build_ins(sig, {n: In(metadata=s.metadata) for n, s in ins.items()}, what),
        outs={"result": Out()}, signature=sig,
        config_schema=normalize_config_schema(sig.config_class or config_schema),
        required_resource_keys=resource_key_set(required_resource_keys),
        retry_policy=retry_policy, tags=tags, description=description or inspect.getdoc(fn), kind="check",
    )


def spec_for_key(specs: Sequence[AssetCheckSpec], check_key: Any, owner: str) -> AssetCheckSpec:
    for spec in specs:
        if spec.key == check_key:
            return spec
    raise DefinitionError(f"{owner} has no check {check_key_text(check_key)!r} (its checks: "
                          f"{sorted(s.name for s in specs)})")
