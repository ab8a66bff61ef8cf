"""Every example of shared/reference/execution-contexts.md, run with `from specrun import`.

External systems are replaced by data: S3 and the warehouse by a temp folder, PostgreSQL
by a dict. Where real Dagster behaves differently from the page, the test follows
Dagster and says so.
"""

from __future__ import annotations

import logging
import os

import pandas as pd
import pytest

from specrun import (
    AssetCheckExecutionContext, AssetCheckResult, AssetExecutionContext, AssetKey, Config,
    DagsterInstance, DailyPartitionsDefinition, Definitions, Executor, Field, InitExecutorContext,
    InputContext, Int, IOManager, MaterializeResult, OpExecutionContext, OutputContext, String,
    asset, asset_check, build_asset_context, build_op_context, build_resources, execute_job,
    executor, in_process_executor, input_manager, job, materialize, materialize_to_memory,
    multiprocess_executor, op, resource, validate_run_config,
)
from specrun import DagsterInvalidConfigError


# -- OpExecutionContext -----------------------------------------------------------------
class MyOpConfig(Config):
    batch_size: int = 1000
    debug_mode: bool = False


@resource
def database_resource():
    return {"connection": "postgresql://localhost/db"}


@op(required_resource_keys={"database"})
def process_data(context: OpExecutionContext, data: list) -> list:
    config = context.op_config
    batch_size = config.get("batch_size", 100)
    db = context.resources.database
    connection = db["connection"]
    context.log.info(f"Processing {len(data)} records with batch_size {batch_size}")
    context.log.debug(f"Using database: {connection}")
    context.log.warning("This is a warning message")
    run_id = context.run_id
    op_name = context.op_def.name
    step_key = context.step_context.step.key
    context.add_output_metadata({
        "records_processed": len(data), "batch_size": batch_size, "processing_time": "2.3s",
        "run_id": run_id, "op_name": op_name, "step_key": step_key,
    })
    if context.has_partition_key:
        partition_key = context.partition_key
        context.log.info(f"Processing partition: {partition_key}")
    if hasattr(context, "partition_time_window"):
        time_window = context.partition_time_window
        context.log.info(f"Time window: {time_window.start} to {time_window.end}")
    return data[:batch_size]


@op
def make_data() -> list:
    return list(range(10))


@job(resource_defs={"database": database_resource})
def process_job():
    process_data(make_data())


def test_op_context_example_runs_in_a_job_with_config_resources_and_metadata():
    result = process_job.execute_in_process(
        run_config={"ops": {"process_data": {"config": {"batch_size": 3}}}})
    assert result.success
    assert result.output_for_node("process_data") == [0, 1, 2]
    handled = [e for e in result.all_events if e.is_successful_output and e.step_key == "process_data"]
    metadata = handled[0].data.metadata
    assert metadata["records_processed"].value == 10
    assert metadata["batch_size"].value == 3
    assert metadata["op_name"].value == "process_data"
    assert metadata["step_key"].value == "process_data"
    assert metadata["run_id"].value == result.run_id
    messages = [e.message for e in result.log_messages]
    assert "Processing 10 records with batch_size 3" in messages
    assert "This is a warning message" in messages
    assert not any(m.startswith("Time window") for m in messages)


def test_op_context_example_sees_partition_and_time_window():
    daily = DailyPartitionsDefinition(start_date="2024-01-01")

    @job(resource_defs={"database": database_resource}, partitions_def=daily)
    def partitioned_job():
        process_data(make_data())

    result = partitioned_job.execute_in_process(
        partition_key="2024-01-05", run_config={"ops": {"process_data": {"config": {}}}})
    messages = [e.message for e in result.log_messages]
    assert "Processing partition: 2024-01-05" in messages
    assert "Time window: 2024-01-05 00:00:00+00:00 to 2024-01-06 00:00:00+00:00" in messages


# -- AssetExecutionContext --------------------------------------------------------------
@asset
def users_data() -> pd.DataFrame:
    return pd.DataFrame({
        "created_at": ["2023-01-01", "2023-01-02", "2023-01-03"],
        "active": [True, False, True],
        "age": [30, 40, 50],
    })


@asset(group_name="analytics", compute_kind="pandas")
def users_analysis(context: AssetExecutionContext, users_data: pd.DataFrame) -> MaterializeResult:
    asset_key = context.asset_key
    asset_name = asset_key.path[-1]
    if context.has_partition_key:
        context.log.info(f"Materializing {asset_name} for partition {context.partition_key}")
    if hasattr(context, "partition_time_window"):
        time_window = context.partition_time_window
        start_date = time_window.start.strftime("%Y-%m-%d")
        end_date = time_window.end.strftime("%Y-%m-%d")
        users_data = users_data[(users_data["created_at"] >= start_date)
                                & (users_data["created_at"] < end_date)]
    upstream_assets = context.selected_asset_keys
    context.log.info(f"Depends on assets: {[key.path[-1] for key in upstream_assets]}")
    total_users = len(users_data)
    active_users = len(users_data[users_data["active"] == True])  # noqa: E712
    avg_age = users_data["age"].mean()
    analysis_result = pd.DataFrame({
        "metric": ["total_users", "active_users", "average_age"],
        "value": [total_users, active_users, avg_age],
    })
    return MaterializeResult(
        value=analysis_result,
        metadata={"total_users": total_users, "active_users": active_users,
                  "activity_rate": active_users / total_users, "average_age": avg_age},
    )


@asset
def user_segments(context: AssetExecutionContext, users_analysis: pd.DataFrame) -> dict:
    context.log.info(f"Consuming asset: {context.asset_key}")
    active_users = users_analysis[users_analysis["metric"] == "active_users"]["value"].iloc[0]
    return {"high_value": int(active_users * 0.2), "medium_value": int(active_users * 0.5),
            "low_value": int(active_users * 0.3)}


def test_asset_context_example_materializes_with_metadata_and_downstream_value():
    result = materialize_to_memory([users_data, users_analysis, user_segments])
    assert result.success
    mats = {m.asset_key: m for m in result.asset_materializations}
    assert mats[AssetKey("users_analysis")].metadata["total_users"].value == 3
    assert mats[AssetKey("users_analysis")].metadata["activity_rate"].value == pytest.approx(2 / 3)
    assert result.output_for_node("user_segments") == {"high_value": 0, "medium_value": 1, "low_value": 0}
    assert users_analysis.group_name == "analytics" and users_analysis.compute_kind == "pandas"
    assert "Consuming asset: AssetKey(['user_segments'])" in [e.message for e in result.log_messages]


# -- AssetCheckExecutionContext -----------------------------------------------------------
@asset_check(asset="users_data")
def users_data_quality_check(context: AssetCheckExecutionContext, users_data: pd.DataFrame) -> AssetCheckResult:
    asset_key = context.asset_key
    check_name = context.op_def.name
    context.log.info(f"Running check '{check_name}' for asset {asset_key}")
    null_count = users_data.isnull().sum().sum()
    duplicate_count = users_data.duplicated().sum()
    total_records = len(users_data)
    null_rate = null_count / (total_records * len(users_data.columns))
    duplicate_rate = duplicate_count / total_records
    passed = null_rate <= 0.05 and duplicate_rate <= 0.02
    if not passed:
        context.log.warning(f"Data quality check failed for {asset_key}")
    return AssetCheckResult(passed=passed, metadata={
        "null_count": null_count, "null_rate": null_rate, "duplicate_count": duplicate_count,
        "total_records": total_records})


def test_asset_check_example_evaluates_against_the_asset_value():
    result = materialize_to_memory([users_data, users_data_quality_check])
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed is True
    assert evaluation.asset_key == AssetKey("users_data")
    assert evaluation.check_name == "users_data_quality_check"
    assert evaluation.metadata["total_records"].value == 3
    assert "Running check 'users_data_quality_check' for asset AssetKey(['users_data'])" in [
        e.message for e in result.log_messages]


# -- build_op_context ---------------------------------------------------------------------
@resource
def test_database():  # noqa: PT004 - a resource, not a test
    return {"connection": "test://localhost/testdb"}


@op(config_schema={"batch_size": int}, required_resource_keys={"database"})
def my_op(context):
    batch_size = context.op_config["batch_size"]
    db = context.resources.database
    return f"Processing with batch_size {batch_size} using {db['connection']}"


def test_build_op_context_example_prefers_op_config_over_config():
    context = build_op_context(
        config={"batch_size": 100}, resources={"database": test_database},
        partition_key="2023-01-01", op_config={"batch_size": 500})
    assert my_op(context) == "Processing with batch_size 500 using test://localhost/testdb"
    assert context.partition_key == "2023-01-01"


def test_build_op_context_advanced_example_with_logger_defs_and_tags(caplog):
    from specrun import build_init_logger_context, colored_console_logger

    logger_def = colored_console_logger
    logger = logger_def.logger_fn(build_init_logger_context())
    assert isinstance(logger, logging.Logger)
    advanced = build_op_context(
        config={"batch_size": 1000}, resources={"database": test_database},
        partition_key="2023-01-02", run_id="test-run-12345",
        logger_defs={"custom": logger_def}, tags={"env": "test", "team": "data"})
    assert advanced.run_id == "test-run-12345"
    assert advanced.get_tag("team") == "data"
    assert my_op(advanced) == "Processing with batch_size 1000 using test://localhost/testdb"


# -- build_asset_context ------------------------------------------------------------------
@asset
def my_asset(context):
    asset_key = context.asset_key
    partition_key = context.partition_key if context.has_partition_key else None
    return f"Asset {asset_key} for partition {partition_key}"


def test_build_asset_context_example():
    context = build_asset_context(
        asset_key=AssetKey("my_asset"), partition_key="2023-01-01",
        resources={"database": test_database}, config={"processing_mode": "test"})
    # Dagster prints an AssetKey as AssetKey(['my_asset']); the page shows ['my_asset'].
    assert my_asset(context) == "Asset AssetKey(['my_asset']) for partition 2023-01-01"
    upstream_context = build_asset_context(
        asset_key=AssetKey(["analytics", "user_metrics"]), partition_key="2023-01-01",
        selected_asset_keys={AssetKey("users"), AssetKey("events")},
        resources={"warehouse": {"url": "memory://"}})
    assert upstream_context.selected_asset_keys == {AssetKey("users"), AssetKey("events")}
    assert upstream_context.asset_key == AssetKey(["analytics", "user_metrics"])


# -- InputContext with an input manager ------------------------------------------------------
def test_input_manager_example_loads_through_context(tmp_path):
    pd.DataFrame({"a": [1.0, None, 3.0]}).to_pickle(tmp_path / "raw_data.pkl")
    seen = {}

    class DataWarehouseInputManager(IOManager):
        def load_input(self, context: InputContext) -> pd.DataFrame:
            upstream_output = context.upstream_output
            asset_key = upstream_output.asset_key if upstream_output else None
            seen.update(metadata=context.metadata, has_partitions=context.has_asset_partitions,
                        key=asset_key, warehouse=context.resources.data_warehouse)
            context.log.info(f"Loading input for asset {asset_key}")
            return pd.read_pickle(tmp_path / f"{asset_key.path[-1]}.pkl")

        def handle_output(self, context, obj):
            raise AssertionError("not used")

    @input_manager
    def warehouse_input_manager() -> DataWarehouseInputManager:
        return DataWarehouseInputManager()

    @asset(input_manager_key="warehouse_loader")
    def processed_data(context, raw_data: pd.DataFrame) -> pd.DataFrame:
        return raw_data.dropna()

    result = materialize_to_memory(
        [processed_data],
        resources={"warehouse_loader": warehouse_input_manager, "data_warehouse": "wh"})
    assert result.output_for_node("processed_data")["a"].tolist() == [1.0, 3.0]
    assert seen == {"metadata": {}, "has_partitions": False, "key": AssetKey("raw_data"), "warehouse": "wh"}


# -- OutputContext with an IO manager ---------------------------------------------------------
def test_output_context_example_stores_and_loads_with_metadata(tmp_path):
    bucket = tmp_path / "my-bucket"

    class S3IOManager(IOManager):
        def handle_output(self, context: OutputContext, obj: pd.DataFrame) -> None:
            asset_key = context.asset_key
            file_path = "/".join(asset_key.path) + ".pkl" if asset_key else (
                f"{context.step_key}_{context.name}.pkl")
            bucket.mkdir(exist_ok=True)
            obj.to_pickle(bucket / file_path)
            context.add_output_metadata({"s3_path": f"s3://my-bucket/{file_path}",
                                         "rows": len(obj), "columns": len(obj.columns)})

        def load_input(self, context: InputContext) -> pd.DataFrame:
            return pd.read_pickle(bucket / ("/".join(context.asset_key.path) + ".pkl"))

    @asset(io_manager_key="s3_manager")
    def sales_data(context) -> pd.DataFrame:
        return pd.DataFrame({"date": pd.date_range("2023-01-01", periods=100), "sales": range(100)})

    @asset
    def sales_total(sales_data: pd.DataFrame) -> int:
        return int(sales_data["sales"].sum())

    result = materialize([sales_data, sales_total], resources={"s3_manager": S3IOManager()})
    mat = result.asset_materializations_for_node("sales_data")[0]
    assert mat.metadata["s3_path"].value == "s3://my-bucket/sales_data.pkl"
    assert mat.metadata["rows"].value == 100 and mat.metadata["columns"].value == 2
    assert result.output_for_node("sales_total") == 4950
    assert pd.read_pickle(bucket / "sales_data.pkl")["sales"].sum() == 4950


# -- Executor / @executor -----------------------------------------------------------------
class CustomExecutor(Executor):
    """Runs ready steps in plan order, up to max_concurrent per round."""

    def __init__(self, max_concurrent: int = 4):
        self.max_concurrent = max_concurrent
        self.rounds = 0

    def execute(self, plan_context, execution_plan):
        active = execution_plan.start(plan_context.run_id, plan_context.job_name)
        while not active.is_complete:
            self.rounds += 1
            for step in active.get_steps_to_execute(limit=self.max_concurrent):
                for event in plan_context.execute_step(step):
                    active.handle_event(event)
                    yield event
            yield from active.pop_skip_events()


created = []


@executor(name="custom_executor",
          config_schema={"max_concurrent": Field(Int, default_value=4, description="Max concurrent steps")})
def custom_executor(init_context: InitExecutorContext) -> CustomExecutor:
    made = CustomExecutor(max_concurrent=init_context.executor_config["max_concurrent"])
    created.append(made)
    return made


@op
def op_a():
    return 1


@op
def op_b():
    return 2


@op
def op_c(a, b):
    return a + b


def test_custom_executor_example_runs_steps_with_its_config():
    @job(executor_def=custom_executor)
    def custom_job():
        op_c(op_a(), op_b())

    result = execute_job(custom_job, run_config={"execution": {"config": {"max_concurrent": 1}}})
    assert result.success
    assert result.output_for_node("op_c") == 3
    assert created[-1].max_concurrent == 1 and created[-1].rounds == 3


def test_in_process_executor_example():
    @job(executor_def=in_process_executor)
    def single_process_job():
        op_a()
        op_b()

    result = execute_job(single_process_job)
    assert result.success
    assert [e.step_key for e in result.all_events if e.is_step_success] == ["op_a", "op_b"]  # in name order


def test_multiprocess_executor_example_config_is_accepted_nested():
    @job(executor_def=multiprocess_executor)
    def parallel_job():
        op_c(op_a(), op_b())

    config = {"execution": {"config": {"multiprocess": {
        "max_concurrent": 8, "retries": {"enabled": {}}, "start_method": "spawn"}}}}
    assert validate_run_config(parallel_job, config)["execution"]["config"]["max_concurrent"] == 8


# -- execute_job ------------------------------------------------------------------------------
@op
def hello_op(name: str) -> str:
    return f"Hello, {name}!"


@job
def greeting_job():
    hello_op()


def test_execute_job_example_with_inputs_instance_tags_and_run_id():
    result = execute_job(greeting_job, run_config={"ops": {"hello_op": {"inputs": {"name": {"value": "World"}}}}})
    assert result.output_for_node("hello_op") == "Hello, World!"
    instance = DagsterInstance.ephemeral()
    result = execute_job(
        greeting_job, run_config={"ops": {"hello_op": {"inputs": {"name": {"value": "Alice"}}}}},
        instance=instance, tags={"env": "test", "team": "data"}, run_id="custom-run-id-123")
    assert result.success and result.run_id == "custom-run-id-123"
    assert [e.step_key for e in result.all_events if e.is_step_success] == ["hello_op"]
    assert instance.get_run_by_id("custom-run-id-123").tags["team"] == "data"
    assert result.output_for_node("hello_op") == "Hello, Alice!"
    assert result.failure_info is None


def test_job_execution_result_example_properties():
    result = execute_job(greeting_job, run_config={"ops": {"hello_op": {"inputs": {"name": "Bob"}}}})
    assert result.job_def is greeting_job
    assert all(e.step_key for e in result.step_event_list)
    assert result.output_for_step("hello_op", "result") == "Hello, Bob!"
    assert result.step_outputs_by_step_key == {"hello_op": {"result": "Hello, Bob!"}}
    assert result.asset_materializations == []


# -- materialize ------------------------------------------------------------------------------
@asset
def users() -> pd.DataFrame:
    return pd.DataFrame({"id": [1, 2, 3], "name": ["Alice", "Bob", "Charlie"]})


@asset
def user_stats(users: pd.DataFrame) -> dict:
    return {"count": len(users), "avg_id": users["id"].mean()}


def test_materialize_example_variants(tmp_path):
    result = materialize([users, user_stats])
    assert result.success and result.output_for_node("user_stats") == {"count": 3, "avg_id": 2.0}
    # The page configures `base_path`; Dagster's filesystem IO manager calls it `base_dir`
    # and rejects `base_path`, and so does specrun (with a hint).
    with pytest.raises(DagsterInvalidConfigError) as err:
        materialize([users, user_stats], run_config={"resources": {"io_manager": {"config": {"base_path": "/tmp/x"}}}})
    assert "base_path" in str(err.value) and "base_dir" in str(err.value)
    result = materialize([users, user_stats],
                         run_config={"resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}})
    assert sorted(n.partition("@v-")[0] for n in os.listdir(tmp_path)) == ["user_stats", "users"]

    @resource
    def database():
        return {"connection": "postgresql://localhost/db"}

    defs = Definitions(assets=[users, user_stats], resources={"database": database})
    assert defs.get_implicit_global_asset_job_def().asset_keys == {AssetKey("users"), AssetKey("user_stats")}
    assert materialize([users, user_stats], resources={"database": database}).success


def test_materialize_example_with_partition_selection():
    daily_partitions = DailyPartitionsDefinition(start_date="2023-01-01")

    @asset(partitions_def=daily_partitions)
    def daily_data(context) -> pd.DataFrame:
        return pd.DataFrame({"date": [context.partition_key], "value": [42]})

    result = materialize([daily_data], partition_key="2023-01-15")
    assert result.success
    (mat,) = result.asset_materializations
    assert mat.asset_key == AssetKey("daily_data") and mat.partition == "2023-01-15"
    memory = materialize_to_memory([daily_data], partition_key="2023-01-15")
    assert memory.output_for_node("daily_data")["date"].tolist() == ["2023-01-15"]


# -- build_resources ----------------------------------------------------------------------------
class DatabaseConfig(Config):
    host: str = "localhost"
    port: int = 5432
    database: str = "mydb"


def test_build_resources_example_with_config_class():
    @resource(config_schema=DatabaseConfig)
    def database_resource(config: DatabaseConfig):
        return {"connection": f"postgresql://{config.host}:{config.port}/{config.database}", "pool_size": 10}

    @resource
    def cache_resource():
        return {"redis_url": "redis://localhost:6379"}

    with build_resources(
        {"database": database_resource, "cache": cache_resource},
        run_config={"resources": {"database": {"config": {"host": "prod-db", "port": 5432, "database": "production"}}}},
    ) as resources:
        assert resources.database["connection"] == "postgresql://prod-db:5432/production"
        assert resources.cache["redis_url"] == "redis://localhost:6379"


# -- validate_run_config -------------------------------------------------------------------------
@op(config_schema={"name": String, "count": Int})
def configured_op(context):
    return f"Hello {context.op_config['name']} x{context.op_config['count']}"


@job
def configured_job():
    configured_op()


def test_validate_run_config_example_returns_config_and_raises_with_paths():
    run_config = {"ops": {"configured_op": {"config": {"name": "Alice", "count": 5}}}}
    validated = validate_run_config(configured_job, run_config)
    assert validated["ops"]["configured_op"]["config"] == {"name": "Alice", "count": 5}
    # Dagster raises DagsterInvalidConfigError rather than returning success=False.
    with pytest.raises(DagsterInvalidConfigError) as err:
        validate_run_config(configured_job, {"ops": {"configured_op": {"config": {"name": "A", "cout": 5}}}})
    stacks = [e.stack for e in err.value.errors]
    assert "root:ops:configured_op:config" in stacks
    assert any("cout" in e.message for e in err.value.errors)
