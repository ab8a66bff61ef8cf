"""Headless Chromium (Debian's package) driven by Playwright, for the UI tests and bench/."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Optional

ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]


def chromium_path() -> Optional[str]:
    for path in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if path and os.path.exists(path):
            return path
    return None


def launch(playwright):
    """A fresh headless Chromium with its own user-data-dir (removed when the browser closes).

    The pages' Content-Security-Policy is bypassed only so that tests can evaluate their own
    JavaScript (`wait_for_function`); what the page itself does is unchanged."""
    profile = tempfile.mkdtemp(prefix="specrun-chromium-")
    return playwright.chromium.launch_persistent_context(
        profile, executable_path=chromium_path(), headless=True, args=ARGS,
        viewport={"width": 1400, "height": 900}, bypass_csp=True), profile  # tests evaluate JS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`specrun ui SPEC` in a subprocess on a free port."""

    def __init__(self, spec: str, *extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ}
        env.pop("SPECRUN_STORAGE_URL", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "specrun.cli", "ui", spec, "--port",
                                      str(self.port), *extra], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, env=env)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"specrun ui exited: {self.proc.stdout.read()}")
            try:
                urllib.request.urlopen(self.url + "/api/graph", timeout=5).read()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("specrun ui did not answer within 90 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
