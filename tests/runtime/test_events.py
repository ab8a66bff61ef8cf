"""Events and their payloads (runtime/events.py)."""

from __future__ import annotations

import pickle

from specrun import AssetKey
from specrun.runtime.events import StepOutputData, new_output_data


def test_new_output_data_equals_the_payload_the_class_makes():
    for key in (None, AssetKey(["schema", "table"])):
        made = new_output_data("result", {"rows": 3}, key)
        assert made == StepOutputData("result", {"rows": 3}, key)
        assert (made.partition, made.mapping_key) == (None, None)
        assert repr(made) == repr(StepOutputData("result", {"rows": 3}, key))
        assert pickle.loads(pickle.dumps(made)) == made
