"""Model stage: the validated document as typed, frozen dataclasses, defaults filled.

Each entry keeps the JSON pointer of its place in the file (`pointer`), so later stages
can say where a problem came from. The document has passed the JSON Schema already, so
the types hold; these are plain dataclasses rather than pydantic models because building
the pydantic classes alone cost ~0.1 s of every `specrun validate`. Unknown keys (only
`x-` extensions get past the schema) are ignored, as before. The entries of `partitions:`,
`checks:`, `ops:`, `jobs:` and `executor:` are in model_sections.py, imported only for a
spec that has one of those sections.
"""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import TYPE_CHECKING, Any, Optional, TypeVar

from ..runtime.definitions.values import value_class
from .parse import Document, escape

if TYPE_CHECKING:
    from .model_sections import CheckEntry, ExecutorEntry, JobEntry, OpEntry, PartitionsEntry

_M = TypeVar("_M")
_FIELDS: dict[type, frozenset[str]] = {}


def _make(cls: type[_M], values: dict[str, Any], **fixed: Any) -> _M:
    """`cls(**values, **fixed)`, leaving out keys that are not fields of `cls`."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = frozenset(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    # dicts and lists are copied (one level), as pydantic did: entries never share them with the document
    kwargs = {k: v.copy() if type(v) in (dict, list) else v for k, v in values.items() if k in names}
    kwargs.update(fixed)
    return cls(**kwargs)



@value_class(frozen=True, slots=True)
class RetryEntry:
    """`retry:` of an asset or op."""

    max_retries: int = 1
    delay: Optional[float] = None
    backoff: Optional[str] = None
    jitter: Optional[str] = None


@value_class(frozen=True, direct=True)
class InputEntry:
    """One `ins:` entry of an asset: the upstream asset and how its partitions map."""

    asset: str
    partition_mapping: Optional[str] = None
    start_offset: int = 0
    end_offset: int = 0
    input_manager: Optional[str] = None
    pointer: str = ""


@value_class(frozen=True, direct=True)
class AssetEntry:
    """An asset under `assets:`."""

    name: str
    pointer: str
    fn: str = ""  # empty for a graph-backed asset (`graph:`)
    description: Optional[str] = None
    ins: dict[str, InputEntry] = field(default_factory=dict)
    deps: list[str] = field(default_factory=list)
    partitions: Optional[str] = None
    resources: list[str] = field(default_factory=list)
    io_manager: Optional[str] = None
    config: Optional[dict[str, Any]] = None
    retry: Optional[RetryEntry] = None
    timeout: Optional[float] = None
    code_version: Optional[str] = None
    group: Optional[str] = None
    tags: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    key_prefix: list[str] = field(default_factory=list)
    compute_kind: Optional[str] = None
    kinds: list[str] = field(default_factory=list)  # tags dagster/kind/<kind>, as Dagster's kinds=
    scope: str = ""  # `orders/` for an asset of the `use:` instance `orders`: where bare names look first
    check_specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    outs: dict[str, Any] = field(default_factory=dict)  # a multi-asset: the assets it produces
    can_subset: bool = False
    graph: dict[str, Any] = field(default_factory=dict)  # a graph-backed asset: {node: {op, ins}}
    output: Optional[str] = None  # its node (or node.output) whose value is the asset
    external: bool = False  # defined elsewhere: read here, never computed (an AssetSpec)
    observe: Optional[str] = None  # an external asset's observation function (returns a DataVersion)


@value_class(frozen=True, slots=True)
class ResourceEntry:
    """A resource under `resources:`."""

    name: str
    pointer: str
    type: str
    config: Any = None
    description: Optional[str] = None


@value_class(frozen=True, slots=True)
class Spec:
    """A whole spec, typed."""

    name: str
    description: Optional[str] = None
    module: Optional[str] = None
    vars: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, ResourceEntry] = field(default_factory=dict)
    partitions: dict[str, PartitionsEntry] = field(default_factory=dict)
    assets: dict[str, AssetEntry] = field(default_factory=dict)
    checks: dict[str, CheckEntry] = field(default_factory=dict)
    ops: dict[str, OpEntry] = field(default_factory=dict)
    jobs: dict[str, JobEntry] = field(default_factory=dict)
    executor: Optional[ExecutorEntry] = None
    storage_url: Optional[str] = None
    run_config: dict[str, Any] = field(default_factory=dict)
    document: Any = None


def _entries(data: dict[str, Any], section: str) -> dict[str, tuple[str, dict[str, Any]]]:
    return {name: (f"/{section}/{escape(name)}", dict(value or {}))
            for name, value in (data.get(section) or {}).items() if not name.startswith("x-")}


def _retry(value: Any) -> Optional[RetryEntry]:
    if value is None:
        return None
    delay = value.get("delay")
    return _make(RetryEntry, value, delay=float(delay) if delay is not None else None)


def _asset(name: str, pointer: str, v: dict[str, Any]) -> AssetEntry:
    ins = {}
    for param, src in (v.get("ins") or {}).items():
        src = {"asset": src} if isinstance(src, str) else src
        ins[param] = _make(InputEntry, src, pointer=f"{pointer}/ins/{escape(param)}")
    prefix = v.get("key_prefix")
    own = [prefix] if isinstance(prefix, str) else list(prefix or [])
    *scope, local = name.split("/")  # `orders/raw`: the asset `raw` of the instance `orders`, key orders/raw
    return _make(AssetEntry, v, name=local, pointer=pointer, ins=ins, retry=_retry(v.get("retry")),
                 key_prefix=[*scope, *own], scope="".join(p + "/" for p in scope))


def build_spec(doc: Document) -> Spec:
    """The typed Spec of a validated document."""
    data = doc.data or {}
    return Spec(
        name=data.get("name") or doc.path.rsplit("/", 1)[-1].split(".")[0],
        description=data.get("description"), module=data.get("module"), vars=dict(data.get("vars") or {}),
        resources={n: _make(ResourceEntry, v, name=n, pointer=p) for n, (p, v) in _entries(data, "resources").items()},
        assets={n: _asset(n, p, v) for n, (p, v) in _entries(data, "assets").items()},
        **_sections(data),
        storage_url=(data.get("storage") or {}).get("url"),
        run_config=dict(data.get("run_config") or {}), document=doc,
    )


_SECTIONS = ("partitions", "checks", "ops", "jobs", "executor")


def _sections(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of the sections model_sections.py holds: none (Spec's defaults, empty) when
    the document has none of them, without importing that module."""
    if not any(data.get(name) for name in _SECTIONS):
        return {}
    from .model_sections import build_sections

    return build_sections(data)
