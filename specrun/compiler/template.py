"""Jinja2 templates of specs: rendered in a sandbox, with undefined variables as errors,
and a map from each rendered line back to the template line it came from.

The map is made by appending an invisible marker expression to every template line that
is not inside a Jinja tag or comment; the markers are stripped after rendering. A loop
body's lines therefore map back to the body's template lines on every iteration; a value
that expands to several lines maps all of them to the line of its `{{ }}`.
"""

from __future__ import annotations

import functools
import os
import re
import traceback
from typing import Any, Mapping, Optional

from ..errors import Location, SpecError, SpecErrors, suggest

_MARK = "\u2063"
_MARK_RE = re.compile(f"{_MARK}(\\d+){_MARK}")


def is_template(path: str) -> bool:
    return path.endswith(".j2")


def _env_function(name: str, default: Any = None) -> Any:
    """``{{ env("NAME", "default") }}``: an environment variable, or the default."""
    if not isinstance(name, str):
        raise SpecError(f"env() takes the variable's name as a string, not {name!r}", hint='write env("NAME")')
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


def _unmark(rendered: str) -> tuple[list[str], list[int]]:
    lines, line_map, last = [], [], 1
    for line in rendered.split("\n"):
        found = _MARK_RE.findall(line)
        if found:
            last = int(found[-1])
            line = _MARK_RE.sub("", line)
        lines.append(line)
        line_map.append(last)
    return lines, line_map


_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})")


class SourceMap:
    """Maps a (line, col) of the rendered text back to the template's own (line, col).

    Lines come from the markers; a column is found by lining up the literal text between
    the template line's tags with the rendered line: inside literal text it maps exactly,
    inside what a `{{ }}` produced it maps to that `{{`."""

    def __init__(self, template: str, rendered_lines: list[str], line_map: list[int]) -> None:
        self.template_lines = template.split("\n")
        self.rendered_lines = rendered_lines
        self.line_map = line_map

    def locate(self, line: int, col: int) -> tuple[int, int]:
        """Template (line, col) of rendered (line, col); both 1-based."""
        if not 0 < line <= len(self.line_map):
            return line, col
        origin = self.line_map[line - 1]
        if not 0 < origin <= len(self.template_lines):
            return origin, col
        template, rendered = self.template_lines[origin - 1], self.rendered_lines[line - 1]
        if template == rendered:
            return origin, col
        return origin, _map_column(template, rendered, col)


def _map_column(template: str, rendered: str, col: int) -> int:
    """Template column of rendered column `col` (see SourceMap), or `col` when they do not line up."""
    target, t_pos, r_pos = col - 1, 0, 0
    tag_start: Optional[int] = None  # template column of the first tag since the last literal
    parts = _TAG.split(template)
    for i, part in enumerate(parts):
        if i % 2 == 0 and not part and 0 < i < len(parts) - 1:
            continue  # two tags side by side: what each produced cannot be told apart
        if i % 2:
            tag_start = t_pos if tag_start is None else tag_start
            t_pos += len(part)
            continue
        if i == 0:
            start = 0 if rendered.startswith(part) else -1
        elif i == len(parts) - 1:
            start = len(rendered) - len(part) if rendered.endswith(part) else -1
        else:
            start = rendered.find(part, r_pos)
        if start < r_pos:
            break
        if target < start and tag_start is not None:
            return tag_start + 1
        if target < start + len(part):
            return t_pos + (target - start) + 1
        r_pos, t_pos, tag_start = start + len(part), t_pos + len(part), None
    return col


def _default_vars(text: str, is_toml: bool) -> dict[str, Any]:
    """Defaults from the template's own top-level `vars:` block, when it has no Jinja in it."""
    lines = text.split("\n")
    header = re.compile(r"(\[vars\]|vars\s*=)" if is_toml else r"vars\s*:")  # a block, or inline: `vars: {a: 1}`
    for i, line in enumerate(lines):
        if header.match(line):
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
    """The `vars` mapping of a top-level block, or {} when it cannot be read: the spec's own
    parse reports what is wrong with it, at its position. Read by the spec's own parsers, so
    that values are what the spec would hold (a date stays text, as in the rendered spec)."""
    from .parse import parse_toml, parse_yaml

    try:
        data, _, _ = (parse_toml if is_toml else parse_yaml)(snippet, "<vars>")
    except SpecErrors:
        return {}
    found = data.get("vars") if isinstance(data, dict) else None
    if not isinstance(found, dict):
        return {}
    return {key: value for key, value in found.items() if isinstance(key, str)}  # names a template can use


def template_variables(text: str, is_toml: bool = False) -> Optional[frozenset[str]]:
    """The variables a template declares in its `vars:` block or reads; None when it cannot
    be parsed (rendering reports that first, at its position)."""
    import jinja2
    from jinja2 import meta

    try:
        ast = jinja2.Environment(trim_blocks=True, lstrip_blocks=True).parse(text)
    except (jinja2.TemplateError, RecursionError):
        return None
    read = meta.find_undeclared_variables(ast) - {"env"}
    return frozenset(read | set(_default_vars(text, is_toml)))


def check_vars(doc: Any, vars: Mapping[str, Any]) -> None:
    """Raise SpecErrors for each variable given (--var, --vars) that the spec's templates
    neither declare nor read: a misspelt name would otherwise be silently ignored."""
    name = os.path.basename(doc.path)
    if doc.variables is None:
        given = ", ".join(repr(v) for v in vars)
        raise SpecErrors([SpecError(
            f"{name} is not a template, so it takes no variables (given: {given})", Location(doc.path, 1, 1), "",
            f"drop --var/--vars, or rename it {name}.j2 to use {{{{ {next(iter(vars))} }}}} in it")])
    where = doc.locate("/vars", key=True) if "/vars" in doc.positions else Location(doc.path, 1, 1)
    known = sorted(doc.variables)
    errors = []
    for unknown in [v for v in vars if v not in doc.variables]:
        hint = suggest(unknown, known) or (f"its variables are {', '.join(known)}" if known else "it uses no variables")
        errors.append(SpecError(f"unknown template variable {unknown!r}: {name} neither declares nor uses it",
                                where, "/vars" if "/vars" in doc.positions else "", hint))
    if errors:
        raise SpecErrors(errors)


def _frame_line(exc: BaseException, name: str) -> Optional[int]:
    """The template line `exc` was raised on (its innermost frame of template code), if any."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename in (name, "<template>") and frame.lineno:
            return frame.lineno
    return None


def _template_line(exc: BaseException, name: str) -> int:
    return _frame_line(exc, name) or getattr(exc, "lineno", None) or 1


def _typed_value(value: Any) -> Any:
    """What a `{{ }}` of a typed template (one with front matter) writes: YAML's spelling of
    booleans and null, and lists and mappings as one-line flow collections (JSON), so that
    `{{ flag }}` is `true`, not Python's `True`, and a list keeps its structure."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, ensure_ascii=False, default=str)
    return value


@functools.lru_cache(maxsize=32)
def _environment(filename: str, text: str, typed: bool) -> Any:
    """A sandboxed environment holding the (line-marked) template; cached, so that a template
    instantiated many times is compiled once."""
    import jinja2

    from .template_budget import sandbox_class

    if typed:  # each `{{ }}` escaped for where it stands (see template_escape)
        from .template_escape import add_context_filters

        text = add_context_filters(text)
    env = sandbox_class()(undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                               trim_blocks=True, lstrip_blocks=True,
                               loader=jinja2.DictLoader({filename: _mark_lines(text)}),
                               finalize=_typed_value if typed else None)
    env.globals["env"] = _env_function
    if typed:
        from .template_escape import FILTERS

        env.filters.update(FILTERS)
    return env


def render_template(text: str, filename: str, variables: dict[str, Any],
                    is_toml: bool = False, typed: bool = False) -> tuple[str, SourceMap]:
    """The rendered text and the map from its positions back to the template's.

    `typed`: a template with declared parameters: only `variables` are known (no `vars:`
    block of defaults) and values are written as YAML spells them (see `_typed_value`)."""
    import jinja2

    from .template_budget import render_within_budget

    env = _environment(filename, text, typed)
    defaults = {} if typed else _default_vars(text, is_toml)
    known = dict(variables) if typed else {**defaults, **variables}
    if variables:
        _check_loop_vars(text, filename, defaults, variables)
    try:
        template = env.get_template(filename)
        rendered = render_within_budget(lambda: template.generate(**known), filename)
    except jinja2.TemplateSyntaxError as e:
        from .template_errors import template_syntax_error

        raise SpecErrors([template_syntax_error(env, text, filename, e)]) from None
    except jinja2.UndefinedError as e:
        raise SpecErrors([_undefined_error(e, filename, known, text)]) from None
    except SpecError as e:  # from env(), or a value that cannot stand where a typed template puts it
        from .template_errors import tag_column

        line = _template_line(e, filename)
        col = _column_of(text, line, "env")
        e.location = Location(filename, line, col if col > 1 else tag_column(text, line))
        raise SpecErrors([e]) from None
    # What the template's own expressions can raise (1/0, "%d" | format("x"), a macro that
    # calls itself, an expression too deep to parse); no user Python code runs in the sandbox.
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as e:
        from .template_errors import template_render_error

        raise SpecErrors([template_render_error(env, text, filename, e, _frame_line(e, filename))]) from None
    lines, line_map = _unmark(rendered)
    return "\n".join(lines), SourceMap(text, lines, line_map)


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
    if name is None:  # "'dict object' has no attribute 'b'": at the attribute
        from .template_errors import tag_column

        attribute = re.search(r"has no (?:attribute|element) '?([^']+)'?$", str(e))
        col = tag_column(text, line, attribute.group(1) if attribute else None)
        return SpecError(f"template error: {e}", Location(filename, line, col))
    return SpecError(f"template variable {name!r} is not defined", Location(filename, line, _column_of(text, line, name)),
                     "", hint or f"pass it with --var {name}=VALUE")


def _check_loop_vars(text: str, filename: str, defaults: Mapping[str, Any], given: Mapping[str, Any]) -> None:
    """A variable given a single value (`--var tables=a`) where the template loops over it
    (`{% for t in tables %}`) or its default is a list: Jinja2 would loop over the letters."""
    errors = []
    for name, value in given.items():
        if not isinstance(value, str):  # a number fails in the loop, with its own message
            continue
        loop = re.search(r"\{%-?\s*for\s+[\w\s,]+\s+in\s+" + re.escape(name) + r"\s*(?:-?%\}|if\b|\|)", text)
        default = defaults.get(name)
        if loop is None and not isinstance(default, (list, tuple)):
            continue
        if loop is not None:
            line = text.count("\n", 0, loop.start()) + 1
            where, what = Location(filename, line, _column_of(text, line, name)), "loops over it"
        else:
            where, what = Location(filename, 1, 1), f"its default is a list ({default!r})"
        example = f"{name}=[{value}]"
        errors.append(SpecError(f"template variable {name!r} was given the string {value!r}, but the "
                                f"template {what}: it needs a list", where, "",
                                f"give a list: --var '{example}'"))
    if errors:
        raise SpecErrors(errors)
