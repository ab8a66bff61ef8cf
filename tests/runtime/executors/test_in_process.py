"""The in-process executor keeps every executor promise (steps run one at a time, here)."""

from __future__ import annotations

from specrun import in_process_executor
from tests.runtime.executors.contract import ExecutorContract, diamond_job


class TestInProcessExecutor(ExecutorContract):
    executor_def = in_process_executor
    runs_steps_in_other_processes = False

    def test_ready_steps_run_one_at_a_time_in_plan_order(self, tmp_path):
        result = self.execute(diamond_job(self.executor_def), tmp_path)
        starts = [e.step_key for e in result.all_events if e.event_type.value == "STEP_START"]
        assert starts == ["top", "left", "right", "bottom"]
