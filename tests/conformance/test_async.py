"""`async def` ops and assets (issue #10 item 8)."""

import asyncio
import inspect
import os

from tests.conformance.api import dg


@dg.op
async def fetch() -> int:
    await asyncio.sleep(0)
    return 5


@dg.op
async def double(x: int) -> int:
    await asyncio.sleep(0)
    return x * 2


@dg.op(out={"low": dg.Out(), "high": dg.Out()})
async def split():
    await asyncio.sleep(0)
    yield dg.Output(1, "low")
    yield dg.Output(9, "high")


@dg.job
def async_job():
    double(fetch())
    split()


def test_async_ops_run_in_process():
    result = async_job.execute_in_process()
    assert result.output_for_node("double") == 10


def test_async_generators_yield_outputs():
    result = async_job.execute_in_process()
    assert result.output_for_node("split", "low") == 1
    assert result.output_for_node("split", "high") == 9


def test_async_ops_run_in_the_multiprocess_executor(instance):
    config = {"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}
    with dg.execute_job(dg.reconstructable(async_job), instance=instance,
                        run_config=config) as result:
        assert result.success
        assert result.output_for_node("double") == 10
        assert result.output_for_node("split", "high") == 9


def test_invoking_an_async_op_directly_returns_a_coroutine():
    returned = fetch()
    assert inspect.iscoroutine(returned)
    assert asyncio.run(returned) == 5


def test_invoking_an_async_op_with_a_context_returns_a_coroutine():
    @dg.op
    async def configured(context) -> str:
        return context.op_config["word"]

    returned = configured(dg.build_op_context(op_config={"word": "hi"}))
    assert inspect.iscoroutine(returned)
    assert asyncio.run(returned) == "hi"


def test_async_assets_materialize():
    @dg.asset
    async def slow_number() -> int:
        await asyncio.sleep(0)
        return 6

    @dg.asset
    async def bigger(slow_number: int) -> int:
        return slow_number + 1

    result = dg.materialize([slow_number, bigger])
    assert result.output_for_node("bigger") == 7
    assert inspect.iscoroutine(r := slow_number()) and asyncio.run(r) == 6


def test_async_op_runs_in_the_process_of_the_step():
    @dg.op
    async def where() -> int:
        return os.getpid()

    @dg.job
    def where_job():
        where()

    assert where_job.execute_in_process().output_for_node("where") == os.getpid()
