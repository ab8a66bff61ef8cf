"""Retry policies: how often, and after how long, a failed step is tried again."""

from __future__ import annotations

import enum
import math
import random
from typing import Optional

from .values import value_class


class Backoff(enum.Enum):
    LINEAR = "LINEAR"
    EXPONENTIAL = "EXPONENTIAL"


class Jitter(enum.Enum):
    FULL = "FULL"
    PLUS_MINUS = "PLUS_MINUS"


MAX_RETRY_DELAY = 86400.0  # seconds: the longest wait before a retry


@value_class(frozen=True)
class RetryPolicy:
    """Retry a failed step up to `max_retries` times, waiting `delay` seconds (with backoff)."""

    max_retries: int = 1
    delay: Optional[float] = None
    backoff: Optional[Backoff] = None
    jitter: Optional[Jitter] = None

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.backoff is not None and self.delay is None:
            raise ValueError("a backoff needs a delay")
        if self.delay is not None and not 0 <= self.delay <= MAX_RETRY_DELAY:  # also refuses nan
            raise ValueError(f"delay must be between 0 and {MAX_RETRY_DELAY} seconds (a day), got {self.delay}")
        if isinstance(self.backoff, str):
            object.__setattr__(self, "backoff", Backoff(self.backoff.upper()))
        if isinstance(self.jitter, str):
            object.__setattr__(self, "jitter", Jitter(self.jitter.upper()))

    def delay_for(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number `attempt` (1 for the first retry). As Dagster:
        LINEAR waits delay * n, EXPONENTIAL waits delay * (2**n - 1), i.e. 1, 3, 7 x delay."""
        if not self.delay:
            return 0.0
        if self.backoff is Backoff.EXPONENTIAL:
            base = min(MAX_RETRY_DELAY, _doubled(self.delay, attempt) - self.delay)
        elif self.backoff is Backoff.LINEAR:
            base = min(MAX_RETRY_DELAY, self.delay * attempt)
        else:
            base = self.delay
        rand = (rng or random).random()
        if self.jitter is Jitter.FULL:
            return base * rand
        if self.jitter is Jitter.PLUS_MINUS:
            return max(0.0, base + self.delay * (2 * rand - 1))
        return base


def _doubled(delay: float, times: int) -> float:
    """`delay * 2**times`, infinite past the largest float. `delay * (2**times - 1)` overflows
    from 2 ** 1024 on, and capping the exponent instead would stop a tiny delay short of the cap."""
    try:
        return math.ldexp(delay, times)
    except OverflowError:
        return math.inf


class RetryMode(enum.Enum):
    """Whether an executor honours retries (Dagster's `retries` executor config)."""

    ENABLED = "enabled"
    DISABLED = "disabled"

    @staticmethod
    def from_config(value: object) -> "RetryMode":
        if isinstance(value, dict) and "disabled" in value:
            return RetryMode.DISABLED
        return RetryMode.ENABLED
