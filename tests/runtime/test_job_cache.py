"""Per-job work happens once per job: the plan, resource requirements, materialize's job."""

from __future__ import annotations

import gc

import pytest

from specrun import asset, job, materialize, mem_io_manager, op
from specrun.runtime import api, gc_pause
from specrun.runtime import materialize as materialize_module
from specrun.runtime.job_cache import per_job


@pytest.fixture(autouse=True)
def nothing_frozen():
    """Each test starts with no freeze in effect (a run then unfreezes what it froze), and
    leaves none (`planned_with_programs`, called alone here, freezes)."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def _counting(monkeypatch, name: str, module=api) -> list:
    calls: list = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


@op
def one() -> int:
    return 1


@op
def plus(x: int) -> int:
    return x + 1


@job
def small():
    plus(one())


def test_a_jobs_plan_is_built_once_for_every_run_of_the_same_steps(monkeypatch):
    built = _counting(monkeypatch, "planned_with_programs")
    first = small.execute_in_process()
    second = small.execute_in_process()
    assert first.output_for_node("plus") == second.output_for_node("plus") == 2
    assert len(built) == 1
    small.execute_in_process(op_selection=["one"])  # other steps: a plan of its own
    assert len(built) == 2
    assert first.run_id != second.run_id


def test_a_jobs_plan_comes_with_the_step_program_of_each_of_its_steps():
    from specrun.runtime.job_plan import planned_with_programs
    from specrun.runtime.step_recipe import job_program

    @job
    def fresh():
        plus(one())

    plan = planned_with_programs(fresh, None)
    program = job_program(fresh)
    assert list(plan.steps) == ["one", "plus"]
    assert set(program.recipes) == {"one", "plus"}
    assert program.recipes["plus"].node is fresh.nodes["plus"]
    assert not gc.get_objects(0)  # frozen with what existed before (nothing left to rescan)
    assert planned_with_programs(fresh, ["plus"]).step_keys == ["plus"]


def test_per_job_builds_once_per_key_and_keeps_a_bounded_number():
    made = []

    @job
    def holder():
        one()

    for i in range(20):
        assert per_job(holder, i, lambda i=i: made.append(i) or i) == i
    assert made == list(range(20))
    for i in range(4, 20):  # the 16 newest are kept: not built again
        assert per_job(holder, i, lambda i=i: made.append(i) or i) == i
    assert len(made) == 20
    assert per_job(holder, 0, lambda: made.append(0) or 0) == 0  # the oldest went
    assert made[-1] == 0 and len(made) == 21


def test_materialize_builds_its_asset_job_once_for_the_same_assets(monkeypatch):
    built = _counting(monkeypatch, "build_asset_job", materialize_module)

    @asset
    def source() -> int:
        return 2

    @asset
    def doubled(source: int) -> int:
        return source * 2

    for _ in range(3):
        result = materialize([source, doubled], resources={"io_manager": mem_io_manager})
        assert result.output_for_node("doubled") == 4
    assert len(built) == 1
    materialize([source, doubled], selection=["source"], resources={"io_manager": mem_io_manager})
    assert len(built) == 2


def test_a_run_raises_the_young_generations_threshold_and_restores_it_after():
    seen = []

    @op
    def look() -> int:
        seen.append(gc.get_threshold())
        return 1

    @job
    def looking():
        look()

    before = gc.get_threshold()
    looking.execute_in_process()
    assert seen[0][0] >= gc_pause.RUN_GC_THRESHOLD and seen[0][1:] == before[1:]
    assert gc.get_threshold() == before


def test_a_join_of_ten_thousand_inputs_runs(tmp_path):
    sources = []
    for i in range(10_000):
        @op(name=f"src_{i}")
        def src() -> int:
            return 1
        sources.append(src)

    @op
    def join(xs: list) -> int:
        return sum(xs)

    @job
    def wide():
        join([s() for s in sources])

    assert wide.execute_in_process().output_for_node("join") == 10_000


def test_the_in_memory_manager_keeps_values_under_the_keys_its_contexts_would_give():
    from specrun import In, InMemoryIOManager, io_manager

    managers = []

    @io_manager
    def memory(_):
        managers.append(InMemoryIOManager())
        return managers[-1]

    @op
    def two() -> int:
        return 2

    @op(ins={"x": In()})
    def times_three(x):
        return x * 3

    @job(resource_defs={"io_manager": memory})
    def ops_job():
        times_three(two())

    result = ops_job.execute_in_process()
    assert result.output_for_node("times_three") == 6
    assert managers[0].values == {(result.run_id, "two", "result"): 2,
                                  (result.run_id, "times_three", "result"): 6}
    loaded = [e.step_key for e in result.all_events if e.event_type_value == "LOADED_INPUT"]
    handled = [e.step_key for e in result.all_events if e.event_type_value == "HANDLED_OUTPUT"]
    assert loaded == ["times_three"] and handled == ["two", "times_three"]

    @asset
    def base() -> int:
        return 5

    @asset
    def plus_one(base: int) -> int:
        return base + 1

    assert materialize([base, plus_one], resources={"io_manager": memory}).success
    assert managers[1].values == {("base",): 5, ("plus_one",): 6}


def test_a_subclass_of_the_in_memory_manager_is_called_with_its_contexts():
    from specrun import InMemoryIOManager, io_manager

    seen = []

    class Recording(InMemoryIOManager):
        def handle_output(self, context, obj):
            seen.append(("out", context.step_key, context.name))
            super().handle_output(context, obj)

        def load_input(self, context):
            seen.append(("in", context.name, tuple(context.upstream_output.get_identifier())[1:]))
            return super().load_input(context)

    @io_manager
    def recording(_):
        return Recording()

    @job(resource_defs={"io_manager": recording})
    def ops_job():
        plus(one())

    assert ops_job.execute_in_process().output_for_node("plus") == 2
    assert seen == [("out", "one", "result"), ("in", "x", ("one", "result")), ("out", "plus", "result")]


def test_a_job_that_ran_goes_when_nothing_refers_to_it():
    # was kept for the life of the process: its plan (which refers to it) was an entry of a
    # table keyed weakly by the job
    import weakref

    @job
    def short_lived():
        plus(one())

    assert short_lived.execute_in_process().success
    gone = weakref.ref(short_lived)
    del short_lived
    gc.collect()
    assert gone() is None


def test_a_pickled_job_leaves_what_its_runs_worked_out_behind():
    import copy

    assert small.execute_in_process().success
    assert "_specrun_per_job" in vars(small)
    state = small.__getstate__()  # what pickle (and cloudpickle, for workers) takes
    assert "_specrun_per_job" not in state and state["nodes"] is small.nodes
    again = copy.copy(small)  # made from that state, as an unpickled job is
    assert "_specrun_per_job" not in vars(again)
    assert again.execute_in_process().output_for_node("plus") == 2


def test_whether_a_job_has_dynamic_outputs_is_worked_out_when_it_is_made(monkeypatch):
    import copy

    from specrun import DynamicOut, DynamicOutput
    from specrun.runtime.definitions import dynamic
    from specrun.runtime.job_cache import job_has_dynamic_outputs

    @op(out=DynamicOut())
    def fan():
        yield DynamicOutput(1, mapping_key="a")

    @op
    def each(x):
        return x

    @op
    def listed(xs):
        return xs

    @job
    def mapped():
        fan().map(each)

    @job
    def collects():
        listed(fan().map(each).collect())

    @job
    def unmapped():
        plus(one())

    asked = []
    real = dynamic.has_dynamic_outputs
    monkeypatch.setattr(dynamic, "has_dynamic_outputs", lambda nodes: asked.append(nodes) or real(nodes))
    assert [job_has_dynamic_outputs(j) for j in (mapped, collects, unmapped)] == [True, True, False]
    assert asked == []  # worked out when each job was made; its plans read it
    assert mapped.execute_in_process().output_for_node("each") == {"a": 1}
    assert collects.execute_in_process().output_for_node("listed") == [1]
    assert unmapped.execute_in_process().output_for_node("plus") == 2
    assert asked == []
    again = copy.copy(unmapped)  # made from its pickled state: worked out again, once
    assert job_has_dynamic_outputs(again) is False and job_has_dynamic_outputs(again) is False
    assert asked == [again.nodes]
