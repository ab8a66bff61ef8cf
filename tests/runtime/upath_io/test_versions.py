"""Versioned values in the store: the record names the version read; plan's check; collection."""

from __future__ import annotations

import pickle

from specrun import AssetKey
from specrun.runtime.context.io import InputContext, OutputContext
from specrun.runtime.storage import layout
from specrun.runtime.storage.stored import stored_facts
from specrun.runtime.upath_io import PickledObjectUPathIOManager, object_store_io_manager
from specrun.runtime.upath_io.versions import collect_objects, object_mismatch
from tests.s3_server import keys_in

ORDERS = AssetKey("orders")


def _store(manager, value, version, partition=None) -> dict:
    context = OutputContext("orders", "result", asset_key=ORDERS,
                            partition_keys=(partition,) if partition else ())
    context.data_version = version
    manager.handle_output(context, value)
    return stored_facts(context.get_logged_metadata())


def _load(manager, recorded: dict):
    context = InputContext("orders", asset_key=ORDERS)
    context._data_version_lookup = lambda key, partition: recorded.get((key, partition))
    return manager.load_input(context)


def test_a_value_is_stored_under_its_version_and_described_for_the_record(s3):
    server, bucket = s3
    manager = PickledObjectUPathIOManager(f"s3://{bucket}/v")
    facts = _store(manager, [1, 2], "dv-1")
    key = f"v/orders/{layout.version_file('dv-1')}"
    assert keys_in(server, bucket) == [key]
    assert facts["kind"] == "object" and facts["url"] == f"s3://{bucket}/{key}"
    assert facts["size"] == len(pickle.dumps([1, 2], protocol=pickle.HIGHEST_PROTOCOL))
    head = server.client().head_object(Bucket=bucket, Key=key)
    assert facts["etag"] == head["ETag"].strip('"')
    assert object_mismatch(facts) is None


def test_readers_read_the_version_the_record_names_never_a_newer_unrecorded_one(s3):
    _server, bucket = s3
    manager = PickledObjectUPathIOManager(f"s3://{bucket}/v")
    _store(manager, "recorded", "dv-1")
    _store(manager, "written by a step killed before its record", "dv-2")
    assert _load(manager, {(ORDERS, None): "dv-1"}) == "recorded"
    assert _load(manager, {}) == "written by a step killed before its record"  # no record: newest


def test_plan_sees_a_missing_or_replaced_object(s3):
    server, bucket = s3
    facts = _store(PickledObjectUPathIOManager(f"s3://{bucket}/v"), list(range(100)), "dv-1")
    key = facts["url"].split(f"s3://{bucket}/", 1)[1]
    server.client().put_object(Bucket=bucket, Key=key, Body=b"truncated")
    assert object_mismatch(facts) == (
        f"stored output does not match its record (size 9, recorded {facts['size']})")
    server.client().put_object(Bucket=bucket, Key=key, Body=b"x" * facts["size"])
    assert object_mismatch(facts) == "stored output does not match its record (ETag)"
    server.client().delete_object(Bucket=bucket, Key=key)
    assert object_mismatch(facts) == "stored output is missing"


def test_the_record_keeps_env_references_and_plan_resolves_them(s3, monkeypatch):
    server, bucket = s3
    monkeypatch.setenv("PLAN_KEY", server.key)
    monkeypatch.setenv("PLAN_SECRET", server.secret)
    manager = object_store_io_manager(f"s3://{bucket}/e", {
        "key": {"env": "PLAN_KEY"}, "secret": {"env": "PLAN_SECRET"}, "endpoint_url": server.url})
    facts = _store(manager, 1, "dv-1")
    assert facts["storage_options"] == {"key": {"env": "PLAN_KEY"}, "secret": {"env": "PLAN_SECRET"},
                                        "endpoint_url": server.url}
    assert server.secret not in repr(facts)
    assert object_mismatch(facts) is None
    monkeypatch.delenv("PLAN_SECRET")
    assert object_mismatch(facts).startswith("stored output cannot be checked (ConfigError")


def test_superseded_versions_are_collected_once_a_newer_record_names_its_own(s3):
    server, bucket = s3
    manager = PickledObjectUPathIOManager(f"s3://{bucket}/c")
    _store(manager, "old", "dv-1", partition="2024-01-01")
    _store(manager, "other partition", "dv-1", partition="2024-01-02")
    newer = _store(manager, "new", "dv-2", partition="2024-01-01")
    removed = collect_objects(newer)
    assert removed == [f"s3://{bucket}/c/orders/2024-01-01/{layout.version_file('dv-1')}"]
    assert keys_in(server, bucket) == [f"c/orders/2024-01-01/{layout.version_file('dv-2')}",
                                       f"c/orders/2024-01-02/{layout.version_file('dv-1')}"]
