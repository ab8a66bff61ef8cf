"""Model stage, the rest of a spec: the entries of `partitions:`, `checks:`, `ops:`, `jobs:`
and `executor:` (see model.py).

Apart from model.py so that a spec of assets and resources only never creates these classes:
a frozen dataclass's methods are compiled when its class is made (`dataclasses` writes each
as text and compiles it), and these six cost ~29 M instructions to import, over 1% of a
1,000-asset `specrun apply` that uses none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Union

from .model import RetryEntry, _entries, _make, _retry
from .parse import escape


@dataclass(frozen=True, slots=True)
class CheckEntry:
    """An asset check under `checks:`: of one `asset`, or (`specs:`) several checks in one step."""

    name: str
    pointer: str
    fn: str
    asset: Optional[str] = None
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    blocking: bool = False
    description: Optional[str] = None
    resources: list[str] = field(default_factory=list)
    config: Optional[dict[str, Any]] = None


@dataclass(frozen=True, slots=True)
class OpEntry:
    """An op under `ops:`."""

    name: str
    pointer: str
    fn: str
    ins: dict[str, dict[str, Any]] = field(default_factory=dict)
    outs: dict[str, dict[str, Any]] = field(default_factory=dict)
    config: Optional[dict[str, Any]] = None
    resources: list[str] = field(default_factory=list)
    retry: Optional[RetryEntry] = None
    timeout: Optional[float] = None
    tags: dict[str, Any] = field(default_factory=dict)
    description: Optional[str] = None


@dataclass(frozen=True, slots=True)
class JobNodeEntry:
    """One op node of a job under `jobs.<name>.ops:`."""

    name: str
    pointer: str
    op: str
    ins: dict[str, Union[str, list[str], dict[str, str]]] = field(default_factory=dict)  # dict: {map: ref} or {collect: ref}
    config: Optional[dict[str, Any]] = None


@dataclass(frozen=True, slots=True)
class ExecutorEntry:
    """`executor:` of the spec or of a job."""

    type: str
    config: dict[str, Any] = field(default_factory=dict)
    pointer: str = "/executor"


@dataclass(frozen=True, slots=True)
class JobEntry:
    """A job under `jobs:`: a selection of assets, or op nodes wired together."""

    name: str
    pointer: str
    selection: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    ops: dict[str, JobNodeEntry] = field(default_factory=dict)
    executor: Optional[ExecutorEntry] = None
    config: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, Any] = field(default_factory=dict)
    description: Optional[str] = None
    partitions: Optional[str] = None


@dataclass(frozen=True, slots=True)
class PartitionsEntry:
    """A partitions definition under `partitions:`."""

    name: str
    pointer: str
    type: str
    options: dict[str, Any] = field(default_factory=dict)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return value.split() if isinstance(value, str) else [str(v) for v in value]


def _op(name: str, pointer: str, v: dict[str, Any]) -> OpEntry:
    return _make(OpEntry, v, name=name, pointer=pointer, retry=_retry(v.get("retry")))


def _job(name: str, pointer: str, v: dict[str, Any]) -> JobEntry:
    nodes = {n: _make(JobNodeEntry, dict(d), name=n, pointer=f"{pointer}/ops/{escape(n)}")
             for n, d in (v.get("ops") or {}).items() if not n.startswith("x-")}
    executor = _make(ExecutorEntry, v["executor"], pointer=f"{pointer}/executor") if v.get("executor") else None
    return _make(JobEntry, v, name=name, pointer=pointer, ops=nodes, executor=executor,
                 selection=_as_list(v.get("selection")), exclude=_as_list(v.get("exclude")))


def build_sections(data: dict[str, Any]) -> dict[str, Any]:
    """The `Spec` fields of these sections of a validated document's data."""
    return {
        "partitions": {n: PartitionsEntry(name=n, pointer=p, type=v.get("type", ""),
                                          options={k: x for k, x in v.items() if k != "type"})
                       for n, (p, v) in _entries(data, "partitions").items()},
        "checks": {n: _make(CheckEntry, v, name=n.rsplit("/", 1)[-1], pointer=p)
                   for n, (p, v) in _entries(data, "checks").items()},
        "ops": {n: _op(n, p, v) for n, (p, v) in _entries(data, "ops").items()},
        "jobs": {n: _job(n, p, v) for n, (p, v) in _entries(data, "jobs").items()},
        "executor": _make(ExecutorEntry, data["executor"]) if data.get("executor") else None,
    }
