"""Checks of a built partitions definition that would otherwise fail only when a plan or a
run lists its keys: no keys at all, an end before the start, a key format that cannot be
read back or gives two windows one key, an offset that overflows the calendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterator, Optional

_NEXT = {"hourly": timedelta(hours=1), "daily": timedelta(days=1), "weekly": timedelta(days=7),
         "monthly": timedelta(days=31)}


def partition_problems(definition: Any, pointer: str) -> Iterator[tuple[str, str, Optional[str]]]:
    """(pointer, message, hint) of each problem of `definition`, declared at `pointer`."""
    for dimension in getattr(definition, "partitions_defs", ()):  # multi: each dimension
        yield from partition_problems(dimension.partitions_def, f"{pointer}/dimensions/{dimension.name}")
    if hasattr(definition, "partitions_defs"):
        return
    if not hasattr(definition, "cadence"):  # static
        keys = definition.get_partition_keys()
        if not keys:
            yield f"{pointer}/keys", "static partitions need at least one key", "write keys: [a, b]"
        for i, key in enumerate(keys):
            problem = unsafe_key_problem(key)
            if problem:
                yield f"{pointer}/keys/{i}", f"partition key {key!r} {problem}", _KEY_HINT
        return
    if "/" in definition.fmt or "\\" in definition.fmt:
        yield (f"{pointer}/fmt", f"partition key format {definition.fmt!r} makes keys with a path separator",
               "use - or _ between the fields, such as %Y-%m-%d")
        return
    yield from _time_window_problems(definition, pointer)


_KEY_HINT = "a partition key names stored files: use letters, digits, - _ . and spaces"


def unsafe_key_problem(key: str) -> Optional[str]:
    """Why `key` cannot be a partition key (it would be a path, not a name), or None."""
    if key.strip() == "":
        return "is empty"
    if key in (".", ".."):
        return "is a relative path"
    if "/" in key or "\\" in key:
        return "contains a path separator"
    if any(ord(c) < 32 or ord(c) == 127 for c in key):
        return "contains a control character"
    return None


def _time_window_problems(definition: Any, pointer: str) -> Iterator[tuple[str, str, Optional[str]]]:
    start, end, fmt, cadence = definition.start, definition.end, definition.fmt, definition.cadence
    if end is not None and end <= start:
        yield (f"{pointer}/end", f"end {_show(end, fmt)!r} is not after start {_show(start, fmt)!r}: "
               "there are no partitions between them", "move the end after the start, or remove it")
        return
    key = start.strftime(fmt)
    try:
        datetime.strptime(key, fmt)
    except ValueError:
        yield (f"{pointer}/fmt" if fmt != type(definition)._default_fmt else f"{pointer}/start",
               f"partition keys in the format {fmt!r} cannot be read back: the first would be {key!r}",
               "use strftime codes with fixed widths, such as %Y-%m-%d, and a start after the year 999")
        return
    following = (start + _NEXT.get(cadence, timedelta(days=1))).strftime(fmt)
    if following == key:
        yield (f"{pointer}/fmt", f"the format {fmt!r} gives different {cadence} windows the same key {key!r}",
               f"include every part of the date a {cadence} window needs")
        return
    try:
        definition.get_last_partition_key()
    except (OverflowError, ValueError):
        yield (f"{pointer}/end_offset", f"end_offset {definition.end_offset} puts the last partition outside "
               "the calendar (years 1 to 9999)", "use a small number of periods, like 1")


def _show(moment: datetime, fmt: str) -> str:
    return moment.strftime(fmt)
