"""Where templates come from: a file beside the spec, or a package's template by name.

A distribution shares templates by naming a package in the `specrun.templates` entry point
group; every `*.yaml.j2` (or `*.toml.j2`) file in that package is a template:

    [project.entry-points."specrun.templates"]
    mypkg = "mypkg.templates"      # template: mypkg:ingest  ->  mypkg/templates/ingest.yaml.j2

Two distributions that claim the same name are an error naming both (never "the last one
loaded wins").
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Any, Optional

from ..errors import SpecrunError, suggest

GROUP = "specrun.templates"
SUFFIXES = (".yaml.j2", ".yml.j2", ".toml.j2")


@dataclass(frozen=True)
class TemplateSource:
    """A template's text and where it was read from."""

    ref: str  # as the spec names it: a path, or `package:name`
    path: str  # the file's path (shown in errors)
    text: str
    distribution: Optional[str] = None
    version: Optional[str] = None


def is_package_ref(ref: str) -> bool:
    """`mypkg:ingest` (not a path: no `.j2` ending, no slash before the colon)."""
    head, sep, tail = ref.partition(":")
    return bool(sep) and "/" not in head and "\\" not in head and not ref.endswith(".j2") and bool(tail)


@functools.lru_cache(maxsize=1)
def template_packages() -> dict[str, tuple[str, str, str]]:
    """Entry point name -> (package, distribution, version); SpecrunError when two
    distributions claim one name."""
    from importlib.metadata import distributions

    found: dict[str, tuple[str, str, str]] = {}
    for dist in distributions():
        for ep in dist.entry_points:
            if ep.group != GROUP:
                continue
            name = dist.metadata["Name"] or "?"
            if ep.name in found and found[ep.name][1] != name:
                raise SpecrunError(f"template collection {ep.name!r} is provided by two distributions, "
                                   f"{found[ep.name][1]} and {name}: uninstall one of them")
            found[ep.name] = (ep.value, name, dist.version)
    return found


def _package_folder(package: str) -> Any:
    from importlib import resources

    try:
        return resources.files(package)
    except ModuleNotFoundError as e:
        raise SpecrunError(f"template package {package!r} cannot be imported: {e}") from None


def package_templates(collection: str) -> dict[str, Any]:
    """Template name -> resource of every template in an entry point's package."""
    package = template_packages()[collection][0]
    found = {}
    for entry in _package_folder(package).iterdir():
        for suffix in SUFFIXES:
            if entry.name.endswith(suffix):
                found[entry.name[:-len(suffix)]] = entry
    return found


def read_template(ref: str, folder: str) -> TemplateSource:
    """The template `ref` names, a path taken relative to `folder` (the folder of the file
    that uses it, as the user named that file, so paths in errors read the same way); SpecrunError (with a
    "did you mean") when there is none."""
    if is_package_ref(ref):
        return _read_packaged(ref)
    path = os.path.normpath(os.path.join(folder, ref))
    if not os.path.isfile(path):
        near = _near_files(path)
        raise SpecrunError(f"template not found: {ref}" + (f" ({near})" if near else ""))
    from .parse import read_text

    return TemplateSource(ref, path, read_text(path))


def _near_files(path: str) -> Optional[str]:
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        return None
    return suggest(os.path.basename(path), os.listdir(folder))


def _read_packaged(ref: str) -> TemplateSource:
    collection, _, name = ref.partition(":")
    packages = template_packages()
    if collection not in packages:
        hint = suggest(collection, packages) or (
            "installed collections: " + ", ".join(sorted(packages)) if packages else
            f"no installed distribution declares templates (entry point group {GROUP!r})")
        raise SpecrunError(f"no template collection named {collection!r} ({hint})")
    templates = package_templates(collection)
    if name not in templates:
        hint = suggest(name, templates) or ("its templates: " + ", ".join(sorted(templates)))
        raise SpecrunError(f"{collection} has no template named {name!r} ({hint})")
    resource = templates[name]
    path = str(resource) if os.path.isfile(str(resource)) else ref
    _, dist, version = packages[collection]
    text = resource.read_text(encoding="utf-8").replace("\r\n", "\n")
    return TemplateSource(ref, path, text, dist, version)


def list_templates() -> list[str]:
    """`collection:name` of every installed template, sorted."""
    return sorted(f"{c}:{n}" for c in template_packages() for n in package_templates(c))
