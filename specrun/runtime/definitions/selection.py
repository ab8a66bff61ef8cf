"""Asset selections: which assets of a graph a job or `materialize` call covers."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Sequence

from ...errors import DefinitionError, suggest
from .keys import AssetKey


class AssetGraphView:
    """Upstream/downstream questions over a set of asset definitions (plain dicts)."""

    def __init__(self, upstream: Mapping[AssetKey, set[AssetKey]], groups: Mapping[AssetKey, str],
                 tags: Mapping[AssetKey, Mapping[str, str]] | None = None) -> None:
        self.upstream = {k: set(v) for k, v in upstream.items()}
        self.downstream: dict[AssetKey, set[AssetKey]] = {k: set() for k in upstream}
        for key, ups in self.upstream.items():
            for up in ups:
                self.downstream.setdefault(up, set()).add(key)
        self.groups = dict(groups)
        self.tags = dict(tags or {})

    @property
    def keys(self) -> set[AssetKey]:
        return set(self.groups)

    def walk(self, start: Iterable[AssetKey], edges: Mapping[AssetKey, set[AssetKey]],
             depth: Optional[int]) -> set[AssetKey]:
        seen, frontier, level = set(start), set(start), 0
        while frontier and (depth is None or level < depth):
            frontier = {n for k in frontier for n in edges.get(k, ())} - seen
            seen |= frontier
            level += 1
        return seen


class AssetSelection:
    """A composable description of a set of assets (Dagster's `AssetSelection`)."""

    def __init__(self, resolve_fn: Any, text: str) -> None:
        self._resolve_fn = resolve_fn
        self._text = text

    def resolve(self, graph: AssetGraphView) -> set[AssetKey]:
        return set(self._resolve_fn(graph))

    @staticmethod
    def all() -> "AssetSelection":
        return AssetSelection(lambda g: g.keys, "*")

    @staticmethod
    def keys(*keys: Any) -> "AssetSelection":
        wanted = [AssetKey.from_coercible(k) for k in keys]
        return AssetSelection(lambda g: _known(g, wanted), ",".join(k.to_user_string() for k in wanted))

    @staticmethod
    def assets(*defs: Any) -> "AssetSelection":
        return AssetSelection.keys(*(d.key for d in defs))

    @staticmethod
    def groups(*names: str) -> "AssetSelection":
        return AssetSelection(lambda g: {k for k, grp in g.groups.items() if grp in names},
                              "group:" + ",".join(names))

    @staticmethod
    def tag(key: str, value: str) -> "AssetSelection":
        return AssetSelection(lambda g: {k for k, t in g.tags.items() if t.get(key) == value},
                              f"tag:{key}={value}")

    @staticmethod
    def key_prefixes(*prefixes: Any) -> "AssetSelection":
        pres = [list(p) if not isinstance(p, str) else [p] for p in prefixes]
        return AssetSelection(
            lambda g: {k for k in g.keys if any(k.path[: len(p)] == p for p in pres)},
            "prefix:" + ",".join("/".join(p) for p in pres))

    def upstream(self, depth: Optional[int] = None) -> "AssetSelection":
        return AssetSelection(lambda g: g.walk(self.resolve(g), g.upstream, depth), f"+{self._text}")

    def downstream(self, depth: Optional[int] = None) -> "AssetSelection":
        return AssetSelection(lambda g: g.walk(self.resolve(g), g.downstream, depth), f"{self._text}+")

    def __or__(self, other: "AssetSelection") -> "AssetSelection":
        return AssetSelection(lambda g: self.resolve(g) | other.resolve(g), f"{self._text} | {other._text}")

    def __and__(self, other: "AssetSelection") -> "AssetSelection":
        return AssetSelection(lambda g: self.resolve(g) & other.resolve(g), f"{self._text} & {other._text}")

    def __sub__(self, other: "AssetSelection") -> "AssetSelection":
        return AssetSelection(lambda g: self.resolve(g) - other.resolve(g), f"{self._text} - {other._text}")

    def __repr__(self) -> str:
        return f"AssetSelection({self._text})"


def _known(graph: AssetGraphView, wanted: Sequence[AssetKey]) -> set[AssetKey]:
    known = graph.keys
    for key in wanted:
        if key not in known:
            hint = suggest(key.to_user_string(), [k.to_user_string() for k in known])
            raise DefinitionError(
                f"no asset {key.to_user_string()!r} to select" + (f"; {hint}" if hint else ""))
    return set(wanted)


def coerce_selection(selection: Any) -> AssetSelection:
    """Accept an AssetSelection, a key, a string, a definition, or a list of these."""
    if selection is None:
        return AssetSelection.all()
    if isinstance(selection, AssetSelection):
        return selection
    if isinstance(selection, (str, AssetKey)) or hasattr(selection, "key"):
        selection = [selection]
    return AssetSelection.keys(*selection)  # AssetKey.from_coercible takes a definition's key
