"""Versioned values in an object store: what the record says of a stored object, `plan`'s check
of it, and the collection of versions no record names.

The object-store IO managers follow the fs IO manager's contract (`io_managers`,
`storage/layout.py`): an asset value is stored under its data version,
``<asset>/[<partition>/]v-<token>``, never over the value an earlier record names, and the
ASSET_MATERIALIZATION record carries ``specrun/stored`` = ``{"kind": "object", "url", "size",
"etag", "storage_options"}``. `storage_options` holds only what is not secret: values given as
environment references stay references (``{"env": NAME}``), so `plan` can open the store with
no resource built and no secret recorded.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Mapping, Optional

from ...errors import SpecrunError
from ..storage import layout

if TYPE_CHECKING:
    from upath import UPath

OBJECT_KIND = "object"


def recordable_options(options: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    """`options` as config gave them, with `EnvVar`s as ``{"env": NAME}``: safe to record
    (`stores.storage_options_from_config` refuses literal secrets)."""
    from ..env_var import EnvVar

    def recordable(value: Any) -> Any:
        if isinstance(value, EnvVar):
            return {"env": str(value)}
        return recordable_options(value) if isinstance(value, Mapping) else value

    return {key: recordable(value) for key, value in (options or {}).items()}


def object_facts(path: "UPath", info: Optional[Mapping[str, Any]], options: Mapping[str, Any]
                 ) -> dict[str, Any]:
    """The ``specrun/stored`` description of the object just written at `path`, from what the
    store answered to the write (`info`: size and ETag) or else from one HEAD."""
    if not info or info.get("size") is None or not _etag(info):
        info = path.fs.info(path.path)
    return {"kind": OBJECT_KIND, "url": str(path), "size": info.get("size"),
            "etag": _etag(info), "storage_options": dict(options)}


def object_mismatch(facts: Mapping[str, Any]) -> Optional[str]:
    """Why the object no longer matches its record (a few words), or None: one HEAD."""
    from .stores import open_store, storage_options_from_config

    try:
        path = open_store(facts["url"], storage_options_from_config(facts.get("storage_options")))
        info = path.fs.info(path.path)
    except FileNotFoundError:
        return "stored output is missing"
    except (OSError, ValueError, SpecrunError) as e:  # shown as the reason, never a crash of `plan`
        return f"stored output cannot be checked ({type(e).__name__}: {e})"
    if facts.get("size") is not None and info.get("size") != facts["size"]:
        return f"stored output does not match its record (size {info.get('size')}, recorded {facts['size']})"
    if facts.get("etag") and _etag(info) and _etag(info) != facts["etag"]:
        return "stored output does not match its record (ETag)"
    return None


def collect_objects(facts: Mapping[str, Any]) -> list[str]:
    """Remove the versions beside the recorded object that no record names, and temporary keys
    older than `layout.ABANDONED_AFTER` (a killed writer's); returns their URLs.

    Best effort: a store that refuses (no list or delete permission) keeps them."""
    from .stores import open_store, storage_options_from_config

    try:
        path = open_store(facts["url"], storage_options_from_config(facts.get("storage_options")))
        stale = [entry["name"] for entry in path.fs.ls(path.parent.path, detail=True)
                 if entry.get("type") == "file" and entry["name"] != path.path and _superseded(entry)]
        if stale:
            path.fs.rm(stale)
        return [f"{path.protocol}://{key}" for key in stale]
    except (OSError, ValueError, SpecrunError):
        return []


def _superseded(entry: Mapping[str, Any]) -> bool:
    name = entry["name"].rsplit("/", 1)[-1]
    if name.startswith(layout.VERSION_PREFIX):
        return True
    if not name.startswith(layout.TEMP_PREFIX):
        return False
    modified = entry.get("LastModified") or entry.get("last_modified") or entry.get("updated")
    stamp = getattr(modified, "timestamp", None)
    return stamp is not None and time.time() - stamp() > layout.ABANDONED_AFTER


def _etag(info: Mapping[str, Any]) -> Optional[str]:
    tag = info.get("ETag") or info.get("etag")
    return str(tag).strip('"') if tag else None
