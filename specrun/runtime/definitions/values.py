"""`value_class`: a dataclass whose `__repr__`, `__eq__` and `__hash__` are not compiled from
source; `direct_init`: a frozen dataclass whose `__init__` fills the instance's `__dict__` directly;
`bound_init`: one whose `__init__` calls `object.__setattr__` bound to the instance once.

`dataclasses.dataclass` writes each method it adds as Python source and compiles it (one
`exec` a method on CPython 3.11): making a frozen class of six fields costs ~4.2 M
instructions, of which its `__repr__`, `__eq__` and `__hash__` ~1.4 M, and a `specrun apply`
makes 57 classes before its first step. `value_class` asks `dataclass` for the same class without those three and gives it
them made from its fields by the functions below (`operator.attrgetter` reads the fields in
C): the same values, the same `NotImplemented` for another class, the same `...` for a
recursive repr. `__dataclass_params__` still says repr and eq. A `__repr__` of the class's own
is kept, as `dataclass` keeps it; a class whose body defines `__eq__` or `__hash__` is refused
(`dataclass` has rules for those that this does not copy).

A frozen dataclass's generated `__init__` stores each field with `object.__setattr__` (the
class's own `__setattr__` refuses): on CPython 3.11 about 1,000 instructions a field (a
wrapper-descriptor call that slices its argument tuple), against a few dozen for a store
into the instance dict. A fresh 1,000-asset `specrun apply` made about 110,000 such stores,
nearly all in the definitions made for each asset at compile time and in its spec entry.

`direct_init` leaves the class a frozen dataclass (`fields`, `replace`, `asdict`, repr,
equality, hashing and the refusal to set attributes stay dataclasses' own) and gives it an
`__init__` with the generated one's signature (the same parameters, order, defaults,
default factories and keyword-only parameters; `inspect.signature` shows the same) that
writes the fields in field order, as the generated one does, then calls `__post_init__`.

`value_class(frozen=True, direct=True)` is `direct_init` over `value_class(frozen=True)`, with
direct_init's `__init__` compiled alone (bound_init's is not made first, only to be replaced).

The price: reading `self.__dict__` makes the instance's dict a real one, and CPython 3.11
reads attributes of such an instance more slowly than those of one whose dict was never
asked for (its values stay inline). So only classes whose instances are made often and read
little use it: the spec's entries and staleness decisions. The definitions a run reads on
every step (`OpDefinition`, `In`, `Out`, `AssetsDefinition`, `MetadataValue`) do not: with
it they made a 1,000-op chain's first run 4.6k instructions a step dearer (104.6k -> 109.2k).

A frozen `value_class` is made frozen by `value_class` itself where dataclass would apply no
rule of its own (no dataclass base, no `slots`, no `__init__`, `__setattr__` or `__delattr__`
in the class body; the others are dataclass's frozen classes as before): dataclass makes the
class mutable, and the class gets a `__setattr__` and a `__delattr__` made by `_freeze` (the
condition, errors and fallback of dataclass's, not compiled from text: the two cost ~1.3 M
instructions a class) and `bound_init`'s `__init__`, of the generated one's signature, which
binds `object.__setattr__` to the instance once and stores each field through it: the same
store into the same place (the dict stays unmade and reads keep their speed), ~1,000
instead of ~1,500 instructions a field. `__dataclass_params__` says frozen. dataclass is
asked for no `__init__` there (`init=False`): the one it would compile, only to be replaced, cost
~0.9 M instructions a class; its parameters (order, defaults, the default factory's marker,
annotations, the error for a field without a default after one with) are worked out from the
fields as dataclass writes them (`_Parameters.of_fields`). A class whose annotations may hold
an InitVar still gets dataclass's, and is refused as before.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import reprlib
import sys
from operator import attrgetter
from typing import Any, Callable, Optional, TypeVar, overload

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # (pydantic, a dependency, requires typing_extensions)
    from typing_extensions import dataclass_transform

_C = TypeVar("_C", bound=type)


@overload
def value_class(cls: _C, /) -> _C: ...


@overload
def value_class(*, frozen: bool = False, eq: bool = True, slots: bool = False,
                kw_only: bool = False, direct: bool = False) -> Callable[[_C], _C]: ...


@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def value_class(cls: Optional[_C] = None, /, *, frozen: bool = False, eq: bool = True, slots: bool = False,
                kw_only: bool = False, direct: bool = False) -> Any:
    """`dataclasses.dataclass(cls, frozen=..., eq=..., slots=..., kw_only=...)` (as a decorator,
    with or without its options), whose `__repr__`, `__eq__` and `__hash__` are made without
    compiling source. `direct=True`: the class as `direct_init` makes it (a frozen class made
    frozen here gets direct_init's `__init__` only, not bound_init's first)."""

    def wrap(cls: _C) -> _C:
        own = sorted({"__eq__", "__hash__"} & set(cls.__dict__))
        if own:
            raise TypeError(f"value_class: {cls.__qualname__} defines {', '.join(own)}: use dataclass")
        own_repr = "__repr__" in cls.__dict__  # kept, as dataclass keeps it
        frozen_here = frozen and _freezable(cls, slots)
        undocumented = not getattr(cls, "__doc__")
        # frozen here: bound_init writes the __init__, so dataclass is not asked to compile one
        own_init = frozen_here and not _may_have_initvar(cls)
        if undocumented and own_init:  # dataclass would sign it without an __init__: object's, through the
            cls.__doc__ = "-"  # tokenizer of a builtin's text signature (~13 M instructions the first time)
        made = dataclasses.dataclass(cls, frozen=frozen and not frozen_here, eq=False, repr=False, slots=slots,
                                     kw_only=kw_only, init=not own_init)
        fields = dataclasses.fields(made)
        if not own_repr:
            _method(made, "__repr__", _repr([f.name for f in fields if f.repr]))
        if eq:
            _method(made, "__eq__", _eq(_values([f.name for f in fields if f.compare])))
            if frozen:  # as dataclass's: the fields compared, unless `hash=` says otherwise
                hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
                _method(made, "__hash__", _hash(_values(hashed)))
            else:  # mutable and compared by value: unhashable, as dataclass makes it
                made.__hash__ = None  # type: ignore[assignment]
        params = copy.copy(made.__dataclass_params__)  # type: ignore[attr-defined]
        params.repr, params.eq = True, eq
        if frozen_here:
            params.frozen = params.init = True
        made.__dataclass_params__ = params  # type: ignore[attr-defined]
        if frozen_here:
            _freeze(made, tuple(f.name for f in fields), direct)
            if undocumented and own_init:  # dataclass's doc of a class without one: its name and signature
                made.__doc__ = made.__name__ + str(inspect.signature(made)).replace(" -> None", "")
        elif direct:
            direct_init(made)
        return made

    return wrap if cls is None else wrap(cls)


def _freezable(cls: type, slots: bool) -> bool:
    """Whether `value_class` makes `cls` frozen itself: not when dataclass has rules to apply
    (a dataclass base, whose frozenness must match; a `__setattr__` or `__delattr__` of the
    class's own, which it refuses), remakes the class (slots) or keeps the class's own `__init__`."""
    return (not slots and not {"__init__", "__setattr__", "__delattr__"} & set(cls.__dict__)
            and not any(hasattr(base, "__dataclass_fields__") for base in cls.__mro__[1:]))


def _freeze(cls: type, names: tuple[str, ...], direct: bool = False) -> None:
    """Make the dataclass `cls` (made mutable) frozen as dataclass makes it: its `__setattr__`
    and `__delattr__` refuse its fields (any name on `cls` itself), with dataclass's errors,
    and its `__init__` stores the fields past them (`bound_init`'s, or `direct_init`'s)."""

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    _method(cls, "__setattr__", __setattr__)
    _method(cls, "__delattr__", __delattr__)
    (direct_init if direct else bound_init)(cls)


def _method(cls: type, name: str, fn: Callable[..., Any]) -> None:
    fn.__name__, fn.__qualname__, fn.__module__ = name, f"{cls.__qualname__}.{name}", cls.__module__
    setattr(cls, name, fn)


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of an instance's `names` fields (attrgetter gives a bare value for one name)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


def _repr(names: list[str]) -> Callable[[Any], str]:
    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        shown = ", ".join([f"{name}={getattr(self, name)!r}" for name in names])
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _eq(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    if sys.version_info >= (3, 13):
        return _eq_field_by_field(values)

    def __eq__(self: Any, other: Any) -> Any:  # dataclass's up to 3.12: the fields' tuples
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _eq_field_by_field(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    """dataclass's `__eq__` from Python 3.13: the same object is equal; otherwise
    `self.a == other.a and self.b == other.b ...`, whose answer is the first false
    comparison's or the last one's (so a field holding the same nan object is unequal)."""

    def __eq__(self: Any, other: Any) -> Any:
        if self is other:
            return True
        if other.__class__ is not self.__class__:
            return NotImplemented
        answer: Any = True
        for mine, theirs in zip(values(self), values(other)):
            answer = mine == theirs
            if not answer:
                break
        return answer

    return __eq__


def _hash(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def direct_init(cls: _C) -> _C:
    """Give the frozen dataclass `cls` an `__init__` that writes `self.__dict__` directly."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or not params.init or "__slots__" in cls.__dict__:
        raise TypeError(f"direct_init needs a frozen dataclass without slots, not {cls!r}")
    return _own_init(cls, "direct_init", "__values = self.__dict__", "__values[{name!r}] = {value}")


def bound_init(cls: _C) -> _C:
    """Give the frozen dataclass `cls` an `__init__` that stores each field through
    `object.__setattr__` bound to the instance once, instead of looking it up and calling it
    on `object` for each field: the same store into the same place (the instance's dict stays
    unmade), ~1,000 instead of ~1,500 instructions a field on CPython 3.11."""
    return _own_init(cls, "bound_init", "__set = _object_setattr.__get__(self)", "__set({name!r}, {value})")


def _own_init(cls: _C, who: str, start: str, store: str) -> _C:
    """Replace the generated `__init__` of the frozen dataclass `cls` by one with its signature
    that runs `start`, then `store` (formatted with a field's name and value) for each field
    in field order, then `__post_init__`."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or not params.init:
        raise TypeError(f"{who} needs a frozen dataclass, not {cls!r}")
    fields = dataclasses.fields(cls)
    made = cls.__dict__.get("__init__")  # dataclass's (or an earlier _own_init's); none: value_class's own_init
    generated = _Parameters.of_function(made) if made is not None else _Parameters.of_fields(cls, fields)
    positional, keyword_only = generated.positional, generated.keyword_only
    if sorted(positional + keyword_only) != sorted(f.name for f in fields if f.init):
        raise TypeError(f"{who}: {cls.__qualname__}.__init__ takes more than its fields (an InitVar?)")
    defaults = dict(zip(positional[len(positional) - len(generated.defaults or ()):],
                        generated.defaults or ()))
    defaults.update(generated.kwdefaults or {})
    names: dict[str, Any] = {"_object_setattr": object.__setattr__}
    lines = [f"    {start}\n"]
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
        else:  # as in the generated one: read from the class attribute (its default), if any
            continue
        lines.append(f"    {store.format(name=f.name, value=value)}\n")
    if hasattr(cls, "__post_init__"):
        lines.append("    self.__post_init__()\n")
    signature = ", ".join(["self", *positional, *(["*", *keyword_only] if keyword_only else [])])
    source = f"def __init__({signature}):\n{''.join(lines)}"
    exec(source, names)  # noqa: S102 - the text is made above from the class's field names only
    init = names["__init__"]
    init.__defaults__, init.__kwdefaults__ = generated.defaults, generated.kwdefaults
    init.__annotations__ = generated.annotations
    init.__qualname__, init.__module__ = generated.qualname, generated.module
    setattr(cls, "__init__", init)  # (mypy refuses `cls.__init__ = ...`)
    return cls


def _may_have_initvar(cls: type) -> bool:
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
