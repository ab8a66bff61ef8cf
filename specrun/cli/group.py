"""The `specrun` command group and the options several commands share."""

from __future__ import annotations

from typing import Any, Optional

import click

from .. import __version__
from .guard import _Ctx

VAR_HELP = "Template variable KEY=VALUE (VALUE parsed as YAML); repeatable."
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


def _vars(var: tuple[str, ...], vars_file: Optional[str]) -> dict[str, Any]:
    from ..compiler.load import load_vars_file, parse_vars

    values: dict[str, Any] = {}
    if vars_file:
        values.update(load_vars_file(vars_file))
    values.update(parse_vars(list(var)))
    return values


def _spec_options(fn: Any) -> Any:
    fn = click.option("--vars", "vars_file", type=click.Path(), help="YAML file of template variables.")(fn)
    fn = click.option("--var", "var", multiple=True, metavar="KEY=VALUE", help=VAR_HELP)(fn)
    return fn


# Each command's module (in this package): it is imported when the command is looked up, so
# `specrun apply` does not import the modules of the history, partition and spec commands.
COMMAND_MODULES = {
    **dict.fromkeys(("validate", "render", "graph", "schema", "templates", "init"), "spec_commands"),
    **dict.fromkeys(("plan", "apply", "observe"), "run_commands"),
    **dict.fromkeys(("runs", "logs", "reexecute", "status", "report", "ui"), "history_commands"),
    "partitions": "partition_commands",
}


class _LazyGroup(click.Group):
    """The `specrun` group, whose commands are made by importing their module (COMMAND_MODULES)
    the first time one of them is looked up or listed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> Optional[click.Command]:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            _load_commands(COMMAND_MODULES[cmd_name])
        return super().get_command(ctx, cmd_name)


def _load_commands(module: str) -> None:
    """Import a module of commands; its commands (and the partitions group's) also read
    `--debug` after the command name (`specrun apply x.yaml --debug`), where people put it."""
    import importlib

    before = set(main.commands)
    importlib.import_module(f"{__package__}.{module}")
    for name in sorted(set(main.commands) - before):
        command = main.commands[name]
        for each in [command, *(command.commands.values() if name == "partitions" else ())]:  # type: ignore[attr-defined]
            each.params.append(click.Option(["--debug"], is_flag=True, expose_value=False, is_eager=True,
                                            callback=_set_debug, help="Show Python tracebacks for errors."))


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_object(_Ctx).debug = True


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="specrun")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Run data pipelines declared in YAML or TOML spec files."""
    ctx.obj = _Ctx(debug)




def _history_spec(fn: Any) -> Any:
    fn = _spec_options(fn)
    return click.option("--spec", "spec", type=click.Path(),
                        help="Spec whose run store to read (default: the spec in this folder).")(fn)


def _var_options(var: tuple[str, ...], vars_file: Optional[str]) -> dict[str, Any]:
    return {"var": var, "vars_file": vars_file}
