"""`plan` for scripts and CI: `--exit-code` and `--format json`, through the command."""

from __future__ import annotations

import json

import pytest

from .conftest import specrun_cmd

pytestmark = pytest.mark.slow


def test_plan_exit_code_is_2_when_something_would_run_0_when_nothing_1_on_error(example):
    folder = example("quickstart")
    before = specrun_cmd("plan", "pipeline.yaml", "--exit-code", cwd=folder)
    assert before.returncode == 2, before.stderr
    assert specrun_cmd("plan", "pipeline.yaml", cwd=folder).returncode == 0  # only with the flag
    assert specrun_cmd("apply", "pipeline.yaml", cwd=folder).returncode == 0
    after = specrun_cmd("plan", "pipeline.yaml", "--exit-code", cwd=folder)
    assert after.returncode == 0, after.stderr
    (folder / "pipeline.yaml").write_text("specrun: 1\nassets:\n  a: {fn: nope:x}\n")
    broken = specrun_cmd("plan", "pipeline.yaml", "--exit-code", cwd=folder)
    assert broken.returncode == 1 and "Traceback" not in broken.stderr


def test_plan_json_lists_each_step_with_its_decision_and_counts(example):
    folder = example("quickstart")
    out = specrun_cmd("plan", "pipeline.yaml", "--format", "json", cwd=folder)
    doc = json.loads(out.stdout)
    assert doc["format"] == "specrun.plan/1" and doc["pipeline"] == "quickstart"
    assert doc["counts"] == {"to_run": 4, "up_to_date": 0, "waiting": 0}
    first = doc["steps"][0]
    assert first == {"step": "raw_orders", "node": "raw_orders", "kind": "asset", "partition": None,
                     "asset": "raw_orders", "run": True, "reason": "never materialized"}


def test_plan_json_errors_are_json_too(example):
    folder = example("quickstart")
    (folder / "pipeline.yaml").write_text("specrun: 1\nassets:\n  a: {fn: nope:x}\n")
    out = specrun_cmd("plan", "pipeline.yaml", "--format", "json", cwd=folder)
    assert out.returncode == 1
    errors = json.loads(out.stdout)["errors"]
    assert errors and errors[0]["line"] == 3


ORDER_SPEC = """\
specrun: 1
name: order
module: fns
assets:
  zeta: {fn: one}
  alpha: {fn: one}
  mid: {fn: one, deps: [zeta, alpha]}
  beta: {fn: one}
  after: {fn: one, deps: [mid]}
"""


def test_plan_order_is_the_same_lexicographic_topological_order_in_every_process(tmp_path):
    (tmp_path / "fns.py").write_text("def one():\n    return 1\n")
    (tmp_path / "pipeline.yaml").write_text(ORDER_SPEC)
    orders = set()
    for seed in ("0", "1", "7", "4242"):
        out = specrun_cmd("plan", "pipeline.yaml", "--format", "json", cwd=tmp_path, env={"PYTHONHASHSEED": seed})
        orders.add(tuple(s["step"] for s in json.loads(out.stdout)["steps"]))
    assert orders == {("alpha", "beta", "zeta", "mid", "after")}


def test_status_json_counts_each_assets_partitions(example):
    folder = example("quickstart")
    assert specrun_cmd("apply", "pipeline.yaml", cwd=folder).returncode == 0
    (folder / "pipeline.yaml").write_text((folder / "pipeline.yaml").read_text().replace("rows: 20", "rows: 21"))
    doc = json.loads(specrun_cmd("status", "pipeline.yaml", "--format", "json", cwd=folder).stdout)
    assert doc["format"] == "specrun.status/1" and doc["pipeline"] == "quickstart"
    rows = {a["asset"]: a for a in doc["assets"]}
    assert rows["raw_orders"] == {"asset": "raw_orders", "partitions": None, "materialized": 1, "stale": 1,
                                  "failed": 0, "missing": 0}
    assert set(rows) == {"raw_orders", "orders_clean", "order_summary"}
