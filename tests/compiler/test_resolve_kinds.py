"""`kinds:` in a spec file: each kind a tag `dagster/kind/<kind>` of value "" on the asset (as
Dagster's `kinds=`), on every kind of asset entry; bad kinds reported at their position."""

from __future__ import annotations

import pytest

from specrun import AssetKey
from specrun.compiler import compile_spec
from specrun.compiler.graph import select
from specrun.errors import SpecErrors

FUNCS = '''
from specrun import asset

def one():
    return 1

def pair():
    return 1, 2

@asset(tags={"team": "x"}, kinds={"duckdb"})
def decorated():
    return 1

def inc(v):
    return v + 1
'''

SPEC = '''
ops:
  inc: {fn: inc}
  start: {fn: one}
assets:
  plain: {fn: one, kinds: [python, pandas], tags: {tier: gold}}
  again: {fn: kinds_funcs:decorated, kinds: [python]}
  pair:
    fn: pair
    kinds: [python]
    tags: {tier: gold}
    outs:
      left: {kinds: [snowflake]}
      right: {}
  graphed:
    graph: {s: {op: start}, i: {op: inc, ins: {v: s}}}
    output: i
    kinds: [spark]
  graphed_pair:
    graph: {s: {op: start}, i: {op: inc, ins: {v: s}}}
    kinds: [spark]
    outs:
      g1: {from: s, kinds: [polars]}
      g2: {from: i}
  outside: {external: true, kinds: [s3]}
'''


def _compile(tmp_path, assets: str):
    (tmp_path / "kinds_funcs.py").write_text(FUNCS)
    path = tmp_path / "p.yaml"
    path.write_text(f"specrun: 1\nname: t\nmodule: kinds_funcs\n{assets}")
    return compile_spec(str(path))


def _tags(compiled) -> dict[str, dict[str, str]]:
    tags = {}
    for a in compiled.definitions.assets:
        by_key = getattr(a, "tags_by_key", None) or {a.key: a.tags}
        tags.update({k.to_user_string(): dict(t) for k, t in by_key.items()})
    return tags


def test_each_kind_of_asset_entry_gets_a_kind_tag_per_kind(tmp_path):
    tags = _tags(_compile(tmp_path, SPEC))
    k = "dagster/kind/"
    assert tags == {
        "plain": {"tier": "gold", k + "python": "", k + "pandas": ""},
        "again": {"team": "x", k + "duckdb": "", k + "python": ""},  # the decorator's and the entry's
        "left": {"tier": "gold", k + "python": "", k + "snowflake": ""},  # the entry's and its own
        "right": {"tier": "gold", k + "python": ""},
        "graphed": {k + "spark": ""},
        "g1": {k + "spark": "", k + "polars": ""},
        "g2": {k + "spark": ""},
        "outside": {k + "s3": ""},
    }


def test_a_kind_is_read_back_as_a_kind_of_the_assets_spec(tmp_path):
    defs = _compile(tmp_path, SPEC).definitions
    pair = next(a for a in defs.assets if AssetKey("left") in getattr(a, "keys", ()))
    assert pair.get_asset_spec(AssetKey("left")).kinds == {"python", "snowflake"}


def test_a_tag_selector_picks_the_assets_of_a_kind(tmp_path):
    compiled = _compile(tmp_path, SPEC)
    assert select(compiled.graph, ["tag:dagster/kind/python"]) == {"plain", "again", "left", "right"}
    assert select(compiled.graph, ["tag:dagster/kind/snowflake"]) == {"left"}


ELEVEN = "[k1, k2, k3, k4, k5, k6, k7, k8, k9, k10, k11]"


@pytest.mark.parametrize("assets, expected", [
    ('assets:\n  a: {fn: one, kinds: [python, "my kind"]}\n',
     ["5:32: 'my kind' is not a valid kind in assets/a/kinds/1: use letters, digits, _, - and . (at most 63)"]),
    ("assets:\n  a: {fn: one, kind: [python]}\n", ["5:16: unknown key 'kind' in assets/a (did you mean 'kinds'?)"]),
    ("assets:\n  a: {fn: one, kinds: python}\n", ["5:23: expected a list, got a string in assets/a/kinds"]),
    (f"assets:\n  a: {{fn: one, kinds: {ELEVEN}}}\n", ["5:23: asset 'a': assets can have at most ten kinds currently"]),
    (f"assets:\n  a: {{fn: one, kinds: [k1], tags: {{dagster/kind/k2: '', x: y}}, compute_kind: sql}}\n",
     ["5:6: asset 'a': give compute_kind= or kinds=, not both"]),
    (f"assets:\n  p:\n    fn: pair\n    kinds: [k1, k2, k3, k4, k5, k6]\n    outs:\n"
     f"      left: {{kinds: [k7, k8, k9, k10, k11]}}\n      right: {{}}\n",
     ["9:21: asset 'left': assets can have at most ten kinds currently"]),
    (f"assets:\n  e: {{external: true, kinds: {ELEVEN}}}\n",
     ["5:30: asset 'e': assets can have at most ten kinds currently"]),
])
def test_bad_kinds_are_reported_at_their_position(tmp_path, assets, expected):
    with pytest.raises(SpecErrors) as e:
        _compile(tmp_path, assets)
    assert [f"{x.location.line}:{x.location.col}: {x.message}" + (f" ({x.hint})" if x.hint else "")
            for x in e.value.errors] == expected
