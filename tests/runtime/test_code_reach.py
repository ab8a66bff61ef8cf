"""The walk behind automatic code versions (see tests/runtime/test_code_version.py)."""

from __future__ import annotations

from specrun.runtime import code_reach
from tests.runtime.test_code_version import load  # noqa: F401 (a fixture)


def test_a_wrapper_s_maker_is_the_module_function_whose_code_holds_it(load):
    # (Python 3.10 has no co_qualname: the decorator is found through its constants)
    mod = load()
    assert code_reach._maker_of(mod.decorated.__code__, vars(mod)) == "timed"
    assert code_reach._maker_of(mod.kept.__code__, vars(mod)) is None  # made at module level
