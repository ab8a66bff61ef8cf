"""What plain steps store and read (runtime/plain_outputs.py): the LOADED_INPUT messages of
their inputs are made once a job for each input name and IO manager key; what a step knows of
the upstream outputs it reads, looked up for all of a fan-in's at once."""

from __future__ import annotations

from specrun import job, op
from specrun.runtime import job_plan
from specrun.runtime.input_managers import loaded_input_message
from specrun.runtime.step_recipe import job_program


def test_plain_inputs_of_one_name_and_io_manager_share_one_loaded_input_message():
    @op
    def first():
        return 1

    @op
    def plain(x):
        return x

    @op
    def joined(xs):
        return sum(xs)

    @op
    def other(y):
        return y

    @job
    def chain():
        a = plain.alias("a")(first())
        b = plain.alias("b")(a)
        joined([a, b])  # (its recipe's input compiled by `_plain_input`)
        other(b)

    job_plan.planned_with_programs(chain, None)
    program = job_program(chain)
    message = {key: recipe.inputs[0][7] for key, recipe in program.recipes.items() if recipe.inputs}
    assert message["a"] == loaded_input_message("x", "io_manager")
    assert message["a"] is message["b"]
    assert message["joined"] == loaded_input_message("xs", "io_manager")
    assert message["other"] == loaded_input_message("y", "io_manager")
    assert program.input_texts == {"io_manager": {"x": message["a"], "xs": message["joined"],
                                                  "y": message["other"]}}
    events = chain.execute_in_process().all_events
    loaded = [(e.step_key, e.message) for e in events if e.event_type.value == "LOADED_INPUT"]
    assert loaded == [("a", message["a"]), ("b", message["a"]), ("joined", message["joined"]),
                      ("joined", message["joined"]), ("other", message["other"])]


def test_upstream_outputs_gives_each_sources_facts_in_order_once_where_it_repeats_the_one_before():
    from specrun import Out, mem_io_manager
    from specrun.runtime.definitions.nodes import FromOutput
    from specrun.runtime.outputs import OutputFacts
    from specrun.runtime.plain_outputs import PlainOutput, upstream_outputs

    @op(out=Out(io_manager_key="other"))
    def elsewhere():
        return 1

    @op
    def plain(x):
        return x

    @op
    def with_context(context, x):
        return x

    @job(resource_defs={"other": mem_io_manager})
    def varied():
        a = plain.alias("a")(elsewhere())
        with_context(plain.alias("b")(a))

    job_plan.planned_with_programs(varied, None)
    program = job_program(varied)
    names = ("a", "b", "elsewhere", "a", "with_context", "with_context")
    srcs = [FromOutput(name) for name in names]
    each = [upstream_outputs(program, (s,))[0] for s in srcs]  # (each alone)
    assert each[0] is each[1] and each[2] is not each[0] and each[3] is each[0]
    assert [type(f) for f in each] == [PlainOutput] * 4 + [OutputFacts] * 2
    found = upstream_outputs(program, srcs)
    assert len(found) == 4 and all(a is b for a, b in zip(found, [each[0], each[2], each[0], each[4]]))
    assert upstream_outputs(program, ()) == []
