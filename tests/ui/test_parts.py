"""Specs that `specrun plan` cannot take whole (mixed partitionings, dynamic partitions with no
key yet) open in the UI, each asset with its own state."""

from __future__ import annotations

from specrun.ui.service import Service
from tests.e2e.conftest import specrun_cmd

NO_KEYS = "no partitions yet — add with `specrun partitions add customers KEY...`"


def _states(service):
    return {k: (v["state"], v["label"], v["total"]) for k, v in service.states()["nodes"].items()}


def test_a_spec_mixing_partitionings_opens_with_each_asset_planned_in_its_own(mixed_project):
    spec = str(mixed_project / "pipeline.yaml")
    whole = specrun_cmd("plan", spec)
    assert whole.returncode != 0 and "mixes differently partitioned assets" in whole.stderr
    assert specrun_cmd("apply", spec, "--select", "by_region", "--select", "plain").returncode == 0
    service = Service(spec)
    assert _states(service) == {
        "plain": ("fresh", "up to date", 1),
        "by_day": ("missing", "0/3 up to date, 3 missing", 3),
        "by_region": ("fresh", "2/2 up to date", 2),
        "by_customer": ("empty", NO_KEYS, 1),
        "summary": ("missing", "never materialized", 1),
    }
    page = service.asset("by_customer")
    assert page["summary"]["state"] == "empty" and page["partitions"] == {}
    assert sorted(service.asset("by_day")["partitions"]) == ["2024-01-01", "2024-01-02", "2024-01-03"]


def test_dynamic_partitions_added_while_the_ui_runs_are_planned(mixed_project):
    spec = str(mixed_project / "pipeline.yaml")
    service = Service(spec)
    assert _states(service)["by_customer"] == ("empty", NO_KEYS, 1)
    added = specrun_cmd("partitions", "add", "customers", "acme", "globex", "--spec", spec)
    assert added.returncode == 0, added.stderr
    assert _states(service)["by_customer"] == ("missing", "0/2 up to date, 2 missing", 2)
    assert set(service.asset("by_customer")["partitions"]) == {"acme", "globex"}


def test_the_dynamic_partitions_example_opens_before_any_key_exists(example):
    spec = str(example("dynamic_partitions") / "pipeline.yaml")
    service = Service(spec)
    states = _states(service)
    assert states["invoices"] == ("empty", NO_KEYS, 1) and states["customer_total"] == ("empty", NO_KEYS, 1)
    assert states["all_customers"] == ("missing", "never materialized", 1)
