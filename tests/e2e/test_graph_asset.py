"""examples/graph_asset: assets computed by graphs of ops, each op a step; staleness per asset."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import plan_rows, specrun_cmd


@pytest.mark.slow
def test_graph_assets_run_their_ops_as_steps_and_go_stale_when_an_op_changes(example):
    folder = example("graph_asset")
    first = specrun_cmd("apply", "pipeline.yaml", cwd=folder)
    assert first.returncode == 0, first.stderr
    assert "7 ok, 0 failed" in first.stdout
    for step in ("clean_orders.parse", "clean_orders.dedupe", "order_stats.amounts", "order_stats.total"):
        assert f"ok       {step}" in first.stdout
    # (an asset's value is <asset>@v-<token>, storage/layout.py; the run's folder has no "@")
    stored = {p.name.partition("@v-")[0] for p in (folder / ".specrun" / "storage").iterdir()}
    # each asset under its key; the ops' other outputs under the run, as for an ops job (and in Dagster)
    assert {"biggest_order", "clean_orders", "raw_orders", "report", "revenue"} < stored
    [run_folder] = stored - {"biggest_order", "clean_orders", "raw_orders", "report", "revenue"}
    assert sorted(p.name for p in (folder / ".specrun" / "storage" / run_folder).iterdir()) == [
        "clean_orders.parse", "order_stats.amounts"]
    source = folder / "assets.py"
    source.write_text(source.read_text().replace("kept.append(row)", "kept.append(dict(row))"))
    rows = plan_rows(specrun_cmd("plan", "pipeline.yaml", cwd=folder).stdout)
    assert rows["raw_orders"] == ("skip", "up to date")
    assert rows["clean_orders.parse"] == ("run", "graph asset clean_orders runs")
    assert rows["clean_orders.dedupe"][0] == "run"
    assert rows["clean_orders.dedupe"][1].startswith("code changed: an op of graph asset clean_orders changed")
    assert rows["order_stats.total"] == ("run", "upstream clean_orders will be re-materialized")
    assert rows["report"] == ("run", "upstream biggest_order will be re-materialized")
    second = specrun_cmd("apply", "pipeline.yaml", cwd=folder)
    assert "6 ok, 0 failed" in second.stdout
    rows = plan_rows(specrun_cmd("plan", "pipeline.yaml", cwd=folder).stdout)
    assert rows["order_stats.amounts"] == ("skip", "graph asset order_stats is up to date")
    assert {decision for decision, _ in rows.values()} == {"skip"}


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["multiprocess", "dask"])
def test_graph_assets_run_on_the_process_executors(example, executor):
    folder = example("graph_asset")
    done = specrun_cmd("apply", "pipeline.yaml", "--executor", executor, cwd=folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 ok, 0 failed" in done.stdout
    assert "0 to run, 7 up to date" in specrun_cmd("plan", "pipeline.yaml", cwd=folder).stdout
