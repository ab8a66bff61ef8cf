"""The `specrun` command.

Each command imports what it needs when it runs, so `specrun --help` starts fast. The command
group is in group.py, error reporting in guard.py, and the commands in one module per group:
spec_commands (validate, render, graph, schema, templates, init), run_commands (plan, apply, observe),
history_commands (runs, logs, reexecute, status, report, ui), partition_commands.
"""

from __future__ import annotations

import click

from . import history_commands, partition_commands, run_commands, spec_commands
from .group import main
from .guard import _Ctx, _run_guarded
from .partition_commands import partitions

__all__ = ["main", "_Ctx", "_run_guarded"]
_COMMAND_MODULES = (spec_commands, run_commands, history_commands, partition_commands)


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_object(_Ctx).debug = True


# `--debug` is read after the command name too (`specrun apply x.yaml --debug`), where people put it.
for _command in [*main.commands.values(), *partitions.commands.values()]:
    _command.params.append(click.Option(["--debug"], is_flag=True, expose_value=False, is_eager=True,
                                        callback=_set_debug, help="Show Python tracebacks for errors."))
