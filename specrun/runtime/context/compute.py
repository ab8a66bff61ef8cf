"""Execution contexts handed to op, asset and check functions.

One context object per step attempt. It is also what `build_op_context` /
`build_asset_context` return, so functions can be called directly in tests.
"""

from __future__ import annotations

from typing import AbstractSet, Any, Callable, Mapping, Optional

from ...errors import InvariantViolationError, NoPartitionError
from ..definitions.keys import AssetKey


class StepInfo:
    """The step being executed (`context.step_context.step`)."""

    __slots__ = ("key", "kind", "partition_key")

    def __init__(self, key: str, kind: str = "op", partition_key: Optional[str] = None) -> None:
        self.key = key
        self.kind = kind
        self.partition_key = partition_key

    def __repr__(self) -> str:
        return f"StepInfo({self.key!r})"


class StepExecutionContext:
    """Step-level facts (`context.step_context`): the step, run id, job name."""

    __slots__ = ("step", "run_id", "job_name", "_ctx")

    def __init__(self, ctx: "OpExecutionContext") -> None:
        self._ctx = ctx
        self.step = ctx._step
        self.run_id = ctx.run_id
        self.job_name = ctx.job_name

    @property
    def op_config(self) -> Any:
        return self._ctx.op_config

    @property
    def resources(self) -> Any:
        return self._ctx.resources

    @property
    def log(self) -> Any:
        return self._ctx.log


class OpExecutionContext:
    """What an op's compute function sees: config, resources, log, run and partition facts."""

    # One context is built per step: slots make that twice as fast; `__dict__` keeps
    # setting other attributes possible, as on any object.
    __slots__ = (
        "_op_def", "_step", "run_id", "job_name", "_op_config", "_resources", "_log",
        "_partition_key", "_partitions_def", "_partition_key_range", "_run_tags", "_op_tags",
        "_instance", "_run", "_run_config", "_job_def", "_retry_number", "_assets_def",
        "_check_def", "_selected", "_input_partitions", "_event_sink", "_asset_key",
        "output_metadata", "_user_events", "_output_values", "_mapping_key", "_yielded_outputs", "__dict__",
    )

    def __init__(
        self,
        *,
        op_def: Any,
        step: StepInfo,
        run_id: str,
        job_name: str,
        op_config: Any = None,
        resources: Any = None,
        log: Any = None,
        partition_key: Optional[str] = None,
        partitions_def: Any = None,
        partition_key_range: Any = None,
        run_tags: Optional[Mapping[str, str]] = None,
        op_tags: Optional[Mapping[str, str]] = None,
        instance: Any = None,
        run: Any = None,
        run_config: Optional[Mapping[str, Any]] = None,
        job_def: Any = None,
        retry_number: int = 0,
        assets_def: Any = None,
        check_def: Any = None,
        selected_asset_keys: Optional[AbstractSet[AssetKey]] = None,
        input_partitions: Optional[Callable[[str], tuple[str, ...]]] = None,
        event_sink: Optional[Callable[[Any], None]] = None,
        asset_key: Optional[AssetKey] = None,
        mapping_key: Optional[str] = None,
    ) -> None:
        self._op_def = op_def
        self._step = step
        self.run_id = run_id
        self.job_name = job_name
        self._op_config = op_config
        self._resources = resources
        self._log = log
        self._partition_key = partition_key
        self._partitions_def = partitions_def
        self._partition_key_range = partition_key_range
        self._run_tags = dict(run_tags) if run_tags else {}
        self._op_tags = dict(op_tags) if op_tags else {}
        self._instance = instance
        self._run = run
        self._run_config = run_config or {}
        self._job_def = job_def
        self._retry_number = retry_number
        self._assets_def = assets_def
        self._check_def = check_def
        self._selected = selected_asset_keys
        self._input_partitions = input_partitions
        self._event_sink = event_sink
        self._asset_key = asset_key
        self.output_metadata: dict[str, dict[str, Any]] = {}
        self._mapping_key = mapping_key
        self._yielded_outputs: Optional[set[str]] = None  # set by the run as outputs are stored

    # -- config, resources, log ---------------------------------------------------------
    @property
    def op_config(self) -> Any:
        return self._op_config

    @property
    def resources(self) -> Any:
        return self._resources

    @property
    def log(self) -> Any:
        return self._log

    @property
    def op_def(self) -> Any:
        return self._op_def

    @property
    def step_context(self) -> StepExecutionContext:
        return StepExecutionContext(self)

    def get_step_execution_context(self) -> StepExecutionContext:
        return StepExecutionContext(self)

    @property
    def op_handle(self) -> str:
        return self._step.key

    node_handle = op_handle

    # -- run facts ----------------------------------------------------------------------
    @property
    def run_config(self) -> Mapping[str, Any]:
        return self._run_config

    @property
    def job_def(self) -> Any:
        return self._job_def

    @property
    def instance(self) -> Any:
        return self._instance

    @property
    def run(self) -> Any:
        return self._run

    dagster_run = run

    @property
    def retry_number(self) -> int:
        return self._retry_number

    @property
    def run_tags(self) -> Mapping[str, str]:
        return self._run_tags

    @property
    def op_tags(self) -> Mapping[str, str]:
        return self._op_tags

    def has_tag(self, key: str) -> bool:
        return key in self._run_tags

    def get_tag(self, key: str) -> Optional[str]:
        return self._run_tags.get(key)

    def get_mapping_key(self) -> Optional[str]:
        """The key of the dynamic output this step was mapped over, if any."""
        return self._mapping_key

    def describe_op(self) -> str:
        return f'op "{self._step.key}"'

    # -- partitions ---------------------------------------------------------------------
    @property
    def has_partition_key(self) -> bool:
        return self._partition_key is not None

    @property
    def has_partition_key_range(self) -> bool:
        """True when the step covers a range of partitions (not for a single-key run)."""
        return self._partition_key_range is not None

    @property
    def has_partitions(self) -> bool:
        return self._partition_key is not None or self._partition_key_range is not None

    @property
    def partition_key(self) -> str:
        if self._partition_key is None:
            raise NoPartitionError(
                f"{self.describe_op()} has no partition key: this run is not partitioned")
        return self._partition_key

    @property
    def multi_partition_key(self) -> Any:
        """The partition key as a `MultiPartitionKey` (raises unless multi-partitioned)."""
        from ..partitions import MultiPartitionKey

        key = self.partition_key
        if not isinstance(key, MultiPartitionKey):
            raise InvariantViolationError(
                f"{self.describe_op()} has no multi_partition_key: its partitions are not a "
                "MultiPartitionsDefinition")
        return key

    @property
    def partition_keys(self) -> list[str]:
        if self._partition_key_range is not None and self._partitions_def is not None:
            return self._partitions_def.get_partition_keys_in_range(self._partition_key_range)
        return [self.partition_key]

    @property
    def partition_key_range(self) -> Any:
        from ..partitions import PartitionKeyRange

        if self._partition_key_range is not None:
            return self._partition_key_range
        return PartitionKeyRange(self.partition_key, self.partition_key)

    @property
    def partitions_def(self) -> Any:
        return self._partitions_def

    @property
    def partition_time_window(self) -> Any:
        """The time window of the partition; raises (an AttributeError) if not time-partitioned."""
        key = self.partition_key
        pdef = self._partitions_def
        if pdef is None or not hasattr(pdef, "time_window_for_partition_key"):
            raise NoPartitionError(
                f"{self.describe_op()} is not partitioned by time, so it has no time window")
        return pdef.time_window_for_partition_key(key)

    def asset_partition_key_for_output(self, output_name: str = "result") -> str:
        return self.partition_key

    def asset_partition_keys_for_output(self, output_name: str = "result") -> list[str]:
        return self.partition_keys

    def asset_partition_key_range_for_output(self, output_name: str = "result") -> Any:
        return self.partition_key_range

    def asset_partitions_time_window_for_output(self, output_name: str = "result") -> Any:
        return self.partition_time_window

    def asset_partition_keys_for_input(self, input_name: str) -> list[str]:
        """The upstream partition keys the input reads, in partition order (a list, as in
        Dagster)."""
        keys = self._input_partitions(input_name) if self._input_partitions else ()
        if not keys:
            raise NoPartitionError(f"input {input_name!r} of {self.describe_op()} is not partitioned")
        return list(keys)

    def asset_partition_key_for_input(self, input_name: str) -> str:
        keys = self._input_partitions(input_name) if self._input_partitions else ()
        if len(keys) != 1:
            raise NoPartitionError(
                f"input {input_name!r} of {self.describe_op()} spans {len(keys)} partitions, not one")
        return keys[0]

    def asset_partition_key_range_for_input(self, input_name: str) -> Any:
        from ..partitions import PartitionKeyRange

        keys = self._input_partitions(input_name) if self._input_partitions else ()
        if not keys:
            raise NoPartitionError(f"input {input_name!r} of {self.describe_op()} is not partitioned")
        return PartitionKeyRange(keys[0], keys[-1])

    # -- assets -------------------------------------------------------------------------
    @property
    def has_assets_def(self) -> bool:
        return self._assets_def is not None

    @property
    def assets_def(self) -> Any:
        if self._assets_def is None:
            raise InvariantViolationError(f"{self.describe_op()} does not compute an asset")
        return self._assets_def

    @property
    def asset_key(self) -> AssetKey:
        if self._asset_key is not None:
            return self._asset_key
        if self._check_def is not None:
            return self._check_def.asset_key
        if getattr(self.assets_def, "multi", False) and len(self.assets_def.keys) > 1:
            raise InvariantViolationError(
                f"{self.describe_op()} computes several assets: use context.asset_key_for_output(name)")
        return self.assets_def.key

    def asset_key_for_output(self, output_name: str = "result") -> AssetKey:
        if self._assets_def is not None and getattr(self._assets_def, "multi", False):
            return self._assets_def.key_for_output(output_name)
        return self.asset_key

    def asset_key_for_input(self, input_name: str) -> AssetKey:
        defn = self._assets_def or self._check_def
        keys = getattr(defn, "input_keys", {})
        if input_name not in keys:
            raise InvariantViolationError(f"{self.describe_op()} has no asset input {input_name!r}")
        return keys[input_name]

    @property
    def selected_asset_keys(self) -> AbstractSet[AssetKey]:
        """The keys of the asset(s) this step computes, as in Dagster (not the whole run's);
        for a context built with `selected_asset_keys=` and no asset, those keys."""
        if self._assets_def is not None:
            return set(self._assets_def.selected_asset_keys)
        return set(self._selected) if self._selected is not None else set()

    @property
    def selected_asset_check_keys(self) -> AbstractSet[Any]:
        """The keys of the checks this step evaluates."""
        return {self._check_def.check_key} if self._check_def is not None else set()

    @property
    def selected_output_names(self) -> AbstractSet[str]:
        if self._assets_def is not None and getattr(self._assets_def, "multi", False):
            return self._assets_def.selected_output_names
        return set(self._op_def.outs) if self._op_def is not None else {"result"}

    @property
    def is_subset(self) -> bool:
        return False

    # -- metadata and events ------------------------------------------------------------
    def add_output_metadata(self, metadata: Mapping[str, Any], output_name: Optional[str] = None,
                            mapping_key: Optional[str] = None) -> None:
        """Attach metadata to an output (the only one when `output_name` is omitted)."""
        if output_name is None:
            outs = list(self._op_def.outs) if self._op_def is not None else ["result"]
            if len(outs) > 1:
                raise InvariantViolationError(
                    f"{self.describe_op()} has outputs {outs}: pass output_name= to add_output_metadata")
            output_name = outs[0]
        if self._yielded_outputs is not None and output_name in self._yielded_outputs:
            raise InvariantViolationError(
                f"In {self.describe_op()}, attempted to log output metadata for output "
                f"{output_name!r} which has already been yielded. Metadata must be logged "
                "before the output is yielded.")
        self.output_metadata.setdefault(output_name, {}).update(metadata)

    def get_output_metadata(self, output_name: str = "result") -> Mapping[str, Any]:
        """The metadata added to an output so far, as given (raw values, as in Dagster)."""
        return self.output_metadata.get(output_name, {})

    def add_asset_metadata(self, metadata: Mapping[str, Any], asset_key: Any = None,
                           partition_key: Optional[str] = None) -> None:
        self.add_output_metadata(metadata)

    def log_event(self, event: Any) -> None:
        """Record an AssetMaterialization, AssetObservation or check result from user code."""
        if self._event_sink is not None:
            self._event_sink(event)

    @property
    def op_execution_context(self) -> "OpExecutionContext":
        return self


class AssetExecutionContext(OpExecutionContext):
    """The context of an asset's compute function (adds nothing the op context lacks;
    it exists so type annotations and `isinstance` checks read as in Dagster)."""


class AssetCheckExecutionContext(OpExecutionContext):
    """The context of an asset check: `asset_key` is the checked asset."""

    @property
    def check_specs(self) -> list[Any]:
        return list(self._check_def.specs) if self._check_def is not None else []

    @property
    def selected_asset_check_keys(self) -> AbstractSet[Any]:
        return {s.key for s in self.check_specs}
