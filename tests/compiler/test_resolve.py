"""Resolving a spec: references that cannot name anything are errors at their value."""

from __future__ import annotations

import pytest

from specrun.compiler import compile_spec
from specrun.errors import SpecErrors


def _errors(tmp_path, assets: str, tail: str = ""):
    (tmp_path / "resolve_funcs.py").write_text("def a():\n    return 1\n")
    spec = tmp_path / "p.yaml"
    spec.write_text(f"specrun: 1\nname: t\nmodule: resolve_funcs\nassets:\n{assets}{tail}")
    with pytest.raises(SpecErrors) as caught:
        compile_spec(str(spec))
    return caught.value.errors


@pytest.mark.parametrize("ref", [":", "a:b:c", "resolve_funcs:", "my mod:a", ":a"])
def test_reference_that_is_not_module_colon_name_says_how_to_write_one(tmp_path, ref):
    # ':' was "importing '' raised ValueError: Empty module name"
    [error] = _errors(tmp_path, f"  a: {{fn: '{ref}'}}\n")
    assert error.message == f"{ref!r} is not a reference to a Python object"
    assert (error.location.line, error.location.col) == (5, 11)
    assert error.hint == "write module:function, e.g. my_pipeline.assets:orders"


def test_storage_url_of_an_unknown_database_is_an_error_at_the_url(tmp_path):
    [error] = _errors(tmp_path, "  a: {fn: a}\n", "storage: {url: 'foo://bar'}\n")
    assert error.message == "storage url 'foo://bar' is neither SQLite nor PostgreSQL"
    assert (error.location.line, error.location.col) == (6, 16)


@pytest.mark.parametrize("url", ["sqlite:///runs.db", "sqlite://", "postgresql://u@h/db", "postgresql+psycopg://h/db"])
def test_sqlite_and_postgres_storage_urls_compile(tmp_path, url):
    (tmp_path / "resolve_funcs.py").write_text("def a():\n    return 1\n")
    spec = tmp_path / "p.yaml"
    spec.write_text(f"specrun: 1\nname: t\nmodule: resolve_funcs\nassets:\n  a: {{fn: a}}\nstorage: {{url: '{url}'}}\n")
    assert compile_spec(str(spec)).spec.storage_url == url


def test_a_standard_library_class_as_asset_fn_is_refused(tmp_path):
    # was "no signature found for builtin type <class 'collections.OrderedDict'>"
    [error] = _errors(tmp_path, "  a: {fn: 'collections:OrderedDict'}\n")
    assert error.message == ("'collections:OrderedDict' is part of module 'collections' of Python's "
                             "standard library, not a step function")


def test_jinja_syntax_in_a_plain_spec_says_to_name_it_j2(tmp_path):
    [error] = _errors(tmp_path, "  a: {fn: '{{ x }}'}\n")
    assert error.message == "'resolve_funcs' has no attribute '{{ x }}'"
    assert error.hint == "this is Jinja2 template syntax: name the spec file with a .j2 suffix to render it"


def test_reference_with_a_lookalike_character_names_it_in_the_hint(tmp_path):
    [error] = _errors(tmp_path, "  raw: {fn: a}\n  b: {fn: a, deps: [r\u0430w]}\n")  # a Cyrillic а
    assert error.message == "deps: no asset named 'r\u0430w'"
    assert error.hint == "did you mean 'raw'? ('r\u0430w' has U+0430 CYRILLIC SMALL LETTER A)"


CONFIGURED = """from specrun import Config


class RowsConfig(Config):
    rows: int = 10


def loader(config: RowsConfig):
    return list(range(config.rows))
"""


@pytest.mark.parametrize("section, line, col, message, hint", [
    ("assets:\n  loader: {fn: loader, config: {rows: x}}\n", 5, 39,
     "config: Input should be a valid integer, unable to parse string as an integer (got 'x')", None),
    ("assets:\n  loader: {fn: loader, config: {rowz: 5}}\n", 5, 33, "unknown config key 'rowz'", "did you mean 'rows'?"),
    ("ops:\n  l: {fn: loader, config: {rowz: 1}}\njobs:\n  j:\n    ops:\n      l: {op: l}\n", 5, 28,
     "unknown config key 'rowz'", "did you mean 'rows'?"),
])
def test_config_that_does_not_fit_the_functions_config_class_is_a_compile_error(tmp_path, section, line, col,
                                                                                 message, hint):
    # was accepted by validate; plan then said 'Invalid run config for job' with no position
    (tmp_path / "resolve_configured.py").write_text(CONFIGURED)
    spec = tmp_path / "p.yaml"
    spec.write_text("specrun: 1\nname: t\nmodule: resolve_configured\n" + section)
    with pytest.raises(SpecErrors) as caught:
        compile_spec(str(spec))
    [error] = caught.value.errors
    assert (error.location.line, error.location.col, error.message, error.hint) == (line, col, message, hint)
