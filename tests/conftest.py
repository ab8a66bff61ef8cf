"""Fixtures shared by every test folder."""

import signal

from tests.e2e.conftest import example, project  # noqa: F401  (re-exported fixtures)
from tests.s3_server import s3, s3_checked, s3_server, s3_server_checking_credentials  # noqa: F401

# A test run started in the background of a non-interactive shell (`pytest &`, nohup) inherits
# SIGINT ignored, and every `specrun apply` the tests start would inherit that too, so the tests
# that press Ctrl-C on a run could not. A Python-level handler is reset to the default in each
# child at exec, so the children get SIGINT delivered as from a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
