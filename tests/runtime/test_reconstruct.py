"""`ModuleOrigin`: a value class whose `__init__` comes with the package (nothing compiled when a
worker imports it), equal, hashed, frozen and shown as the dataclass it was."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from specrun.runtime.definitions import kept_inits_1, kept_inits_2
from specrun.runtime.reconstruct import ModuleOrigin


def test_a_module_origin_is_made_by_kept_code_not_compiled_code():
    kept = (kept_inits_1.__file__, kept_inits_2.__file__)
    assert ModuleOrigin.__dict__["__init__"].__code__.co_filename in kept
    assert [getattr(ModuleOrigin, name).__code__.co_filename != "<string>" for name in ("__eq__", "__hash__")] == [True, True]


def test_a_module_origin_compares_hashes_shows_and_refuses_changes_as_a_frozen_dataclass():
    origin = ModuleOrigin("pipes", "job", sys_path=("/a",))
    same = ModuleOrigin(module="pipes", attribute="job", job_name=None, sys_path=("/a",))
    assert origin == same and hash(origin) == hash(same) and origin != ModuleOrigin("pipes", "other")
    assert repr(origin) == "ModuleOrigin(module='pipes', attribute='job', job_name=None, sys_path=('/a',))"
    assert [f.name for f in dataclasses.fields(origin)] == ["module", "attribute", "job_name", "sys_path"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        origin.module = "x"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(origin)) == origin
    assert dataclasses.replace(origin, job_name="j") == ModuleOrigin("pipes", "job", "j", ("/a",))
