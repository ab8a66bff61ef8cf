"""Reading a compute function's parameters, annotations and docstring, once per function."""

from __future__ import annotations

import inspect
import typing

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
