"""Load stage: positions of YAML and TOML values, templates and their line map, vars."""

from __future__ import annotations

import pytest

from specrun.compiler.load import load_document, load_text, parse_vars, read_text
from specrun.errors import Location, SpecError, SpecErrors


def test_yaml_positions_of_values_and_keys():
    doc = load_text("specrun: 1\nassets:\n  a:\n    fn: x\n    deps: [b, c]\n", "p.yaml")
    assert doc.positions["/assets/a/fn"] == Location("p.yaml", 4, 9)
    assert doc.key_positions["/assets/a/fn"] == Location("p.yaml", 4, 5)
    assert doc.positions["/assets/a/deps/1"] == Location("p.yaml", 5, 15)


def test_yaml_dates_stay_strings_and_merge_keys_apply():
    doc = load_text("base: &b {start: 2024-01-01, n: 1}\nuse: {<<: *b, n: 2}\n", "p.yaml")
    assert doc.data["use"] == {"start": "2024-01-01", "n": 2}


def test_toml_positions_of_tables_keys_and_inline_tables():
    text = 'specrun = 1\n\n[assets.src]\nfn = "m:f"\nins = { values = "up" }\n'
    doc = load_text(text, "p.toml")
    assert doc.data["assets"]["src"]["ins"] == {"values": "up"}
    assert doc.key_positions["/assets/src/fn"] == Location("p.toml", 4, 1)
    assert doc.positions["/assets/src/ins/values"].line == 5
    assert doc.key_positions["/assets/src/ins/values"].col == 9


def test_template_renders_with_vars_and_maps_lines_back():
    text = "specrun: 1\nassets:\n{% for t in tables %}\n  raw_{{ t }}: {fn: m}\n{% endfor %}\n"
    doc = load_text(text, "p.yaml.j2", {"tables": ["a", "b"]})
    assert list(doc.data["assets"]) == ["raw_a", "raw_b"]
    assert doc.positions["/assets/raw_b"].line == 4  # the loop body's template line


def test_template_defaults_come_from_its_vars_block_and_are_overridden():
    text = "specrun: 1\nvars:\n  region: eu\nname: p_{{ region }}\n"
    assert load_text(text, "p.yaml.j2").data["name"] == "p_eu"
    assert load_text(text, "p.yaml.j2", {"region": "us"}).data["name"] == "p_us"


def test_template_env_function_with_default(monkeypatch):
    monkeypatch.setenv("SPECRUN_TEST_REGION", "apac")
    text = 'specrun: 1\nname: "{{ env("SPECRUN_TEST_REGION") }}_{{ env("SPECRUN_NOPE", "dflt") }}"\n'
    assert load_text(text, "p.yaml.j2").data["name"] == "apac_dflt"


def test_yaml_error_after_rendering_points_at_template_line():
    text = "specrun: 1\n{% if true %}\nassets: {a: [\n{% endif %}\n"
    with pytest.raises(SpecErrors) as err:
        load_text(text, "p.yaml.j2")
    assert err.value.errors[0].location.file == "p.yaml.j2"
    assert err.value.errors[0].location.line >= 3


def test_undefined_template_variable_suggests_close_name():
    with pytest.raises(SpecErrors) as err:
        load_text("specrun: 1\nname: {{ regoin }}\n", "p.yaml.j2", {"region": "eu"})
    (error,) = err.value.errors
    assert error.message == "template variable 'regoin' is not defined"
    assert error.location == Location("p.yaml.j2", 2, 10)  # the column of `regoin`
    assert error.hint == "did you mean 'region'?"


def test_parse_vars_reads_values_as_yaml():
    assert parse_vars(["tables=[a, b]", "n=3", "flag=true", "name=x"]) == {
        "tables": ["a", "b"], "n": 3, "flag": True, "name": "x"}
    with pytest.raises(SpecError):
        parse_vars(["novalue"])


def test_unknown_extension_is_an_error():
    with pytest.raises(SpecErrors, match="cannot tell the format"):
        load_text("x", "pipeline.json")


def _first_error(text: str, filename: str = "p.yaml") -> SpecError:
    with pytest.raises(SpecErrors) as err:
        load_text(text, filename)
    return err.value.errors[0]


def test_merge_of_two_anchors_sharing_a_key_takes_the_first_without_a_duplicate_error():
    text = "a: &a {fn: one}\nb: &b {fn: two, group: g}\nuse:\n  <<: [*a, *b]\n"
    doc = load_text(text, "p.yaml")
    assert doc.data["use"] == {"fn": "one", "group": "g"}
    assert doc.key_positions["/use/fn"] == Location("p.yaml", 1, 8)  # where the winning key is written
    assert doc.key_positions["/use/group"] == Location("p.yaml", 2, 17)


def test_merge_of_a_mapping_that_merges_in_turn_applies_both():
    text = "a: &a {fn: one, n: 1}\nb: &b\n  <<: *a\n  n: 2\nuse:\n  <<: *b\n  extra: 3\n"
    doc = load_text(text, "p.yaml")
    assert doc.data["use"] == {"extra": 3, "n": 2, "fn": "one"}
    assert doc.key_positions["/use/n"] == Location("p.yaml", 4, 3)
    assert doc.positions["/use/fn"] == Location("p.yaml", 1, 12)


def test_merge_of_a_scalar_is_an_error_at_the_scalar():
    error = _first_error("a: 1\nuse:\n  <<: 5\n")
    assert "merge key (<<) takes a mapping" in error.message
    assert error.location == Location("p.yaml", 3, 7)


def test_quoted_merge_key_is_an_ordinary_key():
    assert load_text('use: {"<<": 1}\n', "p.yaml").data == {"use": {"<<": 1}}


def test_second_yaml_document_is_one_readable_error():
    error = _first_error("specrun: 1\n---\nspecrun: 1\n")
    assert error.message == ("YAML syntax error: expected a single document in the stream, "
                             "but found another document")
    assert error.location == Location("p.yaml", 2, 1)


def test_byte_order_mark_is_not_a_column(tmp_path):
    for name, text in (("p.yaml", "specrun: 2\n"), ("p.toml", "specrun = 2\n")):
        path = tmp_path / name
        path.write_bytes(b"\xef\xbb\xbf" + text.encode())
        doc = load_document(str(path))
        assert doc.data == {"specrun": 2}
        assert doc.positions["/specrun"] == Location(str(path), 1, len(text.split("2")[0]) + 1)


def test_crlf_line_endings_give_the_same_positions(tmp_path):
    path = tmp_path / "p.toml"
    path.write_bytes(b'specrun = 1\r\n[assets.a]\r\nfn = "x"\r\ngrup = 1\r\n')
    assert load_document(str(path)).key_positions["/assets/a/grup"] == Location(str(path), 4, 1)


def test_columns_count_characters_not_bytes():
    doc = load_text('a: {d: "日本語😀é", grup: 1}\n', "p.yaml")
    assert doc.key_positions["/a/grup"] == Location("p.yaml", 1, 17)


def test_positions_beyond_16_bits_of_line_and_column_survive_packing():
    text = "a:\n" + "  - 1\n" * 69_999 + "b: {x: '" + "y" * 70_000 + "', z: 2}\n"
    doc = load_text(text, "p.yaml")
    assert doc.key_positions["/b/z"] == Location("p.yaml", 70_001, 70_012)


def test_not_utf8_file_is_an_error_at_the_bad_byte(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(b"specrun: 1\nname: caf\xe9\n")
    with pytest.raises(SpecErrors) as err:
        load_document(str(path))
    (error,) = err.value.errors
    assert error.message == "not UTF-8 text: byte 0xe9 (invalid continuation byte)"
    assert error.location == Location(str(path), 2, 10)


@pytest.mark.parametrize("make, message", [
    (lambda p: p.mkdir(), "is a directory, not a spec file"),
    (lambda p: None, "no such file"),
])
def test_unreadable_path_is_one_spec_error(tmp_path, make, message):
    path = tmp_path / "p.yaml"
    make(path)
    with pytest.raises(SpecErrors) as err:
        load_document(str(path))
    (error,) = err.value.errors
    assert message in error.message
    assert error.location == Location(str(path), 1, 1)


def test_template_column_maps_back_past_expressions_on_the_line():
    text = 'specrun: 1\na: {d: "{{ \'x\' }}", grup: 1}\n'
    doc = load_text(text, "p.yaml.j2")
    assert doc.key_positions["/a/grup"] == Location("p.yaml.j2", 2, 21)  # rendered column: 13
    assert doc.positions["/a/d"] == Location("p.yaml.j2", 2, 8)  # the value's opening quote


def test_template_column_inside_an_expression_points_at_its_braces():
    doc = load_text("a: {x: {{ value }}}\n", "p.yaml.j2", {"value": "long_value"})
    assert doc.positions["/a/x"] == Location("p.yaml.j2", 1, 8)


def test_bad_var_value_names_the_problem_on_one_line():
    with pytest.raises(SpecError) as err:
        parse_vars(["t=[a, b"])
    assert "\n" not in err.value.message
    assert err.value.message.startswith("--var t: value is not valid YAML: ")


@pytest.mark.parametrize("text, filename, where", [
    ("x: " + "[" * 500 + "]" * 500 + "\n", "p.yaml", (1, 103)),
    ("x: &a [*a]\n", "p.yaml", (1, 4)),
    ("x = " + "[" * 500 + "]" * 500 + "\n", "p.toml", (1, 105)),  # too deep for tomllib itself
    ("x = 1\ny = " + "[{a = " * 75 + "1" + "}]" * 75 + "\n", "p.toml", (2, 305)),  # parsed, then found by the scanner
])
def test_nesting_deeper_than_the_limit_is_a_spec_error_not_a_recursion_error(text, filename, where):
    error = _first_error(text, filename)
    assert error.message == "values are nested more than 100 levels deep"
    assert (error.location.line, error.location.col) == where


@pytest.mark.parametrize("text, where, message, hint", [
    ("a: 1\nb: x\x00y\n", (2, 5), "character U+0000 is not allowed in YAML (control characters are not allowed)",
     "remove it"),  # was "YAML error: ... position 9" at 1:1, over two lines
    ("assets:\n  true: {fn: f}\n", (2, 3), "mapping keys must be plain strings: 'true' reads as true", "quote it: 'true'"),
    ("assets:\n  ~: {fn: f}\n", (2, 3), "mapping keys must be plain strings: '~' reads as null", "quote it: '~'"),
    ("assets:\n  [a]: 1\n", (2, 3), "mapping keys must be plain strings", "use a plain name as the key"),
])
def test_unusable_yaml_character_or_key_is_named_at_its_position(text, where, message, hint):
    error = _first_error(text)
    assert (error.location.line, error.location.col) == where
    assert error.message == message
    assert hint in error.hint


def test_control_character_in_a_rendered_template_points_at_the_template():
    error = _first_error("specrun: 1\nname: '{{ 1 }}'\ndescription: a\x07b\n", "p.yaml.j2")
    assert (error.location.line, error.location.col) == (3, 15)


def test_utf16_file_is_named_as_utf16(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes("specrun: 1\n".encode("utf-16"))
    with pytest.raises(SpecErrors) as err:
        read_text(str(path))
    [error] = err.value.errors
    assert (error.message, error.location.line, error.hint) == ("the file is UTF-16 text, not UTF-8", 1,
                                                                 "save the file as UTF-8")


def test_var_value_cut_short_is_said_to_end_too_early():
    with pytest.raises(SpecError) as err:
        parse_vars(["tables=[a, b"])
    assert err.value.message == "--var tables: value is not valid YAML: did not find expected ',' or ']' at its end"


@pytest.mark.parametrize("text, message", [
    ("a: !!int abc\n", "'abc' is not a valid !!int"),          # was ValueError: invalid literal for int()
    ("a: !!float x\n", "'x' is not a valid !!float"),
    ("a: !!bool maybe\n", "'maybe' is not a valid !!bool"),     # was KeyError: 'maybe'
    ("a: !!binary xyz$\n", "'xyz$' is not a valid !!binary"),   # was ConstructorError
])
def test_explicit_tag_on_a_value_it_cannot_read_is_a_spec_error(text, message):
    error = _first_error(text)
    assert (error.message, error.location.line, error.location.col) == (message, 1, 4)
    assert error.hint.startswith(f"remove the {message.split()[-1]} tag")


@pytest.mark.parametrize("text, where, message", [
    ("a: &x 1\nb: &x 2\n", (2, 4), "YAML syntax error: an anchor is defined twice (first at line 1)"),  # "second occurrence"
    ("x: 1\na: 'x\n\ny\n", (2, 4), "YAML syntax error: a quoted string is not closed"),  # was at the end of the file
    ("a: [1, 2\nb: 3\n", (2, 2),
     "YAML syntax error: did not find expected ',' or ']' (parsing a flow sequence that starts at line 1)"),
])
def test_yaml_syntax_error_says_what_and_where_it_started(text, where, message):
    error = _first_error(text)
    assert ((error.location.line, error.location.col), error.message) == (where, message)


def test_a_var_value_longer_than_the_bound_is_refused():
    with pytest.raises(SpecError, match=r"--var big: the value is 100,001 characters long, more than 100,000"):
        parse_vars(["big=" + "a" * 100_001])


def test_a_var_value_whose_aliases_multiply_is_refused_before_it_is_expanded():
    laughs = "[&a [x,x,x,x,x,x,x,x,x], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a], &c [*b,*b,*b,*b,*b,*b,*b,*b,*b], " \
             "&d [*c,*c,*c,*c,*c,*c,*c,*c,*c], &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]]"
    with pytest.raises(SpecError, match=r"--var x: the value expands to more than 10,000 values"):
        parse_vars(["x=" + laughs])
    assert parse_vars(["x=[&a [1, 2], *a]"]) == {"x": [[1, 2], [1, 2]]}  # a few aliases are fine
