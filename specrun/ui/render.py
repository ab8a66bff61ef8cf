"""HTML and SVG from the Jinja2 templates in `templates/` (autoescaped: every asset name,
metadata value, log message and exception text is text, never markup). Used by the web app,
`specrun report` and `specrun graph --format svg|html`; needs no web framework."""

from __future__ import annotations

import functools
import os
from typing import Any, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
STATIC = os.path.join(HERE, "static")
ICONS = {"fresh": "\u2713", "stale": "\u21bb", "missing": "\u25cb", "failed": "\u2715",
         "running": "\u25b6", "none": "\u00b7", "succeeded": "\u2713", "skipped": "\u2298"}
FAR_ABOVE = 150  # a page with more nodes opens zoomed out, without their small text
CHECK_ICONS = {"passed": "\u2713", "failed": "\u2715", "warning": "!", "not run": "\u25cb"}


def shorten(text: Any, limit: int = 26) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


@functools.lru_cache(maxsize=1)
def environment() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(HERE, "templates")),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["short"] = shorten
    env.globals.update(icons=ICONS, check_icons=CHECK_ICONS)
    return env


def static_text(name: str) -> str:
    """A file of `static/` (CSS or JS), to inline in a self-contained page."""
    with open(os.path.join(STATIC, name), encoding="utf-8") as f:
        return f.read()


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def graph_svg(model: Any, states: Optional[dict[str, Any]] = None, standalone: bool = False) -> str:
    """The graph as an SVG element (`standalone`: a whole SVG file with its own styles)."""
    nodes = states.get("nodes", {}) if states else {}
    return render("graph.svg.j2", model=model, layout=model.layout, states=nodes,
                  standalone=standalone, css=static_text("style.css") if standalone else "",
                  far=not standalone and len(model.nodes) > FAR_ABOVE)


def graph_page(model: Any, standalone_title: Optional[str] = None) -> str:
    """`specrun graph --format html`: one file, the graph with pan, zoom and search."""
    import datetime as dt

    return render("graph_export.html", model=model, svg=graph_svg(model), inline=True,
                  css=static_text("style.css"), js=static_text("app.js"), read_only=True, base="",
                  title=standalone_title or model.name, spec_name=model.name,
                  generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"))
