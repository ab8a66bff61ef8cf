import builtins
import copy
import dataclasses
import inspect
import pickle
import reprlib
import sys
from dataclasses import InitVar, dataclass, field, make_dataclass

import pytest

from specrun.runtime.definitions import values
from specrun.runtime.definitions.values import bound_init, direct_init, value_class


def _every_kind_of_field() -> list:
    """Fields of each kind a generated __init__ handles: plain, defaulted, default factory,
    init=False with a factory and with a default, keyword-only."""
    return [("name", str), ("items", list, field(default_factory=list)), ("count", int, 0),
            ("later", dict, field(default_factory=dict, init=False)), ("fixed", str, field(default="x", init=False)),
            ("tail", tuple, field(default=(), kw_only=True))]


_Plain = make_dataclass("_Plain", _every_kind_of_field(), frozen=True, namespace={"__module__": __name__})
_Direct = direct_init(make_dataclass("_Direct", _every_kind_of_field(), frozen=True, namespace={"__module__": __name__}))


_Bound = bound_init(make_dataclass("_Bound", _every_kind_of_field(), frozen=True, namespace={"__module__": __name__}))


def _made_directly(cls: type) -> bool:
    return "__values" in cls.__init__.__code__.co_varnames  # direct_init's __init__ (see values.py)


def _made_bound(cls: type) -> bool:
    return "__set" in cls.__init__.__code__.co_varnames  # bound_init's __init__


@pytest.mark.parametrize("args, kwargs", [(("a",), {}), (("a", [1], 2), {"tail": (3,)}), ((), {"name": "b", "count": 5})])
def test_bound_init_fills_the_same_fields_as_the_generated_init(args, kwargs):
    bound, plain = _Bound(*args, **kwargs), _Plain(*args, **kwargs)
    assert str(inspect.signature(_Bound)) == str(inspect.signature(_Plain))
    assert vars(bound) == vars(plain)
    assert list(vars(bound)) == list(vars(plain))  # field order
    assert _made_bound(_Bound) and not _made_bound(_Plain)


def test_bound_init_makes_fresh_defaults_keeps_the_class_frozen_and_takes_slots():
    first, second = _Bound("a"), _Bound("a")
    assert first == second and first.later is not second.later
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.name = "b"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(first)) == first
    slotted = bound_init(dataclass(frozen=True, slots=True)(type("S", (), {"__annotations__": {"a": int}})))
    assert slotted(3).a == 3 and not hasattr(slotted(3), "__dict__")
    with pytest.raises(TypeError):
        bound_init(dataclass(type("M", (), {"__annotations__": {"a": int}})))


def test_definitions_a_compile_makes_for_each_asset_bind_object_setattr_once_or_store_their_slots():
    from specrun.runtime.definitions.assets import AssetIn, AssetsDefinition
    from specrun.runtime.definitions.ops import In, OpDefinition, Out

    assert all(_made_bound(cls) for cls in (In, Out))
    assert all("_vc_twin" in cls.__init__.__code__.co_names for cls in (AssetIn, AssetsDefinition, OpDefinition))  # swap_init's


def test_direct_init_keeps_the_generated_signature():
    assert str(inspect.signature(_Direct)) == str(inspect.signature(_Plain))


@pytest.mark.parametrize("args, kwargs", [(("a",), {}), (("a", [1], 2), {"tail": (3,)}), ((), {"name": "b", "count": 5})])
def test_direct_init_fills_the_same_fields_as_the_generated_init(args, kwargs):
    direct, plain = _Direct(*args, **kwargs), _Plain(*args, **kwargs)
    assert vars(direct) == vars(plain)
    assert list(vars(direct)) == list(vars(plain))  # field order
    assert repr(direct).replace("_Direct", "_Plain") == repr(plain)


def test_direct_init_makes_fresh_defaults_and_keeps_the_class_frozen():
    first, second = _Direct("a"), _Direct("a")
    assert first == second
    assert first.items is not second.items and first.later is not second.later
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.name = "b"  # type: ignore[misc]
    assert dataclasses.replace(first, count=3).count == 3
    assert pickle.loads(pickle.dumps(first)) == first
    with pytest.raises(TypeError):
        _Direct()  # type: ignore[call-arg]


def test_direct_init_calls_post_init():
    @direct_init
    @dataclass(frozen=True)
    class Doubled:
        value: int
        double: int = field(init=False, default=0)

        def __post_init__(self) -> None:
            object.__setattr__(self, "double", self.value * 2)

    assert Doubled(4).double == 8


def test_direct_init_refuses_what_it_cannot_keep():
    with pytest.raises(TypeError):
        direct_init(dataclass(frozen=True, slots=True)(type("S", (), {"__annotations__": {"a": int}})))
    with pytest.raises(TypeError):
        direct_init(dataclass(type("M", (), {"__annotations__": {"a": int}})))

    @dataclass(frozen=True)
    class WithInitVar:
        a: int
        b: InitVar[int] = 0

    with pytest.raises(TypeError):
        direct_init(WithInitVar)


def test_spec_entries_and_decisions_are_made_without_object_setattr():
    from specrun.compiler.model import AssetEntry, InputEntry
    from specrun.runtime.staleness import Decision

    assert all(_made_directly(cls) for cls in (AssetEntry, InputEntry, Decision))


def test_definitions_a_run_reads_every_step_are_not_made_directly():
    """Their instances' dicts stay unmade, so that a run reads their attributes at full speed
    (see values.py)."""
    from specrun.runtime.definitions.assets import AssetIn, asset
    from specrun.runtime.definitions.metadata import MetadataValue

    def noop(upstream):
        return upstream

    made = asset(noop)
    classes = {AssetIn, MetadataValue, type(made), type(made.op),
               *(type(spec) for spec in (*made.op.ins.values(), *made.op.outs.values()))}
    assert {cls.__name__ for cls in classes if _made_directly(cls)} == set()
    assert len(classes) == 6


# -- value_class: dataclass's class, with __repr__, __eq__ and __hash__ not compiled from source

_OPTIONS = [{"frozen": True}, {"frozen": True, "slots": True}, {"frozen": True, "eq": False}, {},
            {"slots": True}, {"eq": False}, {"frozen": True, "kw_only": True}]
_FIELDS = {"many": [("a", list), ("b", float, float("nan")), ("c", list, field(default_factory=list, repr=False)),
                    ("d", int, field(default=3, compare=False)), ("e", int, field(default=4, hash=False)),
                    ("f", int, field(default=5, compare=False, hash=True))],
           "one": [("a", list)], "none": []}


def _pair(options: dict, fields: list) -> tuple:
    """The class of `fields` made by dataclass and by value_class with `options`."""
    made = []
    for make in (dataclass, value_class):
        body = {"__module__": __name__, "__doc__": "A value.", "__annotations__": {f[0]: f[1] for f in fields}}
        body.update({f[0]: f[2] for f in fields if len(f) > 2})
        made.append(make(**options)(type("V", (), body)))
    return made[0], made[1]


def _outcome(call) -> object:
    try:
        return call()
    except TypeError as e:
        return f"TypeError: {e}"


@pytest.mark.parametrize("options", _OPTIONS)
@pytest.mark.parametrize("fields", list(_FIELDS))
def test_value_class_compares_hashes_and_shows_its_values_as_dataclass_does(options, fields):
    plain, value = _pair(options, _FIELDS[fields])
    nan = float("nan")
    given = dict(zip([f[0] for f in _FIELDS[fields]], [[1], nan, [2], 7, 8, 9]))
    p, v = plain(**given), value(**given)
    other_p, other_v = plain(**given), value(**given)
    assert repr(v) == repr(p)
    # the same nan object: equal in a tuple (dataclass up to 3.12), unequal field by field (3.13)
    assert (v == other_v, v != other_v, v == v) == (p == other_p, p != other_p, p == p)
    assert v.__eq__("x") is p.__eq__("x")  # NotImplemented, or object's for eq=False
    assert (value.__hash__ is None) == (plain.__hash__ is None)
    if plain.__hash__ is not None and options.get("eq", True):
        assert _outcome(lambda: hash(v)) == _outcome(lambda: hash(p))  # a list field: unhashable for both
    if fields == "many":
        changed = dataclasses.replace(v, d=0, f=1)  # not compared (d); hashed but not compared (f)
        assert (changed == v) == (dataclasses.replace(p, d=0, f=1) == p)
    assert str(inspect.signature(value)) == str(inspect.signature(plain))
    assert repr(value.__dataclass_params__) == repr(plain.__dataclass_params__)
    assert (value.__doc__, value.__match_args__) == (plain.__doc__, plain.__match_args__)
    assert dataclasses.asdict(v).keys() == dataclasses.asdict(p).keys()
    assert value.__repr__.__qualname__ == "V.__repr__"


def _attempts(instance) -> list:
    """What setting and deleting a field and another name does to `instance`, and its fields."""
    found = []
    for act in (lambda: setattr(instance, "a", 1), lambda: setattr(instance, "other", 1),
                lambda: delattr(instance, "a"), lambda: delattr(instance, "other")):
        try:
            act()
            found.append("done")
        except Exception as e:  # noqa: BLE001 - the outcome is what is compared
            found.append(f"{type(e).__name__}: {e}")
    return [*found, getattr(instance, "a", None), getattr(instance, "__dict__", None)]


@pytest.mark.parametrize("options", [o for o in _OPTIONS if o.get("frozen")])
def test_a_frozen_value_class_refuses_changes_as_dataclass_does(options):
    """With slots, as dataclass's frozen class without them (its dict aside): dataclass's with
    slots answers a name not a field with a TypeError (up to 3.13 at least: its `__setattr__`
    calls `super()` of the class it remade)."""
    plain, value = _pair({**options, "slots": False}, _FIELDS["many"])[0], _pair(options, _FIELDS["many"])[1]
    slots = options.get("slots", False)
    assert _attempts(value(a=[1]))[:-1] == _attempts(plain(a=[1]))[:-1]
    assert _attempts(value(a=[1]))[-1] == (None if slots else vars(plain(a=[1])))
    sub_plain, sub_value = type("Sub", (plain,), {}), type("Sub", (value,), {})  # not dataclasses: other names settable
    assert _attempts(sub_value(a=[1]))[:-1] == _attempts(sub_plain(a=[1]))[:-1]
    # made frozen by value_class: nothing compiled but the __init__ (bound_init's, swap_init's with slots)
    assert {getattr(value, m).__code__.co_filename for m in ("__setattr__", "__delattr__")} == {values.__file__}
    assert ("_vc_twin" in value.__init__.__code__.co_names) if slots else ("__set" in value.__init__.__code__.co_varnames)


@value_class(frozen=True)
class _Frozen:
    x: int
    y: list = field(default_factory=list)


def test_a_frozen_value_class_pickles_copies_and_replaces():
    made = _Frozen(1, [2])
    assert pickle.loads(pickle.dumps(made)) == made and copy.deepcopy(made) == made
    assert dataclasses.replace(made, x=3) == _Frozen(3, [2]) and _Frozen(1).y is not _Frozen(1).y


@value_class(frozen=True, slots=True)
class _Slotted:
    a: int
    b: list = field(default_factory=list)
    c: str = "c"


class _SlottedSub(_Slotted):
    """A plain subclass: pickled as its dataclass base, by the fields `dataclasses.fields` finds."""

    __slots__ = ()


def test_a_frozen_value_class_with_slots_pickles_the_list_of_its_fields_read_once_for_the_class(monkeypatch):
    made, sub = _Slotted(1, [2], "x"), _SlottedSub(3)
    assert made.__getstate__() == [1, [2], "x"] and sub.__getstate__() == [3, [], "c"]
    monkeypatch.setattr(dataclasses, "fields", _no_fields_asked)  # the class's own: fields read once
    again = pickle.loads(pickle.dumps(made))
    assert type(again) is _Slotted and again == made and again.b is not made.b
    assert copy.copy(made) == made and copy.deepcopy(made) == made
    monkeypatch.undo()
    sub_again = pickle.loads(pickle.dumps(sub))
    assert type(sub_again) is _SlottedSub and (sub_again.a, sub_again.b, sub_again.c) == (3, [], "c")
    old = _Slotted.__new__(_Slotted)
    old.__setstate__([5, [6], "y"])  # the state dataclass's own pickling writes
    assert old == _Slotted(5, [6], "y")
    with pytest.raises(dataclasses.FrozenInstanceError):
        again.a = 2  # type: ignore[misc]


def _no_fields_asked(*args: object) -> None:
    raise AssertionError("dataclasses.fields asked for an instance of the class itself")


def test_a_frozen_value_class_leaves_dataclass_its_rules_for_bases_and_own_methods():
    @value_class(frozen=True)
    class Base:
        a: int

    @value_class(frozen=True)
    class Child(Base):
        b: int = 0

    with pytest.raises(dataclasses.FrozenInstanceError):
        Child(1).b = 2  # type: ignore[misc]
    with pytest.raises(TypeError, match="cannot inherit non-frozen dataclass from a frozen one"):
        value_class(type("Loose", (Base,), {"__annotations__": {"c": int}}))
    with pytest.raises(TypeError, match="Cannot overwrite attribute __setattr__"):
        value_class(frozen=True)(type("Own", (), {"__annotations__": {"a": int}, "__setattr__": lambda s, n, v: None}))


def test_a_frozen_subclass_of_a_frozen_value_class_gets_the_init_dataclass_would_write_not_compiled(monkeypatch):
    """dataclass freezes it (its rules for bases); bound_init (direct_init) writes its __init__."""
    made: list = []

    @value_class(frozen=True, eq=False)
    class Base:
        a: int
        b: list = field(default_factory=list)

        def __post_init__(self) -> None:
            made.append(self)

    @dataclass(frozen=True, eq=False)
    class Generated(Base):
        c: str = "c"
        d: tuple = field(default=(), kw_only=True)

    calls: list = []
    real_exec = builtins.exec
    monkeypatch.setattr(builtins, "exec", lambda text, *rest: calls.append(text) or real_exec(text, *rest))
    for direct in (False, True):
        child = value_class(frozen=True, eq=False, direct=direct)(type("Child", (Base,), {
            "__annotations__": {"c": str, "d": tuple}, "c": "c", "d": field(default=(), kw_only=True),
            "__module__": __name__, "__qualname__": "Child"}))
        # (dataclass's own text of an __init__; the one bound_init writes for this class, not kept, is compiled)
        assert [text for text in calls if text.startswith("def __create_fn__") and "def __init__(" in text] == []
        calls.clear()
        assert inspect.signature(child) == inspect.signature(Generated)
        one, other = child(1, c="x", d=(2,)), Generated(1, c="x", d=(2,))
        assert [getattr(one, n) for n in "abcd"] == [getattr(other, n) for n in "abcd"] and made[-2:] == [one, other]
        assert child(1).b == [] and child(1).b is not child(1).b and child.__dataclass_params__.frozen
        with pytest.raises(dataclasses.FrozenInstanceError):
            one.c = "y"  # type: ignore[misc]
        with pytest.raises(TypeError, match="missing 1 required positional argument: 'a'"):
            child()


@value_class(frozen=True, slots=True)
class _Point:
    x: int
    y: "list[_Point]" = field(default_factory=list)


def test_value_class_compiles_no_repr_eq_or_hash_and_keeps_the_class_frozen():
    point = _Point(1)
    point.y.append(point)
    assert repr(point) == "_Point(x=1, y=[...])"
    for method in (_Point.__repr__, _Point.__eq__, _Point.__hash__):  # not compiled from text
        assert method.__code__.co_filename in (values.__file__, reprlib.__file__)  # (repr: recursive_repr's wrapper)
    assert hash(_Point(2, ())) == hash((2, ()))
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(_Point(3))) == _Point(3)


def test_value_class_keeps_a_repr_of_the_class_and_refuses_its_own_eq_or_hash():
    @value_class(frozen=True)
    class Shown:
        x: int

        def __repr__(self) -> str:
            return "shown"

    assert repr(Shown(1)) == "shown" and Shown(1) == Shown(1)
    with pytest.raises(TypeError, match="defines __eq__"):
        @value_class(frozen=True)
        class Compared:
            x: int

            def __eq__(self, other: object) -> bool:
                return True


def test_field_by_field_equality_answers_as_python_3_13s_dataclass():
    # (used from 3.13 only; tested here on every version, with the answers 3.13's dataclass
    # gives: `self.a == other.a and self.b == other.b`, and the same object equal)
    eq = values._eq_field_by_field(lambda obj: (obj.a, obj.b))

    class P:
        def __init__(self, a, b):
            self.a, self.b = a, b

    nan = float("nan")
    same_nan = P(nan, 1)
    assert eq(same_nan, same_nan) is True
    assert eq(same_nan, P(nan, 1)) is False  # the same nan object, compared by ==
    assert eq(P(1, 2), P(1, 2)) is True
    assert eq(P(1, 2), P(1, 3)) is False
    assert eq(P(0, 2), P(0.0, [2])) is False  # the last comparison's answer
    assert eq(P(1, 2), "x") is NotImplemented
    assert values._eq_field_by_field(lambda obj: ())(P(1, 2), P(3, 4)) is True  # no compared field


def _texts_compiled(monkeypatch, make):
    """`make()` and the texts compiled (exec) while it ran."""
    import builtins

    compiled = []
    real_exec = builtins.exec

    def counting_exec(source, *args, **kwargs):
        compiled.append(source)
        return real_exec(source, *args, **kwargs)

    monkeypatch.setattr(builtins, "exec", counting_exec)
    try:
        return make(), compiled
    finally:
        monkeypatch.undo()


def test_a_frozen_value_class_compiles_only_its_own_init(monkeypatch):
    """dataclass is not asked for an `__init__` that bound_init replaces: one `__init__` compiled a class."""
    body = {"__module__": __name__, "__annotations__": {f[0]: f[1] for f in _FIELDS["many"]}}
    body.update({f[0]: f[2] for f in _FIELDS["many"] if len(f) > 2})
    value, compiled = _texts_compiled(monkeypatch, lambda: value_class(frozen=True)(type("V", (), body)))
    inits = [text for text in compiled if "__init__" in text]  # (3.13's dataclass compiles an empty text too)
    assert len(inits) == 1 and inits[0].startswith("def __init__(self, a, b, c, d, e, f):")
    assert "__set" in value.__init__.__code__.co_varnames


@pytest.mark.parametrize("options", [o for o in _OPTIONS if o.get("frozen")])
@pytest.mark.parametrize("fields", list(_FIELDS))
def test_an_undocumented_value_class_is_documented_and_signed_as_dataclass_does(options, fields):
    made = []
    for make in (dataclass, value_class):
        body = {"__module__": __name__, "__annotations__": {f[0]: f[1] for f in _FIELDS[fields]}}
        body.update({f[0]: f[2] for f in _FIELDS[fields] if len(f) > 2})
        made.append(make(**options)(type("V", (), body)))
    plain, value = made
    assert value.__doc__ == plain.__doc__
    assert str(inspect.signature(value)) == str(inspect.signature(plain))
    for attribute in ("__defaults__", "__kwdefaults__", "__annotations__", "__qualname__", "__module__"):
        assert getattr(value.__init__, attribute) == getattr(plain.__init__, attribute)


def test_a_frozen_value_class_refuses_a_field_without_default_after_one_with_as_dataclass_does():
    errors = []
    for make in (dataclass(frozen=True), value_class(frozen=True)):
        with pytest.raises(TypeError) as e:
            make(type("V", (), {"__module__": __name__, "__annotations__": {"a": int, "b": int}, "a": 1}))
        errors.append(str(e.value))
    assert errors[0] == errors[1]


def test_a_frozen_value_class_refuses_an_initvar_as_before():
    with pytest.raises(TypeError, match="InitVar"):
        @value_class(frozen=True)
        class WithInitVar:
            a: int
            b: InitVar[int] = 0


def test_value_class_direct_is_direct_init_with_one_init_compiled(monkeypatch):
    def body() -> dict:
        fields = _every_kind_of_field()
        made = {"__module__": __name__, "__doc__": "A value.", "__annotations__": {f[0]: f[1] for f in fields}}
        made.update({f[0]: f[2] for f in fields if len(f) > 2})
        return made

    direct, compiled = _texts_compiled(monkeypatch, lambda: value_class(frozen=True, direct=True)(type("D", (), body())))
    assert [text.split("\n", 1)[0] for text in compiled if "__init__" in text] == [
        "def __init__(self, name, items, count, *, tail):"]
    stacked = direct_init(value_class(frozen=True)(type("D", (), body())))
    assert _made_directly(direct) and str(inspect.signature(direct)) == str(inspect.signature(stacked))
    for args, kwargs in [(("a",), {}), (("a", [1], 2), {"tail": (3,)})]:
        assert list(vars(direct(*args, **kwargs)).items()) == list(vars(stacked(*args, **kwargs)).items())
    with pytest.raises(dataclasses.FrozenInstanceError):
        direct("a").name = "b"
    for options in ({"frozen": True, "slots": True}, {}):  # what direct_init refuses
        with pytest.raises(TypeError, match="direct_init needs"):
            value_class(**options, direct=True)(type("N", (), {"__annotations__": {"a": int}}))


def test_an_undocumented_value_class_is_signed_only_once_it_has_its_init(monkeypatch):
    """dataclass signs a class without a doc for its doc: asked before value_class gives the
    class its __init__, it would find object's, through the tokenizer (~13 M instructions)."""
    signed = []
    real_signature = inspect.signature

    def signature(obj, *args, **kwargs):
        if isinstance(obj, type) and obj.__name__ == "Undocumented":
            signed.append("__init__" in obj.__dict__)
        return real_signature(obj, *args, **kwargs)

    monkeypatch.setattr(inspect, "signature", signature)
    made = value_class(frozen=True)(type("Undocumented", (), {"__module__": __name__, "__annotations__": {"a": int}}))
    monkeypatch.undo()
    assert signed == [True]
    assert made.__doc__ == "Undocumented(a: int)"


@pytest.mark.parametrize("options", [o for o in _OPTIONS if not o.get("frozen")])
@pytest.mark.parametrize("fields", [*_FIELDS, "every kind"])
def test_a_mutable_value_class_gets_the_init_dataclass_would_write_made_by_store_init(options, fields):
    """(store_init: its text's code is kept with the package for specrun's classes; here, compiled)"""
    made, posted = [], []
    kinds = _every_kind_of_field() if fields == "every kind" else _FIELDS[fields]
    for make in (dataclass, value_class):
        body = {"__module__": __name__, "__annotations__": {f[0]: f[1] for f in kinds}}
        body.update({f[0]: f[2] for f in kinds if len(f) > 2})
        body["__post_init__"] = lambda self: posted.append(type(self).__module__)
        made.append(make(**options)(type("V", (), body)))
    plain, value = made
    assert value.__doc__ == plain.__doc__ and str(inspect.signature(value)) == str(inspect.signature(plain))
    for attribute in ("__defaults__", "__kwdefaults__", "__annotations__", "__qualname__", "__module__"):
        assert getattr(value.__init__, attribute) == getattr(plain.__init__, attribute)
    assert value.__dataclass_params__.init and not value.__dataclass_params__.frozen
    assert plain.__init__.__code__.co_qualname == "__create_fn__.<locals>.__init__"  # dataclass's text
    assert value.__init__.__code__.co_qualname == "__init__" and "posted" not in value.__init__.__code__.co_names
    calls = {"every kind": [(("a",), {}), (("a", [1], 2), {"tail": (3,)})], "many": [(([1],), {}), (([1], 2.0, [3], 4), {})],
             "one": [(([1],), {})], "none": [((), {})]}[fields]
    for args, kwargs in calls:
        mine, theirs = value(*args, **kwargs), plain(*args, **kwargs)
        assert [getattr(mine, f.name) for f in dataclasses.fields(value)] == [
            getattr(theirs, f.name) for f in dataclasses.fields(plain)]
        assert len(posted) == 2
        posted.clear()
        for f in dataclasses.fields(value)[:1]:  # still mutable
            setattr(mine, f.name, "changed")
            assert getattr(mine, f.name) == "changed"
    if fields == "every kind":
        first, second = value("a"), value("a")
        assert first.items is not second.items and first.later is not second.later  # fresh factories
    assert _outcome(lambda: value(*range(9))) == _outcome(lambda: plain(*range(9)))
