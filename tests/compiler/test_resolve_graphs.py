"""Graph-backed assets in a spec (`assets.<name>.graph:`), resolved to `AssetsDefinition.from_graph`."""

from __future__ import annotations

import pytest

from specrun import AssetKey, materialize
from specrun.compiler import compile_spec
from specrun.errors import SpecErrors

FUNCS = '''
def raw():
    return [3, 1, 3]

def unique(values):
    return sorted(set(values))

def double(values):
    return [v * 2 for v in values]

def pair(values):
    return values[0], values[-1]
'''

OPS = ("ops:\n  unique: {fn: unique}\n  double: {fn: double}\n"
       "  pair: {fn: pair, outs: {first: {}, last: {}}}\n")


def _spec(tmp_path, assets: str) -> str:
    (tmp_path / "graph_funcs.py").write_text(FUNCS)
    path = tmp_path / "p.yaml"
    path.write_text(f"specrun: 1\nname: t\nmodule: graph_funcs\n{OPS}assets:\n  raw: {{fn: raw}}\n{assets}")
    return str(path)


def _errors(path: str) -> list[str]:
    with pytest.raises(SpecErrors) as e:
        compile_spec(path)
    return [f"{err.location.line}:{err.location.col}: {err.message}" for err in e.value.errors]


def test_a_graph_entry_becomes_a_graph_asset_whose_nodes_are_steps(tmp_path):
    path = _spec(tmp_path, "  doubled:\n    graph:\n      u: {op: unique, ins: {values: raw}}\n"
                           "      d: {op: double, ins: {values: u}}\n")
    defs = compile_spec(path).definitions
    doubled = next(a for a in defs.assets if a.key == AssetKey("doubled"))
    assert doubled.keys_by_input_name == {"raw": AssetKey("raw")}
    result = materialize(defs.assets)
    assert sorted(e.step_key for e in result.get_step_success_events()) == ["doubled.d", "doubled.u", "raw"]
    assert [e.step_key for e in result.get_asset_materialization_events()
            if e.asset_key == AssetKey("doubled")] == ["doubled.d"]
    assert result.output_for_node("doubled") == [2, 6]


def test_outs_with_from_make_a_graph_multi_asset(tmp_path):
    path = _spec(tmp_path, "  ends:\n    graph:\n      u: {op: unique, ins: {values: raw}}\n"
                           "      p: {op: pair, ins: {values: u}}\n"
                           "    outs: {lowest: {from: p.first}, highest: {from: p.last, group: top}}\n")
    defs = compile_spec(path).definitions
    result = materialize(defs.assets)
    assert result.output_for_node("ends", "lowest") == 1
    assert result.output_for_node("ends", "highest") == 3
    ends = next(a for a in defs.assets if a.node_name == "ends")
    assert ends.group_names_by_key[AssetKey("highest")] == "top"


def test_each_bad_reference_in_a_graph_is_reported_at_its_line(tmp_path):
    path = _spec(tmp_path, "  doubled:\n    graph:\n      u: {op: uniqe, ins: {values: raw}}\n"
                           "      d: {op: double, ins: {valuez: u, values: nowhere}}\n"
                           "    output: e\n")
    assert _errors(path) == [
        "12:15: graph node 'u': no op named 'uniqe'",
        "13:29: op 'double' has no input 'valuez'",
        "13:48: 'nowhere' is neither a node of this graph nor an asset",
        "14:13: graph asset 'doubled': 'e' is not a node of this graph",
    ]


def test_a_graph_with_two_final_nodes_needs_output(tmp_path):
    path = _spec(tmp_path, "  both:\n    graph:\n      u: {op: unique, ins: {values: raw}}\n"
                           "      d: {op: double, ins: {values: raw}}\n")
    assert _errors(path) == ["10:3: graph asset 'both': which node's output is the asset?"]


def test_a_cycle_in_a_graph_is_an_error_naming_it(tmp_path):
    path = _spec(tmp_path, "  loop:\n    graph:\n      u: {op: unique, ins: {values: d}}\n"
                           "      d: {op: double, ins: {values: u}}\n    output: d\n")
    [error] = _errors(path)
    assert error == "12:7: graph 'loop': its dependencies form a cycle (u -> d -> u)"


def test_an_asset_with_neither_fn_nor_graph_is_refused_by_the_schema(tmp_path):
    path = _spec(tmp_path, "  empty: {group: g}\n")
    [error] = _errors(path)
    assert error == "10:3: missing required key 'fn' or 'graph' or 'external' or 'observe' in assets/empty"


def test_an_asset_with_both_fn_and_graph_is_an_error_at_fn(tmp_path):
    path = _spec(tmp_path, "  doubled:\n    fn: raw\n    graph:\n      u: {op: unique, ins: {values: raw}}\n")
    assert _errors(path) == [
        "11:5: an asset has either `fn:` (one step) or `graph:` (a step per op), not both"]


def test_a_graph_asset_takes_its_entrys_options(tmp_path):
    path = _spec(tmp_path, "  doubled:\n    graph:\n      u: {op: unique, ins: {values: raw}}\n"
                           "    group: g\n    description: twice\n    code_version: v2\n"
                           "    tags: {team: 7}\n    metadata: {owner: me}\n    deps: [raw]\n")
    doubled = next(a for a in compile_spec(path).definitions.assets if a.node_name == "doubled")
    assert (doubled.group_name, doubled.description, doubled.code_version) == ("g", "twice", "v2")
    assert doubled.tags == {"team": "7"}
    assert {k: v.value for k, v in doubled.metadata.items()} == {"owner": "me"}
    assert AssetKey("raw") in doubled.dependency_keys
