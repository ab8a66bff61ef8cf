"""Opening stores: URLs, optional drivers, storage options and secrets, error wording."""

from __future__ import annotations

import importlib.util

import pytest

from specrun import EnvVar
from specrun.errors import ConfigError
from specrun.runtime.upath_io import ObjectStoreError, open_store
from specrun.runtime.upath_io.stores import is_url, literal_secrets, storage_options_from_config


@pytest.mark.parametrize("text, expected", [
    ("s3://b/p", True), ("gs://b", True), ("abfs://c/p", True), ("file:///tmp/x", True),
    (".specrun/storage", False), ("/abs/path", False), ("C:\\x", False), ("", False), (None, False),
])
def test_is_url_tells_a_store_url_from_a_folder(text, expected):
    assert is_url(text) is expected


def test_secret_looking_options_must_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("THE_SECRET", "v4lue")
    options = {"endpoint_url": "http://127.0.0.1:9", "key": {"env": "KEY_VAR"},
               "secret": EnvVar("THE_SECRET"), "client_kwargs": {"region_name": "eu"}}
    assert literal_secrets(options) == []
    assert literal_secrets({"key": "AKIA...", "token": "t", "anon": True, "region_name": "x",
                            "client_kwargs": {"aws_secret_access_key": "s", "region_name": "eu"}}) == [
        ("key",), ("token",), ("client_kwargs", "aws_secret_access_key")]
    monkeypatch.setenv("KEY_VAR", "k3y")
    assert storage_options_from_config(options) == {
        "endpoint_url": "http://127.0.0.1:9", "key": "k3y", "secret": "v4lue",
        "client_kwargs": {"region_name": "eu"}}


def test_a_literal_secret_is_refused_naming_the_option():
    with pytest.raises(ConfigError, match="storage option 'secret' looks like a secret"):
        storage_options_from_config({"secret": "plain-text"})
    with pytest.raises(ConfigError, match="'client_kwargs.aws_secret_access_key' looks like a secret"):
        storage_options_from_config({"client_kwargs": {"aws_secret_access_key": "plain"}})


def test_nested_env_references_are_resolved(monkeypatch):
    monkeypatch.setenv("NESTED_SECRET", "n3sted")
    assert storage_options_from_config({"client_kwargs": {"aws_secret_access_key": {"env": "NESTED_SECRET"}}}) \
        == {"client_kwargs": {"aws_secret_access_key": "n3sted"}}


def test_an_unset_variable_is_named():
    with pytest.raises(ConfigError, match='environment variable "SPECRUN_NO_SUCH_VAR" is not set'):
        storage_options_from_config({"key": {"env": "SPECRUN_NO_SUCH_VAR"}})


@pytest.mark.skipif(importlib.util.find_spec("gcsfs") is not None, reason="gcsfs is installed")
def test_a_store_without_its_driver_names_the_extra_to_install():
    with pytest.raises(ObjectStoreError, match=r"pip install 'specrun\[gcs\]'"):
        open_store("gs://bucket/prefix")


@pytest.mark.skipif(importlib.util.find_spec("adlfs") is not None, reason="adlfs is installed")
def test_azure_without_its_driver_names_the_azure_extra():
    with pytest.raises(ObjectStoreError, match=r"pip install 'specrun\[azure\]'"):
        open_store("abfs://container/prefix")


def test_an_unknown_protocol_is_named():
    with pytest.raises(ObjectStoreError, match="fsspec knows no nosuchstore:// store"):
        open_store("nosuchstore://x/y")
