"""Reading a compute function's parameters: which is the context, the config, a resource,
and which are inputs."""

from __future__ import annotations

import inspect
import typing
import weakref
from dataclasses import field
from typing import Any, Callable, Optional

from ...errors import DefinitionError
from ..config import is_config_class
from .values import value_class

CONTEXT_NAMES = frozenset({"context", "_context", "_", "ctx", "_ctx"})


@value_class(frozen=True)
class ComputeSignature:
    """What each parameter of a compute function is for."""

    context_param: Optional[str]
    config_param: Optional[str]
    config_class: Optional[type]
    resource_params: tuple[str, ...]
    input_params: tuple[str, ...]
    input_annotations: dict
    has_var_kwargs: bool
    input_defaults: dict
    input_param_set: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # `input_params` as a set (a join may have 10,000 inputs), made with the signature:
        # a `functools.cached_property` takes a lock on its first read, once per step of
        # each node in a first run.
        object.__setattr__(self, "input_param_set", frozenset(self.input_params))


def _hints(fn: Callable[..., Any]) -> dict:
    """`fn`'s resolved annotations (read only: shared by every caller), worked out once per
    function like `read_signature`: a spec often builds thousands of assets from a few."""
    try:
        return _HINTS[fn]
    except (KeyError, TypeError):
        pass
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception:  # unresolvable forward references (for now): the raw annotations, not kept
        return dict(getattr(fn, "__annotations__", {}))
    try:
        _HINTS[fn] = hints
    except TypeError:  # not weak-referenceable: just not cached
        pass
    return hints


def docstring(fn: Callable[..., Any]) -> Optional[str]:
    """`inspect.getdoc(fn)`, worked out once per function."""
    try:
        return _DOCS[fn]
    except KeyError:
        doc = _DOCS[fn] = inspect.getdoc(fn)
        return doc
    except TypeError:  # not weak-referenceable: just not cached
        return inspect.getdoc(fn)


_HINTS: "weakref.WeakKeyDictionary[Any, dict]" = weakref.WeakKeyDictionary()
_DOCS: "weakref.WeakKeyDictionary[Any, Optional[str]]" = weakref.WeakKeyDictionary()


def _is_context_annotation(annotation: Any) -> bool:
    name = getattr(annotation, "__name__", annotation if isinstance(annotation, str) else "")
    return isinstance(name, str) and name.endswith("ExecutionContext")


def _is_resource_annotation(annotation: Any) -> bool:
    from .resources import ResourceParam, is_configurable_resource_class

    if typing.get_origin(annotation) is typing.Annotated:
        return any(m is ResourceParam for m in typing.get_args(annotation)[1:])
    return is_configurable_resource_class(annotation)


_CACHE: "weakref.WeakKeyDictionary[Any, ComputeSignature]" = weakref.WeakKeyDictionary()


def read_signature(fn: Callable[..., Any], what: str) -> ComputeSignature:
    """Classify `fn`'s parameters; `what` names the definition in error messages.

    Cached per function: a spec often builds thousands of assets from a few functions.
    """
    try:
        return _CACHE[fn]
    except (KeyError, TypeError):
        pass
    sig = _read_signature(fn, what)
    try:
        _CACHE[fn] = sig
    except TypeError:  # not weak-referenceable (a builtin, a partial): just not cached
        pass
    return sig


def _read_signature(fn: Callable[..., Any], what: str) -> ComputeSignature:
    params = list(inspect.signature(fn).parameters.values())
    hints = _hints(fn)
    context_param = config_param = config_class = None
    resources: list[str] = []
    inputs: list[str] = []
    var_kwargs = False
    for i, p in enumerate(params):
        ann = hints.get(p.name, p.annotation)
        if p.kind is p.VAR_KEYWORD:
            var_kwargs = True
        elif p.kind is p.VAR_POSITIONAL:
            raise DefinitionError(f"{what}: *{p.name} is not supported; name each input")
        elif i == 0 and (p.name in CONTEXT_NAMES or _is_context_annotation(ann)):
            context_param = p.name
        elif p.name == "config" and (is_config_class(ann) or ann is p.empty):
            config_param, config_class = p.name, ann if is_config_class(ann) else None
        elif is_config_class(ann) and not _is_resource_annotation(ann):
            config_param, config_class = p.name, ann
        elif _is_resource_annotation(ann):
            resources.append(p.name)
        else:
            inputs.append(p.name)
    annotations = {name: hints.get(name) for name in inputs}
    by_name = {p.name: p for p in params}
    defaults = {n: by_name[n].default for n in inputs if by_name[n].default is not inspect.Parameter.empty}
    return ComputeSignature(context_param, config_param, config_class, tuple(resources),
                            tuple(inputs), annotations, var_kwargs, defaults)
