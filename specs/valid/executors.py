"""Functions for the executor tests: a flaky step, a partitioned asset."""

import os


def flaky(context) -> int:
    marker = os.environ["SPECRUN_TEST_FLAKY_MARKER"]
    if not os.path.exists(marker):
        open(marker, "w").close()
        raise RuntimeError("first attempt fails")
    return context.retry_number


def per_day(context) -> str:
    return f"day {context.partition_key}"
