"""Events and their payloads (runtime/events.py)."""

from __future__ import annotations

import pickle

from specrun import AssetKey
from specrun.runtime.events import StepOutputData, new_output_data


def test_new_output_data_equals_the_payload_the_class_makes_with_a_metadata_dict_of_its_own():
    for key in (None, AssetKey(["schema", "table"])):
        made, again = new_output_data("result", key), new_output_data("result", key)
        assert made == StepOutputData("result", {}, key)
        assert (made.partition, made.mapping_key) == (None, None)
        assert repr(made) == repr(StepOutputData("result", {}, key))
        assert pickle.loads(pickle.dumps(made)) == made
        assert made is not again and made.metadata is not again.metadata
