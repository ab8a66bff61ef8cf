"""Where the fs IO manager keeps values on disk, and how superseded files are collected.

Layout under ``base_dir`` (each part of an asset key and each partition key is made a safe
file name by `safe_name`, so no key can reach outside ``base_dir``)::

    <asset>/<part>@v-<token>               an unpartitioned asset value
    <asset>/<part>/<partition>@v-<token>   one partition of an asset
    <run_id>/<step>/<output>               an op output (already unique to its run)
    .tmp-<host>.<pid>.*                    a value being written (renamed into place when done)

A value's versions are files beside the other values' (`value_file`): no folder is made per
value (a mkdir costs more than the file's own creation). ``@`` is never in a safe name, so a
value's versions are the names starting with its name and ``@v-``. Stores written before kept
each value's versions in a folder of its own, ``<asset>/<part>/v-<token>``: those are still
read, and collected once a newer version of their value is recorded.

``<token>`` is derived from the value's data version, which the materialization record
names: the record, not the newest file, says which version is current. A file written by a
step that was killed before its record was committed (or by a worker of a dead run) is named
by no record: readers never see it and `collect` removes it once a newer record is written.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import time
from typing import Callable, Optional
from urllib.parse import quote

from ...errors import PartitionError
from ..faults import kill_point
from ..process_id import PID

VERSION_PREFIX = "v-"
MARK = "@"  # between a value's name and its version (`safe_name` always escapes it)
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
    if type(part) is str and part.isalnum() and part.isascii():
        name = part  # (what `quote` gives back for ASCII letters and digits, without its call)
    else:
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
    names = [safe_name(p) for p in parts]
    if os.altsep is None and not base.endswith(os.sep):
        # `os.path.join`'s answer for names that are neither empty nor absolute, without its
        # call (a POSIX `join` checks each part for a leading separator)
        path = os.sep.join([base, *names])
    else:
        path = os.path.join(base, *names)
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


def value_file(place: str, data_version: str) -> str:
    """The file of the value whose key `inside` names `place`, stored under `data_version`:
    beside the other values, ``<place>@v-<token>``."""
    return place + MARK + version_file(data_version)


def folder_file(place: str, data_version: str) -> str:
    """Where a store written before `value_file` kept that value: in a folder per value."""
    return os.path.join(place, version_file(data_version))


def _version_file(data_version: str) -> str:
    return VERSION_PREFIX + hashlib.sha256(data_version.encode()).hexdigest()[:24]


_VERSION_FILES: dict[str, str] = {}


def has_versions(place: str) -> bool:
    """Whether at least one version of the value at `place` is stored (either layout)."""
    return bool(_versions(place))


def newest_version(place: str) -> Optional[str]:
    """The most recently written version of the value at `place`, in either layout (for a
    reader that knows no record)."""
    entries = _versions(place)
    return max(entries, key=lambda e: e.stat().st_mtime_ns).path if entries else None


def _versions(place: str) -> list[os.DirEntry]:
    folder, name = os.path.split(place)
    stem = name + MARK + VERSION_PREFIX
    return _entries(folder, lambda n: n.startswith(stem)) + _entries(place, lambda n: n.startswith(VERSION_PREFIX))


def _entries(folder: str, wanted: Callable[[str], bool]) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as entries:
            return [e for e in entries if wanted(e.name)]
    except (FileNotFoundError, NotADirectoryError):
        return []


def temp_prefix() -> str:
    """The prefix of a temp file written by this process: it names the host and the pid."""
    pid = PID[0]
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
    folder, sep, name = path.rpartition(os.sep)  # (a path as `inside` makes it: its `dirname`,
    into = folder + sep  # `basename` and `join(folder, "")`, without their calls; else theirs)
    if not folder or not name or folder.endswith(os.sep) or os.altsep is not None:
        folder, name = os.path.dirname(path) or ".", os.path.basename(path)
        into = os.path.join(folder, "")
    made = folder not in _FRESH and os.path.dirname(folder) in _FRESH and _make_folder(folder)
    while True:
        tmp = f"{into}{temp_prefix()}{next(_COUNTER)}-{name}"
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
            done = os.write(fd, data)
            if done < len(data):  # (a write may take part of it: the rest, as it takes it)
                view = memoryview(data)[done:]
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


# Folders this process made: `collect` has no folder of versions (the layout before
# `value_file`) to empty there (no older version; a temp file is a live writer's).
_MADE: set[str] = set()
# Folders this process made (kept after `collect`): a folder inside one is most likely
# missing, so `write_atomically` makes it before its first open there. Only a guess: a
# folder made meanwhile by someone else is found by mkdir, and the write goes on.
_FRESH: set[str] = set()


def collect(recorded_path: str, may_remove_versions: Callable[[], bool] = lambda: True) -> list[str]:
    """Remove the versions of the value of `recorded_path` that no record names any more, and
    temp files whose writer is gone; returns the removed paths.

    Called once the record naming `recorded_path` is committed. A temp file is the writer's
    as long as its process lives (on this host); another host's is removed after a day.
    `may_remove_versions` is asked (only when there is an old version) whether a reader may
    still want the old versions; they are kept when it says no. A folder of versions this
    process made for the value (the layout before `value_file`) is not listed.
    """
    return collect_all([(recorded_path, may_remove_versions)])


def collect_all(recorded: list[tuple[str, Callable[[], bool]]]) -> list[str]:
    """`collect` of each (recorded path, may remove versions), listing each folder once: the
    versions of many values are in one folder, and the records come in batches (of two paths
    of one value, the later is kept)."""
    removed: list[str] = []
    beside: dict[str, dict[str, tuple[str, Callable[[], bool]]]] = {}
    for path, may_remove_versions in recorded:
        folder, keep = os.path.split(path)
        if MARK not in keep:  # a folder of versions per value (the layout before `value_file`)
            removed += _collect_folder(folder, keep, may_remove_versions)
        else:
            beside.setdefault(folder, {})[keep[:keep.index(MARK)]] = (keep, may_remove_versions)
    for folder, values in beside.items():
        removed += _collect_beside(folder, values)
    return removed


def _collect_folder(folder: str, keep: str, may_remove_versions: Callable[[], bool]) -> list[str]:
    """Remove the versions in `folder` (a value's own) but `keep`, and abandoned temp files."""
    if folder in _MADE:
        _MADE.discard(folder)
        return []
    return _remove(folder, _names(folder), lambda name: name != keep and name.startswith(VERSION_PREFIX),
                   may_remove_versions)


def _collect_beside(folder: str, values: dict[str, tuple[str, Callable[[], bool]]]) -> list[str]:
    """Remove, for each value named in `values` (name -> (recorded file, may remove versions)),
    its other versions in `folder`, and what a store written before kept of it there (its
    folder's versions, or its plain file from before versioning); and abandoned temp files."""
    names = _names(folder)
    removed = _remove(folder, [n for n in names if n.startswith(TEMP_PREFIX)], lambda name: False, lambda: True)
    for name in names:
        value, mark, version = name.partition(MARK)
        known = values.get(value)
        if known is None or name == known[0] or (mark and not version.startswith(VERSION_PREFIX)):
            continue
        keep, may_remove_versions = known
        if mark:
            removed += _remove(folder, [name], lambda name: True, may_remove_versions)
        elif not os.path.isdir(os.path.join(folder, name)):  # a value from before versioning
            removed += _remove(folder, [name], lambda name: True, may_remove_versions)
        else:
            removed += _collect_folder(os.path.join(folder, name), "", may_remove_versions)
            try:  # the folder too, once nothing is left in it
                os.rmdir(os.path.join(folder, name))
            except OSError:
                pass
    return removed


def _names(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _remove(folder: str, names: list[str], superseded: Callable[[str], bool],
            may_remove_versions: Callable[[], bool]) -> list[str]:
    """Unlink the `names` in `folder` that are `superseded` (when `may_remove_versions`
    allows) or abandoned temp files; returns their paths."""
    removed = []
    for name in names:
        if superseded(name) and not may_remove_versions():
            continue
        if superseded(name) or (name.startswith(TEMP_PREFIX) and _abandoned(folder, name)):
            path = os.path.join(folder, name)
            if remove_file(path):
                removed.append(path)
    return removed


def remove_file(path: str) -> bool:
    """Remove the file `path`; False when it is gone already (another collector had it first),
    is a folder, or this process may not remove it."""
    try:
        os.unlink(path)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        return False
    return True


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
    return quote(host_name(), safe="-_~")  # no dot: dots separate the name's fields


def host_name() -> str:
    """`socket.gethostname()`, without importing `socket` (~15 M instructions of every
    process that never opens one): on POSIX both are uname's node name (glibc's gethostname
    reads it from uname; macOS's both from kern.hostname), decoded the same way."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


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
