"""specrun/compiler/pyyaml.py: PyYAML imported with its reader's pattern taken from re's cache;
the loader's shortcuts give PyYAML's safe loader's answers."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import yaml
import yaml.reader
import yaml.resolver

from specrun.compiler import pyyaml


def test_pyyaml_writes_the_pattern_whose_text_is_given_to_re():
    tree = ast.parse(open(yaml.reader.__file__, encoding="utf-8").read())
    found = [node.value.args[0].value for node in ast.walk(tree) if isinstance(node, ast.Assign)
             and getattr(node.targets[0], "id", "") == "NON_PRINTABLE"]
    assert found == [pyyaml._NON_PRINTABLE]


def test_the_pattern_given_matches_exactly_the_characters_pyyaml_s_does():
    every_character = "".join(map(chr, range(sys.maxunicode + 1)))
    own = re.compile(pyyaml._NON_PRINTABLE, re.UNICODE)  # (other flags: compiled, not the cached one)
    given = re.compile(pyyaml._SAME_CHARACTERS)
    assert own.pattern == pyyaml._NON_PRINTABLE
    positions = [m.start() for m in given.finditer(every_character)]
    assert positions == [m.start() for m in own.finditer(every_character)]
    assert len(positions) == 29 + 32 + 2048 + 2  # C0 controls but \t \n \r, DEL and C1 but \x85, surrogates, U+FFFE/F


def test_importing_the_parser_gives_yaml_reader_the_pattern_without_compiling_pyyamls():
    compiler = "re._compiler" if sys.version_info >= (3, 11) else "sre_compile"
    code = (f"import {compiler} as c; compiled = []; real = c.compile\n"
            "c.compile = lambda p, flags=0: compiled.append(p) or real(p, flags)\n"
            "import specrun.compiler.parse, yaml.reader\n"
            "print(yaml.reader.Reader.NON_PRINTABLE.pattern == specrun.compiler.pyyaml._SAME_CHARACTERS,"
            " specrun.compiler.pyyaml._NON_PRINTABLE in compiled)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


# Scalars of every implicit type and strings that start like one, plain and quoted, keys and values.
_TEXT = """\
name: chain
fn: nxt
a12: {up: a11, "q": 'x'}
types: [1, -2, +3, 0x1F, 0o7, 1.5, .5, .inf, -.Inf, .nan, 1e3, 1_000, 0b101, 2024-01-02, 2024-01-02T03:04:05Z]
words: [true, false, yes, No, on, OFF, null, Null, ~, '', "", =, y, n, t, f, o, nope, tr, 1a, -x, +y, .z]
<<: {merged: 1}
list: [[a, b], {c: d}]
"""


def _tags(node: yaml.Node) -> list:
    if isinstance(node, yaml.ScalarNode):
        return [(node.tag, node.value, node.start_mark.line, node.start_mark.column)]
    if isinstance(node, yaml.SequenceNode):
        return [node.tag] + [t for item in node.value for t in _tags(item)]
    return [node.tag] + [t for k, v in node.value for t in _tags(k) + _tags(v)]


def test_the_loader_tags_every_scalar_as_the_safe_loader_does_asking_its_patterns_only_for_typed_starts(monkeypatch):
    asked = []
    real = yaml.resolver.BaseResolver.resolve

    def counting(self, kind, value, implicit):
        asked.append(value)
        return real(self, kind, value, implicit)

    monkeypatch.setattr(yaml.resolver.BaseResolver, "resolve", counting)
    ours = yaml.compose(_TEXT, Loader=pyyaml.YamlLoader)
    asked_by_ours = [v for v in asked if isinstance(v, str)]
    asked.clear()
    assert _tags(ours) == _tags(yaml.compose(_TEXT, Loader=yaml.SafeLoader))
    starts = set(yaml.SafeLoader.yaml_implicit_resolvers)
    plain_strings = {"chain", "a12", "up", "a11", "words", "list", "a", "b", "c", "d", "merged"}
    assert not plain_strings & set(asked_by_ours)
    assert all(v == "" or v[0] in starts or v in ("q", "x") for v in asked_by_ours)  # or quoted
    assert {"1", "true", "null", "~", "2024-01-02", "<<", "=", "tr", "1a"} <= set(asked_by_ours)


def test_the_loader_asks_the_patterns_once_a_plain_text(monkeypatch):
    asked = []
    real = yaml.resolver.BaseResolver.resolve

    def counting(self, kind, value, implicit):
        asked.append((value, implicit))
        return real(self, kind, value, implicit)

    text = "".join(f"a{i}: {{fn: nxt, n: 1, f: false, q: 'no', t: ~}}\n" for i in range(3))
    monkeypatch.setattr(yaml.resolver.BaseResolver, "resolve", counting)
    ours = yaml.compose(text, Loader=pyyaml.YamlLoader)
    asked_by_ours = [(v, i) for v, i in asked if isinstance(v, str)]
    asked.clear()
    assert _tags(ours) == _tags(yaml.compose(text, Loader=yaml.SafeLoader))
    plain = [v for v, (is_plain, _) in asked_by_ours if is_plain]
    assert sorted(plain) == sorted(["fn", "nxt", "n", "1", "f", "false", "t", "~"])  # each once, not three times
    assert [v for v, (is_plain, _) in asked_by_ours if not is_plain] == ["no"] * 3  # quoted: asked each time


def test_the_loader_skips_pyyamls_per_node_calls_only_without_path_resolvers(monkeypatch):
    quick = pyyaml.YamlLoader("fn: nxt\n")
    monkeypatch.setattr(pyyaml.YamlLoader, "yaml_path_resolvers", {("x",): "tag"})
    asking = pyyaml.YamlLoader("fn: nxt\n")
    try:
        assert not hasattr(quick.descend_resolver, "__func__") and not hasattr(quick.ascend_resolver, "__func__")
        assert asking.descend_resolver.__func__ is yaml.resolver.BaseResolver.descend_resolver
        assert asking.ascend_resolver.__func__ is yaml.resolver.BaseResolver.ascend_resolver
        assert asking.resolve.__func__ is yaml.resolver.BaseResolver.resolve
    finally:
        quick.dispose()
        asking.dispose()


def test_the_loader_tags_mappings_without_the_safe_loaders_method(monkeypatch):
    asked = []
    real = yaml.resolver.BaseResolver.resolve

    def counting(self, kind, value, implicit):
        asked.append(kind)
        return real(self, kind, value, implicit)

    text = "".join(f"a{i}: {{fn: nxt, ins: {{up: a{i - 1}}}, list: [1, {{b: 2}}]}}\n" for i in range(1, 4))
    monkeypatch.setattr(yaml.resolver.BaseResolver, "resolve", counting)
    ours = yaml.compose(text, Loader=pyyaml.YamlLoader)
    asked_by_ours = list(asked)
    asked.clear()
    assert _tags(ours) == _tags(yaml.compose(text, Loader=yaml.SafeLoader))
    assert yaml.MappingNode not in asked_by_ours  # 10 mappings, none asked
    assert asked_by_ours.count(yaml.SequenceNode) == 3  # (sequences still are)
