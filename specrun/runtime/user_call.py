"""Calling a user's compute function with many inputs."""

from __future__ import annotations

from types import FunctionType
from typing import Any, Callable

# From this many arguments on, `_invoke` passes a plain function's leading parameters by
# position: CPython binds each keyword argument by a scan of the parameter names, so a call
# with n keywords costs O(n²) (the join of a 10,000-input asset fan-in: ~22k instructions a
# node of its job, against ~3k at 1,000).
MANY_ARGUMENTS = 64


def call_by_position(fn: Callable[..., Any], kwargs: dict) -> Any:
    """`fn(**kwargs)`, with the values of a plain Python function's leading positional
    parameters passed by position, up to the first one `kwargs` does not name (it keeps its
    default); the rest by keyword. Anything else (a callable object, a bound method, a
    function with positional-only parameters) is called by keyword, as before."""
    if fn.__class__ is not FunctionType or fn.__code__.co_posonlyargcount:
        return fn(**kwargs)
    code = fn.__code__
    names = code.co_varnames[:code.co_argcount]
    args: list = []
    try:
        for name in names:
            args.append(kwargs[name])
    except KeyError:  # (a parameter not named: it and those after it are left to the keywords)
        pass
    if len(args) == len(kwargs):  # (most: every keyword names a leading parameter)
        return fn(*args)
    rest = dict(kwargs)  # (the caller's dict is left as it was)
    for name in names[:len(args)]:
        del rest[name]
    return fn(*args, **rest)
