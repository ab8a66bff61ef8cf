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


def _asset_chain(n: int, made: list) -> list:
    from specrun import AssetIn, asset

    @asset(name="c_0")
    def first():
        garbage = Cycle()  # cyclic garbage made during the run
        made.append(weakref.ref(garbage))
        return 1

    def link(i):
        @asset(name=f"c_{i}", ins={"up": AssetIn(f"c_{i - 1}")})
        def step(up):
            return up + 1
        return step

    return [first, *[link(i) for i in range(1, n)]]


def test_materialize_builds_its_job_with_no_young_pass_before_the_run(monkeypatch):
    from specrun import materialize_to_memory
    from specrun.runtime import api

    log: list = []
    run = api.execute_run
    monkeypatch.setattr(api, "execute_run", lambda *a, **k: (log.append("run"), run(*a, **k))[1])
    assets = _asset_chain(300, [])
    gc.collect()
    gc.callbacks.append(collected := lambda phase, info: log.append((phase, info["generation"])))
    try:
        result = materialize_to_memory(assets)  # (~2,000 young objects in its job)
    finally:
        gc.callbacks.remove(collected)
    assert result.output_for_node("c_299") == 300
    assert log[0] == "run"  # the job's objects were frozen by the run, not scanned before it
    assert gc.get_freeze_count() == 0


def test_cyclic_garbage_of_a_materialize_run_is_collected_by_an_ordinary_young_pass():
    from specrun import materialize_to_memory

    made: list = []
    before = gc.get_stats()[0]["collections"]
    assert materialize_to_memory(_asset_chain(300, made)).success
    _ = [[] for _ in range(gc.get_threshold()[0] + 1)]  # allocation: the collector's next young pass
    assert gc.get_stats()[0]["collections"] > before
    assert made and made[0]() is None  # freed without gc.collect()
    assert gc.get_freeze_count() == 0


def _cycle_making_job(width: int, alive: weakref.WeakSet):
    def make(i):
        @op(name=f"makes_cycle_{i}")
        def makes_cycle():
            cycle = Cycle()
            alive.add(cycle)
            return 1
        return makes_cycle

    ops = [make(i) for i in range(width)]

    @job
    def cycles():
        for o in ops:
            o()

    return cycles


def test_runs_in_quick_succession_do_not_starve_the_collector():
    # each run's freeze zeroed the collector's count of new objects: with runs back to back
    # no pass ever started, and every cycle a run made stayed (3,000 here)
    from specrun.runtime import gc_pause

    alive: weakref.WeakSet = weakref.WeakSet()
    cycles = _cycle_making_job(20, alive)
    gc.collect()  # (runs since a full pass: 0 from here)
    assert gc_pause._RUNS_SINCE_FULL_PASS[0] == 0
    for _ in range(gc_pause.FULL_PASS_EVERY + 50):
        assert cycles.execute_in_process().success
    assert len(alive) <= 50 * 20  # at most the runs since the 100th run's full pass


def test_a_job_plan_and_step_programs_are_built_with_no_young_pass(monkeypatch):
    # all of what a first run builds per job stays alive (frozen once built): a pass over it
    # while it is built finds nothing (a 10,000-op chain: one pass over 100,000 objects, ~18 ms)
    from specrun.runtime import api, gc_pause

    monkeypatch.setattr(gc_pause, "RUN_GC_THRESHOLD", 1_000)  # (a small job crosses it)
    building = [False]
    built = api.planned_with_programs

    def planned(*args):
        building[0] = True
        try:
            return built(*args)
        finally:
            building[0] = False

    monkeypatch.setattr(api, "planned_with_programs", planned)
    chain = _op_chain(300)
    gc.collect()
    passes: list = []
    gc.callbacks.append(seen := lambda phase, info: phase == "start" and passes.append(building[0]))
    try:
        assert chain.execute_in_process().output_for_node("link_299") == 300
    finally:
        gc.callbacks.remove(seen)
    assert passes and True not in passes  # passes came, but none while the plan was built
    assert gc.get_freeze_count() == 0


def _op_chain(n: int):
    @op(name="link_0")
    def first():
        return 1

    def link(i):
        @op(name=f"link_{i}")
        def step(x):
            return x + 1
        return step

    links = [link(i) for i in range(1, n)]

    @job
    def chain():
        value = first()
        for step in links:
            value = step(value)

    return chain
