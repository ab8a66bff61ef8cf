"""Ops wired into the `numbers` job of pipeline.yaml."""


def fetch(context) -> list[int]:
    return list(range(context.op_config["count"]))


def double(values: list[int]) -> list[int]:
    return [v * 2 for v in values]


def square(values: list[int]) -> list[int]:
    return [v * v for v in values]


def combine(context, doubled: list[int], squared: list[int]) -> int:
    total = sum(doubled) + sum(squared)
    context.log.info(f"total {total}")
    return total
