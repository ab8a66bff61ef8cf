"""`include:` of other spec files: malformed includes are spec errors at their position."""

from __future__ import annotations

import os

import pytest

from specrun.compiler.load import load_document
from specrun.errors import Location, SpecErrors


def _errors(tmp_path, main: str, **others: str):
    for name, text in others.items():
        (tmp_path / name.replace("_", ".")).write_text(text)
    path = tmp_path / "main.yaml"
    path.write_text(main)
    with pytest.raises(SpecErrors) as err:
        load_document(str(path))
    return [(e.message, e.location) for e in err.value.errors]


def test_include_that_is_not_a_list(tmp_path):
    (message, loc), = _errors(tmp_path, "specrun: 1\ninclude: other.yaml\n")
    assert message == "include: expected a list of file paths"
    assert loc == Location(str(tmp_path / "main.yaml"), 2, 10)


def test_include_item_that_is_not_a_path_or_is_a_directory(tmp_path):
    (tmp_path / "sub").mkdir()
    found = _errors(tmp_path, "specrun: 1\ninclude: [{a: 1}, sub]\n")
    main = str(tmp_path / "main.yaml")
    assert found == [("include: expected a file path", Location(main, 2, 11)),
                     ("included path is a directory: sub", Location(main, 2, 19))]


def test_included_file_that_is_not_a_mapping(tmp_path):
    found = _errors(tmp_path, "specrun: 1\ninclude: [l.yaml, m.yaml]\n", l_yaml="- a\n", m_yaml="x: 1\nassets: [a]\n")
    assert [m for m, _ in found] == ["an included file must hold a mapping (of assets, ops, ...)",
                                     "expected a mapping in assets"]
    assert [(loc.file.endswith(name), loc.line, loc.col) for (_, loc), name in zip(found, ["l.yaml", "m.yaml"])] == [
        (True, 1, 1), (True, 2, 9)]


def test_included_sections_are_merged_with_their_own_positions_and_files(tmp_path):
    (tmp_path / "a.yaml").write_text("assets:\n  x: {fn: m:x}\nops:\n  o: {fn: m:o}\n")
    (tmp_path / "b.yaml").write_text("assets:\n\n  y: {fn: m:y}\n")
    main = tmp_path / "main.yaml"
    main.write_text("specrun: 1\ninclude: [a.yaml, b.yaml]\nassets:\n  w: {fn: m:w}\n")
    doc = load_document(str(main))
    assert list(doc.data["assets"]) == ["w", "x", "y"]
    assert doc.data["ops"] == {"o": {"fn": "m:o"}}
    def at(loc):
        return os.path.basename(loc.file), loc.line

    assert at(doc.positions["/assets/x/fn"]) == ("a.yaml", 2)
    assert at(doc.key_positions["/assets/y"]) == ("b.yaml", 3)
    assert at(doc.key_positions["/assets/w"]) == ("main.yaml", 4)
    assert sorted(os.path.basename(f) for f in doc.files) == ["a.yaml", "b.yaml", "main.yaml"]


def test_names_defined_twice_are_each_an_error_at_the_second_definition(tmp_path):
    found = _errors(tmp_path, "specrun: 1\ninclude: [a.yaml, b.yaml]\nassets:\n  x: {fn: m:x}\n",
                    a_yaml="assets:\n  x: {fn: m:x}\n", b_yaml="ops:\n  o: {fn: m:o}\nassets:\n  x: {fn: m:x}\n")
    main = str(tmp_path / "main.yaml")
    assert [m for m, _ in found] == [f"asset 'x' is defined twice (first at {main}:4:3)"] * 2
    assert [(os.path.basename(loc.file), loc.line) for _, loc in found] == [("a.yaml", 2), ("b.yaml", 4)]
