"""Make docs/graph.png and docs/run.png: `python docs/screenshots.py` (needs the [ui] extra,
Playwright and Debian's chromium). A demo project in a temp folder is applied twice (the
second run fails one asset), its config is edited (stale assets), then `specrun ui` serves it;
the graph is shown with the group `ingest` collapsed and `invoices` (dynamic partitions) has no
partition yet."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.ui.chromium import Server, launch  # noqa: E402

SPEC = """\
specrun: 1
name: shop
module: shop
partitions:
  daily: {type: daily, start: "2024-01-01", end: "2024-01-15"}
  customers: {type: dynamic}
assets:
  raw_orders: {fn: raw_orders, group: ingest, config: {rows: 20}}
  raw_customers: {fn: raw_customers, group: ingest}
  daily_events: {fn: daily_events, group: ingest, partitions: daily}
  orders_clean: {fn: orders_clean, ins: {orders: raw_orders}, group: staging}
  customers_clean: {fn: customers_clean, ins: {customers: raw_customers}, group: staging}
  event_counts: {fn: event_counts, ins: {events: daily_events}, group: staging, partitions: daily}
  invoices: {fn: invoices, group: staging, partitions: customers}
  revenue: {fn: revenue, ins: {orders: orders_clean, customers: customers_clean}, group: marts}
  churn: {fn: churn, ins: {customers: customers_clean, events: {asset: event_counts, partition_mapping: all}}, group: marts}
  dashboard: {fn: dashboard, ins: {revenue: revenue}, deps: [churn], group: marts}
checks:
  orders_have_ids: {asset: orders_clean, fn: orders_have_ids, blocking: true}
  revenue_positive: {asset: revenue, fn: revenue_positive}
"""

CODE = '''\
import os
from specrun import AssetCheckResult


def raw_orders(context, config):
    context.log.info("loading %d orders" % config["rows"])
    return list(range(config["rows"]))


def raw_customers():
    return ["ann", "bob"]


def daily_events(context):
    return [context.partition_key]


def orders_clean(orders):
    return [o for o in orders if o >= 0]


def customers_clean(customers):
    if os.environ.get("SHOP_BREAK"):
        raise ValueError("customer file has 3 rows without an id")
    return customers


def event_counts(events):
    return len(events)


def invoices(context):
    return [context.partition_key]


def revenue(orders, customers):
    return sum(orders)


def churn(customers, events):
    return 0.1


def dashboard(revenue):
    return {"revenue": revenue}


def orders_have_ids(orders_clean):
    return AssetCheckResult(passed=True)


def revenue_positive(revenue):
    return AssetCheckResult(passed=revenue > 0)
'''


def specrun(*args, env=None):
    return subprocess.run([sys.executable, "-m", "specrun.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def main() -> None:
    from playwright.sync_api import sync_playwright

    folder = tempfile.mkdtemp(prefix="specrun-shots-")
    spec = os.path.join(folder, "pipeline.yaml")
    with open(spec, "w") as f:
        f.write(SPEC)
    with open(os.path.join(folder, "shop.py"), "w") as f:
        f.write(textwrap.dedent(CODE))
    specrun("apply", spec, "--select", "raw_orders+ raw_customers+", "--exclude", "churn+")
    specrun("apply", spec, "--select", "daily_events", "--partitions", "2024-01-01..2024-01-09")
    specrun("apply", spec, "--select", "customers_clean+", "--force", env={"SHOP_BREAK": "1"})
    with open(spec, "w") as f:
        f.write(SPEC.replace("rows: 20", "rows: 25"))
    server = Server(spec)
    try:
        with sync_playwright() as p:
            context, _ = launch(p)
            page = context.new_page()
            page.set_viewport_size({"width": 1400, "height": 760})
            page.goto(server.url + "/?collapse=ingest")
            page.wait_for_selector("svg.dag .viewport[transform]")
            page.wait_for_timeout(500)
            page.screenshot(path=os.path.join(ROOT, "docs", "graph.png"))
            runs = page.request.get(server.url + "/api/runs").json()
            failed = next(r for r in runs if r["status"] == "FAILURE")
            page.set_viewport_size({"width": 1400, "height": 1000})
            page.goto(f"{server.url}/runs/{failed['run_id']}")
            page.wait_for_selector("#gantt g.step")
            page.wait_for_timeout(300)
            page.screenshot(path=os.path.join(ROOT, "docs", "run.png"))
            context.close()
    finally:
        server.stop()
    print("wrote docs/graph.png and docs/run.png")


if __name__ == "__main__":
    main()
