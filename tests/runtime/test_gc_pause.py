"""runtime.gc_pause: a run freezes what existed before it, and lets it go again afterwards."""

from __future__ import annotations

import gc
import weakref

import pytest

from specrun import job, op
from specrun.runtime.gc_pause import _FROZEN_AT_START  # (the interpreter's own: 0 up to 3.11, 375 on 3.12)


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
    assert gc.get_freeze_count() <= _FROZEN_AT_START


def test_a_failed_run_unfreezes_too():
    def run():
        with pytest.raises(Exception):
            failing_job.execute_in_process()

    assert not _cycle_alive_across(run)
    assert gc.get_freeze_count() <= _FROZEN_AT_START


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
    from specrun.runtime import materialize as materialize_module

    log: list = []
    run = materialize_module.execute_run
    monkeypatch.setattr(materialize_module, "execute_run", lambda *a, **k: (log.append("run"), run(*a, **k))[1])
    assets = _asset_chain(300, [])
    gc.collect()
    gc.callbacks.append(collected := lambda phase, info: log.append((phase, info["generation"])))
    try:
        result = materialize_to_memory(assets)  # (~2,000 young objects in its job)
    finally:
        gc.callbacks.remove(collected)
    assert result.output_for_node("c_299") == 300
    assert log[0] == "run"  # the job's objects were frozen by the run, not scanned before it
    assert gc.get_freeze_count() <= _FROZEN_AT_START


def test_cyclic_garbage_of_a_materialize_run_is_collected_by_an_ordinary_young_pass():
    from specrun import materialize_to_memory

    made: list = []
    before = gc.get_stats()[0]["collections"]
    assert materialize_to_memory(_asset_chain(300, made)).success
    _ = [[] for _ in range(gc.get_threshold()[0] + 1)]  # allocation: the collector's next young pass
    assert gc.get_stats()[0]["collections"] > before
    assert made and made[0]() is None  # freed without gc.collect()
    assert gc.get_freeze_count() <= _FROZEN_AT_START


def _cycle_making_job(width: int, alive: weakref.WeakSet):
    """`width` ops, each making a cycle (kept in `alive` while it lives) and returning 1."""
    def makes_cycle():
        alive.add(Cycle())
        return 1

    return _wide_job(width, makes_cycle)


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
    assert gc.get_freeze_count() <= _FROZEN_AT_START


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


def _wide_job(width: int, step):
    def make(i):
        @op(name=f"w_{i}")
        def each():
            return step()
        return each

    ops = [make(i) for i in range(width)]

    @job
    def wide():
        for o in ops:
            o()

    return wide


def test_a_long_run_frees_the_cycles_its_ops_make_as_it_goes():
    # each op's cycle is garbage once it returns: a 10,000-step run kept up to 8,144 of them
    # alive (one young pass every 100,000 new objects; ~0.8 GB if each held 100 KB)
    alive: weakref.WeakSet = weakref.WeakSet()
    most = [0]

    def step():
        most[0] = max(most[0], len(alive))
        alive.add(Cycle())
        return 1

    wide = _wide_job(10_000, step)
    gc.collect()
    assert wide.execute_in_process().success
    assert 0 < most[0] <= 1_000


def _passes_during(run, tracked) -> list:
    """For each collector pass while `run()` runs: its generation, and how many objects the
    older generations held as it started (those a young pass does not scan)."""
    passes: list = []

    def seen(phase, info):
        if phase == "start" and tracked[0]:
            passes.append((info["generation"], len(gc.get_objects(1)) + len(gc.get_objects(2))))

    gc.callbacks.append(seen)
    try:
        run()
    finally:
        gc.callbacks.remove(seen)
    return passes


def test_what_a_pass_in_a_run_finds_alive_is_frozen_until_the_run_ends(monkeypatch):
    # so that no later pass in the run scans it again
    from specrun.runtime import gc_pause

    monkeypatch.setattr(gc_pause, "RUN_GC_THRESHOLD", 500)
    in_op = [False]

    def step():
        in_op[0] = True
        return 1

    wide = _wide_job(1_000, step)
    gc.collect()
    results: list = []
    passes = _passes_during(lambda: results.append(wide.execute_in_process()), in_op)
    assert len(passes) >= 3 and passes == [(0, 0)] * len(passes)  # 11 passes on 3.10-3.12, 4 on 3.13
    assert gc.get_freeze_count() <= _FROZEN_AT_START
    survivor = results[0].all_events[0]  # (made in the run, alive at its passes)
    assert gc.is_tracked(survivor) and any(o is survivor for o in gc.get_objects(2))


def test_a_run_inside_a_freeze_not_its_own_freezes_nothing_more(monkeypatch):
    # its survivors would stay frozen as long as the caller's freeze
    from specrun.runtime import gc_pause

    monkeypatch.setattr(gc_pause, "SET_UP_GC_THRESHOLD", 500)
    in_op = [False]
    frozen: list = []

    def step():
        in_op[0] = True
        frozen.append(gc.get_freeze_count())
        return 1

    wide = _wide_job(1_000, step)
    gc.freeze()
    passes = _passes_during(lambda: wide.execute_in_process(), in_op)
    assert len(passes) >= 3 and len(set(frozen)) == 1


def test_whether_a_freeze_is_in_effect_is_told_right_whoever_unfreezes():
    from specrun.runtime import gc_pause

    assert not gc_pause.freeze_in_effect()
    gc_pause.freeze_for_good()  # (the CLI's: known without counting what is frozen)
    assert gc_pause.freeze_in_effect()
    gc.unfreeze()  # not through gc_pause (a user's, the UI's)
    assert not gc_pause.freeze_in_effect()
    gc_pause.freeze_for_good()
    gc.unfreeze()
    gc.freeze()  # another's freeze, of the same objects
    assert gc_pause.freeze_in_effect()
    gc.unfreeze()
    assert not gc_pause.freeze_in_effect()
    # and a run after such an unfreeze owns its freeze again: it lets go of what it froze
    gc_pause.freeze_for_good()
    gc.unfreeze()
    assert not _cycle_alive_across(lambda: ok_job.execute_in_process())
    assert gc.get_freeze_count() <= _FROZEN_AT_START


def test_a_full_pass_during_a_run_does_not_count_as_one(monkeypatch):
    # it skipped what was frozen, previous runs' leftovers included
    from specrun.runtime import gc_pause

    gc.collect()
    assert gc_pause._RUNS_SINCE_FULL_PASS[0] == 0
    for _ in range(3):
        assert ok_job.execute_in_process().success
    assert _wide_job(2, gc.collect).execute_in_process().success
    assert gc_pause._RUNS_SINCE_FULL_PASS[0] == 4


def test_a_run_reports_the_same_events_whatever_its_passes(monkeypatch):
    from specrun.runtime import gc_pause

    def events(threshold: int) -> list:
        monkeypatch.setattr(gc_pause, "RUN_GC_THRESHOLD", threshold)
        result = _op_chain(1_000).execute_in_process()
        return [(e.event_type, e.step_key, e.message) for e in result.all_events]

    assert events(100) == events(10_000_000)


def test_a_run_stops_freezing_past_its_limit_so_large_cyclic_garbage_is_freed(monkeypatch):
    # each op keeps 3,000 cycles alive across passes, then drops them: frozen until the run
    # ended, all 60,000 would stay
    from specrun.runtime import gc_pause

    monkeypatch.setattr(gc_pause, "RUN_FROZEN_FLOOR", 5_000)
    alive: weakref.WeakSet = weakref.WeakSet()
    most = [0]

    def step():
        most[0] = max(most[0], len(alive))
        held = [Cycle() for _ in range(3_000)]
        alive.update(held)
        return 1

    gc.collect()
    assert _wide_job(20, step).execute_in_process().success
    assert 3_000 <= most[0] <= 30_000
    assert gc.get_freeze_count() <= _FROZEN_AT_START


def test_a_worker_forked_in_a_run_freezes_nothing_of_its_own():
    import os

    if not hasattr(os, "fork"):
        pytest.skip("no fork here")
    from specrun.runtime import gc_pause

    seen: list = []

    def step():
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: what its own passes find alive is not frozen
            os.write(write, b"1" if gc_pause._FROZEN_IN_RUN[0] is None else b"0")
            os._exit(0)
        os.waitpid(pid, 0)
        seen.append((gc_pause._FROZEN_IN_RUN[0] is not None, os.read(read, 1)))
        os.close(read)
        os.close(write)
        return 1

    assert _wide_job(1, step).execute_in_process().success
    assert seen == [(True, b"1")]
