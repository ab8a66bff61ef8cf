"""AssetSelection resolved over a small hand-written graph (every expected set written out).

    a -> b -> c -> d        groups: a, b raw; c, d mart; x, the sales/ops keys default
    x ------^               tags: a, c tier=gold; d tier=silver
    sales/eu, sales/us, ops/eu (no edges)
"""

from __future__ import annotations

import pytest

from specrun.errors import DefinitionError
from specrun.runtime.definitions.keys import AssetCheckKey, AssetKey
from specrun.runtime.definitions.selection import AssetGraphView, AssetSelection, coerce_selection

A, B, C, D, X = (AssetKey([n]) for n in "abcdx")
SALES_EU, SALES_US, OPS_EU = AssetKey(["sales", "eu"]), AssetKey(["sales", "us"]), AssetKey(["ops", "eu"])

UPSTREAM = {A: set(), B: {A}, C: {B, X}, D: {C}, X: set(), SALES_EU: set(), SALES_US: set(), OPS_EU: set()}
GROUPS = {A: "raw", B: "raw", C: "mart", D: "mart", X: "default",
          SALES_EU: "default", SALES_US: "default", OPS_EU: "default"}
TAGS = {A: {"tier": "gold"}, C: {"tier": "gold"}, D: {"tier": "silver"}}


@pytest.fixture
def graph():
    return AssetGraphView(UPSTREAM, GROUPS, TAGS)


class _Def:
    def __init__(self, key: AssetKey) -> None:
        self.key = key


def test_the_graph_view_knows_both_directions_and_every_key(graph):
    assert graph.keys == {A, B, C, D, X, SALES_EU, SALES_US, OPS_EU}
    assert graph.downstream == {A: {B}, B: {C}, C: {D}, D: set(), X: {C},
                                SALES_EU: set(), SALES_US: set(), OPS_EU: set()}
    assert graph.upstream[C] == {B, X}
    assert AssetGraphView(UPSTREAM, GROUPS).tags == {}


def test_an_upstream_outside_the_graph_still_has_its_downstream_and_is_walked_to():
    outside = AssetGraphView({B: {A}}, {B: "raw"})  # a is a source the view has no entry for
    assert outside.downstream == {A: {B}, B: set()}
    assert outside.keys == {B}
    assert AssetSelection.keys("b").upstream().resolve(outside) == {A, B}


def test_the_view_copies_what_it_is_given(graph):
    graph.upstream[C].add(D)
    assert UPSTREAM[C] == {B, X}


def test_all_and_keys(graph):
    assert AssetSelection.all().resolve(graph) == graph.keys
    assert AssetSelection.keys("a", ["sales", "eu"], AssetKey(["d"])).resolve(graph) == {A, SALES_EU, D}
    assert AssetSelection.assets(_Def(B), _Def(OPS_EU)).resolve(graph) == {B, OPS_EU}


def test_an_unknown_key_is_an_error_naming_it_with_the_closest_key(graph):
    with pytest.raises(DefinitionError) as err:
        AssetSelection.keys("a", "bb").resolve(graph)
    assert str(err.value) == "no asset 'bb' to select; did you mean 'b'?"
    with pytest.raises(DefinitionError) as err:
        AssetSelection.keys("zzzzzz").resolve(graph)
    assert str(err.value) == "no asset 'zzzzzz' to select"


def test_groups_tags_and_key_prefixes(graph):
    assert AssetSelection.groups("raw").resolve(graph) == {A, B}
    assert AssetSelection.groups("raw", "mart").resolve(graph) == {A, B, C, D}
    assert AssetSelection.tag("tier", "gold").resolve(graph) == {A, C}
    assert AssetSelection.tag("tier", "bronze").resolve(graph) == set()
    assert AssetSelection.key_prefixes("sales").resolve(graph) == {SALES_EU, SALES_US}
    assert AssetSelection.key_prefixes(["sales", "eu"], "ops").resolve(graph) == {SALES_EU, OPS_EU}
    assert AssetSelection.key_prefixes("sal").resolve(graph) == set()  # whole path parts, not text


def test_upstream_and_downstream_with_and_without_a_depth(graph):
    c, a = AssetSelection.keys("c"), AssetSelection.keys("a")
    assert c.upstream().resolve(graph) == {A, B, C, X}
    assert c.upstream(depth=1).resolve(graph) == {B, C, X}
    assert c.upstream(depth=0).resolve(graph) == {C}
    assert a.downstream().resolve(graph) == {A, B, C, D}
    assert a.downstream(depth=2).resolve(graph) == {A, B, C}
    assert a.downstream(depth=1).resolve(graph) == {A, B}


def test_union_intersection_and_difference(graph):
    raw, gold = AssetSelection.groups("raw"), AssetSelection.tag("tier", "gold")
    assert (raw | gold).resolve(graph) == {A, B, C}
    assert (raw & gold).resolve(graph) == {A}
    assert (raw - gold).resolve(graph) == {B}
    assert (gold - raw).resolve(graph) == {C}


def test_a_selection_shows_what_it_selects():
    c = AssetSelection.keys("c", ["sales", "eu"])
    assert repr(AssetSelection.all()) == "AssetSelection(*)"
    assert repr(c) == "AssetSelection(c,sales/eu)"
    assert repr(AssetSelection.groups("raw", "mart")) == "AssetSelection(group:raw,mart)"
    assert repr(AssetSelection.tag("tier", "gold")) == "AssetSelection(tag:tier=gold)"
    assert repr(AssetSelection.key_prefixes(["sales", "eu"], "ops")) == "AssetSelection(prefix:sales/eu,ops)"
    assert repr(c.upstream()) == "AssetSelection(+c,sales/eu)"
    assert repr(c.downstream()) == "AssetSelection(c,sales/eu+)"
    a, b = AssetSelection.keys("a"), AssetSelection.keys("b")
    assert repr(a | b) == "AssetSelection(a | b)"
    assert repr(a & b) == "AssetSelection(a & b)"
    assert repr(a - b) == "AssetSelection(a - b)"


def test_coerce_selection_accepts_every_form(graph):
    assert coerce_selection(None).resolve(graph) == graph.keys
    chosen = AssetSelection.groups("mart")
    assert coerce_selection(chosen) is chosen
    assert coerce_selection("b").resolve(graph) == {B}
    assert coerce_selection(SALES_US).resolve(graph) == {SALES_US}
    assert coerce_selection(_Def(D)).resolve(graph) == {D}
    assert coerce_selection(["a", SALES_EU, _Def(X)]).resolve(graph) == {A, SALES_EU, X}


# -- asset checks: a and c are checked (c twice); a selection of assets also covers their checks
A_OK, C_OK, C_FRESH = AssetCheckKey(A, "a_ok"), AssetCheckKey(C, "c_ok"), AssetCheckKey(C, "c_fresh")
CHECKS = {A_OK: A, C_OK: C, C_FRESH: C}


@pytest.fixture
def checked():
    return AssetGraphView(UPSTREAM, GROUPS, TAGS, CHECKS)


class _Checks:
    """A checks definition: what `AssetSelection.checks` reads is its `check_keys`."""

    def __init__(self, *keys: AssetCheckKey) -> None:
        self.check_keys = set(keys)


def test_the_view_keeps_a_copy_of_the_checks_and_has_none_by_default(checked):
    given = dict(CHECKS)
    view = AssetGraphView(UPSTREAM, GROUPS, TAGS, given)
    given.clear()
    assert view.checks == {A_OK: A, C_OK: C, C_FRESH: C}
    assert AssetGraphView(UPSTREAM, GROUPS, TAGS).checks == {}


def test_selecting_assets_selects_their_checks_and_only_theirs(checked):
    assert AssetSelection.all().resolve_checks(checked) == {A_OK, C_OK, C_FRESH}
    assert AssetSelection.keys("c").resolve_checks(checked) == {C_OK, C_FRESH}
    assert AssetSelection.groups("raw").resolve_checks(checked) == {A_OK}
    assert AssetSelection.keys("b", "d").resolve_checks(checked) == set()
    assert AssetSelection.keys("b").downstream().resolve_checks(checked) == {C_OK, C_FRESH}
    assert AssetSelection.keys("b").upstream().resolve_checks(checked) == {A_OK}


def test_all_asset_checks_selects_every_check_and_no_asset(checked):
    chosen = AssetSelection.all_asset_checks()
    assert chosen.resolve(checked) == set()
    assert chosen.resolve_checks(checked) == {A_OK, C_OK, C_FRESH}
    assert chosen.resolve_checks(AssetGraphView(UPSTREAM, GROUPS)) == set()
    assert repr(chosen) == "AssetSelection(all_asset_checks())"


def test_checks_for_assets_selects_the_checks_of_those_assets_and_no_asset(checked):
    chosen = AssetSelection.checks_for_assets(_Def(C), "a", AssetKey(["c"]))
    assert chosen.resolve(checked) == set()
    assert chosen.resolve_checks(checked) == {A_OK, C_OK, C_FRESH}
    assert AssetSelection.checks_for_assets("c").resolve_checks(checked) == {C_OK, C_FRESH}
    assert AssetSelection.checks_for_assets(_Def(D), "b").resolve_checks(checked) == set()
    assert repr(chosen) == "AssetSelection(checks_for_assets(2))"  # c named twice counts once


def test_checks_selects_by_key_or_by_definition_and_no_asset(checked):
    assert AssetSelection.checks(A_OK).resolve(checked) == set()
    assert AssetSelection.checks(A_OK).resolve_checks(checked) == {A_OK}
    both_of_c = AssetSelection.checks(_Checks(C_OK, C_FRESH))
    assert both_of_c.resolve_checks(checked) == {C_OK, C_FRESH}
    assert AssetSelection.checks(A_OK, _Checks(C_FRESH)).resolve_checks(checked) == {A_OK, C_FRESH}
    assert repr(both_of_c) == "AssetSelection(checks(2))"
    assert repr(AssetSelection.checks(A_OK, _Checks(A_OK, C_OK))) == "AssetSelection(checks(2))"


def test_an_unknown_check_is_an_error_naming_it_with_the_closest_check(checked):
    with pytest.raises(DefinitionError) as err:
        AssetSelection.checks(A_OK, AssetCheckKey(A, "a_okk")).resolve_checks(checked)
    assert str(err.value) == (
        "no asset check 'a:a_okk' to select; did you mean 'a:a_ok'?")
    with pytest.raises(DefinitionError) as err:
        AssetSelection.checks("zzzzzz").resolve_checks(checked)
    assert str(err.value) == "no asset check 'zzzzzz' to select"


def test_without_checks_keeps_the_assets_and_drops_their_checks(checked):
    chosen = AssetSelection.keys("c").without_checks()
    assert chosen.resolve(checked) == {C}
    assert chosen.resolve_checks(checked) == set()
    assert repr(chosen) == "AssetSelection(c.without_checks())"


def test_union_intersection_and_difference_combine_checks_too(checked):
    c, a = AssetSelection.keys("c"), AssetSelection.keys("a")
    c_ok, a_ok = AssetSelection.checks(C_OK), AssetSelection.checks(A_OK)
    assert (a | c_ok).resolve(checked) == {A}
    assert (a | c_ok).resolve_checks(checked) == {A_OK, C_OK}
    assert (c & c_ok).resolve(checked) == set()
    assert (c & c_ok).resolve_checks(checked) == {C_OK}
    assert (c & a_ok).resolve_checks(checked) == set()
    assert (c - c_ok).resolve(checked) == {C}
    assert (c - c_ok).resolve_checks(checked) == {C_FRESH}
    assert (c - AssetSelection.all_asset_checks()).resolve_checks(checked) == set()
    assert (c_ok - c).resolve_checks(checked) == set()


def test_the_view_of_assets_has_each_key_s_upstream_group_and_tags():
    import specrun
    from specrun.runtime.definitions.selection import asset_graph_view

    @specrun.asset(group_name="g", tags={"t": "1"}, deps=["ext"])
    def made():
        return 1

    view = asset_graph_view([made, specrun.AssetSpec("ext", tags={"u": "2"})])
    assert view.upstream == {AssetKey("made"): {AssetKey("ext")}, AssetKey("ext"): set()}
    assert view.groups == {AssetKey("made"): "g", AssetKey("ext"): "default"}
    assert view.tags == {AssetKey("made"): {"t": "1"}, AssetKey("ext"): {"u": "2"}}


def test_tag_and_kind_leave_out_sources_unless_asked_and_owner_keeps_them():
    kinds = {A: {"tier": "gold", "dagster/kind/python": ""}, B: {"dagster/kind/sql": ""},
             X: {"dagster/kind/python": ""}}
    view = AssetGraphView(UPSTREAM, GROUPS, {**TAGS, **kinds}, owners={A: ["team:a"], X: ["team:a"]}, sources={X})
    assert AssetSelection.kind("python").resolve(view) == {A}
    assert AssetSelection.kind("python", include_sources=True).resolve(view) == {A, X}
    assert AssetSelection.kind(None).resolve(view) == {C, D, SALES_EU, SALES_US, OPS_EU}
    assert AssetSelection.tag("tier", "gold").resolve(view) == {A, C}
    assert AssetSelection.tag_string("dagster/kind/sql").resolve(view) == {B}
    assert AssetSelection.owner("team:a").resolve(view) == {A, X}
    with pytest.raises(DefinitionError, match="one '=' at most"):
        AssetSelection.tag_string("a=b=c")


def test_the_view_of_an_asset_spec_marks_it_a_source_with_its_owners():
    import specrun
    from specrun.runtime.definitions.selection import asset_graph_view

    @specrun.asset(owners=["team:a"])
    def made():
        return 1

    view = asset_graph_view([made, specrun.AssetSpec("ext", owners=["team:b"])])
    assert view.sources == {AssetKey("ext")}
    assert view.owners == {AssetKey("made"): ["team:a"], AssetKey("ext"): ["team:b"]}


def test_groups_and_key_prefixes_leave_out_sources_unless_asked():
    view = AssetGraphView(UPSTREAM, GROUPS, TAGS, sources={A, SALES_EU})
    assert AssetSelection.groups("raw").resolve(view) == {B}
    assert AssetSelection.groups("raw", include_sources=True).resolve(view) == {A, B}
    assert AssetSelection.key_prefixes("sales").resolve(view) == {SALES_US}
    assert AssetSelection.key_prefixes("sales", include_sources=True).resolve(view) == {SALES_EU, SALES_US}
