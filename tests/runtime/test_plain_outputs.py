"""What plain steps store and read (runtime/plain_outputs.py): the LOADED_INPUT messages of
their inputs are made once a job for each input name and IO manager key."""

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
