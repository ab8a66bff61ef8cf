"""Property tests of source positions: for random documents in every YAML and TOML style,
the line and column recorded for each key and scalar value is where its text starts."""

from __future__ import annotations

import json
import re
import sys

import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from specrun.compiler.load import load_text
from specrun.compiler.toml_positions import _Scanner

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# Wide (CJK), astral (emoji), combining and tab-adjacent characters: columns count characters.
NAMES = st.text(alphabet="abz_-9ñé日本😀 .\"'#=[", min_size=1, max_size=6)
BARE = re.compile(r"[A-Za-z0-9_-]+")
SCALARS = st.one_of(st.integers(-5, 10**6), st.booleans(),
                    st.text(alphabet="ab é日😀\"'#=[]{},\n\t\\", max_size=12))


def _values(depth: int) -> st.SearchStrategy:
    if depth == 0:
        return SCALARS
    inner = _values(depth - 1)
    return st.one_of(SCALARS, st.lists(inner, min_size=1, max_size=3),
                     st.dictionaries(NAMES, inner, min_size=1, max_size=3))


DOCS = st.dictionaries(NAMES, _values(3), min_size=1, max_size=5)


def _scalar_pointers(data, pointer=""):
    """(pointer, key or None, value) of every key and every scalar in `data`."""
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        child = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
        yield child, (key if isinstance(data, dict) else None), value
        if isinstance(value, (dict, list)):
            yield from _scalar_pointers(value, child)


def _text_at(lines, loc):
    return lines[loc.line - 1][loc.col - 1:]


@settings(max_examples=150, deadline=None)
@given(DOCS, st.sampled_from([None, True, False]), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_yaml_positions_point_at_each_key_and_value(data, flow, newline, bom):
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True, width=40)
    raw = ("\ufeff" if bom else "") + text.replace("\n", newline)
    doc = load_text(raw.replace("\r\n", "\n"), "p.yaml")
    assert doc.data == data
    lines = text.split("\n")
    for pointer, key, value in _scalar_pointers(data):
        if key is not None:
            at = _text_at(lines, doc.key_positions[pointer])
            unquoted = at[1:] if at[:1] in "\"'" else at
            assert unquoted.startswith((key[0], "\\")), (pointer, at)  # a backslash: an escaped character
        at = _text_at(lines, doc.positions[pointer])
        if isinstance(value, bool):
            assert at.startswith(str(value).lower()), (pointer, at)
        elif isinstance(value, int):
            assert at.startswith(str(value)), (pointer, at)


def _toml_key(key: str) -> str:
    return key if BARE.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _toml_inline(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if "\n" in value and not value.startswith("\n"):  # a multi-line basic string, lines as written
            body = value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
            return f'"""{body}"""'
        if not set(value) & set("'\t\n"):
            return f"'{value}'"
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_inline(v) for v in value) + "]"
    return "{" + ", ".join(f"{_toml_key(k)} = {_toml_inline(v)}" for k, v in value.items()) + "}"


@st.composite
def toml_documents(draw):
    """TOML text of a random document: tables, arrays of tables, dotted keys, inline tables."""
    out: list[str] = []

    def table(path: list[str], data: dict, header: str | None) -> None:
        if header is not None:
            out.append(header)
        sections = []
        for key, value in data.items():
            style = draw(st.sampled_from(["inline", "dotted", "section"]))
            if isinstance(value, dict) and style == "dotted":
                for sub, v in value.items():
                    out.append(f"{_toml_key(key)} . {_toml_key(sub)} = {_toml_inline(v)}")
            elif (isinstance(value, dict) or (isinstance(value, list) and value
                                              and all(isinstance(v, dict) for v in value))) and style == "section":
                sections.append((key, value))
            else:
                out.append(f"{_toml_key(key)} = {_toml_inline(value)}  # note = [x]")
        for key, value in sections:
            name = ".".join(_toml_key(p) for p in path + [key])
            if isinstance(value, dict):
                table(path + [key], value, f"[ {name} ]")
            else:
                for item in value:
                    table(path + [key], item, f"[[{name}]]")

    data = draw(DOCS)
    table([], data, None)
    return data, "\n".join(out) + "\n"


@settings(max_examples=200, deadline=None)
@given(toml_documents())
def test_toml_positions_point_at_each_key_and_value(case):
    data, text = case
    doc = load_text(text, "p.toml")
    assert doc.data == data
    lines = text.split("\n")
    for pointer, key, value in _scalar_pointers(data):
        if key is not None:
            at = _text_at(lines, doc.key_positions[pointer])
            assert at.startswith(_toml_key(key)), (pointer, at, text)
        if not isinstance(value, (dict, list)):
            at = _text_at(lines, doc.positions[pointer])
            assert at.startswith(_toml_inline(value).split("\n")[0]), (pointer, at, text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(list("ab1 =.[]{},\"'#\n\t\\") + ['"""', "'''", "[[", "]]", "a = ", "\n[a]\n"]),
               max_size=30).map("".join))
def test_random_toml_text_gives_positions_or_spec_errors_only(text):
    from specrun.errors import SpecErrors

    try:
        doc = load_text(text, "random.toml")
    except SpecErrors as e:
        assert e.errors and all(err.location is not None for err in e.errors)
        return
    lines = text.split("\n")
    for loc in list(doc.positions.values()) + list(doc.key_positions.values()):
        assert 1 <= loc.line <= len(lines) and 1 <= loc.col <= len(lines[loc.line - 1]) + 1


def _scanned(text: str, fast: bool):
    scanner = _Scanner(text, None, fast=fast)
    scanner.scan()
    return scanner.positions, scanner.key_positions


SIMPLE_VALUES = st.one_of(
    st.integers(-10**6, 10**6).map(str), st.sampled_from(["true", "false", "1_000", "0x1F", "+inf", "-0.5e+3",
                                                          "1979-05-27", "07:32:00", "1979-05-27T07:32:00Z",
                                                          "1979-05-27 07:32:00", '""', "''", '"""x"""', "'''y'''"]),
    st.text(alphabet="ab é日😀'#=[]{},.\t", max_size=6).map(lambda s: json.dumps(s, ensure_ascii=False)),
    st.text(alphabet='ab é日😀"#=[]{},.', max_size=6).map(lambda s: f"'{s}'"),
)
KEYS = st.one_of(st.sampled_from(["a", "b", "fn", "a-b_1", "9"]), st.sampled_from(['"q.k"', "'l k'", '"e\\"s"']))
DOTTED = st.lists(KEYS, min_size=1, max_size=3).map(".".join)


@st.composite
def spec_like_toml(draw):
    """TOML as spec files are written: mostly one simple statement a line, which the scanner's
    fast path takes, mixed with lines only the general scanner reads."""
    inline = st.lists(st.tuples(KEYS, SIMPLE_VALUES), max_size=3).map(
        lambda kvs: "{" + ", ".join(f"{k} = {v}" for k, v in kvs) + "}")
    value = st.one_of(SIMPLE_VALUES, inline, st.lists(SIMPLE_VALUES, max_size=3).map(lambda vs: "[" + ", ".join(vs) + "]"),
                      st.just('"""\n[x]\nk = 1\n"""'), st.just("[\n  1,\n  { a = 2 },\n]"))
    statement = st.one_of(
        st.tuples(DOTTED, st.sampled_from([" = ", "=", " =\t", "  =  "]), value).map("".join),
        DOTTED.map(lambda k: f"[{k}]"), DOTTED.map(lambda k: f"[[{k}]]"), DOTTED.map(lambda k: f"[ {k} ]"),
        st.just(""), st.just("# comment = [x]"))
    lines = draw(st.lists(st.tuples(st.sampled_from(["", " ", "\t"]), statement,
                                    st.sampled_from(["", "  # c", " #", "\t"])), max_size=12))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(indent + s + (tail if s else "") for indent, s, tail in lines) + draw(st.sampled_from(["", newline]))


@settings(max_examples=400, deadline=None)
@given(st.one_of(spec_like_toml(), toml_documents().map(lambda case: case[1])))
def test_toml_fast_path_gives_the_same_positions_as_the_general_scanner(text):
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        assume(False)
    assert _scanned(text, fast=True) == _scanned(text, fast=False), text
