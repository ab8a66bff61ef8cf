"""Executing steps: load inputs, call the compute function, store outputs, emit events.

`RunContext` is what every executor is given (`plan_context`): the run's job, plan,
resolved config, instance and, built lazily in whichever process runs steps, resources.
`RunContext.execute_step` runs one step, retries included, and yields its events; each
attempt is `step_attempt.run_attempt`.
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import Any, Iterable, Iterator, Mapping, Optional

from ..errors import RetryRequested
from .definitions.keys import AssetKey
from .definitions.policy import RetryMode
from .events import ET
from .events import Event, StepRetryData, new_event
from .definitions.hooks import FAILURE, SUCCESS
from .step_hooks import run_hooks
from .log import LogManager, StepLogSlot
from .outputs import OutputFacts
from .dynamic_steps import reexecution_of
from .resources import init_resources
from .keyed_io import keyed
from .materializations import AssetVersionFacts, asset_version_facts, facts_without_config
from .step_attempt import failure_event, run_attempt
from .step_recipe import StepRecipe, job_program
from .plan_unpartitioned import NodeStep
from . import versioning as v

_UNKNOWN = object()
_SPECRUN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class RunContext:
    """Shared state of one run in one process; handed to executors as `plan_context`."""

    def __init__(self, *, job: Any, plan: Any, run: Any, run_config: Any, instance: Any,
                 resource_defs: Mapping[str, Any], loggers: tuple = (),
                 capture_outputs: bool = True, retries: RetryMode = RetryMode.ENABLED) -> None:
        self.job = job
        self.plan = plan
        self.run = run
        self.run_id = run.run_id
        self.job_name = job.name
        self.resolved = run_config
        self.instance = instance
        self.resource_defs = resource_defs
        self.log = LogManager(self.run_id, job.name, loggers=loggers)
        self.capture_outputs = capture_outputs
        self.captured: dict[tuple[str, str], Any] = {}
        # The (step, output) pairs produced in this process: the captured values' own keys (a
        # set of its own was a second table of every step, kept as long as the result).
        self.produced: Optional[Mapping[tuple[str, str], Any]] = (
            self.captured if capture_outputs else None)
        self.data_versions: dict[tuple[AssetKey, Optional[str]], str] = {}
        self.retries = retries
        # The in-process executor enforces step time limits with an alarm in this thread;
        # a multiprocess parent enforces them itself, by replacing the worker.
        self.step_alarms = False
        self.deadline: Optional[float] = None  # time.monotonic() the run must end by
        # The executor's word on whether every step ended, for one that gives it (in process:
        # False when it starts, then its scheduler's `is_complete`); None from the others.
        self.steps_all_ended: Optional[bool] = None
        # The slot of the step logs when its steps run one at a time as the run reads their
        # events, set as `current_step_log` while it does (`executors.base.event_stream`).
        self.log_slot: Optional[StepLogSlot] = None
        # The run's recorder of one event, when it records a step's events together and
        # nothing reads them one at a time as they come (no listener, lease or time limit:
        # `api._drive`), else None. The in-process executor then hands a step its unreported
        # STEP_START (`run_started_step`).
        self.record_now: Optional[Any] = None
        self.time_limit: Optional[float] = None  # the run's limit in seconds
        self._stack = contextlib.ExitStack()
        self._resources: Any = None
        self._resource_values: dict[str, Any] = {}  # filled when resources are built
        self._configs: dict[str, Any] = {}
        # The job's step programs (its recipes and output facts), shared by all its runs.
        program = self.program = job_program(job)
        self._recipes = program.recipes
        self._output_facts = program.facts
        self._versions: dict[tuple[str, str], AssetVersionFacts] = {}
        self._keyed: dict[frozenset, Any] = {}  # see `keyed_managers`
        # The job's own set: a run made two copies of it (through `asset_keys`), each touching
        # every asset key of the job, long out of cache in a large job, for the same value.
        self.selected_asset_keys = job.asset_key_set
        # step -> the earlier run whose stored outputs it reads (a re-execution from failure)
        self.outputs_from: Mapping[str, str] = reexecution_of(run).get("outputs_from") or {}

    # -- shared, built once per process -------------------------------------------------
    @property
    def job_def(self) -> Any:
        return self.job

    @property
    def run_config(self) -> Mapping[str, Any]:
        return self.resolved.raw

    @property
    def resources(self) -> Any:
        if self._resources is None:
            self._resources = init_resources(
                self._stack, self.resource_defs, self.resolved.resources,
                keys=None, instance=self.instance, log=self.log, run_id=self.run_id)
            self._resource_values = self._resources._asdict()
        return self._resources

    def close(self) -> None:
        """Run resource clean-up (generator resources' code after `yield`)."""
        self._stack.close()

    def node_config(self, node: Any) -> tuple[Any, Any]:
        """(config passed as `context.op_config`, Config instance or None), cached per node."""
        if node.name not in self._configs:
            raw = self.resolved.op_configs.get(node.name)
            cls = node.op_def.signature.config_class
            instance = cls.model_validate(raw or {}) if cls is not None else None
            self._configs[node.name] = (raw, instance)
        return self._configs[node.name]

    def recipe(self, node: Any) -> "StepRecipe":
        """What every step of `node` needs (the job's, worked out on first use)."""
        recipe = self._recipes.get(node.name)
        return recipe if recipe is not None else self.program.recipe(node)

    def output_facts(self, node: Any, name: str) -> OutputFacts:
        """The facts about output `name` of `node` (the job's, worked out on first use)."""
        facts = self._output_facts.get((node.name, name))
        return facts if facts is not None else self.program.output_facts(node, name)

    def asset_versions(self, node: Any, facts: OutputFacts) -> AssetVersionFacts:
        """The version facts of the asset output `facts` describes: the job's when this run
        gives the node no config (they are then the same in every run), else this run's."""
        if self.resolved.op_configs.get(node.name) is None:  # (`node_config(node)[0]`, not kept)
            found = facts.versions  # (the job's `facts`: `output_facts`)
            if found is None:  # (the config is read: without it, not read again)
                found = facts.versions = facts_without_config(node, facts.asset_key, facts)
            return found
        key = (node.name, facts.name)
        found = self._versions.get(key)
        if found is None:
            found = self._versions[key] = asset_version_facts(self, node, facts.asset_key)
        return found

    def keyed_managers(self, keys: Iterable[str]) -> Optional[dict[str, Any]]:
        """The IO managers named `keys`, when each stores and loads by key (`..keyed_io`) and
        this run reads no earlier run's outputs; else None."""
        known = self._keyed.get(keys, _UNKNOWN)  # (`keys` is a plain step's frozenset)
        if known is not _UNKNOWN:
            return known
        built, found = self._resource_values, {}
        for key in keys:
            if key not in built:  # resources not set up yet (the general path does it), or no such one
                return None
            manager = found[key] = built[key]
            if not keyed(manager):
                found = None
                break
        known = self._keyed[keys] = None if self.outputs_from else found
        return known

    def resources_for_output(self, key: str) -> Any:
        """The IO manager (or any) resource named `key`."""
        try:
            return self._resource_values[key]
        except KeyError:  # not built yet, or no such key: Resources words the error
            return getattr(self.resources, key)

    def data_version_of(self, key: AssetKey, partition: Optional[str]) -> str:
        """The data version of an asset partition: made in this run, or the stored latest."""
        found = self.data_versions.get((key, partition))
        if found is None:
            record = self.instance.latest_versions([key]).get((key, partition))
            if record is None:  # an observable source asset: the version last observed
                record = self.instance.latest_observed_versions([key]).get((key, partition))
            tags = record.tags if record is not None else {}
            found = tags.get(v.DATA_VERSION_TAG, "unknown" if record is not None else "none")
            self.data_versions[(key, partition)] = found
        return found

    # -- steps --------------------------------------------------------------------------
    def step_started(self, step: Any) -> Event:
        """The STEP_START event: reported before the step runs (`run_started_step`)."""
        return new_event(ET.STEP_START, self.run_id, self.job_name, step.key,
                         f'Started execution of step "{step.key}".')

    def execute_step(self, step: Any) -> Iterator[Event]:
        """Run `step` (with retries) and yield its events in order."""
        yield self.step_started(step)
        ran = self.run_started_step(step)
        yield from ran[0] if ran.__class__ is tuple else ran

    def run_started_step(self, step: Any, start: Optional[Event] = None) -> Any:
        """Run `step`, whose STEP_START is reported, and return its other events in order.

        (a list, what it says: a `step_events.Summary` when the step knows it, else None) when
        one attempt ends the step and it has no hooks (the common case: no generator is
        walked); otherwise an iterator that yields each retry's events before waiting for the
        next attempt, and the hooks' events as they run.

        With `start`, the step's STEP_START not reported yet (see `record_now`): a plain step
        loaded and stored by key (`step_attempt.plain_managers`: nothing it runs could read the
        run's record before its events are in) runs first, and its events begin with `start`;
        any other step's start is recorded before it runs, as is a plain step's when something
        escapes its run (a cancel): recorded before what ended the run, as it would have been."""
        pending = start  # (a STEP_START not reported yet, if any)
        try:
            # (`self.recipe(step.node)`, without the call; a `NodeStep`'s key is its node's
            # name. A plain step's run reads neither its node nor its signature: at 10,000
            # steps each is out of cache by then, a miss or two.)
            recipe = self._recipes.get(step.key) if step.__class__ is NodeStep else None
            if recipe is None:
                recipe = self.program.recipe(step.node)
            # (`step_attempt.plain_managers(self, step, recipe)`, without the call: every step
            # asks; test_execute.py compares the two)
            keys = recipe.manager_keys  # (None: not a plain step)
            if keys is None or step.partition_key is not None:
                managers = None
            else:
                managers = self._keyed.get(keys, _UNKNOWN)  # (`keyed_managers`, once known)
                if managers is _UNKNOWN:
                    managers = self.keyed_managers(keys)
            if pending is not None and managers is None:
                self.record_now(pending)  # type: ignore[misc]
                pending = None
            events: list[Event] = [] if pending is None else [pending]
            if keys is None:  # (a plain step has no hooks, nor config to check)
                # A config that fails validation fails the run.
                if recipe.signature.config_class is not None:
                    self.node_config(step.node)
                if recipe.hooks:
                    return self._attempts(step, recipe)
            error, summary = run_attempt(self, step, recipe, 0, events, None, managers)
        except BaseException:
            if pending is not None:
                self.record_now(pending)  # type: ignore[misc]
            raise
        if error is None:
            return events, summary
        return self._attempts(step, recipe, events, error)

    def _attempts(self, step: Any, recipe: StepRecipe, events: Optional[list] = None,
                  error: Optional[tuple] = None) -> Iterator[Event]:
        """The attempts of `step` (after a first one that ended in `error`, when `events` is
        given), with their retries and hooks."""
        policy = recipe.retry_policy
        attempt = 0
        outputs: Optional[dict[str, Any]] = None
        while True:
            if events is None:
                events = []
                outputs = {} if recipe.hooks else None
                error = run_attempt(self, step, recipe, attempt, events, outputs)[0]
            if error is None:
                yield from events
                if recipe.hooks:
                    yield from run_hooks(self, step, recipe, SUCCESS, None, outputs)
                return
            retry_delay = self._retry_delay(policy, error, attempt)
            if retry_delay is None:
                events.append(failure_event(self, step, error))
                yield from events
                if recipe.hooks:
                    yield from run_hooks(self, step, recipe, FAILURE, error[0], outputs)
                return
            events.append(Event(ET.STEP_UP_FOR_RETRY, self.run_id, self.job_name, step.key,
                                f"{step.key} failed and will be retried (attempt {attempt + 1}) "
                                f"in {retry_delay:.3g}s: {error[1].message}",
                                StepRetryData(attempt + 1, retry_delay, error[1])))
            yield from events
            if retry_delay:
                time.sleep(retry_delay)
            attempt += 1
            events = None
            yield Event(ET.STEP_RESTARTED, self.run_id, self.job_name, step.key,
                        f"Started re-execution (attempt # {attempt + 1}) of {step.key}")

    def _retry_delay(self, policy: Any, error: Any, attempt: int) -> Optional[float]:
        if error is None or self.retries is RetryMode.DISABLED:
            return None
        exc = error[0]
        if isinstance(exc, RetryRequested):
            return exc.seconds_to_wait if attempt < exc.max_retries else None
        if getattr(exc, "allow_retries", True) is False or error[2] != "user":
            return None
        if policy is None or attempt >= policy.max_retries:
            return None
        return policy.delay_for(attempt + 1)
