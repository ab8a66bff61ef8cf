"""examples/object_store applied through the CLI against a real S3-protocol server (moto's)."""

from __future__ import annotations

import os
import re

import pytest

from tests.e2e.conftest import specrun_cmd
from tests.s3_server import keys_in, places_in

pytestmark = pytest.mark.slow


def _example(example, bucket: str):
    folder = example("object_store")
    spec = folder / "pipeline.yaml"
    spec.write_text(spec.read_text().replace("s3://specrun-example/", f"s3://{bucket}/"))
    return folder


def _files_under(folder) -> dict[str, bytes]:
    found = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as fh:
                found[path] = fh.read()
    return found


def test_apply_stores_every_output_in_the_bucket_and_plan_trusts_them(example, s3):
    server, bucket = s3
    folder = _example(example, bucket)
    applied = specrun_cmd("apply", "pipeline.yaml", cwd=folder)
    assert applied.returncode == 0, applied.stderr + applied.stdout
    days = [f"2024-03-0{d}" for d in range(1, 8)]
    assert places_in(server, bucket) == sorted(
        [f"sensors/daily_mean/{d}" for d in days] + [f"sensors/readings/{d}" for d in days]
        + ["sensors/weekly_report"])
    assert not os.path.exists(folder / ".specrun" / "storage")  # nothing stored on local disk
    plan = specrun_cmd("plan", "pipeline.yaml", cwd=folder)
    assert "0 to run, 15 up to date" in plan.stdout


def test_a_deleted_object_is_a_missing_stored_output(example, s3):
    server, bucket = s3
    folder = _example(example, bucket)
    assert specrun_cmd("apply", "pipeline.yaml", cwd=folder).returncode == 0
    [key] = keys_in(server, bucket, "sensors/daily_mean/2024-03-04")
    server.client().delete_object(Bucket=bucket, Key=key)
    plan = specrun_cmd("plan", "pipeline.yaml", cwd=folder)
    assert "2 to run, 13 up to date" in plan.stdout
    lines = plan.stdout.splitlines()
    assert "stored output is missing" in next(ln for ln in lines if "daily_mean[2024-03-04]" in ln)
    assert "upstream daily_mean will be re-materialized" in next(ln for ln in lines if "weekly_report" in ln)


def test_credentials_from_env_references_are_never_recorded(example, s3):
    server, bucket = s3
    folder = _example(example, bucket)
    spec = folder / "pipeline.yaml"
    spec.write_text(spec.read_text().replace(
        f'base_dir: "s3://{bucket}/sensors"',
        f'base_dir: "s3://{bucket}/sensors", storage_options: {{key: {{env: EXAMPLE_KEY}}, '
        f'secret: {{env: EXAMPLE_SECRET}}, endpoint_url: "{server.url}"}}'))
    secret = "s3cret-that-must-not-be-recorded-91"
    env = {"EXAMPLE_KEY": "example-key", "EXAMPLE_SECRET": secret,
           "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_ENDPOINT_URL": ""}
    applied = specrun_cmd("apply", "pipeline.yaml", cwd=folder, env=env)
    assert applied.returncode == 0, applied.stderr + applied.stdout
    logs = specrun_cmd("logs", "pipeline.yaml", cwd=folder, env=env)
    recorded = _files_under(folder / ".specrun")
    assert recorded and "sensors/weekly_report" in places_in(server, bucket)
    for path, content in recorded.items():
        assert secret.encode() not in content, path
    assert secret not in applied.stdout + applied.stderr + logs.stdout + logs.stderr


def test_a_literal_secret_in_the_spec_is_refused_at_its_line(example, s3):
    _server, bucket = s3
    folder = _example(example, bucket)
    spec = folder / "pipeline.yaml"
    spec.write_text(spec.read_text().replace(
        f'base_dir: "s3://{bucket}/sensors"', f'base_dir: "s3://{bucket}/sensors", '
        'storage_options: {secret: "hunter2"}'))
    checked = specrun_cmd("validate", "pipeline.yaml", cwd=folder)
    assert checked.returncode == 1
    assert "pipeline.yaml:17:" in checked.stdout + checked.stderr
    assert "storage option 'secret' looks like a secret" in checked.stdout + checked.stderr
    assert "secret: {env: SOME_VARIABLE}" in checked.stdout + checked.stderr


def test_wrong_credentials_fail_the_apply_with_one_clear_line_per_step(example, s3_checked):
    server, bucket = s3_checked
    folder = _example(example, bucket)
    applied = specrun_cmd("apply", "pipeline.yaml", cwd=folder,
                          env={"AWS_SECRET_ACCESS_KEY": "wrong-secret-77"})
    out = applied.stdout + applied.stderr
    assert applied.returncode == 1
    assert re.search(rf"cannot write s3://{bucket}/sensors/readings/2024-03-01/v-[0-9a-f]+ "
                     rf"\(endpoint {server.url}\): the store refused the credentials "
                     r"\(SignatureDoesNotMatch", out)
    assert "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in out
    assert "wrong-secret-77" not in out
    assert keys_in(server, bucket) == []


def test_a_missing_bucket_is_named(example, s3):
    _server, _bucket = s3
    folder = _example(example, "specrun-no-such-bucket")
    applied = specrun_cmd("apply", "pipeline.yaml", cwd=folder)
    assert applied.returncode == 1
    assert "the bucket 'specrun-no-such-bucket' does not exist; create it, or fix base_dir" in applied.stdout + applied.stderr


def test_a_replaced_object_does_not_match_its_record_and_old_versions_are_collected(example, s3):
    server, bucket = s3
    folder = _example(example, bucket)
    assert specrun_cmd("apply", "pipeline.yaml", cwd=folder).returncode == 0
    first = keys_in(server, bucket)
    [key] = keys_in(server, bucket, "sensors/readings/2024-03-02/")
    server.client().put_object(Bucket=bucket, Key=key, Body=b"not a pickle")
    plan = specrun_cmd("plan", "pipeline.yaml", cwd=folder)
    line = next(ln for ln in plan.stdout.splitlines() if "readings[2024-03-02]" in ln)
    assert "stored output does not match its record (size 12" in line
    assert specrun_cmd("apply", "pipeline.yaml", "--force", cwd=folder).returncode == 0
    second = keys_in(server, bucket)
    assert len(second) == len(first) == 15  # one version per place: the superseded ones are gone
    assert not set(first) & set(second)
    assert "0 to run" in specrun_cmd("plan", "pipeline.yaml", cwd=folder).stdout
