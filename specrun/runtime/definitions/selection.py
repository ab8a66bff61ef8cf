"""Asset selections: which assets of a graph a job or `materialize` call covers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Sequence, Union

from ...errors import DefinitionError, suggest
from .asset_spec import KIND_PREFIX, kinds_of
from .keys import AssetKey, check_key_text

if TYPE_CHECKING:
    from .assets import AssetsDefinition, AssetSpec


class AssetGraphView:
    """Upstream/downstream questions over a set of asset definitions (plain dicts)."""

    def __init__(self, upstream: Mapping[AssetKey, set[AssetKey]], groups: Mapping[AssetKey, str],
                 tags: Mapping[AssetKey, Mapping[str, str]] | None = None,
                 checks: Mapping[Any, AssetKey] | None = None,
                 owners: Mapping[AssetKey, Sequence[str]] | None = None,
                 sources: Iterable[AssetKey] = ()) -> None:
        self.upstream = {k: set(v) for k, v in upstream.items()}
        self.downstream: dict[AssetKey, set[AssetKey]] = {k: set() for k in upstream}
        for key, ups in self.upstream.items():
            for up in ups:
                self.downstream.setdefault(up, set()).add(key)
        self.groups = dict(groups)
        self.tags = dict(tags or {})
        self.checks = dict(checks or {})  # check key -> the asset it checks
        self.owners = dict(owners or {})
        self.sources = set(sources)  # external assets (an AssetSpec): never materialized here

    @property
    def keys(self) -> set[AssetKey]:
        return set(self.groups)

    def materializable_unless(self, include_sources: bool) -> Iterable[AssetKey]:
        """Every asset when `include_sources`, else those not external (as Dagster's tag, kind,
        group and key prefix selections, whose `include_sources=` is False by default)."""
        return self.keys if include_sources else self.keys - self.sources

    def walk(self, start: Iterable[AssetKey], edges: Mapping[AssetKey, set[AssetKey]],
             depth: Optional[int]) -> set[AssetKey]:
        seen, frontier, level = set(start), set(start), 0
        while frontier and (depth is None or level < depth):
            frontier = {n for k in frontier for n in edges.get(k, ())} - seen
            seen |= frontier
            level += 1
        return seen


def asset_graph_view(assets: Sequence[Union["AssetsDefinition", "AssetSpec"]],
                     checks: Sequence[Any] = ()) -> AssetGraphView:
    """The view a selection resolves over: each asset's upstream keys, group, tags and owners,
    and which assets are external (an `AssetSpec`)."""
    from .assets import AssetsDefinition
    upstream, groups, tags, owners, sources = {}, {}, {}, {}, set()
    for a in assets:
        made = isinstance(a, AssetsDefinition)  # (else an AssetSpec: its own group, tags, owners)
        groups_of, tags_of = (a.group_names_by_key, a.tags_by_key) if made else ({}, {})
        owners_of = a.owners_by_key if made else {a.key: getattr(a, "owners", ())}
        for key in getattr(a, "keys", None) or (a.key,):
            upstream[key] = set(a.dependency_keys) if made else set(a.deps)
            groups[key] = groups_of.get(key) or a.group_name or "default"
            tags[key] = tags_of[key] if key in tags_of else dict(getattr(a, "tags", {}) or {})
            owners[key] = owners_of.get(key, ())
        if not made:
            sources.add(a.key)
    checked = {s.key: s.asset_key for c in checks for s in c.specs}
    return AssetGraphView(upstream, groups, tags, checked, owners, sources)


class AssetSelection:
    """A composable description of a set of assets and asset checks (Dagster's
    `AssetSelection`). A selection of assets also selects their checks, as in Dagster;
    `all_asset_checks()`, `checks(...)`, `checks_for_assets(...)` select checks alone and
    `without_checks()` drops them."""

    def __init__(self, resolve_fn: Any, text: str, checks_fn: Any = None) -> None:
        self._resolve_fn = resolve_fn
        self._text = text
        self._checks_fn = checks_fn  # None: the checks of the selected assets

    def resolve(self, graph: AssetGraphView) -> set[AssetKey]:
        return set(self._resolve_fn(graph))

    def resolve_checks(self, graph: AssetGraphView) -> set[Any]:
        """The check keys this selection covers."""
        if self._checks_fn is not None:
            return set(self._checks_fn(graph))
        selected = self.resolve(graph)
        return {c for c, key in graph.checks.items() if key in selected}

    @staticmethod
    def all_asset_checks() -> "AssetSelection":
        return AssetSelection(lambda g: set(), "all_asset_checks()", lambda g: set(g.checks))

    @staticmethod
    def checks_for_assets(*assets: Any) -> "AssetSelection":
        wanted = {AssetKey.from_coercible(a) for a in assets}  # a key, or a definition with one
        return AssetSelection(lambda g: set(), f"checks_for_assets({len(wanted)})",
                              lambda g: {c for c, key in g.checks.items() if key in wanted})

    @staticmethod
    def checks(*checks: Any) -> "AssetSelection":
        wanted = set()
        for c in checks:
            wanted |= set(getattr(c, "check_keys", None) or {c})
        return AssetSelection(lambda g: set(), f"checks({len(wanted)})",
                              lambda g: _known_checks(g, wanted))

    def without_checks(self) -> "AssetSelection":
        return AssetSelection(self._resolve_fn, f"{self._text}.without_checks()", lambda g: set())

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
    def groups(*names: str, include_sources: bool = False) -> "AssetSelection":
        """The assets of the groups `names` (external ones only with `include_sources`)."""
        return AssetSelection(
            lambda g: {k for k in g.materializable_unless(include_sources) if g.groups[k] in names},
            "group:" + ",".join(names))

    @staticmethod
    def tag(key: str, value: str, include_sources: bool = False) -> "AssetSelection":
        """The assets tagged `key` = `value` (external ones only with `include_sources`)."""
        return AssetSelection(
            lambda g: {k for k in g.materializable_unless(include_sources) if g.tags.get(k, {}).get(key) == value},
            f"tag:{key}={value}")

    @staticmethod
    def tag_string(string: str, include_sources: bool = False) -> "AssetSelection":
        """`tag` of a string `key=value`, or `key` for the value ""."""
        key, *value = string.split("=")
        if len(value) > 1:
            raise DefinitionError(f"tag selection {string!r}: give key=value or key, with one '=' at most")
        return AssetSelection.tag(key, value[0] if value else "", include_sources)

    @staticmethod
    def kind(kind: Optional[str], include_sources: bool = False) -> "AssetSelection":
        """The assets of kind `kind` (their tag `dagster/kind/<kind>`, see `tags_with_kinds`);
        `None`: the assets of no kind. External ones only with `include_sources`."""
        def chosen(g: AssetGraphView) -> set[AssetKey]:
            keys = g.materializable_unless(include_sources)
            if kind is None:
                return {k for k in keys if not kinds_of(g.tags.get(k, {}))}
            return {k for k in keys if KIND_PREFIX + kind in g.tags.get(k, {})}
        return AssetSelection(chosen, f"kind:{kind}")

    @staticmethod
    def owner(owner: Optional[str]) -> "AssetSelection":
        """The assets (external ones too, as in Dagster) that `owner` owns."""
        return AssetSelection(lambda g: {k for k, names in g.owners.items() if owner in names}, f"owner:{owner}")

    @staticmethod
    def key_prefixes(*prefixes: Any, include_sources: bool = False) -> "AssetSelection":
        """The assets whose keys start with one of `prefixes` (a part, or a list of parts;
        external assets only with `include_sources`)."""
        pres = [list(p) if not isinstance(p, str) else [p] for p in prefixes]
        return AssetSelection(
            lambda g: {k for k in g.materializable_unless(include_sources)
                       if any(k.path[: len(p)] == p for p in pres)},
            "prefix:" + ",".join("/".join(p) for p in pres))

    def upstream(self, depth: Optional[int] = None) -> "AssetSelection":
        return AssetSelection(lambda g: g.walk(self.resolve(g), g.upstream, depth), f"+{self._text}")

    def downstream(self, depth: Optional[int] = None) -> "AssetSelection":
        return AssetSelection(lambda g: g.walk(self.resolve(g), g.downstream, depth), f"{self._text}+")

    def __or__(self, other: "AssetSelection") -> "AssetSelection":
        return AssetSelection(lambda g: self.resolve(g) | other.resolve(g), f"{self._text} | {other._text}",
                              lambda g: self.resolve_checks(g) | other.resolve_checks(g))

    def __and__(self, other: "AssetSelection") -> "AssetSelection":
        return AssetSelection(lambda g: self.resolve(g) & other.resolve(g), f"{self._text} & {other._text}",
                              lambda g: self.resolve_checks(g) & other.resolve_checks(g))

    def __sub__(self, other: "AssetSelection") -> "AssetSelection":
        return AssetSelection(lambda g: self.resolve(g) - other.resolve(g), f"{self._text} - {other._text}",
                              lambda g: self.resolve_checks(g) - other.resolve_checks(g))

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


def _known_checks(graph: AssetGraphView, wanted: set[Any]) -> set[Any]:
    for key in wanted:
        if key not in graph.checks:
            text = check_key_text(key)
            hint = suggest(text, [check_key_text(k) for k in graph.checks])
            raise DefinitionError(f"no asset check {text!r} to select" + (f"; {hint}" if hint else ""))
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
