"""specrun's web UI (`specrun ui`) and self-contained reports (`specrun report`,
`specrun graph --format svg|html`).

The app needs the `[ui]` extra (Starlette and uvicorn); reports and graph pictures need only
Jinja2. Nothing here is imported by the CLI until one of those commands runs.
"""

from __future__ import annotations

UI_EXTRA_HINT = "pip install 'specrun[ui]' (from a checkout: pip install -e '.[ui]')"


def missing_ui_dependency() -> str | None:
    """The name of a package `specrun ui` needs that is not installed, or None."""
    import importlib

    for name in ("starlette", "uvicorn"):
        try:
            importlib.import_module(name)
        except ImportError:
            return name
    return None
