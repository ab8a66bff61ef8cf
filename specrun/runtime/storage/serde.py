"""Events to and from JSON-safe dicts: how events are stored and how `logs --format json`
prints them. The original exception object is not stored (its text and traceback are)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Optional

from ..definitions.keys import AssetKey
from ..definitions.metadata import MetadataValue
from ..definitions.results import AssetCheckEvaluation, AssetCheckSeverity, AssetMaterialization, AssetObservation
from ..events import (
    DagsterEventType, ErrorInfo, Event, LoadedInputData, RunFailureData, StepFailureData,
    StepOutputData, StepRetryData, StepSkippedData,
)

_PAYLOADS = {cls.__name__: cls for cls in (
    StepOutputData, LoadedInputData, StepFailureData, StepRetryData, StepSkippedData, RunFailureData,
    AssetMaterialization, AssetObservation, AssetCheckEvaluation)}


_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    if isinstance(value, _SCALARS):
        return value
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


def to_jsonable(value: Any) -> Any:
    """A JSON-safe form of a payload value (tagged so it can be read back)."""
    kind = type(value)
    if kind in _EXACT_SCALARS:
        return value
    encode = _ENCODERS.get(kind)
    if encode is None:  # decided once per class: every stored event goes through here
        encode = _ENCODERS[kind] = _encoder_for(kind)
    return encode(value)


_EXACT_SCALARS = frozenset((str, int, float, bool, type(None)))
_ENCODERS: dict[type, Any] = {}


def _encoder_for(kind: type) -> Any:
    """How `to_jsonable` encodes a value of class `kind` (the checks in this order)."""
    if issubclass(kind, _SCALARS):
        return _same
    if issubclass(kind, AssetKey):
        return lambda value: {"__asset_key__": list(value.path)}
    if issubclass(kind, MetadataValue):
        return lambda value: {"__metadata__": value.kind, "value": _plain(value.value)}
    if issubclass(kind, AssetCheckSeverity):
        return lambda value: value.value
    if issubclass(kind, ErrorInfo):
        return lambda value: {"__error__": True, "message": value.message, "cls_name": value.cls_name,
                              "stack": list(value.stack), "cause": to_jsonable(value.cause)}
    names = _dataclass_fields(kind)
    if names is not None:
        tag = kind.__name__

        def dataclass_fields(value: Any) -> dict:
            out = {"__type__": tag}
            for name in names:
                out[name] = to_jsonable(getattr(value, name))
            return out
        return dataclass_fields
    if issubclass(kind, dict):
        return lambda value: {str(k): to_jsonable(v) for k, v in value.items()}
    if issubclass(kind, (list, tuple)):
        return lambda value: [to_jsonable(v) for v in value]
    return _plain


def _same(value: Any) -> Any:
    return value


_FIELD_NAMES: dict[type, Optional[tuple[str, ...]]] = {}


def _dataclass_fields(cls: type) -> Optional[tuple[str, ...]]:
    """The field names of dataclass `cls` in order (None for any other class), worked out once
    per class: every stored event's payload is one."""
    try:
        return _FIELD_NAMES[cls]
    except KeyError:
        names = tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None
        _FIELD_NAMES[cls] = names
        return names


def from_jsonable(value: Any) -> Any:
    """The inverse of `to_jsonable`."""
    if isinstance(value, list):
        return [from_jsonable(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__asset_key__" in value:
        return AssetKey(value["__asset_key__"])
    if "__metadata__" in value:
        return MetadataValue(value["value"], value["__metadata__"])
    if value.get("__error__"):
        return ErrorInfo(value["message"], value["cls_name"], value.get("stack") or [],
                         from_jsonable(value.get("cause")))
    if "__type__" in value and value["__type__"] in _PAYLOADS:
        cls = _PAYLOADS[value["__type__"]]
        args = {k: from_jsonable(v) for k, v in value.items() if k != "__type__"}
        if "severity" in args and isinstance(args["severity"], str):
            args["severity"] = AssetCheckSeverity(args["severity"])
        if "upstream_step_keys" in args or "failed_step_keys" in args:
            for key in ("upstream_step_keys", "failed_step_keys"):
                if key in args:
                    args[key] = tuple(args[key])
        return cls(**args)
    return {k: from_jsonable(v) for k, v in value.items()}


def event_to_dict(event: Event) -> dict[str, Any]:
    return {"event_type": event.event_type.value, "run_id": event.run_id, "job_name": event.job_name,
            "step_key": event.step_key, "message": event.message, "level": event.level,
            "timestamp": event.timestamp, "pid": event.pid, "data": to_jsonable(event.data)}


def event_from_dict(d: dict[str, Any]) -> Event:
    return Event(DagsterEventType(d["event_type"]), d["run_id"], d["job_name"], d.get("step_key"),
                 d.get("message", ""), from_jsonable(d.get("data")), d.get("level", 20),
                 d.get("timestamp"), d.get("pid"))


# `json.dumps(..., separators=...)` makes a new encoder on every call; this one is made once
# and writes exactly the same text.
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode


def dumps(event: Event) -> str:
    return _ENCODE(event_to_dict(event))


def loads(text: str) -> Event:
    return event_from_dict(json.loads(text))


