"""What the UI serves, read from a spec and its run storage (no HTTP, no browser)."""

from __future__ import annotations

import pytest

from specrun.errors import SpecrunError
from specrun.runtime.storage.base import DagsterRunStatus
from specrun.ui.service import Service
from tests.e2e.conftest import specrun_cmd
from tests.ui.conftest import XSS


def _states(service):
    return {k: (v["state"], v["label"]) for k, v in service.states()["nodes"].items()}


def test_states_follow_apply_and_a_config_change(example):
    folder = example("quickstart")
    spec = folder / "pipeline.yaml"
    service = Service(str(spec))
    assert set(_states(service).values()) == {("missing", "never materialized")}
    assert specrun_cmd("apply", str(spec)).returncode == 0
    assert set(_states(service).values()) == {("fresh", "up to date")}
    checks = service.states()["nodes"]["orders_clean"]["checks"]
    assert checks == {"check:orders_clean/no_negative_amounts": "passed"}
    spec.write_text(spec.read_text().replace("rows: 20", "rows: 21"))
    states = _states(Service(str(spec)))
    assert states["raw_orders"] == ("stale", "config changed: rows 20 -> 21")
    assert states["orders_clean"][0] == "stale"


def test_a_failed_step_marks_its_asset_failed_with_the_message(failing_project):
    spec = failing_project / "pipeline.yaml"
    assert specrun_cmd("apply", str(spec)).returncode == 1
    states = _states(Service(str(spec)))
    assert states["good"] == ("fresh", "up to date")
    assert states["bad"][0] == "failed" and f"ValueError: bad input: {XSS}" in states["bad"][1]
    assert states["after_bad"] == ("missing", "never materialized")


def test_partitioned_assets_count_their_partitions_by_state(example):
    folder = example("partitioned")
    spec = folder / "pipeline.yaml"
    assert specrun_cmd("apply", str(spec), "--partitions", "2024-01-01..2024-01-03",
                       "--select", "events").returncode == 0
    service = Service(str(spec))
    events = service.states()["nodes"]["events"]
    assert events["state"] == "missing" and events["total"] == 31
    assert events["counts"]["fresh"] == 3 and events["counts"]["missing"] == 28
    assert events["label"] == "3/31 up to date, 28 missing"
    page = service.asset("events")
    assert len(page["partitions"]) == 31 and page["partitions"]["2024-01-02"][0] == "fresh"
    assert len(page["history"]["materializations"]) == 3


def test_steps_of_a_run_in_progress_show_as_running(example):
    service = Service(str(example("quickstart") / "pipeline.yaml"))
    assert _states(service)["raw_orders"][0] == "missing"
    run = service.instance.create_run("quickstart", step_keys_to_execute=["raw_orders"])
    service.instance.update_run_status(run.run_id, DagsterRunStatus.STARTED)
    states = _states(service)
    assert states["raw_orders"] == ("running", "running")
    assert states["order_summary"][0] == "missing"


def test_selection_uses_the_cli_syntax_and_names_what_is_wrong(example):
    service = Service(str(example("quickstart") / "pipeline.yaml"))
    assert service.select("orders_clean+") == {"nodes": ["order_summary", "orders_clean"],
                                              "assets": ["order_summary", "orders_clean"]}
    with pytest.raises(SpecrunError, match="group:nope"):
        service.select("group:nope")


def test_plan_rows_are_the_plan_commands_decisions(example):
    folder = example("quickstart")
    service = Service(str(folder / "pipeline.yaml"))
    plan = service.plan("raw_orders+1")
    assert plan["run"] == 3 and plan["skip"] == 0
    assert [(s["step"], s["kind"], s["reason"]) for s in plan["steps"]] == [
        ("raw_orders", "asset", "never materialized"), ("orders_clean", "asset", "never materialized"),
        ("orders_clean_no_negative_amounts", "check", "orders_clean will be re-materialized")]


def test_asset_page_data_has_history_definition_and_checks(example):
    folder = example("quickstart")
    specrun_cmd("apply", str(folder / "pipeline.yaml"))
    info = Service(str(folder / "pipeline.yaml")).asset("orders_clean")
    mats = info["history"]["materializations"]
    assert len(mats) == 1 and mats[0]["code_version"] and mats[0]["data_version"]
    assert "/orders_clean@v-" in mats[0]["metadata"]["path"]  # the version the record names
    assert info["latest_checks"]["no_negative_amounts"]["passed"] is True
    assert info["definition"]["fn"] == "clean_orders"
    assert info["definition"]["location"].endswith("pipeline.yaml:15:3")
    with pytest.raises(LookupError, match="did you mean 'orders_clean'"):
        Service(str(folder / "pipeline.yaml")).asset("orders_clen")


def test_events_are_paged_and_filtered_by_level_step_and_text(failing_project):
    spec = failing_project / "pipeline.yaml"
    specrun_cmd("apply", str(spec))
    service = Service(str(spec))
    run_id = service.lister.runs()[0]["run_id"]
    everything = service.events(run_id, 0, 1000, {})
    assert everything["total"] == service.run(run_id)["event_count"] > 10
    page = service.events(run_id, 5, 3, {})
    assert [r["i"] for r in page["rows"]] == [5, 6, 7]
    errors = service.events(run_id, 0, 100, {"level": "error"})["rows"]
    assert {r["step"] for r in errors} == {"bad", ""}  # the step's failure and the run's
    assert XSS in [r["message"] for r in errors]
    assert all(r["step"] == "good" for r in service.events(run_id, 0, 100, {"step": "good"})["rows"])
    assert service.events(run_id, 0, 100, {"q": "ONERROR"})["total"] >= 1


def test_states_and_runs_are_read_from_postgresql_too(failing_project, request):
    from tests.runtime.storage.conftest import _postgres_url

    spec = failing_project / "pipeline.yaml"
    spec.write_text(spec.read_text() + f"storage: {{url: '{_postgres_url(request)}'}}\n")
    assert specrun_cmd("apply", str(spec)).returncode == 1
    service = Service(str(spec))
    assert "postgresql" in service.instance.storage.__class__.__module__ + str(service.compiled.spec.storage_url)
    states = _states(service)
    assert states["good"][0] == "fresh" and states["bad"][0] == "failed"
    run = service.lister.runs()[0]
    assert run["status"] == "FAILURE" and run["steps"] == {"succeeded": 2, "failed": 1, "skipped": 1}


def test_a_run_of_apply_in_another_process_shows_as_running_then_fresh(waiting_project):
    import subprocess
    import sys
    import time

    folder, flag = waiting_project
    service = Service(str(folder / "pipeline.yaml"))
    proc = subprocess.Popen([sys.executable, "-m", "specrun.cli", "apply", str(folder / "pipeline.yaml")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while _states(service)["waiting"][0] != "running" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _states(service)["waiting"] == ("running", "running")
        flag.write_text("")
        assert proc.wait(60) == 0
    finally:
        flag.touch()
        proc.wait(60)
    assert _states(service) == {"first": ("fresh", "up to date"), "waiting": ("fresh", "up to date")}
