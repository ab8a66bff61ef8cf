"""A job pickled once for worker processes, and pickled again when what its code reads changed."""

from __future__ import annotations

import pickle

from specrun import job, op
from specrun.runtime.executors.pickled_job import pickled_job

LIMIT = 5


def _job_reading(values: list):
    @op
    def reads():
        return (LIMIT, list(values))

    @job
    def reader():
        reads()

    return reader


def _result_of(data: bytes):
    return pickle.loads(data).nodes["reads"].op_def.compute_fn()


def test_a_second_run_of_an_unchanged_job_sends_the_same_bytes_without_pickling_again():
    reader = _job_reading([1])
    digest, data = pickled_job(reader)
    again = pickled_job(reader)
    assert again[0] == digest
    assert again[1] is data  # the bytes kept, not equal bytes made again
    assert _result_of(data) == (5, [1])


def test_a_global_rebound_between_runs_is_pickled_again():
    global LIMIT
    reader = _job_reading([1])
    first = pickled_job(reader)
    LIMIT = 7
    try:
        second = pickled_job(reader)
    finally:
        LIMIT = 5
    assert second[0] != first[0]
    assert _result_of(second[1]) == (7, [1])


def test_a_closure_value_changed_in_place_between_runs_is_pickled_again():
    values = [1]
    reader = _job_reading(values)
    first = pickled_job(reader)
    values.append(2)
    second = pickled_job(reader)
    assert second[0] != first[0]
    assert _result_of(second[1]) == (5, [1, 2])


def test_a_job_with_a_class_pickled_by_value_is_pickled_every_run():
    class Local:  # defined in a function: cloudpickle pickles it by value
        size = 1

    @op
    def sized():
        return Local.size

    @job
    def with_class():
        sized()

    first = pickled_job(with_class)
    Local.size = 2
    second = pickled_job(with_class)
    assert second[1] is not first[1]
    assert pickle.loads(second[1]).nodes["sized"].op_def.compute_fn() == 2
