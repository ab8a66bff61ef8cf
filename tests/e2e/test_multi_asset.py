"""examples/multi_asset: one step producing two assets, each planned, stored and read on its own."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import plan_rows, specrun_cmd


@pytest.mark.slow
def test_a_multi_asset_runs_once_and_each_of_its_assets_is_stored_and_planned(example):
    folder = example("multi_asset")
    first = specrun_cmd("apply", "pipeline.yaml", cwd=folder)
    assert first.returncode == 0, first.stderr
    assert "3 ok, 0 failed" in first.stdout
    stored = sorted((folder / ".specrun" / "storage").iterdir())  # <asset>@v-<token> (storage/layout.py)
    assert [p.name.partition("@v-")[0] for p in stored] == ["paid", "raw_orders", "refunded", "revenue"]
    status = specrun_cmd("status", "pipeline.yaml", "--format", "json", cwd=folder)
    import json

    assert sorted(row["asset"] for row in json.loads(status.stdout)["assets"]) == [
        "paid", "raw_orders", "refunded", "revenue"]  # each asset of the multi-asset has its row
    for path in stored:
        if path.name.startswith("refunded@v-"):
            path.unlink()  # its stored versions are gone
    plan = specrun_cmd("plan", "pipeline.yaml", cwd=folder)
    assert plan_rows(plan.stdout) == {
        "raw_orders": ("skip", "up to date"),
        "split_orders": ("run", "refunded: stored output is missing"),
        "revenue": ("run", "upstream paid will be re-materialized"),
    }
    graph = specrun_cmd("graph", "pipeline.yaml", "--format", "json", cwd=folder)
    assert '"refunded"' in graph.stdout and '"split_orders"' not in graph.stdout


def test_selecting_one_asset_of_a_multi_asset_that_cannot_subset_says_so(example):
    folder = example("multi_asset")
    done = specrun_cmd("apply", "pipeline.yaml", "--select", "refunded", cwd=folder)
    assert done.returncode == 1
    assert "multi_asset 'split_orders' produces ['paid', 'refunded'] in one step" in done.stderr
