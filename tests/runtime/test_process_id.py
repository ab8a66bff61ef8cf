"""process_id: the process's id is kept, and a forked child keeps its own."""

from __future__ import annotations

import os

import pytest

from specrun.runtime import process_id


def test_the_kept_id_is_this_processs():
    assert process_id.PID[0] == os.getpid()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_child_keeps_its_own_id():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: say its kept id and its id, then leave without finalizers
        try:
            os.write(write, f"{process_id.PID[0]} {os.getpid()}".encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as fh:
        assert fh.read() == f"{pid} {pid}"
    assert process_id.PID[0] == os.getpid() != pid
