"""YAML 1.2's core schema for the plain scalars PyYAML reads the YAML 1.1 way (booleans and
numbers): each fix in `CORE_FIXES`, by the tag PyYAML resolved, returns the value of a plain
scalar, or `NOT_CORE` to keep PyYAML's."""

from __future__ import annotations

import re
from typing import Any

_STD = "tag:yaml.org,2002:"

# YAML 1.2's core schema for booleans and numbers PyYAML would read the YAML 1.1 way: only
# true/false are booleans (`country: no` is the string "no"), `0777` is 777, `12:30` and
# `1_000` are strings. Each fix returns the value of a plain scalar, or NOT_CORE to keep
# PyYAML's. (Not covered: `1e3` and `0o17` stay strings, as in YAML 1.1.)
NOT_CORE = object()
_CORE_INT = re.compile(r"[-+]?[0-9]+|0x[0-9a-fA-F]+")


_YAML11_INT = re.compile(r"[-+]?(?:0b[01_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+|[0-9][0-9_]*)")


def _core_bool(text: str) -> Any:
    # Only YAML 1.1's extra words: anything else tagged bool was tagged by hand (!!bool maybe).
    return text if text.lower() in ("yes", "no", "on", "off", "y", "n") else NOT_CORE


def _core_int(text: str) -> Any:
    if _CORE_INT.fullmatch(text):
        return int(text, 10) if text.lstrip("+-").isdigit() else NOT_CORE
    # 1_000, 0b101, 12:30 (base 60 in YAML 1.1) are strings; other text was tagged by hand (!!int abc)
    return text if _YAML11_INT.fullmatch(text) else NOT_CORE


def _core_float(text: str) -> Any:
    return text if "_" in text or ":" in text else NOT_CORE


CORE_FIXES = {f"{_STD}bool": _core_bool, f"{_STD}int": _core_int, f"{_STD}float": _core_float}
