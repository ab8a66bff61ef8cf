"""`RunPayload`: a mutable value class whose `__init__` comes with the package (nothing compiled
when a worker imports it), equal, unhashable and shown as the dataclass it was; pickled without
the job when an origin rebuilds it."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from specrun.runtime.definitions import kept_inits_1, kept_inits_2
from specrun.runtime.executors.child import RunPayload


def _payload(**changes: object) -> RunPayload:
    return RunPayload(**{"run": "r", "raw_run_config": {"a": 1}, "partition_keys": [], "step_keys": None,
                         "root_directory": "/tmp/x", **changes})


def test_a_run_payload_is_made_by_kept_code_not_compiled_code():
    assert RunPayload.__dict__["__init__"].__code__.co_filename in (kept_inits_1.__file__, kept_inits_2.__file__)
    assert RunPayload.__eq__.__code__.co_filename != "<string>"


def test_a_run_payload_compares_shows_and_changes_as_a_mutable_dataclass():
    payload = _payload()
    assert payload == _payload() and payload != _payload(root_directory="/tmp/y")
    assert payload.resource_overrides == {} and payload.resource_overrides is not _payload().resource_overrides
    assert (payload.job, payload.origin, payload.retries, payload.dynamic_partitions) == (None, None, None, {})
    assert repr(payload) == ("RunPayload(run='r', raw_run_config={'a': 1}, partition_keys=[], step_keys=None, "
                             "root_directory='/tmp/x', job=None, origin=None, resource_overrides={}, retries=None, "
                             "dynamic_partitions={})")
    with pytest.raises(TypeError, match="unhashable"):
        hash(payload)
    payload.job = "the job"
    assert payload.job == "the job" and [f.name for f in dataclasses.fields(payload)][-1] == "dynamic_partitions"


def test_a_run_payload_with_an_origin_is_pickled_without_its_job():
    sent = pickle.loads(pickle.dumps(_payload(job="the job", origin="where", resource_overrides={"r": 1})))
    assert (sent.job, sent.origin, sent.resource_overrides) == (None, "where", {})
    kept = pickle.loads(pickle.dumps(_payload(job="the job")))
    assert kept == _payload(job="the job")
