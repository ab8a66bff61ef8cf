"""PyYAML (`yaml`) and the loader specrun composes YAML with (`YamlLoader`).

Importing `yaml` compiles `yaml.reader.Reader.NON_PRINTABLE`, a negated class of characters
that reaches U+10FFFF, which `re` builds a character at a time (~53 M instructions, 2.7% of a
1,000-asset `specrun apply`), for a pattern only PyYAML's pure-Python reader uses (specrun
reads with the C loader when there is one). PyYAML offers no way around it: its C module
imports `yaml`, whose `__init__` imports the reader (upstream pull requests yaml/pyyaml#124
and #301 would compile it lazily). specrun leaves `re` and `yaml` as they are and pays it.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["yaml", "YamlLoader"]

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
