"""HTML and SVG from the Jinja2 templates in `templates/` (autoescaped: every asset name,
metadata value, log message and exception text is text, never markup). Used by the web app,
`specrun report` and `specrun graph --format svg|html`; needs no web framework.

Pages with a graph embed it as JSON (`graph_data`) and draw it in the browser with
`static/graph.js` and the vendored dagre; only `graph --format svg` is drawn here."""

from __future__ import annotations

import functools
import os
from typing import Any, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
STATIC = os.path.join(HERE, "static")
ICONS = {"fresh": "\u2713", "stale": "\u21bb", "missing": "\u25cb", "failed": "\u2715",
         "running": "\u25b6", "none": "\u00b7", "succeeded": "\u2713", "skipped": "\u2298"}
DAGRE = "vendor/dagre/dagre.min.js"
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


def graph_svg(model: Any) -> str:
    """`specrun graph --format svg`: a whole SVG file with its own styles, laid out in Python
    (`layout.py`) because a picture file is made without a browser to run dagre in."""
    return render("graph.svg.j2", model=model, layout=model.layout, states={},
                  css=static_text("style.css"))


def graph_data(model: Any, states: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """What a page embeds for `static/graph.js`: the graph and each node's state."""
    return {"model": model.to_json(), "states": states.get("nodes", {}) if states else {}}


def inline_js(*names: str) -> str:
    """Scripts to inline in a self-contained page: the vendored dagre first, then `names`."""
    return "\n".join(static_text(n) for n in (DAGRE, *names))


def graph_page(model: Any, standalone_title: Optional[str] = None) -> str:
    """`specrun graph --format html`: one file, the graph with pan, zoom, search and groups."""
    import datetime as dt

    return render("graph_export.html", graph=graph_data(model), inline=True,
                  css=static_text("style.css"), js=inline_js("app.js", "graph.js"), read_only=True,
                  base="", title=standalone_title or model.name, spec_name=model.name,
                  generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"))
