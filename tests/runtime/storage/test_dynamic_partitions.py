"""Dynamic partition keys in every run storage (memory, SQLite, PostgreSQL): added once each,
read back in the order added, deleted one by one, kept per definition name."""

from __future__ import annotations

import multiprocessing

from specrun.runtime.storage import open_run_storage


def test_keys_are_added_once_each_in_order_and_kept_per_name(storage):
    storage.add_dynamic_partitions("fruits", ["b", "a"])
    storage.add_dynamic_partitions("fruits", ["a", "c"])
    storage.add_dynamic_partitions("veg", ["leek"])
    assert storage.get_dynamic_partitions("fruits") == ["b", "a", "c"]
    assert storage.get_dynamic_partitions("veg") == ["leek"]
    assert storage.get_dynamic_partitions("nothing") == []
    assert storage.has_dynamic_partition("fruits", "a")
    assert not storage.has_dynamic_partition("veg", "a")


def test_a_deleted_key_is_gone_and_deleting_an_absent_one_does_nothing(storage):
    storage.add_dynamic_partitions("fruits", ["b", "a", "c"])
    storage.delete_dynamic_partition("fruits", "a")
    storage.delete_dynamic_partition("fruits", "zz")
    assert storage.get_dynamic_partitions("fruits") == ["b", "c"]
    storage.add_dynamic_partitions("fruits", ["a"])  # added again: now last
    assert storage.get_dynamic_partitions("fruits") == ["b", "c", "a"]


def test_keys_survive_reopening_the_sql_store(sql_url):
    open_run_storage(sql_url).add_dynamic_partitions("fruits", ["apple"])
    assert open_run_storage(sql_url).get_dynamic_partitions("fruits") == ["apple"]


def _add(url: str, keys: list) -> None:
    store = open_run_storage(url)
    for key in keys:
        store.add_dynamic_partitions("shared", [key, "common"])


def test_two_processes_adding_the_same_keys_store_each_once(sql_url):
    ctx = multiprocessing.get_context("spawn")
    open_run_storage(sql_url)  # migrate once before the writers race
    procs = [ctx.Process(target=_add, args=(sql_url, [f"{i}-{n}" for n in range(20)])) for i in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    keys = open_run_storage(sql_url).get_dynamic_partitions("shared")
    assert sorted(keys) == sorted(["common", *[f"{i}-{n}" for i in range(2) for n in range(20)]])
