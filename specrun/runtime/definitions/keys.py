"""Asset and check keys: the names assets are known by across runs; and what one key of a
multi-asset has of its own (`KeyFacts`)."""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from .values import value_class


class AssetKey:
    """A path of strings naming an asset, e.g. ``AssetKey(["analytics", "users"])``.

    Keys are interned: every key made from the same parts is the same object. So a key is
    equal only to itself, and hashing one (which sets and dicts of keys do all the time:
    ~20 times per asset to build an asset job) is the object's own C-level hash instead of a
    call into Python. Pickling and copying go through the constructor and so find the one
    key for those parts in each process.
    """

    __slots__ = ("_order_text", "parts", "unpartitioned", "label")

    def __new__(cls, path: Union[str, Sequence[str]]) -> "AssetKey":
        if isinstance(path, str):
            parts: tuple[str, ...] = (path,)
        else:
            parts = tuple(map(str, path))
        found = _INTERNED.get(parts)
        if found is not None:
            return found
        if not parts or "" in parts:  # (the parts are texts: `in` compares them in C)
            raise ValueError(f"an asset key needs non-empty parts, got {path!r}")
        key = object.__new__(cls)
        # Made once with the key, shared by all that ask: its path as a tuple (the key an IO
        # manager stores its value under), (key, None), the key of its unpartitioned data
        # version in a run (`materializations`), and its `to_user_string`: a job's plan made
        # each of them again an asset (and kept a copy of the first two).
        object.__setattr__(key, "parts", parts)
        object.__setattr__(key, "unpartitioned", (key, None))
        object.__setattr__(key, "label", "/".join(parts))
        first = parts[0]  # (most keys: one part, with no NUL, its own order text)
        object.__setattr__(key, "_order_text", first if len(parts) == 1 and "\x00" not in first
                           else _order_text_of(parts))
        # setdefault: two threads making the same new key both get the one stored first
        return _INTERNED.setdefault(parts, key)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("AssetKey is immutable")

    @property
    def path(self) -> list[str]:
        """The key's parts, as a new list each time. Dagster's key holds one list a user can
        append to; here one key object is shared by everything naming that asset in the
        process, so an edit of a list it kept would rename the asset for all of them."""
        return list(self.parts)

    @staticmethod
    def from_user_string(text: str) -> "AssetKey":
        """Parse ``a/b/c`` into ``AssetKey(["a", "b", "c"])``."""
        return AssetKey(text.split("/"))

    @staticmethod
    def from_coercible(value: "CoercibleToAssetKey") -> "AssetKey":
        """Accept an AssetKey, a ``a/b`` string, a list of parts, or a definition with a key."""
        if isinstance(value, AssetKey):
            return value
        if isinstance(value, str):
            return AssetKey.from_user_string(value)
        key = getattr(value, "key", None)
        if isinstance(key, AssetKey):
            return key
        if isinstance(value, (list, tuple)):
            return AssetKey(value)
        raise TypeError(f"cannot make an asset key from {value!r}")

    def to_user_string(self) -> str:
        """The ``a/b/c`` form used on the command line and in specs (`label`, made with the key)."""
        return self.label

    def to_string(self) -> str:
        """The JSON form Dagster stores (``["a", "b"]``)."""
        return json.dumps(self.parts)

    def to_python_identifier(self, suffix: str | None = None) -> str:
        """``a__b`` (plus ``__suffix``): usable as an op or step name."""
        ident = "__".join(self.parts).replace("-", "_").replace(".", "_")
        return f"{ident}__{suffix}" if suffix else ident

    def with_prefix(self, prefix: Union[str, Sequence[str]]) -> "AssetKey":
        """A new key with ``prefix`` put in front."""
        pre = [prefix] if isinstance(prefix, str) else list(prefix)
        return AssetKey([*pre, *self.parts])

    @property
    def parent(self) -> "AssetKey":
        return AssetKey(self.parts[:-1])

    # __eq__ and __hash__ are object's: identity, as keys are interned (see the class doc).

    def __lt__(self, other: "AssetKey") -> bool:
        return self.parts < other.parts

    def __repr__(self) -> str:
        return f"AssetKey({list(self.parts)!r})"

    __str__ = __repr__

    def __reduce__(self):
        return (AssetKey, (self.parts,))


def _order_text_of(parts: tuple[str, ...]) -> str:
    """A text that sorts among keys' texts as the keys' paths sort: each part as it is, but
    for a NUL, written NUL STX, the parts joined by NUL SOH (which sorts before whatever a
    part's character is written as; and a path that begins another sorts first, as a list
    that begins another does). A key of one part without a NUL is its own (`AssetKey` does
    not call this for it). Sorting keys by these texts compares one string with another
    (~0.5k instructions a key of a 1,000-key sort; ~1.2k by their paths: a comparison of two
    lists compares their first parts for equality, then again for order)."""
    return "\x00\x01".join([part.replace("\x00", "\x00\x02") for part in parts])


CoercibleToAssetKey = Union[AssetKey, str, Sequence[str]]
_INTERNED: dict[tuple[str, ...], AssetKey] = {}  # parts -> the one key made from them


class AssetCheckKey:
    """The key of an asset check: the asset it checks and the check's name."""

    __slots__ = ("asset_key", "name")

    def __init__(self, asset_key: CoercibleToAssetKey, name: str) -> None:
        self.asset_key = AssetKey.from_coercible(asset_key)
        self.name = name

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, AssetCheckKey)
            and self.asset_key == other.asset_key
            and self.name == other.name
        )

    def __hash__(self) -> int:
        return hash((self.asset_key, self.name))

    def __repr__(self) -> str:
        return f"AssetCheckKey(asset_key={self.asset_key!r}, name={self.name!r})"

    def __reduce__(self):
        return (AssetCheckKey, (self.asset_key, self.name))

    def to_user_string(self) -> str:
        """`asset/path:check_name`, as Dagster writes a check key for people."""
        return f"{self.asset_key.to_user_string()}:{self.name}"


def check_key_text(key: Any) -> str:
    """A check key as people write it (`sales/daily:fresh`); anything else as its str()."""
    return key.to_user_string() if isinstance(key, AssetCheckKey) else str(key)


def asset_keys(values: Iterable[CoercibleToAssetKey]) -> list[AssetKey]:
    """Coerce each value to an AssetKey."""
    return [AssetKey.from_coercible(v) for v in values]


@value_class(frozen=True, slots=True)
class KeyFacts:
    """What one asset of a multi-asset or graph-backed asset has of its own: its group, its
    `AssetOut`'s tags and owners, and its `AssetSpec`'s deps (`specs=`: each key its own, as
    Dagster keeps them; None: the definition's, each key upstream of all its inputs and deps)."""

    group_name: str = "default"
    tags: Optional[Mapping[str, str]] = None
    owners: Optional[tuple[str, ...]] = None
    deps: Optional[tuple[AssetKey, ...]] = None


def key_facts_of(group_name: str, out: Any = None, deps: Optional[tuple[AssetKey, ...]] = None) -> KeyFacts:
    """One asset's `KeyFacts`: its group, the tags and owners of `out` (its `AssetOut`, or what
    `from_graph` was given for its output; None for none) and its spec's deps."""
    if out is None:
        return KeyFacts(group_name, deps=deps)
    return KeyFacts(group_name, out.tags, None if out.owners is None else tuple(out.owners), deps)


def spec_output_names(asset: Any) -> frozenset[str]:
    """The outputs of `asset` made of an `AssetSpec` (a `specs=` multi-asset's: the keys whose
    `KeyFacts` keep their spec's deps). Dagster makes each a Nothing output: one the function
    does not report is materialized without a value, unless it is optional (skippable)."""
    facts = asset.key_facts
    if not facts:
        return frozenset()
    return frozenset(n for n, k in asset.keys_by_output_name.items()
                     if (f := facts.get(k)) is not None and f.deps is not None)
