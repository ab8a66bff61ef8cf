"""materialize and materialize_to_memory: the job of the same definitions is worked out once."""

from __future__ import annotations

import pytest

from specrun import (AssetSpec, DagsterInvariantViolationError, asset, fs_io_manager, materialize,
                     materialize_to_memory, mem_io_manager)
from specrun.runtime import materialize as materialize_module


@asset
def source() -> int:
    return 2


@asset(io_manager_key="elsewhere")
def doubled(source: int) -> int:
    return source * 2


@pytest.fixture()
def counted(monkeypatch):
    """The calls of `_split_assets` and of `build_asset_job`, by name; no job kept before."""
    calls: dict[str, int] = {"_split_assets": 0, "build_asset_job": 0}
    monkeypatch.setattr(materialize_module, "_ASSET_JOBS", {})
    for name in calls:
        real = getattr(materialize_module, name)

        def counting(*args, name=name, real=real, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(materialize_module, name, counting)
    return calls


def test_a_second_call_with_the_same_assets_neither_splits_them_nor_builds_their_job(counted):
    for _ in range(3):
        assert materialize_to_memory([source, doubled]).output_for_node("doubled") == 4
    assert counted == {"_split_assets": 1, "build_asset_job": 1}
    for _ in range(2):
        result = materialize([source, doubled], resources={"io_manager": mem_io_manager,
                                                           "elsewhere": mem_io_manager})
        assert result.output_for_node("doubled") == 4
    assert counted == {"_split_assets": 1, "build_asset_job": 1}  # (the same job: both in process)


def test_the_same_assets_in_another_order_or_selection_get_a_job_of_their_own(counted):
    assert materialize_to_memory([source, doubled]).output_for_node("doubled") == 4
    assert materialize_to_memory([doubled, source]).output_for_node("doubled") == 4
    only = materialize_to_memory([source, doubled], selection=["source"])
    assert [e.asset_key.to_user_string() for e in only.get_asset_materialization_events()] == ["source"]
    assert counted == {"_split_assets": 3, "build_asset_job": 3}


def test_a_kept_job_still_keeps_every_io_manager_key_in_memory_and_refuses_an_io_manager(counted):
    first = materialize_to_memory([source, doubled])
    again = materialize_to_memory([source, doubled])
    for result in (first, again):  # (`elsewhere` is not a resource given: in memory, both times)
        assert result.output_for_node("doubled") == 4
    for _ in range(2):
        with pytest.raises(DagsterInvariantViolationError, match="'io_manager'"):
            materialize_to_memory([source, doubled], resources={"io_manager": fs_io_manager})
    assert counted["build_asset_job"] == 1


def test_what_is_not_an_asset_is_refused_on_every_call(counted):
    for _ in range(2):
        with pytest.raises(DagsterInvariantViolationError, match="takes asset definitions"):
            materialize_to_memory([source, 3])
    assert counted == {"_split_assets": 2, "build_asset_job": 0}


def test_definitions_that_cannot_be_hashed_get_their_job_built_on_every_call(counted):
    outside = AssetSpec("outside")  # (its metadata is a dict: it has no hash)
    for _ in range(2):
        assert materialize_to_memory([outside, source]).output_for_node("source") == 2
    assert counted == {"_split_assets": 2, "build_asset_job": 2}


def test_definitions_given_as_an_iterator_are_read_once(counted):
    for _ in range(2):
        result = materialize_to_memory(a for a in (source, doubled))
        assert result.output_for_node("doubled") == 4
        assert materialize(iter([source, doubled]), resources={
            "io_manager": mem_io_manager, "elsewhere": mem_io_manager}).output_for_node("doubled") == 4
    assert counted == {"_split_assets": 1, "build_asset_job": 1}
