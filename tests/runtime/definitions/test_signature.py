"""Reading a compute function's parameters, annotations and docstring, once per function."""

from __future__ import annotations

import copy
import inspect
import pickle
import typing

import pytest

from specrun import asset
from specrun.runtime.definitions import signature


def test_assets_built_from_one_function_read_its_annotations_and_docstring_once(monkeypatch):
    def shared(up: int) -> int:
        """Adds one."""
        return up + 1

    hints, docs = [], []
    real_hints, real_doc = typing.get_type_hints, inspect.getdoc
    monkeypatch.setattr(signature.typing, "get_type_hints",
                        lambda fn, **kw: hints.append(fn) or real_hints(fn, **kw))
    monkeypatch.setattr(signature.inspect, "getdoc", lambda fn: docs.append(fn) or real_doc(fn))
    made = [asset(shared, name=f"a{i}") for i in range(3)]
    assert hints == [shared] and docs == [shared]
    assert [a.op.description for a in made] == ["Adds one."] * 3


def test_annotations_that_cannot_be_resolved_yet_are_read_again_later():
    def later(x: NotYetDefined) -> NotYetDefined:  # noqa: F821 (a string: annotations are postponed here)
        return x

    assert signature._hints(later) == {"x": "NotYetDefined", "return": "NotYetDefined"}
    later.__globals__["NotYetDefined"] = float
    try:
        assert signature._hints(later) == {"x": float, "return": float}
    finally:
        del later.__globals__["NotYetDefined"]


def _two_versions():
    def step(up: int) -> int:
        """Adds one."""
        return up + 1

    def edited(first: str, second: str = "b") -> str:
        """Joins two."""
        return first + second

    return step, edited


def test_an_asset_built_after_its_function_s_code_is_replaced_in_place_reads_the_new_parameters():
    # (as IPython's autoreload or a hot reloader does: same function object, new __code__ and defaults)
    step, edited = _two_versions()
    before = asset(step, name="before")
    step.__code__, step.__defaults__, step.__annotations__ = edited.__code__, edited.__defaults__, edited.__annotations__
    after = asset(step, name="after")
    assert before.op.signature.input_params == ("up",)
    assert after.op.signature.input_params == ("first", "second")
    assert after.op.signature.input_defaults == {"second": "b"}
    assert after.op.signature.input_annotations == {"first": str, "second": str}
    assert signature._hints(step) == {"first": str, "second": str, "return": str}


def test_new_defaults_or_annotations_alone_are_read_again():
    step, _ = _two_versions()
    assert signature.read_signature(step, "x").input_defaults == {}
    step.__defaults__ = (7,)
    assert signature.read_signature(step, "x").input_defaults == {"up": 7}
    step.__annotations__ = {"up": float}
    assert signature.read_signature(step, "x").input_annotations == {"up": float}
    assert signature._hints(step) == {"up": float}


def test_an_asset_built_after_its_function_s_docstring_is_replaced_reads_the_new_one():
    step, _ = _two_versions()
    assert asset(step, name="before").op.description == "Adds one."
    step.__doc__ = "  Adds one,\n  then more."
    assert asset(step, name="after").op.description == "Adds one,\nthen more."
    assert signature.docstring(step) == "Adds one,\nthen more."


def test_a_wrapper_s_signature_is_read_again_when_the_function_it_wraps_is_edited():
    import functools

    step, edited = _two_versions()

    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        return step(*args, **kwargs)

    assert signature.read_signature(wrapper, "x").input_params == ("up",)
    step.__code__, step.__defaults__ = edited.__code__, edited.__defaults__
    assert signature.read_signature(wrapper, "x").input_params == ("first", "second")


def test_a_top_level_function_without_a_doc_is_read_once_and_again_when_given_one(monkeypatch):
    from tests.runtime.definitions import _undocumented

    docs = []
    real_doc = inspect.getdoc
    monkeypatch.setattr(signature.inspect, "getdoc", lambda fn: docs.append(fn) or real_doc(fn))
    fn = _undocumented.no_doc
    assert [signature.docstring(fn) for _ in range(3)] == [None] * 3
    assert docs == [fn]
    monkeypatch.setattr(fn, "__doc__", "Now documented.")
    assert signature.docstring(fn) == "Now documented."


def test_a_signature_tests_its_input_names_in_the_tuple_when_short_and_in_a_set_when_long():
    """`input_param_set` answers `name in ...` as the parameters do: the `input_params` tuple
    itself up to eight of them (no frozenset made and kept a signature), a frozenset beyond (a
    join may have 10,000 inputs); `dataclasses.replace` makes it again for the new ones."""
    import dataclasses

    def one(up):
        return up

    namespace: dict = {}
    exec(f"def many({', '.join(f'p{i}' for i in range(9))}):\n    return 0", namespace)
    eight = signature.read_signature(lambda a, b, c, d, e, f, g, h: 0, "x")
    short, long = signature.read_signature(one, "x"), signature.read_signature(namespace["many"], "x")
    assert short.input_param_set is short.input_params == ("up",) and "up" in short.input_param_set
    assert eight.input_param_set is eight.input_params and len(eight.input_params) == 8
    assert long.input_param_set == frozenset(long.input_params) == frozenset(f"p{i}" for i in range(9))
    assert type(long.input_param_set) is frozenset and "p8" in long.input_param_set and "p9" not in long.input_param_set
    wider = dataclasses.replace(short, input_params=tuple(f"p{i}" for i in range(9)))
    assert type(wider.input_param_set) is frozenset and "p0" in wider.input_param_set and "up" not in wider.input_param_set


def test_signatures_without_input_defaults_or_inputs_share_read_only_empty_mappings():
    """A function whose inputs have no default holds `NO_INPUT_DEFAULTS`, one with no input
    `NO_INPUT_ANNOTATIONS`: empty dicts every reader takes as such (`in`, `.get`, `not`), shared
    by every such signature, which refuse every change and pickle and copy as themselves; a
    function with a default or an input holds a dict of its own."""
    def root() -> int:
        return 1

    def step(up: int) -> int:
        return up

    def with_default(up: int, extra: str = "e") -> str:
        return extra

    a, b, c = (signature.read_signature(fn, "x") for fn in (root, step, with_default))
    assert a.input_defaults is b.input_defaults is signature.NO_INPUT_DEFAULTS == {}
    assert c.input_defaults == {"extra": "e"}
    assert a.input_annotations is signature.NO_INPUT_ANNOTATIONS == {}
    assert b.input_annotations == {"up": int} and c.input_annotations == {"up": int, "extra": str}
    assert "up" not in b.input_defaults and not b.input_defaults
    assert b.input_defaults.get("up") is None
    assert a.input_annotations.get("up") is None and isinstance(a.input_annotations, dict)
    for shared, what in ((signature.NO_INPUT_DEFAULTS, "input defaults"),
                         (signature.NO_INPUT_ANNOTATIONS, "input annotations")):
        for change in (lambda d: d.__setitem__("up", 1), lambda d: d.update(up=1),
                       lambda d: d.setdefault("up"), lambda d: d.pop("up", None),
                       lambda d: d.clear(), lambda d: d.__ior__({"up": 1})):
            with pytest.raises(TypeError, match=f"a signature's {what} cannot be changed"):
                change(shared)
        assert pickle.loads(pickle.dumps(shared)) is shared
        assert copy.copy(shared) is shared and copy.deepcopy(shared) is shared
    made = pickle.loads(pickle.dumps(a))
    assert made == a and made.input_defaults is signature.NO_INPUT_DEFAULTS
    assert made.input_annotations is signature.NO_INPUT_ANNOTATIONS
    assert asset(step, name="s").op.signature.input_defaults is signature.NO_INPUT_DEFAULTS
