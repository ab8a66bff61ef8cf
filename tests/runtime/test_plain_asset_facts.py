"""upstream_output_facts: a plain asset output's facts, as new_output_facts makes them, kept."""

from __future__ import annotations

from specrun import DailyPartitionsDefinition, asset
from specrun.runtime.definitions.jobs import build_asset_job
from specrun.runtime.outputs import new_output_facts
from specrun.runtime.plain_asset_facts import upstream_output_facts
from specrun.runtime.step_recipe import JobProgram


@asset(io_manager_key="other", key_prefix=["deep"])
def plain():
    return 1


@asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"))
def daily():
    return 1


def _slots(facts) -> dict:
    return {name: getattr(facts, name) for cls in type(facts).__mro__
            for name in getattr(cls, "__slots__", ()) if name != "__weakref__" and hasattr(facts, name)}


def test_a_plain_assets_output_gets_new_output_facts_slots_kept_for_its_own_recipe():
    job = build_asset_job("plain_only", [plain])
    program = JobProgram(job)
    assert program.plain_assets
    node = job.nodes["deep__plain"]
    made = upstream_output_facts(program, node, "result")
    assert program.facts[("deep__plain", "result")] is made
    assert program.output_facts(node, "result") is made
    assert _slots(made) == _slots(new_output_facts(JobProgram(job), node, "result"))
    assert made.store_key == ("deep", "plain") and made.io_manager_key == "other"


def test_a_partitioned_asset_or_a_job_not_told_gets_the_programs_own_facts():
    job = build_asset_job("with_daily", [plain, daily])
    told = JobProgram(job)
    assert told.plain_assets  # (each node a plain asset's, one of them partitioned)
    node = job.nodes["daily"]
    facts = upstream_output_facts(told, node, "result")
    assert facts is told.output_facts(node, "result")
    assert facts.store_key is None and facts.per_partition  # (a partitioned value)
    untold = JobProgram(job)
    untold.plain_assets = False  # (as a job not told it would be)
    node = job.nodes["deep__plain"]
    facts = upstream_output_facts(untold, node, "result")
    assert facts is untold.output_facts(node, "result")
    assert _slots(facts) == _slots(new_output_facts(JobProgram(job), node, "result"))
