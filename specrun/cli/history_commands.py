"""Commands reading a spec's run store: runs, logs, reexecute, status, report, and the UI."""

from __future__ import annotations

import sys
from typing import Optional

import click

from .group import LOG_LEVELS, _history_spec, _spec_options, _var_options, main
from .guard import _fail, _run_guarded


@main.command()
@_history_spec
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="How many runs to list.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: {\"format\": \"specrun.runs/1\", \"runs\": [...]} (see README).")
@click.pass_context
def runs(ctx: click.Context, spec: Optional[str], limit: int, var: tuple,
         vars_file: Optional[str], fmt: str) -> None:
    """List the spec's recorded runs, newest first."""
    from ..history import list_runs

    _run_guarded(ctx, lambda: list_runs(spec, limit, _var_options(var, vars_file), fmt), fmt)


@main.command()
@click.argument("run_id")
@_history_spec
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one event per line.")
@click.option("--level", "level", type=click.Choice(LOG_LEVELS, case_sensitive=False),
              help="Only events at this level and above (a failure is at error).")
@click.pass_context
def logs(ctx: click.Context, run_id: str, spec: Optional[str], fmt: str, var: tuple,
         vars_file: Optional[str], level: Optional[str]) -> None:
    """Print the events of RUN_ID (a unique prefix is enough), with their levels; a failure
    with its message and the traceback of your code."""
    import logging

    from ..history import show_logs

    min_level = getattr(logging, level.upper()) if level else 0
    _run_guarded(ctx, lambda: show_logs(spec, run_id, fmt, _var_options(var, vars_file), min_level))


@main.command()
@click.argument("run_id")
@_history_spec
@click.option("--from-failure", is_flag=True,
              help="Only the steps that did not succeed and those downstream of them; "
                   "reuse stored outputs.")
@click.pass_context
def reexecute(ctx: click.Context, run_id: str, spec: Optional[str], from_failure: bool, var: tuple,
              vars_file: Optional[str]) -> None:
    """Run the steps of RUN_ID again, with its options (--var/--vars only open a template spec's
    store: the run replays RUN_ID's own)."""
    from ..history import reexecute as do_reexecute

    var_options = _var_options(var, vars_file)
    sys.exit(_run_guarded(ctx, lambda: do_reexecute(run_id, spec, from_failure, var_options)) or 0)


@main.command()
@click.argument("spec", required=False, type=click.Path())
@_spec_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: {\"format\": \"specrun.status/1\", \"assets\": [...]} (see README).")
@click.pass_context
def status(ctx: click.Context, spec: Optional[str], var: tuple, vars_file: Optional[str], fmt: str) -> None:
    """Show, per asset, which partitions are materialized, stale, failed or missing."""
    from ..history import show_status

    _run_guarded(ctx, lambda: show_status(spec, _var_options(var, vars_file), fmt), fmt)


@main.command()
@click.argument("spec", type=click.Path())
@_spec_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (anything but a loopback address is reachable by others).")
@click.option("--port", default=3000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--read-only", is_flag=True, help="Show everything, allow no action (no launch, no re-execute).")
@click.pass_context
def ui(ctx: click.Context, spec: str, var: tuple, vars_file: Optional[str], host: str, port: int,
       read_only: bool) -> None:
    """Serve the web UI of SPEC: asset graph with states, runs, launching."""
    from ..ui import UI_EXTRA_HINT, missing_ui_dependency

    missing = missing_ui_dependency()
    if missing:
        _fail(f"error: `specrun ui` needs {missing}, which is part of the [ui] extra: {UI_EXTRA_HINT}")
    from ..ui.serve import serve

    _run_guarded(ctx, lambda: serve(spec, host, port, read_only, var, vars_file))


@main.command()
@click.argument("run_id")
@_history_spec
@click.option("-o", "--output", "output", required=True, type=click.Path(), help="The HTML file to write.")
@click.pass_context
def report(ctx: click.Context, run_id: str, spec: Optional[str], output: str, var: tuple,
           vars_file: Optional[str]) -> None:
    """Write one self-contained HTML file of RUN_ID: its graph, timeline and logs."""
    from ..ui.report import write_report

    _run_guarded(ctx, lambda: write_report(run_id, spec, _var_options(var, vars_file), output))
    click.echo(f"wrote {output}", err=True)
