"""Fixtures of the differential conformance suite (see README.md in this folder)."""

from __future__ import annotations

import pytest

from tests.conformance.api import dg


@pytest.fixture
def instance():
    """A persistent instance in a temporary folder (what `execute_job` with Dagster's
    default multiprocess executor needs), removed after the test."""
    with dg.instance_for_test() as inst:
        yield inst
