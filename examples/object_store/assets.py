"""Sensor readings per day, their daily mean, and a report over the week."""

import random


def readings(context) -> list[float]:
    day = context.partition_key
    rng = random.Random(day)  # the same day always gives the same readings
    return [round(rng.uniform(15, 25), 2) for _ in range(24)]


def daily_mean(readings: list[float]) -> float:
    return round(sum(readings) / len(readings), 3)


def weekly_report(daily_mean: dict[str, float]) -> dict:
    # An unpartitioned asset reading a partitioned one receives {partition_key: value}.
    warmest = max(daily_mean, key=daily_mean.get)
    return {"days": len(daily_mean), "warmest": warmest, "mean": daily_mean[warmest]}
