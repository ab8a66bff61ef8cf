"""Typed template parameters: the front matter of a template and the check of `with:` arguments.

A template that can be instantiated with `use:` starts with a front-matter block, plain YAML
between two `---` lines that is never rendered (so `templates show`, schemas and editors
read it without Jinja):

    ---
    description: one table copied from the warehouse
    params:
      table: {type: string, description: source table}
      rows:  {type: integer, default: 5}
    ---
    assets: ...

A parameter has a `type` (string, integer, number, boolean, list, object; `enum:` alone
is enough for a choice), an optional `default` (checked against the type), `description`,
`items` (for list), `properties` (for object) and `required` (default: true exactly when
there is no default). Arguments are checked here, before anything is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from ..errors import Location, SpecError, SpecErrors, suggest

TYPES = ("string", "integer", "number", "boolean", "list", "object")
_JSON_TYPES = {"list": "array"}
_PARAM_KEYS = ("type", "default", "description", "enum", "items", "properties", "required")
_FENCE = "---"
RESERVED = ("instance",)  # what every template sees besides its parameters


@dataclass(frozen=True)
class Param:
    """One declared parameter."""

    name: str
    type: Optional[str]
    description: Optional[str] = None
    default: Any = None
    has_default: bool = False
    required: bool = True
    enum: Optional[list[Any]] = None
    items: Optional["Param"] = None
    properties: dict[str, "Param"] = field(default_factory=dict)


@dataclass(frozen=True)
class FrontMatter:
    """A template's front matter: its parameters, description, and the body's text (with the
    front matter's lines left blank, so the body's lines keep their numbers)."""

    params: dict[str, Param]
    description: Optional[str]
    body: str


def has_front_matter(text: str) -> bool:
    return text.startswith(_FENCE + "\n") or text == _FENCE


def read_front_matter(text: str, filename: str) -> FrontMatter:
    """Split `text` into its front matter and body; SpecErrors for a malformed declaration."""
    if not has_front_matter(text):
        return FrontMatter({}, None, text)
    header, body = _split_front_matter(text, filename)
    data, where = _read_header(header, filename)
    errors = [SpecError(f"unknown front-matter key {k!r}", where.key(f"/{k}"), f"/{k}",
                        suggest(k, ("params", "description")) or "allowed: params, description")
              for k in data if k not in ("params", "description")]
    params = _declared_params(data.get("params") or {}, where, errors)
    if errors:
        raise SpecErrors(errors)
    description = data.get("description")
    return FrontMatter(params, description if isinstance(description, str) else None, body)


def _split_front_matter(text: str, filename: str) -> tuple[str, str]:
    """The front matter's text and the body's, each keeping its lines' numbers."""
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == _FENCE), None)
    if end is None:
        raise SpecErrors([SpecError("the front matter is never closed: add a line `---` after `params:`",
                                    Location(filename, 1, 1))])
    return "\n".join(["", *lines[1:end]]), "\n" * (end + 1) + "\n".join(lines[end + 1:])


def _read_header(header: str, filename: str) -> tuple[dict[str, Any], "_Where"]:
    """The front matter as a mapping, and where each of its keys and values is."""
    from .parse import parse_yaml

    data, positions, keys = parse_yaml(header, filename)
    data = data if data is not None else {}
    where = _Where(filename, positions, keys)
    if not isinstance(data, dict):
        raise SpecErrors([SpecError("the front matter must be a mapping (params:, description:)", where.value(""))])
    return data, where


def _declared_params(raw: Any, where: "_Where", errors: list[SpecError]) -> dict[str, Param]:
    """`params:` as Params by name; a bad declaration or name adds its error to `errors`."""
    params: dict[str, Param] = {}
    if not isinstance(raw, dict):
        errors.append(SpecError("params: expected a mapping of parameter names", where.value("/params"), "/params"))
        return params
    for name, spec in raw.items():
        param = _param(name, spec, f"/params/{name}", where, errors)
        if name in RESERVED:
            errors.append(SpecError(f"parameter name {name!r} is reserved: templates see the instance as "
                                    f"`{{{{ {name} }}}}`", where.key(f"/params/{name}"), f"/params/{name}",
                                    "choose another name"))
        elif not str(name).isidentifier():
            errors.append(SpecError(f"{name!r} is not a valid parameter name: use letters, digits and _",
                                    where.key(f"/params/{name}"), f"/params/{name}"))
        elif param is not None:
            params[name] = param
    return params


class _Where:
    def __init__(self, filename: str, positions: Mapping[str, Location], keys: Mapping[str, Location]) -> None:
        self.filename, self.positions, self.keys = filename, positions, keys

    def value(self, pointer: str) -> Location:
        while pointer not in self.positions and pointer:
            pointer = pointer.rsplit("/", 1)[0]
        return self.positions.get(pointer) or Location(self.filename, 1, 1)

    def key(self, pointer: str) -> Location:
        return self.keys.get(pointer) or self.value(pointer)


def _param(name: str, spec: Any, pointer: str, where: _Where, errors: list[SpecError]) -> Optional[Param]:
    """One parameter's declaration as a Param, or None after adding to `errors` why not."""
    if not isinstance(spec, dict):
        hint = f"write {name}: {{type: {spec}}}" if spec in TYPES else "e.g. {type: string, description: ...}"
        errors.append(SpecError(f"parameter {name!r}: expected a mapping with `type:`", where.value(pointer),
                                pointer, hint))
        return None
    for key in spec:
        if key not in _PARAM_KEYS:
            errors.append(SpecError(f"parameter {name!r}: unknown key {key!r}", where.key(f"{pointer}/{key}"),
                                    f"{pointer}/{key}", suggest(key, _PARAM_KEYS) or "allowed: " + ", ".join(_PARAM_KEYS)))
    kind = spec.get("type")
    if kind == "array":
        kind = "list"
    refused = _refused(name, spec, kind, pointer, where)
    if refused is not None:
        errors.append(refused)
        return None
    items = _param(f"{name}[]", spec["items"], f"{pointer}/items", where, errors) if "items" in spec else None
    props_raw = spec.get("properties") or {}
    properties = {k: p for k, p in ((k, _param(f"{name}.{k}", v, f"{pointer}/properties/{k}", where, errors))
                                    for k, v in props_raw.items()) if p is not None} \
        if isinstance(props_raw, dict) else {}
    has_default = "default" in spec
    required = spec.get("required", not has_default)
    param = Param(name, kind, spec.get("description"), spec.get("default"), has_default, bool(required),
                  spec.get("enum"), items, properties)
    if has_default:
        problem = type_problem(param, spec["default"])
        if problem:
            errors.append(SpecError(f"parameter {name!r}: its default does not fit: {problem}",
                                    where.value(f"{pointer}/default"), f"{pointer}/default"))
    return param


def _refused(name: str, spec: dict[str, Any], kind: Any, pointer: str, where: _Where) -> Optional[SpecError]:
    """Why a declaration makes no parameter: no type, an unknown type, or an empty enum."""
    if kind is None and "enum" not in spec:
        return SpecError(f"parameter {name!r} has no type", where.key(pointer), pointer,
                         "types are: " + ", ".join(TYPES))
    if kind is not None and kind not in TYPES:
        return SpecError(f"parameter {name!r}: unknown type {kind!r}", where.value(f"{pointer}/type"),
                         f"{pointer}/type", suggest(str(kind), TYPES) or "types are: " + ", ".join(TYPES))
    enum = spec.get("enum")
    if enum is not None and (not isinstance(enum, list) or not enum):
        return SpecError(f"parameter {name!r}: enum must be a non-empty list", where.value(f"{pointer}/enum"),
                         f"{pointer}/enum")
    return None


_PYTHON_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,), "number": (int, float),
                                               "boolean": (bool,), "list": (list,), "object": (dict,)}


def shown(value: Any) -> str:
    """A value as YAML/JSON would write it."""
    import json

    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def type_problem(param: Param, value: Any) -> Optional[str]:
    """What is wrong with `value` as `param` (None: it fits). Nested problems name their path."""
    if value is None and not param.required and not param.has_default:
        return None
    kind = param.type
    if kind is not None:
        fits = isinstance(value, _PYTHON_TYPES[kind]) and not (kind in ("integer", "number") and isinstance(value, bool))
        if not fits:
            return f"expected {kind}, got {shown(value)}"
    if param.enum is not None and value not in param.enum:
        return f"{shown(value)} is not one of: " + ", ".join(shown(o) for o in param.enum)
    if kind == "list" and param.items is not None:
        for i, item in enumerate(value):
            problem = type_problem(param.items, item)
            if problem:
                return f"item {i}: {problem}"
    if kind == "object" and param.properties:
        for key, sub in param.properties.items():
            if key not in value:
                if sub.required:
                    return f"missing key {key!r}"
                continue
            problem = type_problem(sub, value[key])
            if problem:
                return f"{key}: {problem}"
    return None


def check_arguments(params: Mapping[str, Param], args: Any, label: str, locate: Any,
                    pointer: str) -> list[SpecError]:
    """Every problem with `args` (the `with:` mapping at `pointer`) against `params`.

    `locate(pointer, key=False)` gives a Location; `label` is how messages name the place
    (`use.orders.with`)."""
    if args is None:
        args = {}
    if not isinstance(args, dict):
        return [SpecError(f"{label}: expected a mapping of arguments, got {shown(args)}", locate(pointer), pointer)]
    errors = []
    for name, value in args.items():
        here = f"{pointer}/{name}"
        if name not in params:
            known = sorted(params)
            errors.append(SpecError(f"{label}: unknown parameter {name!r}", locate(here, key=True), here,
                                    suggest(str(name), known) or ("parameters are: " + ", ".join(known) if known
                                                                  else "the template takes no parameters")))
            continue
        problem = type_problem(params[name], value)
        if problem:
            errors.append(SpecError(f"{label}.{name}: {problem}", locate(here), here))
    for name, param in params.items():
        if param.required and name not in args:
            errors.append(SpecError(f"{label}: missing required parameter {name!r}"
                                    + (f" ({param.description})" if param.description else ""),
                                    locate(pointer, key=True), pointer, f"add `{name}: <{param.type or 'value'}>`"))
    return errors


def with_defaults(params: Mapping[str, Param], args: Mapping[str, Any]) -> dict[str, Any]:
    """The values a template renders with: defaults, then the arguments."""
    values = {n: args[n] if n in args else p.default for n, p in params.items()
              if n in args or p.has_default or not p.required}  # in the order they are declared
    values.update(args)
    return values


def param_schema(param: Param) -> dict[str, Any]:
    """JSON Schema (2020-12) of one parameter."""
    schema: dict[str, Any] = {}
    if param.type is not None:
        schema["type"] = _JSON_TYPES.get(param.type, param.type)
    if param.description:
        schema["description"] = param.description
    if param.enum is not None:
        schema["enum"] = list(param.enum)
    if param.has_default:
        schema["default"] = param.default
    if param.items is not None:
        schema["items"] = param_schema(param.items)
    if param.properties:
        schema.update(params_schema(param.properties))
    return schema


def params_schema(params: Mapping[str, Param]) -> dict[str, Any]:
    """JSON Schema of a `with:` mapping: the parameters, required ones, nothing else."""
    return {"type": "object", "properties": {n: param_schema(p) for n, p in params.items()},
            "required": [n for n, p in params.items() if p.required], "additionalProperties": False}


def describe(param: Param) -> str:
    """`integer, default 5` / `string, required` / `one of: a, b`."""
    kind = param.type or "value"
    if param.type == "list" and param.items is not None and param.items.type:
        kind = f"list of {param.items.type}"
    parts = [kind]
    if param.enum is not None:
        parts.append("one of: " + ", ".join(shown(o) for o in param.enum))
    parts.append(f"default {shown(param.default)}" if param.has_default else
                 "required" if param.required else "optional")
    return ", ".join(parts)
