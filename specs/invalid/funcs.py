"""The few functions the invalid specs name (they fail before anything runs)."""


def source() -> list[int]:
    return [1, 2]


def double(values: list[int]) -> list[int]:
    return values + values


def positive(total: int) -> bool:
    return total > 0


def needs_two(a: int, b: int) -> int:
    return a + b
