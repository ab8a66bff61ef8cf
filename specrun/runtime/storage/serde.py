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
from .time_text import time_text

_PAYLOADS = {cls.__name__: cls for cls in (
    StepOutputData, LoadedInputData, StepFailureData, StepRetryData, StepSkippedData, RunFailureData,
    AssetMaterialization, AssetObservation, AssetCheckEvaluation)}


_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """`value` when JSON can hold it as it is, else its repr."""
    if isinstance(value, _SCALARS) or _holds_json(value, 0):
        return value
    try:  # anything `_holds_json` cannot vouch for: let the encoder say
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


_JSON_KEYS = frozenset((str, int, float, bool, type(None)))


def _holds_json(value: Any, depth: int) -> bool:
    """Whether `value` is plain JSON data (exact dicts, lists and tuples of scalars, at most 32
    deep), checked without encoding it. False means "not sure", never "not encodable"."""
    kind = type(value)
    if kind in _JSON_KEYS:
        return True
    if depth > 32:  # deep, or a cycle: the encoder decides
        return False
    if kind is dict:  # (loops, not all() over a generator: this runs for every metadata value)
        for k, v in value.items():  # (a scalar, most values, without the call)
            if type(k) not in _JSON_KEYS or (type(v) not in _JSON_KEYS and not _holds_json(v, depth + 1)):
                return False
        return True
    if kind is list or kind is tuple:
        for v in value:
            if type(v) not in _JSON_KEYS and not _holds_json(v, depth + 1):
                return False
        return True
    return False


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
        return lambda value: {"__asset_key__": list(value.parts)}
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
        if "__type__" not in names:  # (such a field would take the tag's place in the dict)
            _PARTS[kind] = (f'{{"__type__":{_STRING(tag)}', tuple((name, f",{_STRING(name)}:") for name in names))

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
# Per dataclass payload class (see `_payload_text`): the text up to its first field, and each
# field's name with the text before its value (``,"name":``).
_PARTS: dict[type, tuple[str, tuple[tuple[str, str], ...]]] = {}


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


# `json.dumps(..., separators=...)` makes a new encoder on every call, and `JSONEncoder.encode`
# a new C encoder; this one is made once and writes exactly the same text. No circular check:
# everything it is given is a tree `to_jsonable` just built, or a value `_plain` vouched for.
_make_encoder = getattr(json.encoder, "c_make_encoder", None)
if _make_encoder is not None:
    _C_ENCODE = _make_encoder(None, json.JSONEncoder().default, json.encoder.encode_basestring_ascii, None, ":", ",",
                              False, False, True)

    def _encode(value: Any) -> str:
        return "".join(_C_ENCODE(value, 0))
else:  # no C accelerator: the pure-Python encoder
    _encode = json.JSONEncoder(separators=(",", ":")).encode  # type: ignore[assignment]
_STRING = json.encoder.encode_basestring_ascii
_HEADS: dict[tuple, tuple[str, str, str]] = {}


def dumps(event: Event, payloads: Optional[dict[int, tuple[Any, str]]] = None) -> str:
    """The stored JSON text of `event`: `event_to_dict`'s document, compact. The fields every
    event has are written directly (the same text the encoder writes for them); any value of an
    unusual type goes through the encoder.

    `payloads` (optional, for one batch written at once) keeps the text of each payload
    written: events sharing one payload object (a step's STEP_OUTPUT and HANDLED_OUTPUT) encode
    it once. It holds the payloads themselves, so no id is reused while it lives."""
    data = event.data
    head = _head(event, "null}" if data is None else "")  # (an event without data: its whole text)
    if head is None:
        return _encode(event_to_dict(event))
    if data is None:
        return head
    if payloads is None:
        return head + _encode(to_jsonable(data)) + "}"
    known = payloads.get(id(data))
    if known is None or known[0] is not data:
        known = payloads[id(data)] = (data, _payload_text(data, payloads))
    return head + known[1] + "}"


def _payload_text(data: Any, known: dict[int, tuple[Any, str]]) -> str:
    """`_encode(to_jsonable(data))`, put together from the texts of its fields when `data` is
    a dataclass payload (the encoder writes a dict as ``{`` + ``"key":value`` joined by ``,`` +
    ``}``, and each value's text does not depend on where it is). The metadata values and
    asset keys in it are encoded once per batch (`known`, as `dumps`'s `payloads`): a step's
    output payload and its materialization hold the same ones."""
    kind = type(data)
    if kind not in _ENCODERS:
        _ENCODERS[kind] = _encoder_for(kind)
    parts = _PARTS.get(kind)
    if parts is None:
        return _encode(to_jsonable(data))
    start, fields = parts
    texts = [start]
    for name, prefix in fields:
        value = getattr(data, name)
        if value is None:  # (most fields of a step's payloads: written without a call)
            texts.append(prefix + "null")
        elif type(value) is str:
            texts.append(prefix + _STRING(value))
        else:
            texts.append(prefix + _field_text(value, known))
    texts.append("}")
    return "".join(texts)


def _field_text(value: Any, known: dict[int, tuple[Any, str]]) -> str:
    """`_encode(to_jsonable(value))`, with the metadata values and asset keys in it (as a
    field, or as the values of a dict with string keys) taken from `known` when encoded before."""
    if type(value) is not dict:
        return _shared_text(value, known)
    texts = []
    keys = _KEY_TEXTS  # (a metadata dict's or the tags' few names come back every step)
    for k, v in value.items():
        if type(k) is not str:  # `to_jsonable` makes it a string (two keys may become one)
            return _encode(to_jsonable(value))
        key = keys.get(k)
        if key is None:
            key = _kept(keys, k, f"{_STRING(k)}:")
        texts.append(key + (_STRING(v) if type(v) is str else _shared_text(v, known)))
    return "{" + ",".join(texts) + "}"


_KEY_TEXTS: dict[str, str] = {}


def _shared_text(value: Any, known: dict[int, tuple[Any, str]]) -> str:
    """`_encode(to_jsonable(value))`; a metadata value's or an asset key's kept in `known`."""
    kind = type(value)
    if kind is not MetadataValue and kind is not AssetKey:  # (the kinds kept: met first)
        return _STRING(value) if kind is str else "null" if value is None else _encode(to_jsonable(value))
    seen = known.get(id(value))
    if seen is None or seen[0] is not value:
        flat = None
        if kind is MetadataValue and type(value.value) is dict and type(value.kind) is str:
            flat = _flat_text(value.value, known)  # (such as the stored file's facts the fs IO manager logs)
        if kind is MetadataValue and type(value.value) is str and type(value.kind) is str:
            # (a text value, such as the path the fs IO manager logs: what the encoder writes)
            text = f'{{"__metadata__":{_STRING(value.kind)},"value":{_STRING(value.value)}}}'
        elif flat is not None:
            text = f'{{"__metadata__":{_STRING(value.kind)},"value":{flat}}}'
        elif kind is AssetKey and all(type(part) is str for part in value.parts):
            text = f'{{"__asset_key__":[{",".join([_STRING(part) for part in value.parts])}]}}'
        else:
            text = _encode(to_jsonable(value))
        seen = known[id(value)] = (value, text)
    return seen[1]


def _flat_text(value: dict, known: dict[int, tuple[Any, Any]]) -> Optional[str]:
    """The encoder's text of `value` when it is a dict of text keys to texts, exact ints and
    Nones (the values `_plain` keeps as they are, and the encoder writes as `_STRING`,
    ``int.__repr__`` and ``null``); None for any other dict. The texts of its values, and
    the forms of its keys (`_flat_forms`), are kept in `known` (`dumps`'s `payloads`) for
    `flat_json`."""
    texts = []
    for k, v in value.items():
        kind = type(v)
        if type(k) is not str:
            return None
        if kind is str:
            texts.append(_STRING(v))
        elif kind is int:  # (not a bool: the encoder writes true and false)
            texts.append(int.__repr__(v))
        elif v is None:
            texts.append("null")
        else:
            return None
    names = tuple(value)
    forms = _FLAT_FORMS.get(names) or _flat_forms(names)
    values = tuple(texts)
    known[id(value)] = (value, (values, forms))
    return forms[0] % values


def _flat_forms(names: tuple[str, ...]) -> tuple[str, str]:
    """The texts of a dict with the keys `names` (exact strings) whose values are the ``%s``
    fields, compact (`_encode`'s separators) and spaced (`json.dumps`'s), kept: a step's
    stored facts have the same keys every step."""
    keys = [_STRING(name).replace("%", "%%") for name in names]
    forms = ("{" + ",".join([f"{key}:%s" for key in keys]) + "}", "{" + ", ".join([f"{key}: %s" for key in keys]) + "}")
    if len(_FLAT_FORMS) >= 1024:
        _FLAT_FORMS.clear()
    _FLAT_FORMS[names] = forms
    return forms


_FLAT_FORMS: dict[tuple[str, ...], tuple[str, str]] = {}


def flat_json(value: Any, known: dict[int, tuple[Any, Any]]) -> Optional[str]:
    """`json.dumps(value)` (separators ``", "`` and ``": "``) of a dict whose compact text
    `dumps` wrote in this batch (`known`: its `payloads`) from the texts of its values (the
    encoder writes a value the same whatever the separators); None for any other value. The
    ``specrun/stored`` column holds the stored file's facts an event's body holds too."""
    seen = known.get(id(value))
    if seen is None or seen[0] is not value:
        return None
    values, forms = seen[1]
    return forms[1] % values


def _head(event: Event, tail: str) -> Optional[str]:
    """`dumps`'s text up to and including ``"data":``, then `tail`; None when a field's type is not
    the usual one."""
    step_key, message, timestamp = event.step_key, event.message, event.timestamp
    if (type(message) is not str or type(timestamp) is not float or not -_INF < timestamp < _INF
            or (step_key is not None and type(step_key) is not str)):
        return None
    kind, run_id, job_name, level, pid = event.event_type, event.run_id, event.job_name, event.level, event.pid
    # The texts around the step key, the message and the time are kept: a run's events share
    # its id, job name, level and pid (the same objects: the last ones of each kind are known
    # by identity, which also vouches for their types), a step's its key
    last = _LAST_HEADS.get(kind)
    if last is not None and last[0] is run_id and last[1] is job_name and last[2] is level and last[3] is pid:
        start, level_text, pid_text = last[4]
    else:
        found = _kept_head(kind, run_id, job_name, level, pid)
        if found is None:
            return None
        start, level_text, pid_text = found
    step = _STEP_TEXTS.get(step_key)
    if step is None:
        step = _kept(_STEP_TEXTS, step_key, f'{"null" if step_key is None else _STRING(step_key)},"message":')
    return f'{start}{step}{_STRING(message)}{level_text}{time_text(timestamp)}{pid_text}{tail}'


def _kept_head(kind: Any, run_id: Any, job_name: Any, level: Any, pid: Any) -> Optional[tuple[str, str, str]]:
    """The texts of `_head` that depend on the event's type, run, job, level and pid (None
    when one of those is not of the usual type), kept by their values (the types were
    checked first: True is not the int 1 here, so an equal key of another type is never
    found) and as the last ones of `kind`."""
    if ((pid is not None and type(pid) is not int) or type(level) is not int or type(run_id) is not str
            or type(job_name) is not str):
        return None
    key = (kind, run_id, job_name, level, pid)
    found = _HEADS.get(key)
    if found is None:
        value = kind.value
        if type(value) is not str:
            return None
        start = f'{{"event_type":{_STRING(value)},"run_id":{_STRING(run_id)},"job_name":{_STRING(job_name)},"step_key":'
        found = (start, f',"level":{int.__repr__(level)},"timestamp":',
                 f',"pid":{"null" if pid is None else int.__repr__(pid)},"data":')
        if len(_HEADS) >= 256:  # a few runs' worth; a long-lived process records many runs
            _HEADS.clear()
        _HEADS[key] = found
    _LAST_HEADS[kind] = (run_id, job_name, level, pid, found)
    return found


_LAST_HEADS: dict[Any, tuple] = {}
_STEP_TEXTS: dict[Optional[str], str] = {}


def _kept(texts: dict, key: Any, text: str) -> str:
    """`text`, kept in `texts` under `key` (at most 1,024 kept: a run's steps, a few at a time)."""
    if len(texts) >= 1024:
        texts.clear()
    texts[key] = text
    return text


_INF = float("inf")


def loads(text: str) -> Event:
    return event_from_dict(json.loads(text))


