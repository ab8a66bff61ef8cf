"""Results of a run: success, events, outputs and materializations."""

from __future__ import annotations

from typing import Any, Callable, Optional

from ..errors import DefinitionError, InvariantViolationError, suggest
from .definitions.keys import AssetKey
from .definitions.results import AssetMaterialization
from .events import ET, DagsterEventType, ErrorInfo, Event, StepFailureData


class ExecutionResult:
    """What a run produced (Dagster's `ExecuteInProcessResult` / `JobExecutionResult`)."""

    def __init__(self, job_def: Any, run: Any, events: list[Event], run_context: Any,
                 run_error: Optional[ErrorInfo] = None) -> None:
        self.job_def = job_def
        self.dagster_run = run
        self._events = events
        self._ctx = run_context
        self._run_error = run_error

    # `with execute_job(...) as result:` is how Dagster's examples read a result; specrun's
    # results hold no open resources, so entering and leaving the block changes nothing.
    def __enter__(self) -> "ExecutionResult":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    # -- the run ------------------------------------------------------------------------
    @property
    def run_id(self) -> str:
        return self.dagster_run.run_id

    @property
    def run(self) -> Any:
        return self.dagster_run

    @property
    def success(self) -> bool:
        # RUN_SUCCESS is the last event: look from the end.
        return any(e.event_type is ET.RUN_SUCCESS for e in reversed(self._events))

    @property
    def all_events(self) -> list[Event]:
        """Every event but plain log messages (those are in `all_records`)."""
        return [e for e in self._events if e.event_type is not ET.LOG_MESSAGE]

    @property
    def all_records(self) -> list[Event]:
        """Every event including log messages, in order."""
        return list(self._events)

    @property
    def log_messages(self) -> list[Event]:
        return [e for e in self._events if e.event_type is ET.LOG_MESSAGE]

    @property
    def step_event_list(self) -> list[Event]:
        return [e for e in self.all_events if e.step_key is not None]

    @property
    def all_node_events(self) -> list[Event]:
        """Every event of a step (Dagster's name for `step_event_list`)."""
        return self.step_event_list

    def events_for_node(self, node_name: str) -> list[Event]:
        keys = self._step_keys_for(node_name)
        return [e for e in self.all_events if e.step_key in keys]

    def filter_events(self, event_filter: Callable[[Event], bool]) -> list[Event]:
        """The run's events `event_filter` accepts, in order."""
        return [e for e in self.all_events if event_filter(e)]

    def retry_attempts_for_node(self, node_str: str) -> int:
        """How many times the node's step was restarted after a failure (0 when never)."""
        return sum(1 for e in self.events_for_node(node_str) if e.event_type is ET.STEP_RESTARTED)

    def get_step_success_events(self) -> list[Event]:
        return [e for e in self._events if e.event_type is ET.STEP_SUCCESS]

    def get_step_failure_events(self) -> list[Event]:
        return [e for e in self._events if e.event_type is ET.STEP_FAILURE]

    def get_failed_step_keys(self) -> set[str]:
        return {e.step_key for e in self.get_step_failure_events()}

    def get_skipped_step_keys(self) -> set[str]:
        return {e.step_key for e in self._events if e.event_type is ET.STEP_SKIPPED}

    def get_step_skipped_events(self) -> list[Event]:
        return [e for e in self._events if e.event_type is ET.STEP_SKIPPED]

    def _run_event(self, kind: DagsterEventType) -> Event:
        found = next((e for e in reversed(self._events) if e.event_type is kind), None)
        if found is None:
            raise InvariantViolationError(f"the run has no {kind.value} event")
        return found

    def get_run_success_event(self) -> Event:
        """The RUN_SUCCESS event (raises when the run did not succeed)."""
        return self._run_event(ET.RUN_SUCCESS)

    def get_run_failure_event(self) -> Event:
        """The RUN_FAILURE event (raises when the run did not fail)."""
        return self._run_event(ET.RUN_FAILURE)

    get_job_success_event = get_run_success_event
    get_job_failure_event = get_run_failure_event

    def _status_of(self, node_name: str, kind: DagsterEventType) -> bool:
        keys = self._step_keys_for(node_name)
        return any(e.event_type is kind and e.step_key in keys for e in self._events)

    def is_node_success(self, node_name: str) -> bool:
        return self._status_of(node_name, ET.STEP_SUCCESS)

    def is_node_failed(self, node_name: str) -> bool:
        return self._status_of(node_name, ET.STEP_FAILURE)

    def is_node_skipped(self, node_name: str) -> bool:
        return self._status_of(node_name, ET.STEP_SKIPPED)

    def is_node_untouched(self, node_name: str) -> bool:
        """True when no step of the node reported anything in this run."""
        return not self.events_for_node(node_name)

    def failure_data_for_node(self, node_str: str) -> Optional[StepFailureData]:
        """The failure of the node's step (its error and user `Failure` data), else None."""
        keys = self._step_keys_for(node_str)
        return next((e.data for e in self._events
                     if e.event_type is ET.STEP_FAILURE and e.step_key in keys), None)

    @property
    def failure_info(self) -> Optional[ErrorInfo]:
        """The error of the first failed step, or of the run itself; None on success."""
        for e in self._events:
            if e.event_type is ET.STEP_FAILURE and e.data is not None:
                return e.data.error
        return self._run_error

    # -- outputs ------------------------------------------------------------------------
    def _step_keys_for(self, node_name: str) -> set[str]:
        plan = self._ctx.plan
        keys = {k for k, s in plan.steps.items() if s.node_name == node_name}
        if plan.dynamic is not None:  # the copies of a mapped op this run added
            keys.update(k for k, s in plan.dynamic.added.items() if s.node_name == node_name)
        if not keys and node_name not in self.job_def.nodes:
            hint = suggest(node_name, self.job_def.nodes)
            raise DefinitionError(f"no node {node_name!r} in job {self.job_def.name!r}"
                                  + (f"; {hint}" if hint else ""))
        return keys

    def _graph_output(self, node_str: str, output_name: str) -> Optional[tuple[str, str]]:
        """The op output a graph node's output maps to (None for an op node)."""
        mapping = getattr(self.job_def, "graph_outputs", {}).get(node_str)
        if mapping is None or node_str in self.job_def.nodes:
            return None
        if output_name not in mapping:
            raise DefinitionError(f"graph {node_str!r} has no output {output_name!r} "
                                  f"(outputs: {sorted(mapping)})")
        return mapping[output_name]

    def output_for_node(self, node_str: str, output_name: str = "result") -> Any:
        """The value a node's output had in this run; for a graph node, the value of the op
        output its output maps to."""
        mapped = self._graph_output(node_str, output_name)
        if mapped is not None:
            return self.output_for_node(*mapped)
        keys = sorted(self._step_keys_for(node_str))
        if keys and self._step(keys[0]).mapping_key is not None:  # {mapping key: value}, in yield order
            copies = {**{k: s for k, s in self._ctx.plan.steps.items() if s.mapping_key is not None},
                      **self._ctx.plan.dynamic.added}
            return {s.mapping_key: self.output_for_step(k, output_name) for k, s in copies.items()
                    if s.node_name == node_str and self._has_output(k, output_name)}
        if len(keys) != 1:
            if not keys:
                raise InvariantViolationError(f"node {node_str!r} did not run in this run")
            return {self._ctx.plan.steps[k].partition_key: self.output_for_step(k, output_name)
                    for k in keys}
        return self.output_for_step(keys[0], output_name)

    def output_for_step(self, step_key: str, output_name: str = "result") -> Any:
        """The value of a step's output in this run (reloaded via its IO manager if needed)."""
        if (step_key, output_name) in self._ctx.captured:
            return self._ctx.captured[(step_key, output_name)]
        if not self._has_output(step_key, output_name):
            raise InvariantViolationError(
                f"step {step_key!r} has no output {output_name!r} in this run (did it succeed?)")
        return self._reload(step_key, output_name)

    def _has_output(self, step_key: str, output_name: str) -> bool:
        return any(e.event_type is ET.STEP_OUTPUT and e.step_key == step_key
                   and e.data.output_name == output_name for e in self._events)

    def _step(self, step_key: str) -> Any:
        dynamic = self._ctx.plan.dynamic
        if dynamic is not None and step_key in dynamic.added:
            return dynamic.added[step_key]
        return self._ctx.plan.get_step(step_key)

    def _reload(self, step_key: str, output_name: str) -> Any:
        step = self._step(step_key)
        if step.op_def.outs[output_name].is_dynamic:  # {mapping key: value}, in yield order
            return {e.data.mapping_key: self._reload_one(step, output_name, e.data.mapping_key)
                    for e in self._events if e.event_type is ET.STEP_OUTPUT
                    and e.step_key == step_key and e.data.output_name == output_name}
        return self._reload_one(step, output_name)

    def _reload_one(self, step: Any, output_name: str, mapping_key: Optional[str] = None) -> Any:
        from .context.io import InputContext
        from .outputs import output_context as _output_context

        step_key = step.key
        octx = _output_context(self._ctx, step, step.node, output_name, step_key, (), mapping_key)
        manager = self._ctx.resources_for_output(step.op_def.outs[output_name].io_manager_key)
        ictx = InputContext(output_name, upstream_output=octx, asset_key=octx.asset_key,
                            partition_keys=octx._partition_keys,
                            partitions_def=octx.asset_partitions_def, resources=self._ctx.resources)
        return manager.load_input(ictx)

    def output_value(self, output_name: str = "result") -> Any:
        """An output of the job's own graph (what its body returned), else the only final
        node's output."""
        returned = getattr(self.job_def, "graph_outputs", {}).get("", {})
        if output_name in returned:
            return self.output_for_node(*returned[output_name])
        sinks = [n for n in self.job_def.nodes if not any(
            n in other.upstream_nodes() for other in self.job_def.nodes.values())]
        if len(sinks) != 1:
            raise InvariantViolationError(f"the job has {len(sinks)} final nodes; use output_for_node")
        return self.output_for_node(sinks[0], output_name)

    @property
    def step_outputs_by_step_key(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for (step_key, name), value in self._ctx.captured.items():
            found.setdefault(step_key, {})[name] = value
        return found

    def asset_value(self, asset_key: Any) -> Any:
        key = AssetKey.from_coercible(asset_key)
        return self.output_for_node(key.to_python_identifier())

    # -- assets -------------------------------------------------------------------------
    def get_asset_materialization_events(self) -> list[Event]:
        return [e for e in self._events if e.event_type is ET.ASSET_MATERIALIZATION]

    @property
    def asset_materializations(self) -> list[AssetMaterialization]:
        return [e.data for e in self.get_asset_materialization_events()]

    def asset_materializations_for_node(self, node_name: str) -> list[AssetMaterialization]:
        keys = self._step_keys_for(node_name)
        return [e.data for e in self.get_asset_materialization_events() if e.step_key in keys]

    def get_asset_check_evaluations(self) -> list[Any]:
        return [e.data for e in self._events if e.event_type is ET.ASSET_CHECK_EVALUATION]

    def get_asset_observation_events(self) -> list[Event]:
        return [e for e in self._events if e.event_type is ET.ASSET_OBSERVATION]

    def asset_observations_for_node(self, node_name: str) -> list[Any]:
        keys = self._step_keys_for(node_name)
        return [e.data for e in self.get_asset_observation_events() if e.step_key in keys]

    def __repr__(self) -> str:
        state = "success" if self.success else "failure"
        return f"<ExecutionResult {self.job_def.name!r} run_id={self.run_id!r} {state}>"


ExecuteInProcessResult = ExecutionResult
JobExecutionResult = ExecutionResult
