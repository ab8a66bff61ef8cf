"""specrun: data pipelines as YAML/TOML spec files, run with Dagster's documented API.

Every public name is listed in `__all__` and imported lazily on first use, so that
`import specrun` (and `specrun --help`) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_R = "specrun.runtime"
_D = "specrun.runtime.definitions"
_EXPORTS: dict[str, str] = {
    # definitions
    "op": f"{_D}.ops", "In": f"{_D}.ops", "Out": f"{_D}.ops", "OpDefinition": f"{_D}.ops",
    "InputDefinition": f"{_D}.ops", "OutputDefinition": f"{_D}.ops",
    "DynamicOut": f"{_D}.dynamic", "DynamicOutput": f"{_D}.dynamic",
    "graph": f"{_D}.composition", "GraphDefinition": f"{_D}.composition",
    "DependencyDefinition": f"{_D}.dependencies", "MultiDependencyDefinition": f"{_D}.dependencies",
    "NodeInvocation": f"{_D}.dependencies", "InputMapping": f"{_D}.dependencies",
    "OutputMapping": f"{_D}.dependencies",
    "job": f"{_D}.jobs", "JobDefinition": f"{_D}.jobs", "define_asset_job": f"{_D}.jobs",
    "asset": f"{_D}.assets", "AssetIn": f"{_D}.assets", "AssetsDefinition": f"{_D}.assets",
    "asset_check": f"{_D}.asset_checks", "AssetChecksDefinition": f"{_D}.asset_checks",
    "AssetSpec": f"{_D}.assets", "AssetCheckSpec": f"{_D}.check_specs",
    "multi_asset_check": f"{_D}.check_specs",
    "observable_source_asset": f"{_D}.observations", "DataVersion": f"{_D}.observations",
    "observe": f"{_D}.observations",
    "graph_asset": f"{_D}.graph_assets", "graph_multi_asset": f"{_D}.graph_assets",
    "multi_asset": f"{_D}.multi_assets", "AssetOut": f"{_D}.multi_assets", "SourceAsset": f"{_D}.assets", "AssetDep": f"{_D}.assets",
    "load_assets_from_modules": f"{_D}.asset_groups", "with_resources": f"{_D}.asset_groups",
    "AssetKey": f"{_D}.keys", "AssetCheckKey": f"{_D}.keys",
    "AssetSelection": f"{_D}.selection",
    "Output": f"{_D}.results", "MaterializeResult": f"{_D}.results",
    "AssetCheckResult": f"{_D}.results", "AssetCheckSeverity": f"{_D}.results",
    "AssetMaterialization": f"{_D}.results", "AssetObservation": f"{_D}.results",
    "AssetCheckEvaluation": f"{_D}.results",
    "MetadataValue": f"{_D}.metadata",
    "Definitions": f"{_D}.definitions",
    "repository": f"{_D}.repository", "RepositoryDefinition": f"{_D}.repository",
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
    "execute_job": f"{_R}.api", "materialize": f"{_R}.materialize",
    "materialize_to_memory": f"{_R}.materialize", "validate_run_config": f"{_R}.api",
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
    "DagsterEventType": f"{_R}.event_types", "EventType": f"{_R}.event_types",
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
    "load_spec": "specrun.compiler", "compile_spec": "specrun.compiler",
}

if TYPE_CHECKING:
    # What `__getattr__` imports, said statically so that mypy and pyright see real types
    # (the form used atop dagster/__init__.py); tests/test_init.py checks the two agree.
    from .compiler import (
        compile_spec as compile_spec, load_spec as load_spec,
    )
    from .errors import (
        ConfigError as ConfigError, DagsterError as DagsterError,
        DagsterInvalidConfigError as DagsterInvalidConfigError,
        DagsterInvalidDefinitionError as DagsterInvalidDefinitionError,
        DagsterInvalidInvocationError as DagsterInvalidInvocationError,
        DagsterInvariantViolationError as DagsterInvariantViolationError,
        DefinitionError as DefinitionError, ExecutionError as ExecutionError, Failure as Failure,
        InvocationError as InvocationError, PartitionError as PartitionError,
        RetryRequested as RetryRequested, SpecError as SpecError, SpecErrors as SpecErrors,
        SpecrunError as SpecrunError,
    )
    from .runtime.api import (
        execute_job as execute_job, validate_run_config as validate_run_config,
    )
    from .runtime.materialize import (
        materialize as materialize, materialize_to_memory as materialize_to_memory,
    )
    from .runtime.config import (
        Array as Array, Bool as Bool, BoolSource as BoolSource, Enum as Enum,
        EnumValue as EnumValue, Field as Field, Float as Float, Int as Int, IntSource as IntSource,
        Map as Map, Noneable as Noneable, Permissive as Permissive, Selector as Selector,
        Shape as Shape, String as String, StringSource as StringSource,
    )
    from .runtime.config_models import (
        Config as Config, PermissiveConfig as PermissiveConfig,
    )
    from .runtime.configurable_io import (
        ConfigurableIOManager as ConfigurableIOManager,
        ConfigurableIOManagerFactory as ConfigurableIOManagerFactory,
        FilesystemIOManager as FilesystemIOManager,
    )
    from .runtime.context.build import (
        build_asset_check_context as build_asset_check_context,
        build_asset_context as build_asset_context, build_op_context as build_op_context,
    )
    from .runtime.context.compute import (
        AssetCheckExecutionContext as AssetCheckExecutionContext,
        AssetExecutionContext as AssetExecutionContext, OpExecutionContext as OpExecutionContext,
        StepExecutionContext as StepExecutionContext,
    )
    from .runtime.context.io import (
        build_input_context as build_input_context, build_output_context as build_output_context,
        InputContext as InputContext, OutputContext as OutputContext,
    )
    from .runtime.definitions.asset_checks import (
        asset_check as asset_check, AssetChecksDefinition as AssetChecksDefinition,
    )
    from .runtime.definitions.asset_groups import (
        load_assets_from_modules as load_assets_from_modules, with_resources as with_resources,
    )
    from .runtime.definitions.assets import (
        asset as asset, AssetDep as AssetDep, AssetIn as AssetIn, AssetsDefinition as AssetsDefinition,
        AssetSpec as AssetSpec, SourceAsset as SourceAsset,
    )
    from .runtime.definitions.check_specs import (
        multi_asset_check as multi_asset_check,
        AssetCheckSpec as AssetCheckSpec,
    )
    from .runtime.definitions.composition import (
        graph as graph, GraphDefinition as GraphDefinition,
    )
    from .runtime.definitions.configurable import (
        ConfigurableResource as ConfigurableResource,
    )
    from .runtime.definitions.dependencies import (
        DependencyDefinition as DependencyDefinition, InputMapping as InputMapping,
        MultiDependencyDefinition as MultiDependencyDefinition, NodeInvocation as NodeInvocation,
        OutputMapping as OutputMapping,
    )
    from .runtime.definitions.definitions import (
        Definitions as Definitions,
    )
    from .runtime.definitions.observations import (
        DataVersion as DataVersion, observable_source_asset as observable_source_asset, observe as observe,
    )
    from .runtime.definitions.graph_assets import (
        graph_asset as graph_asset, graph_multi_asset as graph_multi_asset,
    )
    from .runtime.definitions.hooks import (
        build_hook_context as build_hook_context, failure_hook as failure_hook,
        HookContext as HookContext, HookDefinition as HookDefinition, success_hook as success_hook,
    )
    from .runtime.definitions.jobs import (
        define_asset_job as define_asset_job, job as job, JobDefinition as JobDefinition,
    )
    from .runtime.definitions.dynamic import (
        DynamicOut as DynamicOut, DynamicOutput as DynamicOutput,
    )
    from .runtime.definitions.keys import (
        AssetCheckKey as AssetCheckKey, AssetKey as AssetKey,
    )
    from .runtime.definitions.metadata import (
        MetadataValue as MetadataValue,
    )
    from .runtime.definitions.multi_assets import (
        multi_asset as multi_asset,
        AssetOut as AssetOut,
    )
    from .runtime.definitions.repository import (
        repository as repository, RepositoryDefinition as RepositoryDefinition,
    )
    from .runtime.definitions.ops import (
        In as In, InputDefinition as InputDefinition, op as op, OpDefinition as OpDefinition,
        Out as Out, OutputDefinition as OutputDefinition,
    )
    from .runtime.definitions.policy import (
        Backoff as Backoff, Jitter as Jitter, RetryMode as RetryMode, RetryPolicy as RetryPolicy,
    )
    from .runtime.definitions.resources import (
        build_init_resource_context as build_init_resource_context, configured as configured,
        InitResourceContext as InitResourceContext, resource as resource,
        ResourceDefinition as ResourceDefinition, ResourceParam as ResourceParam,
    )
    from .runtime.definitions.results import (
        AssetCheckEvaluation as AssetCheckEvaluation, AssetCheckResult as AssetCheckResult,
        AssetCheckSeverity as AssetCheckSeverity, AssetMaterialization as AssetMaterialization,
        AssetObservation as AssetObservation, MaterializeResult as MaterializeResult,
        Output as Output,
    )
    from .runtime.definitions.selection import (
        AssetSelection as AssetSelection,
    )
    from .runtime.definitions.types import (
        DagsterType as DagsterType, DataType as DataType, Nothing as Nothing, TypeCheck as TypeCheck,
    )
    from .runtime.dynamic_partitions import (
        partition_loading_context as partition_loading_context,
        DynamicPartitionsDefinition as DynamicPartitionsDefinition,
    )
    from .runtime.env_var import (
        EnvVar as EnvVar,
    )
    from .runtime.event_types import (
        DagsterEventType as DagsterEventType, EventType as EventType,
    )
    from .runtime.events import (
        DagsterEvent as DagsterEvent, ErrorInfo as ErrorInfo, Event as Event,
        SerializableErrorInfo as SerializableErrorInfo,
    )
    from .runtime.executors.base import (
        Executor as Executor, executor as executor, ExecutorDefinition as ExecutorDefinition,
        InitExecutorContext as InitExecutorContext,
    )
    from .runtime.executors.dask import (
        dask_executor as dask_executor,
    )
    from .runtime.executors.in_process import (
        in_process_executor as in_process_executor,
    )
    from .runtime.executors.multiprocess import (
        multiprocess_executor as multiprocess_executor,
    )
    from .runtime.instance import (
        DagsterInstance as DagsterInstance, Instance as Instance,
        instance_for_test as instance_for_test,
    )
    from .runtime.io_managers import (
        fs_io_manager as fs_io_manager, InMemoryIOManager as InMemoryIOManager,
        input_manager as input_manager, InputManager as InputManager, io_manager as io_manager,
        IOManager as IOManager, IOManagerDefinition as IOManagerDefinition,
        mem_io_manager as mem_io_manager,
    )
    from .runtime.log import (
        build_init_logger_context as build_init_logger_context,
        colored_console_logger as colored_console_logger, DagsterLogManager as DagsterLogManager,
        get_dagster_logger as get_dagster_logger, logger as logger,
        LoggerDefinition as LoggerDefinition, LogManager as LogManager,
    )
    from .runtime.outputs import (
        DagsterTypeCheckDidNotPass as DagsterTypeCheckDidNotPass,
    )
    from .runtime.partitions import (
        AllPartitionMapping as AllPartitionMapping,
        DailyPartitionsDefinition as DailyPartitionsDefinition,
        HourlyPartitionsDefinition as HourlyPartitionsDefinition,
        IdentityPartitionMapping as IdentityPartitionMapping,
        LastPartitionMapping as LastPartitionMapping,
        MonthlyPartitionsDefinition as MonthlyPartitionsDefinition,
        MultiPartitionKey as MultiPartitionKey,
        MultiPartitionsDefinition as MultiPartitionsDefinition,
        PartitionKeyRange as PartitionKeyRange, PartitionMapping as PartitionMapping,
        PartitionsDefinition as PartitionsDefinition,
        StaticPartitionMapping as StaticPartitionMapping,
        StaticPartitionsDefinition as StaticPartitionsDefinition, TimeWindow as TimeWindow,
        TimeWindowPartitionMapping as TimeWindowPartitionMapping,
        TimeWindowPartitionsDefinition as TimeWindowPartitionsDefinition,
        WeeklyPartitionsDefinition as WeeklyPartitionsDefinition,
    )
    from .runtime.plan import (
        ExecutionPlan as ExecutionPlan, ExecutionStep as ExecutionStep,
    )
    from .runtime.reconstruct import (
        reconstructable as reconstructable,
    )
    from .runtime.resources import (
        build_resources as build_resources, Resources as Resources,
    )
    from .runtime.result import (
        ExecuteInProcessResult as ExecuteInProcessResult, ExecutionResult as ExecutionResult,
        JobExecutionResult as JobExecutionResult,
    )
    from .runtime.run_config import (
        RunConfig as RunConfig,
    )
    from .runtime.storage.base import (
        DagsterRun as DagsterRun, DagsterRunStatus as DagsterRunStatus,
    )
    from .runtime.upath_io import (
        ObjectStoreError as ObjectStoreError,
        PickledObjectUPathIOManager as PickledObjectUPathIOManager, UPathIOManager as UPathIOManager,
    )

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
