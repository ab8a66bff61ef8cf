"""Observable source assets (runtime/definitions/observations.py): what the definition holds."""

from __future__ import annotations

from specrun import DataVersion, observable_source_asset
from specrun.runtime.definitions.ops import NO_RESOURCE_KEYS


def test_observable_source_assets_that_need_no_resource_share_the_one_empty_resource_key_set():
    """An observable source asset that names no required resource key holds `NO_RESOURCE_KEYS`,
    as ops and assets do, and so does its observation step; one that names some holds them."""
    @observable_source_asset
    def plain():
        return DataVersion("1")

    @observable_source_asset(required_resource_keys={"db"})
    def needs():
        return DataVersion("1")

    assert plain.required_resource_keys is plain.observe_op.required_resource_keys is NO_RESOURCE_KEYS
    assert NO_RESOURCE_KEYS == frozenset() and needs.required_resource_keys == frozenset({"db"})
    assert needs.observe_op.required_resource_keys == frozenset({"db"})
