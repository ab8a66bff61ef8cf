"""A step's hooks (`@success_hook`, `@failure_hook`, a job's `hooks=`): run after its attempts."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from .definitions.hooks import HookContext
from .events import ET, ErrorInfo, Event


def run_hooks(run: Any, step: Any, recipe: Any, outcome: str,
              exc: Optional[BaseException], outputs: Optional[dict[str, Any]]) -> Iterator[Event]:
    """Run the step's hooks for `outcome`; each ends in a HOOK_* event, and none changes the
    step's own outcome."""
    node = step.node
    for hook in recipe.hooks:
        if hook.kind != outcome:
            yield Event(ET.HOOK_SKIPPED, run.run_id, run.job_name, step.key,
                        f'Skipped hook "{hook.name}": it runs on {hook.kind}, and step "{step.key}" '
                        f"ended in {outcome}.")
            continue
        log_events: list[Event] = []
        context = HookContext(
            hook_def=hook, step_key=step.key, op=node, job_name=run.job_name, run_id=run.run_id,
            resources=run.resources, log=run.log.with_step(step.key, log_events.append),
            op_config=run.node_config(node)[0], op_exception=exc, op_output_values=outputs,
            instance=run.instance)
        try:
            hook.hook_fn(context)
        except Exception as e:  # a hook's failure is reported, never the step's
            info = ErrorInfo.from_exception(e)
            yield from log_events
            yield Event(ET.HOOK_ERRORED, run.run_id, run.job_name, step.key,
                        f'Hook "{hook.name}" failed after step "{step.key}": {info.message}',
                        info, level=40)
            continue
        yield from log_events
        yield Event(ET.HOOK_COMPLETED, run.run_id, run.job_name, step.key,
                    f'Finished hook "{hook.name}" triggered by step "{step.key}".')
