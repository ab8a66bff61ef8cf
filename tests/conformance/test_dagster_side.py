"""Runs this folder's suite against real Dagster, when its side virtualenv exists.

The differential promise is that every test here passes on both APIs. CI runs the specrun
side directly; this test runs the Dagster side in a subprocess with the side virtualenv's
Python (``bench/setup_dagster.sh`` makes it; ``SPECRUN_DAGSTER_PYTHON`` names another), and
is skipped, saying why, when there is none.
"""

import os
import subprocess

import pytest

from tests.conformance.api import ON_DAGSTER

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DAGSTER_PYTHON = os.environ.get("SPECRUN_DAGSTER_PYTHON") or os.path.join(
    ROOT, "bench", ".dagster-venv", "bin", "python")


def _has_module(python: str, module: str) -> bool:
    probe = subprocess.run([python, "-c", f"import {module}"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(ON_DAGSTER, reason="this is the Dagster side already")
def test_conformance_suite_passes_on_dagster():
    if not os.path.exists(DAGSTER_PYTHON):
        pytest.skip(f"no Dagster side virtualenv at {DAGSTER_PYTHON} (run bench/setup_dagster.sh)")
    for module in ("dagster", "pytest"):
        if not _has_module(DAGSTER_PYTHON, module):
            pytest.skip(f"{module} is not installed in {DAGSTER_PYTHON} (run bench/setup_dagster.sh)")
    env = {**os.environ, "SPECRUN_CONFORMANCE_API": "dagster"}
    run = subprocess.run(
        [DAGSTER_PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:logging",
         "--show-capture=no", "--confcutdir=tests/conformance", "tests/conformance"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout
