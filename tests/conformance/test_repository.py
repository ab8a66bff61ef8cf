"""`@repository` (issue #14 item 7): older code grouping assets and jobs in a function."""

from __future__ import annotations

from tests.conformance.api import dg


@dg.asset
def repo_number() -> int:
    return 1


@dg.op
def repo_op() -> int:
    return 2


@dg.job
def repo_job():
    repo_op()


@dg.repository
def my_repo():
    return [repo_number, repo_job, dg.define_asset_job("numbers_job", selection="repo_number")]


def test_a_repository_lists_its_jobs_and_runs_them():
    assert my_repo.name == "my_repo"
    assert sorted(my_repo.job_names) == ["__ASSET_JOB", "numbers_job", "repo_job"]
    assert my_repo.has_job("repo_job") and not my_repo.has_job("nope")
    assert my_repo.get_job("repo_job").execute_in_process().output_for_node("repo_op") == 2
    result = my_repo.get_job("numbers_job").execute_in_process()
    assert result.success and result.output_for_node("repo_number") == 1
