"""Commands about a spec itself: validate, render, graph, schema, templates, init."""

from __future__ import annotations

import os
from typing import Any, Optional

import click

from .group import _spec_options, _vars, main
from .guard import _fail, _run_guarded


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
        from ..compiler.static import validate_static

        typed = _run_guarded(ctx, lambda: validate_static(spec, _vars(var, vars_file)), fmt)
        summary = f"static: {len(typed.assets)} asset(s), {len(typed.ops)} op(s), nothing imported"
    else:
        from ..compiler import compile_spec

        summary = _run_guarded(ctx, lambda: compile_spec(spec, _vars(var, vars_file)), fmt).summary()
    if fmt == "json":
        click.echo('{"errors": []}')
    else:
        click.echo(f"{spec}: ok ({summary})")


def _load_or_show_rendered(template: str, values: dict[str, Any]) -> Any:
    """The rendered document; when the rendered text does not parse as a spec, that text is
    printed first (to see what went wrong), then the errors."""
    from ..compiler.load import load_document, rendered_text
    from ..errors import SpecErrors

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
    from ..compiler.template_tools import render_expanded

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
    from ..compiler import compile_spec
    from ..compiler.graph import graph_to_dot, graph_to_json, graph_to_mermaid

    if fmt in ("svg", "html"):
        from ..ui.report import write_graph

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

    from ..schemas import load_schema

    if for_spec:
        from ..compiler.template_tools import schema_for

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
    from ..compiler.template_tools import templates_listing

    click.echo(_run_guarded(ctx, templates_listing))


@templates.command("show")
@click.argument("name")
@click.pass_context
def templates_show(ctx: click.Context, name: str) -> None:
    """Show the parameters of template NAME (`package:name` or a file path)."""
    from ..compiler.template_tools import template_details

    click.echo(_run_guarded(ctx, lambda: template_details(name)))


@main.command()
@click.argument("directory", type=click.Path())
@click.option("--template", "template", metavar="NAME",
              help="Write a spec that uses template NAME (`package:name` or a path) instead of the starter.")
@click.pass_context
def init(ctx: click.Context, directory: str, template: Optional[str]) -> None:
    """Write a starter project into DIRECTORY."""
    from ..compiler.starter import write_starter

    if os.path.exists(directory) and not os.path.isdir(directory):
        _fail(f"error: {directory} is a file: name a directory for the new project "
              "(it is created if missing)")
    if template:
        from ..compiler.template_tools import scaffold

        for path in _run_guarded(ctx, lambda: scaffold(directory, template)):
            click.echo(f"wrote {path}")
        click.echo(f"next: fill in the TODO arguments, then specrun apply {os.path.join(directory, 'pipeline.yaml')}")
        return
    written = _run_guarded(ctx, lambda: write_starter(directory))
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: specrun apply {os.path.join(directory, 'pipeline.yaml')}")
