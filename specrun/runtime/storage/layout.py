"""Where the fs IO manager keeps values on disk, and how superseded files are collected.

Layout under ``base_dir`` (each part of an asset key and each partition key is made a safe
file name by `safe_name`, so no key can reach outside ``base_dir``)::

    <asset>/<part>/v-<token>               an unpartitioned asset value
    <asset>/<part>/<partition>/v-<token>   one partition of an asset
    <run_id>/<step>/<output>               an op output (already unique to its run)
    .tmp-<host>.<pid>.*                    a value being written (renamed into place when done)

``<token>`` is derived from the value's data version, which the materialization record
names: the record, not the newest file, says which version is current. A file written by a
step that was killed before its record was committed (or by a worker of a dead run) is named
by no record: readers never see it and `collect` removes it once a newer record is written.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import socket
import time
from typing import Callable, Optional
from urllib.parse import quote

from ...errors import PartitionError
from ..faults import kill_point

VERSION_PREFIX = "v-"
TEMP_PREFIX = ".tmp-"
ABANDONED_AFTER = 24 * 3600  # seconds: a temp file of another host this old is abandoned


def safe_name(part: str) -> str:
    """`part` (a key part or partition key) as one file name: every character but letters,
    digits and ``-_~`` is %-escaped, and so is a leading dot (no ``..``, no hidden files)."""
    name = _SAFE_NAMES.get(part) if type(part) is str else None
    if name is not None:
        return name
    if not isinstance(part, str) or part == "":
        raise PartitionError(f"a key used as a file name must be a non-empty string, got {part!r}")
    name = quote(part, safe="-_.~")
    name = "%2E" + name[1:] if name.startswith(".") else name
    if len(_SAFE_NAMES) >= 100_000:
        _SAFE_NAMES.clear()
    _SAFE_NAMES[part] = name
    return name


# Names and folders worked out before: each asset's name is asked for at its write and at
# every read of it.
_SAFE_NAMES: dict[str, str] = {}
_ABSOLUTE: dict[str, str] = {}


def inside(base_dir: str, parts: list[str]) -> str:
    """The path of `parts` under `base_dir`, each part a safe name; never outside it (kept
    for an absolute `base_dir`: a value's path is asked for at its write and at each read)."""
    try:
        key: Optional[tuple] = (base_dir, *parts)
        path = _INSIDE.get(key)
    except TypeError:  # an unhashable part: `safe_name` says what is wrong with it
        key = path = None
    if path is not None and _plain_strings(parts):
        return path
    path = _inside(base_dir, parts)
    if key is not None and type(base_dir) is str and base_dir in _ABSOLUTE and _plain_strings(parts):
        # (an absolute base: the same path whatever the working directory)
        if len(_INSIDE) >= 100_000:
            _INSIDE.clear()
        _INSIDE[key] = path
    return path


def _plain_strings(parts: list[str]) -> bool:
    for part in parts:
        if type(part) is not str:
            return False
    return True


_INSIDE: dict[tuple, str] = {}


def _inside(base_dir: str, parts: list[str]) -> str:
    base = _ABSOLUTE.get(base_dir)
    if base is None:
        base = os.path.abspath(base_dir)
        if os.path.isabs(base_dir) and len(_ABSOLUTE) < 1000:  # (a relative one depends on the cwd)
            _ABSOLUTE[base_dir] = base
    path = os.path.join(base, *[safe_name(p) for p in parts])
    # Cannot happen with safe names (no separator, no leading dot); kept as a guard, as a
    # prefix test: `base` is absolute and normalized, and joining safe names keeps it so.
    if path != base and not path.startswith(base.rstrip(os.sep) + os.sep):
        raise PartitionError(f"the path {path} of {'/'.join(parts)} is outside {base}")
    return path


def version_file(data_version: str) -> str:
    """The file name of the value stored under `data_version` (kept: a value's name is asked
    for when it is written and again when each reader loads it)."""
    if type(data_version) is not str:
        return _version_file(data_version)
    name = _VERSION_FILES.get(data_version)
    if name is None:
        name = _version_file(data_version)
        if len(_VERSION_FILES) >= 100_000:
            _VERSION_FILES.clear()
        _VERSION_FILES[data_version] = name
    return name


def _version_file(data_version: str) -> str:
    return VERSION_PREFIX + hashlib.sha256(data_version.encode()).hexdigest()[:24]


_VERSION_FILES: dict[str, str] = {}


def has_versions(folder: str) -> bool:
    """Whether `folder` holds at least one stored version."""
    try:
        return any(n.startswith(VERSION_PREFIX) for n in os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return False


def newest_version(folder: str) -> Optional[str]:
    """The most recently written version in `folder` (for a reader that knows no record)."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(VERSION_PREFIX)]
    except (FileNotFoundError, NotADirectoryError):
        return None
    return max(entries, key=lambda e: e.stat().st_mtime_ns).path if entries else None


def temp_prefix() -> str:
    """The prefix of a temp file written by this process: it names the host and the pid."""
    pid = os.getpid()
    if _PREFIX[0] != pid:
        _PREFIX[:] = [pid, f"{TEMP_PREFIX}{_host()}.{pid}."]
    return _PREFIX[1]


_PREFIX: list = [0, ""]
_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_COUNTER = itertools.count()


def write_atomically(path: str, data: bytes) -> os.stat_result:
    """Write `data` to a temp file beside `path`, then rename it into place; returns the
    file's status as written (its modification time is kept by the rename).

    The temp file's name says which host and process writes it, so that one left by a killed
    process is recognised and removed (see `collect`). Its folder is made when missing (and
    remembered as new, so that `collect` need not list it): first, when its parent is a folder
    this process made (a fresh store's asset folders: no open fails before each mkdir), else
    when the open says it is missing."""
    folder = os.path.dirname(path) or "."
    made = folder not in _FRESH and os.path.dirname(folder) in _FRESH and _make_folder(folder)
    while True:
        tmp = os.path.join(folder, f"{temp_prefix()}{next(_COUNTER)}-{os.path.basename(path)}")
        try:
            fd = os.open(tmp, _TEMP_FLAGS, 0o600)
        except FileNotFoundError:
            if made:
                raise
            _make_folder(folder)
            made = True
            continue
        except FileExistsError:  # left by an earlier process with this pid: another name
            continue
        break
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            written = os.fstat(fd)
        finally:
            os.close(fd)
        kill_point("before-replace")
        os.replace(tmp, path)
        kill_point("after-replace")
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return written


def _make_folder(folder: str) -> bool:
    """Make `folder` (and its parents when missing); remember it when this call made it.
    Returns whether the folder is there now (False: made meanwhile by another writer, or a
    file is in its place)."""
    try:
        os.mkdir(folder)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        _remember(_FRESH, os.path.dirname(folder))  # (was missing: made just now)
    except FileExistsError:  # made meanwhile by another writer
        return False
    _remember(_MADE, folder)
    _remember(_FRESH, folder)
    return True


def _remember(folders: set[str], folder: str) -> None:
    if len(folders) >= 100_000:  # forgetting only costs a listing, or an open that fails
        folders.clear()
    folders.add(folder)


# Folders this process made for the value it wrote first in them: `collect` has nothing to
# remove there (no older version; a temp file is a live writer's). A fresh 1,000-asset apply
# lists no folder after its records.
_MADE: set[str] = set()
# Folders this process made (kept after `collect`): a folder inside one is most likely
# missing, so `write_atomically` makes it before its first open there. Only a guess: a
# folder made meanwhile by someone else is found by mkdir, and the write goes on.
_FRESH: set[str] = set()


def collect(recorded_path: str, may_remove_versions: Callable[[], bool] = lambda: True) -> list[str]:
    """Remove the versions beside `recorded_path` that no record names any more, and temp
    files whose writer is gone; returns the removed paths.

    Called once the record naming `recorded_path` is committed. A temp file is the writer's
    as long as its process lives (on this host); another host's is removed after a day.
    `may_remove_versions` is asked (only when there is an old version) whether a reader may
    still want the old versions; they are kept when it says no. A folder this process made
    for this value is not listed: nothing in it is older than the value.
    """
    folder, keep = os.path.split(recorded_path)
    if folder in _MADE:
        _MADE.discard(folder)
        return []
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    removed = []
    for name in names:
        if name == keep:
            continue
        if name.startswith(VERSION_PREFIX) and not may_remove_versions():
            continue
        if name.startswith(VERSION_PREFIX) or (name.startswith(TEMP_PREFIX) and _abandoned(folder, name)):
            path = os.path.join(folder, name)
            try:
                os.unlink(path)
            except (FileNotFoundError, IsADirectoryError, PermissionError):
                continue
            removed.append(path)
    return removed


def _abandoned(folder: str, name: str) -> bool:
    host, _, rest = name[len(TEMP_PREFIX):].partition(".")
    pid = _int(rest.partition(".")[0])
    if host == _host() and pid is not None:
        return not pid_alive(pid)
    try:
        return time.time() - os.stat(os.path.join(folder, name)).st_mtime > ABANDONED_AFTER
    except FileNotFoundError:
        return False


def _host() -> str:
    return quote(socket.gethostname(), safe="-_~")  # no dot: dots separate the name's fields


def _int(text: str) -> Optional[int]:
    return int(text) if text.isdigit() else None


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
