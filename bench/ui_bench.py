"""UI performance in headless Chromium: `python bench/ui_bench.py` prints a table.

- graph page of a generated 1,000-asset spec (25 groups, ~1.3 edges per asset): server time to
  the first byte, and time from navigation until the graph is laid out (dagre, in the page),
  drawn and interactive (pan/zoom set up, two animation frames painted) — before and after all
  assets are materialized, with its groups collapsed (the default above 300 assets) and with
  every group expanded (`?expand=...`: all 1,000 asset nodes drawn); the layout's own share is
  the `data-layout-ms` the page records;
- run page of a run with 10,000 events: time until the timeline and the first event rows are
  drawn; and the same run's `specrun report` file opened from disk;
- the Python layout alone at 1,000 and 5,000 assets (used only by `graph --format svg`).
Needs the [ui] extra, Playwright and Debian's chromium.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.ui.chromium import Server, launch  # noqa: E402

CODE = """\
def zero():
    return 1


def one(a):
    return a


def two(a, b):
    return a


def chatty(context):
    for i in range(9980):
        context.log.info(f"event {i}: <b>not bold</b>")
    return 1
"""

READY = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(
  performance.now()))))"""


def write_graph_spec(folder: str, n: int, groups: int = 25, seed: int = 7) -> str:
    """n assets in `groups` groups; each after the first 40 reads one or two earlier assets."""
    rng = random.Random(seed)
    lines = ["specrun: 1", "name: big", "module: fns", "assets:"]
    for i in range(n):
        group = f"g{min(i * groups // n, groups - 1):02d}"
        ups = [] if i < 40 else sorted({rng.randrange(max(0, i - 120), i) for _ in range(1 if rng.random() < 0.7 else 2)})
        if not ups:
            lines.append(f"  a{i:04d}: {{fn: zero, group: {group}}}")
        elif len(ups) == 1:
            lines.append(f"  a{i:04d}: {{fn: one, ins: {{a: a{ups[0]:04d}}}, group: {group}}}")
        else:
            lines.append(f"  a{i:04d}: {{fn: two, ins: {{a: a{ups[0]:04d}, b: a{ups[1]:04d}}}, group: {group}}}")
    with open(os.path.join(folder, "fns.py"), "w") as f:
        f.write(CODE)
    path = os.path.join(folder, "pipeline.yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def write_chatty_spec(folder: str) -> str:
    with open(os.path.join(folder, "fns.py"), "w") as f:
        f.write(CODE)
    path = os.path.join(folder, "pipeline.yaml")
    with open(path, "w") as f:
        f.write("specrun: 1\nname: chatty\nmodule: fns\nassets:\n  chatty: {fn: chatty}\n  after: {fn: one, ins: {a: chatty}}\n")
    return path


def specrun(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "specrun.cli", *args], check=True, capture_output=True)


def time_page(context, url: str, ready_selector: str, repeats: int = 3) -> tuple[float, float, str]:
    """(median ms until drawn and interactive, median ms of server time to first byte, the
    median layout ms the graph page recorded, or "-")."""
    totals, ttfb, layout = [], [], []
    for _ in range(repeats):
        page = context.new_page()
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector(ready_selector, state="attached")
        drawn = page.evaluate(READY)
        nav = page.evaluate("() => performance.getEntriesByType('navigation')[0].toJSON()")
        totals.append(drawn - nav["startTime"])
        ttfb.append(nav["responseStart"] - nav["requestStart"])
        ms = page.evaluate("() => { const s = document.querySelector('svg.dag'); return s ? s.dataset.layoutMs : null }")
        if ms is not None:
            layout.append(float(ms))
        page.close()
    return statistics.median(totals), statistics.median(ttfb), f"{statistics.median(layout):.0f} ms" if layout else "-"


def main() -> None:
    from playwright.sync_api import sync_playwright

    from specrun.ui.layout import layout_graph

    rows = []
    layout_graph(["a", "b"], {"a": "g", "b": "g"}, {}, [("a", "b")])  # networkx imported before timing
    for n in (1000, 5000):
        names = [f"a{i}" for i in range(n)]
        rng = random.Random(1)
        edges = [(f"a{rng.randrange(max(0, i - 120), i)}", f"a{i}") for i in range(40, n) for _ in range(1 + (rng.random() < 0.3))]
        start = time.perf_counter()
        layout_graph(names, {x: f"g{int(x[1:]) * 25 // n}" for x in names}, {}, edges)
        rows.append((f"layout in Python (graph --format svg), {n} assets",
                     f"{(time.perf_counter() - start) * 1000:.0f} ms", "-", "-"))

    big = write_graph_spec(tempfile.mkdtemp(prefix="specrun-uibench-"), 1000)
    chatty = write_chatty_spec(tempfile.mkdtemp(prefix="specrun-uibench-"))
    specrun("apply", chatty)
    report = os.path.join(os.path.dirname(chatty), "run.html")
    with sync_playwright() as p:
        context, _ = launch(p)
        server = Server(big)
        ready = "#canvas svg .viewport[transform]"
        every_group = "/?expand=" + ",".join(f"g{i:02d}" for i in range(25))
        try:
            for state in ("none", "all"):
                if state == "all":
                    specrun("apply", big)
                for what, url in (("groups collapsed", "/"), ("every group expanded", every_group)):
                    ms, ttfb, layout = time_page(context, server.url + url, ready)
                    rows.append((f"graph page, 1,000 assets, {state} materialized, {what}", f"{ms:.0f} ms",
                                 f"{ttfb:.0f} ms", layout))
        finally:
            server.stop()
        server = Server(chatty)
        try:
            page = context.new_page()
            run_id = page.request.get(server.url + "/api/runs").json()[0]["run_id"]
            events = page.request.get(f"{server.url}/api/runs/{run_id}").json()["event_count"]
            page.close()
            ms, ttfb, _ = time_page(context, f"{server.url}/runs/{run_id}", "#events .row")
            rows.append((f"run page, {events:,} events", f"{ms:.0f} ms", f"{ttfb:.0f} ms", "-"))
            specrun("report", run_id, "--spec", chatty, "-o", report)
            ms, _, _ = time_page(context, "file://" + report, "#events .row")
            rows.append((f"report file from disk, {events:,} events ({os.path.getsize(report) / 1e6:.1f} MB)",
                         f"{ms:.0f} ms", "-", "-"))
        finally:
            server.stop()
        context.close()
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'drawn':>8}  {'server':>8}  {'layout':>8}")
    for what, drawn, server_ms, layout in rows:
        print(f"{what:<{width}}  {drawn:>8}  {server_ms:>8}  {layout:>8}")


if __name__ == "__main__":
    main()
