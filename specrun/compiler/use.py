"""`use:` — instances of typed templates, expanded into the spec at load time.

    use:
      orders:   {template: templates/ingest.yaml.j2, with: {table: orders, rows: 20}}
      payments: {template: mypkg:ingest, with: {table: payments}}

For each instance: the template is read (a path relative to the file that uses it, or a
packaged template, see `template_registry`), the `with:` arguments are checked against the
front matter's `params:` (errors at the argument), the body is rendered with them and parsed
(errors at the template's line, naming the instance), nested `use:` is expanded, and the
definitions are namespaced (see `use_names`) and merged into the spec. Every generated asset
carries the template's hash in its tags, which `plan` compares to the recorded one.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Optional

from ..errors import Location, SpecError, SpecErrors, SpecrunError, suggest
from ..runtime.versioning import TEMPLATE_HASH_TAG, TEMPLATE_TAG
from .parse import Document, escape
from .template_params import FrontMatter, check_arguments, read_front_matter, shown, with_defaults
from .use_names import SECTIONS, ComposedPositions, MappedPositions, entry_pointers, framed, namespaced, rename_entries

MAX_DEPTH = 8  # templates using templates: deep enough for layering, shallow enough to read
USE_KEYS = ("template", "with", "description")
INSTANCE_TAG = "specrun/instance"


@dataclass(frozen=True)
class Instance:
    """One expanded `use:` entry (nested ones have full names: `orders/dedupe`)."""

    name: str
    template: str
    path: str
    args: dict[str, Any]
    template_hash: str
    location: Optional[Location]
    entries: dict[str, list[str]] = field(default_factory=dict)  # section -> names in the spec

    def banner(self) -> str:
        """`use.orders: templates/ingest.yaml.j2 (table="orders", rows=20)`."""
        args = ", ".join(f"{k}={shown(v)}" for k, v in self.args.items())
        return f"use.{self.name.replace('/', '.use.')}: {self.template}" + (f" ({args})" if args else "")


@functools.lru_cache(maxsize=64)
def _front_matter(text: str, path: str) -> FrontMatter:
    return read_front_matter(text, path)


def template_front_matter(text: str, path: str) -> FrontMatter:
    """The parsed front matter of a template (cached per text)."""
    return _front_matter(text, path)


def expand_uses(doc: Document, chain: tuple[str, ...] = ()) -> Document:
    """`doc` with every `use:` instance's definitions merged in; SpecErrors listing every problem."""
    uses = doc.data.get("use")
    if not uses:
        return doc
    if not isinstance(uses, dict):
        raise SpecErrors([SpecError("use: expected a mapping of instance names to {template:, with:}",
                                    doc.locate("/use"), "/use")])
    data = {k: (dict(v) if k in SECTIONS and isinstance(v, dict) else v) for k, v in doc.data.items()}
    owners: dict[str, Any] = {}
    key_owners: dict[str, Any] = {}
    files, instances, errors = dict(doc.files), list(doc.instances), []
    for name, entry in uses.items():
        if str(name).startswith("x-"):
            continue
        try:
            inst_doc, instance, renames = _instantiate(doc, str(name), entry, chain)
        except SpecErrors as e:
            errors.extend(e.errors)
            continue
        files.update(inst_doc.files)
        within = f"use.{name}"
        for section, full_names in instance.entries.items():
            for full in full_names:
                if full in (data.get(section) or {}):
                    errors.append(_twice(doc, section, full, name))
                    continue
                data.setdefault(section, {})[full] = inst_doc.data[section][full]
        for section, names in renames.items():
            for spec_ptr, tmpl_ptr in entry_pointers(section, names):
                owners[spec_ptr] = (inst_doc.positions, tmpl_ptr, within)
                key_owners[spec_ptr] = (inst_doc.key_positions, tmpl_ptr, within)
        instances.extend(_nested(i, str(name)) for i in inst_doc.instances)
        instances.append(instance)
    if errors:
        raise SpecErrors(errors)
    return replace(doc, data=data, positions=ComposedPositions(doc.positions, owners),
                   key_positions=ComposedPositions(doc.key_positions, key_owners), files=files,
                   instances=tuple(instances))


def _nested(inner: Instance, name: str) -> Instance:
    entries = {s: [namespaced(s, name, n) for n in names] for s, names in inner.entries.items()}
    return replace(inner, name=f"{name}/{inner.name}", entries=entries)


def _twice(doc: Document, section: str, full: str, name: str) -> SpecError:
    pointer = f"/{section}/{escape(full)}"
    first = doc.locate(pointer, key=True)
    return SpecError(f"{section[:-1]} {full!r} of use.{name} is also defined at {first}",
                     doc.locate(f"/use/{escape(name)}", key=True), f"/use/{escape(name)}",
                     "rename one of them")


def _instantiate(doc: Document, name: str, entry: Any,
                 chain: tuple[str, ...]) -> tuple[Document, Instance, dict[str, dict[str, str]]]:
    pointer = f"/use/{escape(name)}"
    label = f"use.{name}"
    if not name.isidentifier():
        raise SpecErrors([SpecError(f"{name!r} is not a valid instance name: use letters, digits and _",
                                    doc.locate(pointer, key=True), pointer)])
    if not isinstance(entry, dict) or not isinstance(entry.get("template"), str):
        raise SpecErrors([SpecError(f"{label}: expected {{template: <path or package:name>, with: {{...}}}}",
                                    doc.locate(pointer), pointer)])
    unknown = [k for k in entry if k not in USE_KEYS and not str(k).startswith("x-")]
    if unknown:
        raise SpecErrors([SpecError(f"{label}: unknown key {k!r}", doc.locate(f"{pointer}/{escape(k)}", key=True),
                                    f"{pointer}/{escape(k)}", suggest(str(k), USE_KEYS) or "allowed: "
                                    + ", ".join(USE_KEYS)) for k in unknown])
    source = _source(doc, entry["template"], pointer + "/template", chain)
    front = _framed_errors(lambda: template_front_matter(source.text, source.path), label)
    args = entry.get("with")
    problems = check_arguments(front.params, args, f"{label}.with", doc.locate, pointer + "/with")
    if problems:
        raise SpecErrors(problems)
    values = with_defaults(front.params, args or {})
    inst_doc = _framed_errors(lambda: _render(source, front, values, name, chain), label)
    renames = rename_entries(inst_doc.data, name)
    digest = _hash(source.text, inst_doc.instances)
    _tag_assets(inst_doc.data, renames.get("assets", {}), source.ref, digest, name)
    instance = Instance(name, source.ref, source.path, values, digest, doc.locate(pointer, key=True),
                        {s: list(r.values()) for s, r in renames.items()})
    return inst_doc, instance, renames


def _source(doc: Document, ref: str, pointer: str, chain: tuple[str, ...]) -> Any:
    from .template_registry import read_template

    try:
        source = read_template(ref, os.path.dirname(doc.path))
    except SpecrunError as e:
        raise SpecErrors([SpecError(str(e), doc.locate(pointer), pointer)]) from None
    identity = os.path.abspath(source.path)
    if identity in chain:
        names = [os.path.basename(p) for p in (*chain[chain.index(identity):], identity)]
        raise SpecErrors([SpecError("template cycle: " + " -> ".join(names), doc.locate(pointer), pointer,
                                    "a template cannot use itself, directly or through others")])
    if len(chain) >= MAX_DEPTH:
        raise SpecErrors([SpecError(f"templates are nested more than {MAX_DEPTH} deep", doc.locate(pointer), pointer,
                                    "flatten the chain of templates using templates")])
    return source


def _framed_errors(fn: Any, within: str) -> Any:
    try:
        return fn()
    except SpecErrors as e:
        for err in e.errors:
            err.location = framed(err.location, within)
        raise


def _render(source: Any, front: FrontMatter, values: dict[str, Any], name: str, chain: tuple[str, ...]) -> Document:
    from .parse import parser_for
    from .template import render_template

    parse = parser_for(source.path)
    is_toml = source.path.endswith(".toml.j2")
    instance = {"name": name, "prefix": name + "/"}
    text, source_map = render_template(front.body, source.path, {**values, "instance": instance}, is_toml, typed=True)
    try:  # positions are mapped back to the template's lines only when asked for (mostly: never)
        data, rendered_positions, rendered_keys = parse(text, source.path, None)
    except SpecErrors:
        parse(text, source.path, source_map)  # again, to raise its errors at the template's lines
        raise
    positions, keys = MappedPositions(rendered_positions, source_map), MappedPositions(rendered_keys, source_map)
    inst_doc = Document(data if data is not None else {}, source.path, text, positions, keys, {source.path: source.text})
    if not isinstance(inst_doc.data, dict):
        raise SpecErrors([SpecError("a template renders to a mapping of sections (assets:, checks:, ...)",
                                    inst_doc.locate(""), "")])
    allowed = (*SECTIONS, "use")
    extra = [k for k in inst_doc.data if k not in allowed and not str(k).startswith("x-")]
    if extra:
        raise SpecErrors([SpecError(f"a template cannot set {k!r}: it defines "
                                    + ", ".join(allowed) + " only", inst_doc.locate(f"/{escape(k)}", key=True),
                                    f"/{escape(k)}", suggest(str(k), allowed)) for k in extra])
    return expand_uses(inst_doc, (*chain, os.path.abspath(source.path)))


def _hash(text: str, nested: tuple[Any, ...]) -> str:
    digest = hashlib.sha1(text.encode())
    for inner in nested:
        digest.update(inner.template_hash.encode())
    return digest.hexdigest()[:16]


def _tag_assets(data: dict[str, Any], renames: Mapping[str, str], ref: str, digest: str, name: str) -> None:
    """Tag each generated asset with its template and the template's hash (nested instances'
    assets with a hash of the whole chain)."""
    for full in renames.values():
        entry = data["assets"].get(full)
        if not isinstance(entry, dict):
            continue
        tags: dict[str, Any] = entry["tags"] if isinstance(entry.get("tags"), dict) else {}
        inner = tags.get(TEMPLATE_HASH_TAG)
        chained = hashlib.sha1(f"{digest}:{inner}".encode()).hexdigest()[:16] if inner else digest
        instance = f"{name}/{tags[INSTANCE_TAG]}" if INSTANCE_TAG in tags else name
        entry["tags"] = {**tags, TEMPLATE_TAG: tags.get(TEMPLATE_TAG, ref), TEMPLATE_HASH_TAG: chained,
                         INSTANCE_TAG: instance}
