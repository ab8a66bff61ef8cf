"""The whole compiler on valid specs: YAML, TOML and templates give the same pipeline."""

from __future__ import annotations

import os

import networkx as nx
import pytest

from specrun import AssetKey
from specrun.compiler import compile_spec
from specrun.compiler.graph import select

VALID = os.path.join(os.path.dirname(__file__), "..", "..", "specs", "valid")


@pytest.fixture(autouse=True)
def in_valid_folder(monkeypatch):
    monkeypatch.chdir(VALID)


def test_yaml_and_toml_specs_compile_to_the_same_graph():
    yaml_spec = compile_spec("basic.yaml")
    toml_spec = compile_spec("basic.toml")
    assert nx.utils.graphs_equal(yaml_spec.graph, toml_spec.graph)
    assert sorted(yaml_spec.graph.edges) == [("doubled", "total"), ("source", "doubled"),
                                             ("total", "check:total/total_positive")]


def test_compiled_definitions_run_with_spec_config():
    from specrun import materialize_to_memory

    compiled = compile_spec("basic.yaml")
    defs = compiled.definitions
    job = compiled.job_for()
    assert job.config["ops"]["source"] == {"config": {"n": 4}}
    result = materialize_to_memory(defs.assets + defs.asset_checks, run_config=job.config)
    assert result.output_for_node("total") == 12
    assert result.get_asset_check_evaluations()[0].passed


def test_job_for_every_asset_makes_one_new_job_named_after_the_spec(monkeypatch):
    import dataclasses

    import specrun.compiler

    compiled = compile_spec("basic.yaml")
    built = compiled.definitions.get_implicit_global_asset_job_def()
    made = []

    def counting(obj, /, **changes):
        made.append(sorted(changes))
        return dataclasses.replace(obj, **changes)

    monkeypatch.setattr(specrun.compiler, "replace", counting)
    job = compiled.job_for()
    assert made == [["config", "name", "origin"]]  # (each new job is checked anew)
    assert (job.name, job.nodes, job.origin.job_name) == (compiled.name, built.nodes, None)
    assert job.config["ops"]["source"] == {"config": {"n": 4}}


def test_yaml_anchor_in_x_key_sets_group():
    compiled = compile_spec("basic.yaml")
    assert compiled.graph.nodes["source"]["group"] == "core"
    assert compiled.definitions.get_assets_def(AssetKey("total")).group_name == "default"


def test_template_spec_generates_one_asset_per_item():
    compiled = compile_spec("fanout.yaml.j2", {"copies": ["x", "y", "z"]})
    assert sorted(n for n in compiled.graph if n.startswith("doubled")) == ["doubled_x", "doubled_y", "doubled_z"]


@pytest.mark.parametrize("selectors, exclude, expected", [
    (["total"], [], {"total"}),
    (["+total"], [], {"source", "doubled", "total"}),
    (["source+"], [], {"source", "doubled", "total", "check:total/total_positive"}),
    (["1+total"], [], {"doubled", "total"}),
    (["group:core"], [], {"source", "doubled"}),
    (["source total"], [], {"source", "total"}),
    (["+total"], ["source"], {"doubled", "total"}),
    (["group:core,+doubled"], [], {"source", "doubled"}),
])
def test_dbt_style_selection(selectors, exclude, expected):
    graph = compile_spec("basic.yaml").graph
    assert select(graph, selectors, exclude) == expected


def test_tag_selection_and_unknown_selector_hint():
    from specrun.errors import SpecrunError

    graph = compile_spec("fanout.yaml.j2").graph
    assert select(graph, ["tag:copy=b"]) == {"doubled_b"}
    with pytest.raises(SpecrunError, match="did you mean 'doubled_[ab]'"):
        select(graph, ["doubled_q"])


def test_job_for_selection_runs_only_selected_assets():
    compiled = compile_spec("basic.yaml")
    job = compiled.job_for(select=["+doubled"])
    assert sorted(job.nodes) == ["doubled", "source"]
    assert job.origin.path == "basic.yaml"


def test_per_job_executor_for_selection_and_op_jobs(tmp_path):
    (tmp_path / "funcs.py").write_text(open(os.path.join(VALID, "funcs.py")).read())
    (tmp_path / "p.yaml").write_text(
        "specrun: 1\nmodule: funcs\nexecutor: {type: in_process}\n"
        "assets:\n  source: {fn: source}\n  doubled: {fn: double, ins: {values: source}}\n"
        "ops:\n  make: {fn: source}\n"
        "jobs:\n  fast: {selection: '+doubled', executor: {type: multiprocess, config: {max_concurrent: 2}}}\n"
        "  ops_only: {ops: {make: {op: make}}, executor: {type: multiprocess}}\n")
    compiled = compile_spec(str(tmp_path / "p.yaml"))
    fast = compiled.job_for("fast")
    assert fast.executor_def.name == "multiprocess"
    assert fast.config["execution"] == {"config": {"max_concurrent": 2}}
    assert compiled.job_for("ops_only").executor_def.name == "multiprocess"
    assert compiled.job_for().executor_def.name == "in_process"
