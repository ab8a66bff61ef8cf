"""What the template commands print and write: `templates list|show`, `init --template`,
`schema --for SPEC`, and `render` of a spec with `use:` instances."""

from __future__ import annotations

import copy
import os
import re
from typing import Any, Optional

from ..errors import Location, SpecError, SpecErrors, SpecrunError
from .template_params import FrontMatter, Param, describe, params_schema
from .template_registry import TemplateSource, list_templates, read_template, template_packages


def load_template(name: str, folder: str = "") -> tuple[TemplateSource, FrontMatter]:
    """The template `name` (`mypkg:ingest` or a path) and its front matter."""
    from .use import template_front_matter

    source = read_template(name, folder)
    return source, template_front_matter(source.text, source.path)


def templates_listing() -> str:
    """One line per installed template: `collection:name  description`."""
    names = list_templates()
    if not names:
        return ("no templates installed: a distribution shares templates through the "
                "`specrun.templates` entry point group")
    width = max(len(n) for n in names)
    lines = []
    for name in names:
        _, front = load_template(name)
        collection = template_packages()[name.split(":")[0]]
        lines.append(f"{name:<{width}}  {front.description or ''}  [{collection[1]} {collection[2]}]".rstrip())
    return "\n".join(lines)


def template_details(name: str) -> str:
    """The template's description and each parameter with its type, default and description."""
    source, front = load_template(name)
    head = f"{source.ref}: {front.description}" if front.description else source.ref
    origin = f"from {source.distribution} {source.version} ({source.path})" if source.distribution else source.path
    lines = [head, origin, ""]
    if not front.params:
        lines.append("no parameters")
        return "\n".join(lines)
    lines.append("parameters:")
    rows = [(n, describe(p), p.description or "") for n, p in front.params.items()]
    widths = [max(len(r[i]) for r in rows) for i in (0, 1)]
    lines.extend(f"  {n:<{widths[0]}}  {t:<{widths[1]}}  {d}".rstrip() for n, t, d in rows)
    return "\n".join(lines)


_PLACEHOLDERS: dict[Optional[str], Any] = {"string": '""', "integer": "0", "number": "0", "boolean": "false",
                                           "list": "[]", "object": "{}", None: '""'}


def _argument_lines(params: dict[str, Param]) -> list[str]:
    import json

    lines = []
    for name, param in params.items():
        about = f" - {param.description}" if param.description else ""
        if param.required and not param.has_default:
            value = json.dumps(param.enum[0]) if param.enum else _PLACEHOLDERS[param.type]
            lines.append(f"      {name}: {value}    # TODO required ({describe(param)}){about}")
        else:
            lines.append(f"      # {name}: {json.dumps(param.default, ensure_ascii=False)}    # {describe(param)}{about}")
    return lines


def scaffold(directory: str, name: str) -> list[str]:
    """Write `pipeline.yaml` (one `use:` entry of template `name`, required arguments to fill in,
    optional ones commented with their defaults) and its editor schema into `directory`."""
    source, front = load_template(name)
    os.makedirs(directory, exist_ok=True)
    spec_path = os.path.join(directory, "pipeline.yaml")
    if os.path.exists(spec_path):
        raise SpecrunError(f"{spec_path} exists already: choose another directory")
    ref = source.ref if source.distribution else os.path.relpath(source.path, directory)
    instance = re.sub(r"\W", "_", os.path.basename(ref).split(":")[-1].split(".")[0]) or "main"
    if instance[0].isdigit():
        instance = "t_" + instance
    project = re.sub(r"\W", "_", os.path.basename(os.path.abspath(directory))) or "pipeline"
    lines = ["# yaml-language-server: $schema=pipeline.schema.json", "specrun: 1", f"name: {project}", "",
             "use:", f"  {instance}:", f"    template: {ref}"]
    if front.description:
        lines.insert(5, f"  # {front.description}")
    arguments = _argument_lines(front.params)
    lines.extend(["    with:", *arguments] if arguments else [])
    with open(spec_path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    schema_path = os.path.join(directory, "pipeline.schema.json")
    write_schema(spec_path, schema_path)
    return [spec_path, schema_path]


def _def_name(ref: str) -> str:
    return "template:" + ref


def schema_for(spec: str) -> dict[str, Any]:
    """The spec schema with the parameters of each template `spec` uses: every `use:` entry
    naming that template gets its `with:` typed (by `if`/`then`, which the YAML language
    server evaluates; `oneOf` would report an arbitrary branch)."""
    from ..schemas import load_schema
    from .load import load_text
    from .parse import read_text

    doc = load_text(read_text(spec), spec)
    uses = doc.data.get("use") if isinstance(doc.data, dict) else None
    schema = copy.deepcopy(load_schema())
    schema["$id"] = schema.get("$id", "").replace("pipeline.schema.json", "pipeline-with-templates.schema.json")
    if not isinstance(uses, dict):
        return schema
    defs: dict[str, Any] = {}
    rules = []
    errors = []
    for name, entry in uses.items():
        ref = entry.get("template") if isinstance(entry, dict) else None
        if not isinstance(ref, str) or _def_name(ref) in defs:
            continue
        try:
            _, front = load_template(ref, os.path.dirname(spec))
        except SpecrunError as e:
            pointer = f"/use/{name}/template"
            errors.append(SpecError(str(e), doc.locate(pointer) or Location(spec, 1, 1), pointer))
            continue
        defs[_def_name(ref)] = {**params_schema(front.params), "description": front.description or ref}
        rules.append({"if": {"properties": {"template": {"const": ref}}, "required": ["template"]},
                      "then": {"properties": {"with": {"$ref": f"#/$defs/{_json_pointer(_def_name(ref))}"}}}})
    if errors:
        raise SpecErrors(errors)
    schema.setdefault("$defs", {}).update(defs)
    instance = schema["properties"]["use"]["patternProperties"]["^[A-Za-z_][A-Za-z0-9_]*$"]
    instance["allOf"] = rules
    return schema


def _json_pointer(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def write_schema(spec: str, path: str) -> None:
    import json

    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(schema_for(spec), indent=1) + "\n")


def render_expanded(doc: Any) -> str:
    """The spec with every `use:` instance written out, each instance's entries under a
    comment naming its template and arguments; the result loads as a plain spec."""
    if not doc.instances:
        return str(doc.source)
    owner: dict[tuple[str, str], Any] = {}
    for instance in doc.instances:  # nested instances come first: an entry belongs to the innermost
        for section, names in instance.entries.items():
            for full in names:
                owner.setdefault((section, full), instance)
    out = [f"# {doc.path} with its `use:` instances expanded by `specrun render`"]
    for key, value in doc.data.items():
        if key == "use":
            continue
        if not isinstance(value, dict) or not any((key, n) in owner for n in value):
            out.append(_dump({key: value}, flow=isinstance(value, (dict, list))).rstrip("\n"))
            continue
        out.append(f"{key}:")
        shown_instance = None
        for name, entry in value.items():
            instance = owner.get((key, name))
            if instance is not None and instance is not shown_instance:
                out.append(f"  # {instance.banner()}")
            shown_instance = instance
            out.extend("  " + line for line in _dump({name: entry}).rstrip("\n").split("\n"))
    return "\n".join(out) + "\n"


def _dump(value: Any, flow: bool = True) -> str:
    import yaml

    return str(yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=float("inf"),
                              default_flow_style=None if flow else False))
