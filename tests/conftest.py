"""Fixtures shared by every test folder."""

from tests.e2e.conftest import example, project  # noqa: F401  (re-exported fixtures)
