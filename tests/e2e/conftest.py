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


def plan_rows(stdout: str) -> dict[str, tuple[str, str]]:
    """`specrun plan`'s table as {step: (run/skip, reason)}."""
    rows = [[cell.strip() for cell in line.split("│")] for line in stdout.splitlines()]
    return {row[2]: (row[1], row[5]) for row in rows if len(row) > 5 and row[1] in ("run", "skip")}


def stored_value(spec: str, asset: str, partition: str | None = None) -> object:
    """The stored value of `asset` as `load_spec(spec).load_asset_value` reads it, in a fresh
    process (each spec imports its own module, often of a name another test uses too)."""
    import pickle

    code = ("import pickle, sys\nfrom specrun import load_spec\n"
            f"value = load_spec({os.path.abspath(spec)!r}).load_asset_value({asset!r}, partition_key={partition!r})\n"
            "sys.stdout.buffer.write(pickle.dumps(value))")
    env = {**os.environ}
    env.pop("SPECRUN_STORAGE_URL", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=os.path.dirname(os.path.abspath(spec)),
                          env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return pickle.loads(done.stdout)


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
