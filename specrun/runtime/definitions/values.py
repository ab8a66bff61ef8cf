"""`direct_init`: a frozen dataclass whose `__init__` fills the instance's `__dict__` directly.

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

The price: reading `self.__dict__` makes the instance's dict a real one, and CPython 3.11
reads attributes of such an instance more slowly than those of one whose dict was never
asked for (its values stay inline). So only classes whose instances are made often and read
little use it: the spec's entries and staleness decisions. The definitions a run reads on
every step (`OpDefinition`, `In`, `Out`, `AssetsDefinition`, `MetadataValue`) do not: with
it they made a 1,000-op chain's first run 4.6k instructions a step dearer (104.6k -> 109.2k).
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

_C = TypeVar("_C", bound=type)


def direct_init(cls: _C) -> _C:
    """Give the frozen dataclass `cls` an `__init__` that writes `self.__dict__` directly."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or not params.init or "__slots__" in cls.__dict__:
        raise TypeError(f"direct_init needs a frozen dataclass without slots, not {cls!r}")
    generated = cls.__dict__["__init__"]
    code = generated.__code__
    positional = code.co_varnames[1:code.co_argcount]
    keyword_only = code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]
    fields = dataclasses.fields(cls)
    if sorted(positional + keyword_only) != sorted(f.name for f in fields if f.init):
        raise TypeError(f"direct_init: {cls.__qualname__}.__init__ takes more than its fields (an InitVar?)")
    defaults = dict(zip(positional[len(positional) - len(generated.__defaults__ or ()):],
                        generated.__defaults__ or ()))
    defaults.update(generated.__kwdefaults__ or {})
    names: dict[str, Any] = {}
    lines = []
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
        lines.append(f"    __values[{f.name!r}] = {value}\n")
    if hasattr(cls, "__post_init__"):
        lines.append("    self.__post_init__()\n")
    signature = ", ".join(["self", *positional, *(["*", *keyword_only] if keyword_only else [])])
    source = f"def __init__({signature}):\n    __values = self.__dict__\n{''.join(lines)}"
    exec(source, names)  # noqa: S102 - the text is made above from the class's field names only
    init = names["__init__"]
    init.__defaults__, init.__kwdefaults__ = generated.__defaults__, generated.__kwdefaults__
    init.__annotations__ = generated.__annotations__
    init.__qualname__, init.__module__ = generated.__qualname__, generated.__module__
    setattr(cls, "__init__", init)  # (mypy refuses `cls.__init__ = ...`)
    return cls
