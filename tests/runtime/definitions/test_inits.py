"""The `__init__`s value classes get (inits.py): swap_init's, for frozen classes with slots, and
bound_init's on them. (direct_init's and bound_init's without slots: test_values.py, which
tested them before they moved out of values.py.)"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
import weakref
from dataclasses import dataclass, field, make_dataclass

import pytest

from specrun.runtime.definitions.inits import bound_init, swap_init, writable
from specrun.runtime.definitions.values import value_class

from .test_values import _every_kind_of_field


def _slotted(make, name: str = "S") -> type:
    body = {"__module__": __name__, "__doc__": "A value.",
            "__annotations__": {f[0]: f[1] for f in _every_kind_of_field()}}
    body.update({f[0]: f[2] for f in _every_kind_of_field() if len(f) > 2})
    return make(type(name, (), body))


_Plain = _slotted(dataclass(frozen=True, slots=True), "_Plain")  # dataclass's own
_Swapped = _slotted(value_class(frozen=True, slots=True), "_Swapped")
_Weak = _slotted(value_class(frozen=True, slots=True, weakref_slot=True), "_Weak")


def _state(obj) -> list:
    return [getattr(obj, f.name) for f in dataclasses.fields(obj)]


_CALLS = [(("a",), {}), (("a", [1], 2), {"tail": (3,)}), ((), {"name": "b", "count": 5})]


@pytest.mark.parametrize("args, kwargs", _CALLS)
def test_swap_init_fills_the_fields_dataclass_s_init_fills_and_leaves_the_class_its_own(args, kwargs):
    swapped, plain = _Swapped(*args, **kwargs), _Plain(*args, **kwargs)
    assert _state(swapped) == _state(plain)  # (the init=False ones too: "fixed" and a fresh "later")
    assert type(swapped) is _Swapped and not hasattr(swapped, "__dict__")
    assert str(inspect.signature(_Swapped)) == str(inspect.signature(_Plain))
    assert "_vc_twin" in _Swapped.__init__.__code__.co_names  # swap_init's
    with pytest.raises(dataclasses.FrozenInstanceError):
        swapped.name = "c"  # type: ignore[misc]


def test_swap_init_makes_fresh_defaults_and_calls_post_init():
    first, second = _Swapped("a"), _Swapped("a")
    assert first == second and first.items is not second.items and first.later is not second.later

    @value_class(frozen=True, slots=True)
    class Doubled:
        value: int
        double: int = field(init=False, default=0)

        def __post_init__(self) -> None:
            object.__setattr__(self, "double", self.value * 2)

    assert Doubled(4).double == 8 and type(Doubled(4)) is Doubled


def test_swap_init_fills_a_subclass_with_a_dict_of_its_own():
    """Its layout is another (a dict more): its instances are not changed of class but filled
    through object.__setattr__, and its other names are its own, as for dataclass's subclasses."""
    sub = type("Sub", (_Swapped,), {})
    made = sub("a", [1], 2, tail=(3,))
    assert type(made) is sub and _state(made) == _state(_Swapped("a", [1], 2, tail=(3,)))
    made.other = 1
    assert vars(made) == {"other": 1}
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.name = "b"  # type: ignore[misc]


def test_a_frozen_class_with_slots_pickles_copies_and_replaces_as_dataclass_s():
    made = _Swapped("a", [1], 2, tail=(3,))
    for again in (pickle.loads(pickle.dumps(made)), copy.copy(made), copy.deepcopy(made)):
        assert again == made and type(again) is _Swapped
        with pytest.raises(dataclasses.FrozenInstanceError):
            again.name = "b"  # type: ignore[misc]
    assert made.__getstate__() == _Plain("a", [1], 2, tail=(3,)).__getstate__()
    changed = dataclasses.replace(made, count=7)
    assert type(changed) is _Swapped and changed.count == 7 and changed.items == [1]


def test_weakref_slot_takes_weak_references_and_nothing_else():
    made = _Weak("a")
    assert weakref.ref(made)() is made and not hasattr(made, "__dict__")
    assert pickle.loads(pickle.dumps(made)) == made
    with pytest.raises(TypeError):
        weakref.ref(_Swapped("a"))  # (as dataclass's with slots and without weakref_slot)


def test_writable_is_one_subclass_a_class_of_its_layout_whose_slots_may_be_set():
    twin = writable(_Swapped)
    assert writable(_Swapped) is twin and twin.__bases__ == (_Swapped,) and twin.__slots__ == ()
    assert twin.__basicsize__ == _Swapped.__basicsize__
    made = twin()
    made.name = "a"
    made.__class__ = _Swapped
    assert type(made) is _Swapped and made.name == "a"
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.name = "b"  # type: ignore[misc]


def test_bound_init_and_swap_init_store_a_field_not_in_init_with_slots():
    """With slots there is no class attribute to read a default from: it is stored (dataclass's
    own __init__ does the same); bound_init left it unset."""
    bound = bound_init(_slotted(dataclass(frozen=True, slots=True)))
    assert bound("a").fixed == "x" and _Swapped("a").fixed == "x"


def test_swap_init_refuses_what_it_cannot_keep():
    with pytest.raises(TypeError, match="swap_init needs a frozen dataclass"):
        swap_init(dataclass(slots=True)(type("M", (), {"__annotations__": {"a": int}})))
    with pytest.raises(TypeError, match="writable needs a class with slots"):
        swap_init(make_dataclass("N", [("a", int)], frozen=True))  # (its stores would go to a dict)


def test_a_dataclass_subclass_of_a_frozen_class_with_slots_pickles_its_own_fields_too():
    @value_class(frozen=True, slots=True)
    class Base:
        a: int

    @value_class(frozen=True)
    class More(Base):
        extra: int = 0

    made = More(1, extra=4)  # (copied through the pickling protocol: a local class is not picklable by name)
    assert copy.copy(made) == made and copy.deepcopy(made).extra == 4


def test_swap_init_fills_a_subclass_instance_by_one_call_not_a_statement_a_field(monkeypatch):
    """(What it costs to compile: the text of the other way is one line.)"""
    compiled = []
    real_exec = exec

    def counting_exec(source, *args, **kwargs):
        compiled.append(source)
        return real_exec(source, *args, **kwargs)

    monkeypatch.setattr("builtins.exec", counting_exec)
    _slotted(value_class(frozen=True, slots=True))
    monkeypatch.undo()
    (init,) = [text for text in compiled if text.startswith("def __init__")]
    other_way = init.split("    else:\n", 1)[1].splitlines()
    assert other_way == ["        _vc_set_each(self, ('name', 'items', 'count', 'later', 'fixed', 'tail'), (name, "
                         "_factory_items() if items is _unset_items else items, count, _factory_later(), "
                         "_default_fixed, tail, ))"]
