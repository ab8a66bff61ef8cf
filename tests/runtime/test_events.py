"""Events and their payloads (runtime/events.py)."""

from __future__ import annotations

import pickle

from specrun import AssetKey
from specrun.runtime.events import StepOutputData, kept_output_data


class _Output:
    """What `kept_output_data` reads of an output's facts, and where it keeps the payload."""

    def __init__(self, name, asset_key) -> None:
        self.name, self.asset_key, self.output_data = name, asset_key, None


def test_kept_output_data_equals_the_payload_the_class_makes_and_is_kept():
    for key in (None, AssetKey(["schema", "table"])):
        facts = _Output("result", key)
        made = kept_output_data(facts)
        assert facts.output_data is made
        assert made == StepOutputData("result", {}, key)
        assert (made.partition, made.mapping_key) == (None, None)
        assert repr(made) == repr(StepOutputData("result", {}, key))
        assert pickle.loads(pickle.dumps(made)) == made
