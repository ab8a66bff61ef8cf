"""PyYAML (`yaml`), imported without compiling one of its patterns the slow way.

Importing `yaml.reader` compiles `Reader.NON_PRINTABLE`, a negated class of characters that
reaches U+10FFFF: `re` builds its set a character at a time, ~59 M instructions (about a
fortieth of a 1,000-asset `specrun apply`), for a pattern only PyYAML's pure-Python reader
uses (specrun reads with the C loader when there is one). Before the import, `re`'s cache of
compiled patterns is given, under that pattern's text, the same class said as its complement
(~4 M to compile; the same characters match, checked in the tests), so `re.compile` returns
it. Where `re` keeps no such cache, or `yaml` is imported already, PyYAML compiles its own.
"""

from __future__ import annotations

import re
import sys

__all__ = ["yaml"]

# yaml.reader.Reader.NON_PRINTABLE's text, as PyYAML writes it (with the characters themselves)
_NON_PRINTABLE = "[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]"
# the characters outside that class, up to U+10FFFF
_SAME_CHARACTERS = "[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uD800-\uDFFF\uFFFE\uFFFF]"


def _give_re_the_reader_pattern() -> None:
    cache = getattr(re, "_cache", None)  # {(type, pattern, flags): compiled} in CPython 3.8-3.13
    if "yaml" not in sys.modules and isinstance(cache, dict):
        cache.setdefault((str, _NON_PRINTABLE, 0), re.compile(_SAME_CHARACTERS))


_give_re_the_reader_pattern()

import yaml  # noqa: E402  (after the pattern is in re's cache)
