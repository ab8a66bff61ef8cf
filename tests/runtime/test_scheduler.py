"""The sans-IO scheduler, driven by feeding it events: no executor, no process."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from specrun.errors import InvariantViolationError
from specrun.runtime.events import ET, Event, StepOutputData
from specrun.runtime.plan import ExecutionStep, UpstreamOutput
from specrun.runtime.active_execution import ActiveExecution
from specrun.runtime.scheduler import Emit, NewSteps, Run, RunState, StepDone
from specrun.runtime.step_events import summarize


def _step(key: str, *ups: str) -> ExecutionStep:
    inputs = {f"in_{u}": (UpstreamOutput(u, "result", u),) for u in ups}
    return ExecutionStep(key, SimpleNamespace(name=key, extra_deps=()), None, frozenset(ups), inputs)


class _Plan:
    """The parts of an ExecutionPlan the scheduler reads."""

    def __init__(self, *steps: ExecutionStep) -> None:
        self.steps = {s.key: s for s in steps}
        self.positions = {k: i for i, k in enumerate(self.steps)}
        self.downstream: dict[str, list[str]] = {k: [] for k in self.steps}
        for s in steps:
            for up in sorted(s.upstream_keys):
                self.downstream[up].append(s.key)


def _event(kind, key: str, output: str = "result") -> Event:
    data = StepOutputData(output) if kind is ET.STEP_OUTPUT else None
    return Event(kind, "run", "job", key, data=data)


def _succeed(state: RunState, key: str) -> list:
    out = list(state.handle(_event(ET.STEP_OUTPUT, key)))
    out += state.handle(_event(ET.STEP_SUCCESS, key))
    return out + list(state.handle(StepDone(key)))


def _runs(instructions) -> list[str]:
    return [i.step.key for i in instructions if isinstance(i, Run)]


def _skips(instructions) -> list[str]:
    return [i.event.step_key for i in instructions if isinstance(i, Emit)]


def test_steps_with_nothing_upstream_are_run_first_in_plan_order():
    state = RunState(_Plan(_step("b"), _step("a"), _step("c", "a")), "run", "job")
    assert _runs(state.start()) == ["b", "a"]


def test_a_finished_step_releases_exactly_its_dependents_once_all_their_upstreams_finish():
    state = RunState(_Plan(_step("a"), _step("b"), _step("j", "a", "b"), _step("k", "a")), "run", "job")
    assert _runs(state.start()) == ["a", "b"]
    assert _runs(_succeed(state, "a")) == ["k"]  # j still waits on b
    assert _runs(_succeed(state, "b")) == ["j"]
    _succeed(state, "j")
    assert not state.is_complete
    _succeed(state, "k")
    assert state.is_complete and state.unfinished_step_keys() == []


def test_max_concurrent_holds_ready_steps_until_a_slot_is_free_and_keeps_plan_order():
    plan = _Plan(_step("a"), _step("b"), _step("c"), _step("d"))
    state = RunState(plan, "run", "job", max_concurrent=2)
    assert _runs(state.start()) == ["a", "b"]
    assert _runs(state.handle(_event(ET.STEP_SUCCESS, "b"))) == []  # slot held until done
    assert _runs(state.handle(StepDone("b"))) == ["c"]
    assert state.running == 2
    assert _runs(_succeed(state, "a")) == ["d"]


def test_roots_and_released_steps_are_handed_out_together_in_plan_order():
    """Roots not handed out yet and released steps wait apart (the roots in a list popped from
    its end): of the two, the step first in plan order goes first."""
    plan = _Plan(_step("a"), _step("a1", "a"), _step("b"), _step("b1", "b"), _step("c"))
    state = RunState(plan, "run", "job", max_concurrent=1)
    assert _runs(state.start()) == ["a"]
    assert [_runs(_succeed(state, key)) for key in ("a", "a1", "b", "b1", "c")] == [
        ["a1"], ["b"], ["b1"], ["c"], []]
    state = RunState(plan, "run", "job", max_concurrent=2)
    assert _runs(state.start()) == ["a", "b"]
    assert [_runs(_succeed(state, key)) for key in ("b", "a", "b1", "a1")] == [["b1"], ["a1"], ["c"], []]


def test_many_roots_are_handed_out_in_plan_order_as_slots_free():
    keys = sorted(f"src_{i}" for i in range(300))
    plan = _Plan(*[_step(key) for key in keys], _step("z_join", *keys))
    state = RunState(plan, "run", "job", max_concurrent=3)
    handed = _runs(state.start())
    for key in keys:
        handed += _runs(_succeed(state, key))
    assert handed == keys + ["z_join"]


def test_a_failure_skips_everything_downstream_through_skipped_steps_and_nothing_else():
    plan = _Plan(_step("a"), _step("b", "a"), _step("c", "b"), _step("d", "c"),
                 _step("side"), _step("e", "side"))
    state = RunState(plan, "run", "job")
    assert _runs(state.start()) == ["a", "side"]
    out = state.handle(_event(ET.STEP_FAILURE, "a"))
    assert _skips(out) == ["b", "c", "d"] and _runs(out) == []
    reasons = {i.event.step_key: i.event.data for i in out}
    assert reasons["b"].reason == "upstream did not succeed (a failed)"
    assert reasons["c"].reason == "upstream did not succeed (b skipped)"
    assert reasons["d"].upstream_step_keys == ("c",)
    assert state.status["a"] == "failed" and state.status["d"] == "skipped"
    assert _runs(_succeed(state, "side")) == ["e"]
    _succeed(state, "e")
    assert state.is_complete


def test_an_input_whose_optional_output_was_not_produced_skips_the_step():
    state = RunState(_Plan(_step("a"), _step("b", "a")), "run", "job")
    state.start()
    out = state.handle(_event(ET.STEP_SUCCESS, "a"))  # no STEP_OUTPUT first
    assert _skips(out) == ["b"]
    assert out[0].event.data.reason == "input 'in_a' was not produced (optional output not yielded)"


def test_a_failure_skipping_a_long_chain_does_not_recurse():
    steps = [_step("s00000")] + [_step(f"s{i:05d}", f"s{i - 1:05d}") for i in range(1, 20000)]
    state = RunState(_Plan(*steps), "run", "job")
    state.start()
    out = state.handle(_event(ET.STEP_FAILURE, "s00000"))
    assert len(_skips(out)) == 19999 and state.is_complete


def test_new_steps_added_at_run_time_run_and_the_collecting_step_waits_for_them():
    plan = _Plan(_step("emit"), _step("collect", "emit"))
    state = RunState(plan, "run", "job")
    assert _runs(state.start()) == ["emit"]
    state.handle(_event(ET.STEP_OUTPUT, "emit"))
    new = [_step(f"work[{i}]", "emit") for i in range(3)]
    assert _runs(state.handle(NewSteps(new, {"collect": [s.key for s in new]}))) == []
    out = state.handle(_event(ET.STEP_SUCCESS, "emit"))
    assert _runs(out) == ["work[0]", "work[1]", "work[2]"]  # not collect: it waits on them
    state.handle(StepDone("emit"))
    _succeed(state, "work[0]")
    assert _runs(_succeed(state, "work[1]")) == []
    assert _runs(_succeed(state, "work[2]")) == ["collect"]
    _succeed(state, "collect")
    assert state.is_complete
    assert "work[0]" not in plan.steps  # the (cached, shared) plan is left as it was


def test_new_steps_whose_upstreams_are_done_are_ready_at_once():
    state = RunState(_Plan(_step("emit")), "run", "job")
    state.start()
    _succeed(state, "emit")
    assert _runs(state.handle(NewSteps([_step("late", "emit")]))) == ["late"]


def test_new_steps_after_a_failed_upstream_are_skipped():
    state = RunState(_Plan(_step("emit"), _step("other")), "run", "job")
    state.start()
    state.handle(_event(ET.STEP_FAILURE, "emit"))
    assert _skips(state.handle(NewSteps([_step("late", "emit")]))) == ["late"]


def test_a_released_step_cannot_be_made_to_wait_on_new_steps():
    state = RunState(_Plan(_step("emit"), _step("collect", "emit")), "run", "job")
    state.start()
    _succeed(state, "emit")
    with pytest.raises(InvariantViolationError, match="no longer pending"):
        state.handle(NewSteps([_step("late", "emit")], {"collect": ["late"]}))


def _describe(instructions) -> list:
    return [("run", i.step.key) if isinstance(i, Run) else ("skip", i.event.step_key, i.event.data)
            for i in instructions]


@pytest.mark.parametrize("limit", [None, 1, 2])
def test_step_ended_is_each_event_then_step_done_in_one_call(limit):
    """`step_ended(key, events)` answers and changes the state exactly as feeding the same
    events one by one and then `StepDone` does: successes, a failure, an unproduced output."""
    plan = _Plan(_step("a"), _step("b", "a"), _step("c", "a"), _step("d", "b", "c"),
                 _step("e", "c"), _step("f"), _step("g", "f"), _step("h", "e"))
    one_by_one, at_once = RunState(plan, "run", "job", limit), RunState(plan, "run", "job", limit)
    assert _describe(one_by_one.start()) == _describe(at_once.start())
    outcomes = {"b": [(ET.STEP_OUTPUT,), (ET.STEP_SUCCESS,)], "c": [(ET.STEP_FAILURE,)],
                "f": [(ET.STEP_SUCCESS,)]}  # f produces no output: g is skipped
    order = ["a", "f", "b", "c", "g", "d", "e", "h"]
    while not one_by_one.is_complete:
        key = next(k for k in order if one_by_one.status[k] == "running")
        events = [_event(kind, key) for (kind,) in outcomes.get(key, [(ET.STEP_OUTPUT,), (ET.STEP_SUCCESS,)])]
        events.insert(len(events) // 2, _event(ET.HANDLED_OUTPUT, key))  # (read by neither)
        expected = []
        for event in events:
            expected += one_by_one.handle(event)
        expected += one_by_one.handle(StepDone(key))
        # (with the summary of what the events say, as the in-process executor gives it, or not)
        given = summarize(events) if key in "aceg" else None
        assert _describe(at_once.step_ended(key, events, given)) == _describe(expected), key
        assert at_once.status == one_by_one.status and at_once.running == one_by_one.running
    assert at_once.is_complete and one_by_one.is_complete
    assert at_once.status == {"a": "succeeded", "b": "succeeded", "c": "failed", "d": "skipped",
                              "e": "skipped", "f": "succeeded", "g": "skipped", "h": "skipped"}


def test_step_ended_refuses_an_unknown_step():
    state = RunState(_Plan(_step("a")), "run", "job")
    state.start()
    with pytest.raises(InvariantViolationError, match="unknown step 'zz'"):
        state.step_ended("zz", [])


def test_a_success_reported_twice_releases_nothing_the_second_time():
    state = RunState(_Plan(_step("a"), _step("b"), _step("j", "a", "b")), "run", "job")
    assert _runs(state.start()) == ["a", "b"]
    assert _runs(_succeed(state, "a")) == []
    assert _runs(state.handle(_event(ET.STEP_SUCCESS, "a"))) == []  # j still waits on b
    assert state.status == {"a": "succeeded", "b": "running", "j": "pending"}
    assert _runs(_succeed(state, "b")) == ["j"]


def test_a_success_of_an_unknown_step_is_refused():
    state = RunState(_Plan(_step("a")), "run", "job")
    state.start()
    with pytest.raises(InvariantViolationError, match="no step 'zz' in this run"):
        state.handle(_event(ET.STEP_SUCCESS, "zz"))


def test_unknown_stimuli_are_refused():
    state = RunState(_Plan(_step("a")), "run", "job")
    with pytest.raises(InvariantViolationError, match="cannot handle"):
        state.handle("finished a")


_ORDER_SCRIPT = """
from specrun import job, op
from specrun.runtime.plan import build_plan

def make(name):
    @op(name=name)
    def step():
        return 1
    return step

names = ["zeta", "alpha", "mid", "beta", "omega", "kappa", "delta", "gamma"]
ops = [make(n) for n in names]

@op
def join(a, b):
    return a

@job
def wide():
    outs = [o() for o in ops]
    join(outs[0], outs[1])

print(",".join(build_plan(wide).steps))
"""


def test_plan_order_is_lexicographic_topological_and_the_same_whatever_the_hash_seed():
    orders = set()
    for seed in ("0", "1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", _ORDER_SCRIPT], env=env, capture_output=True,
                             text=True, check=True)
        orders.add(out.stdout.strip())
    assert len(orders) == 1
    order = orders.pop().split(",")
    assert order.index("join") > max(order.index("zeta"), order.index("alpha"))
    assert order == sorted(order, key=lambda k: (k == "join", k))


def test_a_step_whose_worker_is_gone_fails_and_skips_what_waits_on_it():
    state = RunState(_Plan(_step("a"), _step("b", "a"), _step("c", "b")), "run", "job")
    state.start()
    out = state.fail("a")
    assert _skips(out) == ["b", "c"]
    assert state.status == {"a": "failed", "b": "skipped", "c": "skipped"}


def test_a_step_after_several_failed_upstreams_names_each_with_its_state():
    state = RunState(_Plan(_step("a"), _step("b"), _step("c", "b"), _step("d", "a", "c")), "run", "job")
    state.start()
    state.handle(_event(ET.STEP_FAILURE, "b"))
    [skipped] = state.handle(_event(ET.STEP_FAILURE, "a"))
    assert skipped.event.data.reason == "upstream did not succeed (a failed, c skipped)"
    assert skipped.event.data.upstream_step_keys == ("a", "c")


def test_a_step_is_skipped_when_any_one_of_its_inputs_was_not_produced():
    state = RunState(_Plan(_step("a"), _step("b"), _step("c", "a", "b")), "run", "job")
    state.start()
    _succeed(state, "a")  # in_a produced
    state.handle(_event(ET.STEP_SUCCESS, "b"))  # in_b not
    assert state.status["c"] == "skipped"


def test_new_steps_wait_on_every_unfinished_upstream():
    state = RunState(_Plan(_step("x"), _step("y")), "run", "job")
    state.start()
    assert _runs(state.handle(NewSteps([_step("both", "x", "y")]))) == []
    assert _runs(_succeed(state, "x")) == []
    assert _runs(_succeed(state, "y")) == ["both"]


def test_new_steps_behind_a_finished_and_an_unfinished_upstream_wait_for_the_unfinished_one():
    # twenty different pairs, so that some iterate the finished upstream first whatever the hash seed
    done = [f"done{i:02d}" for i in range(20)]
    state = RunState(_Plan(*(_step(k) for k in done), _step("slow")), "run", "job")
    state.start()
    for key in done:
        _succeed(state, key)
    new = [_step(f"n{i:02d}", key, "slow") for i, key in enumerate(done)]
    assert _runs(state.handle(NewSteps(new))) == []
    assert _runs(_succeed(state, "slow")) == [s.key for s in new]


def test_a_chain_of_new_steps_after_a_failed_upstream_is_skipped_once_each():
    state = RunState(_Plan(_step("emit"), _step("other")), "run", "job")
    state.start()
    state.handle(_event(ET.STEP_FAILURE, "emit"))
    out = state.handle(NewSteps([_step("n1", "emit"), _step("n2", "n1")]))
    assert _skips(out) == ["n1", "n2"]
    assert (state.status["n1"], state.status["n2"]) == ("skipped", "skipped")
    _succeed(state, "other")
    assert state.is_complete


def test_a_step_released_but_not_yet_handed_out_cannot_be_made_to_wait_on_new_steps():
    state = RunState(_Plan(_step("a"), _step("b")), "run", "job", max_concurrent=1)
    assert _runs(state.start()) == ["a"]  # b is ready, held back by the limit
    with pytest.raises(InvariantViolationError) as raised:
        state.handle(NewSteps([_step("late", "a")], {"b": ["late"]}))
    assert str(raised.value) == "step 'b' cannot wait on new steps: it is no longer pending"


def test_new_inputs_of_a_pending_step_are_added_to_what_it_reads():
    state = RunState(_Plan(_step("emit"), _step("collect", "emit")), "run", "job")
    state.start()
    first, second = UpstreamOutput("w[0]", "result", "w"), UpstreamOutput("w[1]", "result", "w")
    new = [_step("w[0]", "emit"), _step("w[1]", "emit")]
    state.handle(NewSteps(new[:1], {"collect": ["w[0]"]}, {"collect": {"xs": [first]}}))
    state.handle(NewSteps(new[1:], {"collect": ["w[1]"]}, {"collect": {"xs": [second]}}))
    collect = state.steps["collect"]
    assert collect.inputs == {"in_emit": (UpstreamOutput("emit", "result", "emit"),), "xs": (first, second)}
    assert collect.upstream_keys == frozenset({"emit", "w[0]", "w[1]"})


def test_new_inputs_alone_leave_what_a_pending_step_waits_on_unchanged():
    state = RunState(_Plan(_step("emit"), _step("collect", "emit")), "run", "job")
    state.start()
    read = UpstreamOutput("emit", "other", "emit")
    state.handle(NewSteps([], inputs={"collect": {"extra": [read]}}))
    assert state.steps["collect"].inputs["extra"] == (read,)
    assert state.steps["collect"].upstream_keys == frozenset({"emit"})
    assert _runs(_succeed(state, "emit")) == []  # its output 'other' was not produced
    assert state.status["collect"] == "skipped"


def test_a_pending_step_made_to_wait_on_new_steps_keeps_its_node_partition_and_mapping_key():
    node = SimpleNamespace(name="collect", extra_deps=())
    collect = ExecutionStep("collect[k]", node, "p1", frozenset({"emit"}), {}, mapping_key="k")
    state = RunState(_Plan(_step("emit"), collect), "run", "job")
    state.start()
    state.handle(NewSteps([_step("w", "emit")], {"collect[k]": ["w"]}))
    rebuilt = state.steps["collect[k]"]
    assert (rebuilt.node is node, rebuilt.partition_key, rebuilt.mapping_key, rebuilt.upstream_keys) == (
        True, "p1", "k", frozenset({"emit", "w"}))


def test_an_active_execution_adds_steps_and_hands_them_out():
    from specrun.runtime.active_execution import ActiveExecution

    execution = ActiveExecution(_Plan(_step("emit")), "run", "job")
    assert [s.key for s in execution.get_steps_to_execute()] == ["emit"]
    execution.handle_event(_event(ET.STEP_OUTPUT, "emit"))
    execution.handle_event(_event(ET.STEP_SUCCESS, "emit"))
    execution.add_steps(NewSteps([_step("late", "emit")]))
    assert [s.key for s in execution.get_steps_to_execute()] == ["late"]
    assert execution.state["late"] == "running"


def _drive(plan, failing: set, limit=None, **kwargs) -> list:
    """Every instruction of a run in which each step produces its output and succeeds, or
    fails when in `failing`: ("run", key) or ("skip", key, message)."""
    state = RunState(plan, "run", "job", max_concurrent=limit, **kwargs)
    seen, todo = [], list(state.start())
    while todo:
        i = todo.pop(0)
        if isinstance(i, Emit):
            seen.append(("skip", i.event.step_key, i.event.message))
            continue
        key = i.step.key
        seen.append(("run", key))
        events = ([_event(ET.STEP_FAILURE, key)] if key in failing
                  else [_event(ET.STEP_OUTPUT, key), _event(ET.STEP_SUCCESS, key)])
        todo.extend(state.step_ended(key, events))
    assert state.is_complete
    return seen


@pytest.mark.parametrize("seed", range(6))
def test_releasing_by_run_tables_gives_the_general_paths_instructions(seed):
    import random

    from specrun.runtime.plan_tables import RunTables

    rng = random.Random(seed)
    steps = []
    for i in range(60):
        ups = rng.sample([s.key for s in steps], min(len(steps), rng.randint(0, 3)))
        steps.append(_step(f"s{i:02d}", *ups))
    plan = _Plan(*steps)
    with_dependents = [k for k in plan.steps if plan.downstream[k]]
    failing = set(rng.sample(with_dependents, seed % 3))  # none, one or two failures
    general = _drive(plan, failing)
    plan.run_tables = RunTables(plan, every_step_unchecked=True)
    for limit in (None, 1, 3):
        assert _drive(plan, failing, limit) == _drive(plan, failing, limit, use_run_tables=False)
    assert _drive(plan, failing) == general
    assert any(kind == "skip" for kind, *_ in general) == bool(failing)


def test_steps_in_the_run_tables_are_checked_once_something_failed_or_steps_were_added():
    from specrun.runtime.plan_tables import RunTables

    plan = _Plan(_step("a"), _step("b"), _step("c", "b"))
    plan.run_tables = RunTables(plan, {"a": 0, "b": 0, "c": 1}, every_step_unchecked=True)
    state = RunState(plan, "run", "job")
    state.start()
    state.handle(_event(ET.STEP_FAILURE, "a"))
    assert _skips(state.handle(_event(ET.STEP_SUCCESS, "b"))) == ["c"]  # no output: checked
    state = RunState(plan, "run", "job")
    state.start()
    state.handle(NewSteps([_step("n", "a")]))
    assert _skips(state.handle(_event(ET.STEP_SUCCESS, "b"))) == ["c"]
    state = RunState(plan, "run", "job")
    state.start()
    assert _runs(state.handle(_event(ET.STEP_SUCCESS, "b"))) == ["c"]  # the table's word
    active = ActiveExecution(plan, "run", "job")  # a custom executor's: checked
    active.get_steps_to_execute()
    active.handle_event(_event(ET.STEP_SUCCESS, "b"))
    assert [e.step_key for e in active.pop_skip_events()] == ["c"]


class _ReadsCounted(dict):
    """A plan's table keyed by step that counts how often a run reads it."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.reads = 0

    def __getitem__(self, key):
        self.reads += 1
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.reads += 1
        return super().get(key, default)

    def __contains__(self, key):
        self.reads += 1
        return super().__contains__(key)


def test_a_run_of_a_plan_with_run_tables_reads_them_by_plan_position_not_the_plans_tables_by_step():
    """The plan's tables by plan position are made once per plan, each in one pass in plan
    order; a run goes through them by position, and an in-process run (one step at a time)
    that no failure interrupts reads of the plan's tables keyed by step only the position of
    each step a finished one releases (at 10,000 steps each read of those was at a random
    place in a large table, long out of cache: five a step)."""
    from specrun.runtime.plan_tables import RunTables

    plan = _Plan(_step("a"), _step("b"), _step("c", "a", "b"), _step("d", "c"), _step("e", "c"))
    tables = plan.run_tables = RunTables(plan, every_step_unchecked=True)
    assert [s.key for s in tables.steps] == list("abcde") and tables.roots == [0, 1]
    assert tables.downstream == [["c"], ["c"], ["d", "e"], [], []] and tables.waiting == [0, 0, 2, 1, 1]
    assert tables.unchecked == bytearray([1] * 5)
    first = _drive(plan, set())
    plan.positions, plan.downstream = _ReadsCounted(plan.positions), _ReadsCounted(plan.downstream)
    plan.steps = _ReadsCounted(plan.steps)
    assert _drive(plan, set(), 1) == first == [("run", k) for k in "abcde"]
    assert (plan.positions.reads, plan.downstream.reads, plan.steps.reads) == (4, 0, 0)  # c c d e
    assert _drive(plan, {"c"}, 1) == [("run", "a"), ("run", "b"), ("run", "c"),
                                      ("skip", "d", "Skipped d: upstream did not succeed (c failed)"),
                                      ("skip", "e", "Skipped e: upstream did not succeed (c failed)")]


def test_a_yielded_result_output_is_noted_by_plan_position_and_another_output_as_a_pair():
    """Most steps' one output is "result": a run notes it in a flag by plan position, not in
    a (step, output) pair it makes, keeps and frees; a step reading another output of the
    same step is still released only once that one was yielded."""
    reads_other = ExecutionStep("c", SimpleNamespace(name="c", extra_deps=()), None, frozenset({"a"}),
                                {"x": (UpstreamOutput("a", "other", "a"),)})
    plan = _Plan(_step("a"), _step("b", "a"), reads_other)
    state = RunState(plan, "run", "job")
    assert _runs(state.start()) == ["a"]
    out = state.step_ended("a", [_event(ET.STEP_OUTPUT, "a"), _event(ET.STEP_SUCCESS, "a")])
    assert _runs(out) == ["b"] and _skips(out) == ["c"] and state._outputs == set()
    assert out[0].event.message == "Skipped c: input 'x' was not produced (optional output not yielded)"
    state = RunState(plan, "run", "job")
    state.start()
    out = state.step_ended("a", [_event(ET.STEP_OUTPUT, "a", "other"), _event(ET.STEP_SUCCESS, "a")])
    assert _runs(out) == ["c"] and _skips(out) == ["b"] and state._outputs == {("a", "other")}
