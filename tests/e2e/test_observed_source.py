"""examples/observed_source: an external file observed by `specrun observe` / `apply`; a change
makes what reads it stale, and `plan` itself never runs the observation."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import plan_rows, specrun_cmd


@pytest.mark.slow
def test_a_changed_source_makes_its_downstream_stale_once_observed(example):
    folder = example("observed_source")
    first = specrun_cmd("apply", "pipeline.yaml", cwd=folder)
    assert first.returncode == 0, first.stderr
    assert "observed orders: data version " in first.stdout and "(first observation)" in first.stdout
    assert "1 ok, 0 failed" in first.stdout
    assert plan_rows(specrun_cmd("plan", "pipeline.yaml", cwd=folder).stdout) == {
        "order_count": ("skip", "up to date")}
    with open(folder / "orders.csv", "a") as f:
        f.write("3,40\n")
    # plan runs no user code: until the source is observed again, nothing is known to have changed
    assert plan_rows(specrun_cmd("plan", "pipeline.yaml", cwd=folder).stdout) == {
        "order_count": ("skip", "up to date")}
    observed = specrun_cmd("observe", "pipeline.yaml", cwd=folder)
    assert observed.returncode == 0, observed.stderr
    assert "(was " in observed.stdout
    assert plan_rows(specrun_cmd("plan", "pipeline.yaml", cwd=folder).stdout) == {
        "order_count": ("run", "upstream source orders changed")}
    second = specrun_cmd("apply", "pipeline.yaml", cwd=folder)
    assert "(unchanged)" in second.stdout and "1 ok, 0 failed" in second.stdout


def test_observe_on_a_spec_without_observable_sources_says_so(example):
    folder = example("multi_asset")
    done = specrun_cmd("observe", "pipeline.yaml", cwd=folder)
    assert done.returncode == 1
    assert "no observable source assets in this spec" in done.stdout
