"""examples/dynamic_partitions: keys added with `specrun partitions add` become work for
`plan` / `apply`, kept in the spec's run store."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import specrun_cmd


@pytest.mark.slow
def test_partitions_added_on_the_command_line_are_planned_and_applied(example):
    folder = example("dynamic_partitions")
    empty = specrun_cmd("plan", "pipeline.yaml", cwd=folder)
    assert empty.returncode == 1
    assert "the dynamic partitions 'customers' have no keys yet" in empty.stderr

    added = specrun_cmd("partitions", "add", "customers", "acme", "globex", cwd=folder)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "added 2 key(s) to customers; it has 2: acme, globex"
    first = specrun_cmd("apply", "pipeline.yaml", cwd=folder)
    assert first.returncode == 0, first.stderr
    assert "5 ok, 0 failed" in first.stdout

    specrun_cmd("partitions", "add", "customers", "initech", "acme", cwd=folder)
    listed = specrun_cmd("partitions", "list", "customers", cwd=folder)
    assert listed.stdout.split() == ["acme", "globex", "initech"]
    plan = specrun_cmd("plan", "pipeline.yaml", cwd=folder)
    rows = [[cell.strip() for cell in line.split("│")] for line in plan.stdout.splitlines()]
    runs = sorted([row[2], row[4]] for row in rows if len(row) > 4 and row[1] == "run")
    assert runs == [["all_customers", "-"], ["customer_total", "initech"], ["invoices", "initech"]]
    second = specrun_cmd("apply", "pipeline.yaml", cwd=folder)
    assert "3 ok, 0 failed" in second.stdout


def test_a_partitions_name_the_spec_does_not_declare_is_an_error_with_a_hint(example):
    folder = example("dynamic_partitions")
    wrong = specrun_cmd("partitions", "add", "customer", "acme", cwd=folder)
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == (
        "error: pipeline.yaml has no dynamic partitions named 'customer' (its dynamic partitions: "
        "customers); did you mean 'customers'?")


def test_deleting_a_key_that_is_not_there_names_it(example):
    folder = example("dynamic_partitions")
    specrun_cmd("partitions", "add", "customers", "acme", cwd=folder)
    gone = specrun_cmd("partitions", "delete", "customers", "acne", cwd=folder)
    assert gone.returncode == 1
    assert gone.stderr.strip() == "error: customers has no key 'acne'; did you mean 'acme'?"


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["multiprocess", "dask"])
def test_workers_read_the_keys_the_run_started_with(example, executor):
    pytest.importorskip("distributed") if executor == "dask" else None
    folder = example("dynamic_partitions")
    specrun_cmd("partitions", "add", "customers", "acme", "globex", cwd=folder)
    done = specrun_cmd("apply", "pipeline.yaml", "--executor", executor, cwd=folder, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 ok, 0 failed" in done.stdout  # the roll-up read both customers' totals
