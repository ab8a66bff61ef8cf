"""The `specrun` command.

Each command imports what it needs when it runs, so `specrun --help` starts fast.
Errors a user can cause are printed as `file:line:col: error: message` with the source line
and a caret, and exit with status 1; `--debug` shows Python tracebacks instead.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Optional

import click

from . import __version__

VAR_HELP = "Template variable KEY=VALUE (VALUE parsed as YAML); repeatable."
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


class _Ctx:
    def __init__(self, debug: bool) -> None:
        self.debug = debug


def _vars(var: tuple[str, ...], vars_file: Optional[str]) -> dict[str, Any]:
    from .compiler.load import load_vars_file, parse_vars

    values: dict[str, Any] = {}
    if vars_file:
        values.update(load_vars_file(vars_file))
    values.update(parse_vars(list(var)))
    return values


def _fail_with_errors(errors: list, files: dict, fmt: str = "text") -> None:
    from .compiler.diagnostics import errors_to_json, render_error

    if fmt == "json":
        click.echo(errors_to_json(errors))
    else:
        for err in errors:
            click.echo(render_error(err, files), err=True)
        click.echo(f"{len(errors)} error(s)", err=True)
    sys.exit(1)


def _run_guarded(ctx: click.Context, fn: Any, fmt: str = "text") -> Any:
    """Run `fn` as a command's body: specrun's own errors become a clean message and exit
    status 1, Ctrl-C exit status 130, and any other exception (raised by the user's code, say
    a resource or a template) its message and the user's part of the traceback; `--debug`
    lets every exception through with its whole traceback."""
    from .errors import SpecError, SpecErrors, SpecrunError

    if ctx.obj is not None and ctx.obj.debug:
        return fn()
    try:
        return fn()
    except SpecErrors as e:
        _fail_with_errors(e.errors, getattr(e, "files", {}) or {}, fmt)
    except SpecError as e:
        _fail_with_errors([e], getattr(e, "files", {}) or {}, fmt)
    except SpecrunError as e:
        _fail_without_location(str(e), fmt)
    except BrokenPipeError:  # the reader of our output went away (`specrun runs | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
    except FileNotFoundError as e:
        _fail_without_location(f"{e.filename or e}: no such file", fmt)
    except OSError as e:
        _fail_without_location(f"{e.filename}: {e.strerror}" if e.filename else f"{e.strerror or e}", fmt)
    except KeyboardInterrupt:
        _fail("\ninterrupted", 130)
    except (click.ClickException, click.exceptions.Exit):
        raise
    except Exception as e:  # noqa: BLE001 - the command's boundary: reported as a failed step is
        if fmt == "json":
            _fail_without_location(f"{type(e).__name__}: {e}", fmt)
        _fail_unexpected(e)


def _fail(message: str, code: int = 1) -> None:
    click.echo(message, err=True)
    sys.exit(code)


def _fail_without_location(message: str, fmt: str) -> None:
    """`error: message`, or with --format json the same `{"errors": [...]}` a spec error gives."""
    from .errors import SpecError

    if fmt == "json":
        _fail_with_errors([SpecError(message)], {}, fmt)
    _fail(f"error: {message}")


def _framework_dirs() -> tuple[str, ...]:
    """Folders of specrun and of the libraries it drives: frames there are not the user's."""
    return tuple(os.path.dirname(os.path.abspath(sys.modules[name].__file__ or "")) + os.sep
                 for name in ("specrun", "click", "jinja2") if name in sys.modules)


def _fail_unexpected(exc: BaseException) -> None:
    """`error: Type: message`, then the frames of the traceback that are the user's."""
    import traceback

    hidden = _framework_dirs()
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not os.path.abspath(f.filename).startswith(hidden)]
    click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
    if frames:
        click.echo("Traceback (your code):", err=True)
        click.echo("".join(traceback.format_list(frames)).rstrip(), err=True)
        click.echo("  (`specrun --debug ...` shows the whole traceback)", err=True)
    else:
        click.echo("  this is a bug in specrun: please report it with the output of "
                   "`specrun --debug ...`", err=True)
    sys.exit(1)


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


@main.command()
@click.argument("spec", type=click.Path())
@_spec_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: {\"errors\": [{file, line, col, pointer, message, hint}]} on stdout.")
@click.option("--static", "static", is_flag=True,
              help="Check code references by reading the source only: nothing is imported or run.")
@click.pass_context
def validate(ctx: click.Context, spec: str, var: tuple, vars_file: Optional[str], fmt: str, static: bool) -> None:
    """Check SPEC and report every problem with its file, line and column."""
    if static:
        from .compiler.static import validate_static

        typed = _run_guarded(ctx, lambda: validate_static(spec, _vars(var, vars_file)), fmt)
        summary = f"static: {len(typed.assets)} asset(s), {len(typed.ops)} op(s), nothing imported"
    else:
        from .compiler import compile_spec

        summary = _run_guarded(ctx, lambda: compile_spec(spec, _vars(var, vars_file)), fmt).summary()
    if fmt == "json":
        click.echo('{"errors": []}')
    else:
        click.echo(f"{spec}: ok ({summary})")


def _load_or_show_rendered(template: str, values: dict[str, Any]) -> Any:
    """The rendered document; when the rendered text does not parse as a spec, that text is
    printed first (to see what went wrong), then the errors."""
    from .compiler.load import load_document, rendered_text
    from .errors import SpecErrors

    try:
        return load_document(template, values)
    except SpecErrors as e:
        try:
            text = rendered_text(template, values)
        except SpecErrors:  # the template itself does not render: its own errors say why
            text = None
        if text is not None:
            click.echo(text, nl=not text.endswith("\n"))
        raise e from None


@main.command()
@click.argument("template", type=click.Path())
@_spec_options
@click.pass_context
def render(ctx: click.Context, template: str, var: tuple, vars_file: Optional[str]) -> None:
    """Print the spec a Jinja2 TEMPLATE renders to, with its `use:` instances written out."""
    from .compiler.load import load_document

    from .compiler.template_tools import render_expanded

    values = _run_guarded(ctx, lambda: _vars(var, vars_file))
    doc = _run_guarded(ctx, lambda: _load_or_show_rendered(template, values))
    text = render_expanded(doc)  # `use:` instances written out, each under a comment naming it
    click.echo(text, nl=not text.endswith("\n"))


@main.command()
@click.argument("spec", type=click.Path())
@_spec_options
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot", "json", "svg", "html"]),
              default="mermaid", show_default=True,
              help="Mermaid, Graphviz dot or JSON nodes and edges; svg or html: the picture.")
@click.option("-o", "--output", "output", type=click.Path(), help="Write to this file (svg/html).")
@click.pass_context
def graph(ctx: click.Context, spec: str, var: tuple, vars_file: Optional[str], fmt: str,
          output: Optional[str]) -> None:
    """Print the pipeline's DAG as Mermaid, Graphviz dot or JSON, or draw it (svg, html)."""
    from .compiler import compile_spec
    from .compiler.graph import graph_to_dot, graph_to_json, graph_to_mermaid

    if fmt in ("svg", "html"):
        from .ui.report import write_graph

        text = _run_guarded(ctx, lambda: write_graph(spec, _vars(var, vars_file), fmt, output))
        if output:
            click.echo(f"wrote {output}", err=True)
        else:
            click.echo(text)
        return
    if output:
        raise click.UsageError("-o/--output is for --format svg or html")
    compiled = _run_guarded(ctx, lambda: compile_spec(spec, _vars(var, vars_file)))
    render_fn = {"mermaid": graph_to_mermaid, "dot": graph_to_dot, "json": graph_to_json}[fmt]
    click.echo(render_fn(compiled.graph))


@main.command()
@click.option("--for", "for_spec", type=click.Path(), metavar="SPEC",
              help="Include the parameters of the templates SPEC uses, so `with:` blocks are checked.")
@click.pass_context
def schema(ctx: click.Context, for_spec: Optional[str]) -> None:
    """Print the JSON Schema of spec files (for editors and the YAML language server)."""
    import json

    from .schemas import load_schema

    if for_spec:
        from .compiler.template_tools import schema_for

        click.echo(json.dumps(_run_guarded(ctx, lambda: schema_for(for_spec)), indent=2))
        return
    click.echo(json.dumps(load_schema(), indent=2))


@main.group()
def templates() -> None:
    """Templates shared by installed packages (entry point group `specrun.templates`)."""


@templates.command("list")
@click.pass_context
def templates_list(ctx: click.Context) -> None:
    """List installed templates as `package:name`, with their descriptions."""
    from .compiler.template_tools import templates_listing

    click.echo(_run_guarded(ctx, templates_listing))


@templates.command("show")
@click.argument("name")
@click.pass_context
def templates_show(ctx: click.Context, name: str) -> None:
    """Show the parameters of template NAME (`package:name` or a file path)."""
    from .compiler.template_tools import template_details

    click.echo(_run_guarded(ctx, lambda: template_details(name)))


@main.command()
@click.argument("directory", type=click.Path())
@click.option("--template", "template", metavar="NAME",
              help="Write a spec that uses template NAME (`package:name` or a path) instead of the starter.")
@click.pass_context
def init(ctx: click.Context, directory: str, template: Optional[str]) -> None:
    """Write a starter project into DIRECTORY."""
    from .compiler.starter import write_starter

    if os.path.exists(directory) and not os.path.isdir(directory):
        _fail(f"error: {directory} is a file: name a directory for the new project "
              "(it is created if missing)")
    if template:
        from .compiler.template_tools import scaffold

        for path in _run_guarded(ctx, lambda: scaffold(directory, template)):
            click.echo(f"wrote {path}")
        click.echo(f"next: fill in the TODO arguments, then specrun apply {os.path.join(directory, 'pipeline.yaml')}")
        return
    written = _run_guarded(ctx, lambda: write_starter(directory))
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: specrun apply {os.path.join(directory, 'pipeline.yaml')}")


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
    from .commands import run_plan

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


@main.command()
@click.argument("spec", type=click.Path())
@_run_options
@_log_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text", show_default=True,
              help="json: one document at the end (specrun.apply/1); jsonl: one JSON line per event, "
                   "then that document (see README).")
@click.pass_context
def apply(ctx: click.Context, spec: str, **options: Any) -> None:
    """Materialize the spec's assets: run what is stale (everything with --force)."""
    from .commands import run_apply

    _check_run_options(options)
    options["log_level"] = _log_level(options)
    code = _run_guarded(ctx, lambda: run_apply(spec, options), "json" if options["fmt"] != "text" else "text")
    sys.exit(code or 0)


def _history_spec(fn: Any) -> Any:
    fn = _spec_options(fn)
    return click.option("--spec", "spec", type=click.Path(),
                        help="Spec whose run store to read (default: the spec in this folder).")(fn)


def _var_options(var: tuple[str, ...], vars_file: Optional[str]) -> dict[str, Any]:
    return {"var": var, "vars_file": vars_file}


@main.command()
@_history_spec
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="How many runs to list.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: {\"format\": \"specrun.runs/1\", \"runs\": [...]} (see README).")
@click.pass_context
def runs(ctx: click.Context, spec: Optional[str], limit: int, var: tuple,
         vars_file: Optional[str], fmt: str) -> None:
    """List the spec's recorded runs, newest first."""
    from .history import list_runs

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

    from .history import show_logs

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
    from .history import reexecute as do_reexecute

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
    from .history import show_status

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
    from .ui import UI_EXTRA_HINT, missing_ui_dependency

    missing = missing_ui_dependency()
    if missing:
        _fail(f"error: `specrun ui` needs {missing}, which is part of the [ui] extra: {UI_EXTRA_HINT}")
    from .ui.serve import serve

    _run_guarded(ctx, lambda: serve(spec, host, port, read_only, var, vars_file))


@main.command()
@click.argument("run_id")
@_history_spec
@click.option("-o", "--output", "output", required=True, type=click.Path(), help="The HTML file to write.")
@click.pass_context
def report(ctx: click.Context, run_id: str, spec: Optional[str], output: str, var: tuple,
           vars_file: Optional[str]) -> None:
    """Write one self-contained HTML file of RUN_ID: its graph, timeline and logs."""
    from .ui.report import write_report

    _run_guarded(ctx, lambda: write_report(run_id, spec, _var_options(var, vars_file), output))
    click.echo(f"wrote {output}", err=True)


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
    from .partition_keys import add_partitions

    _run_guarded(ctx, lambda: add_partitions(name, keys, spec, _var_options(var, vars_file)))


@partitions.command("list")
@click.argument("name")
@_history_spec
@click.pass_context
def partitions_list(ctx: click.Context, name: str, spec: Optional[str], var: tuple,
                    vars_file: Optional[str]) -> None:
    """Print the keys of the dynamic partitions NAME, in the order they were added."""
    from .partition_keys import list_partitions

    _run_guarded(ctx, lambda: list_partitions(name, spec, _var_options(var, vars_file)))


@partitions.command("delete")
@click.argument("name")
@click.argument("keys", nargs=-1, required=True)
@_history_spec
@click.pass_context
def partitions_delete(ctx: click.Context, name: str, keys: tuple, spec: Optional[str], var: tuple,
                      vars_file: Optional[str]) -> None:
    """Delete KEYS from the dynamic partitions NAME."""
    from .partition_keys import delete_partitions

    _run_guarded(ctx, lambda: delete_partitions(name, keys, spec, _var_options(var, vars_file)))


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_object(_Ctx).debug = True


# `--debug` is read after the command name too (`specrun apply x.yaml --debug`), where people put it.
for _command in [*main.commands.values(), *partitions.commands.values()]:
    _command.params.append(click.Option(["--debug"], is_flag=True, expose_value=False, is_eager=True,
                                        callback=_set_debug, help="Show Python tracebacks for errors."))


if __name__ == "__main__":
    main()
