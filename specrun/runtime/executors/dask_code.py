"""Where a run's own code comes from, so that Dask workers import it alike.

The parent records the folders and module files it imported the pipeline's code from
(`UserCode.of_this_process`); a worker puts those folders first and drops a same-named
module of another pipeline (`UserCode.use`).
"""

from __future__ import annotations

import functools
import os
import socket
import sys
from types import ModuleType
from typing import Mapping, NamedTuple, Optional


class UserCode(NamedTuple):
    """Where the parent imported the pipeline's own code from, for workers to import it alike.

    A run's functions are pickled by reference to their modules, so a worker imports those
    modules itself. `paths` are the parent's import folders outside the Python installation
    (a spec's folder, the user's project), in the parent's order; `modules` maps each module
    the parent imported from them to its file.
    """

    paths: tuple[str, ...] = ()
    modules: Mapping[str, str] = {}

    @classmethod
    def of_this_process(cls) -> "UserCode":
        install = tuple(_resolved(p) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})
        paths, spelled = [], []  # resolved, and as written in sys.path (what __file__ starts with)
        for entry in sys.path:
            written = os.path.abspath(entry or os.getcwd())
            path = _resolved(written)
            if os.path.isdir(path) and not _inside(path, install):
                paths.append(path)
                spelled += [written, path]
        paths, spelled = tuple(dict.fromkeys(paths)), tuple(spelled)
        # A module file's verdict (its resolved path if it is the user's, else None) depends
        # only on these folders: worked out once per file, not for a thousand modules a run.
        verdicts = _VERDICTS.setdefault((spelled, paths, install), {})
        modules = {}
        for name, module in list(sys.modules.items()):
            # A plain module keeps __file__ in its dict; getattr on one without it may call
            # a module __getattr__ (lazy loaders), which cost more than the rest of this loop.
            file = module.__dict__.get("__file__") if type(module) is ModuleType else \
                getattr(module, "__file__", None)
            if not file or name.partition(".")[0] == "specrun":
                continue
            mine = verdicts.get(file, _UNSEEN)
            if mine is _UNSEEN:
                mine = verdicts[file] = _users_file(file, spelled, paths, install)
            if mine is not None:
                modules[name] = mine
        return cls(paths, modules)

    def use(self) -> None:
        """Make this process import the parent's modules from the parent's files where it has them.

        The parent's folders go first on `sys.path`, as the parent had them. A long-running
        worker may hold a module of the same name from another pipeline (two specs, each with
        its own `assets.py`); such a module is dropped so that this run imports its own.
        """
        present = [p for p in self.paths if os.path.isdir(p)]
        sys.path[:] = present + [p for p in sys.path if p not in present]
        for name, file in self.modules.items():
            module = sys.modules.get(name)
            mine = getattr(module, "__file__", None)
            if mine and os.path.realpath(mine) != file and os.path.exists(file):
                del sys.modules[name]

    def hint(self) -> str:
        """What to do when a worker cannot import the pipeline's code."""
        missing = [p for p in self.paths if not os.path.isdir(p)]
        where = f" ({', '.join(missing)} not found there)" if missing else ""
        return (f"the Dask worker on {socket.gethostname()} cannot import the pipeline's code: "
                f"the run's code was imported from {', '.join(self.paths) or 'sys.path'}{where}. "
                "Run the workers where those folders exist (a shared filesystem), or install the "
                "code in the workers' environment")


_VERDICTS: dict[tuple, dict[str, Optional[str]]] = {}
_UNSEEN = object()
_RESOLVED: dict[str, str] = {}


def _resolved(path: str) -> str:
    """`os.path.realpath(path)`, once per path in this process (a folder on sys.path)."""
    found = _RESOLVED.get(path)
    if found is None:
        found = _RESOLVED[path] = os.path.realpath(path)
    return found


def _users_file(file: str, spelled: tuple[str, ...], paths: tuple[str, ...], install: tuple[str, ...]) -> Optional[str]:
    """`file` resolved, if it lies in one of the user's folders `paths` (outside `install`)."""
    if not _inside(file, spelled):  # a string test first: resolving is what costs
        return None
    file = os.path.realpath(file)
    return file if _inside(file, paths) and not _inside(file, install) else None


def _inside(path: str, roots: tuple[str, ...]) -> bool:
    """Whether `path` is one of the folders `roots` or lies under one (a test of the strings:
    tested for each of a process's ~1,000 module files, in C)."""
    return path in roots or path.startswith(_prefixes(roots))


@functools.lru_cache(maxsize=32)
def _prefixes(roots: tuple[str, ...]) -> tuple[str, ...]:
    """What a path under each folder of `roots` starts with (a pure function of `roots`)."""
    return tuple(root.rstrip(os.sep) + os.sep for root in roots)
