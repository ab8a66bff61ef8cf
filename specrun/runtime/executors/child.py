"""What runs in a worker process (multiprocess pool or Dask worker): rebuild the run's
context once, then execute the steps it is sent, returning their events."""

from __future__ import annotations

import os
from dataclasses import field
from typing import Any, Mapping, Optional, Sequence

from ...errors import ExecutionError
from ..definitions.keys import AssetKey
from ..definitions.nodes import FromAsset
from ..plan import asset_input_partition_keys, input_partition_keys
from ..definitions.policy import RetryMode
from ..definitions.values import value_class


# Modules a LocalCluster's fork server imports once, so that workers forked from it start
# with the runtime already loaded instead of importing it in every worker: all that
# unpickling a run's payload and rebuilding its context imports.
FORKSERVER_PRELOAD = ["distributed", "specrun.runtime.executors.dask", "specrun.runtime.executors.dask_worker",
                      "specrun.runtime.execute", "specrun.runtime.definitions.jobs", "specrun.runtime.run_config",
                      "specrun.runtime.storage.base", "specrun.runtime.reconstruct"]


class ChildInstance:
    """The instance as seen from a worker: where outputs live; no run storage.

    Workers never write runs or events (the parent records what they send back), and data
    versions they need are sent with each step.
    """

    def __init__(self, root_directory: str) -> None:
        self.root_directory = root_directory

    @property
    def storage_directory(self) -> str:
        return os.path.join(self.root_directory, "storage")

    @property
    def is_ephemeral(self) -> bool:
        return False

    def latest_materializations(self, asset_keys: Any = None) -> dict:
        return {}

    def latest_versions(self, asset_keys: Any = None) -> dict:
        return {}

    def latest_observed_versions(self, asset_keys: Any = None) -> dict:
        return {}


@value_class
class RunPayload:
    """Everything a worker needs to rebuild the run: a job (or an origin to load it from)."""

    run: Any
    raw_run_config: Mapping[str, Any]
    partition_keys: Sequence[str]
    step_keys: Optional[Sequence[str]]
    root_directory: str
    job: Any = None
    origin: Any = None
    resource_overrides: Mapping[str, Any] = field(default_factory=dict)
    retries: Any = None
    dynamic_partitions: Mapping[str, Any] = field(default_factory=dict)  # name -> keys, at run start

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        if state["origin"] is not None:
            state["job"] = None  # rebuilt from the origin on the other side
            state["resource_overrides"] = {}
        return state

    def build_context(self) -> Any:
        """A RunContext for this run, in this process."""
        from ..execute import RunContext
        from ..job_cache import per_job
        from ..io_managers import fs_io_manager
        from ..plan import build_plan
        from ..run_config import resolve_run_config

        from ..partition_store import use_snapshot

        use_snapshot(dict(self.dynamic_partitions))
        job = self.job if self.job is not None else self.origin.load()
        resource_defs = {"io_manager": fs_io_manager, **job.resource_defs, **self.resource_overrides}
        # The parent already validated `execution:` against the executor it chose.
        config = {k: v for k, v in self.raw_run_config.items() if k != "execution"}
        resolved = resolve_run_config(job, config, resource_defs, job.executor_def)
        from ..dynamic_steps import reexecution_of

        mapping_keys = reexecution_of(self.run).get("mapping_keys")
        step_keys = None if self.step_keys is None else tuple(self.step_keys)
        if self.partition_keys or mapping_keys:
            plan = build_plan(job, list(self.partition_keys), step_keys, mapping_keys)
        else:  # as the parent does: a worker serving several runs of a job plans it once
            plan = per_job(job, ("plan", step_keys), lambda: build_plan(job, [], step_keys))
            plan = plan.shared_copy() if plan.dynamic is None else build_plan(job, [], step_keys)
        ctx = RunContext(job=job, plan=plan, run=self.run, run_config=resolved,
                         instance=ChildInstance(self.root_directory), resource_defs=resource_defs,
                         capture_outputs=False, retries=self.retries or RetryMode.ENABLED)
        return ctx


def setup_failure(run: Any, step_key: str, exc: BaseException) -> Any:
    """The STEP_FAILURE event for a step whose worker could not even set the run up."""
    from ..events import DagsterEventType, ErrorInfo, Event, StepFailureData

    info = ErrorInfo.from_exception(exc)
    return Event(DagsterEventType.STEP_FAILURE, run.run_id, run.job_name, step_key,
                 f'Execution of step "{step_key}" failed: the worker could not set up the run: {info.message}',
                 StepFailureData(info, None, "framework"), level=40)


def upstream_data_versions(ctx: Any, step: Any) -> dict[tuple[AssetKey, Optional[str]], str]:
    """Data versions of the upstream asset partitions a step reads, from the parent's view."""
    asset = step.node.asset
    found = {}
    if asset is None:  # an op inside a graph-backed asset may read an upstream asset itself
        for name, src in step.node.inputs.items():
            if isinstance(src, FromAsset):
                for pk in input_partition_keys(step, name) or (None,):
                    found[(src.asset_key, pk)] = ctx.data_version_of(src.asset_key, pk)
        return found
    for name, key in asset.input_keys.items():
        for pk in asset_input_partition_keys(step, name) or (None,):
            found[(key, pk)] = ctx.data_version_of(key, pk)
    for key in asset.deps:
        found[(key, None)] = ctx.data_version_of(key, None)
    return found


def safe_event(event: Any) -> Any:
    """The event itself if it pickles; otherwise a copy whose metadata (or payload) is text."""
    import copy
    import pickle

    try:
        pickle.dumps(event)
        return event
    except Exception:  # a user value in metadata that cannot cross processes
        from ..definitions.metadata import MetadataValue

        data = copy.copy(event.data)
        if hasattr(data, "metadata"):
            data.metadata = {k: MetadataValue.text(repr(getattr(v, "value", v)))
                             for k, v in data.metadata.items()}
        else:
            data = repr(data)
        clone = copy.copy(event)
        clone.data = data
        return clone


def describe_step(ctx: Any, step: Any) -> Optional[tuple]:
    """None for a step of the plan the workers were given; a step added or changed at run
    time (a collect whose inputs grew) goes as plain data to be rebuilt there."""
    return None if ctx.plan.steps.get(step.key) is step else step.describe()


def remember_version(ctx: Any, event: Any) -> None:
    """Keep the data version a worker's materialization reports, for the steps after it."""
    from ..versioning import DATA_VERSION_TAG

    tags = getattr(event.data, "tags", None) or {}
    if DATA_VERSION_TAG in tags:
        ctx.data_versions[(event.data.asset_key, event.data.partition)] = tags[DATA_VERSION_TAG]


def refuse_memory_io(ctx: Any, executor_name: str) -> None:
    """Values cannot travel between processes through the in-memory IO manager."""
    from ..io_managers import InMemoryIOManager, mem_io_manager

    for key, value in ctx.resource_defs.items():
        if value is mem_io_manager or isinstance(value, InMemoryIOManager):
            raise ExecutionError(
                f"the {executor_name} executor runs steps in other processes, so the in-memory "
                f"IO manager (resource {key!r}) cannot pass values between them: use the "
                "filesystem IO manager (fs_io_manager, or `type: fs` in a spec)")
