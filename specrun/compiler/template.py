"""Jinja2 templates of specs: rendered in a sandbox, with undefined variables as errors,
and a map from each rendered line back to the template line it came from.

The map is made by appending an invisible marker expression to every template line that
is not inside a Jinja tag or comment; the markers are stripped after rendering. A loop
body's lines therefore map back to the body's template lines on every iteration; a value
that expands to several lines maps all of them to the line of its `{{ }}`.
"""

from __future__ import annotations

import os
import re
import traceback
from typing import Any, Optional

from ..errors import Location, SpecError, SpecErrors, suggest

_MARK = "\u2063"
_MARK_RE = re.compile(f"{_MARK}(\\d+){_MARK}")


def is_template(path: str) -> bool:
    return path.endswith(".j2")


def _env_function(name: str, default: Any = None) -> Any:
    """``{{ env("NAME", "default") }}``: an environment variable, or the default."""
    if name in os.environ:
        return os.environ[name]
    if default is None:
        raise SpecError(f"environment variable {name!r} is not set and has no default",
                        hint=f'set it, or write env("{name}", "default")')
    return default


def _mark_lines(text: str) -> str:
    out, depth = [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        depth += len(re.findall(r"\{[%#{]", line)) - len(re.findall(r"[%#}]\}", line))
        bare = line.strip()
        tag_only = bare.startswith(("{%", "{#")) and bare.endswith(("%}", "#}"))
        out.append(line if depth > 0 or tag_only else f"{line}{{{{ '{_MARK}{number}{_MARK}' }}}}")
    return "\n".join(out)


def _unmark(rendered: str) -> tuple[str, list[int]]:
    lines, line_map, last = [], [], 1
    for line in rendered.split("\n"):
        found = _MARK_RE.findall(line)
        if found:
            last = int(found[-1])
            line = _MARK_RE.sub("", line)
        lines.append(line)
        line_map.append(last)
    return "\n".join(lines), line_map


def _default_vars(text: str, is_toml: bool) -> dict[str, Any]:
    """Defaults from the template's own top-level `vars:` block, when it has no Jinja in it."""
    lines = text.split("\n")
    header = "[vars]" if is_toml else "vars:"
    for i, line in enumerate(lines):
        if line.strip() == header and not line.startswith((" ", "\t")):
            block = [line]
            for more in lines[i + 1:]:
                if more and not more.startswith((" ", "\t", "#")) and not (is_toml and "=" in more and not more.startswith("[")):
                    break
                block.append(more)
            snippet = "\n".join(block)
            if re.search(r"\{[%{#]", snippet):
                return {}
            return _parse_snippet(snippet, is_toml)
    return {}


def _parse_snippet(snippet: str, is_toml: bool) -> dict[str, Any]:
    try:
        if is_toml:
            try:
                import tomllib
            except ImportError:  # Python 3.10
                import tomli as tomllib  # type: ignore[no-redef]
            return dict(tomllib.loads(snippet).get("vars") or {})
        import yaml

        return dict((yaml.safe_load(snippet) or {}).get("vars") or {})
    except Exception:  # a defaults block we cannot read is simply not used for defaults
        return {}


def _template_line(exc: BaseException, name: str) -> int:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename in (name, "<template>") and frame.lineno:
            return frame.lineno
    return getattr(exc, "lineno", None) or 1


def render_template(text: str, filename: str, variables: dict[str, Any],
                    is_toml: bool = False) -> tuple[str, list[int]]:
    """The rendered text and, for each of its lines, the template line it came from."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                               trim_blocks=True, lstrip_blocks=True,
                               loader=jinja2.DictLoader({filename: _mark_lines(text)}))
    env.globals["env"] = _env_function
    known = {**_default_vars(text, is_toml), **variables}
    try:
        template = env.get_template(filename)
        rendered = template.render(**known)
    except jinja2.TemplateSyntaxError as e:
        raise SpecErrors([SpecError(f"template syntax error: {e.message}",
                                    Location(filename, e.lineno or 1, 1))]) from None
    except jinja2.UndefinedError as e:
        raise SpecErrors([_undefined_error(e, filename, known, text)]) from None
    except SpecError as e:
        line = _template_line(e, filename)
        e.location = Location(filename, line, _column_of(text, line, "env"))
        raise SpecErrors([e]) from None
    except jinja2.TemplateError as e:
        raise SpecErrors([SpecError(f"template error: {e}", Location(filename, 1, 1))]) from None
    return _unmark(rendered)


def _column_of(text: str, line: int, name: str) -> int:
    """1-based column of `name` as a word inside a Jinja tag on `line`, else 1."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return 1
    source = lines[line - 1]
    for tag in re.finditer(r"\{\{.*?\}\}|\{%.*?%\}", source):
        word = re.search(rf"\b{re.escape(name)}\b", tag.group(0))
        if word:
            return tag.start() + word.start() + 1
    return 1


def _undefined_error(e: Exception, filename: str, known: dict[str, Any], text: str) -> SpecError:
    line = _template_line(e, filename)
    match = re.search(r"'([^']+)' is undefined", str(e))
    name: Optional[str] = match.group(1) if match else None
    hint = suggest(name, known) if name else None
    message = f"template variable {name!r} is not defined" if name else f"template error: {e}"
    col = _column_of(text, line, name) if name else 1
    return SpecError(message, Location(filename, line, col), "",
                     hint or (f"pass it with --var {name}=VALUE" if name else None))
