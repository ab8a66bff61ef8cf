"""The `__init__`s of frozen value classes: `bound_init` (it calls `object.__setattr__` bound to
the instance once), `swap_init` (with slots: plain attribute stores, the instance being for
that time one of the class's writable twin) and `direct_init` (it fills the instance's
`__dict__` directly), each of the generated one's signature; and `store_init`, dataclass's
plain stores for a mutable class. The code of each is kept with the package (`kept_inits`).

A frozen dataclass's generated `__init__` stores each field with `object.__setattr__` (the
class's own `__setattr__` refuses): on CPython 3.11 about 1,000 instructions a field (a
wrapper-descriptor call that slices its argument tuple), against a few dozen for a store
into the instance dict. A fresh 1,000-asset `specrun apply` made about 110,000 such stores,
nearly all in the definitions made for each asset at compile time and in its spec entry.
`bound_init` makes them ~1,000 instead of ~1,500 instructions a field: the same store into the
same place (the dict stays unmade and reads keep their speed).

`swap_init` needs slots: the instance becomes one of `writable(cls)` (a subclass adding
nothing to the layout, whose `__setattr__` is `object`'s), each field is stored by a plain
attribute store (the interpreter's own, a few dozen instructions), and the instance becomes
one of `cls` again (~1,500 instructions for the two changes of class): `OpDefinition(...)`
of 12 fields by position 13.4k -> 5.1k instructions, `AssetsDefinition(...)` of 21 24.1k -> 7.6k.

`direct_init` leaves the class a frozen dataclass (`fields`, `replace`, `asdict`, repr,
equality, hashing and the refusal to set attributes stay dataclasses' own) and gives it an
`__init__` with the generated one's signature (the same parameters, order, defaults,
default factories and keyword-only parameters; `inspect.signature` shows the same) that
writes the fields in field order, as the generated one does, then calls `__post_init__`.
The price: reading `self.__dict__` makes the instance's dict a real one, and CPython 3.11
reads attributes of such an instance more slowly than those of one whose dict was never
asked for (its values stay inline). So only classes whose instances are made often and read
little use it: the spec's entries and staleness decisions. The definitions a run reads on
every step (`OpDefinition`, `In`, `Out`, `AssetsDefinition`, `MetadataValue`) do not: with
it they made a 1,000-op chain's first run 4.6k instructions a step dearer (104.6k -> 109.2k).
"""

from __future__ import annotations

import builtins
import dataclasses
import sys
from types import FunctionType
from typing import Any, Callable, Optional, TypeVar

from . import kept_inits

_C = TypeVar("_C", bound=type)


def direct_init(cls: _C) -> _C:
    """Give the frozen dataclass `cls` an `__init__` that writes `self.__dict__` directly."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or not params.init or "__slots__" in cls.__dict__:
        raise TypeError(f"direct_init needs a frozen dataclass without slots, not {cls!r}")
    return _own_init(cls, "direct_init", lambda stored: [
        "__values = self.__dict__", *[f"__values[{name!r}] = {value}" for name, value in stored]])


def bound_init(cls: _C) -> _C:
    """Give the frozen dataclass `cls` an `__init__` that stores each field through
    `object.__setattr__` bound to the instance once, instead of looking it up and calling it
    on `object` for each field: the same store into the same place (the instance's dict stays
    unmade), ~1,000 instead of ~1,500 instructions a field on CPython 3.11."""
    return _own_init(cls, "bound_init", _bound_stores)


def _bound_stores(stored: list[tuple[str, str]]) -> list[str]:
    return ["__set = _object_setattr.__get__(self)", *[f"__set({name!r}, {value})" for name, value in stored]]


def swap_init(cls: _C) -> _C:
    """Give the frozen dataclass with slots `cls` an `__init__` that makes the instance, for its
    time in `__init__`, one of `writable(cls)`, stores each field with a plain attribute store
    (the interpreter's own, a few dozen instructions a field against ~1,000 through
    `object.__setattr__`), and makes it one of `cls` again: Python allows that between classes
    of the same layout (~1,500 instructions for the two). An instance of a subclass (whose
    layout may be another, with a dict) has its fields stored through `object.__setattr__` by one
    call (not a statement a field: ~0.6 M instructions less to compile a class of 21 fields)."""

    def body(stored: list[tuple[str, str]]) -> list[str]:
        return ["if _vc_type(self) is _vc_cls:",
                "    _object_setattr(self, '__class__', _vc_twin)",
                *[f"    self.{name} = {value}" for name, value in stored],
                "    self.__class__ = _vc_cls",
                "else:",
                f"    _vc_set_each(self, {tuple(name for name, _ in stored)!r}, ({''.join(value + ', ' for _, value in stored)}))"]

    return _own_init(cls, "swap_init", body, {"_vc_type": type, "_vc_cls": cls, "_vc_twin": writable(cls),
                                              "_vc_set_each": set_each})


def store_init(cls: _C) -> _C:
    """Give the mutable dataclass `cls` the `__init__` dataclass would give it (each field set by
    a plain attribute store, in field order), written by `_own_init`: its code is kept with the
    package (`kept_inits`), where dataclass compiles its own for each class."""
    return _own_init(cls, "store_init", lambda stored: [f"self.{name} = {value}" for name, value in stored] or ["pass"])


def set_each(obj: Any, names: tuple[str, ...], values: tuple[Any, ...]) -> None:
    """Store each value in the field of its name, past the class's `__setattr__`."""
    for name, value in zip(names, values):
        object.__setattr__(obj, name, value)


def writable(cls: type) -> type:
    """The writable twin of the frozen class with slots `cls`: a subclass that adds nothing to its
    layout (so an instance may change between the two), whose slots are set by plain attribute
    stores (`object`'s `__setattr__` and `__delattr__`) and which is made by calling it with no
    argument (`object`'s `__init__`). Made once a class, kept on it."""
    if "__slots__" not in cls.__dict__:
        raise TypeError(f"writable needs a class with slots of its own, not {cls!r}")
    twin = cls.__dict__.get("_vc_writable")
    if twin is None:
        twin = type(f"_Writable{cls.__name__}", (cls,), {
            "__slots__": (), "__init__": object.__init__, "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__, "__module__": cls.__module__,
            "__qualname__": f"{cls.__qualname__}._vc_writable",
            "__doc__": f"A `{cls.__qualname__}` whose slots may be set."})
        type.__setattr__(cls, "_vc_writable", twin)
    return twin


def _own_init(cls: _C, who: str, body: Callable[[list[tuple[str, str]]], list[str]],
              more: Optional[dict[str, Any]] = None) -> _C:
    """Replace the generated `__init__` of the frozen dataclass `cls` (`store_init`: a mutable one)
    by one with its signature whose lines are `body(stored)` (`stored`: each field's name and the text of its value, in
    field order), then a call of `__post_init__`; `more`: names the lines use besides. A field
    not in `__init__` with a default (no factory) is stored only with slots: without, the
    instance reads the class attribute, as dataclass's `__init__` leaves it."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not (params.frozen or who == "store_init") or not params.init:
        raise TypeError(f"{who} needs a {'' if who == 'store_init' else 'frozen '}dataclass, not {cls!r}")
    fields = dataclasses.fields(cls)
    made = cls.__dict__.get("__init__")  # dataclass's (or an earlier _own_init's); none: value_class's own_init
    generated = _Parameters.of_function(made) if made is not None else _Parameters.of_fields(cls, fields)
    positional, keyword_only = generated.positional, generated.keyword_only
    if sorted(positional + keyword_only) != sorted(f.name for f in fields if f.init):
        raise TypeError(f"{who}: {cls.__qualname__}.__init__ takes more than its fields (an InitVar?)")
    defaults = dict(zip(positional[len(positional) - len(generated.defaults or ()):],
                        generated.defaults or ()))
    defaults.update(generated.kwdefaults or {})
    names: dict[str, Any] = {"_object_setattr": object.__setattr__, **(more or {})}
    slots = "__slots__" in cls.__dict__
    stored = []
    for f in fields:
        if f.default_factory is not dataclasses.MISSING:
            names[f"_factory_{f.name}"] = f.default_factory
            if f.init:  # the parameter's default is the generated __init__'s "use the factory" marker
                names[f"_unset_{f.name}"] = defaults[f.name]
                value = f"_factory_{f.name}() if {f.name} is _unset_{f.name} else {f.name}"
            else:
                value = f"_factory_{f.name}()"
        elif f.init:
            value = f.name
        elif slots and f.default is not dataclasses.MISSING:  # (no class attribute to read it from)
            names[f"_default_{f.name}"] = f.default
            value = f"_default_{f.name}"
        else:  # as in the generated one: read from the class attribute (its default), if any
            continue
        stored.append((f.name, value))
    lines = body(stored)
    if hasattr(cls, "__post_init__"):
        lines.append("self.__post_init__()")
    signature = ", ".join(["self", *positional, *(["*", *keyword_only] if keyword_only else [])])
    source = f"def __init__({signature}):\n" + "".join(f"    {line}\n" for line in lines)
    init = _function(source, names)
    init.__defaults__, init.__kwdefaults__ = generated.defaults, generated.kwdefaults
    init.__annotations__ = generated.annotations
    init.__qualname__, init.__module__ = generated.qualname, generated.module
    setattr(cls, "__init__", init)  # (mypy refuses `cls.__init__ = ...`)
    return cls


def _function(source: str, names: dict[str, Any]) -> Any:
    """The function `source` defines, with `names` as its globals: made from the code kept
    with the package for that text (`kept_inits`), or else compiled from it (`exec`)."""
    code = kept_inits.kept_code(source)
    if code is None:
        exec(source, names)  # noqa: S102 - the text is made from a class's field names only
        return names["__init__"]
    names["__builtins__"] = builtins.__dict__  # (as `exec` adds them)
    names["__init__"] = init = FunctionType(code, names)
    return init


def may_have_initvar(cls: type) -> bool:
    """Whether one of `cls`'s own annotations may be an InitVar (a text naming it counts):
    `_own_init` refuses those, from the parameters of dataclass's `__init__`."""
    return any(isinstance(t, dataclasses.InitVar) or t is dataclasses.InitVar or (isinstance(t, str) and "InitVar" in t)
               for t in cls.__dict__.get("__annotations__", {}).values())


class _Parameters:
    """The parameters of a dataclass's generated `__init__`: read from it, or worked out from
    the fields as dataclass would write them (value_class asks dataclass for none)."""

    __slots__ = ("positional", "keyword_only", "defaults", "kwdefaults", "annotations", "qualname", "module")

    @classmethod
    def of_function(cls, fn: Any) -> "_Parameters":
        code, found = fn.__code__, cls()
        found.positional = code.co_varnames[1:code.co_argcount]
        found.keyword_only = code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]
        found.defaults, found.kwdefaults = fn.__defaults__, fn.__kwdefaults__
        found.annotations, found.qualname, found.module = fn.__annotations__, fn.__qualname__, fn.__module__
        return found

    @classmethod
    def of_fields(cls, made: type, fields: tuple[dataclasses.Field, ...]) -> "_Parameters":
        """dataclass's order (positional fields, then keyword-only ones), defaults (a default
        factory's marked by dataclass's own marker), annotations and error for a field without
        a default after one with a default."""
        positional = [f for f in fields if f.init and not f.kw_only]
        keyword_only = [f for f in fields if f.init and f.kw_only]
        after: Optional[dataclasses.Field] = None
        for f in positional:
            if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
                after = f
            elif after is not None:
                raise TypeError(f"non-default argument {f.name!r} follows default argument"
                                + (f" {after.name!r}" if sys.version_info >= (3, 13) else ""))
        found = cls()
        found.positional = tuple(f.name for f in positional)
        found.keyword_only = tuple(f.name for f in keyword_only)
        defaults = {f.name: f.default if f.default is not dataclasses.MISSING else dataclasses._HAS_DEFAULT_FACTORY  # type: ignore[attr-defined]
                    for f in (*positional, *keyword_only)
                    if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING}
        found.defaults = tuple(defaults[f.name] for f in positional if f.name in defaults) or None
        found.kwdefaults = {f.name: defaults[f.name] for f in keyword_only if f.name in defaults} or None
        found.annotations = {**{f.name: f.type for f in (*positional, *keyword_only)}, "return": None}
        found.qualname = f"{made.__qualname__}.__init__"
        found.module = made.__module__ if made.__module__ in sys.modules else None
        return found
