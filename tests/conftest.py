"""Fixtures shared by every test folder."""

from tests.e2e.conftest import example, project  # noqa: F401  (re-exported fixtures)
from tests.s3_server import s3, s3_checked, s3_server, s3_server_checking_credentials  # noqa: F401
