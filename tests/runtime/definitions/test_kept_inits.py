"""The `__init__`s of specrun's value classes come from the code kept with the package
(kept_inits.py), which is what compiling their text makes; a text not kept is compiled."""

from __future__ import annotations

import builtins
import inspect
import pickle

import pytest

from specrun.runtime.definitions import kept_inits, kept_inits_1, kept_inits_2
from specrun.runtime.definitions.metadata import MetadataValue
from specrun.runtime.definitions.values import value_class

_SAME = ("co_code", "co_consts", "co_names", "co_varnames", "co_freevars", "co_cellvars", "co_argcount",
         "co_posonlyargcount", "co_kwonlyargcount", "co_flags", "co_nlocals", "co_stacksize", "co_name")


def _kept_functions() -> list[tuple[str, object]]:
    return [(name, fn) for module in (kept_inits_1, kept_inits_2) for name, fn in vars(module).items()
            if name.startswith("_") and inspect.isfunction(fn)]


def test_every_init_text_specrun_writes_is_kept():
    # (fails when a class's fields change: `python -m specrun.runtime.definitions.kept_inits`)
    texts = kept_inits._collect()  # (every specrun module imported in a fresh interpreter)
    assert len(texts) >= 39  # (the 39 classes of a `specrun apply` and the other modules')
    assert [text.split("\n")[0] for text in texts if kept_inits.kept_code(text) is None] == []


def test_the_value_classes_of_specrun_have_their_init_from_the_kept_code():
    from specrun.runtime.definitions.assets import AssetsDefinition
    from specrun.runtime.definitions.ops import OpDefinition
    from specrun.runtime.staleness import Decision

    from specrun.runtime.definitions.results import AssetMaterialization
    from specrun.runtime.events import ErrorInfo, StepOutputData
    from specrun.runtime.io_managers import InputManagerDefinition, IOManagerDefinition

    kept = (kept_inits_1.__file__, kept_inits_2.__file__)
    # swap_init's, direct_init's; store_init's (mutable); bound_init's of subclasses dataclass freezes
    for cls in (MetadataValue, OpDefinition, AssetsDefinition, Decision, StepOutputData, ErrorInfo, AssetMaterialization,
                IOManagerDefinition, InputManagerDefinition):
        assert cls.__dict__["__init__"].__code__.co_filename in kept


@pytest.mark.parametrize("name, fn", _kept_functions())
def test_a_kept_init_is_the_code_compiling_its_text_makes_and_is_named_by_its_digest(name, fn):
    text = "def __init__(" + inspect.getsource(fn).split("(", 1)[1]
    assert kept_inits.kept_name(text) == name
    names: dict = {}
    exec(compile(text, "<string>", "exec"), names)
    made, kept = names["__init__"].__code__, kept_inits.kept_code(text)
    assert [getattr(kept, a) for a in _SAME] == [getattr(made, a) for a in _SAME]
    assert getattr(kept, "co_qualname", "__init__") == "__init__"  # (a field from Python 3.11)


def test_the_kept_modules_hold_each_text_once_and_nothing_else():
    functions = _kept_functions()
    assert len(functions) == len({name for name, _ in functions}) >= 30  # (classes of one shape share one)
    assert all(len(name) == 21 and fn.__name__ == name for name, fn in functions)


def test_a_value_class_whose_text_is_not_kept_gets_an_init_compiled_from_it():
    @value_class(frozen=True, slots=True)
    class Unusual:
        first_field_of_a_test: int
        second_field_of_a_test: str = "b"

    init = Unusual.__init__
    assert init.__code__.co_filename == "<string>"
    value = Unusual(1)
    assert (value.first_field_of_a_test, value.second_field_of_a_test) == (1, "b")
    assert value == Unusual(1, "b") and repr(value).endswith("Unusual(first_field_of_a_test=1, second_field_of_a_test='b')")


def test_a_kept_init_has_the_globals_exec_would_give_it_and_builds_the_same_value():
    init = MetadataValue.__init__
    assert init.__code__.co_filename == kept_inits_1.__file__ or init.__code__.co_filename == kept_inits_2.__file__
    assert init.__globals__["__init__"] is init
    assert init.__globals__["__builtins__"] is builtins.__dict__
    assert (init.__name__, init.__qualname__, init.__module__) == ("__init__", "MetadataValue.__init__",
                                                                   MetadataValue.__module__)
    assert str(inspect.signature(MetadataValue)) == "(value: 'Any', kind: 'str' = 'json') -> None"
    value = MetadataValue({"a": 1}, "json")
    assert (value.value, value.kind) == ({"a": 1}, "json")
    assert pickle.loads(pickle.dumps(value)) == value
    with pytest.raises(TypeError, match=r"MetadataValue.__init__\(\) missing 1 required positional argument"):
        MetadataValue()  # type: ignore[call-arg]


def test_kept_code_is_none_for_a_text_not_kept():
    assert kept_inits.kept_code("def __init__(self, nowhere):\n    pass\n") is None
