"""runtime.definitions.hooks: success and failure hooks, as in Dagster."""

from __future__ import annotations

import pytest

from specrun import (
    AssetSelection, Definitions, DefinitionError, HookContext, asset, build_hook_context,
    define_asset_job, failure_hook, job, op, resource, success_hook,
)

CALLS: list = []


@success_hook(required_resource_keys={"channel"})
def announce(context: HookContext):
    CALLS.append(("success", context.step_key, context.resources.channel, dict(context.op_output_values)))
    context.log.info(f"announced {context.op.name}")


@failure_hook
def page(context: HookContext):
    CALLS.append(("failure", context.step_key, type(context.op_exception).__name__))


@failure_hook(name="broken_hook")
def broken(context):
    raise RuntimeError("the pager is down")


@resource
def channel(_):
    return "#data"


@op
def extract():
    return 3


@op
def transform(value):
    raise ValueError(f"bad value {value}")


def test_invocation_and_job_hooks_run_by_outcome_and_never_change_it():
    CALLS.clear()

    @job(resource_defs={"channel": channel}, hooks={page, broken})
    def pipeline():
        transform(extract.with_hooks({announce})())

    result = pipeline.execute_in_process(raise_on_error=False)
    assert CALLS == [("success", "extract", "#data", {"result": 3}),
                     ("failure", "transform", "ValueError")]
    events = [(e.event_type.value, e.step_key, e.message) for e in result.all_events
              if e.event_type.value.startswith("HOOK_")]
    assert events == [  # the invocation's hooks, then the job's by name
        ("HOOK_COMPLETED", "extract", 'Finished hook "announce" triggered by step "extract".'),
        ("HOOK_SKIPPED", "extract", 'Skipped hook "broken_hook": it runs on failure, and step "extract" ended in success.'),
        ("HOOK_SKIPPED", "extract", 'Skipped hook "page": it runs on failure, and step "extract" ended in success.'),
        ("HOOK_ERRORED", "transform", 'Hook "broken_hook" failed after step "transform": RuntimeError: the pager is down'),
        ("HOOK_COMPLETED", "transform", 'Finished hook "page" triggered by step "transform".'),
    ]
    assert [e.message for e in result.log_messages] == ["announced extract"]
    assert [e.step_key for e in result.get_step_failure_events()] == ["transform"]  # not the hook's


def test_a_hook_needing_a_resource_nobody_provides_is_a_definition_error():
    with pytest.raises(DefinitionError, match="resource 'channel' required by"):
        @job(resource_defs={"other": channel}, hooks={announce})
        def missing():
            extract()


def test_asset_jobs_take_hooks_and_hooks_can_be_called_directly():
    CALLS.clear()

    @asset
    def numbers():
        return [1, 2]

    defs = Definitions(assets=[numbers], resources={"channel": channel},
                       jobs=[define_asset_job("numbers_job", AssetSelection.all(), hooks={announce})])
    assert defs.get_job_def("numbers_job").execute_in_process().success
    assert CALLS == [("success", "numbers", "#data", {"result": [1, 2]})]

    page(build_hook_context(op_exception=KeyError("x")))
    assert CALLS[-1] == ("failure", None, "KeyError")
