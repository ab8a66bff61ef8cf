"""A custom executor: runs ready steps one at a time, the last-ready first.

It shows the whole contract: drive `execution_plan.start(...)`, ask for ready steps, run
each with `plan_context.execute_step(step)`, feed events back, and yield them.
"""

from specrun import Executor, Field, executor


class ReverseOrderExecutor(Executor):
    def __init__(self, announce: bool) -> None:
        self.announce = announce

    def execute(self, plan_context, execution_plan):
        active = execution_plan.start(plan_context.run_id, plan_context.job_name)
        while not active.is_complete:
            ready = active.get_steps_to_execute()
            for step in reversed(ready):
                if self.announce:
                    plan_context.log.info(f"reverse_order_executor: running {step.key}")
                for event in plan_context.execute_step(step):
                    active.handle_event(event)
                    yield event
            yield from active.pop_skip_events()


@executor(name="reverse_order", config_schema={"announce": Field(bool, default_value=False)})
def reverse_order_executor(init_context):
    return ReverseOrderExecutor(init_context.executor_config["announce"])
