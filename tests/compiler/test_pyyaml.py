"""specrun/compiler/pyyaml.py: PyYAML imported as it is (re and yaml left as they were);
the loader's shortcuts give PyYAML's safe loader's answers."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import yaml
import yaml.reader
import yaml.resolver

from specrun.compiler import pyyaml

# Run in a fresh interpreter: what `re` and `yaml` hold once the given modules are imported.
# re's cache maps (type, pattern text, flags) to what re compiled of that text with those flags.
_STATE_AFTER_IMPORTS = """
import json, re, sys
for name in sys.argv[1:]:
    __import__(name)
import yaml.reader
cache = getattr(re, "_cache", {})
print(json.dumps({
    "reader_pattern": yaml.reader.Reader.NON_PRINTABLE.pattern,
    "re_cache_as_compiled": all(compiled.pattern == key[1] for key, compiled in cache.items()),
    "re_names": sorted(vars(re)),
    "yaml_names": sorted(vars(yaml)),
}))
"""


def _state_after_importing(*modules: str) -> dict:
    result = subprocess.run([sys.executable, "-c", _STATE_AFTER_IMPORTS, *modules],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_importing_specrun_before_yaml_leaves_re_and_yaml_as_importing_yaml_alone_does():
    alone = _state_after_importing("yaml")
    after_specrun = _state_after_importing("specrun.compiler.parse", "specrun.compiler.load", "specrun.cli")
    source = ast.parse(open(yaml.reader.__file__, encoding="utf-8").read())
    written = [node.value.args[0].value for node in ast.walk(source) if isinstance(node, ast.Assign)
               and getattr(node.targets[0], "id", "") == "NON_PRINTABLE"]
    assert after_specrun["reader_pattern"] == alone["reader_pattern"] == written[0]
    assert after_specrun["re_cache_as_compiled"] is True
    assert after_specrun["re_names"] == alone["re_names"]
    assert after_specrun["yaml_names"] == alone["yaml_names"]


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
