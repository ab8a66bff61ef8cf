"""Fixtures of a real S3-protocol server for the object-store tests: moto's standalone server
on 127.0.0.1 (re-exported by tests/conftest.py).

It runs in its own process. A second one, for the credential tests, has request authentication
on (moto checks access keys and signatures against its IAM users), so wrong credentials are
refused as AWS refuses them; its first few requests, unauthenticated, create the IAM user whose
key those tests use.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass

import pytest


_SETUP_REQUESTS = 3  # create_user, put_user_policy, create_access_key
_ALLOW_ALL = {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@dataclass(frozen=True)
class S3Server:
    """A running server and the credentials of a user allowed everything on it."""

    url: str
    key: str
    secret: str

    def env(self) -> dict[str, str]:
        """The standard AWS variables that point a client at this server."""
        return {"AWS_ACCESS_KEY_ID": self.key, "AWS_SECRET_ACCESS_KEY": self.secret,
                "AWS_ENDPOINT_URL": self.url, "AWS_DEFAULT_REGION": "us-east-1"}

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.url, aws_access_key_id=self.key,
                            aws_secret_access_key=self.secret, region_name="us-east-1")


def _die_with_parent() -> None:
    """In the server's process: end it when the test process dies (a killed or timed-out
    pytest would otherwise leave the server running)."""
    import ctypes
    import signal

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto_server did not answer on {url} within {timeout} s")


def _start(authenticated: bool):
    pytest.importorskip("moto.server", reason="moto[server] runs the S3 server (pip install -e '.[test]')")
    pytest.importorskip("s3fs", reason="the S3 driver is missing: pip install -e '.[s3]'")
    import boto3

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    if authenticated:
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(_SETUP_REQUESTS)
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               preexec_fn=_die_with_parent if sys.platform == "linux" else None)
    try:
        _wait_until_up(url, process)
        if not authenticated:
            yield S3Server(url, "specrun-test-key", "specrun-test-secret")
            return
        iam = boto3.client("iam", endpoint_url=url, aws_access_key_id="setup",
                           aws_secret_access_key="setup", region_name="us-east-1")
        iam.create_user(UserName="specrun")
        iam.put_user_policy(UserName="specrun", PolicyName="all",
                            PolicyDocument=json.dumps(_ALLOW_ALL))
        key = iam.create_access_key(UserName="specrun")["AccessKey"]
        yield S3Server(url, key["AccessKeyId"], key["SecretAccessKey"])
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server in a child process (it accepts any credentials)."""
    yield from _start(authenticated=False)


@pytest.fixture(scope="session")
def s3_server_checking_credentials():
    """moto's S3 server with authentication on: keys and signatures are checked, as AWS does.

    Only for the credential tests: moto's signature check mis-handles keys holding `%`, `+`,
    `:` or `|` (which AWS accepts), so the other tests use the server above.
    """
    yield from _start(authenticated=True)


def _bucket_on(server: S3Server, monkeypatch) -> str:
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    bucket = f"specrun-{uuid.uuid4().hex[:12]}"
    server.client().create_bucket(Bucket=bucket)
    return bucket


@pytest.fixture
def s3(s3_server, monkeypatch):
    """A fresh bucket; the process's AWS variables point at the server. Returns (server, bucket)."""
    return s3_server, _bucket_on(s3_server, monkeypatch)


@pytest.fixture
def s3_checked(s3_server_checking_credentials, monkeypatch):
    """As `s3`, on the server that checks credentials."""
    return s3_server_checking_credentials, _bucket_on(s3_server_checking_credentials, monkeypatch)


def keys_in(server: S3Server, bucket: str, prefix: str = "") -> list[str]:
    """Every object key in `bucket` under `prefix`, read with boto3 (not through specrun)."""
    listed = server.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def places_in(server: S3Server, bucket: str, prefix: str = "") -> list[str]:
    """`keys_in`, each without its version: ``<place>/v-<token>`` -> ``<place>``."""
    return sorted(key.rsplit("/v-", 1)[0] for key in keys_in(server, bucket, prefix))
