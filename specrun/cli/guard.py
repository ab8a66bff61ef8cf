"""How a command's errors reach the user: specrun's own errors as `file:line:col: error:
message` with the source line and a caret (or JSON), exit status 1; the user's exceptions with
the user's part of the traceback; `--debug` lets every exception through."""

from __future__ import annotations

import os
import sys
from typing import Any

import click


class _Ctx:
    def __init__(self, debug: bool) -> None:
        self.debug = debug


def _fail_with_errors(errors: list, files: dict, fmt: str = "text") -> None:
    from ..compiler.diagnostics import errors_to_json, render_error

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
    from ..errors import SpecError, SpecErrors, SpecrunError

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
    from ..errors import SpecError

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
