"""Mistakes a newcomer makes, each answered by one message that says what to do (through the
command, as a user meets them)."""

from __future__ import annotations

import pytest

from .conftest import specrun_cmd

pytestmark = pytest.mark.slow


def _write(folder, **files):
    for name, text in files.items():
        (folder / name.replace("__", ".")).write_text(text)


def _fails(out, *lines):
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    for line in lines:
        assert line in out.stderr, out.stderr


def test_a_tab_in_the_indentation_says_to_indent_with_spaces(tmp_path):
    _write(tmp_path, spec__yaml="specrun: 1\nassets:\n\ta: {fn: m:f}\n")
    _fails(specrun_cmd("validate", "spec.yaml", cwd=tmp_path),
           "spec.yaml:3:1: error: YAML does not allow tabs for indentation", "hint: indent with spaces")


def test_yaml_1_1_booleans_are_strings_as_in_yaml_1_2(tmp_path):
    _write(tmp_path, m__py="def f(context):\n    return context.op_config\n",
           spec__yaml="specrun: 1\nmodule: m\nresources:\n  io_manager: {type: memory}\nassets:\n"
                      "  f: {fn: f, config: {country: no, on_call: on, flag: true, code: 0777, at: 12:30}}\n")
    out = specrun_cmd("plan", "spec.yaml", "--format", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    from specrun.compiler import compile_spec

    config = compile_spec(str(tmp_path / "spec.yaml")).run_config["ops"]["f"]["config"]
    assert config == {"country": "no", "on_call": "on", "flag": True, "code": 777, "at": "12:30"}


def test_a_string_given_where_the_template_loops_asks_for_a_list(tmp_path):
    _write(tmp_path, spec__yaml__j2="specrun: 1\nvars:\n  tables: [a, b]\nassets:\n"
                                    "{% for t in tables %}\n  raw_{{ t }}: {fn: m:f}\n{% endfor %}\n")
    _fails(specrun_cmd("render", "spec.yaml.j2", "--var", "tables=orders", cwd=tmp_path),
           "spec.yaml.j2:5:13: error: template variable 'tables' was given the string 'orders', but the template "
           "loops over it: it needs a list", "hint: give a list: --var 'tables=[orders]'")


def test_a_dotted_function_name_suggests_the_colon_form(tmp_path):
    _write(tmp_path, assets__py="def summary():\n    return 1\n",
           spec__yaml="specrun: 1\nassets:\n  a: {fn: assets.summary}\n")
    _fails(specrun_cmd("validate", "spec.yaml", cwd=tmp_path), "spec.yaml:3:11: error: 'assets.summary' names no module",
           "hint: did you mean 'assets:summary'? (module:function)")


def test_an_import_error_is_reported_once_at_the_python_line_that_failed(tmp_path):
    _write(tmp_path, broken__py="import json\nimport no_such_module_here\n\ndef a():\n    return 1\n\ndef b():\n"
                                "    return 2\n",
           spec__yaml="specrun: 1\nassets:\n  a: {fn: broken:a}\n  b: {fn: broken:b}\n")
    out = specrun_cmd("validate", "spec.yaml", cwd=tmp_path)
    _fails(out, "broken.py:2:1: error: importing 'broken' failed: ModuleNotFoundError: No module named "
                "'no_such_module_here'", "    import no_such_module_here", "hint: 'broken' is named at spec.yaml:3:11",
           "1 error(s)")


def test_an_unpicklable_output_names_the_output_and_its_io_manager(tmp_path):
    _write(tmp_path, lk__py="import threading\n\ndef locky():\n    return threading.Lock()\n",
           spec__yaml="specrun: 1\nresources:\n  io_manager: {type: fs, config: {base_dir: .specrun/storage}}\n"
                      "assets:\n  locky: {fn: lk:locky}\n")
    out = specrun_cmd("apply", "spec.yaml", cwd=tmp_path)
    assert out.returncode == 1
    assert ("step 'locky' failed: output 'result' of 'locky' (lock) cannot be pickled by IO manager 'io_manager'"
            in out.stderr)


def test_render_prints_the_rendered_text_then_why_it_does_not_parse(tmp_path):
    _write(tmp_path, spec__yaml__j2="specrun: 1\nassets:\n  a: {fn: {{ 'm:f' }}\n")
    out = specrun_cmd("render", "spec.yaml.j2", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stdout == "specrun: 1\nassets:\n  a: {fn: m:f\n"
    assert "spec.yaml.j2:4:1: error: YAML syntax error" in out.stderr


def test_an_empty_spec_file_says_it_is_empty(tmp_path):
    _write(tmp_path, spec__yaml="# nothing yet\n")
    _fails(specrun_cmd("validate", "spec.yaml", cwd=tmp_path), "spec.yaml:1:1: error: the spec file is empty")


def test_run_config_keys_of_a_function_without_schema_are_checked_against_the_specs_config(tmp_path):
    _write(tmp_path, m__py="def f(context):\n    return context.op_config['rows']\n",
           spec__yaml="specrun: 1\nmodule: m\nresources:\n  io_manager: {type: memory}\n"
                      "assets:\n  f: {fn: f, config: {rows: 20}}\n",
           run__yaml="ops:\n  f:\n    config: {rowz: 5}\n")
    _fails(specrun_cmd("plan", "spec.yaml", "--config", "run.yaml", cwd=tmp_path),
           "run.yaml:3:14: error: 'f' has no config key 'rowz': the spec declares rows under its `config:`",
           "hint: did you mean 'rows'?")
    (tmp_path / "run.yaml").write_text("ops:\n  f:\n    config: {rows: 5}\n")
    assert specrun_cmd("plan", "spec.yaml", "--config", "run.yaml", cwd=tmp_path).returncode == 0
