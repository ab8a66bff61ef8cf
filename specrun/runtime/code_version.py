"""Automatic code versions: a hash of the code a function reaches inside the user's project.

A function's version covers its own bytecode and constants, its default arguments, and what
it reaches, transitively: the functions and classes of the project it calls or references
(by global name, through a project module's attribute, or held in its closure), the plain
module-level values it reads (numbers, strings, lists, dicts, ...), and the functions a
decorator wraps (`__wrapped__`, closure cells). "The project" is every imported module whose
file is not part of Python itself, of an installed package (site-packages / dist-packages)
or of specrun: those are pinned by their installed version, not by their bytecode.

Bytecode rather than source text, so comments, docstrings, formatting and moving a function
in its file do not change a version, while any change to what the code does does.

Each reached piece is a *part* with a name (`_keep`, `helpers:_keep`, `ROWS`) and how it was
reached (`called by kept`); the parts are recorded with a materialization, so that `plan` can
say which one changed.
"""

from __future__ import annotations

import hashlib
import json
import types
from typing import Any, Mapping, Optional

from .code_reach import Walk, is_project_module, is_user_file, unchanged

__all__ = ["code_parts", "describe_change", "function_version_and_parts_text", "is_project_module",
           "is_user_file", "parts_text", "version_and_parts_text", "version_of_parts"]


def code_parts(fn: Any) -> Mapping[str, tuple[str, str]]:
    """The parts of `fn`'s automatic code version: name -> (hash, how it was reached)."""
    return _summary(fn)[1]


def version_of_parts(fn: Any) -> str:
    """The automatic code version of `fn`: one hash of all its parts."""
    return _version(_summary(fn))


def parts_text(fn: Any) -> str:
    """The parts as recorded with a materialization: `{"name": ["hash", "via"], ...}`."""
    return _parts_text(_summary(fn))


def version_and_parts_text(fn: Any) -> tuple[str, str]:
    """(`version_of_parts(fn)`, `parts_text(fn)`) from one look-up of `fn`'s parts (what a
    materialization records with an automatic code version; a job asks once per asset)."""
    summary = _summary(fn)
    return _version(summary), _parts_text(summary)


def function_version_and_parts_text(fn: types.FunctionType, checked: Any = None) -> tuple[str, str]:
    """`version_and_parts_text(fn)` of a function. The plain function (see `_summary`) asked
    last is answered again without a look-up while nothing its parts were read from changed:
    the assets a factory made in a loop come in a row. `checked`: an object standing for one
    pass in which no user code runs between two calls (a plan being made, `job_plan._OnePass`'s
    token): what its reads were found unchanged in is not checked again in it (~3k
    instructions a function of a factory's 1,000). It is kept (`LAST_PLAIN`), so that no later
    pass's object can have its address, until another plain function is asked about: a bare
    `object()`, not the pass, whose job would be kept alive with it."""
    global LAST_PLAIN
    if fn.__closure__ is None and not fn.__defaults__ and not fn.__kwdefaults__ and not fn.__dict__:
        last = LAST_PLAIN  # one read of one tuple: another thread's answer never mixes in
        if (last[0] is fn.__code__ and last[1] is fn.__globals__ and last[2] == fn.__qualname__
                and last[3] == fn.__module__):
            if checked is not None and last[6] is checked:
                return last[4]
            if unchanged(last[5][4]):
                if checked is not None:
                    LAST_PLAIN = last[:6] + (checked,)
                return last[4]
        summary = _summary(fn)
        answer = _version(summary), _parts_text(summary)
        LAST_PLAIN = fn.__code__, fn.__globals__, fn.__qualname__, fn.__module__, answer, summary, checked
        return answer
    return version_and_parts_text(fn)


# The plain function `function_version_and_parts_text` answered last:
# (code, globals, qualname, module, answer, its summary, the pass its reads were last found
# unchanged in or None). A tuple replaced whole, so that a thread reads one function's
# entry, never a mix of two.
LAST_PLAIN: tuple = (None, None, None, None, None, None, None)


def _version(summary: list) -> str:
    if summary[2] is None:
        text = json.dumps(sorted((name, h) for name, (h, _) in summary[1].items()))
        summary[2] = hashlib.sha1(text.encode()).hexdigest()[:16]
    return summary[2]


def _parts_text(summary: list) -> str:
    if summary[3] is None:
        summary[3] = json.dumps({name: list(part) for name, part in sorted(summary[1].items())})
    return summary[3]


# (code, qualname, module) -> summary of plain functions; function -> summary of others
_BY_CODE: dict[tuple, list] = {}
_BY_FUNCTION: dict[Any, list] = {}


def _summary(fn: Any) -> list:
    """[globals, parts, version or None, parts text or None, what the parts were read from]
    of `fn`, kept while `unchanged`. Functions made from one code object (a factory making
    1,000 assets) share it when nothing else tells them apart: no closure, defaults or
    attributes (`__wrapped__`), the same module globals."""
    fn = getattr(fn, "__func__", fn) if isinstance(fn, types.MethodType) else fn
    plain = (isinstance(fn, types.FunctionType) and fn.__closure__ is None and not fn.__defaults__
             and not fn.__kwdefaults__ and not fn.__dict__)
    if plain:
        key, kept = (fn.__code__, fn.__qualname__, fn.__module__), _BY_CODE
    else:
        key, kept = fn, _BY_FUNCTION
    try:
        found = kept.get(key)
    except TypeError:  # (an unhashable callable: not kept)
        found = kept = None
    if found is not None and found[0] is getattr(fn, "__globals__", None) and unchanged(found[4]):
        return found
    walk = Walk(getattr(fn, "__module__", None) or "", fn if plain else None)  # (its key holds it)
    walk.function(fn, "")
    summary = [getattr(fn, "__globals__", None), types.MappingProxyType(walk.parts), None, None,
               walk.reads()]
    if kept is not None:
        _keep(kept, key, summary)
    return summary


def _keep(kept: dict, key: Any, summary: list) -> None:
    """`kept[key] = summary`, after dropping, every time as many summaries were kept as the two
    tables hold (at least 16), those whose reads changed (`unchanged`): such a summary is never
    given again, and it holds the objects it was read from (the value a global name had: a
    notebook cell edited and run again makes a new code object, so a new key, and the old
    summary kept the old value of every global the old code named, up to 65,536 of them).
    The stale summaries kept are then at most about as many as the others; the work is one
    check a summary kept, spread over as many walks."""
    global _KEPT_SINCE_SWEEP
    _KEPT_SINCE_SWEEP += 1
    if _KEPT_SINCE_SWEEP >= max(16, len(_BY_CODE) + len(_BY_FUNCTION)):
        _KEPT_SINCE_SWEEP = 0
        for table in (_BY_CODE, _BY_FUNCTION):
            for old_key, old in list(table.items()):  # (one C call: no other thread's entry half-read)
                if not unchanged(old[4]) and table.get(old_key) is old:
                    table.pop(old_key, None)
    if len(kept) >= 65536:
        kept.pop(next(iter(kept)))
    kept[key] = summary


_KEPT_SINCE_SWEEP = 0


def describe_change(old_text: Optional[str], fn: Any, limit: int = 3) -> Optional[str]:
    """Which parts changed since `old_text` was recorded, in words: `_keep (called by kept)
    changed, ROWS (read by _keep) changed`; None when the old parts are unknown."""
    if not old_text:
        return None
    try:
        old = json.loads(old_text)
    except ValueError:
        return None
    new = code_parts(fn)
    said = []
    for name, (h, via) in new.items():
        where = f" ({via})" if via else ""
        if name not in old:
            said.append(f"{name}{where} added")
        elif old[name][0] != h:
            said.append(f"{name}{where} changed")
    for name, (_, via) in old.items():
        if name not in new:
            said.append(f"{name}{' (' + via + ')' if via else ''} no longer used")
    if not said:
        return None
    more = f", and {len(said) - limit} more" if len(said) > limit else ""
    return ", ".join(said[:limit]) + more
