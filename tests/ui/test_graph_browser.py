"""The asset graph in headless Chromium: laid out by the vendored dagre, groups that collapse and
expand, specs with mixed or not-yet-added partitions, live updates by server-sent events."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import specrun_cmd

pytestmark = pytest.mark.slow

BOXES = """() => Object.fromEntries([...document.querySelectorAll('svg.dag g.node')].map(g => {
  const m = /translate\\(([-\\d.]+),([-\\d.]+)\\)/.exec(g.getAttribute('transform'));
  const r = g.querySelector('.box');
  return [g.dataset.id, [+m[1], +m[2], +r.getAttribute('width'), +r.getAttribute('height')]];
}))"""

CLUSTERS = """() => Object.fromEntries([...document.querySelectorAll('svg.dag g.cluster')].map(c => {
  const r = c.querySelector('rect');
  return [c.dataset.group, ['x', 'y', 'width', 'height'].map(a => +r.getAttribute(a))];
}))"""


def _edges(page):
    return page.eval_on_selector_all("svg.dag path.edge", "ps => ps.map(p => [p.dataset.from, p.dataset.to])")


def test_the_graph_is_laid_out_left_to_right_by_the_vendored_dagre(example, serve, page):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    server = serve(example("quickstart") / "pipeline.yaml")
    page.goto(server.url + "/")
    assert server.url + "/static/vendor/dagre/dagre.min.js" in requests
    assert all(r.startswith(server.url) for r in requests)  # no CDN
    assert page.evaluate("dagre.version") == "3.1.3"
    boxes = page.evaluate(BOXES)
    assert set(boxes) == {"raw_orders", "orders_clean", "order_summary"}
    for src, dst in _edges(page):  # every edge points right
        assert boxes[src][0] + boxes[src][2] < boxes[dst][0], (src, dst)
    names = sorted(boxes)
    for i, a in enumerate(names):  # no two nodes overlap
        for b in names[i + 1:]:
            (ax, ay, aw, ah), (bx, by, bw, bh) = boxes[a], boxes[b]
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (a, b)
    clusters = page.evaluate(CLUSTERS)
    groups = {"raw_orders": "ingest", "orders_clean": "analytics", "order_summary": "analytics"}
    for name, (x, y, w, h) in boxes.items():  # each node inside its group's box
        cx, cy, cw, ch = clusters[groups[name]]
        assert cx <= x and x + w <= cx + cw and cy <= y and y + h <= cy + ch, name
    page.reload()
    assert page.evaluate(BOXES) == boxes  # the same graph, the same picture
    assert page.errors == []


def _big_spec(folder, groups=4, per_group=80):
    """groups x per_group assets (more than the 300 above which groups open collapsed); each
    asset reads the one before it, and the first of each group reads the last of the group before."""
    folder.mkdir()
    lines = ["specrun: 1", "name: big", "module: bigfns", "assets:"]
    for i in range(groups * per_group):
        group = f"g{i // per_group}"
        lines.append(f"  a{i:04d}: {{fn: zero, group: {group}}}" if i == 0 else
                     f"  a{i:04d}: {{fn: one, ins: {{x: a{i - 1:04d}}}, group: {group}}}")
    (folder / "pipeline.yaml").write_text("\n".join(lines) + "\n")
    (folder / "bigfns.py").write_text("def zero():\n    return 0\n\n\ndef one(x):\n    return x + 1\n")
    return folder / "pipeline.yaml"


def test_a_big_graph_opens_with_groups_collapsed_that_expand_and_collapse(tmp_path, serve, page):
    spec = _big_spec(tmp_path / "big")
    server = serve(spec)
    page.goto(server.url + "/")
    assert page.locator("svg.dag g.node").count() == 0
    assert page.eval_on_selector_all("g.group-node", "gs => gs.map(g => g.dataset.group)") == ["g0", "g1", "g2", "g3"]
    g1 = 'g.group-node[data-group="g1"]'
    assert page.text_content(g1 + " .count") == "80 assets"
    assert page.text_content(g1 + " .states") == "\u25cb\u200980"  # the icon of "never materialized"
    assert page.get_attribute(g1, "aria-label") == "group g1, collapsed: 80 never materialized"
    assert page.get_attribute(g1, "class") == "group-node st-missing"
    assert sorted(_edges(page)) == [["group:g0", "group:g1"], ["group:g1", "group:g2"], ["group:g2", "group:g3"]]
    page.click(g1)
    assert page.locator("svg.dag g.node").count() == 80
    assert page.locator('g.cluster[data-group="g1"]').count() == 1 and page.locator("g.group-node").count() == 3
    assert ["group:g0", "a0080"] in _edges(page) and ["a0080", "a0081"] in _edges(page)
    assert "expand=g1" in page.url
    page.reload()  # the URL keeps which groups are open
    assert page.locator('svg.dag g.node[data-id="a0100"]').count() == 1
    page.click('g.cluster[data-group="g1"] .toggle')
    assert page.locator("svg.dag g.node").count() == 0 and "expand" not in page.url
    page.focus('g.group-node[data-group="g2"]')
    page.keyboard.press("Enter")
    assert page.locator("svg.dag g.node").count() == 80
    page.fill("#search", "a0300")  # in the collapsed g3: its group opens, the asset is found
    assert page.eval_on_selector_all("g.node.found", "gs => gs.map(g => g.dataset.id)") == ["a0300"]
    assert page.locator('g.cluster[data-group="g3"]').count() == 1
    assert specrun_cmd("apply", str(spec), "--select", "group:g0").returncode == 0
    page.wait_for_function(  # live (server-sent events), no reload
        "document.querySelector('g.group-node[data-group=\"g0\"]').getAttribute('aria-label').endsWith(': 80 up to date')",
        timeout=60_000)
    assert page.get_attribute('g.group-node[data-group="g0"]', "class") == "group-node st-fresh"
    assert page.errors == []


def test_mixed_and_not_yet_added_partitions_show_a_clear_state(mixed_project, serve, page):
    spec = mixed_project / "pipeline.yaml"
    server = serve(spec)
    page.goto(server.url + "/")
    states = page.eval_on_selector_all(
        "svg.dag g.node", "gs => Object.fromEntries(gs.map(g => [g.dataset.id, g.getAttribute('class').split(' ')[1]]))")
    assert states == {"plain": "st-missing", "by_day": "st-missing", "by_region": "st-missing",
                      "by_customer": "st-empty", "summary": "st-missing"}
    how = "no partitions yet — add with `specrun partitions add customers KEY...`"
    assert page.get_attribute('g.node[data-id="by_customer"]', "aria-label") == "by_customer: " + how
    assert page.text_content('g.node[data-id="by_day"] .label') == "0/3 up to date, 3 missing"
    page.evaluate("window.__sameDocument = true")
    assert specrun_cmd("partitions", "add", "customers", "acme", "--spec", str(spec)).returncode == 0
    page.wait_for_function("document.querySelector('g.node[data-id=\"by_customer\"]').classList.contains('st-missing')",
                           timeout=60_000)
    assert page.text_content('g.node[data-id="by_customer"] .label') == "never materialized"
    assert page.evaluate("window.__sameDocument") is True
    specrun_cmd("partitions", "delete", "customers", "acme", "--spec", str(spec))
    page.goto(server.url + "/assets/by_customer")
    assert page.text_content("#no-partitions").strip() == how
    assert page.errors == []


def test_the_graph_follows_state_by_server_sent_events_not_polling(example, serve, page):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    folder = example("quickstart")
    server = serve(folder / "pipeline.yaml")
    page.goto(server.url + "/")
    page.wait_for_function("document.body.dataset.stateAt")  # the first event arrived
    assert specrun_cmd("apply", str(folder / "pipeline.yaml")).returncode == 0
    page.wait_for_function("[...document.querySelectorAll('svg.dag g.node')].every(g => g.classList.contains('st-fresh'))",
                           timeout=60_000)
    api = [r[len(server.url):] for r in requests if "/api/" in r]
    assert api == ["/api/graph/stream"]  # one stream, no request per update


def test_graph_html_file_opened_offline_draws_the_graph(failing_project, tmp_path, browser):
    out = tmp_path / "dag.html"
    assert specrun_cmd("graph", str(failing_project / "pipeline.yaml"), "--format", "html", "-o", str(out)).returncode == 0
    browser.set_offline(True)
    requests, errors = [], []
    page = browser.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(out.as_uri())
        boxes = page.evaluate(BOXES)
        assert set(boxes) == {"good", "ordered", "bad", "after_bad"}
        assert boxes["good"][0] + boxes["good"][2] < boxes["bad"][0] < boxes["after_bad"][0]
        assert sorted(page.evaluate(CLUSTERS)) == ["ingest", "work"]
        assert page.get_attribute('path.edge[data-from="good"][data-to="ordered"]', "class") == "edge e-deps"
        page.click('g.cluster[data-group="work"] .toggle')
        assert page.text_content('g.group-node[data-group="work"] .count') == "2 assets"
        assert requests == [out.as_uri()] and errors == []
    finally:
        page.close()
        browser.set_offline(False)

