"""Where a Dask run's own code comes from (`dask_code.UserCode`)."""

from __future__ import annotations

import os
import sys
import types

import pytest

from specrun.runtime.executors import dask_code
from specrun.runtime.executors.dask_code import UserCode


def _inside_by_each_root(path: str, roots: tuple[str, ...]) -> bool:
    """The rule `_inside` keeps, one root at a time."""
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


@pytest.mark.parametrize("path", ["/a/b", "/a/b/", "/a/b/c.py", "/a/bc/d.py", "/a/bc", "/a", "/x/y.py", "/", ""])
@pytest.mark.parametrize("roots", [(), ("/a/b",), ("/a/b/",), ("/",), ("/a/bc", "/x"), ("/x", "/a/b", "")])
def test_a_path_is_inside_roots_exactly_when_it_is_one_or_lies_under_one(path, roots):
    assert dask_code._inside(path, roots) is _inside_by_each_root(path, roots)


def test_a_module_imported_from_a_folder_on_sys_path_is_the_users_with_its_resolved_file(tmp_path, monkeypatch):
    real = tmp_path / "real"
    real.mkdir()
    (real / "mine.py").write_text("")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    module = types.ModuleType("dask_code_test_mine")
    module.__file__ = str(link / "mine.py")
    monkeypatch.setitem(sys.modules, "dask_code_test_mine", module)
    monkeypatch.syspath_prepend(str(link))
    code = UserCode.of_this_process()
    assert code.paths[0] == str(real)
    assert code.modules["dask_code_test_mine"] == str(real / "mine.py")
    assert "os" not in code.modules and "pytest" not in code.modules  # the installation's
    assert not any(name.startswith("specrun") for name in code.modules)
