"""The spec compiler: load -> validate -> model -> resolve -> graph.

    compiled = compile_spec("pipeline.yaml", {"region": "eu"})   # raises SpecErrors
    defs = load_spec("pipeline.yaml")                           # the runtime Definitions
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

from ..errors import SpecError, SpecErrors, SpecrunError, suggest

if TYPE_CHECKING:
    from ..runtime.definitions.definitions import Definitions


class CompiledSpec:
    """A compiled spec: its document, typed model, Definitions and DAG."""

    def __init__(self, path: str, vars: Mapping[str, Any], document: Any, spec: Any,
                 resolved: Any, graph_data: Any, definitions: Any, graph: Any = None) -> None:
        self.path = path
        self.vars = dict(vars)
        self.document = document
        self.spec = spec
        self.definitions = definitions
        self.graph_data = graph_data
        self._graph = graph
        self.run_config = resolved.run_config
        self.executor_def = resolved.executor_def
        self.name = spec.name
        self.folder = os.path.dirname(os.path.abspath(path))

    @property
    def graph(self) -> Any:
        """The DAG as a `networkx.DiGraph` (built on first use: networkx is slow to import)."""
        if self._graph is None:
            self._graph = self.graph_data.to_networkx()
        return self._graph

    def summary(self) -> str:
        kinds = [d.get("kind") for d in self.graph_data.nodes.values()]
        jobs = len(self.definitions.jobs)
        return (f"{kinds.count('asset')} asset(s), {kinds.count('check')} check(s), "
                f"{len(self.spec.ops)} op(s), {jobs} job(s)")

    @property
    def default_io_manager(self) -> Any:
        from ..runtime.io_managers import fs_io_manager

        return fs_io_manager

    def _job_config(self, job: Any) -> dict[str, Any]:
        from ..runtime.run_config import deep_merge

        ops = {k: v for k, v in (self.run_config.get("ops") or {}).items() if k in job.nodes}
        base = {k: v for k, v in self.run_config.items() if k != "ops"}
        if ops:
            base["ops"] = ops
        if "execution" in base and job.executor_def is not self.executor_def:
            base.pop("execution")  # the spec-level executor's config does not fit a job's own executor
        return deep_merge(base, dict(job.config or {}))

    def job_for(self, job_name: Optional[str] = None, select: Sequence[str] = (),
                exclude: Sequence[str] = ()) -> Any:
        """The job to run: a declared job, or the selected assets (all by default)."""
        from .origin import SpecOrigin
        from ..runtime.definitions.selection import AssetSelection
        from .graph import select as select_nodes

        origin = SpecOrigin(self.path, self.vars, job_name, tuple(select), tuple(exclude))
        changes: dict[str, Any] = {}  # (to the job chosen, besides its origin and config)
        if job_name:
            job = self.definitions.get_job_def(job_name)
        elif not self.spec.assets:
            jobs = self.definitions.jobs
            if len(jobs) != 1:
                names = ", ".join(j.name for j in jobs) or "none"
                raise SpecrunError(f"this spec has no assets; choose a job with --job (jobs: {names})")
            job = jobs[0]
        elif not select and not exclude:  # everything: the job Definitions already built, no networkx
            job = self.definitions.get_implicit_global_asset_job_def()
            changes["name"] = self.name  # (in the one `replace` below: each checks the job anew)
        else:
            chosen = select_nodes(self.graph, select, exclude)
            keys = [n for n in chosen if self.graph.nodes[n].get("kind") == "asset"]
            if not keys:
                picked = sorted({str(self.graph.nodes[n].get("kind")) + "s" for n in chosen}) or ["nothing"]
                asked = " ".join([*select, *(f"--exclude {e}" for e in exclude)])
                raise SpecrunError(f"the selection {asked!r} matches no assets, only {' and '.join(picked)}")
            job = self.definitions.get_asset_job(AssetSelection.keys(*keys), name=self.name,
                                                 executor_def=self.executor_def)
        return replace(job, origin=origin, config=self._job_config(job), **changes)

    def open_instance(self, mark_interrupted: bool = True) -> Any:
        """The instance this spec records to: `storage.url`, SPECRUN_STORAGE_URL, or SQLite
        in `.specrun/` beside the spec. `mark_interrupted`: record runs whose process is gone
        as failed (a command about to run or report runs; not a read of stored values)."""
        from ..runtime.instance import Instance

        root = os.path.join(self.folder, ".specrun")
        used_before = os.path.isdir(root)  # a new project's first command starts its history quietly
        url = os.environ.get("SPECRUN_STORAGE_URL") or in_folder(self.folder, self.spec.storage_url)
        if url is None:
            os.makedirs(root, exist_ok=True)
            url = "sqlite:///" + os.path.join(root, "specrun.db")
        else:
            used_before = True
        instance = Instance.from_url(url, root_dir=root)
        if getattr(instance.storage, "new_history", False) and used_before:
            print(f"specrun: no run history in {_where(url)} (missing or empty): starting a new one there.",
                  file=sys.stderr)
        mark = getattr(instance.storage, "mark_interrupted_runs", None) if mark_interrupted else None
        if mark is not None:
            mark()
        return instance


def in_folder(folder: str, url: Optional[str]) -> Optional[str]:
    """A spec's storage URL with a relative SQLite path made relative to the spec's `folder`
    (as a relative `base_dir` is), not to wherever the command runs."""
    match = re.match(r"(sqlite(?:\+\w+)?:///)(.*)$", url or "")
    if match is None or not match.group(2) or match.group(2).startswith(("/", ":memory:", "file:")):
        return url
    return match.group(1) + os.path.join(os.path.abspath(folder), match.group(2))


def _where(url: str) -> str:
    if url.startswith("sqlite"):
        return os.path.relpath(url.split(":///", 1)[1])
    from ..runtime.storage.sql_rows import mask_url

    return mask_url(url)


def compile_spec(path: str, vars: Optional[Mapping[str, Any]] = None) -> CompiledSpec:
    """Run every compiler stage on `path`; raise SpecErrors listing every problem."""
    from ..runtime.gc_pause import no_gc

    with no_gc():
        return _compile(path, vars)


def _compile(path: str, vars: Optional[Mapping[str, Any]]) -> CompiledSpec:
    from .graph import build_graph_data, cycle_error
    from .load import load_document
    from .model import build_spec
    from .resolve import resolve_spec
    from .validate import validate_document

    vars = dict(vars or {})
    document = load_document(path, vars)
    try:
        errors = validate_document(document)
        if errors:
            raise SpecErrors(errors)
        spec = build_spec(document)
        resolved = resolve_spec(spec)
        data = build_graph_data(resolved.definitions, _pointers(spec))
        cycle = cycle_error(data, document.locate)
        if cycle is not None:
            raise SpecErrors([cycle])
        graph = data.to_networkx() if any(not hasattr(j, "nodes") for j in resolved.jobs.values()) else None
        definitions = _with_selection_jobs(resolved, graph, document)
    except SpecErrors as e:
        e.files = document.files  # type: ignore[attr-defined]
        raise
    return CompiledSpec(path, vars, document, spec, resolved, data, definitions, graph)


def _pointers(spec: Any) -> dict[str, str]:
    found = {}
    for name, entry in spec.assets.items():
        asset_name = "/".join([*entry.key_prefix, entry.name])
        found[asset_name] = entry.pointer
        for out in entry.outs:
            found["/".join([*entry.key_prefix, out])] = f"{entry.pointer}/outs/{out}"
        for check in entry.check_specs:
            found[f"check:{asset_name}/{check}"] = f"{entry.pointer}/check_specs/{check}"
    for entry in spec.checks.values():
        found[f"check:{entry.asset}/{entry.name}"] = entry.pointer
        for check, options in entry.specs.items():
            found[f"check:{options.get('asset')}/{check}"] = f"{entry.pointer}/specs/{check}"
    for job_name, job in spec.jobs.items():
        for node_name, node in job.ops.items():
            found[f"op:{job_name}.{node_name}"] = node.pointer
    return found


def _with_selection_jobs(resolved: Any, graph: Any, document: Any) -> Any:
    """Definitions with the spec's selection jobs resolved on the graph."""
    from ..runtime.definitions.definitions import Definitions
    from ..runtime.definitions.jobs import define_asset_job
    from ..runtime.definitions.selection import AssetSelection
    from .graph import select

    defs = resolved.definitions
    jobs = [j for j in defs.jobs]
    errors = []
    for name, entry in resolved.jobs.items():
        if hasattr(entry, "nodes"):
            continue
        try:
            chosen = select(graph, entry.selection, entry.exclude)
        except SpecrunError as e:
            errors.append(SpecError(str(e), document.locate(entry.pointer + "/selection"), entry.pointer + "/selection"))
            continue
        keys = [n for n in chosen if graph.nodes[n].get("kind") == "asset"]
        executor_def, executor_config = resolved.job_executors.get(name, (None, None))
        config = dict(entry.config or {})
        if executor_config:
            config.setdefault("execution", {"config": executor_config})
        jobs.append(define_asset_job(name, AssetSelection.keys(*keys), config=config or None,
                                     tags={k: str(v) for k, v in entry.tags.items()},
                                     description=entry.description, executor_def=executor_def))
    if errors:
        raise SpecErrors(errors)
    if len(jobs) == len(defs.jobs):
        return defs
    return Definitions(assets=defs.assets, asset_checks=defs.asset_checks, jobs=jobs,
                       resources=defs.resources, executor=defs.executor)


def load_spec(path: str, vars: Optional[Mapping[str, Any]] = None) -> "Definitions":
    """The runtime `Definitions` of a spec file, whose jobs carry the spec's run config
    (its assets' `config:`, `run_config:`, a job's `config:`) as `specrun apply` runs them:
    `load_spec(p).get_implicit_global_asset_job_def().execute_in_process()` works."""
    compiled = compile_spec(path, vars)
    defs: Definitions = compiled.definitions
    for name, job in list(defs._jobs.items()):  # noqa: SLF001 - the definitions compile_spec just built
        config = compiled._job_config(job)
        if config:
            defs._jobs[name] = replace(job, config=config)
    defs._open_instance = lambda: compiled.open_instance(mark_interrupted=False)
    defs._run_config = compiled.run_config
    return defs


__all__ = ["CompiledSpec", "compile_spec", "load_spec", "suggest"]
