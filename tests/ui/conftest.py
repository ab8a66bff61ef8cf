"""Fixtures of the UI tests: projects to serve, a running `specrun ui`, a headless Chromium."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap

import pytest

from tests.ui.chromium import Server, chromium_path, launch

XSS = "<img src=x onerror=alert(1)>"

FAILING_SPEC = """\
specrun: 1
name: failing
module: steps
assets:
  good: {fn: good, group: ingest}
  ordered: {fn: ordered, deps: [good], group: ingest}
  bad: {fn: bad, ins: {good: good}, group: work}
  after_bad: {fn: after_bad, ins: {bad: bad}, group: work}
"""

FAILING_CODE = f'''\
def good():
    return 1


def ordered():
    return 2


def bad(context, good):
    context.log.error({XSS!r})
    raise ValueError("bad input: {XSS}")


def after_bad(bad):
    return bad
'''


MIXED_SPEC = """\
specrun: 1
name: mixed
module: mixedfns
partitions:
  daily: {type: daily, start: "2024-01-01", end: "2024-01-04"}
  regions: {type: static, keys: [eu, us]}
  customers: {type: dynamic}
assets:
  plain: {fn: plain}
  by_day: {fn: by_day, partitions: daily}
  by_region: {fn: by_region, ins: {p: plain}, partitions: regions}
  by_customer: {fn: by_customer, partitions: customers}
  summary: {fn: summary, ins: {r: {asset: by_region, partition_mapping: all}}}
"""

MIXED_CODE = """\
def plain():
    return 1


def by_day(context):
    return context.partition_key


def by_region(context, p):
    return context.partition_key


def by_customer(context):
    return context.partition_key


def summary(r):
    return len(r)
"""


@pytest.fixture
def mixed_project(tmp_path):
    """Three partitionings in one spec (daily, static, dynamic with no key yet) and two
    unpartitioned assets: `specrun plan` needs --select for it, the UI opens it whole."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "pipeline.yaml").write_text(MIXED_SPEC)
    (folder / "mixedfns.py").write_text(MIXED_CODE)
    return folder


@pytest.fixture(autouse=True)
def _forget_spec_modules():
    """Each test copies an example whose `module:` has the same name (assets, steps): drop it
    after the test so the next copy's module is imported from its own folder."""
    yield
    for name in ("assets", "steps", "waitfns", "mixedfns"):
        sys.modules.pop(name, None)


@pytest.fixture
def failing_project(tmp_path):
    """A spec whose `bad` asset logs the XSS string and raises; `ordered` has an order-only dep."""
    folder = tmp_path / "failing"
    folder.mkdir()
    (folder / "pipeline.yaml").write_text(FAILING_SPEC)
    (folder / "steps.py").write_text(textwrap.dedent(FAILING_CODE))
    return folder


def _need_browser_tools() -> None:
    ci = os.environ.get("CI") == "true"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if ci:
            pytest.fail("CI=true but Playwright is not installed: `pip install -e '.[test,ui]'` installs it")
        pytest.skip("Playwright is not installed: pip install -e '.[test,ui]'")
    if chromium_path() is None:
        if ci:
            pytest.fail("CI=true but Chromium is missing: .ci/run installs it with apt-get")
        pytest.skip("Chromium is not installed (apt-get install chromium): browser tests need it")


@pytest.fixture
def waiting_project(tmp_path):
    """(folder, flag): a spec whose asset `waiting` runs until the file `flag` exists."""
    folder = tmp_path / "waiting"
    folder.mkdir()
    flag = folder / "go"
    (folder / "pipeline.yaml").write_text("specrun: 1\nname: waiting\nmodule: waitfns\nassets:\n"
                                          "  first: {fn: first}\n  waiting: {fn: waiting, ins: {x: first}}\n")
    (folder / "waitfns.py").write_text(
        "import os, time\n\ndef first():\n    return 1\n\n"
        f"def waiting(x):\n    while not os.path.exists({str(flag)!r}):\n        time.sleep(0.05)\n    return x\n")
    return folder, flag


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium context (Debian's chromium, driven by Playwright)."""
    _need_browser_tools()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context, profile = launch(p)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.errors = []
    page.dialogs = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    page.close()


@pytest.fixture
def serve():
    """serve(spec, *options) -> a running `specrun ui` (stopped after the test)."""
    servers = []

    def start(spec, *extra):
        server = Server(str(spec), *extra)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
