"""`specrun report` and `specrun graph --format svg|html`: self-contained files."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from specrun.ui.report import build_report
from specrun.ui.service import Service
from tests.e2e.conftest import specrun_cmd
from tests.ui.conftest import XSS


def _no_external_references(html: str) -> None:
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)=', html)
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html


def test_a_report_is_one_file_with_the_run_inline_and_user_text_escaped(failing_project):
    spec = failing_project / "pipeline.yaml"
    specrun_cmd("apply", str(spec))
    service = Service(str(spec))
    run_id = service.lister.runs()[0]["run_id"]
    html = build_report(service.instance, run_id[:8])
    _no_external_references(html)
    assert XSS not in html  # only escaped: in JSON as \u003c..., in HTML as &lt;...
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    graph = _graph_data(html)  # drawn in the browser by graph.js with the inlined dagre
    assert {n["id"] for n in graph["model"]["nodes"]} == {"good", "ordered", "bad", "after_bad"}
    assert {k: v["state"] for k, v in graph["states"].items()} == {
        "good": "succeeded", "ordered": "succeeded", "bad": "failed", "after_bad": "skipped"}
    assert "Content-Security-Policy" in html
    assert _vendored_dagre() in html


def _graph_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def _vendored_dagre() -> str:
    from specrun.ui.render import DAGRE, static_text

    return static_text(DAGRE)


def test_report_command_writes_the_file(failing_project, tmp_path):
    spec = failing_project / "pipeline.yaml"
    specrun_cmd("apply", str(spec))
    listed = specrun_cmd("runs", "--spec", str(spec)).stdout
    run_id = re.search(r"[0-9a-f]{8}-[0-9a-f-]{27}", listed).group(0)
    out = tmp_path / "run.html"
    result = specrun_cmd("report", run_id[:6], "--spec", str(spec), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert run_id in out.read_text()
    missing = specrun_cmd("report", "ffffff", "--spec", str(spec), "-o", str(out))
    assert missing.returncode == 1 and "no run 'ffffff'" in missing.stderr


def test_graph_svg_is_a_picture_of_every_asset(failing_project, tmp_path):
    out = tmp_path / "dag.svg"
    result = specrun_cmd("graph", str(failing_project / "pipeline.yaml"), "--format", "svg", "-o", str(out))
    assert result.returncode == 0, result.stderr
    root = ET.parse(out).getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    ids = {g.get("data-id") for g in root.iterfind(".//s:g[@data-id]", ns)}
    assert ids == {"good", "ordered", "bad", "after_bad"}
    kinds = {(p.get("data-from"), p.get("data-to")): p.get("class") for p in root.iterfind(".//s:path[@data-from]", ns)}
    assert kinds[("good", "ordered")] == "edge e-deps" and kinds[("good", "bad")] == "edge e-data"
    assert {g.get("data-group") for g in root.iterfind(".//s:g[@data-group]", ns)} == {"ingest", "work"}


def test_graph_html_is_standalone_and_svg_or_html_need_an_output_only_for_files(failing_project, tmp_path):
    out = tmp_path / "dag.html"
    assert specrun_cmd("graph", str(failing_project / "pipeline.yaml"), "--format", "html", "-o", str(out)).returncode == 0
    html = out.read_text()
    _no_external_references(html)
    assert _vendored_dagre() in html and "window.specrunGraph" in html
    graph = _graph_data(html)
    assert {(e["from"], e["to"], e["kind"]) for e in graph["model"]["edges"]} == {
        ("good", "ordered", "deps"), ("good", "bad", "data"), ("bad", "after_bad", "data")}
    stdout = specrun_cmd("graph", str(failing_project / "pipeline.yaml"), "--format", "svg").stdout
    assert stdout.startswith("<?xml") and "after_bad" in stdout
    wrong = specrun_cmd("graph", str(failing_project / "pipeline.yaml"), "-o", str(out))
    assert wrong.returncode == 2 and "-o/--output is for --format svg or html" in wrong.stderr
