"""Errors in spec templates, at the line and column of what caused them.

Syntax errors: at the column of the offending token.

Jinja's `TemplateSyntaxError` carries a line only. To find the column the template is
parsed again with a token stream that remembers where each token starts: the lexer's
raw tokens are found one after another in the source, and the parser's failing token
(`stream.current`) is looked up by identity. Errors about the end of the template point
at what was left open (the `{% for %}` without `{% endfor %}`, the `{{` without `}}`).

Errors while rendering (a division by zero, an unsafe attribute, a `{% include %}`): at the
template line the exception passed through, and the tag on it that names the culprit.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional

from ..errors import Location, SpecError, suggest

_AT_OFFSET = re.compile(r" at (\d+)$")
_BLOCKS = {"for", "if", "block", "macro", "call", "filter", "with", "autoescape", "trans"}
_TAGS = sorted(_BLOCKS | {f"end{b}" for b in _BLOCKS} | {
    "elif", "else", "set", "endset", "include", "import", "from", "extends", "print", "raw", "endraw",
    "do", "break", "continue"})
_CLOSERS = {"block_begin": ("block_end", "%}"), "variable_begin": ("variable_end", "}}")}


class _Located:
    """The lexer's tokens of `source` with the offset where each starts."""

    def __init__(self, env: Any, source: str, name: str) -> None:
        self.env, self.source, self.name = env, source, name
        self.cursor = 0
        self.raw: list[tuple[str, str, int]] = []  # (type, value, offset) of every raw token
        self.offsets: dict[int, int] = {}  # id(parser token) -> offset
        self.tokens: list[Any] = []  # keeps the parser's tokens alive, so their ids stay theirs
        self.lexer_failed = False  # the error is the lexer's, not the parser's

    def _raw(self) -> Iterator[tuple[int, str, str]]:
        import jinja2

        tokens = self.env.lexer.tokeniter(self.source, self.name)
        while True:
            try:
                lineno, kind, value = next(tokens)
            except StopIteration:
                return
            except jinja2.TemplateSyntaxError:
                self.lexer_failed = True
                raise
            at = self.source.find(value, self.cursor) if value else self.cursor
            at = self.cursor if at < 0 else at
            self.cursor = at + len(value)
            self.raw.append((kind, value, at))
            yield lineno, kind, value

    def stream(self) -> Iterator[Any]:
        for token in self.env.lexer.wrap(self._raw(), self.name):
            self.offsets[id(token)] = self.raw[-1][2]
            self.tokens.append(token)
            yield token

    def open_tag(self) -> Optional[tuple[str, int]]:
        """The kind and offset of a `{%` or `{{` that is never closed, if any."""
        opened: Optional[tuple[str, int]] = None
        for kind, _, offset in self.raw:
            if kind in _CLOSERS:
                opened = (kind, offset)
            elif opened is not None and kind == _CLOSERS[opened[0]][0]:
                opened = None
        return opened

    def open_blocks(self) -> list[tuple[str, int]]:
        """Name and offset of each `{% block %}` not yet closed, outermost first."""
        stack: list[tuple[str, int]] = []
        tag: list[tuple[str, str, int]] = []
        for token in self.raw:
            if token[0] == "block_begin":
                tag = [token]
            elif tag and token[0] != "whitespace":
                tag.append(token)
            if token[0] != "block_end" or len(tag) < 2:
                continue
            name, start = tag[1][1], tag[0][2]
            is_set_block = name == "set" and not any(kind == "operator" and value == "=" for kind, value, _ in tag)
            if name in _BLOCKS or is_set_block:
                stack.append((name, start))
            elif name.startswith("end"):
                for i in range(len(stack) - 1, -1, -1):
                    if stack[i][0] == name[3:]:
                        del stack[i:]
                        break
            tag = []
        return stack


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def template_syntax_error(env: Any, text: str, filename: str, error: Any) -> SpecError:
    """A SpecError for `error`, a `jinja2.TemplateSyntaxError` raised on the template `text`
    (or on a copy of it with the same lines, like the one with line markers)."""
    import jinja2
    from jinja2.lexer import TokenStream
    from jinja2.parser import Parser

    located = _Located(env, text, filename)
    try:
        parser = Parser(env, "", filename)
        parser.stream = TokenStream(located.stream(), filename, None)
        parser.parse()
    except jinja2.TemplateSyntaxError as again:
        error = again
    except (AttributeError, TypeError, RecursionError):  # Jinja's internals moved, or too deep: Jinja's line
        line = error.lineno or 1
        return SpecError(f"template syntax error: {error.message or error}", Location(filename, line, tag_column(text, line)))
    else:  # the parser accepts it; the compiler does not (an unknown filter or test)
        return _unknown_name_error(env, text, filename, error.message or str(error), error.lineno or 1)
    message: str = error.message or str(error)
    offset = located.offsets.get(id(parser.stream.current))
    found = _AT_OFFSET.search(message)  # the lexer's "unexpected char '@' at 8"
    if found:
        offset, message = int(found.group(1)), message[:found.start()]
    elif located.lexer_failed:  # at the tag the lexer could not finish, or what follows its last token
        last = located.raw[-1] if located.raw else None
        if last is not None and last[0].endswith("_begin"):
            offset = last[2]
        else:
            offset = len(text) - len(text[located.cursor:].lstrip())
    message, hint, where = _explain(message, located)
    offset = where if where is not None else offset
    if offset is None:
        line, col = error.lineno or 1, 1
    else:
        line, col = _line_col(text, min(offset, len(text)))
    return SpecError(f"template syntax error: {message}", Location(filename, line, col), "", hint)


def _explain(message: str, located: _Located) -> tuple[str, Optional[str], Optional[int]]:
    """A one-line message, what to do, and a better offset than the failing token's (or None)."""
    if "needs to be closed is" in message:  # end of template inside a block, or a nesting mistake
        blocks = located.open_blocks()
        innermost = re.search(r"innermost block that needs to be closed is '(\w+)'", message)
        name = innermost.group(1) if innermost else (blocks[-1][0] if blocks else "")
        start = next((offset for block, offset in reversed(blocks) if block == name), None)
        where = f" (line {_line_col(located.source, start)[0]})" if start is not None else ""
        stray = re.match(r"Encountered unknown tag '(\w+)'", message)
        if stray:
            return (f"{{% {stray.group(1)} %}} does not close the innermost open block, {{% {name} %}}{where}",
                    f"close the {{% {name} %}} first with {{% end{name} %}}", None)
        return f"{{% {name} %}} is never closed", f"add {{% end{name} %}} after its body", start
    unknown = re.match(r"Encountered unknown tag '(\w+)'", message)
    if unknown:
        tag = unknown.group(1)
        return f"unknown tag {{% {tag} %}}", suggest(tag, _TAGS) or "tags are: " + ", ".join(_TAGS), None
    if message.startswith("unexpected end of template"):
        opened = located.open_tag()
        if opened is not None:
            closer = _CLOSERS[opened[0]][1]
            return f"this tag is never closed: it ends with '{closer}'", f"add '{closer}'", opened[1]
        return message.rstrip("."), None, None
    return message.rstrip("."), _hint(message), None


def _hint(message: str) -> Optional[str]:
    if message.startswith("unexpected char"):
        if re.search(r"""char ["']['"]""", message):
            return "close the string with the quote it starts with"
        return "it is not part of a Jinja expression: quote it, or move it out of the {{ }}"
    if message.startswith("expected token 'end of print statement'"):
        return "close the expression with '}}' before this, or join the parts with an operator or a filter (|)"
    if message.startswith("expected token 'end of statement block'"):
        return "close the tag with '%}' before this"
    if message.startswith("Expected an expression"):
        return "write a value or a variable name here"
    if message in ("unexpected '}'", "unexpected ')'", "unexpected ']'"):
        return "brackets must pair up; an expression ends with '}}', a tag with '%}'"
    if message == "Missing end of comment tag":
        return "close the comment with '#}'"
    if message == "Missing end of raw directive":
        return "close it with {% endraw %}"
    if message == "invalid syntax for function call expression":
        return "positional arguments go before keyword arguments"
    expected = re.match(r"expected token '([^']+)'", message)
    if expected:
        return f"write a {expected.group(1)} here"
    return None


_UNKNOWN = re.compile(r"No (filter|test) named '([^']+)'")


def _unknown_name_error(env: Any, text: str, filename: str, message: str, line: int) -> SpecError:
    found = _UNKNOWN.search(message)
    if found is None:
        return SpecError(f"template error: {message}", Location(filename, line, tag_column(text, line)))
    kind, name = found.groups()
    known = env.filters if kind == "filter" else env.tests
    hint = suggest(name, known) or f"{kind}s are: " + ", ".join(sorted(known))
    return SpecError(f"template {kind} {name!r} does not exist", Location(filename, line, tag_column(text, line, name)),
                     "", hint)


def tag_column(text: str, line: int, name: Optional[str] = None) -> int:
    """1-based column of `name` inside a Jinja tag on `line`, else of the line's first tag, else 1."""
    found = name_column(text, line, name) if name else None
    if found is not None:
        return found
    lines = text.split("\n")
    tag = re.search(r"\{[{%]", lines[line - 1]) if 1 <= line <= len(lines) else None
    return tag.start() + 1 if tag else 1


def name_column(text: str, line: int, name: str) -> Optional[int]:
    """1-based column of `name` (as a word, when it is one) inside a Jinja tag on `line`, or None."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    for tag in re.finditer(r"\{\{.*?\}\}|\{%.*?%\}|\{[{%].*", lines[line - 1]):
        body = tag.group(0)
        if name.isidentifier():
            word = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", body)
            at = word.start() if word else -1
        else:
            at = body.find(name)
        if at >= 0:
            return tag.start() + at + 1
    return None


def _deepest(text: str) -> tuple[int, int]:
    """(line, col) where brackets nest deepest: where a too deep expression overflows the parser."""
    depth, best, where, line, col = 0, -1, (1, 1), 1, 0
    for ch in text:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
        elif ch in "([{":
            depth += 1
            if depth > best:
                best, where = depth, (line, col)
        elif ch in ")]}":
            depth -= 1
    return where


def template_render_error(env: Any, text: str, filename: str, error: BaseException, line: Optional[int]) -> SpecError:
    """A SpecError for an exception raised while rendering the template `text` (`line`: the
    template line it passed through, None when it was raised before rendering began)."""
    import jinja2
    from jinja2.exceptions import SecurityError

    if isinstance(error, RecursionError):
        if line is None:  # while parsing: an expression nested too deep
            return SpecError("template error: expressions are nested too deeply to read",
                             Location(filename, *_deepest(text)), "", "split it into smaller {% set %} steps")
        return SpecError("template error: it recurses without end (a macro that calls itself?)",
                         Location(filename, line, tag_column(text, line)), "", "give the recursion a case that stops it")
    line = line or 1
    if isinstance(error, jinja2.TemplateNotFound):
        tag = next((t for t in ("include", "extends", "import", "from") if name_column(text, line, t)), None)
        return SpecError(f"template error: {{% {tag or 'include'} %}} cannot read {error.name!r}: a spec template "
                         "renders on its own", Location(filename, line, tag_column(text, line, tag)), "",
                         "list other spec files under `include:` instead")
    if isinstance(error, SecurityError):
        unsafe = re.search(r"attribute '([^']+)'", str(error))
        return SpecError(f"template error: {error}", Location(
            filename, line, tag_column(text, line, unsafe.group(1) if unsafe else None)), "",
            "spec templates run in a sandbox: use plain values, filters and loops")
    if isinstance(error, jinja2.TemplateRuntimeError) and _UNKNOWN.search(str(error)):
        return _unknown_name_error(env, text, filename, str(error), line)
    if isinstance(error, OverflowError) and "MAX_RANGE" in str(error):
        return SpecError("template error: range() is limited to 100000 numbers in a spec template",
                         Location(filename, line, tag_column(text, line, "range")))
    message = str(error) if isinstance(error, jinja2.TemplateError) else f"{error} ({type(error).__name__})"
    culprit = "/" if isinstance(error, ZeroDivisionError) else None
    if isinstance(error, TypeError) and "is not iterable" in str(error):  # {% for x in <this> %}
        lines = text.split("\n")
        loop = re.search(r"\{%-?\s*for\s.*?\bin\s+([\w.]+)", lines[line - 1]) if 0 < line <= len(lines) else None
        if loop:
            return SpecError(f"template error: {message}", Location(filename, line, loop.start(1) + 1), "",
                             f"{loop.group(1)} must be a list (e.g. --var {loop.group(1)}='[a, b]')")
    return SpecError(f"template error: {message}", Location(filename, line, tag_column(text, line, culprit)))
