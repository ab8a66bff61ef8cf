def alpha() -> int:
    return 1


def beta() -> int:
    return 2


def gamma(alpha: int, beta: int) -> int:
    return alpha + beta
