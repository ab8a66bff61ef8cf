"""PyYAML (`yaml`), imported without compiling one of its patterns the slow way, and the
loader specrun composes YAML with (`YamlLoader`).

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
from typing import Any

__all__ = ["yaml", "YamlLoader"]

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

try:
    _SafeLoader: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _SafeLoader = yaml.SafeLoader


class YamlLoader(_SafeLoader):  # type: ignore[misc]
    """The safe loader, with two of its per-node Python calls made cheap where they can give
    no other answer (~15 M instructions of a 1,000-asset spec's ~155 M load).

    A plain scalar whose first character starts none of YAML's implicit types (`fn`, `nxt`,
    `a12`; not `1`, `true`, `~`) is a string: `resolve` answers it without the list of
    patterns it would find empty; another plain scalar's tag, which then depends on its text
    alone, is asked of the patterns once a text (`nxt` and `fn` start like `null` and `false`,
    and are met on every line of a long spec); a mapping's tag is the default mapping tag, given
    without a call of the safe loader's method. Without path resolvers (PyYAML's default), descending
    into and ascending from each node does nothing: the two methods are a no-op C callable."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        implicit = self.yaml_implicit_resolvers  # first character -> patterns; None: every scalar's
        if self.yaml_path_resolvers or None in implicit:  # neither in PyYAML's safe loader
            self.resolve = _SafeLoader.resolve.__get__(self)  # type: ignore[method-assign]
            return
        self._typed_starts = frozenset(c for c in implicit if c)
        self._plain_tags: dict[str, str] = {}
        self.descend_resolver = _IGNORE_TWO  # called with (parent node, index)
        self.ascend_resolver = _IGNORE_NONE  # called with nothing

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            if value and value[0] not in self._typed_starts:
                return _STR
            tag = self._plain_tags.get(value)
            if tag is None:
                tag = self._plain_tags[value] = _SafeLoader.resolve(self, kind, value, implicit)
            return tag
        if kind is yaml.MappingNode:  # the safe loader's answer without path resolvers
            return _MAP
        return _SafeLoader.resolve(self, kind, value, implicit)


_IGNORE_TWO: Any = {}.get  # C callables that take those arguments and do nothing that shows
_IGNORE_NONE: Any = ().__len__

_STR: str = _SafeLoader.DEFAULT_SCALAR_TAG
_MAP: str = _SafeLoader.DEFAULT_MAPPING_TAG
