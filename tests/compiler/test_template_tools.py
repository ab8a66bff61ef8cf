"""The template commands' texts: render of instances, schema --for, templates show, init --template."""

from __future__ import annotations

import pytest
import yaml

from specrun.compiler import compile_spec
from specrun.compiler.load import load_document
from specrun.compiler.template_tools import render_expanded, scaffold, schema_for, template_details
from specrun.errors import SpecErrors, SpecrunError

TEMPLATE = """\
---
description: a pair
params:
  n: {type: integer, description: how many}
  label: {type: string, default: x}
---
assets:
  a: {fn: tools_steps:f, config: {n: {{ n }}}}
"""
OUTER = """\
---
params: {}
---
use:
  inner: {template: t.yaml.j2, with: {n: 1}}
assets:
  b: {fn: tools_steps:g, ins: {a: inner/a}}
"""


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.yaml.j2").write_text(TEMPLATE)
    (tmp_path / "templates" / "outer.yaml.j2").write_text(OUTER)
    (tmp_path / "tools_steps.py").write_text("def f(context):\n    return 1\n\n\ndef g(a):\n    return a\n")
    return tmp_path


def test_render_writes_nested_instances_under_their_own_banner(folder):
    (folder / "p.yaml").write_text("specrun: 1\nuse:\n  top: {template: templates/outer.yaml.j2}\n")
    text = render_expanded(load_document("p.yaml"))
    lines = text.splitlines()
    assert lines[:3] == ["# p.yaml with its `use:` instances expanded by `specrun render`", "specrun: 1", "assets:"]
    assert lines[3:5] == ["  # use.top: templates/outer.yaml.j2", "  top/b:"]
    assert lines[lines.index('  # use.top.use.inner: t.yaml.j2 (n=1, label="x")') + 1] == "  top/inner/a:"
    (folder / "rendered.yaml").write_text(text)
    assert yaml.safe_load(text)["assets"]["top/b"]["ins"] == {"a": "top/inner/a"}
    assert sorted(a.key.to_user_string() for a in compile_spec("rendered.yaml").definitions.assets) == [
        "top/b", "top/inner/a"]


def test_render_of_a_spec_without_instances_is_its_text(folder):
    (folder / "p.yaml").write_text("specrun: 1  # as written\n")
    assert render_expanded(load_document("p.yaml")) == "specrun: 1  # as written\n"


def test_schema_for_a_spec_whose_template_is_missing_is_an_error_at_it(folder):
    (folder / "p.yaml").write_text("specrun: 1\nuse:\n  x: {template: templates/tt.yaml.j2}\n")
    with pytest.raises(SpecErrors) as err:
        schema_for("p.yaml")
    assert str(err.value) == ("p.yaml:3:17: error: template not found: templates/tt.yaml.j2 "
                              "(did you mean 't.yaml.j2'?)")


def test_templates_show_of_a_file(folder):
    assert template_details("templates/t.yaml.j2").splitlines() == [
        "templates/t.yaml.j2: a pair", "templates/t.yaml.j2", "", "parameters:",
        "  n      integer, required    how many", '  label  string, default "x"']


def test_init_with_a_template_file_writes_a_spec_that_validates_once_filled_in(folder):
    written = scaffold("new", "templates/t.yaml.j2")
    assert written == ["new/pipeline.yaml", "new/pipeline.schema.json"]
    text = (folder / "new" / "pipeline.yaml").read_text()
    assert "  t:\n    template: ../templates/t.yaml.j2\n    with:\n" in text
    assert "      n: 0    # TODO required (integer, required) - how many\n" in text
    assert '      # label: "x"    # string, default "x"\n' in text
    (folder / "new" / "tools_steps.py").write_text((folder / "tools_steps.py").read_text())
    (folder / "new" / "pipeline.yaml").write_text(text.replace("n: 0 ", "n: 3 "))
    compiled = compile_spec("new/pipeline.yaml")
    assert [a.key.to_user_string() for a in compiled.definitions.assets] == ["t/a"]
    with pytest.raises(SpecrunError, match="exists already"):
        scaffold("new", "templates/t.yaml.j2")
