"""What a function reaches in the user's project: the walk behind its automatic code version.

A walk from a function collects its *parts* (see `code_version.py`) and keeps what each was
read from (attributes, looked-up globals, class members), so that a kept version can be
checked against them (`unchanged`).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import re
import sys
import sysconfig
import types
from operator import is_
from typing import Any, Iterable, Mapping, Optional

_PLAIN = (int, float, complex, str, bytes, bool, type(None))
_MISSING = object()  # (what a read that found nothing keeps)
_MISSINGS = itertools.repeat(_MISSING)
# What a walk reads of each function it reaches (`getattr`, `_MISSING` when absent)
# (`__wrapped__` is looked up in `__dict__`: an absent attribute would make an exception a read)
_FUNCTION_READS = ("__code__", "__defaults__", "__kwdefaults__", "__qualname__", "__module__",
                   "__name__", "__dict__")
_MAX_DEPTH = 6  # of nested containers in a module-level value; deeper ones hash by type


@functools.lru_cache(maxsize=None)
def _excluded_dirs() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    dirs = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    dirs.add(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # specrun itself
    return tuple(os.path.abspath(d) + os.sep for d in dirs if d)


# The answer for each module file asked about: it depends on the path alone (an absolute
# one), while the module a name stands for may change (imported again from another file
# after a change of `sys.path`, a reload from elsewhere, a notebook's module replaced).
_USER_FILES: dict[str, bool] = {}


def is_project_module(name: str) -> bool:
    """Whether module `name`, as imported now, is the user's own code (a file outside
    Python, installed packages and specrun); a module not imported (yet) is not."""
    module = sys.modules.get(name)
    path = getattr(module, "__file__", None) if module is not None else None
    if not path:
        return False
    found = _USER_FILES.get(path)
    if found is None:
        found = is_user_file(path)
        if os.path.isabs(path):  # (a relative one depends on the working directory)
            _USER_FILES[path] = found
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


class Walk:
    """One traversal from a root function: the parts it reaches, by name."""

    def __init__(self, root_module: str, known: Any = None) -> None:
        """`known`: a function whose own attributes (code, defaults, names, `__dict__`) the
        caller keeps the walk's result by, so that they are not kept among its reads."""
        self.root_module = root_module
        self.known = known
        self.parts: dict[str, tuple[str, str]] = {}  # name -> (hash, how it was reached)
        self.seen: set[int] = set()
        # What the parts were read from (see `unchanged`): attributes read (objects,
        # attributes, values), names looked up in a dict (scopes, names, found: a module's
        # globals, a function's `__dict__`), and classes (their `vars`, its names, its values).
        self.objects: list = []
        self.attributes: list = []
        self.values: list = []
        self.scopes: list = []
        self.names: list = []
        self.found: list = []
        self.classes: list = []

    def reads(self) -> tuple:
        """What the parts were read from, as `unchanged` checks it."""
        return (self.objects, self.attributes, self.values, self.scopes, self.names, self.found,
                self.classes)

    def read(self, obj: Any, attribute: str) -> Any:
        value = getattr(obj, attribute, _MISSING)
        self.objects.append(obj)
        self.attributes.append(attribute)
        self.values.append(value)
        return value

    def look_up(self, scope: dict, name: str) -> Any:
        value = scope.get(name, _MISSING)
        self.scopes.append(scope)
        self.names.append(name)
        self.found.append(value)
        return value

    def name_of(self, module: str, qualname: str) -> str:
        return qualname if module == self.root_module else f"{module}:{qualname}"

    def function(self, fn: Any, via: str) -> None:
        fn = getattr(fn, "__func__", fn)  # a bound or class method
        if id(fn) in self.seen or not isinstance(fn, types.FunctionType):
            return
        self.seen.add(id(fn))
        if fn is not self.known:
            for attribute in _FUNCTION_READS:
                self.read(fn, attribute)
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
        own = fn.__dict__
        wrapped = own.get("__wrapped__") if fn is self.known else self.look_up(own, "__wrapped__")
        if wrapped is not _MISSING and wrapped is not None:
            self.reached(wrapped, f"wrapped by {name}")
        module = fn.__module__ or ""
        for var, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
            try:
                value = self.read(cell, "cell_contents")
            except ValueError:  # an empty cell: kept as such, `unchanged` never holds for it
                self.objects.append(cell)
                self.attributes.append("cell_contents")
                self.values.append(_MISSING)
                continue
            self.reached(value, f"{_relation(value)} by {name}", (module, f"{fn.__qualname__}.{var}"))
        names = _all_names(fn.__code__)
        scope = fn.__globals__
        module_name = self.look_up(scope, "__name__")
        module = module if module_name is _MISSING else module_name
        for ref in names:
            value = self.look_up(scope, ref)
            if value is not _MISSING:
                self.reached(value, f"{_relation(value)} by {name}", (module, ref), names)

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
        for attribute in ("__module__", "__qualname__", "__bases__"):
            self.read(klass, attribute)
        members = vars(klass)
        self.classes.append((members, tuple(members), tuple(members.values())))
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
            value = self.look_up(scope, ref)
            if value is not _MISSING and not isinstance(value, types.ModuleType):
                self.reached(value, f"{_relation(value)} by {user}", (module.__name__, ref))


def _own_hash(fn: types.FunctionType) -> str:
    """A function's bytecode, constants and default arguments."""
    defaults = (fn.__defaults__ or ()) + tuple((fn.__kwdefaults__ or {}).items())
    if not defaults:
        return _code_digest(fn.__code__).hexdigest()[:16]
    digest = _code_digest(fn.__code__).copy()
    for default in defaults:
        digest.update((_plain_text(default) or type(default).__name__).encode())
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=65536)
def _code_digest(code: types.CodeType) -> Any:
    """The sha1 of a code object's bytecode, names and constants (never updated: copied),
    shared by every walk that reaches a function made of it (a code object never changes)."""
    digest = hashlib.sha1()
    _code_fingerprint(code, digest)
    return digest


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


def _maker_of(code: types.CodeType, scope: Mapping[str, Any]) -> Optional[str]:
    """The name of the module-level function whose body defines `code` (a decorator making
    its wrapper), found through its constants: what `co_qualname` starts with from 3.11."""
    for value in list(scope.values()):
        outer = getattr(value, "__code__", None)
        if isinstance(outer, types.CodeType) and code in outer.co_consts:
            return value.__qualname__
    return None


def unchanged(reads: tuple) -> bool:
    """Whether each thing a walk read (`Walk.reads`) is still the object read (by
    identity: `==` would call a value's own `__eq__`): a function's code, defaults, names,
    `__wrapped__` and closure cells, the globals and module attributes its code names, a
    class's members. Any may be replaced in place in a long-lived process (IPython's
    autoreload, a hot reloader, a test). A value changed in place (a list appended to) is
    not seen: a version covers code and the values it is given, not their later state."""
    objects, attributes, values, scopes, names, found, classes = reads
    try:
        if objects and not all(map(is_, map(getattr, objects, attributes, _MISSINGS), values)):
            return False
    except ValueError:  # an empty closure cell
        return False
    return ((not scopes or all(map(is_, map(dict.get, scopes, names, _MISSINGS), found)))
            and (not classes or all(tuple(members) == keys and all(map(is_, members.values(), kept))
                                    for members, keys, kept in classes)))
