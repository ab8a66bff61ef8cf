"""Functions used by the specs in specs/valid and specs/invalid."""

import os
import time

from specrun import AssetCheckResult


def source(context) -> list[int]:
    return list(range(context.op_config.get("n", 3) if context.op_config else 3))


def double(values: list[int]) -> list[int]:
    return [v * 2 for v in values]


def total(doubled: list[int]) -> int:
    return sum(doubled)


def positive(total: int) -> AssetCheckResult:
    return AssetCheckResult(passed=total >= 0)


def slow(context) -> int:
    time.sleep(float(os.environ.get("SPECRUN_TEST_SLEEP", "0.3")))
    return 1


def after_slow(slow: int) -> int:
    if os.environ.get("SPECRUN_TEST_FAIL_ONCE") and not os.path.exists(os.environ["SPECRUN_TEST_FAIL_ONCE"]):
        open(os.environ["SPECRUN_TEST_FAIL_ONCE"], "w").close()
        raise RuntimeError("failing once on purpose")
    return slow + 1


def crash() -> int:
    os._exit(3)


def fails(context) -> int:
    raise ValueError("bad input row 7")


def needs_two(a: int, b: int) -> int:
    return a + b
