"""Calling a compute function with many inputs: by position where that is the same call."""

from __future__ import annotations

import functools

from specrun import AssetIn, asset, materialize_to_memory
from specrun.runtime.user_call import MANY_ARGUMENTS, call_by_position

N = MANY_ARGUMENTS + 36


def _function(params: str, body: str):
    namespace: dict = {}
    exec(f"def f({params}):\n    return {body}", namespace)
    return namespace["f"]


def test_every_value_reaches_its_parameter_whatever_the_order_of_the_keywords():
    names = [f"p{i}" for i in range(N)]
    f = _function(", ".join(names), "[" + ", ".join(names) + "]")
    kwargs = {name: i for i, name in reversed(list(enumerate(names)))}
    assert call_by_position(f, kwargs) == list(range(N))
    assert list(kwargs) == list(reversed(names))  # the caller's dict is left as it was


def test_a_default_in_the_middle_keyword_only_and_extra_keywords_are_kept():
    f = _function("a, b=10, c=20, *, d, **more", "(a, b, c, d, more)")
    assert call_by_position(f, {"a": 1, "c": 3, "d": 4, "e": 5}) == (1, 10, 3, 4, {"e": 5})
    g = _function("a, *rest, b", "(a, rest, b)")
    assert call_by_position(g, {"b": 2, "a": 1}) == (1, (), 2)


def test_keywords_that_all_name_leading_parameters_leave_none_to_pass_by_keyword():
    f = _function("a, b, c=30, *rest, d=40, **more", "(a, b, c, rest, d, more)")
    kwargs = {"b": 2, "a": 1}
    assert call_by_position(f, kwargs) == f(**kwargs) == (1, 2, 30, (), 40, {})
    assert call_by_position(f, {"c": 3, "b": 2, "a": 1, "d": 4}) == (1, 2, 3, (), 4, {})
    assert call_by_position(f, {"a": 1, "b": 2, "e": 5}) == (1, 2, 30, (), 40, {"e": 5})
    assert kwargs == {"b": 2, "a": 1}


def test_callables_that_are_not_plain_functions_are_called_by_keyword():
    class Join:
        def __call__(self, b, a):
            return (a, b)

        def method(self, b, a):
            return (a, b)

    f = _function("a, /, b", "(a, b)")
    assert call_by_position(Join(), {"a": 1, "b": 2}) == (1, 2)
    assert call_by_position(Join().method, {"a": 1, "b": 2}) == (1, 2)  # (its code names self)
    assert call_by_position(functools.partial(Join().method, b=5), {"a": 1}) == (1, 5)
    try:
        call_by_position(f, {"a": 1, "b": 2})
    except TypeError as exc:  # as `f(**kwargs)` does: a positional-only parameter by keyword
        assert "positional-only" in str(exc)
    else:
        raise AssertionError("a positional-only parameter was filled by keyword")


def test_an_asset_with_many_inputs_gets_each_upstream_value():
    sources = [asset(name=f"src_{i}")(_function("", str(i * 10))) for i in range(N)]
    names = [f"src_{i}" for i in range(N)]
    # Parameters in another order than the inputs.
    join_fn = _function(", ".join(reversed(names)), "[" + ", ".join(names) + "]")
    join = asset(name="join", ins={name: AssetIn(name) for name in names})(join_fn)
    result = materialize_to_memory([*sources, join])
    assert result.success
    assert result.output_for_node("join") == [i * 10 for i in range(N)]
