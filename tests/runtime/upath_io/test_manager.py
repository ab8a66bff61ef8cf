"""The object-store IO managers against a real S3-protocol server (moto's, on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import pickle
import re
import signal
import subprocess
import sys
import time

import pytest

from specrun import (AssetIn, AssetKey, DagsterEventType, DailyPartitionsDefinition, EnvVar, Instance, StaticPartitionsDefinition,
                     asset, fs_io_manager, materialize)
from specrun.runtime.upath_io import ObjectStoreError, PickledObjectUPathIOManager, UPathIOManager
from tests.e2e.conftest import ROOT
from tests.s3_server import keys_in, places_in


def _fs(base_dir: str, **storage_options) -> dict:
    config = {"base_dir": base_dir, **({"storage_options": storage_options} if storage_options else {})}
    return {"resources": {"io_manager": {"config": config}}}


@asset
def orders() -> list[int]:
    return [3, 1, 2]


@asset
def total(orders: list[int]) -> int:
    return sum(orders)


def test_outputs_are_pickled_to_one_object_per_asset_and_read_back_downstream(s3, tmp_path):
    server, bucket = s3
    result = materialize([orders, total], run_config=_fs(f"s3://{bucket}/pipe"),
                         resources={"io_manager": fs_io_manager}, instance=Instance.ephemeral())
    assert result.output_for_node("total") == 6
    assert places_in(server, bucket) == ["pipe/orders", "pipe/total"]
    [orders_key] = [k for k in keys_in(server, bucket) if k.startswith("pipe/orders")]
    body = server.client().get_object(Bucket=bucket, Key=orders_key)["Body"].read()
    assert pickle.loads(body) == [3, 1, 2]
    [event] = result.asset_materializations_for_node("orders")
    assert event.metadata["path"].value == f"s3://{bucket}/{orders_key}"


daily = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04")


@asset(partitions_def=daily)
def visits(context) -> str:
    return f"visits of {context.partition_key}"


@asset(ins={"visits": AssetIn("visits")})
def all_visits(visits: dict) -> list[str]:
    return [visits[k] for k in sorted(visits)]


def test_each_partition_is_its_own_object_and_a_downstream_reads_them_all(s3):
    server, bucket = s3
    config, instance = _fs(f"s3://{bucket}/p"), Instance.ephemeral()
    for day in ("2024-01-01", "2024-01-02", "2024-01-03"):
        materialize([visits], partition_key=day, run_config=config, instance=instance)
    assert places_in(server, bucket) == ["p/visits/2024-01-01", "p/visits/2024-01-02", "p/visits/2024-01-03"]
    result = materialize([visits, all_visits], selection=[all_visits.key], run_config=config,
                         instance=instance)
    assert result.output_for_node("all_visits") == [
        "visits of 2024-01-01", "visits of 2024-01-02", "visits of 2024-01-03"]


odd = StaticPartitionsDefinition(["../../escape", "/abs", "a%2Fb", "a/b"])


@asset(partitions_def=odd)
def tricky(context) -> str:
    return context.partition_key


def test_partition_keys_never_leave_the_base_prefix_and_stay_distinct(s3):
    server, bucket = s3
    for key in odd.get_partition_keys():
        materialize([tricky], partition_key=key, run_config=_fs(f"s3://{bucket}/base"))
    assert places_in(server, bucket) == ["base/tricky/%2E.%2F..%2Fescape", "base/tricky/%2Fabs",
                                       "base/tricky/a%252Fb", "base/tricky/a%2Fb"]
    manager = PickledObjectUPathIOManager(f"s3://{bucket}/base")
    assert str(manager.path_for(["x", ".."], "..")) == f"s3://{bucket}/base/x/%2E./%2E."


class JsonIOManager(UPathIOManager):
    """A user format: JSON text, written through the store's file interface."""

    extension = ".json"

    def dump_to_path(self, context, obj, path):
        with path.open("w") as fh:
            json.dump(obj, fh)

    def load_from_path(self, context, path):
        with path.open("r") as fh:
            return json.load(fh)


def test_a_subclass_writes_its_own_format_with_its_extension(s3):
    server, bucket = s3
    manager = JsonIOManager(f"s3://{bucket}/json")
    result = materialize([orders, total], resources={"io_manager": manager})
    assert result.output_for_node("total") == 6
    keys = keys_in(server, bucket)
    assert [k.rsplit("/v-", 1)[0] for k in keys] in (["json/orders.json", "json/total.json"],
                                                     ["json/orders", "json/total"])
    assert all(k.endswith(".json") for k in keys)
    body = server.client().get_object(Bucket=bucket, Key=keys[0])["Body"].read()
    assert json.loads(body) == [3, 1, 2]


class HalfWritingIOManager(JsonIOManager):
    """Writes part of the value, then fails, inside the store's open file."""

    def dump_to_path(self, context, obj, path):
        with path.open("w") as fh:
            fh.write('{"half": ')
            raise OSError("disk of the serializer failed")


def test_a_write_that_fails_midway_leaves_neither_the_object_nor_its_temporary_key(s3):
    server, bucket = s3
    result = materialize([orders], resources={"io_manager": HalfWritingIOManager(f"s3://{bucket}/j")},
                         raise_on_error=False)
    assert not result.success
    assert keys_in(server, bucket) == []


def test_has_output_follows_the_object_in_the_store(s3):
    from specrun.runtime.context.io import OutputContext

    server, bucket = s3
    manager = PickledObjectUPathIOManager(f"s3://{bucket}/h")
    context = OutputContext("orders", "result", asset_key=orders.key)
    assert manager.has_output(context) is False
    materialize([orders], resources={"io_manager": manager})
    assert manager.has_output(context) is True
    for key in keys_in(server, bucket):
        server.client().delete_object(Bucket=bucket, Key=key)
    assert manager.has_output(context) is False


def test_wrong_credentials_give_one_clear_error_without_the_secret(s3_checked, monkeypatch):
    server, bucket = s3_checked
    monkeypatch.setenv("MY_KEY", server.key)
    monkeypatch.setenv("MY_SECRET", "not-the-secret-4242")
    config = _fs(f"s3://{bucket}/x", key={"env": "MY_KEY"}, secret=EnvVar("MY_SECRET"))
    result = materialize([orders], run_config=config, raise_on_error=False)
    [failure] = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    message = failure.data.error.message
    assert re.search(rf"cannot write s3://{bucket}/x/orders/v-[0-9a-f]+ \(endpoint {server.url}\)", message)
    assert "the store refused the credentials (SignatureDoesNotMatch: The request signature we" in message
    assert "AWS_ACCESS_KEY_ID" in message
    assert "not-the-secret-4242" not in message


def test_a_missing_bucket_is_named_in_the_error(s3):
    with pytest.raises(ObjectStoreError, match="the bucket 'no-such-bucket' does not exist"):
        materialize([orders], run_config=_fs("s3://no-such-bucket/x"))


def test_reading_a_value_never_written_says_to_materialize_it(s3):
    server, bucket = s3
    with pytest.raises(FileNotFoundError, match=f"no stored value for orders at s3://{bucket}/r/orders"):
        materialize([orders, total], selection=[total.key], run_config=_fs(f"s3://{bucket}/r"))


@pytest.mark.slow
@pytest.mark.parametrize("how", ["pickle", "stream"])
def test_a_writer_killed_mid_upload_leaves_no_object_a_reader_could_see(s3, how):
    from specrun.runtime.context.io import OutputContext

    server, bucket = s3
    base = f"s3://{bucket}/k"
    writer = subprocess.Popen([sys.executable, "-m", "tests.runtime.upath_io.writer", base, "120", how],
                              cwd=ROOT, env=os.environ.copy())
    try:
        uploads = _wait_for_multipart_upload(server, bucket, writer)
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == -signal.SIGKILL
    [upload] = [u["Key"] for u in uploads]
    if how == "pickle":  # one upload call, straight to the key of the value's version
        assert re.fullmatch(r"k/big/v-[0-9a-f]+", upload)
    else:  # a subclass's stream goes to a temporary key, moved into place once complete
        assert re.fullmatch(r"k/big/\.tmp-[0-9a-f]+-v-[0-9a-f]+", upload)
    assert keys_in(server, bucket) == []
    manager = PickledObjectUPathIOManager(base)
    assert manager.has_output(OutputContext("big", "result", asset_key=AssetKey("big"))) is False


def _wait_for_multipart_upload(server, bucket, writer, timeout=120):
    """The multipart uploads in progress, as soon as there is one: the writer is mid-upload."""
    deadline = time.monotonic() + timeout
    client = server.client()
    while time.monotonic() < deadline:
        uploads = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        if uploads:
            return uploads
        if writer.poll() is not None:
            raise AssertionError(f"the writer ended ({writer.returncode}) before it started uploading")
        time.sleep(0.01)
    raise AssertionError("no multipart upload started")
