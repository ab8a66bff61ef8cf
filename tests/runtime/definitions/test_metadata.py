"""runtime.definitions.metadata: MetadataValue, a frozen value with slots."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from specrun import MetadataValue


def test_a_metadata_value_is_a_frozen_value_with_slots_compared_hashed_and_pickled_by_its_fields():
    made = MetadataValue.int(3)
    assert not hasattr(made, "__dict__")  # (as Dagster's, it takes no weak reference either)
    assert made == MetadataValue(3, "int") and hash(made) == hash(MetadataValue(3, "int")) and made != MetadataValue.text("3")
    assert repr(made) == "MetadataValue(value=3, kind='int')"
    for again in (pickle.loads(pickle.dumps(made)), copy.copy(made), copy.deepcopy(made), dataclasses.replace(made)):
        assert again == made and type(again) is MetadataValue
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.value = 4  # type: ignore[misc]
