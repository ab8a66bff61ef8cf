import dataclasses
import inspect
import pickle
from dataclasses import InitVar, dataclass, field, make_dataclass

import pytest

from specrun.runtime.definitions.values import direct_init


def _every_kind_of_field() -> list:
    """Fields of each kind a generated __init__ handles: plain, defaulted, default factory,
    init=False with a factory and with a default, keyword-only."""
    return [("name", str), ("items", list, field(default_factory=list)), ("count", int, 0),
            ("later", dict, field(default_factory=dict, init=False)), ("fixed", str, field(default="x", init=False)),
            ("tail", tuple, field(default=(), kw_only=True))]


_Plain = make_dataclass("_Plain", _every_kind_of_field(), frozen=True, namespace={"__module__": __name__})
_Direct = direct_init(make_dataclass("_Direct", _every_kind_of_field(), frozen=True, namespace={"__module__": __name__}))


def _made_directly(cls: type) -> bool:
    return "__values" in cls.__init__.__code__.co_varnames  # direct_init's __init__ (see values.py)


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


def test_definitions_a_run_reads_every_step_keep_the_generated_init():
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
