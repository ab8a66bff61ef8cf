"""Asset keys: `specrun.runtime.definitions.keys`."""

from hypothesis import given, settings
from hypothesis import strategies as st

from specrun import AssetKey

# Parts made of the characters the order texts write specially (NUL, SOH, STX) and two others.
_parts = st.lists(st.text(alphabet="\x00\x01\x02ab", min_size=1, max_size=3), min_size=1, max_size=3)


@settings(max_examples=300)
@given(st.lists(_parts, min_size=2, max_size=12))
def test_keys_sorted_by_their_order_texts_are_sorted_by_their_paths(paths):
    keys = list({id(k): k for k in map(AssetKey, paths)}.values())
    assert sorted(keys, key=lambda k: k._order_text) == sorted(keys, key=lambda k: k.path)


def test_a_key_of_one_part_is_ordered_by_that_part():
    assert AssetKey("a_10")._order_text == "a_10"
    assert AssetKey(["a", "b"])._order_text == "a\x00\x01b"
    assert AssetKey(["a\x00"])._order_text == "a\x00\x02"
