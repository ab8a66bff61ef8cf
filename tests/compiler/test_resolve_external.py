"""External assets in a spec (`external: true`, `observe: fn`) resolved to AssetSpec and
observable source assets."""

from __future__ import annotations

import pytest

from specrun import AssetKey, AssetSpec
from specrun.compiler import compile_spec
from specrun.errors import SpecErrors

FUNCS = '''
from specrun import DataVersion

def look():
    return DataVersion("3")

def count():
    return 1
'''


def _spec(tmp_path, assets: str) -> str:
    (tmp_path / "ext_funcs.py").write_text(FUNCS)
    path = tmp_path / "p.yaml"
    path.write_text(f"specrun: 1\nname: t\nmodule: ext_funcs\nassets:\n{assets}  count: {{fn: count, deps: [feed]}}\n")
    return str(path)


def test_external_and_observed_entries_become_source_assets(tmp_path):
    defs = compile_spec(_spec(tmp_path, "  feed: {observe: look, group: raw}\n")).definitions
    feed = next(a for a in defs.assets if a.key == AssetKey("feed"))
    assert isinstance(feed, AssetSpec) and feed.is_observable and feed.group_name == "raw"
    assert feed.observe_fn().value == "3"
    defs = compile_spec(_spec(tmp_path, "  feed: {external: true}\n")).definitions
    feed = next(a for a in defs.assets if a.key == AssetKey("feed"))
    assert isinstance(feed, AssetSpec) and not feed.is_observable


@pytest.mark.parametrize("entry, expected", [
    ("  feed: {observe: look, fn: count}\n",
     "5:25: asset 'feed' is external (`external:`/`observe:`): it is not computed here, so it has no `fn:`"),
    ("  feed: {observe: lok}\n", "5:19:"),
])
def test_bad_external_entries_are_reported_at_their_line(tmp_path, entry, expected):
    with pytest.raises(SpecErrors) as e:
        compile_spec(_spec(tmp_path, entry))
    [error] = e.value.errors
    assert f"{error.location.line}:{error.location.col}: {error.message}".startswith(expected)


@pytest.mark.parametrize("entry", ["  feed: {external: true, tags: {tier: raw, n: 1}}\n",
                                   "  feed: {observe: look, tags: {tier: raw, n: 1}}\n"])
def test_an_external_entry_keeps_its_tags_and_a_selection_by_tag_picks_it(tmp_path, entry):
    from specrun.compiler.graph import build_graph, select

    defs = compile_spec(_spec(tmp_path, entry)).definitions
    feed = next(a for a in defs.assets if a.key == AssetKey("feed"))
    assert feed.tags == {"tier": "raw", "n": "1"}  # (values as text, as a computed asset's)
    graph = build_graph(defs)
    assert select(graph, ["tag:tier=raw"]) == {"feed"}
    assert select(graph, ["tag:tier=raw+"]) == {"feed", "count"}
