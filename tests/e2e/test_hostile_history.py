"""The history commands facing hostile input: log messages carrying terminal escape sequences,
a damaged event, a store that went missing, and a relative SQLite URL in the spec."""

from __future__ import annotations

import json
import sqlite3

import pytest

from .conftest import specrun_cmd

pytestmark = pytest.mark.slow

MODULE = '''\
def a(context):
    context.log.warning("title\\x1b]0;pwned\\x07 clear\\x1b[2J forged\\rRUN_SUCCESS")
    return 1
'''


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "hm.py").write_text(MODULE)
    (tmp_path / "h.yaml").write_text("specrun: 1\nname: h\nmodule: hm\nassets:\n  a: {fn: a}\n")
    done = specrun_cmd("apply", "h.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "\x1b]0;" not in done.stdout + done.stderr  # the live view shows it escaped too
    return tmp_path


def _run_id(folder) -> str:
    listed = specrun_cmd("runs", "--spec", "h.yaml", "--format", "json", cwd=folder)
    return json.loads(listed.stdout)["runs"][0]["run_id"]


def test_logs_show_terminal_escape_sequences_escaped(folder):
    logs = specrun_cmd("logs", _run_id(folder), "--spec", "h.yaml", cwd=folder)
    assert logs.returncode == 0, logs.stderr
    assert "\x1b" not in logs.stdout and "\x07" not in logs.stdout and "\r" not in logs.stdout
    assert r"title\x1b]0;pwned\x07 clear\x1b[2J forged\rRUN_SUCCESS" in logs.stdout


def test_logs_of_a_damaged_event_say_so_and_show_the_rest(folder):
    run_id = _run_id(folder)
    with sqlite3.connect(folder / ".specrun" / "specrun.db") as conn:
        conn.execute("UPDATE events SET body = '{not json' WHERE event_type = 'STEP_SUCCESS'")
    logs = specrun_cmd("logs", run_id, "--spec", "h.yaml", cwd=folder)
    assert logs.returncode == 0, logs.stderr
    assert "Traceback" not in logs.stdout + logs.stderr
    assert "(STEP_SUCCESS) in the run storage cannot be read: JSONDecodeError" in logs.stdout
    assert "RUN_SUCCESS" in logs.stdout


def test_a_store_gone_missing_says_a_new_history_starts_and_where(folder):
    (folder / ".specrun" / "specrun.db").unlink()
    plan = specrun_cmd("plan", "h.yaml", cwd=folder)
    assert "no run history in .specrun/specrun.db (missing or empty): starting a new one there." in plan.stderr


def test_a_relative_sqlite_url_is_relative_to_the_spec_folder(folder):
    (folder / "h.yaml").write_text("specrun: 1\nname: h\nmodule: hm\nstorage: {url: 'sqlite:///hist/runs.db'}\n"
                                   "assets:\n  a: {fn: a}\n")
    elsewhere = folder / "sub"
    elsewhere.mkdir()
    first = specrun_cmd("apply", "../h.yaml", cwd=elsewhere)
    assert first.returncode == 0, first.stdout + first.stderr
    assert (folder / "hist" / "runs.db").exists() and not (elsewhere / "hist").exists()
    again = specrun_cmd("plan", "h.yaml", cwd=folder)  # the same history from the spec's folder
    assert "up to date" in again.stdout, again.stdout
