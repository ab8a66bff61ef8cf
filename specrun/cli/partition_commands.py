"""`specrun partitions add|list|delete`: the keys of a spec's dynamic partitions."""

from __future__ import annotations

from typing import Optional

import click

from .group import _history_spec, _var_options, main
from .guard import _run_guarded


@main.group()
def partitions() -> None:
    """Add, list or delete the keys of a spec's dynamic partitions (`{type: dynamic}`)."""


@partitions.command("add")
@click.argument("name")
@click.argument("keys", nargs=-1, required=True)
@_history_spec
@click.pass_context
def partitions_add(ctx: click.Context, name: str, keys: tuple, spec: Optional[str], var: tuple,
                   vars_file: Optional[str]) -> None:
    """Add KEYS to the dynamic partitions NAME; `plan`/`apply` then see them as work."""
    from ..partition_keys import add_partitions

    _run_guarded(ctx, lambda: add_partitions(name, keys, spec, _var_options(var, vars_file)))


@partitions.command("list")
@click.argument("name")
@_history_spec
@click.pass_context
def partitions_list(ctx: click.Context, name: str, spec: Optional[str], var: tuple,
                    vars_file: Optional[str]) -> None:
    """Print the keys of the dynamic partitions NAME, in the order they were added."""
    from ..partition_keys import list_partitions

    _run_guarded(ctx, lambda: list_partitions(name, spec, _var_options(var, vars_file)))


@partitions.command("delete")
@click.argument("name")
@click.argument("keys", nargs=-1, required=True)
@_history_spec
@click.pass_context
def partitions_delete(ctx: click.Context, name: str, keys: tuple, spec: Optional[str], var: tuple,
                      vars_file: Optional[str]) -> None:
    """Delete KEYS from the dynamic partitions NAME."""
    from ..partition_keys import delete_partitions

    _run_guarded(ctx, lambda: delete_partitions(name, keys, spec, _var_options(var, vars_file)))
