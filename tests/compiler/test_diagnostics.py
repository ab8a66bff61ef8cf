"""Printing spec errors, and the promise behind them: bad input of any kind gives one clean
`file:line:col: error:` message and exit status 1, never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from specrun.cli import main
from specrun.compiler.diagnostics import render_error
from specrun.errors import Location, SpecError, SpecErrors


def test_caret_keeps_tabs_and_counts_wide_characters_twice():
    files = {"p.yaml": "a:\tb\n日本: {grup: 1}\n"}
    tab = render_error(SpecError("m", Location("p.yaml", 1, 4)), files).split("\n")
    assert tab[2] == "    " + "  \t" + "^"
    wide = render_error(SpecError("m", Location("p.yaml", 2, 6)), files).split("\n")
    assert wide[2] == "    " + " " * 7 + "^"  # 日本 take four columns on a terminal


def test_error_in_a_file_that_is_not_utf8_prints_without_its_line(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(b"\xff\xfe")
    assert render_error(SpecError("m", Location(str(path), 1, 1)), {}) == f"{path}:1:1: error: m"


CASES = {
    "yaml_syntax.yaml": (b"specrun: 1\nassets: {a: [\n", "3:1", "YAML syntax error"),
    "toml_syntax.toml": (b"specrun = 1\nx = \n", "2:5", "TOML syntax error"),
    "empty.yaml": (b"", "1:1", "the spec file is empty"),
    "empty.toml": (b"", "1:1", "the spec file is empty"),
    "list.yaml": (b"- a\n- b\n", "1:1", "expected a mapping, got a list"),
    "binary.yaml": (b"\x00\x9f\x92\x96", "1:2", "not UTF-8 text"),
    "latin1.toml": (b'name = "caf\xe9"\n', "1:12", "not UTF-8 text"),
    "include_int.yaml": (b"specrun: 1\ninclude: 5\n", "2:10", "include: expected a list"),
    "merge.yaml": (b"specrun: 1\nx-a: &a {name: n}\nx-b: &b {name: m}\n<<: [*a, *b]\nbad: 1\n", "5:1",
                   "unknown key 'bad'"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gives_one_located_message_and_exit_status_1(tmp_path, monkeypatch, name):
    content, where, message = CASES[name]
    (tmp_path / name).write_bytes(content)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", name])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert f"{name}:{where}: error: {message}" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("make", ["directory", "missing"])
def test_path_that_is_not_a_file_gives_one_message(tmp_path, monkeypatch, make):
    if make == "directory":
        (tmp_path / "p.yaml").mkdir()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "p.yaml"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.startswith("p.yaml:1:1: error: ")


def test_long_line_is_cut_to_a_window_around_the_caret():
    line = "x" * 300 + "Y" + "z" * 300
    shown = render_error(SpecError("m", Location("p.yaml", 1, 301)), {"p.yaml": line}).split("\n")
    assert len(shown[1]) == 4 + 122 and shown[1].startswith("    …") and shown[1].endswith("…")
    assert shown[1][shown[2].index("^")] == "Y"


def test_control_and_invisible_characters_are_drawn_with_the_caret_aligned():
    shown = render_error(SpecError("m", Location("p.yaml", 1, 6)), {"p.yaml": "ab\x00c\u200bd"}).split("\n")
    assert shown[1] == "    ab\u2400c\ufffdd"
    assert shown[2] == "    " + " " * 5 + "^"


def test_an_included_file_that_is_not_a_spec_is_never_echoed(tmp_path):
    from specrun.compiler.diagnostics import render_error
    from specrun.compiler.load import load_document

    (tmp_path / "secret.env").write_text("PASSWORD=hunter2\n")
    (tmp_path / "main.yaml").write_text("specrun: 1\ninclude: [secret.env]\n")
    with pytest.raises(SpecErrors) as err:
        load_document(str(tmp_path / "main.yaml"))
    shown = "\n".join(render_error(e, {}) for e in err.value.errors)
    assert "secret.env': name it .yaml, .yml or .toml" in shown
    assert "hunter2" not in shown
