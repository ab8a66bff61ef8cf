"""Ops wired into the `numbers` job of pipeline.yaml."""


def fetch(context) -> list[int]:
    return list(range(context.op_config["count"]))


def double(context, values: list[int]) -> list[int]:
    # A flaky dependency: the first attempt fails, the retry policy of pipeline.yaml
    # (`retry: {max_retries: 2}`) runs the op again and the second attempt succeeds.
    if context.retry_number == 0:
        raise ConnectionError("upstream service timed out (first attempt fails on purpose)")
    return [v * 2 for v in values]


def square(values: list[int]) -> list[int]:
    return [v * v for v in values]


def combine(context, doubled: list[int], squared: list[int]) -> int:
    total = sum(doubled) + sum(squared)
    context.log.info(f"total {total}")
    return total
