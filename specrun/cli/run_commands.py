"""The commands that decide and run work: plan and apply."""

from __future__ import annotations

import sys
from typing import Any

import click

from .group import LOG_LEVELS, _spec_options, main
from .guard import _run_guarded


def _run_options(fn: Any) -> Any:
    options = [
        click.option("--select", "select", multiple=True,
                     help="dbt-style selector: name, +name, name+, 2+name, name+1, tag:k=v, group:g; "
                          "space-separated for a union, comma for an intersection; repeatable."),
        click.option("--exclude", "exclude", multiple=True, help="Selector of assets to leave out; repeatable."),
        click.option("--partition", "partition", help="Partition key to run."),
        click.option("--partitions", "partitions", help="Backfill: FIRST..LAST or a comma-separated list."),
        click.option("--job", "job_name", help="Run a job declared in the spec."),
        click.option("--executor", "executor", type=click.Choice(["in_process", "multiprocess", "dask"]), help="Override the spec's executor."),
        click.option("--max-concurrent", "max_concurrent", type=click.IntRange(min=1),
                     help="Parallel steps (multiprocess/dask)."),
        click.option("--config", "config_file", type=click.Path(), help="Run config YAML (ops/resources/execution)."),
        click.option("--force", is_flag=True, help="Run every selected step, stale or not."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return _spec_options(fn)


def _check_run_options(options: dict[str, Any]) -> None:
    if options.get("partition") is not None and options.get("partitions") is not None:
        raise click.UsageError("--partition and --partitions cannot be used together: "
                               "--partitions A..B or A,B,C names several keys")


@main.command()
@click.argument("spec", type=click.Path())
@_run_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one document, {\"format\": \"specrun.plan/1\", \"steps\": [...]} (see README).")
@click.option("--exit-code", "exit_code", is_flag=True,
              help="Exit 0 when nothing would run, 2 when something would, 1 on error (for CI).")
@click.pass_context
def plan(ctx: click.Context, spec: str, fmt: str, exit_code: bool, **options: Any) -> None:
    """Show what `apply` would run, in order, and why."""
    from ..commands import run_plan

    _check_run_options(options)
    would_run = _run_guarded(ctx, lambda: run_plan(spec, options, fmt), fmt)
    sys.exit(2 if exit_code and would_run else 0)


def _log_options(fn: Any) -> Any:
    """--log-level / -v / -q: which messages of the steps show while a run goes on."""
    fn = click.option("-q", "--quiet", "quiet", is_flag=True, help="Only errors of the steps (--log-level error).")(fn)
    fn = click.option("-v", "--verbose", "verbose", count=True,
                      help="Also info messages of the steps (-vv: debug).")(fn)
    return click.option("--log-level", "log_level", type=click.Choice(LOG_LEVELS, case_sensitive=False),
                        help="Show the steps' log messages at this level and above (default: warning).")(fn)


def _log_level(options: dict[str, Any]) -> int:
    """The level chosen by --log-level, -v or -q (they are options of one choice)."""
    import logging

    level, verbose, quiet = options.pop("log_level"), options.pop("verbose"), options.pop("quiet")
    if sum(bool(x) for x in (level, verbose, quiet)) > 1:
        raise click.UsageError("--log-level, -v and -q each choose the level: give one of them")
    if level:
        return getattr(logging, level.upper())
    if quiet:
        return logging.ERROR
    return (logging.WARNING, logging.INFO)[min(verbose, 1)] if verbose < 2 else logging.DEBUG


class _Seconds(click.ParamType):
    """A positive, finite number of seconds, at most a year."""

    name = "seconds"

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        import math

        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not (math.isfinite(seconds) and 0 < seconds <= 365 * 86400):
            self.fail(f"{value} is not a number of seconds from more than 0 up to a year (31536000)",
                      param, ctx)
        return seconds


@main.command()
@click.argument("spec", type=click.Path())
@_run_options
@_log_options
@click.option("--timeout", "timeout", type=_Seconds(),
              help="Stop the run after SECONDS and record it as failed (the run tag dagster/max_runtime).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text", show_default=True,
              help="json: one document at the end (specrun.apply/1); jsonl: one JSON line per event, "
                   "then that document (see README).")
@click.pass_context
def apply(ctx: click.Context, spec: str, **options: Any) -> None:
    """Materialize the spec's assets: run what is stale (everything with --force)."""
    from ..commands import run_apply

    _check_run_options(options)
    options["log_level"] = _log_level(options)
    code = _run_guarded(ctx, lambda: run_apply(spec, options), "json" if options["fmt"] != "text" else "text")
    sys.exit(code or 0)


@main.command()
@click.argument("spec", type=click.Path())
@_spec_options
@click.pass_context
def observe(ctx: click.Context, spec: str, **options: Any) -> None:
    """Run the observation functions of the spec's external assets and record their data versions."""
    from ..observing import run_observe

    sys.exit(_run_guarded(ctx, lambda: run_observe(spec, options)) or 0)
