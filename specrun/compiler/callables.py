"""Importing `module:attr` references of a spec, with errors at the line that names them."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import sys
from types import ModuleType
from typing import Any, Optional

from ..errors import Location, SpecError, suggest


_ABSENT = object()


def _holds(module: Any, attr: str, target: Any) -> bool:
    """Whether `getattr(module, attr)` is `target` found in a plain module's own namespace
    (no module `__getattr__`, no module subclass, no dotted path in between)."""
    return type(module) is ModuleType and module.__dict__.get(attr, _ABSENT) is target


class CallableResolver:
    """Imports functions named in a spec; the spec's folder is put on `sys.path`."""

    def __init__(self, doc: Any, default_module: Optional[str]) -> None:
        self.doc = doc
        self.default_module = default_module
        self.folder = os.path.dirname(os.path.abspath(doc.path))
        if self.folder not in sys.path:
            sys.path.insert(0, self.folder)
        self._modules: dict[str, Any] = {}
        self._failed: dict[str, SpecError] = {}
        self._code: dict[str, tuple[Any, str, Any]] = {}  # see resolve_code

    def _error(self, message: str, pointer: str, hint: Optional[str] = None) -> SpecError:
        return SpecError(message, self.doc.locate(pointer), pointer, hint)

    def module(self, name: str, pointer: str) -> Any:
        if name in self._modules:
            return self._modules[name]
        if name in self._failed:  # the same SpecError again: the collector reports it once
            raise self._failed[name]
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name and name.startswith(e.name):
                local = [m.name for m in pkgutil.iter_modules([self.folder])]
                raise self._error(f"module {name!r} not found (searched the spec's folder and sys.path)",
                                  pointer, suggest(name, local)) from None
            raise self._import_failed(name, e, pointer) from None
        except Exception as e:  # user module code may raise anything while importing (SyntaxError too)
            raise self._import_failed(name, e, pointer) from None
        self._modules[name] = module
        return module

    def _import_failed(self, name: str, exc: BaseException, pointer: str) -> SpecError:
        """The error of a module that failed to import, at the line of the user's `.py` file
        that failed (once, however many `fn:` name the module)."""
        where = _failing_line(exc, self.folder)
        named_at = self.doc.locate(pointer)
        error = SpecError(f"importing {name!r} failed: {type(exc).__name__}: {_message(exc)}",
                          where or named_at, pointer,
                          f"{name!r} is named at {named_at}" if where is not None and named_at else None)
        self._failed[name] = error
        return error

    def resolve(self, ref: str, pointer: str) -> Any:
        """The object `ref` names: ``module:attr``, ``module.attr``, or a short name."""
        module_name, attr = self._split(ref, pointer)
        module = self.module(module_name, pointer)
        target: Any = module
        for part in attr.split("."):
            if not hasattr(target, part):
                names = [n for n in dir(target) if not n.startswith("_")]
                hint = suggest(part, names)
                dotted = ref.rpartition(".")
                if hint is None and ":" not in ref and dotted[0]:
                    hint = f"did you mean '{dotted[0]}:{dotted[2]}'? (module:function)"
                if hint is None and ("{{" in ref or "{%" in ref):
                    hint = "this is Jinja2 template syntax: name the spec file with a .j2 suffix to render it"
                raise self._error(f"{module_name!r} has no attribute {attr!r}", pointer, hint)
            target = getattr(target, part)
        return target

    def resolve_code(self, ref: str, pointer: str, what: str) -> Any:
        """`resolve`, refusing what cannot be `what` (a step function, a resource): a function
        or class of Python's standard library or a builtin (``os:system``, ``builtins:eval``).

        A spec names code to run; this keeps a spec from turning a command runner into a step
        or a resource by its name alone.

        A 1,000-asset spec names a few functions 1,000 times: a function found before as a plain
        attribute of a plain module is given again while the module still holds it under that name
        (what `resolve` would find, and the checks passed for that very object)."""
        known = self.held(ref)
        if known is not None:
            return known
        target = self.resolve(ref, pointer)
        origin = standard_library_origin(target)
        if origin is not None:
            raise self._error(f"{ref!r} is {origin} of Python's standard library, not {what}", pointer,
                              "name a function or class of your own module (wrap the call in one if "
                              "you really mean it)")
        module_name, attr = self._split(ref, pointer)
        if _holds(self._modules[module_name], attr, target):
            self._code[ref] = (self._modules[module_name], attr, target)
        return target

    def held(self, ref: str) -> Any:
        """What `resolve_code` gave for `ref` before, while its module still holds it under that
        name; else None."""
        known = self._code.get(ref)
        if known is not None and _holds(*known):
            return known[2]
        return None

    def _split(self, ref: str, pointer: str) -> tuple[str, str]:
        if ":" in ref:
            module_name, _, attr = ref.partition(":")
            if not all(part.isidentifier() for part in module_name.split(".") + attr.split(".")):
                raise self._error(f"{ref!r} is not a reference to a Python object", pointer,
                                  "write module:function, e.g. my_pipeline.assets:orders")
            return module_name, attr
        if self.default_module is None:
            module_name, _, attr = ref.rpartition(".")
            hint = f"did you mean '{module_name}:{attr}'? (module:function)" if module_name else None
            raise self._error(f"{ref!r} names no module: write `module:function`, or set a top-level "
                              "`module:` for short names", pointer, hint)
        return self.default_module, ref


def _message(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return exc.msg
    return str(exc)


def _failing_line(exc: BaseException, folder: str) -> Optional[Location]:
    """Where in the user's code an import failed: a syntax error's own line, else the last
    traceback frame in a file of the user's (not of Python or installed packages)."""
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        return Location(_shown(exc.filename), exc.lineno, exc.offset or 1)
    import traceback

    from ..runtime.code_version import is_user_file

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if is_user_file(f.filename)]
    if not frames:
        return None
    column = getattr(frames[-1], "colno", None)  # (a frame's column: Python 3.11 and later)
    return Location(_shown(frames[-1].filename), frames[-1].lineno or 1, (column or 0) + 1)


def _shown(path: str) -> str:
    """`path` relative to the current folder when it is inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def standard_library_origin(target: Any) -> Optional[str]:
    """"a builtin" or "part of module X" when `target` is a callable of Python itself, else None."""
    if isinstance(target, type(sys)) or not callable(target):
        return None
    if inspect.isbuiltin(target) or type(target).__module__ == "builtins" and not inspect.isfunction(target) \
            and not isinstance(target, type):
        return "a builtin"
    module = getattr(target, "__module__", None) or ""
    top = module.split(".")[0]
    if top == "builtins" or top in sys.stdlib_module_names:
        return f"part of module {module!r}"
    return None
