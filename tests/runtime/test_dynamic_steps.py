"""The plan's dynamic steps: copies of mapped ops for each value, and re-execution's known keys."""

from __future__ import annotations

from specrun import DynamicOut, DynamicOutput, job, op
from specrun.runtime.events import ET, Event, StepOutputData
from specrun.runtime.plan import build_plan


@op(out=DynamicOut())
def emit():
    yield DynamicOutput(1, mapping_key="a")


@op
def double(value: int) -> int:
    return value * 2


@op
def plus(value: int, other: int) -> int:
    return value + other


@op
def ten() -> int:
    return 10


@op
def listed(values: list) -> list:
    return values


@job
def fanned():
    listed(emit().map(double).map(lambda d: plus(d, ten())).collect())


def _output(step_key: str, mapping_key: str) -> Event:
    return Event(ET.STEP_OUTPUT, "run", "fanned", step_key, "", StepOutputData("result", {}, None, None, mapping_key))


def test_the_plan_leaves_mapped_ops_out_and_the_collect_waits_on_the_emitting_step():
    plan = build_plan(fanned)
    assert list(plan.steps) == ["emit", "ten", "listed"]
    assert plan.steps["listed"].upstream_keys == {"emit"}


def test_a_value_adds_one_copy_of_each_mapped_op_and_the_collect_reads_the_last():
    plan = build_plan(fanned)
    new = plan.expand_dynamic(_output("emit", "a"))
    assert [(s.key, s.mapping_key, sorted(s.upstream_keys)) for s in new.steps] == [
        ("double[a]", "a", ["emit"]), ("plus[a]", "a", ["double[a]", "ten"])]
    [up] = new.steps[0].inputs["value"]
    assert (up.step_key, up.mapping_key) == ("emit", "a")
    assert new.dependents == {"listed": ["plus[a]"]}
    assert [u.step_key for u in new.inputs["listed"]["values"]] == ["plus[a]"]
    assert plan.expand_dynamic(_output("ten", None)) is None


def test_known_mapping_keys_put_the_copies_in_the_plan_in_dependency_order():
    plan = build_plan(fanned, known_mapping_keys={"emit": {"result": ["b", "a"]}})
    keys = list(plan.steps)
    assert set(keys) == {"emit", "ten", "double[b]", "double[a]", "plus[b]", "plus[a]", "listed"}
    assert keys.index("plus[a]") < keys.index("listed") and keys.index("double[b]") < keys.index("plus[b]")
    assert [u.step_key for u in plan.steps["listed"].inputs["values"]] == ["plus[b]", "plus[a]"]
    assert plan.steps["listed"].upstream_keys == {"emit", "plus[b]", "plus[a]"}


def test_a_selection_of_copies_keeps_their_mapping_keys_and_reads_the_rest_from_storage():
    plan = build_plan(fanned, (), ["plus[a]", "listed"],
                      {"emit": {"result": ["b", "a"]}})
    assert list(plan.steps) == ["plus[a]", "listed"]
    assert plan.steps["plus[a]"].mapping_key == "a"
    assert plan.steps["listed"].upstream_keys == {"plus[a]"}
    assert [u.step_key for u in plan.steps["listed"].inputs["values"]] == ["plus[b]", "plus[a]"]


def test_a_job_has_dynamic_outputs_when_a_node_declares_one_or_collects_one():
    """`has_dynamic_outputs`, which skips the property call for a plain `Out`: a DynamicOut,
    an Out subclass that says it is dynamic, and a FromCollect input each count; plain Outs
    and a subclass that says it is not do not."""
    from specrun.runtime.definitions.dynamic import DynamicOut, has_dynamic_outputs
    from specrun.runtime.definitions.nodes import FromCollect, FromOutput, Node
    from specrun.runtime.definitions.ops import Out

    class Said(Out):
        def __init__(self, dynamic):
            super().__init__()
            object.__setattr__(self, "_said", dynamic)

        @property
        def is_dynamic(self):
            return self._said

    def node(name, outs, inputs=None):
        op_def = type("OpDef", (), {"outs": outs})()
        return Node(name, op_def, inputs or {})

    plain = {"a": node("a", {"result": Out()}), "b": node("b", {"x": Out(), "y": Said(False)},
                                                         {"i": FromOutput("a")})}
    assert not has_dynamic_outputs(plain)
    for extra in (node("c", {"r": DynamicOut()}), node("c", {"r": Said(True)}),
                  node("c", {}, {"i": FromCollect("a")})):
        assert has_dynamic_outputs({**plain, "c": extra})
