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

import functools
import hashlib
import json
import os
import re
import sys
import sysconfig
import types
from typing import Any, Iterable, Mapping, Optional

_PLAIN = (int, float, complex, str, bytes, bool, type(None))
_MAX_DEPTH = 6  # of nested containers in a module-level value; deeper ones hash by type


@functools.lru_cache(maxsize=None)
def _excluded_dirs() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    dirs = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    dirs.add(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # specrun itself
    return tuple(os.path.abspath(d) + os.sep for d in dirs if d)


_PROJECT_MODULES: dict[str, bool] = {}


def is_project_module(name: str) -> bool:
    """Whether module `name` is the user's own code (a file outside Python, installed
    packages and specrun); a module not imported (yet) is not."""
    known = _PROJECT_MODULES.get(name)
    if known is not None:
        return known
    module = sys.modules.get(name)
    if module is None:
        return False
    path = getattr(module, "__file__", None)
    _PROJECT_MODULES[name] = found = bool(path) and is_user_file(path)
    return found


def is_user_file(path: str) -> bool:
    """Whether the Python file at `path` is the user's (not Python's, an installed
    package's or specrun's)."""
    if path.startswith("<"):  # <frozen importlib._bootstrap>, <string>
        return False
    path = os.path.abspath(path)
    if re.search(r"[/\\](?:site|dist)-packages[/\\]", path):
        return False
    return not path.startswith(_excluded_dirs())


def _code_fingerprint(code: types.CodeType, digest: Any, is_function: bool = True) -> None:
    """Bytecode, names and constants of `code` (and nested code), without its docstring."""
    digest.update(code.co_code)
    digest.update(repr(code.co_names).encode())
    consts = code.co_consts
    # A function's first constant is its docstring (or None): Python 3.8-3.13 put it there.
    if is_function and consts and isinstance(consts[0], str) and code.co_name != "<lambda>":
        consts = consts[1:]
    for const in consts:
        if isinstance(const, types.CodeType):
            _code_fingerprint(const, digest, not const.co_name.startswith("<"))
        else:
            digest.update(repr(const).encode())


def _plain_text(value: Any, depth: int = 0) -> Optional[str]:
    """A stable text of a plain data value (None when it is not plain data)."""
    if isinstance(value, _PLAIN):
        return repr(value)
    if depth >= _MAX_DEPTH:
        return type(value).__name__
    if isinstance(value, (list, tuple)):
        items = [_plain_text(v, depth + 1) for v in value]
        return None if None in items else f"{type(value).__name__}[{','.join(items)}]"  # type: ignore[arg-type]
    if isinstance(value, (set, frozenset)):
        items = [_plain_text(v, depth + 1) for v in value]
        return None if None in items else f"{type(value).__name__}[{','.join(sorted(items))}]"  # type: ignore[arg-type]
    if isinstance(value, dict):
        pairs = [(_plain_text(k, depth + 1), _plain_text(v, depth + 1)) for k, v in value.items()]
        if any(k is None or v is None for k, v in pairs):
            return None
        return "dict{" + ",".join(sorted(f"{k}:{v}" for k, v in pairs)) + "}"  # type: ignore[str-format]
    if isinstance(value, re.Pattern):
        return f"re({value.pattern!r},{value.flags})"
    return None


class _Walk:
    """One traversal from a root function: the parts it reaches, by name."""

    def __init__(self, root_module: str) -> None:
        self.root_module = root_module
        self.parts: dict[str, tuple[str, str]] = {}  # name -> (hash, how it was reached)
        self.seen: set[int] = set()

    def name_of(self, module: str, qualname: str) -> str:
        return qualname if module == self.root_module else f"{module}:{qualname}"

    def function(self, fn: Any, via: str) -> None:
        fn = getattr(fn, "__func__", fn)  # a bound or class method
        if id(fn) in self.seen or not isinstance(fn, types.FunctionType):
            return
        self.seen.add(id(fn))
        module = getattr(fn, "__module__", None) or ""
        name = self.name_of(module, fn.__qualname__)
        code_name = getattr(fn.__code__, "co_qualname", fn.__code__.co_name)
        if code_name != (fn.__qualname__ if hasattr(fn.__code__, "co_qualname") else fn.__name__):
            # A decorator's wrapper, named after what it wraps (functools.wraps): named here
            # after the decorator, so that it and the wrapped function are two parts.
            if not hasattr(fn.__code__, "co_qualname"):  # (Python 3.10)
                code_name = _maker_of(fn.__code__, fn.__globals__) or code_name
            name = self.name_of(module, code_name.split(".<locals>")[0])
            via = via or f"decorator of {fn.__qualname__}"
        self.parts[name] = (_own_hash(fn), via)
        self._references(fn, name)

    def _references(self, fn: types.FunctionType, name: str) -> None:
        wrapped = getattr(fn, "__wrapped__", None)
        if wrapped is not None:
            self.reached(wrapped, f"wrapped by {name}")
        module = fn.__module__ or ""
        for var, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            self.reached(value, f"{_relation(value)} by {name}", (module, f"{fn.__qualname__}.{var}"))
        names = _all_names(fn.__code__)
        scope = fn.__globals__
        module = scope.get("__name__", module)
        for ref in names:
            if ref in scope:
                self.reached(scope[ref], f"{_relation(scope[ref])} by {name}", (module, ref), names)

    def reached(self, value: Any, via: str, global_name: Optional[tuple[str, str]] = None,
                names: Iterable[str] = ()) -> None:
        """Follow a value reached from a function: by a global name (module, name), through
        its closure or as the function a decorator wraps."""
        if isinstance(value, (types.FunctionType, types.MethodType)):
            if is_project_module(getattr(value, "__module__", None) or ""):
                self.function(value, via)
        elif isinstance(value, type):
            if is_project_module(value.__module__):
                self.cls(value, via)
        elif isinstance(value, types.ModuleType):
            if is_project_module(value.__name__):
                self.module_attributes(value, via.split(" by ", 1)[1], names)
        elif hasattr(value, "compute_fn") and hasattr(value, "name"):
            return  # a definition (an asset or op): its own version covers it
        elif global_name is not None and self.name_of(*global_name) not in self.parts:
            text = _plain_text(value)
            if text is not None:
                self.parts[self.name_of(*global_name)] = (hashlib.sha1(text.encode()).hexdigest()[:16], via)

    def cls(self, klass: type, via: str) -> None:
        if id(klass) in self.seen:
            return
        self.seen.add(id(klass))
        name = self.name_of(klass.__module__, klass.__qualname__)
        digest = hashlib.sha1(repr([b.__qualname__ for b in klass.__bases__]).encode())
        methods = []
        for attr, member in sorted(vars(klass).items()):
            if attr in ("__doc__", "__dict__", "__weakref__", "__module__", "__qualname__"):
                continue
            member = getattr(member, "__func__", member)  # staticmethod / classmethod
            if isinstance(member, property):
                member = member.fget
            if isinstance(member, types.FunctionType):
                methods.append(member)
                digest.update(attr.encode())
            else:
                digest.update(f"{attr}={_plain_text(member) or type(member).__name__}".encode())
        self.parts[name] = (digest.hexdigest()[:16], via)
        for method in methods:
            self.function(method, f"method of {name}")
        for base in klass.__bases__:
            if is_project_module(base.__module__):
                self.cls(base, f"base of {name}")

    def module_attributes(self, module: types.ModuleType, user: str, names: Iterable[str]) -> None:
        """`helpers.fn` or `settings.ROWS`: the attributes of a project module the code names."""
        scope = vars(module)
        for ref in names:
            value = scope.get(ref)
            if ref in scope and not isinstance(value, types.ModuleType):
                self.reached(value, f"{_relation(value)} by {user}", (module.__name__, ref))


@functools.lru_cache(maxsize=65536)
def _own_hash(fn: types.FunctionType) -> str:
    """A function's bytecode, constants and default arguments (shared by every walk that
    reaches it)."""
    digest = hashlib.sha1()
    _code_fingerprint(fn.__code__, digest)
    for default in (fn.__defaults__ or ()) + tuple((fn.__kwdefaults__ or {}).items()):
        digest.update((_plain_text(default) or type(default).__name__).encode())
    return digest.hexdigest()[:16]


def _relation(value: Any) -> str:
    if isinstance(value, (types.FunctionType, types.MethodType)):
        return "called"
    if isinstance(value, (type, types.ModuleType)):
        return "used"
    return "read"


@functools.lru_cache(maxsize=65536)
def _all_names(code: types.CodeType) -> tuple[str, ...]:
    """Global and attribute names used by `code` and the code nested in it (comprehensions,
    inner functions)."""
    names = dict.fromkeys(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names.update(dict.fromkeys(_all_names(const)))
    return tuple(names)


@functools.lru_cache(maxsize=65536)
def code_parts(fn: Any) -> Mapping[str, tuple[str, str]]:
    """The parts of `fn`'s automatic code version: name -> (hash, how it was reached)."""
    return _summary(fn)[1]


@functools.lru_cache(maxsize=65536)
def version_of_parts(fn: Any) -> str:
    """The automatic code version of `fn`: one hash of all its parts."""
    return _version(_summary(fn))


@functools.lru_cache(maxsize=65536)
def parts_text(fn: Any) -> str:
    """The parts as recorded with a materialization: `{"name": ["hash", "via"], ...}`."""
    return _parts_text(_summary(fn))


@functools.lru_cache(maxsize=65536)
def version_and_parts_text(fn: Any) -> tuple[str, str]:
    """(`version_of_parts(fn)`, `parts_text(fn)`) from one look-up of `fn`'s parts (what a
    materialization records with an automatic code version; a job asks once per asset)."""
    summary = _summary(fn)
    version, text = summary[2], summary[3]  # (set by the first function of its code)
    return (version if version is not None else _version(summary),
            text if text is not None else _parts_text(summary))


def function_version_and_parts_text(fn: types.FunctionType) -> tuple[str, str]:
    """`version_and_parts_text(fn)` of a function. A plain one (see `_summary`) whose code was
    seen is answered from its code's entry without the per-function cache: a job asks once
    per asset, and every function of a factory's 1,000 new assets is new to that cache (a
    miss and an entry each, ~2k instructions)."""
    global LAST_PLAIN
    if fn.__closure__ is None and not fn.__defaults__ and not fn.__kwdefaults__ and not fn.__dict__:
        code, scope = fn.__code__, fn.__globals__  # (two names a statement: no tuple made)
        name, module = fn.__qualname__, fn.__module__
        last = LAST_PLAIN  # one read of one tuple: another thread's answer never mixes in
        if last[0] is code and last[1] is scope and last[2] == name and last[3] == module:
            return last[4]
        found = _BY_CODE.get((code, name, module))
        if found is not None and found[0] is scope:
            version, text = found[2], found[3]
            if version is not None and text is not None:
                LAST_PLAIN = code, scope, name, module, (version, text)
                return version, text
    return version_and_parts_text(fn)


# The plain function `function_version_and_parts_text` answered last, from its code's entry:
# (code, globals, qualname, module, answer). Assets a factory made in a loop come in a row.
# A tuple replaced whole, so that a thread reads one function's entry, never a mix of two.
LAST_PLAIN: tuple = (None, None, None, None, None)


def _version(summary: list) -> str:
    if summary[2] is None:
        text = json.dumps(sorted((name, h) for name, (h, _) in summary[1].items()))
        summary[2] = hashlib.sha1(text.encode()).hexdigest()[:16]
    return summary[2]


def _parts_text(summary: list) -> str:
    if summary[3] is None:
        summary[3] = json.dumps({name: list(part) for name, part in sorted(summary[1].items())})
    return summary[3]


def _maker_of(code: types.CodeType, scope: Mapping[str, Any]) -> Optional[str]:
    """The name of the module-level function whose body defines `code` (a decorator making
    its wrapper), found through its constants: what `co_qualname` starts with from 3.11."""
    for value in list(scope.values()):
        outer = getattr(value, "__code__", None)
        if isinstance(outer, types.CodeType) and code in outer.co_consts:
            return value.__qualname__
    return None


# (code, qualname, module) -> [globals, parts, version, parts text] of plain functions
_BY_CODE: dict[tuple, list] = {}


def _summary(fn: Any) -> list:
    """[globals, parts, version or None, parts text or None] of `fn`. Functions made from one
    code object (a factory making 1,000 assets) share it when nothing else tells them apart:
    no closure, defaults or attributes (`__wrapped__`), the same module globals."""
    plain = (isinstance(fn, types.FunctionType) and fn.__closure__ is None and not fn.__defaults__
             and not fn.__kwdefaults__ and not fn.__dict__)
    if plain:
        key = (fn.__code__, fn.__qualname__, fn.__module__)
        found = _BY_CODE.get(key)
        if found is not None and found[0] is fn.__globals__:
            return found
    walk = _Walk(getattr(fn, "__module__", None) or "")
    walk.function(fn, "")
    summary = [getattr(fn, "__globals__", None), types.MappingProxyType(walk.parts), None, None]
    if plain:
        if len(_BY_CODE) >= 65536:
            _BY_CODE.pop(next(iter(_BY_CODE)))
        _BY_CODE[key] = summary
    return summary


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
