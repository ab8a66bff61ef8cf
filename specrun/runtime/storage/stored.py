"""What a materialization record says about the stored value, and the plan's cheap check of it.

An IO manager that keeps values where specrun can look (the fs IO manager: files) logs one
metadata entry, ``specrun/stored``, describing the stored bytes: for a file its path, size,
SHA-256 and modification time. The entry travels inside the ASSET_MATERIALIZATION record, so
record and description are written in one transaction. `plan` compares the description with
the file without constructing any resource: a missing file, another size, or (when the
modification time moved) another checksum means the stored output does not match its record,
and the step runs again. A record without the entry (another IO manager) is trusted.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any, Mapping, Optional

STORED_METADATA_KEY = "specrun/stored"


def file_facts(path: str, data: bytes, stat: Optional[os.stat_result] = None,
               absolute: bool = False) -> dict[str, Any]:
    """The ``specrun/stored`` description of `data`, just written to `path` (`stat`: the
    file's status taken when it was written, else read now; `absolute`: `path` is already
    what `os.path.abspath` would give for it, an absolute path without `.`, `..` or doubled
    separators, as `layout.inside` makes them)."""
    stat = stat or os.stat(path)
    return {"kind": "file", "path": path if absolute else os.path.abspath(path), "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "mtime_ns": stat.st_mtime_ns}


def stored_facts(metadata: Optional[Mapping[str, Any]]) -> Optional[dict[str, Any]]:
    """The ``specrun/stored`` entry of a record's metadata (raw or `MetadataValue`), or None."""
    if not metadata:
        return None
    entry = metadata.get(STORED_METADATA_KEY)
    value = getattr(entry, "value", entry)
    if type(value) is dict:  # (the usual case, without `isinstance`'s slower ABC check)
        return dict(value)
    return dict(value) if isinstance(value, Mapping) else None


def stored_mismatch(facts: Optional[Mapping[str, Any]]) -> Optional[str]:
    """Why the stored value no longer matches its record (a few words), or None when it does
    or the record does not describe it.

    Cheap: one ``stat``; the file is read (and hashed) only when its modification time moved.
    """
    if facts and facts.get("kind") == "object" and facts.get("url"):
        from ..upath_io.versions import object_mismatch  # an object store: one HEAD request

        return object_mismatch(facts)
    if not facts or facts.get("kind") != "file" or not facts.get("path"):
        return None
    try:
        stat = os.stat(facts["path"])
    except FileNotFoundError:
        return "stored output is missing"
    except OSError as e:
        return f"stored output cannot be read ({e.strerror})"
    if facts.get("size") is not None and stat.st_size != facts["size"]:
        return f"stored output does not match its record (size {stat.st_size}, recorded {facts['size']})"
    if stat.st_mtime_ns == facts.get("mtime_ns") or not facts.get("sha256"):
        return None
    digest = hashlib.sha256()
    try:
        with open(facts["path"], "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as e:
        return f"stored output cannot be read ({e.strerror})"
    if digest.hexdigest() != facts["sha256"]:
        return "stored output does not match its record (checksum)"
    return None
