"""Partitions definitions that could never list their keys are errors at compile time, at
the option that is wrong."""

from __future__ import annotations

import pytest

from specrun.compiler import compile_spec
from specrun.errors import SpecErrors

FUNCS = "def part(context):\n    return context.partition_key\n"


def _errors(tmp_path, partitions: str):
    (tmp_path / "partition_check_funcs.py").write_text(FUNCS)
    spec = tmp_path / "p.yaml"
    spec.write_text(f"specrun: 1\nname: t\nmodule: partition_check_funcs\npartitions:\n  d: {partitions}\n"
                    "assets:\n  a: {fn: part, partitions: d}\n")
    with pytest.raises(SpecErrors) as caught:
        compile_spec(str(spec))
    return caught.value.errors


@pytest.mark.parametrize("partitions, col, message, hint", [
    ("{type: daily, start: '2024-05-01', end: '2024-01-01'}", 46,
     "end '2024-01-01' is not after start '2024-05-01': there are no partitions between them", "move the end"),
    ("{type: static, keys: []}", 27, "static partitions need at least one key", "write keys: [a, b]"),
    ("{type: static}", 6, "static partitions need at least one key", "write keys: [a, b]"),
    ("{type: daily, start: '2024-01-01', fmt: '%Q'}", 46,
     "partition keys in the format '%Q' cannot be read back: the first would be '%Q'", "fixed widths"),
    ("{type: daily, start: '2024-01-01', fmt: '%Y'}", 46,
     "the format '%Y' gives different daily windows the same key '2024'", "every part of the date"),
    ("{type: daily, start: '0001-01-01'}", 27, "cannot be read back: the first would be '1-01-01'", "year 999"),
    ("{type: daily, start: '2024-01-01', end_offset: 1000000000000}", 53,
     "end_offset 1000000000000 puts the last partition outside the calendar", "like 1"),
    ("{type: multi, dimensions: {s: {type: static, keys: []}, t: {type: static, keys: [x]}}}", 57,
     "static partitions need at least one key", "write keys"),
    # errors of the definition itself are at the option they name, not at the definition
    ("{type: daily, start: '2024-13-45'}", 27, "start '2024-13-45' is neither in the format", None),
    ("{type: hourly, start: '2024-01-01-00:00', timezone: Mars/Olympus}", 58, "unknown timezone 'Mars/Olympus'",
     None),
    ("{type: monthly, start: '2024-01-01', day_offset: 40}", 55,
     "day_offset of monthly partitions must be an integer from 1 to 31, not 40", None),
    ("{type: static, keys: [a, a]}", 27, "static partition keys must be unique", None),
])
def test_partitions_problem_is_reported_once_at_its_option(tmp_path, partitions, col, message, hint):
    [error] = _errors(tmp_path, partitions)  # and no second "no partitions named 'd'"
    assert (error.location.line, error.location.col) == (5, col)
    assert message in error.message
    assert error.hint == hint or hint in error.hint


def test_huge_end_offset_below_the_calendar_is_an_error_too(tmp_path):
    [error] = _errors(tmp_path, "{type: daily, start: '2024-01-01', end_offset: -1000000000000}")
    assert error.message == "end_offset -1000000000000 puts the last partition outside the calendar (years 1 to 9999)"


def test_mapping_offset_beyond_the_calendar_is_an_error_at_the_offset(tmp_path):
    # was accepted; plan then failed with "OverflowError: Python int too large to convert to C int"
    (tmp_path / "partition_map_funcs.py").write_text(FUNCS + "\n\ndef down(up):\n    return up\n")
    spec = tmp_path / "p.yaml"
    spec.write_text("specrun: 1\nname: t\nmodule: partition_map_funcs\npartitions:\n"
                    "  d: {type: daily, start: '2024-01-01', end: '2024-01-05'}\nassets:\n  up: {fn: part, partitions: d}\n"
                    "  down: {fn: down, partitions: d, ins: {up: {asset: up, partition_mapping: time_window,"
                    " start_offset: -1000000000000000000000}}}\n")
    with pytest.raises(SpecErrors) as caught:
        compile_spec(str(spec))
    [error] = caught.value.errors
    assert error.message == "start_offset -1000000000000000000000 is out of range: at most 10000 partitions either way"
    assert (error.location.line, error.location.col) == (8, 103)


@pytest.mark.parametrize("partitions, col, message", [
    ("{type: static, keys: [eu, '../../x']}", 32, "partition key '../../x' contains a path separator"),
    ("{type: static, keys: ['/etc/passwd']}", 28, "partition key '/etc/passwd' contains a path separator"),
    ("{type: static, keys: [eu, '']}", 32, "partition key '' is empty"),
    ("{type: static, keys: [eu, '..']}", 32, "partition key '..' is a relative path"),
    ('{type: static, keys: [eu, "a\\x00b"]}', 32, "partition key 'a\\x00b' contains a control character"),
    ("{type: daily, start: '2024-01-01', fmt: '%Y/%m/%d'}", 46,
     "partition key format '%Y/%m/%d' makes keys with a path separator"),
    ("{type: multi, dimensions: {r: {type: static, keys: ['a/b']}, d: {type: daily, start: '2024-01-01'}}}", 58,
     "partition key 'a/b' contains a path separator"),
])
def test_a_partition_key_that_would_be_a_path_is_refused_at_its_line(tmp_path, partitions, col, message):
    [error] = _errors(tmp_path, partitions)
    assert (error.location.line, error.location.col) == (5, col)
    assert error.message == message
