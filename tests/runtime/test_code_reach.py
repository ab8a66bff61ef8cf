"""The walk behind automatic code versions (see tests/runtime/test_code_version.py)."""

from __future__ import annotations

from specrun.runtime import code_reach
from tests.runtime.test_code_version import load  # noqa: F401 (a fixture)


def test_a_wrapper_s_maker_is_the_module_function_whose_code_holds_it(load):
    # (Python 3.10 has no co_qualname: the decorator is found through its constants)
    mod = load()
    assert code_reach._maker_of(mod.decorated.__code__, vars(mod)) == "timed"
    assert code_reach._maker_of(mod.kept.__code__, vars(mod)) is None  # made at module level


def test_a_module_name_imported_again_from_another_file_is_judged_by_that_file(tmp_path, monkeypatch):
    import sys
    import types

    installed = types.ModuleType("utils_of_some_kind")
    installed.__file__ = str(tmp_path / "lib" / "site-packages" / "utils_of_some_kind.py")
    monkeypatch.setitem(sys.modules, installed.__name__, installed)
    assert not code_reach.is_project_module(installed.__name__)
    # (The name now stands for the project's own file: a sys.path change and an import again.)
    own = types.ModuleType(installed.__name__)
    own.__file__ = str(tmp_path / "project" / "utils_of_some_kind.py")
    monkeypatch.setitem(sys.modules, own.__name__, own)
    assert code_reach.is_project_module(own.__name__)
    monkeypatch.setitem(sys.modules, installed.__name__, installed)
    assert not code_reach.is_project_module(installed.__name__)
    monkeypatch.delitem(sys.modules, installed.__name__)
    assert not code_reach.is_project_module(installed.__name__)  # (not imported)
