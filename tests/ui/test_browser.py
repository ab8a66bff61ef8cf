"""The UI and reports in a real browser: headless Chromium driven by Playwright."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from specrun.compiler import compile_spec
from tests.e2e.conftest import specrun_cmd
from tests.ui.conftest import XSS

pytestmark = pytest.mark.slow


def _runs(server):
    return json.loads(urllib.request.urlopen(server.url + "/api/runs").read())


def _wait_for(predicate, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _node_states(page):
    return page.eval_on_selector_all(
        "svg.dag g.node", "gs => Object.fromEntries(gs.map(g => [g.dataset.id, "
        "g.getAttribute('class').match(/st-([\\w-]+)/)[1]]))")


def test_graph_shows_every_asset_of_the_example_with_its_state(example, serve, page):
    folder = example("quickstart")
    assets = {n for n, a in compile_spec(str(folder / "pipeline.yaml")).graph_data.nodes.items()
              if a["kind"] == "asset"}
    server = serve(folder / "pipeline.yaml")
    page.goto(server.url + "/")
    assert _node_states(page) == {name: "missing" for name in assets}
    assert page.text_content('g.node[data-id="raw_orders"] .label') == "never materialized"
    assert page.locator("g.cluster").count() == 2  # groups ingest and analytics
    assert page.locator('g.node[data-id="orders_clean"] g.check').count() == 1
    assert specrun_cmd("apply", str(folder / "pipeline.yaml")).returncode == 0
    page.reload()
    assert _node_states(page) == {name: "fresh" for name in assets}
    assert page.errors == []


def test_order_only_deps_are_drawn_dashed_and_partitioned_assets_marked(failing_project, example,
                                                                       serve, page):
    server = serve(failing_project / "pipeline.yaml")
    page.goto(server.url + "/")
    assert page.locator('path.edge.e-deps[data-from="good"][data-to="ordered"]').count() == 1
    assert page.locator('path.edge.e-data[data-from="good"][data-to="bad"]').count() == 1
    dash = page.eval_on_selector("path.e-deps", "p => getComputedStyle(p).strokeDasharray")
    assert dash not in ("", "none")
    folder = example("partitioned")
    server = serve(folder / "pipeline.yaml")
    page.goto(server.url + "/")
    assert page.locator('g.node[data-id="events"] .pmark').count() == 1
    assert page.locator('g.node[data-id="monthly_total"] .pmark').count() == 0
    assert page.text_content('g.node[data-id="events"] .label') == "0/31 up to date, 31 missing"


def test_search_and_selection_syntax_highlight_assets(example, serve, page):
    server = serve(example("quickstart") / "pipeline.yaml")
    page.goto(server.url + "/")
    page.fill("#selection", "+orders_clean")
    page.press("#selection", "Enter")
    page.wait_for_selector("svg.dag.filtering")
    hits = page.eval_on_selector_all("g.node.hit", "gs => gs.map(g => g.dataset.id).sort()")
    assert hits == ["orders_clean", "raw_orders"]
    assert "select=%2Borders_clean" in page.url
    page.fill("#selection", "group:nope")
    page.press("#selection", "Enter")
    page.wait_for_function("document.querySelector('#select-error').textContent.length > 0")
    assert "nope" in page.text_content("#select-error")
    page.fill("#search", "summ")
    assert page.eval_on_selector_all("g.node.found", "gs => gs.map(g => g.dataset.id)") == ["order_summary"]


def test_clicking_an_asset_opens_its_page(example, serve, page):
    folder = example("quickstart")
    assert specrun_cmd("apply", str(folder / "pipeline.yaml")).returncode == 0
    server = serve(folder / "pipeline.yaml")
    page.goto(server.url + "/")
    page.click('g.node[data-id="orders_clean"]')
    page.wait_for_url(server.url + "/assets/orders_clean")
    assert page.text_content("h1").startswith("orders_clean")
    assert page.locator("#materializations tbody tr").count() == 1
    assert "no_negative_amounts" in page.text_content("main")
    assert page.locator('a[href="/assets/raw_orders"]').count() == 1


def test_launching_from_the_page_runs_and_updates_the_graph_without_reload(example, serve, page):
    server = serve(example("quickstart") / "pipeline.yaml")
    page.goto(server.url + "/")
    page.evaluate("window.__sameDocument = true")
    page.click("#materialize")
    page.wait_for_function("document.querySelector('#plan-summary').textContent.includes('would run')")
    assert "4 step(s) would run" in page.text_content("#plan-summary")
    page.click("#confirm")
    run_link = page.wait_for_selector("#launched-run", timeout=60_000)
    run_id = run_link.text_content()
    page.wait_for_function(
        "[...document.querySelectorAll('svg.dag g.node')].every(g => g.classList.contains('st-fresh'))",
        timeout=60_000)
    assert page.evaluate("window.__sameDocument") is True  # recoloured in place, never reloaded
    runs = _runs(server)
    assert [r["run_id"] for r in runs] == [run_id] and runs[0]["status"] == "SUCCESS"
    assert runs[0]["steps"] == {"succeeded": 4, "failed": 0, "skipped": 0}


def test_a_launched_run_survives_the_page_closing(example, serve, browser):
    folder = example("quickstart")
    server = serve(folder / "pipeline.yaml")
    page = browser.new_page()
    page.goto(server.url + "/")
    page.fill("#selection", "raw_orders")
    page.press("#selection", "Enter")
    page.wait_for_selector("svg.dag.filtering")
    page.click("#materialize")
    page.wait_for_function("document.querySelector('#plan-summary').textContent.includes('would run')")
    page.click("#confirm")
    page.wait_for_selector("#launched-run", timeout=60_000)
    page.close()
    run = _wait_for(lambda: [r for r in _runs(server) if r["status"] == "SUCCESS"], what="the run")[0]
    assert run["selection"] == "raw_orders" and run["steps"]["succeeded"] == 1


def test_a_failed_run_page_shows_the_traceback_and_keeps_user_text_inert(failing_project, serve, page):
    result = specrun_cmd("apply", str(failing_project / "pipeline.yaml"))
    assert result.returncode == 1
    server = serve(failing_project / "pipeline.yaml")
    run_id = _runs(server)[0]["run_id"]
    page.goto(f"{server.url}/runs/{run_id}")
    failure = page.wait_for_selector('section.failure[data-step="bad"]')
    assert f"ValueError: bad input: {XSS}" in failure.text_content()
    traceback = page.text_content("section.failure pre.traceback")
    assert "steps.py" in traceback and 'raise ValueError("bad input:' in traceback
    page.select_option("#ev-level", "error")
    page.wait_for_function(f"[...document.querySelectorAll('#events .msg')].some(m => m.textContent === {json.dumps(XSS)})")
    assert page.locator("img").count() == 0 and page.dialogs == []
    assert "level=error" in page.url
    bars = page.eval_on_selector_all("#gantt g.step", "gs => gs.map(g => [g.dataset.step, g.getAttribute('class')])")
    assert ["bad", "step st-failed"] in bars and ["after_bad", "step st-skipped"] in bars
    page.goto(server.url + "/")
    assert page.get_attribute('g.node[data-id="bad"]', "class").split()[1] == "st-failed"
    assert page.locator("img").count() == 0 and page.dialogs == [] and page.errors == []


def test_reexecute_from_failure_from_the_run_page(failing_project, serve, page):
    specrun_cmd("apply", str(failing_project / "pipeline.yaml"))
    (failing_project / "steps.py").write_text((failing_project / "steps.py").read_text()
                                              .replace("    raise ValueError", "    return good\n    raise ValueError"))
    server = serve(failing_project / "pipeline.yaml")
    parent = _runs(server)[0]["run_id"]
    page.goto(f"{server.url}/runs/{parent}")
    page.click("#reexecute")
    child = page.wait_for_selector("#launched-run", timeout=60_000).text_content()
    page.goto(f"{server.url}/runs/{child}")
    page.wait_for_function("document.querySelector('#run-status').textContent === 'SUCCESS'", timeout=60_000)
    steps = page.eval_on_selector_all("#gantt g.step", "gs => gs.map(g => g.dataset.step).sort()")
    assert steps == ["after_bad", "bad"]


def test_read_only_hides_every_action(example, serve, page):
    server = serve(example("quickstart") / "pipeline.yaml", "--read-only")
    page.goto(server.url + "/")
    assert page.locator("#materialize").count() == 0 and page.locator("#launch").count() == 0
    page.goto(server.url + "/assets/raw_orders")
    assert page.locator("#materialize-asset").count() == 0


def test_a_report_opened_from_file_with_the_network_off_shows_its_steps(failing_project, tmp_path, browser):
    specrun_cmd("apply", str(failing_project / "pipeline.yaml"))
    out = tmp_path / "run.html"
    runs = specrun_cmd("runs", "--spec", str(failing_project / "pipeline.yaml"))
    run_id = [w for w in runs.stdout.split() if len(w) == 36 and w.count("-") == 4][0]
    made = specrun_cmd("report", run_id, "--spec", str(failing_project / "pipeline.yaml"), "-o", str(out))
    assert made.returncode == 0, made.stderr
    browser.set_offline(True)
    requests = []
    page = browser.new_page()
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(out.as_uri())
        page.wait_for_selector('#gantt g.step[data-step="bad"]')
        steps = page.eval_on_selector_all("#gantt g.step", "gs => gs.map(g => g.dataset.step).sort()")
        assert steps == ["after_bad", "bad", "good", "ordered"]
        assert "ValueError" in page.text_content('section.failure[data-step="bad"]')
        assert page.get_attribute('g.node[data-id="bad"]', "class").split()[1] == "st-failed"
        assert page.locator("#events .row").count() > 10
        assert page.locator("img").count() == 0
        assert requests == [out.as_uri()]  # nothing but the file itself
    finally:
        page.close()
        browser.set_offline(False)


def test_the_run_page_of_a_run_in_progress_updates_live_until_it_ends(waiting_project, serve, page):
    import subprocess
    import sys

    folder, flag = waiting_project
    server = serve(folder / "pipeline.yaml")
    proc = subprocess.Popen([sys.executable, "-m", "specrun.cli", "apply", str(folder / "pipeline.yaml")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        run_id = _wait_for(lambda: [r["run_id"] for r in _runs(server) if r["status"] == "STARTED"],
                           what="the run to start")[0]
        requests = []
        page.on("request", lambda r: requests.append(r.url[len(server.url):]))
        page.goto(f"{server.url}/runs/{run_id}")
        assert page.text_content("#run-status") == "STARTED"
        page.evaluate("window.__sameDocument = true")
        flag.write_text("")
        page.wait_for_function("document.querySelector('#run-status').textContent === 'SUCCESS'", timeout=60_000)
        page.wait_for_selector('#gantt g.step.st-succeeded[data-step="waiting"]')
        assert page.evaluate("window.__sameDocument") is True
        # followed by one server-sent event stream (event pages are read as the list needs them)
        assert [r for r in requests if r.startswith("/api/") and "/events?" not in r] == [f"/api/runs/{run_id}/stream"]
        assert proc.wait(60) == 0
    finally:
        flag.touch()
        proc.wait(60)
