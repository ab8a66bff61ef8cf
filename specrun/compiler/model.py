"""Model stage: the validated document as typed, frozen pydantic models, defaults filled.

Each entry keeps the JSON pointer of its place in the file (`pointer`), so later stages
can say where a problem came from.
"""

from __future__ import annotations

from typing import Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from .load import Document, escape


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", arbitrary_types_allowed=True)


class RetryEntry(_Model):
    max_retries: int = 1
    delay: Optional[float] = None
    backoff: Optional[str] = None
    jitter: Optional[str] = None


class InputEntry(_Model):
    asset: str
    partition_mapping: Optional[str] = None
    start_offset: int = 0
    end_offset: int = 0
    input_manager: Optional[str] = None
    pointer: str = ""


class AssetEntry(_Model):
    name: str
    pointer: str
    fn: str
    description: Optional[str] = None
    ins: dict[str, InputEntry] = Field(default_factory=dict)
    deps: list[str] = Field(default_factory=list)
    partitions: Optional[str] = None
    resources: list[str] = Field(default_factory=list)
    io_manager: Optional[str] = None
    config: Optional[dict[str, Any]] = None
    retry: Optional[RetryEntry] = None
    code_version: Optional[str] = None
    group: Optional[str] = None
    tags: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
    key_prefix: list[str] = Field(default_factory=list)
    compute_kind: Optional[str] = None


class CheckEntry(_Model):
    name: str
    pointer: str
    asset: str
    fn: str
    blocking: bool = False
    description: Optional[str] = None
    resources: list[str] = Field(default_factory=list)
    config: Optional[dict[str, Any]] = None


class OpEntry(_Model):
    name: str
    pointer: str
    fn: str
    ins: dict[str, dict[str, Any]] = {}
    outs: dict[str, dict[str, Any]] = {}
    config: Optional[dict[str, Any]] = None
    resources: list[str] = Field(default_factory=list)
    retry: Optional[RetryEntry] = None
    tags: dict[str, Any] = Field(default_factory=dict)
    description: Optional[str] = None


class JobNodeEntry(_Model):
    name: str
    pointer: str
    op: str
    ins: dict[str, Union[str, list[str]]] = {}
    config: Optional[dict[str, Any]] = None


class ExecutorEntry(_Model):
    type: str
    config: dict[str, Any] = Field(default_factory=dict)
    pointer: str = "/executor"


class JobEntry(_Model):
    name: str
    pointer: str
    selection: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    ops: dict[str, JobNodeEntry] = Field(default_factory=dict)
    executor: Optional[ExecutorEntry] = None
    config: dict[str, Any] = Field(default_factory=dict)
    tags: dict[str, Any] = Field(default_factory=dict)
    description: Optional[str] = None
    partitions: Optional[str] = None


class ResourceEntry(_Model):
    name: str
    pointer: str
    type: str
    config: Any = None
    description: Optional[str] = None


class PartitionsEntry(_Model):
    name: str
    pointer: str
    type: str
    options: dict[str, Any] = Field(default_factory=dict)


class Spec(_Model):
    """A whole spec, typed."""

    name: str
    description: Optional[str] = None
    module: Optional[str] = None
    vars: dict[str, Any] = Field(default_factory=dict)
    resources: dict[str, ResourceEntry] = Field(default_factory=dict)
    partitions: dict[str, PartitionsEntry] = Field(default_factory=dict)
    assets: dict[str, AssetEntry] = Field(default_factory=dict)
    checks: dict[str, CheckEntry] = Field(default_factory=dict)
    ops: dict[str, OpEntry] = Field(default_factory=dict)
    jobs: dict[str, JobEntry] = Field(default_factory=dict)
    executor: Optional[ExecutorEntry] = None
    storage_url: Optional[str] = None
    run_config: dict[str, Any] = Field(default_factory=dict)
    document: Any = None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return value.split() if isinstance(value, str) else [str(v) for v in value]


def _entries(data: dict[str, Any], section: str) -> dict[str, tuple[str, dict[str, Any]]]:
    return {name: (f"/{section}/{escape(name)}", dict(value or {}))
            for name, value in (data.get(section) or {}).items() if not name.startswith("x-")}


def _clean(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if not str(k).startswith("x-")}


def _asset(name: str, pointer: str, v: dict[str, Any]) -> AssetEntry:
    ins = {}
    for param, src in (v.get("ins") or {}).items():
        src = {"asset": src} if isinstance(src, str) else _clean(src)
        ins[param] = InputEntry(**src, pointer=f"{pointer}/ins/{escape(param)}")
    prefix = v.get("key_prefix")
    return AssetEntry(**{**_clean(v), "name": name, "pointer": pointer, "ins": ins,
                         "key_prefix": [prefix] if isinstance(prefix, str) else list(prefix or [])})


def _job(name: str, pointer: str, v: dict[str, Any]) -> JobEntry:
    nodes = {n: JobNodeEntry(**_clean(dict(d)), name=n, pointer=f"{pointer}/ops/{escape(n)}")
             for n, d in (v.get("ops") or {}).items() if not n.startswith("x-")}
    executor = ExecutorEntry(**v["executor"], pointer=f"{pointer}/executor") if v.get("executor") else None
    return JobEntry(**{**_clean(v), "name": name, "pointer": pointer, "ops": nodes, "executor": executor,
                       "selection": _as_list(v.get("selection")), "exclude": _as_list(v.get("exclude"))})


def build_spec(doc: Document) -> Spec:
    """The typed Spec of a validated document."""
    data = doc.data or {}
    partitions = {n: PartitionsEntry(name=n, pointer=p, type=v.get("type", ""),
                                     options={k: x for k, x in v.items() if k != "type"})
                  for n, (p, v) in _entries(data, "partitions").items()}
    return Spec(
        name=data.get("name") or doc.path.rsplit("/", 1)[-1].split(".")[0],
        description=data.get("description"), module=data.get("module"), vars=data.get("vars") or {},
        resources={n: ResourceEntry(**_clean(v), name=n, pointer=p) for n, (p, v) in _entries(data, "resources").items()},
        partitions=partitions,
        assets={n: _asset(n, p, v) for n, (p, v) in _entries(data, "assets").items()},
        checks={n: CheckEntry(**_clean(v), name=n, pointer=p) for n, (p, v) in _entries(data, "checks").items()},
        ops={n: OpEntry(**_clean(v), name=n, pointer=p) for n, (p, v) in _entries(data, "ops").items()},
        jobs={n: _job(n, p, v) for n, (p, v) in _entries(data, "jobs").items()},
        executor=ExecutorEntry(**_clean(data["executor"])) if data.get("executor") else None,
        storage_url=(data.get("storage") or {}).get("url"),
        run_config=data.get("run_config") or {}, document=doc,
    )
