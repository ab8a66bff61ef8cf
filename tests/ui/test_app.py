"""The app over HTTP (a real `specrun ui` process): JSON endpoints, and actions refused without
the page's CSRF token, from another origin, to another Host, or on a read-only server."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest

from tests.ui.chromium import Server

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytestmark = pytest.mark.slow


@pytest.fixture
def server(example):
    srv = Server(str(example("quickstart") / "pipeline.yaml"))
    yield srv
    srv.stop()


def _call(url, data=None, headers=None):
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, headers=headers or {},
                                     method="GET" if data is None else "POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def _token(url):
    html = urllib.request.urlopen(url + "/").read().decode()
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_json_endpoints_answer_scripts(server):
    status, graph = _call(server.url + "/api/graph")
    assert status == 200 and {n["id"] for n in graph["nodes"]} == {"raw_orders", "orders_clean", "order_summary"}
    assert graph["edges"] == [{"from": "raw_orders", "to": "orders_clean", "kind": "data"},
                              {"from": "orders_clean", "to": "order_summary", "kind": "data"}]
    status, missing = _call(server.url + "/api/assets/orders_clen")
    assert status == 404 and "did you mean 'orders_clean'" in missing["error"]
    status, bad = _call(server.url + "/api/select?q=tag:nope=1")
    assert status == 400 and "tag:nope=1" in bad["error"]
    assert _call(server.url + "/api/runs") == (200, [])
    status, bad = _call(server.url + "/api/runs?limit=ten")
    assert status == 400 and "limit='ten'" in bad["error"]


def test_actions_need_the_csrf_token_and_the_same_origin(server):
    token = _token(server.url)
    url = server.url + "/api/launch"
    status, body = _call(url, {"select": "raw_orders"})
    assert status == 403 and "CSRF" in body["error"]
    status, body = _call(url, {"select": "raw_orders"}, {"X-CSRF-Token": "forged"})
    assert status == 403
    status, body = _call(url, {"select": "raw_orders"},
                         {"X-CSRF-Token": token, "Origin": "http://evil.example"})
    assert status == 403 and "evil.example" in body["error"]
    assert _call(server.url + "/api/runs") == (200, [])  # nothing was launched
    status, body = _call(url, {"select": "raw_orders"}, {"X-CSRF-Token": token, "Origin": server.url})
    assert status == 202 and body["run_id"]
    status, body = _call(url, {"select": "nope"}, {"X-CSRF-Token": token})
    assert status == 400 and "nope" in body["error"]


def test_a_foreign_host_name_is_refused(server):
    status, body = _call(server.url + "/api/graph", headers={"Host": "attacker.example"})
    assert status == 400 and "attacker.example" in body["error"]


def test_a_read_only_server_refuses_actions(example):
    srv = Server(str(example("quickstart") / "pipeline.yaml"), "--read-only")
    try:
        status, body = _call(srv.url + "/api/launch", {}, {"X-CSRF-Token": _token(srv.url)})
        assert status == 403 and "read-only" in body["error"]
    finally:
        srv.stop()


def test_pages_forbid_inline_scripts_and_other_origins(server):
    with urllib.request.urlopen(server.url + "/") as r:
        csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_listening_beyond_loopback_warns(example):
    srv = Server(str(example("quickstart") / "pipeline.yaml"), "--host", "0.0.0.0")
    try:
        assert _call(srv.url + "/api/runs") == (200, [])
    finally:
        srv.stop()
    output = srv.proc.stdout.read()
    assert "warning: listening on 0.0.0.0, not on a loopback address" in output
    assert "consider --read-only" in output


def test_the_default_address_is_loopback_and_says_where_it_listens(server):
    server.stop()
    output = server.proc.stdout.read()
    assert f"on http://127.0.0.1:{server.port}/" in output and "warning" not in output


def _events(url, last_event_id=None):
    """The server-sent events of a stream that ends: [(id, kind, data)]."""
    headers = {"Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as r:
        assert r.headers["Content-Type"].startswith("text/event-stream")
        text = r.read().decode()
    events = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":"))
        if fields:
            events.append((fields.get("id"), fields["event"], json.loads(fields["data"])))
    return events


def test_a_finished_runs_stream_sends_it_once_and_ends_and_resumes_from_its_id(server):
    from tests.e2e.conftest import specrun_cmd

    spec = server.proc.args[server.proc.args.index("ui") + 1]
    assert specrun_cmd("apply", spec).returncode == 0
    run_id = _call(server.url + "/api/runs")[1][0]["run_id"]
    events = _events(f"{server.url}/api/runs/{run_id}/stream")
    assert len(events) == 1
    event_id, kind, run = events[0]
    assert kind == "run" and run["status"] == "SUCCESS" and run["finished"] is True
    assert event_id == f"{run['event_count']}-SUCCESS"
    assert _events(f"{server.url}/api/runs/{run_id}/stream", last_event_id=event_id) == []  # has it already
    status, unknown = _call(server.url + "/api/runs/ffffffff/stream")  # an answer, not an endless stream
    assert status == 400 and "no run 'ffffffff'" in unknown["error"]
