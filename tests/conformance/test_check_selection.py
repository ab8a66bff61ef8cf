"""Selecting asset checks (issue #14 item 7): `AssetSelection.all_asset_checks()`,
`checks_for_assets`, `checks`, `without_checks`, and what selecting assets does to their checks."""

from __future__ import annotations

import pytest

from tests.conformance.api import dg


@dg.asset
def nums():
    return [1, 2]


@dg.asset
def total(nums):
    return sum(nums)


@dg.asset_check(asset=nums)
def nums_nonempty(nums):
    return dg.AssetCheckResult(passed=len(nums) > 0)


@dg.asset_check(asset=total)
def total_positive(total):
    return dg.AssetCheckResult(passed=total > 0)


@pytest.fixture
def run(instance, tmp_path):
    """materialize(selection=...) after a first run stored every asset, returning the steps."""
    resources = {"io_manager": dg.FilesystemIOManager(base_dir=str(tmp_path))}
    everything = [nums, total, nums_nonempty, total_positive]
    assert dg.materialize(everything, instance=instance, resources=resources).success

    def materialize(selection):
        result = dg.materialize(everything, instance=instance, resources=resources, selection=selection)
        assert result.success
        return result

    return materialize


def _steps(result):
    return sorted(e.step_key for e in result.get_step_success_events())


def test_all_asset_checks_runs_the_checks_alone_on_stored_values(run):
    result = run(dg.AssetSelection.all_asset_checks())
    assert _steps(result) == ["nums_nums_nonempty", "total_total_positive"]
    assert result.get_asset_materialization_events() == []
    assert sorted((e.asset_key.to_user_string(), e.check_name, e.passed)
                  for e in result.get_asset_check_evaluations()) == [
        ("nums", "nums_nonempty", True), ("total", "total_positive", True)]


def test_selecting_an_asset_selects_its_checks_unless_without_checks(run):
    assert _steps(run(dg.AssetSelection.assets(total))) == ["total", "total_total_positive"]
    assert _steps(run(dg.AssetSelection.assets(nums).without_checks())) == ["nums"]
    assert _steps(run(dg.AssetSelection.assets(nums) - dg.AssetSelection.all_asset_checks())) == ["nums"]


def test_checks_for_assets_and_checks_select_checks_by_asset_and_by_definition(run):
    assert _steps(run(dg.AssetSelection.checks_for_assets(total))) == ["total_total_positive"]
    assert _steps(run(dg.AssetSelection.checks(nums_nonempty) | dg.AssetSelection.assets(total))) == [
        "nums_nums_nonempty", "total", "total_total_positive"]


def test_an_asset_job_of_all_asset_checks(instance, tmp_path):
    resources = {"io_manager": dg.FilesystemIOManager(base_dir=str(tmp_path))}
    dg.materialize([nums, total], instance=instance, resources=resources)
    defs = dg.Definitions(assets=[nums, total], asset_checks=[nums_nonempty, total_positive],
                          jobs=[dg.define_asset_job("checks_only", selection=dg.AssetSelection.all_asset_checks())],
                          resources=resources)
    result = defs.get_job_def("checks_only").execute_in_process(instance=instance)
    assert _steps(result) == ["nums_nums_nonempty", "total_total_positive"]
