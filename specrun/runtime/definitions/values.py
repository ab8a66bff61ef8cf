"""`value_class`: a dataclass whose `__repr__`, `__eq__` and `__hash__` are not compiled from
source, made frozen (where it may) without compiling those either. The `__init__`s it gives
frozen classes (`bound_init`'s, `swap_init`'s, `direct_init`'s) are made in `inits.py`.

`dataclasses.dataclass` writes each method it adds as Python source and compiles it (one
`exec` a method on CPython 3.11): making a frozen class of six fields costs ~4.2 M
instructions, of which its `__repr__`, `__eq__` and `__hash__` ~1.4 M, and a `specrun apply`
makes 57 classes before its first step. `value_class` asks `dataclass` for the same class without those three and gives it
them made from its fields by the functions below (`operator.attrgetter` reads the fields in
C): the same values, the same `NotImplemented` for another class, the same `...` for a
recursive repr. `__dataclass_params__` still says repr and eq. A `__repr__` of the class's own
is kept, as `dataclass` keeps it; a class whose body defines `__eq__` or `__hash__` is refused
(`dataclass` has rules for those that this does not copy).

`value_class(frozen=True, direct=True)` is `direct_init` over `value_class(frozen=True)`, with
direct_init's `__init__` compiled alone (bound_init's is not made first, only to be replaced).

A frozen `value_class` is made frozen by `value_class` itself where dataclass would apply no
rule of its own (no dataclass base, no `__init__`, `__setattr__` or `__delattr__` in the
class body; the others are dataclass's frozen classes as before): dataclass makes the class
mutable, and the class gets a `__setattr__` and a `__delattr__` made by `_freeze` (the
condition, errors and fallback of dataclass's, not compiled from text: the two cost ~1.3 M
instructions a class) and `bound_init`'s `__init__` (with slots, `swap_init`'s), of the
generated one's signature. `__dataclass_params__` says frozen. dataclass is asked for no
`__init__` there (`init=False`): the one it would compile, only to be replaced, cost ~0.9 M
instructions a class; its parameters (order, defaults, the default factory's marker,
annotations, the error for a field without a default after one with) are worked out from the
fields as dataclass writes them (`inits._Parameters.of_fields`). A class whose annotations may
hold an InitVar still gets dataclass's, and is refused as before.

A frozen `value_class` that dataclass freezes itself (a subclass of a frozen dataclass, whose
frozenness dataclass's rules for bases check) gets `bound_init`'s `__init__` all the same
(`direct_init`'s with `direct=True`): dataclass is asked for none (the one it compiled for each
such class cost ~1 M instructions: IOManagerDefinition and InputManagerDefinition, in every
process that imports the IO managers, a Dask worker too).

A mutable `value_class` whose `__init__` dataclass would write (same conditions) gets
`store_init`'s instead: the same plain stores, of the same signature, written as text by
`inits._own_init`, whose code for specrun's classes is kept with the package (`kept_inits`),
where dataclass compiles its own for each class.

With slots, the class is pickled and copied as dataclass's frozen classes with slots are (the
list of its fields' values, set back past `__setattr__`), and answers a name that is not a
field as a frozen class without slots does (FrozenInstanceError; 3.11's dataclass with slots
raises a TypeError there, from `super()` of the class it remade). `weakref_slot=True` gives it
a `__weakref__` slot, as dataclass's option does.
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

from .inits import bound_init, direct_init, may_have_initvar, set_each, store_init, swap_init

_C = TypeVar("_C", bound=type)


@overload
def value_class(cls: _C, /) -> _C: ...


@overload
def value_class(*, frozen: bool = False, eq: bool = True, slots: bool = False, kw_only: bool = False,
                direct: bool = False, weakref_slot: bool = False) -> Callable[[_C], _C]: ...


@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def value_class(cls: Optional[_C] = None, /, *, frozen: bool = False, eq: bool = True, slots: bool = False,
                kw_only: bool = False, direct: bool = False, weakref_slot: bool = False) -> Any:
    """`dataclasses.dataclass(cls, frozen=..., eq=..., slots=..., kw_only=..., weakref_slot=...)` (as a
    decorator, with or without its options), whose `__repr__`, `__eq__` and `__hash__` are made without
    compiling source. `direct=True`: the class as `direct_init` makes it (a frozen class made
    frozen here gets direct_init's `__init__` only, not bound_init's first). A frozen class with
    `slots` made frozen here gets `swap_init`'s `__init__`. `weakref_slot` on Python 3.10, whose
    dataclass has no such option: a class without slots (it keeps its dict, which takes weak references)."""
    if weakref_slot and sys.version_info < (3, 11):
        slots = weakref_slot = False

    def wrap(cls: _C) -> _C:
        own = sorted({"__eq__", "__hash__"} & set(cls.__dict__))
        if own:
            raise TypeError(f"value_class: {cls.__qualname__} defines {', '.join(own)}: use dataclass")
        own_repr = "__repr__" in cls.__dict__  # kept, as dataclass keeps it
        frozen_here = frozen and _freezable(cls)
        undocumented = not getattr(cls, "__doc__")
        # frozen here: bound_init writes the __init__ (mutable: store_init), so dataclass compiles none;
        # frozen by dataclass (a subclass of a frozen dataclass): bound_init's or direct_init's too
        stored = not frozen and not direct and _freezable(cls)
        frozen_there = frozen and not frozen_here and "__init__" not in cls.__dict__
        own_init = (frozen_here or stored or frozen_there) and not may_have_initvar(cls)
        if undocumented and own_init:  # dataclass would sign it without an __init__: object's, through the
            cls.__doc__ = "-"  # tokenizer of a builtin's text signature (~13 M instructions the first time)
        made = dataclasses.dataclass(cls, frozen=frozen and not frozen_here, eq=False, repr=False, slots=slots,
                                     kw_only=kw_only, init=not own_init, **({"weakref_slot": True} if weakref_slot else {}))
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
            params.frozen = True
        params.init = params.init or own_init
        made.__dataclass_params__ = params  # type: ignore[attr-defined]
        if frozen_here:
            _freeze(made, tuple(f.name for f in fields), direct)
        elif own_init and frozen:
            (direct_init if direct else bound_init)(made)
        elif own_init:
            store_init(made)
        elif direct:
            direct_init(made)
        if undocumented and own_init:  # dataclass's doc of a class without one: its name and signature
            made.__doc__ = made.__name__ + str(inspect.signature(made)).replace(" -> None", "")
        return made

    return wrap if cls is None else wrap(cls)


def _freezable(cls: type) -> bool:
    """Whether `value_class` makes `cls` frozen itself (or, mutable, writes its `__init__`): not
    when dataclass has rules to apply (a dataclass base, whose frozenness must match; a
    `__setattr__` or `__delattr__` of the class's own, which it refuses) or keeps the class's
    own `__init__`."""
    return (not {"__init__", "__setattr__", "__delattr__"} & set(cls.__dict__)
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
    if "__slots__" not in cls.__dict__:
        (direct_init if direct else bound_init)(cls)
        return
    if direct:
        raise TypeError(f"direct_init needs a frozen dataclass without slots, not {cls!r}")
    _pickled_by_fields(cls, names)
    swap_init(cls)


def _pickled_by_fields(cls: type, names: tuple[str, ...]) -> None:
    """As dataclass does for a frozen class with slots: its instances are pickled and copied as
    the list of their fields' values (a dataclass subclass's too), set back past `__setattr__`.

    An instance of `cls` itself has the fields `names` (a class's fields are fixed once it is
    made): they are read in C, not found by `dataclasses.fields` for each instance (~6k
    instructions a value each way; a worker's step report carries one, a job a few hundred).
    An instance of a subclass, which may add fields, asks `dataclasses.fields` as before."""
    values = _values(list(names))

    def __getstate__(self: Any) -> list[Any]:
        if type(self) is cls:
            return list(values(self))
        return [getattr(self, f.name) for f in dataclasses.fields(self)]

    def __setstate__(self: Any, state: list[Any]) -> None:
        set_each(self, names if type(self) is cls else tuple(f.name for f in dataclasses.fields(self)), state)

    for name, method in (("__getstate__", __getstate__), ("__setstate__", __setstate__)):
        if name not in cls.__dict__:  # (a class's own is kept, as dataclass keeps it)
            _method(cls, name, method)


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
