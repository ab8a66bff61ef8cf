"""The outputs plain steps store and read, as their step programs see them (`step_recipe`).

A plain op step's output, untyped and unpartitioned, is stored with nothing of its node but
the output's name and IO manager key (`outputs.store_plain_output`): one `PlainOutput` per
(name, key) serves every such output of a job, instead of an `OutputFacts` a node, which only
the general path reads (it makes its own, `JobProgram.output_facts`).
"""

from __future__ import annotations

from typing import Any, Callable

from .input_managers import loaded_input_message
from .outputs import output_messages


class PlainOutput:
    """The untyped, unpartitioned output `name` of any op node, stored through IO manager
    `io_manager_key`: the slots of its `OutputFacts` that a plain step reads."""

    __slots__ = ("name", "io_manager_key", "yielded_message", "handled_message", "asset_key",
                 "partitions_def", "store_key", "is_nothing")

    def __init__(self, name: str, io_manager_key: str) -> None:
        self.name, self.io_manager_key = name, io_manager_key
        self.asset_key = self.partitions_def = None
        self.store_key, self.is_nothing = (), False
        self.yielded_message, self.handled_message = output_messages(name, "Any", io_manager_key)


def plain_op_output(program: Any, name: str, key: str) -> PlainOutput:
    """The job's `PlainOutput` of output `name` stored through `key` (`program`: its
    `step_recipe.JobProgram`), made on first use."""
    return _kept(program.plain_outputs, key, name, PlainOutput)


def upstream_outputs(program: Any, srcs: Any) -> list:
    """What a step knows of the upstream outputs in `srcs` (FromOutputs) it reads, in order,
    each once where it is the one before's (a fan-in's op outputs share one `PlainOutput`): the
    output of its node's plain recipe when made (recipes are made in plan order), else its
    `OutputFacts`. One call for all of a fan-in's (a 1,000-input join: ~0.5k instructions a
    source less than a call each and a check of each)."""
    recipes, found, last = program.recipes, [], None
    for src in srcs:
        up = recipes.get(src.node)
        if up is not None and up.output is not None and up.plain_output == src.output:
            up = up.output
        else:
            up = (program.facts.get((src.node, src.output))
                  or program.output_facts(program.nodes[src.node], src.output))
        if up is not last:
            found.append(up)
            last = up
    return found


def loaded_message(program: Any, name: str, key: str) -> str:
    """`loaded_input_message(name, key)`, the LOADED_INPUT message of a plain step's input
    `name` read through IO manager `key`, made once a job (`program`: its JobProgram) for each
    (key, name): the nodes of a chain each read an input of one name through one manager, and
    a text made a node cost ~1.2k instructions of its plan."""
    return _kept(program.input_texts, key, name, loaded_input_message)


def _kept(table: dict, key: str, name: str, make: Callable[[str, str], Any]) -> Any:
    """`table[key][name]`, made by `make(name, key)` and kept there on first use."""
    by_name = table.get(key)
    if by_name is None:
        by_name = table[key] = {}
    found = by_name.get(name)
    if found is None:
        found = by_name[name] = make(name, key)
    return found
