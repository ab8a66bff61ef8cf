"""Load stage: bytes -> `Document` (plain data + where every value came from).

`*.j2` files are Jinja2 templates rendered in a sandbox first (errors in them point at the
template's own lines); the text is then parsed (`parse`: YAML or TOML, with positions), and
`include:` and `use:` are expanded. `--var` / `--vars` values are read here too.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional

from ..errors import Location, SpecError, SpecErrors
from .parse import (  # noqa: F401  (the parsing names callers have always found here)
    MAX_DEPTH, Document, PackedPositions, escape, pack, parse_toml, parse_yaml, parser_for,
    read_text,
)
from .parse import _yaml_problem
from .pyyaml import YamlLoader, yaml
from .template import check_vars, is_template, render_template, template_variables


def load_text(text: str, filename: str, vars: Optional[Mapping[str, Any]] = None) -> Document:
    """Parse (and, for templates, render) `text` as if read from `filename`."""
    parse = parser_for(filename)
    text = text.removeprefix("\ufeff")  # a byte order mark is not part of the first line
    source_map = None
    source = text
    variables = None
    if is_template(filename):
        source, source_map = render_template(text, filename, dict(vars or {}), parse is parse_toml)
        # after rendering, which reports a template that cannot be read at its position
        read = template_variables(text, parse is parse_toml) if vars else frozenset()
        variables = frozenset(vars or ()) if read is None else read  # unparsed: nothing to check against
    data, positions, key_positions = parse(source, filename, source_map)
    if not data and not any(line.strip() and not line.lstrip().startswith("#") for line in source.split("\n")):
        what = "renders to nothing" if source_map is not None else "is empty"
        raise SpecErrors([SpecError(f"the spec file {what}", Location(filename, 1, 1), "",
                                    "a spec starts with `specrun: 1` and declares assets, ops or jobs "
                                    "(`specrun init DIR` writes one)")])
    files = {filename: text}
    return Document(data, filename, source, positions, key_positions, files, variables)


def rendered_text(path: str, vars: Optional[Mapping[str, Any]] = None) -> Optional[str]:
    """What the template at `path` renders to, not parsed (None when it is not a template)."""
    if not is_template(path):
        return None
    text = read_text(path).removeprefix("\ufeff")
    return render_template(text, path, dict(vars or {}), parser_for(path) is parse_toml)[0]


def load_document(path: str, vars: Optional[Mapping[str, Any]] = None,
                  _seen: tuple[str, ...] = ()) -> Document:
    """Read `path` and the files it includes into one Document."""
    doc = load_text(read_text(path), path, vars)
    if isinstance(doc.data, dict) and doc.data.get("include"):
        from .include import merge_includes

        doc = merge_includes(doc, vars, _seen + (os.path.abspath(path),))
    if isinstance(doc.data, dict) and doc.data.get("use"):
        from .use import expand_uses

        doc = expand_uses(doc)
    if vars and not _seen:
        check_vars(doc, vars)
    return doc



def parse_vars(pairs: list[str]) -> dict[str, Any]:
    """``--var key=value`` pairs; values are parsed as YAML (``tables=[a,b]`` is a list)."""
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise SpecError(f"--var {pair!r} should be KEY=VALUE", None, "", "e.g. --var region=eu")
        if len(raw) > MAX_VAR_CHARS:
            raise SpecError(f"--var {key}: the value is {len(raw):,} characters long, more than {MAX_VAR_CHARS:,}",
                            None, "", "put large data in a file your code reads, not in a variable")
        try:
            values[key.strip()] = _bounded(key, yaml.load(raw, Loader=YamlLoader) if raw else "", raw)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark
            col = "" if mark is None else (f" at column {mark.column + 1}" if mark.line == 0 else " at its end")
            raise SpecError(f"--var {key}: value is not valid YAML: {_yaml_problem(e, lines=False)}{col}") from None
        except yaml.YAMLError as e:
            raise SpecError(f"--var {key}: value is not valid YAML ({e})") from None
    return values


MAX_VAR_CHARS = 100_000


def _bounded(key: str, value: Any, raw: str) -> Any:
    """`value` when it holds no more values than its text could spell out; YAML aliases that
    multiply (a 'billion laughs' value) are refused before anything renders them."""
    from .parse import MIN_NODE_BUDGET, NODES_PER_CHAR

    budget = max(MIN_NODE_BUDGET, NODES_PER_CHAR * len(raw))
    todo, seen = [value], 0
    while todo:
        item = todo.pop()
        seen += 1
        if seen > budget:
            raise SpecError(f"--var {key}: the value expands to more than {budget:,} values "
                            "(aliases that multiply, like a 'billion laughs' bomb?)", None, "",
                            "remove the repeated aliases")
        if isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return value


def load_vars_file(path: str) -> dict[str, Any]:
    """The mapping of variables in a YAML file given with ``--vars``."""
    doc = load_document(path)
    if not isinstance(doc.data, dict):
        raise SpecErrors([SpecError("a --vars file must hold a mapping of variables", Location(path, 1, 1))])
    return dict(doc.data)
