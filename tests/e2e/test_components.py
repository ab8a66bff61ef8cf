"""examples/components and the template commands, through the `specrun` command."""

from __future__ import annotations

import json
import os
import textwrap

import jsonschema
import pytest
import yaml

from tests.e2e.conftest import ROOT, specrun_cmd


@pytest.mark.slow
def test_components_example_applies_and_an_edited_template_restales_its_assets(example):
    folder = example("components")
    first = specrun_cmd("apply", "pipeline.yaml", cwd=str(folder))
    assert first.returncode == 0, first.stderr
    for step in ("orders__raw", "payments__clean", "refunds__clean_positive", "report"):
        assert f"ok       {step}" in first.stdout
    assert ": 10 ok, 0 failed" in first.stdout
    again = specrun_cmd("plan", "pipeline.yaml", cwd=str(folder))
    assert "0 to run, 10 up to date" in again.stdout
    template = folder / "templates" / "ingest.yaml.j2"
    template.write_text(template.read_text() + "# an edit\n")
    plan = specrun_cmd("plan", "pipeline.yaml", cwd=str(folder))
    rows = [line for line in plan.stdout.splitlines() if "orders__raw" in line or "report" in line]
    assert "template changed (templates/ingest.yaml.j2)" in rows[0]
    assert "upstream orders/clean will be re-materialized" in rows[1]
    assert "10 to run, 0 up to date" in plan.stdout
    applied = specrun_cmd("apply", "pipeline.yaml", cwd=str(folder))
    assert applied.returncode == 0, applied.stderr
    assert "0 to run, 10 up to date" in specrun_cmd("plan", "pipeline.yaml", cwd=str(folder)).stdout


def test_report_reads_all_three_instances(example, tmp_path):
    folder = example("components")
    code = textwrap.dedent("""\
        import json, sys
        from specrun import materialize
        from specrun.compiler import compile_spec
        compiled = compile_spec("pipeline.yaml")
        defs = compiled.definitions
        result = materialize(defs.assets, resources=defs.resources, run_config=compiled.run_config)
        print(json.dumps(result.output_for_node("report")))
        """)
    (tmp_path / "run.py").write_text(code)
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(tmp_path / "run.py")], cwd=str(folder), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    # orders: 20 rows, the two with negative amounts dropped; payments: 5 rows, those >= 10 kept;
    # refunds: 8 rows, the German ones (ids 1, 2, 4, 5, 7) kept
    assert report == {"orders": {"rows": 18, "amount": 837}, "payments": {"rows": 3, "amount": 144},
                      "refunds": {"rows": 5, "amount": 278}}


def test_render_marks_each_instance_and_loads_as_a_plain_spec(example):
    folder = example("components")
    done = specrun_cmd("render", "pipeline.yaml", cwd=str(folder))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert '  # use.orders: templates/ingest.yaml.j2 (table="orders", rows=20, min_amount=0, country="any")' in lines
    assert '  # use.refunds: templates/ingest.yaml.j2 (table="refunds", rows=8, min_amount=0, country="de")' in lines
    assert lines[lines.index('  # use.refunds: templates/ingest.yaml.j2 (table="refunds", rows=8, min_amount=0, '
                             'country="de")') + 1] == "  refunds/raw:"
    (folder / "rendered.yaml").write_text(done.stdout)
    checked = specrun_cmd("validate", "rendered.yaml", cwd=str(folder))
    assert checked.stdout.strip() == "rendered.yaml: ok (7 asset(s), 3 check(s), 0 op(s), 0 job(s))"


def test_schema_for_spec_types_the_with_blocks(example):
    folder = example("components")
    done = specrun_cmd("schema", "--for", "pipeline.yaml", cwd=str(folder))
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    params = schema["$defs"]["template:templates/ingest.yaml.j2"]
    assert params["required"] == ["table"]
    assert params["properties"]["rows"] == {"type": "integer", "description": "how many rows to copy", "default": 5}
    spec = yaml.safe_load((folder / "pipeline.yaml").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(spec)) == []
    spec["use"]["orders"]["with"] = {"table": "orders", "rows": "many", "colour": 1}
    messages = sorted(e.message for e in validator.iter_errors(spec))
    assert messages == ["'many' is not of type 'integer'",
                        "Additional properties are not allowed ('colour' was unexpected)"]
    committed = json.loads((folder / "pipeline.schema.json").read_text())
    assert committed == schema, "examples/components/pipeline.schema.json is out of date: regenerate it"


def _installed_collection(tmp_path):
    """A real installed distribution (dist-info + package on PYTHONPATH) sharing one template."""
    site = tmp_path / "site"
    package = site / "mypkg" / "templates"
    package.mkdir(parents=True)
    (site / "mypkg" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "ingest.yaml.j2").write_text(textwrap.dedent("""\
        ---
        description: copy one table
        params:
          table: {type: string, description: source table}
          rows: {type: integer, default: 5, description: rows to copy}
        ---
        assets:
          raw: {fn: mypkg.steps:extract, config: {table: "{{ table }}", rows: {{ rows }}}}
        """))
    (site / "mypkg" / "steps.py").write_text("def extract(context):\n    return [context.op_config['table']]"
                                             " * context.op_config['rows']\n")
    info = site / "mypkg-1.2.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mypkg\nVersion: 1.2.0\n")
    (info / "entry_points.txt").write_text("[specrun.templates]\nmypkg = mypkg.templates\n")
    return {"PYTHONPATH": os.pathsep.join([str(site), ROOT])}


def test_packaged_templates_are_listed_shown_used_and_scaffolded(tmp_path):
    env = _installed_collection(tmp_path)
    listed = specrun_cmd("templates", "list", env=env)
    assert listed.stdout.strip() == "mypkg:ingest  copy one table  [mypkg 1.2.0]"
    shown = specrun_cmd("templates", "show", "mypkg:ingest", env=env)
    assert shown.stdout.splitlines()[0] == "mypkg:ingest: copy one table"
    assert shown.stdout.splitlines()[1].startswith("from mypkg 1.2.0 (")
    assert shown.stdout.splitlines()[3:] == ["parameters:", "  table  string, required    source table",
                                             "  rows   integer, default 5  rows to copy"]
    made = specrun_cmd("init", str(tmp_path / "new"), "--template", "mypkg:ingest", env=env)
    assert made.returncode == 0, made.stderr
    spec = (tmp_path / "new" / "pipeline.yaml").read_text()
    assert "    template: mypkg:ingest\n    with:\n" in spec
    assert '      table: ""    # TODO required (string, required) - source table\n' in spec
    assert "      # rows: 5    # integer, default 5 - rows to copy\n" in spec
    (tmp_path / "new" / "pipeline.yaml").write_text(spec.replace('table: ""', "table: orders"))
    applied = specrun_cmd("apply", "pipeline.yaml", cwd=str(tmp_path / "new"), env=env)
    assert applied.returncode == 0, applied.stderr
    assert "ok       ingest__raw" in applied.stdout
    missing = specrun_cmd("templates", "show", "mypkg:ingets", env=env)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "error: mypkg has no template named 'ingets' (did you mean 'ingest'?)"


def test_two_distributions_claiming_one_collection_is_an_error(tmp_path):
    env = _installed_collection(tmp_path)
    other = tmp_path / "site" / "otherpkg-0.1.dist-info"
    other.mkdir()
    (other / "METADATA").write_text("Metadata-Version: 2.1\nName: otherpkg\nVersion: 0.1\n")
    (other / "entry_points.txt").write_text("[specrun.templates]\nmypkg = otherpkg.templates\n")
    done = specrun_cmd("templates", "list", env=env)
    assert done.returncode == 1
    assert "template collection 'mypkg' is provided by two distributions" in done.stderr
    assert "mypkg" in done.stderr and "otherpkg" in done.stderr


def test_argument_error_through_the_cli_points_at_the_with_value(example):
    folder = example("components")
    spec = folder / "pipeline.yaml"
    spec.write_text(spec.read_text().replace("rows: 20}", 'rows: "20x"}'))
    done = specrun_cmd("validate", "pipeline.yaml", cwd=str(folder))
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == 'pipeline.yaml:11:78: error: use.orders.with.rows: expected integer, got "20x"'


def test_graph_shows_each_instances_assets_with_their_template(example):
    folder = example("components")
    done = specrun_cmd("graph", "pipeline.yaml", "--format", "json", cwd=str(folder))
    assert done.returncode == 0, done.stderr
    graph = json.loads(done.stdout)
    clean = next(n for n in graph["nodes"] if n["id"] == "refunds/clean")
    assert clean["tags"]["specrun/instance"] == "refunds"
    assert clean["tags"]["specrun/template"] == "templates/ingest.yaml.j2"
    edges = {(e["from"], e["to"]) for e in graph["edges"]}
    assert {("orders/clean", "report"), ("payments/clean", "report"), ("refunds/clean", "report"),
            ("refunds/raw", "refunds/clean"), ("refunds/clean", "check:refunds/clean/positive")} <= edges
