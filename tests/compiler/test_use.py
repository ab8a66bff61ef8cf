"""`use:` instances of typed templates: namespacing, references, and every error at its place."""

from __future__ import annotations

import textwrap

import pytest

from specrun import AssetKey, materialize_to_memory
from specrun.compiler import compile_spec
from specrun.compiler.load import load_document
from specrun.errors import Location, SpecErrors

INGEST = """\
---
description: one table
params:
  table: {type: string, description: source table}
  rows: {type: integer, default: 5}
  mode: {type: string, enum: [full, delta], default: full}
  columns: {type: list, items: {type: string}, default: [id]}
  flags: {type: object, default: {}}
---
assets:
  raw:
    fn: use_steps:extract
    config: {table: "{{ table }}", rows: {{ rows }}}
  clean:
    fn: use_steps:clean
checks:
  not_empty: {asset: clean, fn: use_steps:not_empty}
"""

MODULE = """\
from specrun import AssetCheckResult

def extract(context):
    return [context.op_config["table"]] * context.op_config["rows"]

def clean(raw):
    return raw

def not_empty(clean):
    return AssetCheckResult(passed=bool(clean))

def report(orders, payments):
    return len(orders) + len(payments)
"""


@pytest.fixture()
def project(tmp_path, monkeypatch):
    """A folder with templates/ingest.yaml.j2 and use_steps.py (a module name no other test uses: Python caches modules by name); returns a writer of files in it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "ingest.yaml.j2").write_text(INGEST)
    (tmp_path / "use_steps.py").write_text(MODULE)

    def write(name: str, text: str) -> str:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text))
        return name
    return write


def _errors(path: str) -> list[str]:
    with pytest.raises(SpecErrors) as err:
        compile_spec(path)
    return [str(e) for e in err.value.errors]


def test_instances_are_namespaced_and_read_each_other(project):
    spec = project("p.yaml", """\
        specrun: 1
        use:
          orders: {template: templates/ingest.yaml.j2, with: {table: orders, rows: 2}}
          payments: {template: templates/ingest.yaml.j2, with: {table: payments}}
        assets:
          report: {fn: use_steps:report, ins: {orders: orders/clean, payments: payments/clean}}
        """)
    compiled = compile_spec(spec)
    keys = sorted(a.key.to_user_string() for a in compiled.definitions.assets)
    assert keys == ["orders/clean", "orders/raw", "payments/clean", "payments/raw", "report"]
    clean = next(a for a in compiled.definitions.assets if a.key.to_user_string() == "orders/clean")
    assert [k.to_user_string() for k in clean.input_keys.values()] == ["orders/raw"]  # `raw` by parameter name
    assert clean.tags["specrun/instance"] == "orders"
    assert clean.tags["specrun/template"] == "templates/ingest.yaml.j2"
    checks = sorted(f"{c.asset_key.to_user_string()}:{c.name}" for c in compiled.definitions.asset_checks)
    assert checks == ["orders/clean:not_empty", "payments/clean:not_empty"]
    assert compiled.run_config["ops"]["payments__raw"] == {"config": {"table": "payments", "rows": 5}}


def test_an_instance_reads_another_instances_asset_by_its_full_name(project):
    project("templates/sum.yaml.j2", """\
        ---
        params: {source: {type: string}}
        ---
        assets:
          total: {fn: use_steps:clean, ins: {raw: "{{ source }}"}}
        """)
    spec = project("p.yaml", """\
        specrun: 1
        use:
          orders: {template: templates/ingest.yaml.j2, with: {table: orders}}
          summed: {template: templates/sum.yaml.j2, with: {source: orders/raw}}
        """)
    compiled = compile_spec(spec)
    total = next(a for a in compiled.definitions.assets if a.key.to_user_string() == "summed/total")
    assert [k.to_user_string() for k in total.input_keys.values()] == ["orders/raw"]


def test_ops_jobs_resources_and_partitions_get_a_name_prefix(project):
    project("templates/job.yaml.j2", """\
        ---
        params: {}
        ---
        resources:
          store: {type: memory}
        partitions:
          days: {type: daily, start: "2024-01-01"}
        assets:
          a: {fn: use_steps:extract, partitions: days, io_manager: store, config: {table: t, rows: 1}}
        ops:
          step: {fn: use_steps:clean}
        jobs:
          nightly: {selection: "a+"}
        """)
    spec = project("p.yaml", """\
        specrun: 1
        use:
          one: {template: templates/job.yaml.j2}
          two: {template: templates/job.yaml.j2}
        """)
    doc = load_document(spec)
    assert sorted(doc.data["resources"]) == ["one__store", "two__store"]
    assert sorted(doc.data["partitions"]) == ["one__days", "two__days"]
    assert sorted(doc.data["ops"]) == ["one__step", "two__step"]
    assert doc.data["jobs"]["two__nightly"]["selection"] == "two/a+"
    assert doc.data["assets"]["one/a"]["partitions"] == "one__days"
    assert doc.data["assets"]["one/a"]["io_manager"] == "one__store"
    compiled = compile_spec(spec)
    assert sorted(j.name for j in compiled.definitions.jobs if j.name.endswith("nightly")) == [
        "one__nightly", "two__nightly"]


def test_positions_of_instance_entries_are_the_templates_and_name_the_instance(project):
    spec = project("p.yaml", """\
        specrun: 1
        use:
          orders: {template: templates/ingest.yaml.j2, with: {table: orders}}
        """)
    doc = load_document(spec)
    where = doc.locate("/assets/orders~1raw/config/rows")
    assert where == Location("templates/ingest.yaml.j2", 13, 42)
    assert str(where) == "templates/ingest.yaml.j2:13:42 (in use.orders)"


def test_wrong_type_unknown_name_and_missing_parameter_are_errors_at_the_argument(project):
    spec = project("p.yaml", """\
        specrun: 1
        use:
          orders: {template: templates/ingest.yaml.j2, with: {table: orders, rows: "20x", tabel: 1}}
          payments:
            template: templates/ingest.yaml.j2
            with: {rows: 2, mode: half, columns: [id, 3]}
        """)
    assert _errors(spec) == [
        'p.yaml:3:76: error: use.orders.with.rows: expected integer, got "20x"',
        "p.yaml:3:83: error: use.orders.with: unknown parameter 'tabel' (did you mean 'table'?)",
        'p.yaml:6:27: error: use.payments.with.mode: "half" is not one of: "full", "delta"',
        'p.yaml:6:42: error: use.payments.with.columns: item 1: expected string, got 3',
        "p.yaml:6:5: error: use.payments.with: missing required parameter 'table' (source table) "
        "(add `table: <string>`)",
    ]


def test_missing_with_is_an_error_at_the_instance(project):
    spec = project("p.yaml", "specrun: 1\nuse:\n  orders: {template: templates/ingest.yaml.j2}\n")
    assert _errors(spec) == ["p.yaml:3:3: error: use.orders.with: missing required parameter 'table' "
                             "(source table) (add `table: <string>`)"]


def test_error_while_rendering_points_at_the_template_line_and_names_the_instance(project):
    project("templates/bad.yaml.j2", "---\nparams: {table: {type: string}}\n---\nassets:\n"
                                     "  raw: {fn: use_steps:extract, config: {table: \"{{ tabel }}\"}}\n")
    spec = project("p.yaml", "specrun: 1\nuse:\n  orders: {template: templates/bad.yaml.j2, with: {table: a}}\n")
    assert _errors(spec) == ["templates/bad.yaml.j2:5:52 (in use.orders): error: template variable 'tabel' "
                             "is not defined (did you mean 'table'?)"]


def test_schema_and_resolve_errors_in_an_instance_point_at_the_template(project):
    project("templates/bad.yaml.j2", "---\nparams: {}\n---\nassets:\n  raw: {fn: use_steps:extrct, grup: x}\n")
    spec = project("p.yaml", "specrun: 1\nuse:\n  orders: {template: templates/bad.yaml.j2}\n")
    assert _errors(spec) == ["templates/bad.yaml.j2:5:31 (in use.orders): error: unknown key 'grup' in "
                             "assets/orders/raw (did you mean 'group'?)"]
    project("templates/bad.yaml.j2", "---\nparams: {}\n---\nassets:\n  raw: {fn: use_steps:extrct}\n")
    (message,) = _errors(spec)
    assert message.startswith("templates/bad.yaml.j2:5:13 (in use.orders): error: ")
    assert "extrct" in message and "did you mean 'extract'?" in message


def test_a_template_cannot_set_spec_level_keys(project):
    project("templates/bad.yaml.j2", "---\nparams: {}\n---\nname: x\nassets: {}\n")
    spec = project("p.yaml", "specrun: 1\nuse:\n  orders: {template: templates/bad.yaml.j2}\n")
    assert _errors(spec) == ["templates/bad.yaml.j2:4:1 (in use.orders): error: a template cannot set 'name': "
                             "it defines assets, checks, ops, jobs, resources, partitions, use only"]


def test_template_not_found_suggests_a_near_file(project):
    spec = project("p.yaml", "specrun: 1\nuse:\n  orders: {template: templates/ingst.yaml.j2}\n")
    assert _errors(spec) == ["p.yaml:3:22: error: template not found: templates/ingst.yaml.j2 "
                             "(did you mean 'ingest.yaml.j2'?)"]


def test_unknown_key_of_a_use_entry(project):
    spec = project("p.yaml", "specrun: 1\nuse:\n  orders: {template: templates/ingest.yaml.j2, wiht: {}}\n")
    assert _errors(spec) == ["p.yaml:3:48: error: use.orders: unknown key 'wiht' (did you mean 'with'?)"]


def test_an_asset_defined_by_the_spec_and_an_instance_is_an_error(project):
    spec = project("p.yaml", """\
        specrun: 1
        use:
          orders: {template: templates/ingest.yaml.j2, with: {table: a}}
        assets:
          orders/raw: {fn: use_steps:clean}
        """)
    assert _errors(spec) == ["p.yaml:3:3: error: asset 'orders/raw' of use.orders is also defined at p.yaml:5:3 "
                             "(rename one of them)"]


def test_front_matter_errors_point_at_the_declaration(project):
    project("templates/bad.yaml.j2", """\
        ---
        params:
          rows: {type: integr, default: 5}
          table: {type: string, default: 3}
          mode: {type: string, dfault: a}
          instance: {type: string}
        ---
        assets: {}
        """)
    spec = project("p.yaml", "specrun: 1\nuse:\n  orders: {template: templates/bad.yaml.j2}\n")
    assert _errors(spec) == [
        "templates/bad.yaml.j2:3:16 (in use.orders): error: parameter 'rows': unknown type 'integr' "
        "(did you mean 'integer'?)",
        "templates/bad.yaml.j2:4:34 (in use.orders): error: parameter 'table': its default does not fit: "
        "expected string, got 3",
        "templates/bad.yaml.j2:5:24 (in use.orders): error: parameter 'mode': unknown key 'dfault' "
        "(did you mean 'default'?)",
        "templates/bad.yaml.j2:6:3 (in use.orders): error: parameter name 'instance' is reserved: templates "
        "see the instance as `{{ instance }}` (choose another name)",
    ]


def test_nested_use_namespaces_twice(project):
    project("templates/pair.yaml.j2", """\
        ---
        params: {base: {type: string}}
        ---
        use:
          first: {template: ingest.yaml.j2, with: {table: "{{ base }}_1"}}
        assets:
          both: {fn: use_steps:clean, ins: {raw: first/clean}}
        """)
    spec = project("p.yaml", "specrun: 1\nuse:\n  sales: {template: templates/pair.yaml.j2, with: {base: s}}\n")
    compiled = compile_spec(spec)
    keys = sorted(a.key.to_user_string() for a in compiled.definitions.assets)
    assert keys == ["sales/both", "sales/first/clean", "sales/first/raw"]
    both = next(a for a in compiled.definitions.assets if a.key.to_user_string() == "sales/both")
    assert [k.to_user_string() for k in both.input_keys.values()] == ["sales/first/clean"]
    assert compiled.run_config["ops"]["sales__first__raw"]["config"]["table"] == "s_1"
    assert [i.name for i in compiled.document.instances] == ["sales/first", "sales"]


def test_nested_errors_name_every_instance(project):
    project("templates/pair.yaml.j2", "---\nparams: {}\n---\nuse:\n  first: {template: ingest.yaml.j2, with: {}}\n")
    spec = project("p.yaml", "specrun: 1\nuse:\n  sales: {template: templates/pair.yaml.j2}\n")
    assert _errors(spec) == ["templates/pair.yaml.j2:5:37 (in use.sales): error: use.first.with: missing "
                             "required parameter 'table' (source table) (add `table: <string>`)"]
    project("templates/pair.yaml.j2", "---\nparams: {}\n---\nuse:\n  first: {template: ingest.yaml.j2, "
                                      "with: {table: a}}\nassets:\n  x: {fn: use_steps:nope}\n")
    project("templates/ingest.yaml.j2", INGEST.replace("{{ rows }}", "{{ rowz }}"))
    (message,) = _errors(spec)
    assert message.startswith("templates/ingest.yaml.j2:13:45 (in use.sales > use.first): error: template "
                              "variable 'rowz' is not defined")


def test_a_template_using_itself_is_a_cycle(project):
    project("templates/a.yaml.j2", "---\nparams: {}\n---\nuse:\n  b: {template: b.yaml.j2}\n")
    project("templates/b.yaml.j2", "---\nparams: {}\n---\nuse:\n  a: {template: a.yaml.j2}\n")
    spec = project("p.yaml", "specrun: 1\nuse:\n  top: {template: templates/a.yaml.j2}\n")
    assert _errors(spec) == ["templates/b.yaml.j2:5:17 (in use.top > use.b): error: template cycle: "
                             "a.yaml.j2 -> b.yaml.j2 -> a.yaml.j2 (a template cannot use itself, "
                             "directly or through others)"]


def test_nesting_deeper_than_the_limit_is_an_error(project):
    for level in range(10):
        project(f"templates/t{level}.yaml.j2", f"---\nparams: {{}}\n---\nuse:\n  n: {{template: t{level + 1}.yaml.j2}}\n")
    project("templates/t10.yaml.j2", "---\nparams: {}\n---\nassets: {}\n")
    spec = project("p.yaml", "specrun: 1\nuse:\n  top: {template: templates/t0.yaml.j2}\n")
    (message,) = _errors(spec)
    assert message == ("templates/t7.yaml.j2:5:17 (in use.top > use.n > use.n > use.n > use.n > use.n > use.n > "
                       "use.n): error: templates are nested more than 8 deep (flatten the chain of templates "
                       "using templates)")


def test_typed_values_render_as_yaml(project):
    project("templates/t.yaml.j2", """\
        ---
        params:
          flag: {type: boolean}
          cols: {type: list}
        ---
        assets:
          a: {fn: use_steps:extract, config: {table: t, rows: 1}, metadata: {flag: {{ flag }}, cols: {{ cols }}, \
        name: "{{ instance.name }}"}}
        """)
    spec = project("p.yaml", "specrun: 1\nuse:\n  x: {template: templates/t.yaml.j2, with: {flag: true, cols: [a, 'b c']}}\n")
    doc = load_document(spec)
    assert doc.data["assets"]["x/a"]["metadata"] == {"flag": True, "cols": ["a", "b c"], "name": "x"}


def test_an_included_file_may_use_templates(project):
    project("part.yaml", "use:\n  orders: {template: templates/ingest.yaml.j2, with: {table: o}}\n")
    spec = project("p.yaml", "specrun: 1\ninclude: [part.yaml]\nassets:\n  r: {fn: use_steps:clean, ins: {raw: orders/clean}}\n")
    compiled = compile_spec(spec)
    assert sorted(a.key.to_user_string() for a in compiled.definitions.assets) == ["orders/clean", "orders/raw", "r"]
    assert [i.name for i in compiled.document.instances] == ["orders"]
    assert str(compiled.document.locate("/assets/orders~1raw/fn")) == "templates/ingest.yaml.j2:12:9 (in use.orders)"


def test_an_instance_asset_reads_a_top_level_asset_its_instance_does_not_have(project):
    project("templates/total.yaml.j2", """\
        ---
        params: {}
        ---
        assets:
          total: {fn: use_steps:clean}
        """)
    spec = project("p.yaml", """\
        specrun: 1
        use:
          summed: {template: templates/total.yaml.j2}
        assets:
          raw: {fn: use_steps:extract, config: {table: t, rows: 1}}
        """)
    total = next(a for a in compile_spec(spec).definitions.assets if a.key.to_user_string() == "summed/total")
    assert dict(total.input_keys) == {"raw": AssetKey(["raw"])}


def test_a_multi_asset_of_a_template_used_twice_is_one_step_per_instance(project):
    # both were the op 'p': a run computed one instance's and dropped the other's
    project("use_pair.py", "def pair(context):\n    rows = context.op_config['rows']\n    return rows, rows * 2\n")
    project("templates/pair.yaml.j2", """\
        ---
        params: {}
        ---
        assets:
          p: {fn: use_pair:pair, outs: {l: ~, r: ~}, config: {rows: 3}}
        """)
    spec = project("p.yaml", """\
        specrun: 1
        use:
          one: {template: templates/pair.yaml.j2}
          two: {template: templates/pair.yaml.j2}
        """)
    compiled = compile_spec(spec)
    assert sorted(a.op.name for a in compiled.definitions.assets) == ["one__p", "two__p"]
    assert compiled.run_config == {"ops": {"one__p": {"config": {"rows": 3}}, "two__p": {"config": {"rows": 3}}}}
    result = materialize_to_memory(compiled.definitions.assets, run_config=compiled.run_config)
    assert [result.output_for_node(node, out) for node in ("one__p", "two__p") for out in ("l", "r")] == [3, 6, 3, 6]
