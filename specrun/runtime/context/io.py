"""`InputContext` and `OutputContext`: what IO managers are told about a value."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

from ...errors import NoPartitionError
from ..definitions.keys import AssetKey
from ..definitions.metadata import normalize_metadata
from ..log import LogManager


class _AssetValueContext:
    """What `OutputContext` and `InputContext` both say of the asset value they describe: its
    resources, asset key and partitions. Subclasses hold the slots these read."""

    __slots__ = ()
    asset_key: Optional[AssetKey]
    asset_partitions_def: Any
    _resources: Any
    _partition_keys: tuple[str, ...]

    @property
    def resources(self) -> Any:
        return self._resources

    @property
    def has_asset_key(self) -> bool:
        return self.asset_key is not None

    @property
    def has_asset_partitions(self) -> bool:
        return bool(self._partition_keys)

    @property
    def has_partition_key(self) -> bool:
        return len(self._partition_keys) == 1

    @property
    def asset_partition_keys(self) -> list[str]:
        """The partition keys, in partition order (a list, as in Dagster)."""
        return _require_partitions(self._partition_keys, "asset_partition_keys", as_list=True)

    @property
    def asset_partition_key(self) -> str:
        return _require_partitions(self._partition_keys, "asset_partition_key")

    @property
    def partition_key(self) -> str:
        return _require_partitions(self._partition_keys, "partition_key")

    @property
    def asset_partitions_time_window(self) -> Any:
        return _time_window(self.asset_partitions_def, self._partition_keys)

    def _asset_identifier(self, what: str) -> list[str]:
        """The asset key's parts, plus the partition key when there is exactly one."""
        if self.asset_key is None:
            raise NoPartitionError(f"this {what} is not an asset {what}")
        parts = list(self.asset_key.parts)
        return parts + [self.asset_partition_key] if self.has_partition_key else parts


class OutputContext(_AssetValueContext):
    """Describes one output being stored: which step, which output, which asset and partitions."""

    # Built for every stored and every loaded value: slots halve the cost; `__dict__` keeps
    # other attributes settable.
    __slots__ = (
        "step_key", "name", "run_id", "asset_key", "metadata", "definition_metadata", "config",
        "log", "_resources", "_partition_keys", "asset_partitions_def", "op_def", "dagster_type",
        "step_context", "mapping_key", "version", "_user_metadata", "__dict__",
    )

    def __init__(
        self,
        step_key: str,
        name: str,
        *,
        run_id: Optional[str] = None,
        asset_key: Optional[AssetKey] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        config: Any = None,
        log: Any = None,
        resources: Any = None,
        partition_keys: tuple[str, ...] = (),
        partitions_def: Any = None,
        op_def: Any = None,
        dagster_type: Any = None,
        step_context: Any = None,
        mapping_key: Optional[str] = None,
        version: Optional[str] = None,
    ) -> None:
        self.step_key = step_key
        self.name = name
        self.run_id = run_id
        self.asset_key = asset_key
        self.metadata = dict(metadata) if metadata else {}
        self.definition_metadata = self.metadata
        self.config = config
        self.log = log
        self._resources = resources
        self._partition_keys = partition_keys
        self.asset_partitions_def = partitions_def
        self.op_def = op_def
        self.dagster_type = dagster_type
        self.step_context = step_context
        self.mapping_key = mapping_key
        self.version = version
        self._user_metadata: dict[str, Any] = {}

    # The data version the record of this value will carry (None for an op output, or a
    # context built by hand): versioning IO managers store the value under it (io_managers).
    data_version: Optional[str] = None


    def add_output_metadata(self, metadata: Mapping[str, Any]) -> None:
        """Attach metadata to this output's materialization."""
        self._user_metadata.update(normalize_metadata(metadata))

    def get_logged_metadata(self) -> dict[str, Any]:
        return dict(self._user_metadata)

    def get_identifier(self) -> list[str]:
        """Path parts naming this output uniquely: the run, step and output (and mapping key)."""
        parts = [self.run_id or "", self.step_key, self.name]
        return parts + [self.mapping_key] if self.mapping_key else parts

    def get_asset_identifier(self) -> list[str]:
        """The asset key's parts, plus the partition key when there is exactly one."""
        return self._asset_identifier("output")

    def __repr__(self) -> str:
        return f"OutputContext(step_key={self.step_key!r}, name={self.name!r}, asset_key={self.asset_key!r})"


class InputContext(_AssetValueContext):
    """Describes one input being loaded: its name, its upstream output, asset and partitions."""

    __slots__ = (
        "name", "_upstream_output", "_build_upstream", "_upstream_identifier", "asset_key",
        "metadata", "definition_metadata", "config", "dagster_type", "log", "_resources",
        "_partition_keys", "asset_partitions_def", "op_def", "step_context", "run_id", "__dict__",
    )

    def __init__(
        self,
        name: str,
        *,
        upstream_output: Optional[OutputContext] = None,
        asset_key: Optional[AssetKey] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        config: Any = None,
        dagster_type: Any = None,
        log: Any = None,
        resources: Any = None,
        partition_keys: tuple[str, ...] = (),
        partitions_def: Any = None,
        op_def: Any = None,
        step_context: Any = None,
        run_id: Optional[str] = None,
    ) -> None:
        self.name = name
        self._upstream_output = upstream_output
        self._build_upstream: Optional[Callable[[], OutputContext]] = None
        self._upstream_identifier: tuple[str, ...] = ()
        self.asset_key = asset_key
        self.metadata = dict(metadata) if metadata else {}
        self.definition_metadata = self.metadata
        self.config = config
        self.dagster_type = dagster_type
        self.log = log
        self._resources = resources
        self._partition_keys = partition_keys
        self.asset_partitions_def = partitions_def
        self.op_def = op_def
        self.step_context = step_context
        self.run_id = run_id

    @property
    def upstream_output(self) -> Optional[OutputContext]:
        """The context of the output this input reads (built when first asked for)."""
        if self._build_upstream is not None:
            self._upstream_output, self._build_upstream = self._build_upstream(), None
        return self._upstream_output

    @upstream_output.setter
    def upstream_output(self, value: Optional[OutputContext]) -> None:
        self._upstream_output, self._build_upstream = value, None

    # `run.data_version_of` when the run set it: (asset key, partition) -> recorded version
    _data_version_lookup: Optional[Callable[[AssetKey, Optional[str]], str]] = None

    def upstream_data_version(self, partition_key: Optional[str] = None) -> Optional[str]:
        """The data version the current record of the upstream asset value (one partition of
        it) names, or None when no record names one: what a versioning IO manager reads."""
        if self._data_version_lookup is None or self.asset_key is None:
            return None
        found = self._data_version_lookup(self.asset_key, partition_key)
        return None if found in ("none", "unknown") else found

    @property
    def asset_partition_key_list(self) -> list[str]:
        return list(self._partition_keys)

    def get_identifier(self) -> list[str]:
        """The upstream output's identifier (see `OutputContext.get_identifier`)."""
        if self._build_upstream is not None:  # known without building the upstream context
            return list(self._upstream_identifier)
        if self._upstream_output is None:
            raise NoPartitionError("this input has no upstream output")
        return self._upstream_output.get_identifier()

    def get_asset_identifier(self) -> list[str]:
        return self._asset_identifier("input")

    def __repr__(self) -> str:
        return f"InputContext(name={self.name!r}, asset_key={self.asset_key!r})"


def input_context_with_deferred_upstream(
    name: str, upstream_identifier: tuple[str, ...], build_upstream: Callable[[], OutputContext],
    *, asset_key: Optional[AssetKey], metadata: Optional[Mapping[str, Any]], dagster_type: Any,
    log: Any, resources: Any, partition_keys: tuple[str, ...], partitions_def: Any, op_def: Any,
    run_id: str,
) -> InputContext:
    """An InputContext whose `upstream_output` is built by `build_upstream` on first access.

    Most IO managers read only the upstream output's identifier (or none of it, for
    assets), so a load usually never pays for building that OutputContext;
    `upstream_identifier` must equal the built context's `get_identifier()`.

    This runs for every input of every step, hence explicit parameters rather than
    ``**kwargs``, and `__new__` then `__init__` rather than calling the class: a class call
    turns keyword arguments into a dict and back again, most of the cost (CPython 3.11).
    """
    ctx = InputContext.__new__(InputContext)
    ctx.__init__(name, asset_key=asset_key, metadata=metadata, dagster_type=dagster_type,
                 log=log, resources=resources, partition_keys=partition_keys,
                 partitions_def=partitions_def, op_def=op_def, run_id=run_id)
    ctx._build_upstream = build_upstream
    ctx._upstream_identifier = upstream_identifier
    return ctx


def _require_partitions(keys: tuple[str, ...], what: str, as_list: bool = False) -> Any:
    if not keys:
        raise NoPartitionError(f"{what} was read, but this value is not partitioned")
    if as_list:
        return list(keys)
    if len(keys) != 1:
        raise NoPartitionError(f"{what} was read, but this value spans {len(keys)} partitions")
    return keys[0]


def _time_window(partitions_def: Any, keys: tuple[str, ...]) -> Any:
    if not keys or not hasattr(partitions_def, "time_window_for_partition_key"):
        raise NoPartitionError("there is no time window: the value is not time-partitioned")
    from ..partitions import TimeWindow

    first = partitions_def.time_window_for_partition_key(keys[0])
    last = partitions_def.time_window_for_partition_key(keys[-1])
    return TimeWindow(first.start, last.end)


def build_input_context(**kwargs: Any) -> InputContext:
    """An InputContext for testing an IO manager's `load_input` directly."""
    keys = kwargs.pop("partition_key", None)
    if keys is not None:
        kwargs["partition_keys"] = (keys,)
    kwargs.setdefault("name", "result")
    if isinstance(kwargs.get("asset_key"), (str, list)):
        kwargs["asset_key"] = AssetKey.from_coercible(kwargs["asset_key"])
    name = kwargs.pop("name")
    kwargs.setdefault("log", _test_log(kwargs.get("run_id")))
    return InputContext(name, **kwargs)


def build_output_context(**kwargs: Any) -> OutputContext:
    """An OutputContext for testing an IO manager's `handle_output` directly."""
    keys = kwargs.pop("partition_key", None)
    if keys is not None:
        kwargs["partition_keys"] = (keys,)
    if isinstance(kwargs.get("asset_key"), (str, list)):
        kwargs["asset_key"] = AssetKey.from_coercible(kwargs["asset_key"])
    step_key = kwargs.pop("step_key", "test_step")
    name = kwargs.pop("name", "result")
    kwargs.setdefault("log", _test_log(kwargs.get("run_id"), step_key))
    return OutputContext(step_key, name, **kwargs)


def _test_log(run_id: Optional[str], step_key: Optional[str] = None) -> LogManager:
    """The log of a context built for a test: messages go to the ``specrun`` Python logger
    (Dagster's built IO contexts also have a working `log`)."""
    return LogManager(run_id or "", "ephemeral", step_key)
