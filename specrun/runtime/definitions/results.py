"""Values user code returns or yields: outputs, materialization results, check results."""

from __future__ import annotations

import enum
from dataclasses import field
from typing import Any, Mapping, Optional, Sequence

from .keys import AssetKey, CoercibleToAssetKey
from .metadata import MetadataEntry, MetadataValue, normalize_metadata
from .values import value_class

_NO_VALUE = object()


class Output:
    """An op output with an optional name and metadata, as yielded or returned by an op."""

    __slots__ = ("value", "output_name", "metadata", "data_version", "tags")

    def __init__(
        self,
        value: Any,
        output_name: str = "result",
        metadata: Optional[Mapping[str, Any]] = None,
        data_version: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.value = value
        self.output_name = output_name
        self.metadata = normalize_metadata(metadata)
        self.data_version = data_version
        self.tags = dict(tags or {})

    def __repr__(self) -> str:
        return f"Output(output_name={self.output_name!r}, value={self.value!r})"


class MaterializeResult:
    """What an asset returns to report its materialization.

    With `value`, the value is handed to the IO manager like a plain return value; without
    it, the asset is taken to have stored its data itself and no IO manager is called.
    """

    __slots__ = ("value", "metadata", "asset_key", "check_results", "data_version", "tags")

    def __init__(
        self,
        value: Any = _NO_VALUE,
        *,
        metadata: Optional[Mapping[str, Any]] = None,
        asset_key: Optional[CoercibleToAssetKey] = None,
        check_results: Optional[Sequence["AssetCheckResult"]] = None,
        data_version: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.value = value
        self.metadata = normalize_metadata(metadata)
        self.asset_key = AssetKey.from_coercible(asset_key) if asset_key is not None else None
        self.check_results = list(check_results or [])
        self.data_version = data_version
        self.tags = dict(tags or {})

    @property
    def has_value(self) -> bool:
        return self.value is not _NO_VALUE

    def __repr__(self) -> str:
        shown = self.value if self.has_value else "<none>"
        return f"MaterializeResult(value={shown!r}, metadata={self.metadata!r})"


class AssetCheckSeverity(enum.Enum):
    """How bad a failed check is."""

    WARN = "WARN"
    ERROR = "ERROR"


@value_class
class AssetCheckResult:
    """The outcome of an asset check."""

    passed: bool
    metadata: Mapping[str, Any] = field(default_factory=dict)
    severity: AssetCheckSeverity = AssetCheckSeverity.ERROR
    description: Optional[str] = None
    asset_key: Optional[AssetKey] = None
    check_name: Optional[str] = None

    def __post_init__(self) -> None:
        self.passed = bool(self.passed)
        self.metadata = normalize_metadata(self.metadata)
        if self.asset_key is not None:
            self.asset_key = AssetKey.from_coercible(self.asset_key)


@value_class
class AssetMaterialization:
    """A record that an asset (partition) was written, with its metadata."""

    asset_key: AssetKey
    description: Optional[str] = None
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    partition: Optional[str] = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.asset_key = AssetKey.from_coercible(self.asset_key)
        self.metadata = normalize_metadata(self.metadata)

    @property
    def label(self) -> str:
        return self.asset_key.to_user_string()

    @property
    def metadata_entries(self) -> list[MetadataEntry]:
        """Dagster's legacy list-of-entries view of `metadata`."""
        return [MetadataEntry(k, v) for k, v in self.metadata.items()]


@value_class
class AssetObservation:
    """A record that an asset was looked at (not written), with metadata."""

    asset_key: AssetKey
    description: Optional[str] = None
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    partition: Optional[str] = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.asset_key = AssetKey.from_coercible(self.asset_key)
        self.metadata = normalize_metadata(self.metadata)
        self.tags = dict(self.tags or {})

    @property
    def data_version(self) -> Optional[str]:
        """The data version observed (an observable source asset's), if any."""
        return self.tags.get(OBSERVED_DATA_VERSION_TAG)


OBSERVED_DATA_VERSION_TAG = "specrun/data_version"  # versioning.DATA_VERSION_TAG


@value_class
class AssetCheckEvaluation:
    """A recorded check outcome: which check, on which asset, passed or not."""

    asset_key: AssetKey
    check_name: str
    passed: bool
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    severity: AssetCheckSeverity = AssetCheckSeverity.ERROR
    description: Optional[str] = None
    blocking: bool = False
    partition: Optional[str] = None
