"""`specrun validate --static`: check every code reference of a spec without importing anything.

Each ``fn:`` and ``type: module:attr`` is checked by reading source files: the module file is
found on the spec's folder and ``sys.path`` (never imported, so none of its code runs), the
name is defined at its top level, and a step function's parameters match the inputs the spec
declares or infers. Fast and safe on an untrusted pull request; the full `validate` imports
the modules and checks more (config schemas, decorated definitions).
"""

from __future__ import annotations

import ast
import os
import sys
from dataclasses import dataclass
from typing import Any, Optional

from ..errors import SpecError, suggest
from ..runtime.definitions.signature import CONTEXT_NAMES

BUILTIN_RESOURCE_TYPES = ("fs", "memory")


@dataclass(frozen=True)
class _Params:
    """A function's parameters as the runtime classifies them (see `read_signature`)."""

    inputs: tuple[str, ...]
    with_default: frozenset[str]
    var_kwargs: bool


def validate_static(path: str, vars: Optional[dict[str, Any]] = None) -> Any:
    """Load, check and model the spec at `path`, then check its references statically; raise
    SpecErrors listing every problem; returns the typed spec."""
    from ..errors import SpecErrors
    from .load import load_document
    from .model import build_spec
    from .validate import validate_document

    document = load_document(path, dict(vars or {}))
    errors = validate_document(document)
    spec = build_spec(document) if not errors else None
    if spec is not None:
        errors = check_static(spec)
    if errors:
        failure = SpecErrors(errors)
        failure.files = document.files  # type: ignore[attr-defined]
        raise failure
    return spec


def check_static(spec: Any) -> list[SpecError]:
    """Every problem in `spec`'s code references that reading source can find."""
    checker = _StaticChecker(spec)
    for entry in spec.assets.values():
        if entry.fn:  # a graph-backed asset's ops are checked under ops:
            checker.step(entry.fn, entry.pointer, entry.ins, asset=True)
    for entry in spec.checks.values():
        checker.step(entry.fn, entry.pointer, {}, asset=False)
    for entry in spec.ops.values():
        checker.step(entry.fn, entry.pointer, entry.ins, asset=False)
    for entry in spec.resources.values():
        if entry.type not in BUILTIN_RESOURCE_TYPES:
            checker.find(entry.type, entry.pointer + "/type", "a resource")
    return checker.errors


class _StaticChecker:
    def __init__(self, spec: Any) -> None:
        self.spec = spec
        self.doc = spec.document
        self.folder = os.path.dirname(os.path.abspath(self.doc.path))
        self.keys = set(spec.assets)
        self.errors: list[SpecError] = []
        self._trees: dict[str, tuple[Optional[ast.Module], Optional[str]]] = {}

    def _error(self, message: str, pointer: str, hint: Optional[str] = None) -> None:
        self.errors.append(SpecError(message, self.doc.locate(pointer), pointer, hint))

    def step(self, ref: str, pointer: str, ins: dict[str, Any], asset: bool) -> None:
        node = self.find(ref, pointer + "/fn", "a step function")
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return  # imported or assigned: its parameters are known only by importing it
        params = _params(node)
        for name in ins:
            if name not in params.inputs and not params.var_kwargs:
                ptr = f"{pointer}/ins/{name}"
                self.errors.append(SpecError(f"ins: {ref!r} has no parameter {name!r}",
                                             self.doc.locate(ptr, key=True), ptr, suggest(name, params.inputs)))
        if not asset:
            return
        for name in params.inputs:
            if name not in ins and name not in params.with_default and name not in self.keys:
                self._error(f"parameter {name!r} of {ref!r} is not provided: no asset is named {name!r}",
                            pointer + "/fn", suggest(name, self.keys) or f"map it with `ins: {{{name}: <asset>}}`")

    def find(self, ref: str, pointer: str, what: str) -> Optional[ast.AST]:
        """The top-level statement defining `ref`, or None (with an error when it is missing)."""
        module, _, attr = ref.partition(":") if ":" in ref else (self.spec.module or "", ":", ref)
        if not module:
            self._error(f"{ref!r} names no module: write `module:function`", pointer)
            return None
        top = module.split(".")[0]
        if top in sys.stdlib_module_names or top == "builtins":
            self._error(f"{ref!r} is part of Python's standard library, not {what}", pointer,
                        "name a function or class of your own module")
            return None
        tree, problem = self._tree(module)
        if tree is None:
            self._error(problem or f"module {module!r} not found (searched the spec's folder and sys.path)", pointer)
            return None
        name = attr.split(".")[0]
        defined = _top_level(tree)
        if name not in defined:
            self._error(f"{module!r} has no attribute {name!r}", pointer, suggest(name, list(defined)))
            return None
        return defined[name]

    def _tree(self, module: str) -> tuple[Optional[ast.Module], Optional[str]]:
        """The parsed source of `module` (None, and why, when it cannot be read)."""
        if module not in self._trees:
            path = _module_file(module, [self.folder, *sys.path])
            if path is None:
                self._trees[module] = (None, None)
            else:
                try:
                    with open(path, encoding="utf-8") as fh:
                        self._trees[module] = (ast.parse(fh.read(), path), None)
                except (OSError, SyntaxError, ValueError) as e:
                    self._trees[module] = (None, f"cannot read module {module!r} at {path}: {e}")
        return self._trees[module]


def _module_file(module: str, roots: list[str]) -> Optional[str]:
    """The source file of dotted `module` under one of `roots`, found without importing."""
    parts = module.split(".")
    for root in roots:
        if not root or not os.path.isdir(root):
            continue
        base = os.path.join(root, *parts)
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.isfile(candidate):
                return candidate
    return None


def _top_level(tree: ast.Module) -> dict[str, ast.AST]:
    """Names bound at a module's top level, each with the statement binding it."""
    found: dict[str, ast.AST] = {}
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found[stmt.name] = stmt
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                found[(alias.asname or alias.name).split(".")[0]] = stmt
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        found[name.id] = stmt
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            found[stmt.target.id] = stmt
    return found


def _params(fn: Any) -> _Params:
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    defaults = {a.arg for a in positional[len(positional) - len(args.defaults):]} if args.defaults else set()
    defaults |= {a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None}
    inputs = []
    for i, arg in enumerate([*positional, *args.kwonlyargs]):
        annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
        if i == 0 and (arg.arg in CONTEXT_NAMES or annotation.endswith("Context")):
            continue
        if arg.arg == "config" or annotation.endswith(("Resource", "Config")) or "ResourceParam" in annotation:
            continue
        inputs.append(arg.arg)
    return _Params(tuple(inputs), frozenset(defaults), args.kwarg is not None)
