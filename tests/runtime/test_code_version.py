"""Automatic code versions follow the code a function reaches in the user's project."""

from __future__ import annotations

import importlib
import itertools
import json
import sys
import textwrap

import pytest

from specrun import asset
from specrun.runtime import code_version as cv
from specrun.runtime import versioning as v

_names = itertools.count()

BASE = '''
import json
import helpers_{n} as helpers
from helpers_{n} import Scaler

ROWS = 20
UNUSED = 1

def _keep(x):
    return x * 2

def timed(fn):
    import functools
    @functools.wraps(fn)
    def wrapper(*args):
        return fn(*args)
    return wrapper

def kept(up):
    """Keeps rows."""
    return [_keep(r) for r in up][:ROWS]

def uses_helper_module():
    return helpers.shout("x") + json.dumps([1])

def uses_class():
    return Scaler(2).scale(3)

@timed
def decorated():
    return 1
'''

HELPERS = '''
def shout(s):
    return s.upper()

class Scaler:
    def __init__(self, k):
        self.k = k
    def scale(self, x):
        return x * self.k
'''


@pytest.fixture
def load(tmp_path, monkeypatch):
    """load(main_text, helpers_text) -> the freshly imported user module."""
    monkeypatch.syspath_prepend(str(tmp_path))
    n = next(_names)

    def _load(main: str = BASE, helpers: str = HELPERS):
        (tmp_path / f"helpers_{n}.py").write_text(textwrap.dedent(helpers))
        (tmp_path / f"user_{n}.py").write_text(textwrap.dedent(main.replace("{n}", str(n))))
        for name in (f"user_{n}", f"helpers_{n}"):
            sys.modules.pop(name, None)
        importlib.invalidate_caches()
        return importlib.import_module(f"user_{n}")

    yield _load
    for name in (f"user_{n}", f"helpers_{n}"):
        sys.modules.pop(name, None)


def _version(fn):
    return cv.version_of_parts(fn)


def test_a_function_version_covers_the_helpers_it_calls_and_the_constants_it_reads(load):
    mod = load()
    parts = cv.code_parts(mod.kept)
    assert parts["kept"][1] == ""
    assert parts["_keep"][1] == "called by kept"
    assert parts["ROWS"][1] == "read by kept"
    assert "UNUSED" not in parts and "timed" not in parts


def test_editing_a_helper_changes_the_callers_version_and_says_which_part(load):
    old = load()
    recorded = cv.parts_text(old.kept)
    new = load(BASE.replace("return x * 2", "return x * 3"))
    assert _version(new.kept) != _version(old.kept)
    assert cv.describe_change(recorded, new.kept) == "_keep (called by kept) changed"


def test_changing_a_module_constant_changes_the_version(load):
    old = load()
    new = load(BASE.replace("ROWS = 20", "ROWS = 25"))
    assert cv.describe_change(cv.parts_text(old.kept), new.kept) == "ROWS (read by kept) changed"


def test_comments_docstrings_and_formatting_do_not_change_the_version(load):
    old = load()
    edited = BASE.replace('"""Keeps rows."""', '"""Keeps the rows we want."""  # a comment') \
                 .replace("return x * 2", "return (x *\n            2)   # doubled")
    new = load("# header comment\n\n" + edited)
    assert _version(new.kept) == _version(old.kept)


def test_code_of_installed_packages_and_the_standard_library_is_not_followed(load):
    mod = load()
    parts = cv.code_parts(mod.uses_helper_module)
    assert sorted(parts) == [f"{mod.helpers.__name__}:shout", "uses_helper_module"]
    assert parts[f"{mod.helpers.__name__}:shout"][1] == "called by uses_helper_module"
    assert not cv.is_project_module("json") and not cv.is_project_module("specrun.runtime.plan")
    assert cv.is_project_module(mod.__name__)


def test_a_function_reached_through_a_project_module_attribute_is_followed(load):
    old = load()
    new = load(helpers=HELPERS.replace("s.upper()", "s.lower()"))
    assert cv.describe_change(cv.parts_text(old.uses_helper_module), new.uses_helper_module) == \
        f"{new.helpers.__name__}:shout (called by uses_helper_module) changed"


def test_a_class_method_edit_changes_the_version_of_what_uses_the_class(load):
    old = load()
    new = load(helpers=HELPERS.replace("x * self.k", "x * self.k + 1"))
    change = cv.describe_change(cv.parts_text(old.uses_class), new.uses_class)
    assert change == f"{new.helpers.__name__}:Scaler.scale (method of {new.helpers.__name__}:Scaler) changed"


def test_a_decorator_and_the_function_it_wraps_are_both_parts(load):
    old = load()
    parts = cv.code_parts(old.decorated)
    assert parts["timed"][1] == "decorator of decorated"
    assert parts["decorated"][1] == "wrapped by timed"
    new = load(BASE.replace("return fn(*args)", "return fn(*args) or 0"))
    assert cv.describe_change(cv.parts_text(old.decorated), new.decorated) == \
        "timed (decorator of decorated) changed"
    new_inner = load(BASE.replace("def decorated():\n    return 1", "def decorated():\n    return 2"))
    assert cv.describe_change(cv.parts_text(old.decorated), new_inner.decorated) == \
        "decorated (wrapped by timed) changed"


def test_a_new_helper_call_is_named_as_added(load):
    old = load()
    new = load(BASE.replace("return [_keep(r) for r in up][:ROWS]",
                            "return [_keep(r) for r in up][:ROWS] + [shout2()]")
               + "\ndef shout2():\n    return 0\n")
    assert cv.describe_change(cv.parts_text(old.kept), new.kept) == \
        "kept changed, shout2 (called by kept) added"


def test_recursive_functions_are_walked_once(load):
    mod = load(BASE + "\ndef fact(n):\n    return 1 if n < 2 else n * fact(n - 1)\n")
    assert list(cv.code_parts(mod.fact)) == ["fact"]


def test_an_explicit_code_version_wins_and_records_no_parts(load):
    mod = load()
    op_def = asset(mod.kept).op_def
    assert v.code_version_of(op_def, "7") == "7"
    assert v.code_version_of(op_def) == cv.version_of_parts(mod.kept)
    assert v.code_parts_text(op_def, "7") is None
    assert set(json.loads(v.code_parts_text(op_def))) == {"kept", "_keep", "ROWS"}


def test_config_changes_are_named_key_by_key_with_secrets_masked():
    old = v.config_text({"rows": 20, "db": {"password": "hunter2", "host": "a"}})
    assert "hunter2" not in old
    said = v.describe_config_change(old, {"rows": 25, "db": {"password": "other", "host": "a"}})
    assert said == "db.password changed (secret), rows 20 -> 25"
    assert "other" not in said
    assert json.loads(old)["rows"] == 20


def test_functions_made_from_one_code_object_share_a_version_only_when_nothing_tells_them_apart():
    """A factory making many assets from one `def` computes their code version once; a
    closure value, a default or other module globals still give each its own."""
    def make_plain():
        def step(up):
            return json.dumps(up)
        return step

    def make_closure(factor):
        def step(up):
            return up * factor
        return step

    def make_default(factor):
        def step(up, factor=factor):
            return up * factor
        return step

    a, b = make_plain(), make_plain()
    assert a is not b and _version(a) == _version(b) and cv.parts_text(a) == cv.parts_text(b)
    assert cv.code_parts(a) is cv.code_parts(b)  # worked out once
    assert _version(make_closure(2)) != _version(make_closure(3))
    assert _version(make_default(2)) != _version(make_default(3))

    source = "import json\nROWS = {rows}\ndef step(up):\n    return up[:ROWS]\n"
    one, two = {"__name__": "factory_mod"}, {"__name__": "factory_mod"}
    exec(source.format(rows=1), one)
    exec(source.format(rows=2), two)
    # Same module name and qualname, other globals: not shared.
    same_code = type(one["step"])(one["step"].__code__, two, "step")
    assert cv.code_parts(same_code)["ROWS"] != cv.code_parts(one["step"])["ROWS"]


def test_a_version_and_its_parts_text_read_together_are_each_one_read_alone(load):
    """`version_and_parts_text` (one look-up of the parts) gives what `version_of_parts` and
    `parts_text` give, asked first or after them, for plain, decorated, factory-made and
    closure functions."""
    mod = load()

    def make(factor=None):
        if factor is None:
            def step(up):
                return mod.kept(up)
            return step

        def scaled(up):
            return up * factor
        return scaled

    for fn in (mod.kept, mod.uses_class, mod.decorated, make(), make(), make(2), make(3)):
        together = cv.version_and_parts_text(fn)
        assert together == (cv.version_of_parts(fn), cv.parts_text(fn))
        assert json.loads(together[1]) == {k: list(p) for k, p in cv.code_parts(fn).items()}
    alone = make(4)
    first = (cv.version_of_parts(alone), cv.parts_text(alone))
    assert cv.version_and_parts_text(alone) == first
    assert cv.version_and_parts_text(make(4)) != cv.version_and_parts_text(make(5))


def test_a_function_asked_by_its_code_gives_what_the_per_function_cache_gives(load):
    """`function_version_and_parts_text` answers a plain function whose code was seen from its
    code's entry; for every kind of function, asked before or after the cached path and in
    either order, it gives `version_and_parts_text`'s pair."""
    mod = load()
    source = "import json\nROWS = {rows}\ndef step(up):\n    return up[:ROWS]\n"
    one, two = {"__name__": "by_code_mod"}, {"__name__": "by_code_mod"}
    exec(source.format(rows=1), one)
    exec(source.format(rows=2), two)

    def make(kind):
        if kind == "plain":
            def step(up):
                return mod.kept(up)
            return step
        if kind == "closure":
            def step(up):
                return up * kind
            return step
        if kind == "default":
            def step(up, k=3):
                return up * k
            return step
        if kind == "kwdefault":
            def step(up, *, k=3):
                return up * k
            return step
        if kind == "attribute":
            def step(up):
                return mod.kept(up)
            step.__wrapped__ = mod.uses_class
            return step
        return type(one["step"])(one["step"].__code__, two if kind == "globals" else one, "step")

    kinds = ("plain", "closure", "default", "kwdefault", "attribute", "globals", "exec")
    for kind in kinds:
        first, second, third = make(kind), make(kind), make(kind)
        fast_first = cv.function_version_and_parts_text(first)  # (its code maybe not seen yet)
        assert fast_first == cv.version_and_parts_text(first)
        assert cv.function_version_and_parts_text(second) == cv.version_and_parts_text(second)
        assert cv.version_and_parts_text(third) == cv.function_version_and_parts_text(third)
        assert fast_first == cv.version_and_parts_text(third)
    # Other globals, other version: an entry is only used for the globals it was made with.
    assert (cv.function_version_and_parts_text(make("globals"))
            != cv.function_version_and_parts_text(make("exec")))
    for fn in (mod.kept, mod.uses_class, mod.decorated, mod.uses_helper_module):
        assert cv.function_version_and_parts_text(fn) == cv.version_and_parts_text(fn)


# Edited in place, as IPython's autoreload or a hot reloader does: the same function object
# (or module) is given new code, defaults or values, and a version kept from before is not.

def _code_of(source: str, name: str):
    """The code of function `name` defined by `source` (what an edited file compiles to)."""
    scope: dict = {}
    exec(textwrap.dedent(source), scope)
    return scope[name].__code__


def test_a_helper_whose_code_is_replaced_in_place_changes_its_callers_version_and_is_named(load):
    mod = load()
    recorded = cv.parts_text(mod.kept)
    before = (cv.version_of_parts(mod.kept), cv.function_version_and_parts_text(mod.kept))
    mod._keep.__code__ = _code_of("def _keep(x):\n    return x * 3\n", "_keep")
    assert cv.version_of_parts(mod.kept) != before[0]
    assert cv.function_version_and_parts_text(mod.kept) != before[1]
    assert cv.describe_change(recorded, mod.kept) == "_keep (called by kept) changed"


def test_a_function_whose_own_code_or_defaults_are_replaced_in_place_gets_a_new_version(load):
    mod = load(BASE + "\ndef with_default(up, k=1):\n    return up + k\n")
    first = cv.version_of_parts(mod.with_default)
    mod.with_default.__defaults__ = (2,)
    second = cv.version_of_parts(mod.with_default)
    assert second != first
    assert cv.describe_change(cv.parts_text(mod.uses_class), mod.uses_class) is None
    plain_before = cv.function_version_and_parts_text(mod.uses_class)
    mod.uses_class.__code__ = _code_of("def uses_class():\n    return 2\n", "uses_class")
    assert cv.function_version_and_parts_text(mod.uses_class) != plain_before
    assert cv.version_and_parts_text(mod.uses_class) == \
        cv.function_version_and_parts_text(mod.uses_class)


def test_a_module_constant_rebound_changes_the_version_of_what_reads_it(load):
    mod = load()
    recorded = cv.parts_text(mod.kept)
    before = cv.function_version_and_parts_text(mod.kept)
    mod.ROWS = 25
    assert cv.function_version_and_parts_text(mod.kept) != before
    assert cv.describe_change(recorded, mod.kept) == "ROWS (read by kept) changed"


def test_a_closure_value_or_class_member_replaced_changes_the_version(load):
    mod = load()
    factor = 2

    def scaled(up):
        return up * factor

    before = cv.version_of_parts(scaled)
    factor = 3  # noqa: F841 (the closure's cell now holds 3)
    assert cv.version_of_parts(scaled) != before
    recorded = cv.parts_text(mod.uses_class)
    edited = {"__name__": mod.helpers.__name__}
    exec("class Scaler:\n    def scale(self, x):\n        return x + self.k\n", edited)
    mod.Scaler.scale = edited["Scaler"].scale
    assert cv.describe_change(recorded, mod.uses_class) == \
        f"{mod.helpers.__name__}:Scaler.scale (method of {mod.helpers.__name__}:Scaler) changed"


def test_a_function_given_another_wrapped_function_gets_a_new_version(load):
    mod = load()
    before = cv.version_of_parts(mod.decorated)
    mod.decorated.__wrapped__ = mod._keep
    assert cv.version_of_parts(mod.decorated) != before
    keep_hash = cv.code_parts(mod._keep)["_keep"][0]
    assert cv.code_parts(mod.decorated)["_keep"] == (keep_hash, "wrapped by timed")


def test_a_version_is_worked_out_once_while_nothing_it_was_read_from_changes(load):
    mod = load()
    kept = cv._summary(mod.kept)
    assert cv._summary(mod.kept) is kept
    assert cv._summary(mod.uses_class) is cv._summary(mod.uses_class)
    mod.UNUSED = 2  # (not read by kept)
    assert cv._summary(mod.kept) is kept
    mod.ROWS = 20  # (the same object: small ints are shared)
    assert cv._summary(mod.kept) is kept
    mod.ROWS = 21
    assert cv._summary(mod.kept) is not kept


def test_a_pass_that_runs_no_user_code_checks_a_functions_reads_once_and_the_next_pass_again(load, monkeypatch):
    mod = load()
    made = {}
    exec("def copy(up):\n    return _keep(up) + ROWS\n", mod.__dict__, made)
    copies = [type(made["copy"])(made["copy"].__code__, mod.__dict__, "copy") for _ in range(4)]
    checks = []
    real = cv.unchanged
    monkeypatch.setattr(cv, "unchanged", lambda reads: checks.append(1) or real(reads))
    first_pass, second_pass = object(), object()
    answers = [cv.function_version_and_parts_text(fn, first_pass) for fn in copies]
    assert answers == [cv.version_and_parts_text(copies[0])] * 4
    assert len(checks) <= 1  # (the summary, if `_summary` found it kept; none after)
    checks.clear()
    again = [cv.function_version_and_parts_text(fn, second_pass) for fn in copies]
    assert again == answers and len(checks) == 1  # (checked once in the new pass)
    mod._keep.__code__ = _code_of("def _keep(x):\n    return x * 3\n", "_keep")
    third = [cv.function_version_and_parts_text(fn, object()) for fn in copies]
    assert third[0] != answers[0] and third == [third[0]] * 4  # (an edit between two passes)
    checks.clear()
    assert cv.function_version_and_parts_text(copies[0]) == third[0]
    assert cv.function_version_and_parts_text(copies[1]) == third[0]
    assert len(checks) == 2  # (outside a pass: each call checks)


def test_summaries_whose_reads_changed_are_dropped_so_old_values_of_an_edited_cell_are_freed(load, monkeypatch):
    # A notebook cell edited and run again: a new code object (a new key) and a new value of
    # the global it reads, each time; the old summaries held every old value.
    import gc
    import weakref

    mod = load()
    monkeypatch.setattr(cv, "_BY_CODE", {})
    monkeypatch.setattr(cv, "_BY_FUNCTION", {})
    monkeypatch.setattr(cv, "_KEPT_SINCE_SWEEP", 0, raising=False)

    class Frame:  # (a value the walk reads but does not hash: not plain data)
        pass

    old = []
    for edit in range(100):
        mod.frame = Frame()
        old.append(weakref.ref(mod.frame))
        exec(f"def cell():\n    return frame, {edit}\n", mod.__dict__)
        assert cv.function_version_and_parts_text(mod.cell) == cv.version_and_parts_text(mod.cell)
    gc.collect()
    assert sum(ref() is not None for ref in old[:-1]) <= 16  # (not 99)
    assert old[-1]() is mod.frame and len(cv._BY_CODE) <= 17
