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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
