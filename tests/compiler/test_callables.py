"""A function named by many entries of a spec is found once, and found again whenever what
`resolve` would find may differ (the module's name rebound, a module `__getattr__`)."""

from __future__ import annotations

import sys
import types

import pytest

from specrun.compiler.callables import CallableResolver
from specrun.compiler.parse import Document
from specrun.errors import SpecError


def _resolver(tmp_path, module_name):
    doc = Document({}, str(tmp_path / "p.yaml"), "", {}, {}, {}, None)
    return CallableResolver(doc, module_name)


@pytest.fixture
def module(monkeypatch):
    made = types.ModuleType("callables_probe")

    def step(up):
        return up

    made.step = step
    monkeypatch.setitem(sys.modules, "callables_probe", made)
    return made


def test_a_function_named_again_is_the_same_one_without_resolving_it_again(tmp_path, module, monkeypatch):
    resolver = _resolver(tmp_path, "callables_probe")
    first = resolver.resolve_code("step", "/assets/a/fn", "a step function")
    calls = []
    monkeypatch.setattr(resolver, "resolve", lambda *a: calls.append(a))
    again = [resolver.resolve_code("step", f"/assets/a{i}/fn", "a step function") for i in range(3)]
    assert again == [first] * 3 and first is module.step and calls == []


def test_a_name_rebound_in_the_module_is_resolved_again(tmp_path, module):
    resolver = _resolver(tmp_path, "callables_probe")
    assert resolver.resolve_code("step", "/p", "a step function") is module.step

    def other(up):
        return up

    module.step = other
    assert resolver.resolve_code("step", "/p", "a step function") is other
    del module.step
    with pytest.raises(SpecError, match="'callables_probe' has no attribute 'step'"):
        resolver.resolve_code("step", "/p", "a step function")


def test_a_module_getattr_is_asked_every_time(tmp_path, module):
    asked = []

    def __getattr__(name):
        asked.append(name)

        def made(up):
            return up

        return made

    module.__getattr__ = __getattr__
    resolver = _resolver(tmp_path, "callables_probe")
    found = [resolver.resolve_code("lazy", "/p", "a step function") for _ in range(2)]
    assert found[0] is not found[1] and asked.count("lazy") >= 2


def test_a_dotted_name_is_resolved_every_time(tmp_path, module):
    class Holder:
        @staticmethod
        def run(up):
            return up

    module.Holder = Holder
    resolver = _resolver(tmp_path, "callables_probe")
    assert resolver.resolve_code("Holder.run", "/p", "a step function") is Holder.run
    assert resolver._code == {}


def test_a_standard_library_function_is_refused_every_time(tmp_path):
    resolver = _resolver(tmp_path, None)
    for _ in range(2):
        with pytest.raises(SpecError, match="'os:getcwd' is a builtin of Python's standard library"):
            resolver.resolve_code("os:getcwd", "/p", "a step function")


def test_held_is_what_resolve_code_gave_while_the_module_still_holds_it(tmp_path, module):
    resolver = _resolver(tmp_path, "callables_probe")
    assert resolver.held("step") is None  # not resolved yet
    assert resolver.resolve_code("step", "/p", "a step function") is module.step
    assert resolver.held("step") is module.step

    def other(up):
        return up

    module.step = other
    assert resolver.held("step") is None
