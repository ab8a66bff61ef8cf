"""Throughput of the object-store IO manager against the local filesystem one.

    python bench/object_store.py            # 1,000 small outputs and one 100 MB output
    python bench/object_store.py --quick    # 200 small outputs, 20 MB, one repeat

The S3 store is moto's standalone server on 127.0.0.1, started here (an in-memory Python
server: it measures specrun + s3fs + HTTP on loopback, not a real S3's latency, which adds
~10-30 ms per request in-region). Each IO manager's `handle_output` / `load_input` is called
directly, without a run around it; best of N repeats. Prints one table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from specrun.runtime.context.io import build_input_context, build_output_context  # noqa: E402
from specrun.runtime.io_managers import PickledObjectFilesystemIOManager  # noqa: E402


def start_moto() -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=2).close()
            return process, url
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto server did not start")


def best_of(repeats: int, fn) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def small_outputs(manager, n: int, repeats: int) -> tuple[float, float]:
    """(writes/s, reads/s) of `n` small pickled dicts, one per asset."""
    value = {"id": 1, "name": "row", "values": list(range(10))}
    outs = [build_output_context(asset_key=f"small_{i}") for i in range(n)]
    ins = [build_input_context(asset_key=f"small_{i}") for i in range(n)]
    write = best_of(repeats, lambda: [manager.handle_output(c, value) for c in outs])
    read = best_of(repeats, lambda: [manager.load_input(c) for c in ins])
    return n / write, n / read


def large_output(manager, megabytes: int, repeats: int) -> tuple[float, float]:
    """(write MB/s, read MB/s) of one output of `megabytes` random bytes."""
    value = os.urandom(megabytes * 2**20)
    out, inp = build_output_context(asset_key="large"), build_input_context(asset_key="large")
    write = best_of(repeats, lambda: manager.handle_output(out, value))
    read = best_of(repeats, lambda: manager.load_input(inp))
    return megabytes / write, megabytes / read


def raw_boto3(client, n: int, megabytes: int, repeats: int) -> tuple[float, float, float, float]:
    """The same work as plain boto3 calls on the same server: what the server itself costs."""
    import pickle

    small = pickle.dumps({"id": 1, "name": "row", "values": list(range(10))})
    big = os.urandom(megabytes * 2**20)
    write = best_of(repeats, lambda: [client.put_object(Bucket="bench", Key=f"raw/s{i}", Body=small)
                                      for i in range(n)])
    read = best_of(repeats, lambda: [client.get_object(Bucket="bench", Key=f"raw/s{i}")["Body"].read()
                                     for i in range(n)])
    write_big = best_of(repeats, lambda: client.put_object(Bucket="bench", Key="raw/big", Body=big))
    read_big = best_of(repeats, lambda: client.get_object(Bucket="bench", Key="raw/big")["Body"].read())
    return n / write, n / read, megabytes / write_big, megabytes / read_big


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n, megabytes, repeats = (200, 20, 1) if args.quick else (1000, 100, 3)

    process, url = start_moto()
    os.environ.update(AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_DEFAULT_REGION="us-east-1")
    folder = tempfile.mkdtemp(prefix="specrun-bench-")
    try:
        import boto3

        from specrun.runtime.upath_io import PickledObjectUPathIOManager, open_store

        boto3.client("s3").create_bucket(Bucket="bench")
        managers = {
            "fs (local disk, os.replace)": PickledObjectFilesystemIOManager(os.path.join(folder, "fs")),
            "UPath on local disk (fsspec)": PickledObjectUPathIOManager(open_store(f"file://{folder}/upath")),
            "s3:// (moto on 127.0.0.1)": PickledObjectUPathIOManager(open_store("s3://bench/p")),
            "s3://, storage_options max_concurrency: 1": PickledObjectUPathIOManager(
                open_store("s3://bench/q", {"max_concurrency": 1})),
        }
        rows = [("boto3 put_object/get_object, no specrun (the server's floor)",
                 *raw_boto3(boto3.client("s3"), n, megabytes, repeats))]
        for label, manager in managers.items():
            writes, reads = small_outputs(manager, n, repeats)
            write_mb, read_mb = large_output(manager, megabytes, repeats)
            rows.append((label, writes, reads, write_mb, read_mb))
    finally:
        process.terminate()
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)

    print(f"{n:,} small outputs (~100 B pickles) and one {megabytes} MB output; best of {repeats}")
    print(f"| IO manager | {n:,} small: writes/s | reads/s | {megabytes} MB: write MB/s | read MB/s |")
    print("|---|---|---|---|---|")
    for label, writes, reads, write_mb, read_mb in rows:
        print(f"| {label} | {writes:,.0f} | {reads:,.0f} | {write_mb:,.0f} | {read_mb:,.0f} |")


if __name__ == "__main__":
    main()
