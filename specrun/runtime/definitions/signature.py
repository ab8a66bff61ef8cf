"""Reading a compute function's parameters: which is the context, the config, a resource,
and which are inputs."""

from __future__ import annotations

import inspect
import typing
import weakref
from dataclasses import field
from types import FunctionType
from typing import Any, Callable, Collection, Mapping, Optional

from ...errors import DefinitionError
from ..config import is_config_class
from .nodes import _NoGraphInputs
from .values import value_class

CONTEXT_NAMES = frozenset({"context", "_context", "_", "ctx", "_ctx"})
_SHORT = 8  # (parameters tested in the tuple itself: see `ComputeSignature.input_param_set`)


class _NoInputDefaults(_NoGraphInputs):
    """`ComputeSignature.input_defaults` of a function whose inputs have no default (most): one
    read-only empty dict shared by every such signature, where each kept one of its own (64
    bytes with each op and asset definition of its own function), as `NO_GRAPH_INPUTS` is for
    nodes: a change raises TypeError; it pickles and copies as itself (`NO_INPUT_DEFAULTS`)."""

    __slots__ = ()
    _what, _name = "a signature's input defaults", "NO_INPUT_DEFAULTS"


class _NoInputAnnotations(_NoGraphInputs):
    """`ComputeSignature.input_annotations` of a function with no input (a root asset), as
    `NO_INPUT_DEFAULTS` (`NO_INPUT_ANNOTATIONS`)."""

    __slots__ = ()
    _what, _name = "a signature's input annotations", "NO_INPUT_ANNOTATIONS"


NO_INPUT_DEFAULTS = _NoInputDefaults()
NO_INPUT_ANNOTATIONS = _NoInputAnnotations()


@value_class(frozen=True)
class ComputeSignature:
    """What each parameter of a compute function is for."""

    context_param: Optional[str]
    config_param: Optional[str]
    config_class: Optional[type]
    resource_params: tuple[str, ...]
    input_params: tuple[str, ...]
    input_annotations: Mapping[str, Any]  # (`NO_INPUT_ANNOTATIONS` when there is no input)
    has_var_kwargs: bool
    input_defaults: Mapping[str, Any]  # (`NO_INPUT_DEFAULTS` when there are none)
    # `input_params` for `name in ...` tests, made with the signature (a
    # `functools.cached_property` takes a lock on its first read, once per step of each node in
    # a first run): a set when long (a join may have 10,000 inputs), else the tuple itself.
    input_param_set: Collection[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # (A short tuple is tested as fast, and a plan of 10,000 nodes reads one line of it
        # where a frozenset's test read two or three of its ~200 bytes, out of cache.)
        params = self.input_params
        object.__setattr__(self, "input_param_set",
                           frozenset(params) if len(params) > _SHORT else params)


def _made_of(fn: Any) -> Optional[tuple]:
    """What a plain function's signature and annotations are read from (its code, defaults and
    annotations), or None for another callable or a function with attributes of its own (one
    may be what `inspect.signature` reads: `__wrapped__`, `__signature__`): what is read of
    those is not kept. Each may be replaced in place between two jobs of one process
    (IPython's autoreload, a hot reloader, a test); what was read of the old ones is not given
    for the new: a kept reading is given only while its function is made of the same objects."""
    if fn.__class__ is not FunctionType or fn.__dict__:
        return None
    return fn.__code__, fn.__defaults__, fn.__kwdefaults__, fn.__annotations__


def _same(kept: tuple, made: tuple) -> bool:
    """Whether two `_made_of`s are of the same objects (by identity: `==` would call the
    defaults' own `__eq__`)."""
    return kept[0] is made[0] and kept[1] is made[1] and kept[2] is made[2] and kept[3] is made[3]


def _hints(fn: Callable[..., Any]) -> dict:
    """`fn`'s resolved annotations (read only: shared by every caller), worked out once per
    function like `read_signature`: a spec often builds thousands of assets from a few."""
    made = _made_of(fn)
    kept = _HINTS.get(fn) if made is not None else None
    if kept is not None and _same(kept[0], made):
        return kept[1]
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception:  # unresolvable forward references (for now): the raw annotations, not kept
        return dict(getattr(fn, "__annotations__", {}))
    if made is not None:
        _HINTS[fn] = (made, hints)
    return hints


def docstring(fn: Callable[..., Any]) -> Optional[str]:
    """`inspect.getdoc(fn)`, worked out once per doc: kept by the function while its `__doc__`
    is the text it was cleaned from (a doc may be replaced in place, as code may)."""
    doc = getattr(fn, "__doc__", None)
    try:
        kept = _DOCS[fn]
    except (KeyError, TypeError):  # (TypeError: not weak-referenceable)
        pass
    else:
        if kept[0] is doc:
            return kept[1]
    found = inspect.getdoc(fn)
    # Kept when made of the text alone, or of a top-level function's none: inspect looks
    # further only for a method's (in its class's bases, which may change).
    if doc.__class__ is str or "." not in getattr(fn, "__qualname__", "."):
        try:
            _DOCS[fn] = (doc, found)
        except TypeError:
            pass
    return found


# plain function -> (`_made_of` it, its resolved annotations)
_HINTS: "weakref.WeakKeyDictionary[Any, tuple]" = weakref.WeakKeyDictionary()
# callable -> (its `__doc__` text, `inspect.getdoc` of it)
_DOCS: "weakref.WeakKeyDictionary[Any, tuple]" = weakref.WeakKeyDictionary()


def _is_context_annotation(annotation: Any) -> bool:
    name = getattr(annotation, "__name__", annotation if isinstance(annotation, str) else "")
    return isinstance(name, str) and name.endswith("ExecutionContext")


def _is_resource_annotation(annotation: Any) -> bool:
    from .resources import ResourceParam, is_configurable_resource_class

    if typing.get_origin(annotation) is typing.Annotated:
        return any(m is ResourceParam for m in typing.get_args(annotation)[1:])
    return is_configurable_resource_class(annotation)


# plain function -> (`_made_of` it, its ComputeSignature)
_CACHE: "weakref.WeakKeyDictionary[Any, tuple]" = weakref.WeakKeyDictionary()


def read_signature(fn: Callable[..., Any], what: str) -> ComputeSignature:
    """Classify `fn`'s parameters; `what` names the definition in error messages.

    Kept per plain function while it is made of the same code, defaults and annotations
    (`_made_of`): a spec often builds thousands of assets from a few functions.
    """
    made = _made_of(fn)
    kept = _CACHE.get(fn) if made is not None else None
    if kept is not None and _same(kept[0], made):
        return kept[1]
    sig = _read_signature(fn, what)
    if made is not None:
        _CACHE[fn] = (made, sig)
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
    annotations = {name: hints.get(name) for name in inputs} or NO_INPUT_ANNOTATIONS
    by_name = {p.name: p for p in params}
    empty = inspect.Parameter.empty
    defaults = ({n: by_name[n].default for n in inputs if by_name[n].default is not empty}
                or NO_INPUT_DEFAULTS)
    return ComputeSignature(context_param, config_param, config_class, tuple(resources),
                            tuple(inputs), annotations, var_kwargs, defaults)
