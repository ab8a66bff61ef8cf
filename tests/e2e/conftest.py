"""End-to-end tests drive the `specrun` command in a subprocess on copies of spec folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def specrun_cmd(*args: str, cwd: str | None = None, env: dict | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `python -m specrun.cli ARGS` and capture its output."""
    full_env = {**os.environ, "CI": "true", **(env or {})}
    full_env.pop("SPECRUN_STORAGE_URL", None)
    return subprocess.run([sys.executable, "-m", "specrun.cli", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def project(tmp_path):
    """A copy of specs/valid in a temp folder (its own .specrun store)."""
    target = tmp_path / "project"
    shutil.copytree(os.path.join(ROOT, "specs", "valid"), target)
    return target


@pytest.fixture
def example(tmp_path):
    """Copy one examples/ folder into a temp dir and return its path."""
    def copy(name: str):
        target = tmp_path / name
        shutil.copytree(os.path.join(ROOT, "examples", name), target,
                        ignore=shutil.ignore_patterns(".specrun", "__pycache__"))
        return target
    return copy
