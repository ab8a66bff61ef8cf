"""specrun/runtime/resources.py: a failure while a resource is set up names the resource."""

from __future__ import annotations

import socket

from specrun import asset, materialize, resource


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: nothing listens there


def test_an_oserror_while_setting_up_a_resource_names_the_resource_type_and_user_frames(tmp_path):
    from specrun.output import user_frames

    port = _free_port()

    @resource
    def database(_context):
        return socket.create_connection(("127.0.0.1", port), timeout=5)

    @asset(required_resource_keys={"database"})
    def rows(context):
        return 1

    result = materialize([rows], resources={"database": database}, raise_on_error=False)
    [failure] = result.get_step_failure_events()
    error = failure.data.error
    assert error.message.startswith("setting up resource 'database' failed: ConnectionRefusedError: ")
    frames = user_frames(error.stack)
    assert "in database" in frames[0] and "socket.create_connection" in frames[0]
    assert "socket.py" not in "".join(frames[:-1])
    assert frames[-1].startswith("  (raised in Python's standard library: File ") and "socket.py" in frames[-1]
