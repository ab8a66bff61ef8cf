"""A daily-partitioned source, a daily aggregate and an unpartitioned roll-up."""


def events(context) -> list[dict]:
    day = context.partition_key
    window = context.partition_time_window
    context.log.info(f"events for {day} ({window.start:%H:%M}..{window.end:%H:%M})")
    n = int(day[-2:])
    return [{"day": day, "value": i} for i in range(n)]


def daily_counts(events: list[dict]) -> int:
    return len(events)


def monthly_total(daily_counts: dict[str, int]) -> int:
    # An unpartitioned asset reading a partitioned one receives {partition_key: value}.
    return sum(daily_counts.values())
