"""One invalid spec per kind of error: each is reported with its message, file, line, col."""

from __future__ import annotations

import os
import time

import pytest

from specrun.compiler import compile_spec
from specrun.errors import SpecErrors

HERE = os.path.dirname(__file__)
INVALID = os.path.join(HERE, "..", "..", "specs", "invalid")

CASES = [
    ("python_tag.yaml", "tag '!!python/object/apply:os.system' is not allowed", "python_tag.yaml", 3, 9, None),
    ("duplicate_key.yaml", "duplicate key 'source' (first defined at line 4)", "duplicate_key.yaml", 5, 3, None),
    ("alias_bomb.yaml", "expands to more than", "alias_bomb.yaml", 2, None, None),
    ("yaml_syntax.yaml", "YAML syntax error", "yaml_syntax.yaml", 4, 8, None),
    ("toml_syntax.toml", "TOML syntax error", "toml_syntax.toml", 3, 13, None),
    ("unknown_key.yaml", "unknown key 'grup' in assets/source", "unknown_key.yaml", 6, 5, "did you mean 'group'?"),
    ("wrong_type.yaml", "expected a list, got a string in assets/source/deps", "wrong_type.yaml", 6, 11, None),
    ("missing_version.yaml", "missing required key 'specrun'", "missing_version.yaml", 1, 1, None),
    ("bad_enum.yaml", "'exponentail' is not one of: linear, exponential", "bad_enum.yaml", 6, 38,
     "did you mean 'exponential'?"),
    ("undefined_var.yaml.j2", "template variable 'tabels' is not defined", "undefined_var.yaml.j2", 4, 13, None),
    ("include_a.yaml", "include cycle: include_a.yaml -> include_b.yaml -> include_a.yaml", "include_b.yaml", 2, 11, None),
    ("twice_main.yaml", "asset 'source' is defined twice (first at", "twice_part.yaml", 3, 3, None),
    ("missing_module.yaml", "module 'fucns' not found", "missing_module.yaml", 3, 16, "did you mean 'funcs'?"),
    ("missing_attr.yaml", "'funcs' has no attribute 'sorce'", "missing_attr.yaml", 4, 16, "did you mean 'source'?"),
    ("bad_ins.yaml", "ins: 'double' has no parameter 'valeus'", "bad_ins.yaml", 7, 11, "did you mean 'values'?"),
    ("unprovided_param.yaml", "parameter 'values' of 'double' is not provided", "unprovided_param.yaml", 5, 17, None),
    ("cycle.yaml", "dependency cycle: a -> b -> c -> a", "cycle.yaml", 4, 6, None),
    ("unknown_names.yaml", "no partitions named 'dayly'", "unknown_names.yaml", 9, 36, "did you mean 'daily'?"),
]


@pytest.fixture(autouse=True)
def in_invalid_folder(monkeypatch):
    monkeypatch.chdir(INVALID)


@pytest.mark.parametrize("spec, message, file, line, col, hint", CASES, ids=[c[0] for c in CASES])
def test_invalid_spec_reports_message_file_line_and_column(spec, message, file, line, col, hint):
    with pytest.raises(SpecErrors) as err:
        compile_spec(spec)
    first = next(e for e in err.value.errors if message in e.message)
    assert os.path.basename(first.location.file) == file
    assert first.location.line == line
    if col is not None:
        assert first.location.col == col
    if hint is not None:
        assert first.hint == hint


def test_unknown_names_are_all_reported_in_one_pass_with_hints():
    with pytest.raises(SpecErrors) as err:
        compile_spec("unknown_names.yaml")
    found = {(e.message, e.hint) for e in err.value.errors}
    assert ("no partitions named 'dayly'", "did you mean 'daily'?") in found
    assert ("no resource named 'warehose'", "did you mean 'warehouse'?") in found
    assert ("check 'ok': no asset named 'sorce'", "did you mean 'source'?") in found
    assert ("unknown executor 'multiproces'", "did you mean 'multiprocess'?") in found
    lines = [e.location.line for e in err.value.errors]
    assert lines == sorted(lines)


def test_alias_bomb_is_refused_within_a_second():
    started = time.perf_counter()
    with pytest.raises(SpecErrors):
        compile_spec("alias_bomb.yaml")
    assert time.perf_counter() - started < 1.0


def test_python_tag_is_never_executed(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    spec = tmp_path / "p.yaml"
    spec.write_text(f"specrun: 1\nx-evil: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(SpecErrors):
        compile_spec(str(spec))
    assert not marker.exists()
