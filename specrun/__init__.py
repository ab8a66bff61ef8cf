"""specrun: data pipelines as YAML/TOML spec files, run with Dagster's documented API.

Every public name is listed in `__all__` and imported lazily on first use, so that
`import specrun` (and `specrun --help`) stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_R = "specrun.runtime"
_D = "specrun.runtime.definitions"
_EXPORTS: dict[str, str] = {
    # definitions
    "op": f"{_D}.ops", "In": f"{_D}.ops", "Out": f"{_D}.ops", "OpDefinition": f"{_D}.ops",
    "InputDefinition": f"{_D}.ops", "OutputDefinition": f"{_D}.ops",
    "graph": f"{_D}.composition", "GraphDefinition": f"{_D}.composition",
    "job": f"{_D}.jobs", "JobDefinition": f"{_D}.jobs", "define_asset_job": f"{_D}.jobs",
    "asset": f"{_D}.assets", "AssetIn": f"{_D}.assets", "AssetsDefinition": f"{_D}.assets",
    "asset_check": f"{_D}.assets", "AssetChecksDefinition": f"{_D}.assets",
    "AssetSpec": f"{_D}.assets", "AssetCheckSpec": f"{_D}.check_specs",
    "multi_asset_check": f"{_D}.check_specs",
    "multi_asset": f"{_D}.multi_assets", "AssetOut": f"{_D}.multi_assets", "SourceAsset": f"{_D}.assets", "AssetDep": f"{_D}.assets",
    "load_assets_from_modules": f"{_D}.assets", "with_resources": f"{_D}.assets",
    "AssetKey": f"{_D}.keys", "AssetCheckKey": f"{_D}.keys",
    "AssetSelection": f"{_D}.selection",
    "Output": f"{_D}.results", "MaterializeResult": f"{_D}.results",
    "AssetCheckResult": f"{_D}.results", "AssetCheckSeverity": f"{_D}.results",
    "AssetMaterialization": f"{_D}.results", "AssetObservation": f"{_D}.results",
    "AssetCheckEvaluation": f"{_D}.results",
    "MetadataValue": f"{_D}.metadata",
    "Definitions": f"{_D}.definitions",
    "RetryPolicy": f"{_D}.policy", "Backoff": f"{_D}.policy", "Jitter": f"{_D}.policy",
    "RetryMode": f"{_D}.policy",
    "DataType": f"{_D}.types", "DagsterType": f"{_D}.types", "Nothing": f"{_D}.types",
    "TypeCheck": f"{_D}.types",
    "resource": f"{_D}.resources", "ResourceDefinition": f"{_D}.resources",
    "ConfigurableResource": f"{_D}.configurable", "InitResourceContext": f"{_D}.resources",
    "ResourceParam": f"{_D}.resources", "build_init_resource_context": f"{_D}.resources",
    "configured": f"{_D}.resources",
    "success_hook": f"{_D}.hooks", "failure_hook": f"{_D}.hooks", "HookContext": f"{_D}.hooks",
    "HookDefinition": f"{_D}.hooks", "build_hook_context": f"{_D}.hooks",
    # config
    "Config": f"{_R}.config_models", "PermissiveConfig": f"{_R}.config_models",
    "Field": f"{_R}.config", "RunConfig": f"{_R}.run_config", "EnvVar": f"{_R}.env_var",
    "Int": f"{_R}.config", "String": f"{_R}.config", "Bool": f"{_R}.config",
    "Float": f"{_R}.config", "Array": f"{_R}.config", "Shape": f"{_R}.config",
    "Noneable": f"{_R}.config", "Permissive": f"{_R}.config", "Selector": f"{_R}.config",
    "Map": f"{_R}.config", "Enum": f"{_R}.config", "EnumValue": f"{_R}.config",
    "StringSource": f"{_R}.config", "IntSource": f"{_R}.config", "BoolSource": f"{_R}.config",
    # partitions
    "PartitionsDefinition": f"{_R}.partitions", "StaticPartitionsDefinition": f"{_R}.partitions",
    "TimeWindowPartitionsDefinition": f"{_R}.partitions",
    "DailyPartitionsDefinition": f"{_R}.partitions", "HourlyPartitionsDefinition": f"{_R}.partitions",
    "WeeklyPartitionsDefinition": f"{_R}.partitions", "MonthlyPartitionsDefinition": f"{_R}.partitions",
    "MultiPartitionsDefinition": f"{_R}.partitions", "MultiPartitionKey": f"{_R}.partitions",
    "DynamicPartitionsDefinition": f"{_R}.dynamic_partitions",
    "partition_loading_context": f"{_R}.dynamic_partitions",
    "TimeWindow": f"{_R}.partitions", "PartitionKeyRange": f"{_R}.partitions",
    "PartitionMapping": f"{_R}.partitions", "IdentityPartitionMapping": f"{_R}.partitions",
    "AllPartitionMapping": f"{_R}.partitions", "LastPartitionMapping": f"{_R}.partitions",
    "TimeWindowPartitionMapping": f"{_R}.partitions", "StaticPartitionMapping": f"{_R}.partitions",
    # resources and IO
    "build_resources": f"{_R}.resources", "Resources": f"{_R}.resources",
    "IOManager": f"{_R}.io_managers", "InputManager": f"{_R}.io_managers",
    "io_manager": f"{_R}.io_managers", "input_manager": f"{_R}.io_managers",
    "IOManagerDefinition": f"{_R}.io_managers", "ConfigurableIOManager": f"{_R}.configurable_io",
    "ConfigurableIOManagerFactory": f"{_R}.configurable_io",
    "fs_io_manager": f"{_R}.io_managers", "mem_io_manager": f"{_R}.io_managers",
    "FilesystemIOManager": f"{_R}.configurable_io", "InMemoryIOManager": f"{_R}.io_managers",
    "UPathIOManager": f"{_R}.upath_io", "PickledObjectUPathIOManager": f"{_R}.upath_io",
    "ObjectStoreError": f"{_R}.upath_io",
    # contexts
    "OpExecutionContext": f"{_R}.context.compute", "AssetExecutionContext": f"{_R}.context.compute",
    "AssetCheckExecutionContext": f"{_R}.context.compute",
    "StepExecutionContext": f"{_R}.context.compute",
    "InputContext": f"{_R}.context.io", "OutputContext": f"{_R}.context.io",
    "build_input_context": f"{_R}.context.io", "build_output_context": f"{_R}.context.io",
    "build_op_context": f"{_R}.context.build", "build_asset_context": f"{_R}.context.build",
    "build_asset_check_context": f"{_R}.context.build",
    # execution
    "execute_job": f"{_R}.api", "materialize": f"{_R}.api",
    "materialize_to_memory": f"{_R}.api", "validate_run_config": f"{_R}.api",
    "ExecutionResult": f"{_R}.result", "JobExecutionResult": f"{_R}.result",
    "ExecuteInProcessResult": f"{_R}.result",
    "Executor": f"{_R}.executors.base", "ExecutorDefinition": f"{_R}.executors.base",
    "executor": f"{_R}.executors.base", "InitExecutorContext": f"{_R}.executors.base",
    "in_process_executor": f"{_R}.executors.in_process",
    "multiprocess_executor": f"{_R}.executors.multiprocess",
    "dask_executor": f"{_R}.executors.dask",
    "reconstructable": f"{_R}.reconstruct",
    "ExecutionPlan": f"{_R}.plan", "ExecutionStep": f"{_R}.plan",
    # events, logging, instance
    "Event": f"{_R}.events", "DagsterEvent": f"{_R}.events",
    "DagsterEventType": f"{_R}.events", "EventType": f"{_R}.events",
    "ErrorInfo": f"{_R}.events", "SerializableErrorInfo": f"{_R}.events",
    "LogManager": f"{_R}.log", "DagsterLogManager": f"{_R}.log", "logger": f"{_R}.log",
    "LoggerDefinition": f"{_R}.log", "colored_console_logger": f"{_R}.log",
    "build_init_logger_context": f"{_R}.log", "get_dagster_logger": f"{_R}.log",
    "Instance": f"{_R}.instance", "DagsterInstance": f"{_R}.instance",
    "instance_for_test": f"{_R}.instance",
    "DagsterRun": f"{_R}.storage.base", "DagsterRunStatus": f"{_R}.storage.base",
    # errors
    "SpecrunError": "specrun.errors", "SpecError": "specrun.errors",
    "SpecErrors": "specrun.errors", "DefinitionError": "specrun.errors",
    "ConfigError": "specrun.errors", "PartitionError": "specrun.errors",
    "InvocationError": "specrun.errors", "ExecutionError": "specrun.errors",
    "RetryRequested": "specrun.errors", "Failure": "specrun.errors",
    "DagsterError": "specrun.errors", "DagsterInvalidDefinitionError": "specrun.errors",
    "DagsterInvalidConfigError": "specrun.errors", "DagsterInvalidInvocationError": "specrun.errors",
    "DagsterInvariantViolationError": "specrun.errors",
    "DagsterTypeCheckDidNotPass": f"{_R}.outputs",
    # the spec compiler
    "load_spec": "specrun.compiler",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'specrun' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
