"""specrun/runtime/node_facts.py: one walk over a job's nodes answers what a first run asks."""

from __future__ import annotations

from typing import Annotated

import pytest

from specrun import (
    AssetSpec, DailyPartitionsDefinition, In, ResourceParam, asset, job, mem_io_manager, op,
    success_hook,
)
from specrun.errors import DefinitionError
from specrun.runtime import node_facts
from specrun.runtime.definitions.jobs import JobDefinition, build_asset_job
from specrun.runtime.definitions.nodes import FromConfig
from specrun.runtime.job_cache import NODES_FREE, PARTITIONED_ASSETS, RESOURCES_NEEDED
from specrun.runtime.node_facts import TIMEOUT_TAGGED, node_fact
from specrun.runtime.timeouts import STEP_TIMEOUT_TAG


@success_hook(required_resource_keys={"slack"})
def notify(context):
    return None


@success_hook(required_resource_keys={"pager"})
def page(context):
    return None


def _op_jobs() -> list[JobDefinition]:
    @op
    def one():
        return 1

    @op
    def tagged():
        return 1

    @op(required_resource_keys={"db"})
    def reads_db(x):
        return x

    @op
    def with_param(x, cache: Annotated[object, ResourceParam]):
        return x

    @op(config_schema={"n": int})
    def configured(x):
        return x

    @op(tags={STEP_TIMEOUT_TAG: "5"})
    def timed(x):
        return x

    @op(ins={"y": In()})
    def unwired(y):  # its input comes from run config
        return y

    @job(hooks={page})
    def varied():
        a = one()
        reads_db(a)
        with_param(a)
        timed(a)
        tagged.tag({STEP_TIMEOUT_TAG: "2"})()  # (a tag of the invocation, not of the op)
        one.alias("hooked").with_hooks([notify])()

    @job
    def configured_job():
        configured(one())

    @job
    def unwired_job():
        unwired()

    @job
    def chain():
        timed(one())

    return [varied, configured_job, unwired_job, chain,
            JobDefinition(name="empty", hook_defs=frozenset({page}))]


def _asset_jobs() -> list[JobDefinition]:
    @asset(io_manager_key="custom")
    def kept():
        return 1

    @asset(io_manager_key="own", resource_defs={"own": mem_io_manager})
    def brings_its_manager():
        return 1

    @asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"))
    def daily():
        return 1

    built = [build_asset_job("plain", [kept]),
             build_asset_job("brings its manager", [kept, brings_its_manager]),
             build_asset_job("some partitioned", [daily, kept, AssetSpec("source")])]
    # The same nodes in a job built without being told anything: every fact walked.
    return built + [JobDefinition(name=j.name + " again", nodes=j.nodes, resource_defs=j.resource_defs)
                    for j in built]


def _replaced_walks(job_def: JobDefinition) -> dict:
    """What the four walks `node_fact` replaced answered (before it runs: a resource walk
    told the keys nodes need answers from them)."""
    have = set(job_def.resource_defs) | {"io_manager"}
    return {
        "missing": {key for key, _ in job_def.missing_resource_keys()},
        NODES_FREE: all(node.op_def.config_schema is None
                        and not any(isinstance(s, FromConfig) for s in node.inputs.values())
                        for node in job_def.nodes.values()),
        PARTITIONED_ASSETS: [n.name for n in job_def.nodes.values()
                      if n.asset is not None and n.asset.partitions_def is not None],
        TIMEOUT_TAGGED: [n.name for n in job_def.nodes.values()
                         if STEP_TIMEOUT_TAG in n.op_def.tags or STEP_TIMEOUT_TAG in n.tags],
        "have": have,
    }


@pytest.mark.parametrize("make", [_op_jobs, _asset_jobs])
def test_one_walk_answers_what_the_walks_it_replaced_answered(make):
    jobs = make()
    expected = [_replaced_walks(j) for j in jobs]
    for job_def, old in zip(jobs, expected):
        needed = node_fact(job_def, RESOURCES_NEEDED)
        assert set(needed) - old["have"] == old["missing"], job_def.name
        for key in (NODES_FREE, PARTITIONED_ASSETS, TIMEOUT_TAGGED):
            assert node_fact(job_def, key) == old[key], (job_def.name, key)
    varied, configured_job, unwired_job, chain, empty = _op_jobs() if make is _op_jobs else [None] * 5
    if make is _op_jobs:  # (the values themselves, for the jobs above)
        assert node_fact(varied, RESOURCES_NEEDED) == {"db", "cache", "slack", "pager"}
        assert node_fact(varied, TIMEOUT_TAGGED) == ["timed", "tagged"]
        assert [node_fact(j, NODES_FREE) for j in (varied, configured_job, unwired_job, chain)] == [
            True, False, False, True]
        assert node_fact(empty, RESOURCES_NEEDED) == frozenset()  # (job hooks, but no node)
    else:
        plain, brings, partitioned = jobs[:3]
        assert node_fact(plain, RESOURCES_NEEDED) == node_fact(brings, RESOURCES_NEEDED) == {"custom"}
        assert node_fact(partitioned, PARTITIONED_ASSETS) == ["daily"]


def test_a_jobs_runs_walk_its_nodes_once_for_every_fact(monkeypatch):
    walks = []
    real = node_facts.walk_nodes
    monkeypatch.setattr(node_facts, "walk_nodes",
                        lambda nodes, hooks: walks.append(len(nodes)) or real(nodes, hooks))
    varied = _op_jobs()[0]
    resources = {"db": 1, "cache": 2, "slack": 3, "pager": 4}
    for _ in range(2):
        assert varied.execute_in_process(resources=resources).success
    assert walks == [6]


def test_a_resource_a_node_needs_and_no_run_gives_is_named_by_the_run():
    varied = _op_jobs()[0]
    with pytest.raises(DefinitionError, match="resource 'slack' required by op 'hooked' was not provided"):
        varied.execute_in_process(resources={"db": 1, "cache": 2, "pager": 4})
    assert varied.execute_in_process(resources={"db": 1, "cache": 2, "slack": 3, "pager": 4}).success


def test_a_job_told_what_its_nodes_need_walks_them_only_for_the_other_facts(monkeypatch):
    walks = []
    real = node_facts.walk_nodes
    monkeypatch.setattr(node_facts, "walk_nodes",
                        lambda nodes, hooks: walks.append(len(nodes)) or real(nodes, hooks))
    plain, _, _, plain_again, _, _ = _asset_jobs()
    assert node_fact(plain, PARTITIONED_ASSETS) == [] and node_fact(plain, TIMEOUT_TAGGED) == []
    assert node_fact(plain, RESOURCES_NEEDED) == {"custom"} and node_fact(plain, NODES_FREE) is True
    assert walks == []  # (build_asset_job told it the first two)
    assert node_fact(plain_again, PARTITIONED_ASSETS) == [] and walks == [1]


def test_an_asset_job_of_untagged_ops_is_told_it_has_no_time_limit_tag_and_walks_nothing(monkeypatch):
    walks = []
    for name in ("walk_nodes", "_partitioned_and_tagged"):
        real = getattr(node_facts, name)
        monkeypatch.setattr(node_facts, name,
                            lambda *args, real=real: walks.append(real.__name__) or real(*args))
    plain = _asset_jobs()[0]

    @asset(op_tags={STEP_TIMEOUT_TAG: "5"})
    def timed():
        return 1

    tagged = build_asset_job("tagged", [timed])
    assert [node_fact(j, TIMEOUT_TAGGED) for j in (plain, tagged)] == [[], ["timed"]]
    assert walks == ["_partitioned_and_tagged"]  # (the tagged one's only)
