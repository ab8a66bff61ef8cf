"""Asset keys: `specrun.runtime.definitions.keys`."""

import pickle

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


def test_a_key_holds_its_parts_and_its_unpartitioned_pair_made_once_with_it():
    """`parts` (the path as a tuple) and `unpartitioned` ((key, None)) are made with the key,
    equal to what was made from it before, and shared by all that read them."""
    key = AssetKey(["raw", "users"])
    assert key.parts == tuple(key.path) == ("raw", "users") and key.parts.__class__ is tuple
    assert key.unpartitioned == (key, None)
    again = AssetKey(("raw", "users"))
    assert again is key and again.parts is key.parts and again.unpartitioned is key.unpartitioned
    copied = pickle.loads(pickle.dumps(key))
    assert copied is key and copied.parts is key.parts


def test_a_keys_label_is_its_user_string_made_once_with_it():
    key = AssetKey(["raw", "users"])
    assert key.label == "raw/users" and key.to_user_string() is key.label
    assert AssetKey("one").label == "one" and AssetKey("one").to_user_string() is AssetKey("one").label


def test_an_edit_of_a_keys_path_list_leaves_the_shared_key_as_it_was():
    # Keys are interned: every holder of AssetKey(["raw", "orders"]) in the process holds this
    # one object. Dagster hands out a list a user can edit; an edit must not rename the asset
    # for everyone else.
    key = AssetKey(["raw", "orders"])
    path = key.path
    assert path == ["raw", "orders"] and type(path) is list
    path.append("zz")
    path[0] = "cooked"
    again = AssetKey(["raw", "orders"])
    assert again is key and again.path == ["raw", "orders"]
    assert repr(key) == "AssetKey(['raw', 'orders'])" and key.to_string() == '["raw", "orders"]'
    assert key.to_user_string() == "raw/orders" and key.parent == AssetKey("raw")
    assert key.with_prefix("db").path == ["db", "raw", "orders"]
    assert key.to_python_identifier() == "raw__orders"
