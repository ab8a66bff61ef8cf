"""Every promise an executor makes, as one test class each executor's tests inherit.

A subclass says which executor it tests (`executor_def`), the run config that points it at
its workers (`run_config`), and whether steps run in other processes (then a dying worker
must fail only its step). Jobs are built by module-level functions, so that worker
processes can import what a job's steps need.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from specrun import (
    AssetKey, AssetOut, DagsterEventType, DailyPartitionsDefinition, DynamicOut, DynamicOutput, In, Out,
    Output, RetryPolicy, asset,
    fs_io_manager, job, materialize, multi_asset, op,
)
from specrun.runtime.api import execute_run
from specrun.runtime.definitions.policy import Backoff
from specrun.runtime.plan import ExecutionStep, build_plan
from specrun.runtime.scheduler import NewSteps
from tests.runtime.jobs_for_spawn import crashing_job, steps_by_event

ET = DagsterEventType


def diamond_job(executor_def: Any) -> Any:
    """top -> (left, right) -> bottom, bottom = left + right = 2 * top."""

    @op
    def top() -> int:
        return 10

    @op
    def left(value: int) -> int:
        return value

    @op
    def right(value: int) -> int:
        return value

    @op
    def bottom(a: int, b: int) -> int:
        return a + b

    @job(executor_def=executor_def, resource_defs={"io_manager": fs_io_manager})
    def diamond():
        value = top()
        bottom(left(value), right(value))

    return diamond


def failing_job(executor_def: Any) -> Any:
    """source -> broken (raises) -> after -> after_after; source -> independent."""

    @op
    def source() -> int:
        return 1

    @op
    def broken(value: int) -> int:
        raise ValueError("bad input")

    @op
    def after(value: int) -> int:
        return value

    @op
    def after_after(value: int) -> int:
        return value

    @op
    def independent(value: int) -> int:
        return value + 1

    @job(executor_def=executor_def, resource_defs={"io_manager": fs_io_manager})
    def failing():
        value = source()
        after_after(after(broken(value)))
        independent(value)

    return failing


def flaky_job(executor_def: Any, marker_dir: str) -> Any:
    """`flaky` fails its first two attempts, then returns how many attempts it took."""

    @op(retry_policy=RetryPolicy(max_retries=3, delay=1 / 32, backoff=Backoff.EXPONENTIAL))
    def flaky() -> int:
        path = os.path.join(marker_dir, "attempts")
        with open(path, "a") as f:
            f.write("x")
        attempts = len(open(path).read())
        if attempts < 3:
            raise RuntimeError(f"attempt {attempts} fails")
        return attempts

    @job(executor_def=executor_def, resource_defs={"io_manager": fs_io_manager})
    def retried():
        flaky()

    return retried


def fan_job(executor_def: Any) -> Any:
    """emit -> work -> collect: the plan adds copies of `work` while the run goes on."""

    @op
    def emit() -> int:
        return 3

    @op
    def work(value: int) -> int:
        return value * 2

    @op(ins={"value": In(int)}, out=Out(int))
    def collect(value: int) -> int:
        return value

    @job(executor_def=executor_def, resource_defs={"io_manager": fs_io_manager})
    def fan():
        collect(work(emit()))

    return fan


def dynamic_job(executor_def: Any, marker_dir: str) -> Any:
    """split yields c, a, b (1, 2, 3); each is doubled, then (chained map) added to `offset`'s
    100; `total` collects those; `broken` fails for key a on every attempt and for key b on
    its first only (retried), so `gather` of it is skipped."""

    @op(out=DynamicOut())
    def split():
        for key, value in (("c", 1), ("a", 2), ("b", 3)):
            yield DynamicOutput(value, mapping_key=key)

    @op
    def offset() -> int:
        return 100

    @op
    def double(context, value: int) -> dict:
        return {"key": context.get_mapping_key(), "value": value * 2}

    @op
    def shift(doubled: dict, by: int) -> int:
        return doubled["value"] + by

    @op
    def total(values: list) -> list:
        return values

    @op(retry_policy=RetryPolicy(max_retries=1, delay=0.01))
    def broken(context, value: int) -> int:
        key = context.get_mapping_key()
        marker = os.path.join(marker_dir, f"tried-{key}")
        first = not os.path.exists(marker)
        open(marker, "w").close()
        if key == "a" or (key == "b" and first):
            raise RuntimeError(f"no good: {key}")
        return value

    @op
    def gather(values: list) -> int:
        return sum(values)

    @job(executor_def=executor_def, resource_defs={"io_manager": fs_io_manager})
    def fanned():
        values = split()
        total(values.map(double).map(lambda d: shift(d, offset())).collect())
        gather(values.map(broken).collect())

    return fanned


def async_job(executor_def: Any) -> Any:
    """An `async def` op feeding another, and an async generator yielding two outputs."""
    import asyncio

    @op
    async def fetch() -> int:
        await asyncio.sleep(0)
        return 5

    @op
    async def double(value: int) -> int:
        return value * 2

    @op(out={"low": Out(), "high": Out()})
    async def split():
        from specrun import Output

        yield Output(1, "low")
        await asyncio.sleep(0)
        yield Output(9, "high")

    @job(executor_def=executor_def, resource_defs={"io_manager": fs_io_manager})
    def asynchronous():
        double(fetch())
        split()

    return asynchronous


def _with_work_copies(plan: Any, copies: int) -> Any:
    """`plan`, set to add `work[1..copies]` (each reading emit) once emit has output, and
    to make `collect` wait for them too."""
    work = plan.steps["work"]

    def expand(event: Any) -> Any:
        if event.step_key != "emit":
            return None
        new = [ExecutionStep(f"work[{i}]", work.node, None, work.upstream_keys, work.inputs)
               for i in range(1, copies + 1)]
        return NewSteps(new, {"collect": [s.key for s in new]})

    plan.expand_dynamic = expand
    return plan


def _order(result: Any) -> list[tuple[Any, Any]]:
    return [(e.event_type, e.step_key) for e in result.all_events]


class ExecutorContract:
    """Promises every executor keeps; subclasses set `executor_def` and `run_config`."""

    executor_def: Any = None
    runs_steps_in_other_processes = True

    def run_config(self, tmp_path: Any) -> dict:
        return {"resources": {"io_manager": {"config": {"base_dir": str(tmp_path / "storage")}}}}

    def crash_run_config(self, tmp_path: Any) -> dict:
        """The run config of the dying-worker test (an executor may need fewer steps in flight)."""
        return self.run_config(tmp_path)

    def execute(self, job_def: Any, tmp_path: Any, **kwargs: Any) -> Any:
        return execute_run(job_def, run_config=self.run_config(tmp_path), raise_on_error=False,
                           **kwargs)

    def test_a_step_starts_only_after_its_upstream_steps_succeed(self, tmp_path):
        result = self.execute(diamond_job(self.executor_def), tmp_path)
        assert result.success
        assert result.output_for_node("bottom") == 20
        order = _order(result)
        start_bottom = order.index((ET.STEP_START, "bottom"))
        for up in ("left", "right"):
            assert order.index((ET.STEP_SUCCESS, up)) < start_bottom
            assert order.index((ET.STEP_SUCCESS, "top")) < order.index((ET.STEP_START, up))

    def test_each_steps_events_are_in_order_and_the_run_is_framed(self, tmp_path):
        result = self.execute(diamond_job(self.executor_def), tmp_path)
        kinds = [e.event_type for e in result.all_events]
        assert kinds[0] is ET.RUN_START and kinds[-1] is ET.RUN_SUCCESS
        for key in ("top", "left", "right", "bottom"):
            mine = [e.event_type for e in result.all_events if e.step_key == key]
            assert mine[0] is ET.STEP_START and mine[-1] is ET.STEP_SUCCESS
            assert mine.index(ET.STEP_OUTPUT) < mine.index(ET.HANDLED_OUTPUT)
            assert mine.count(ET.STEP_START) == 1 and mine.count(ET.STEP_SUCCESS) == 1

    def test_async_ops_and_async_generators_run(self, tmp_path):
        result = self.execute(async_job(self.executor_def), tmp_path)
        assert result.success
        assert result.output_for_node("double") == 10
        assert (result.output_for_node("split", "low"), result.output_for_node("split", "high")) == (1, 9)

    def test_a_failure_skips_what_is_downstream_of_it_and_nothing_else(self, tmp_path):
        result = self.execute(failing_job(self.executor_def), tmp_path)
        assert not result.success
        steps = steps_by_event(result)
        assert steps[ET.STEP_FAILURE] == ["broken"]
        assert steps[ET.STEP_SKIPPED] == ["after", "after_after"]
        assert sorted(steps[ET.STEP_SUCCESS]) == ["independent", "source"]
        skipped = [e for e in result.all_events if e.event_type is ET.STEP_SKIPPED]
        assert skipped[1].data.reason == "upstream did not succeed (after skipped)"
        assert result.output_for_node("independent") == 2

    def test_a_failed_step_is_retried_after_delays_that_back_off(self, tmp_path):
        result = self.execute(flaky_job(self.executor_def, str(tmp_path)), tmp_path)
        assert result.success
        assert result.output_for_node("flaky") == 3
        retries = [e.data for e in result.all_events if e.event_type is ET.STEP_UP_FOR_RETRY]
        # EXPONENTIAL, as Dagster: (2**n - 1) * delay, i.e. 1 then 3 delays (1/32 s: exact in binary)
        assert [(r.attempt, r.seconds_to_wait) for r in retries] == [(1, 1 / 32), (2, 3 / 32)]
        assert "attempt 1 fails" in retries[0].error.message
        kinds = [e.event_type for e in result.all_events if e.step_key == "flaky"]
        assert kinds.count(ET.STEP_RESTARTED) == 2 and kinds[-1] is ET.STEP_SUCCESS

    def test_a_dying_worker_fails_only_its_step(self, tmp_path):
        if not self.runs_steps_in_other_processes:
            pytest.skip("steps run in this process: a dying step ends the run's own process")
        crashing = crashing_job("exit", str(tmp_path), self.executor_def, {"io_manager": fs_io_manager})
        result = execute_run(crashing, run_config=self.crash_run_config(tmp_path), raise_on_error=False)
        assert not result.success
        steps = steps_by_event(result)
        assert steps[ET.STEP_FAILURE] == ["dies"]
        assert steps[ET.STEP_SKIPPED] == ["after_dies"]
        assert sorted(steps[ET.STEP_SUCCESS]) == ["doubled", "source"]
        assert result.output_for_node("doubled")[0] == 40

    def test_each_partition_of_a_run_is_a_step(self, tmp_path):
        daily = DailyPartitionsDefinition(start_date="2024-01-01")

        @asset(partitions_def=daily)
        def day(context) -> str:
            return context.partition_key

        @asset(partitions_def=daily)
        def day_upper(context, day: str) -> str:
            assert day == context.partition_key
            return day.replace("-", "/")

        keys = ["2024-01-01", "2024-01-02"]
        result = materialize([day, day_upper], partition_keys=keys, executor_def=self.executor_def,
                             run_config=self.run_config(tmp_path), raise_on_error=False)
        assert result.success
        steps = steps_by_event(result)
        assert sorted(steps[ET.STEP_SUCCESS]) == [
            "day[2024-01-01]", "day[2024-01-02]", "day_upper[2024-01-01]", "day_upper[2024-01-02]"]
        mats = sorted((e.data.asset_key, e.data.partition) for e in result.all_events
                      if e.event_type is ET.ASSET_MATERIALIZATION)
        assert mats == sorted((AssetKey(a), k) for a in ("day", "day_upper") for k in keys)

    def test_an_asset_depending_on_an_output_its_step_left_out_is_skipped(self, tmp_path):
        @multi_asset(outs={"kept": AssetOut(), "left_out": AssetOut(is_required=False)})
        def producer():
            yield Output(1, output_name="kept")

        marker = str(tmp_path / "after_left_out ran")

        @asset(deps=["left_out"])
        def after_left_out() -> int:
            open(marker, "w").close()
            return 1

        @asset(deps=[after_left_out])
        def after_after() -> int:
            return 1

        result = materialize([producer, after_left_out, after_after], executor_def=self.executor_def,
                             run_config=self.run_config(tmp_path), raise_on_error=False)
        assert result.success
        steps = steps_by_event(result)
        assert (steps[ET.STEP_SUCCESS], sorted(steps[ET.STEP_SKIPPED])) == (
            ["producer"], ["after_after", "after_left_out"])
        assert not os.path.exists(marker)  # (not run, then reported skipped: Dask's chains)

    def test_each_value_of_a_dynamic_output_is_its_own_step_and_collect_waits_for_all(self, tmp_path):
        result = self.execute(dynamic_job(self.executor_def, str(tmp_path)), tmp_path)
        steps = steps_by_event(result)
        mapped = [f"{op}[{k}]" for op in ("double", "shift") for k in "cab"]
        assert set(mapped) <= set(steps[ET.STEP_SUCCESS])
        assert result.output_for_node("total") == [102, 104, 106]  # in the order split yielded
        assert result.output_for_node("double") == {
            "c": {"key": "c", "value": 2}, "a": {"key": "a", "value": 4}, "b": {"key": "b", "value": 6}}
        order = _order(result)
        for key in mapped:
            assert order.index((ET.STEP_SUCCESS, "split")) < order.index((ET.STEP_START, key))
            assert order.index((ET.STEP_SUCCESS, key)) < order.index((ET.STEP_START, "total"))

    def test_a_failing_mapped_step_skips_the_collect_and_not_its_siblings(self, tmp_path):
        result = self.execute(dynamic_job(self.executor_def, str(tmp_path)), tmp_path)
        steps = steps_by_event(result)
        assert not result.success
        assert steps[ET.STEP_FAILURE] == ["broken[a]"]
        assert {"broken[b]", "broken[c]", "total"} <= set(steps[ET.STEP_SUCCESS])
        assert steps[ET.STEP_SKIPPED] == ["gather"]
        retried = [e.step_key for e in result.all_events if e.event_type is ET.STEP_UP_FOR_RETRY]
        assert sorted(retried) == ["broken[a]", "broken[b]"]  # each copy has its own retries

    def test_steps_added_while_the_run_goes_on_run_before_the_step_waiting_on_them(self, tmp_path):
        job_def = fan_job(self.executor_def)
        plan = _with_work_copies(build_plan(job_def), copies=3)
        result = self.execute(job_def, tmp_path, plan=plan)
        assert result.success
        order = _order(result)
        added = [f"work[{i}]" for i in range(1, 4)]
        assert sorted(steps_by_event(result)[ET.STEP_SUCCESS]) == ["collect", "emit", "work", *added]
        for key in ["work", *added]:
            assert order.index((ET.STEP_SUCCESS, key)) < order.index((ET.STEP_START, "collect"))
        assert result.output_for_node("collect") == 6
