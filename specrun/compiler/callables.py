"""Importing `module:attr` references of a spec, with errors at the line that names them."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from typing import Any, Optional

from ..errors import SpecError, suggest


class CallableResolver:
    """Imports functions named in a spec; the spec's folder is put on `sys.path`."""

    def __init__(self, doc: Any, default_module: Optional[str]) -> None:
        self.doc = doc
        self.default_module = default_module
        self.folder = os.path.dirname(os.path.abspath(doc.path))
        if self.folder not in sys.path:
            sys.path.insert(0, self.folder)
        self._modules: dict[str, Any] = {}

    def _error(self, message: str, pointer: str, hint: Optional[str] = None) -> SpecError:
        return SpecError(message, self.doc.locate(pointer), pointer, hint)

    def module(self, name: str, pointer: str) -> Any:
        if name in self._modules:
            return self._modules[name]
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name and name.startswith(e.name):
                local = [m.name for m in pkgutil.iter_modules([self.folder])]
                raise self._error(f"module {name!r} not found (searched the spec's folder and sys.path)",
                                  pointer, suggest(name, local)) from None
            raise self._error(f"importing {name!r} failed: {e}", pointer) from None
        except Exception as e:  # user module code may raise anything while importing
            raise self._error(f"importing {name!r} raised {type(e).__name__}: {e}", pointer) from None
        self._modules[name] = module
        return module

    def resolve(self, ref: str, pointer: str) -> Any:
        """The object `ref` names: ``module:attr``, ``module.attr``, or a short name."""
        module_name, attr = self._split(ref, pointer)
        module = self.module(module_name, pointer)
        target: Any = module
        for part in attr.split("."):
            if not hasattr(target, part):
                names = [n for n in dir(target) if not n.startswith("_")]
                hint = suggest(part, names)
                if hint is None and ("{{" in ref or "{%" in ref):
                    hint = "this is Jinja2 template syntax: name the spec file with a .j2 suffix to render it"
                raise self._error(f"{module_name!r} has no attribute {attr!r}", pointer, hint)
            target = getattr(target, part)
        return target

    def _split(self, ref: str, pointer: str) -> tuple[str, str]:
        if ":" in ref:
            module_name, _, attr = ref.partition(":")
            if not all(part.isidentifier() for part in module_name.split(".") + attr.split(".")):
                raise self._error(f"{ref!r} is not a reference to a Python object", pointer,
                                  "write module:function, e.g. my_pipeline.assets:orders")
            return module_name, attr
        if self.default_module is None:
            raise self._error(f"{ref!r} names no module: write `module:function`, or set a top-level "
                              "`module:` for short names", pointer)
        return self.default_module, ref
