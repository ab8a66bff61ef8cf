"""The `specrun` command through a subprocess: exit codes, output formats, no tracebacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.e2e.conftest import ROOT, specrun_cmd

INVALID = os.path.join(ROOT, "specs", "invalid")
VALID = os.path.join(ROOT, "specs", "valid")


def test_version_and_help():
    assert specrun_cmd("--version").stdout.strip() == "specrun, version 0.1.0"
    help_text = specrun_cmd("--help").stdout
    for command in ("validate", "plan", "apply", "render", "graph", "schema", "init", "runs", "logs",
                    "reexecute", "status"):
        assert command in help_text


def test_help_does_not_import_the_heavy_modules():
    code = ("import sys; from specrun import cli; "
            "heavy = [m for m in ('pydantic', 'networkx', 'jsonschema', 'sqlalchemy', 'rich', 'yaml') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
    assert out == "[]"


def test_validate_of_the_quickstart_does_not_import_pydantic():
    spec = os.path.join(ROOT, "examples", "quickstart", "pipeline.yaml")
    code = ("import sys; from specrun.cli import main; "
            f"main(['validate', {spec!r}], standalone_mode=False); "
            "print('pydantic' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report, imported = result.stdout.strip().splitlines()
    assert report.endswith(": ok (3 asset(s), 1 check(s), 0 op(s), 0 job(s))")
    assert imported == "False"


def _imported_after_apply(project, which: str) -> str:
    """What `print(<which>)` shows after `specrun apply basic.yaml` in `project`, in process."""
    code = ("import sys; from specrun.cli import main\n"
            "try:\n    main(['apply', 'basic.yaml'], standalone_mode=False)\n"
            f"finally:\n    print({which})")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project)
    assert result.returncode == 0, result.stderr
    assert ": 4 ok, 0 failed, 0 skipped" in result.stdout
    return result.stdout.strip().splitlines()[-1]


def test_apply_of_an_unpartitioned_spec_does_not_import_socket_zoneinfo_or_calendar(project):
    assert _imported_after_apply(project, "[m for m in ('socket', 'zoneinfo', 'calendar') if m in sys.modules]") == "[]"


def test_apply_of_an_unpartitioned_spec_does_not_import_the_partitions_package(project):
    assert _imported_after_apply(project, "sorted(m for m in sys.modules if 'partitions' in m.split('.'))") == "[]"


def test_apply_of_a_spec_without_observable_sources_does_not_import_the_observations_module(project):
    assert _imported_after_apply(project, "'specrun.runtime.definitions.observations' in sys.modules") == "False"


def test_validate_ok_exit_0():
    result = specrun_cmd("validate", "basic.yaml", cwd=VALID)
    assert result.returncode == 0
    assert result.stdout.strip() == "basic.yaml: ok (3 asset(s), 1 check(s), 0 op(s), 0 job(s))"


def test_validate_error_prints_location_source_caret_and_hint_without_traceback():
    result = specrun_cmd("validate", "unknown_key.yaml", cwd=INVALID)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "unknown_key.yaml:6:5: error: unknown key 'grup' in assets/source"
    assert lines[1] == "        grup: core"
    assert lines[2] == "        ^"
    assert lines[3] == "  hint: did you mean 'group'?"
    assert "Traceback" not in result.stderr


def test_validate_json_format_has_pointer():
    result = specrun_cmd("validate", "--format", "json", "bad_enum.yaml", cwd=INVALID)
    assert result.returncode == 1
    (error,) = json.loads(result.stdout)["errors"]
    assert error == {"file": "bad_enum.yaml", "line": 6, "col": 38, "pointer": "/assets/source/retry/backoff",
                     "message": "'exponentail' is not one of: linear, exponential",
                     "hint": "did you mean 'exponential'?"}


def test_debug_shows_the_traceback():
    result = specrun_cmd("--debug", "validate", "cycle.yaml", cwd=INVALID)
    assert result.returncode == 1 and "Traceback" in result.stderr


@pytest.mark.parametrize("spec", sorted(f for f in os.listdir(INVALID) if not f.endswith(".py")
                                        and f not in ("include_b.yaml", "twice_part.yaml")))
def test_every_invalid_spec_fails_cleanly(spec):
    result = specrun_cmd("validate", spec, cwd=INVALID, timeout=30)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and ": error: " in result.stderr


def test_missing_file_is_a_clean_error():
    result = specrun_cmd("validate", "nope.yaml", cwd=VALID)
    assert result.returncode == 1
    assert "no such file: nope.yaml" in result.stderr and "Traceback" not in result.stderr


def test_render_prints_the_rendered_template():
    result = specrun_cmd("render", "fanout.yaml.j2", "--var", "copies=[p, q]", cwd=VALID)
    assert result.returncode == 0
    assert "doubled_p:" in result.stdout and "doubled_q:" in result.stdout and "{%" not in result.stdout


def test_vars_file(tmp_path):
    vars_file = tmp_path / "vars.yaml"
    vars_file.write_text("copies: [one]\n")
    result = specrun_cmd("render", "fanout.yaml.j2", "--vars", str(vars_file), cwd=VALID)
    assert "doubled_one:" in result.stdout and "doubled_a" not in result.stdout


@pytest.mark.parametrize("fmt, expected", [
    ("mermaid", "source --> doubled"), ("dot", '"source" -> "doubled";'), ("json", '"from": "source"')])
def test_graph_formats(fmt, expected):
    result = specrun_cmd("graph", "basic.yaml", "--format", fmt, cwd=VALID)
    assert result.returncode == 0 and expected in result.stdout


def test_schema_is_json_schema_with_descriptions():
    schema = json.loads(specrun_cmd("schema").stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    asset = schema["properties"]["assets"]["patternProperties"]["^[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_]*)*$"]
    assert all("description" in p for p in asset["properties"].values())


def test_init_writes_a_project_that_validates_and_applies(tmp_path):
    target = tmp_path / "starter"
    result = specrun_cmd("init", str(target))
    assert result.returncode == 0
    first_line = (target / "pipeline.yaml").read_text().splitlines()[0]
    assert first_line.startswith("# yaml-language-server: $schema=")
    assert specrun_cmd("apply", "pipeline.yaml", cwd=target).returncode == 0
    assert specrun_cmd("init", str(target)).returncode == 1  # refuses to overwrite


def test_apply_select_and_exclude(project):
    result = specrun_cmd("apply", "basic.yaml", "--select", "+doubled", cwd=project)
    assert ": 2 ok, 0 failed, 0 skipped" in result.stdout
    result = specrun_cmd("plan", "basic.yaml", "--exclude", "source", cwd=project)
    steps = [line.split("│")[2].strip() for line in result.stdout.splitlines() if line.count("│") >= 5]
    assert steps == ["doubled", "total", "total_total_positive"]


def test_apply_unknown_selector_has_hint(project):
    result = specrun_cmd("apply", "basic.yaml", "--select", "totl", cwd=project)
    assert result.returncode == 1
    assert "selector 'totl' matches nothing; did you mean 'total'?" in result.stderr


def test_apply_with_config_file_and_executor_override(project, tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("ops:\n  source:\n    config: {n: 10}\n")
    result = specrun_cmd("apply", "basic.yaml", "--config", str(config), "--executor", "multiprocess",
                         "--max-concurrent", "2", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "multiprocess executor" in result.stdout


def test_bad_run_config_is_reported_with_its_path(project, tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("ops:\n  source:\n    confg: {n: 10}\n")
    result = specrun_cmd("apply", "basic.yaml", "--config", str(config), cwd=project)
    assert result.returncode == 1
    assert 'unexpected config entry "confg"' in result.stderr and "root:ops:source" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_partition_key_is_clean(example):
    folder = example("partitioned")
    result = specrun_cmd("apply", "pipeline.yaml", "--partition", "2024-13-01", cwd=folder)
    assert result.returncode == 1
    assert "partition key '2024-13-01'" in result.stderr and "Traceback" not in result.stderr


def test_apply_without_partition_options_makes_every_partition_real_then_nothing(example):
    folder = example("partitioned")
    first = specrun_cmd("apply", "pipeline.yaml", cwd=folder)
    assert first.returncode == 0, first.stderr
    assert ": 63 ok, 0 failed, 0 skipped" in first.stdout  # 31 x events, 31 x daily_counts, the roll-up
    second = specrun_cmd("apply", "pipeline.yaml", cwd=folder)
    assert "Nothing to do: all 63 step(s) are up to date" in second.stdout


def test_apply_without_partition_options_refuses_mixed_partitionings(tmp_path):
    (tmp_path / "fns.py").write_text("def a():\n    return 1\n\ndef b():\n    return 2\n")
    (tmp_path / "p.yaml").write_text(
        "specrun: 1\nname: mixed\nmodule: fns\n"
        "partitions:\n  daily: {type: daily, start: '2024-01-01', end: '2024-01-03'}\n"
        "  regions: {type: static, keys: [eu, us]}\n"
        "assets:\n  a: {fn: a, partitions: daily}\n  b: {fn: b, partitions: regions}\n")
    result = specrun_cmd("apply", "p.yaml", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "mixes differently partitioned assets" in result.stderr and "--partition KEY" in result.stderr
    only_b = specrun_cmd("apply", "p.yaml", "--select", "b", cwd=tmp_path)
    assert only_b.returncode == 0 and ": 2 ok, 0 failed, 0 skipped" in only_b.stdout


def test_init_on_an_existing_file_says_to_name_a_directory(tmp_path):
    existing = tmp_path / "pipeline.yaml"
    existing.write_text("specrun: 1\n")
    result = specrun_cmd("init", str(existing))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"error: {existing} is a file: name a directory for the new "
                                     "project (it is created if missing)")
    assert existing.read_text() == "specrun: 1\n"


def test_partition_and_partitions_together_are_a_usage_error(example):
    folder = example("partitioned")
    result = specrun_cmd("plan", "pipeline.yaml", "--partition", "2024-01-01",
                         "--partitions", "2024-01-02..2024-01-03", cwd=folder)
    assert result.returncode == 2
    assert "--partition and --partitions cannot be used together" in result.stderr


def test_partition_on_an_unpartitioned_spec_is_an_error_not_ignored(project):
    result = specrun_cmd("plan", "basic.yaml", "--partition", "2024-01-01", cwd=project)
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: --partition was given, but nothing in this selection "
                                     "is partitioned")


@pytest.mark.parametrize("args", [("apply", "basic.yaml", "--max-concurrent", "0"),
                                  ("runs", "--spec", "basic.yaml", "--limit", "0")])
def test_counts_below_one_are_usage_errors(project, args):
    result = specrun_cmd(*args, cwd=project)
    assert result.returncode == 2
    assert "0 is not in the range x>=1" in result.stderr


def test_run_config_syntax_error_points_at_its_line(project, tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("ops:\n  source: {config: {n: 10}\n")
    result = specrun_cmd("plan", "basic.yaml", "--config", str(config), cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{config}:3:1: error: YAML syntax error")


def test_run_config_that_is_a_directory_or_a_list_is_a_clean_error(project, tmp_path):
    result = specrun_cmd("plan", "basic.yaml", "--config", str(tmp_path), cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"error: {tmp_path} is a directory" in result.stderr
    listed = tmp_path / "run.yaml"
    listed.write_text("- ops\n")
    result = specrun_cmd("plan", "basic.yaml", "--config", str(listed), cwd=project)
    assert result.stderr.splitlines()[0] == (f"{listed}:1:1: error: a run config must be a mapping "
                                             "(ops:, resources:, execution:)")


@pytest.mark.parametrize("name, text", [("run.json", '{"ops": {"source": {"config": {"n": 7}}}}'),
                                        ("run.toml", "[ops.source.config]\nn = 7\n")])
def test_run_config_may_be_json_or_toml(project, tmp_path, name, text):
    config = tmp_path / name
    config.write_text(text)
    specrun_cmd("apply", "basic.yaml", cwd=project)
    result = specrun_cmd("plan", "basic.yaml", "--config", str(config), cwd=project)
    assert result.returncode == 0, result.stderr
    assert re.search(r"run\s+│\s+source\s+│\s+asset\s+│\s+-\s+│\s+config changed", result.stdout)


def test_user_code_failing_at_resource_set_up_shows_its_message_and_only_its_frames(tmp_path):
    (tmp_path / "fns.py").write_text(
        "def a():\n    return 1\n\n\nclass Warehouse:\n    def __init__(self):\n"
        "        raise RuntimeError('cannot connect to warehouse')\n")
    (tmp_path / "p.yaml").write_text(
        "specrun: 1\nmodule: fns\nresources:\n  io_manager: {type: 'fns:Warehouse'}\n"
        "assets:\n  a: {fn: a}\n")
    plan = specrun_cmd("plan", "p.yaml", cwd=tmp_path)  # plan builds no resource
    assert plan.returncode == 0 and "never materialized" in plan.stdout, plan.stderr
    result = specrun_cmd("apply", "p.yaml", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "step 'a' failed: setting up resource 'io_manager' failed: RuntimeError: cannot connect to warehouse"
    assert lines[1] == "Traceback (your code):"
    assert lines[2] == f'  File "{tmp_path / "fns.py"}", line 7, in __init__'
    assert "specrun/" not in result.stderr and "click" not in result.stderr


def test_an_error_inside_specrun_itself_is_reported_as_a_bug(capsys):
    import click

    import specrun
    from specrun.cli import _Ctx, _run_guarded

    namespace: dict = {}
    inside = os.path.join(os.path.dirname(specrun.__file__), "broken.py")
    exec(compile("def broken():\n    raise TypeError('bad operand')\n", inside, "exec"), namespace)  # noqa: S102 - code "inside" specrun
    ctx = click.Context(click.Command("x"), obj=_Ctx(debug=False))
    with pytest.raises(SystemExit) as exit_info:
        _run_guarded(ctx, namespace["broken"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: TypeError: bad operand",
        "  this is a bug in specrun: please report it with the output of `specrun --debug ...`"]


def test_executor_override_drops_the_spec_executors_config(example):
    folder = example("custom_executor")  # its executor has config {announce: true}
    result = specrun_cmd("apply", "pipeline.yaml", "--executor", "in_process", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "running 3 step(s) with the in_process executor"
    assert ": 3 ok, 0 failed, 0 skipped" in result.stdout


def test_nothing_to_do_says_which_steps_wait_for_upstream_partitions(example):
    folder = example("partitioned")
    first = specrun_cmd("apply", "pipeline.yaml", "--partition", "2024-01-02", cwd=folder)
    assert ": 2 ok, 0 failed, 0 skipped" in first.stdout
    again = specrun_cmd("apply", "pipeline.yaml", "--partition", "2024-01-02", cwd=folder)
    assert again.returncode == 0
    assert again.stdout.splitlines() == [
        "Nothing to do: 2 step(s) up to date, 1 waiting for upstream partitions:",
        "  monthly_total: upstream daily_counts has 30 of 31 partition(s) not materialized (first: 2024-01-01)"]


def test_debug_after_the_command_name_shows_the_traceback_too():
    result = specrun_cmd("validate", "cycle.yaml", "--debug", cwd=INVALID)
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr and "SpecErrors" in result.stderr


def test_ops_job_example_shows_its_retry_policy_at_work(example):
    folder = example("ops_job")
    result = specrun_cmd("apply", "pipeline.yaml", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert ("  retry    double: double failed and will be retried (attempt 1) in 0s: ConnectionError: "
            "upstream service timed out (first attempt fails on purpose)") in result.stdout.splitlines()
    assert ": 4 ok, 0 failed, 0 skipped" in result.stdout


@pytest.mark.parametrize("raised, message", [
    (RuntimeError("cannot connect"), "RuntimeError: cannot connect"),
    (IsADirectoryError(21, "Is a directory", "conf"), "conf: Is a directory")])
def test_validate_json_reports_errors_without_a_location_as_json(capsys, raised, message):
    import click

    from specrun.cli import _Ctx, _run_guarded

    def fail():
        raise raised

    ctx = click.Context(click.Command("validate"), obj=_Ctx(debug=False))
    with pytest.raises(SystemExit) as exit_info:
        _run_guarded(ctx, fail, "json")
    assert exit_info.value.code == 1
    assert json.loads(capsys.readouterr().out) == {"errors": [
        {"file": None, "line": None, "col": None, "pointer": "", "message": message, "hint": None}]}


def test_help_documents_the_selector_syntax_and_output_formats():
    plan_help = " ".join(specrun_cmd("plan", "--help").stdout.split())
    assert "tag:k=v, group:g; space- separated for a union, comma for an intersection" in plan_help
    validate_help = " ".join(specrun_cmd("validate", "--help").stdout.split())
    assert '--format [text|json] json: {"errors": [{file, line, col, pointer, message, hint}]}' in validate_help


@pytest.mark.parametrize("given, message", [
    ("2024-01-01..", "--partitions '2024-01-01..': a range is FIRST..LAST with both ends, "
                     "e.g. --partitions 2024-01-01..2024-01-31"),
    ("a..b..c", "--partitions 'a..b..c': a range is FIRST..LAST with both ends, "
                "e.g. --partitions 2024-01-01..2024-01-31"),
    (",", "--partitions ',' names no partition: give FIRST..LAST or A,B,C, "
          "e.g. --partitions 2024-01-01..2024-01-31"),
    ("", "--partitions '' names no partition: give FIRST..LAST or A,B,C, "
         "e.g. --partitions 2024-01-01..2024-01-31")])
def test_partitions_that_name_no_keys_say_how_to_write_them(example, given, message):
    folder = example("partitioned")
    result = specrun_cmd("plan", "pipeline.yaml", "--partitions", given, cwd=folder)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {message}"


def _planned_steps(stdout: str) -> list[tuple[str, str]]:
    """(run|skip, step) of each row of `plan`'s table."""
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in stdout.splitlines()
            if line.startswith("│")]
    return [(row[0], row[1]) for row in rows if row[0]]  # a wrapped reason continues on a row without one


@pytest.mark.parametrize("given", ["2024-01-03,2024-01-05,2024-01-07", " 2024-01-03 , 2024-01-05,2024-01-07,"])
def test_partitions_as_a_list_plan_exactly_those_keys(example, given):
    folder = example("partitioned")
    result = specrun_cmd("plan", "pipeline.yaml", "--partitions", given, cwd=folder)
    assert result.returncode == 0, result.stderr
    keys = ["2024-01-03", "2024-01-05", "2024-01-07"]
    assert _planned_steps(result.stdout) == [
        *(("run", f"events[{k}]") for k in keys), *(("run", f"daily_counts[{k}]") for k in keys),
        ("skip", "monthly_total")]


def test_partitions_as_a_range_plan_both_ends(example):
    folder = example("partitioned")
    result = specrun_cmd("plan", "pipeline.yaml", "--partitions", "2024-01-30..2024-01-31", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert _planned_steps(result.stdout)[:4] == [
        ("run", "events[2024-01-30]"), ("run", "events[2024-01-31]"),
        ("run", "daily_counts[2024-01-30]"), ("run", "daily_counts[2024-01-31]")]


def test_max_concurrent_with_the_in_process_executor_names_the_option_not_run_config(project):
    result = specrun_cmd("plan", "basic.yaml", "--max-concurrent", "4", cwd=project)
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: --max-concurrent is for executors that run steps in "
                                     "parallel; this run uses the in_process executor: add "
                                     "--executor multiprocess (or dask)")
    parallel = specrun_cmd("plan", "basic.yaml", "--max-concurrent", "4", "--executor", "multiprocess",
                           cwd=project)
    assert parallel.returncode == 0 and "(executor: multiprocess)" in parallel.stdout


def test_select_that_a_job_would_ignore_is_an_error(example):
    folder = example("ops_job")
    only_ops = specrun_cmd("plan", "pipeline.yaml", "--select", "fetch", cwd=folder)
    assert only_ops.returncode == 1
    assert only_ops.stderr.strip() == ("error: --select picks assets, but this spec has none: job "
                                       "'numbers' is made of ops, which all run")
    with_job = specrun_cmd("plan", "pipeline.yaml", "--job", "numbers", "--exclude", "fetch", cwd=folder)
    assert with_job.returncode == 1
    assert with_job.stderr.strip() == ("error: --exclude cannot be combined with --job: job 'numbers' "
                                       "runs what its `selection:` or `ops:` declare; drop --job to "
                                       "select assets")


def test_run_config_problems_point_at_their_line_in_the_config_file(project, tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("ops:\n  sorce:\n    config: {n: 10}\nresources:\n  io_manager:\n"
                      "    config: {base_dir: [1]}\n")
    result = specrun_cmd("plan", "basic.yaml", "--config", str(config), cwd=project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{config}:2:3: error: Received unexpected config entry \"sorce\" (did you mean 'source'?) "
        "(run config root:ops)",
        "      sorce:",
        "      ^",
        f"{config}:6:24: error: Value [1] is not valid: expected String, got list "
        "(run config root:resources:io_manager:config:base_dir)",
        "        config: {base_dir: [1]}",
        "    " + " " * 23 + "^",
        "2 error(s)"]


def test_ui_without_its_extra_says_which_extra_to_install(tmp_path):
    import subprocess
    import sys

    code = ("import sys; sys.modules['starlette'] = None; from specrun.cli import main; "
            "main(['ui', 'pipeline.yaml'], prog_name='specrun')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1
    assert "needs starlette, which is part of the [ui] extra" in result.stderr
    assert "pip install -e '.[ui]'" in result.stderr


def test_help_imports_neither_the_ui_nor_its_web_framework():
    import subprocess
    import sys

    code = ("import sys; from specrun.cli import main\n"
            "try:\n    main(['--help'], prog_name='specrun')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('specrun.ui', 'starlette', 'uvicorn', 'jinja2'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"
