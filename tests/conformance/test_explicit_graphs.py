"""Graphs built explicitly (issue #14 item 7): `GraphDefinition(node_defs=..., dependencies=...)`
with `DependencyDefinition`, `MultiDependencyDefinition`, `NodeInvocation`, input and output
mappings, run as jobs."""

from __future__ import annotations

import pytest

from tests.conformance.api import dg


@dg.op
def one():
    return 1


@dg.op
def add(a, b):
    return a + b


@dg.op
def total_of(xs):
    return sum(xs)


def _wired():
    return dg.GraphDefinition(
        name="wired", node_defs=[one, add, total_of],
        dependencies={
            dg.NodeInvocation("one", alias="x"): {},
            dg.NodeInvocation("one", alias="y"): {},
            "add": {"a": dg.DependencyDefinition("x"), "b": dg.DependencyDefinition("y", "result")},
            "total_of": {"xs": dg.MultiDependencyDefinition(
                [dg.DependencyDefinition("add"), dg.DependencyDefinition("x")])},
        })


def test_an_explicit_graph_runs_each_node_as_a_step_wired_as_declared():
    result = _wired().execute_in_process()
    assert result.success
    assert result.output_for_node("add") == 2
    assert result.output_for_node("total_of") == 3  # fan-in: [add, x] -> [2, 1]
    assert sorted(e.step_key for e in result.get_step_success_events()) == ["add", "total_of", "x", "y"]


def test_a_job_definition_runs_a_graph_definition():
    job = dg.JobDefinition(graph_def=_wired(), name="wired_job")
    assert job.name == "wired_job"
    assert job.execute_in_process().output_for_node("total_of") == 3


def test_a_node_def_no_dependency_names_becomes_a_node_of_its_own_name():
    graph = dg.GraphDefinition(name="lone", node_defs=[one])
    assert graph.to_job().execute_in_process().output_for_node("one") == 1


def _adder():
    return dg.GraphDefinition(
        name="adder", node_defs=[add],
        input_mappings=[dg.InputMapping(graph_input_name="left", mapped_node_name="add",
                                        mapped_node_input_name="a"),
                        dg.InputMapping(graph_input_name="right", mapped_node_name="add",
                                        mapped_node_input_name="b")],
        output_mappings=[dg.OutputMapping(graph_output_name="sum", mapped_node_name="add",
                                          mapped_node_output_name="result")])


def test_input_and_output_mappings_name_the_graphs_inputs_and_outputs():
    result = _adder().execute_in_process(input_values={"left": 2, "right": 3})
    assert result.output_value("sum") == 5


def test_an_explicit_graph_nests_in_a_decorated_one():
    adder = _adder()

    @dg.graph
    def outer():
        return adder(one(), one())

    result = outer.execute_in_process()
    assert result.output_for_node("adder", "sum") == 2
    assert sorted(e.step_key for e in result.get_step_success_events()) == ["adder.add", "one", "one_2"]


@pytest.mark.parametrize("dependencies, words", [
    ({"add": {"a": dg.DependencyDefinition("nope")}}, "nope"),
    ({"add": {"a": dg.DependencyDefinition("add")}}, "add"),
])
def test_bad_dependencies_are_refused_when_the_graph_is_defined(dependencies, words):
    with pytest.raises(dg.DagsterInvalidDefinitionError, match=words):
        dg.GraphDefinition(name="bad", node_defs=[add], dependencies=dependencies)
