"""TOML positions: every key and value, in every TOML construct, at its own line and column."""

from __future__ import annotations

import pytest

from specrun.compiler.load import load_text
from specrun.errors import Location, SpecErrors


def _doc(text: str):
    return load_text(text, "p.toml")


def test_keys_of_nested_inline_tables():
    doc = _doc('[assets]\nsrc = { fn = "f", retry = { max_retries = 1, backof = "x" } }\n')
    assert doc.key_positions["/assets/src/retry/backof"] == Location("p.toml", 2, 46)
    assert doc.positions["/assets/src/retry/backof"] == Location("p.toml", 2, 55)


def test_items_of_arrays_including_multi_line_ones():
    doc = _doc('deps = [\n  "a",\n  { b = 1 },  # note\n]\nflat = ["x", 5]\n')
    assert doc.positions["/deps/1"] == Location("p.toml", 3, 3)
    assert doc.key_positions["/deps/1/b"] == Location("p.toml", 3, 5)
    assert doc.positions["/flat/1"] == Location("p.toml", 5, 14)


def test_subtable_of_an_array_of_tables_belongs_to_its_last_element():
    doc = _doc("[[x]]\na = 1\n[[x]]\na = 2\n[x.y]\nk = 3\n")
    assert doc.data == {"x": [{"a": 1}, {"a": 2, "y": {"k": 3}}]}
    assert doc.key_positions["/x/1/y/k"] == Location("p.toml", 6, 1)
    assert doc.key_positions["/x/1/a"] == Location("p.toml", 4, 1)
    assert doc.key_positions["/x/1/y"] == Location("p.toml", 5, 4)


def test_dotted_keys_point_at_each_part():
    doc = _doc('assets.src.fn = "f"\nassets . "src" . grup = 1\n')
    assert doc.key_positions["/assets/src/grup"] == Location("p.toml", 2, 18)
    assert doc.key_positions["/assets/src"] == Location("p.toml", 1, 8)  # where the table first appears


def test_lines_inside_multi_line_strings_are_not_keys():
    text = 'a = """\nb = 1\n[c]\n"""\n' + "d = '''\ne = \"\"\" '''\nf = 2\n"
    doc = _doc(text)
    assert set(doc.data) == {"a", "d", "f"}
    assert "/b" not in doc.key_positions and "/c" not in doc.key_positions
    assert doc.key_positions["/f"] == Location("p.toml", 7, 1)


def test_quoted_keys_with_escapes_and_unicode_columns():
    doc = _doc('"日本" = { "a\\"b" = 1, "x/y" = 2 }\n')
    assert doc.key_positions["/日本/a\"b"] == Location("p.toml", 1, 10)
    assert doc.key_positions["/日本/x~1y"] == Location("p.toml", 1, 22)


def test_template_toml_positions_map_to_template_lines():
    text = '{% for t in ["a", "b"] %}\n[assets.{{ t }}]\nfn = "{{ t }}"\ngrup = 1\n{% endfor %}\n'
    doc = load_text(text, "p.toml.j2")
    assert doc.key_positions["/assets/b/grup"] == Location("p.toml.j2", 4, 1)
    assert doc.key_positions["/assets/b"] == Location("p.toml.j2", 2, 9)


def test_toml_dates_and_times_are_text_as_in_yaml():
    doc = _doc("[partitions.d]\ntype = 'daily'\nstart = 2024-01-01\nend = 2024-02-01T06:30:00\n"
               "[x]\nat = 07:32:00\nmany = [\n  1979-05-27,\n]\nplain = '2024-01-01'\n")
    assert doc.data["partitions"]["d"] == {"type": "daily", "start": "2024-01-01", "end": "2024-02-01T06:30:00"}
    assert doc.data["x"] == {"at": "07:32:00", "many": ["1979-05-27"], "plain": "2024-01-01"}
    assert doc.positions["/partitions/d/start"] == Location("p.toml", 3, 9)


@pytest.mark.parametrize("text, where, message", [
    ('x = 1\na = "x', (2, 7), "TOML syntax error: Unterminated string at the end of the file"),
    ("a = {b = 1", (1, 11), "TOML syntax error: Unclosed inline table at the end of the file"),
    ('a = """x\ny\n', (3, 1), "TOML syntax error: Unterminated string at the end of the file"),
])
def test_toml_error_at_the_end_of_the_document_points_at_the_end(text, where, message):
    # was at 1:1: tomllib says "(at end of document)" instead of a line and column
    with pytest.raises(SpecErrors) as caught:
        _doc(text)
    [error] = caught.value.errors
    assert ((error.location.line, error.location.col), error.message) == (where, message)
