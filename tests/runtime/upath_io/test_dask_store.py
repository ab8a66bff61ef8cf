"""A Dask run whose two workers share no disk: each runs in its own empty temporary directory,
and values pass between them only through the S3 bucket."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from specrun import Instance, dask_executor, materialize
from tests.e2e.conftest import ROOT
from tests.runtime.upath_io.dask_assets import ASSETS, DIRECTIONS
from tests.s3_server import places_in

pytestmark = pytest.mark.slow
distributed = pytest.importorskip("distributed")


def _start(args: list[str], cwd, env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", *args], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture
def two_isolated_workers(tmp_path, s3):
    """A scheduler and two single-thread workers, each started in its own empty folder."""
    server, _bucket = s3
    env = {**os.environ, **server.env(), "PYTHONPATH": ROOT}
    scheduler_file = tmp_path / "scheduler.json"
    folders = [tmp_path / "worker-a", tmp_path / "worker-b"]
    processes = [_start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                         "--no-dashboard", "--scheduler-file", str(scheduler_file)], tmp_path, env)]
    try:
        for folder in folders:
            folder.mkdir()
            processes.append(_start(
                ["distributed.cli.dask_worker", "--scheduler-file", str(scheduler_file),
                 "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                 "--local-directory", str(folder / "dask-scratch")], folder, env))
        with distributed.Client(scheduler_file=str(_wait_for(scheduler_file)), timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            yield client.scheduler.address, folders
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


def _wait_for(path, timeout=60):
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the Dask scheduler did not start")
        time.sleep(0.1)
    return path


def _stored_files(folder) -> list[str]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "dask-scratch"]  # Dask's own spill/scratch space
        found += [os.path.relpath(os.path.join(root, f), folder) for f in files]
    return found


def test_workers_with_separate_empty_folders_pass_values_only_through_the_store(
        two_isolated_workers, s3, tmp_path):
    address, folders = two_isolated_workers
    server, bucket = s3
    run_config = {"execution": {"config": {"address": address}},
                  "resources": {"io_manager": {"config": {"base_dir": f"s3://{bucket}/dask"}}}}
    result = materialize(ASSETS, run_config=run_config, executor_def=dask_executor,
                         partition_keys=DIRECTIONS.get_partition_keys(),
                         instance=Instance.ephemeral())
    assert result.success
    compass = result.output_for_node("compass")
    worker_dirs = {str(f) for f in folders}
    sources = compass["read"]
    assert [s["name"] for s in sources] == ["north", "south", "east", "west"]
    assert {s["cwd"] for s in sources} == worker_dirs  # both workers computed sources
    assert compass["cwd"] in worker_dirs
    # compass read at least one value written by the other worker, from the bucket
    assert any(s["pid"] != compass["pid"] for s in sources)
    assert places_in(server, bucket) == ["dask/compass", "dask/reading/east", "dask/reading/north",
                                         "dask/reading/south", "dask/reading/west"]
    for folder in folders:
        assert _stored_files(folder) == []
