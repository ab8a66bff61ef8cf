"""runtime.gc_pause: a run freezes what existed before it, and lets it go again afterwards."""

from __future__ import annotations

import gc
import weakref

import pytest

from specrun import job, op


@op
def one():
    return 1


@op
def fails():
    raise ValueError("no")


@job
def ok_job():
    one()


@job
def failing_job():
    fails()


class Cycle:
    """Garbage only the cyclic collector frees (it refers to itself)."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def nothing_frozen():
    gc.unfreeze()  # (a CLI command run in this process earlier may have frozen its objects)
    yield
    gc.unfreeze()


def _cycle_alive_across(run) -> bool:
    garbage = Cycle()
    alive = weakref.ref(garbage)
    del garbage  # a cycle: still there until the collector passes
    run()
    gc.collect()
    return alive() is not None


def test_garbage_from_before_a_run_is_still_collected_after_it():
    # was kept for the life of the process: the run froze it and nothing unfroze it
    assert not _cycle_alive_across(lambda: ok_job.execute_in_process())
    assert gc.get_freeze_count() == 0


def test_a_failed_run_unfreezes_too():
    def run():
        with pytest.raises(Exception):
            failing_job.execute_in_process()

    assert not _cycle_alive_across(run)
    assert gc.get_freeze_count() == 0


def test_a_freeze_in_effect_before_the_run_is_left_in_effect():
    garbage = Cycle()
    alive = weakref.ref(garbage)
    gc.freeze()  # the caller's own (a forking server's, the CLI's)
    del garbage
    assert ok_job.execute_in_process().success
    gc.collect()
    assert alive() is not None and gc.get_freeze_count() > 0
