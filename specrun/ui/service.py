"""What the web app serves, with no web framework in it: one spec's compiled graph, its
states, runs and asset pages as plain data, and the launch of runs through the CLI's own
commands. The app (`app.py`) turns these into HTTP responses; tests call them directly."""

from __future__ import annotations

import gc
import json
import os
import threading
from typing import Any, Mapping, Optional, Sequence

from ..commands import Session
from ..errors import SpecrunError
from . import launch as launching
from .graph_model import GraphModel, build_graph_model
from .parts import open_spec
from .runs import RunLister, asset_history, filter_events, run_detail
from .state import StateReader, graph_states, summarize


class Service:
    """One spec, opened once: its Session (same compile, plan and instance as `specrun plan`)."""

    def __init__(self, spec: str, var: Sequence[str] = (), vars_file: Optional[str] = None) -> None:
        self.spec = os.path.abspath(spec)
        self.var_options: dict[str, Any] = {"var": tuple(var), "vars_file": vars_file}
        self.spec_extra = launching.spec_args(var, vars_file)
        self._open_lock = threading.Lock()
        self.instance = self._open().instance  # the runs pages keep this one
        self.model: GraphModel = build_graph_model(self.compiled)
        self.lister = RunLister(self.instance)
        self.log_dir = os.path.join(self.compiled.folder, ".specrun", "ui-launches")
        self._events_lock = threading.Lock()
        self._events_cache: dict[str, tuple[int, list[dict]]] = {}

    def _open(self) -> Any:
        opened = open_spec(self.spec, self.var_options)  # one Session per partitioning
        gc.unfreeze()  # a Session freezes what it builds for a one-shot command; a server lives on
        self.compiled = opened.compiled
        self.reader = StateReader(opened)
        return opened

    def _reopen_if_partitions_changed(self) -> None:
        """Dynamic partitions added (or deleted) while the UI runs: plan them too."""
        with self._open_lock:
            if self.reader.opened.partitions_changed():
                self._open()

    # -- graph ------------------------------------------------------------------------
    def states(self) -> dict[str, Any]:
        self._reopen_if_partitions_changed()
        return graph_states(self.reader, self.model)

    def select(self, text: str) -> dict[str, Any]:
        """The nodes the CLI's `--select TEXT` picks (an error names what is wrong)."""
        from ..compiler.graph import select

        chosen = select(self.compiled.graph, [text]) if text.strip() else set(self.model.nodes)
        nodes = sorted(n for n in chosen if n in self.model.nodes)
        assets = [n for n in nodes if self.model.nodes[n].kind == "asset"]
        return {"nodes": nodes, "assets": assets}

    def plan(self, select: str = "", partitions: str = "", force: bool = False) -> dict[str, Any]:
        """What `specrun plan --select ... --partitions ...` says, as rows."""
        options: dict[str, Any] = {**self.var_options, "force": force}
        if select.strip():
            options["select"] = (select.strip(),)
        if partitions.strip():
            options["partitions"] = partitions.strip()
        session = Session(self.spec, options)
        decisions = session.decisions(session.plan())
        gc.unfreeze()
        session.instance.dispose()
        steps = [{"step": d.step_key, "kind": d.kind, "partition": d.partition, "run": d.run,
                  "reason": d.reason} for d in decisions]
        run = sum(1 for d in decisions if d.run)
        return {"steps": steps, "run": run, "skip": len(steps) - run}

    # -- assets -----------------------------------------------------------------------
    def asset(self, node_id: str) -> dict[str, Any]:
        node = self.model.nodes.get(node_id)
        if node is None:
            from ..errors import suggest

            hint = suggest(node_id, list(self.model.nodes))
            raise LookupError(f"no asset {node_id!r} in {self.compiled.name}" + (f"; {hint}" if hint else ""))
        self._reopen_if_partitions_changed()
        parts = self.reader.partition_states().get(node_id, {})
        history = asset_history(self.instance, node_id)
        latest_checks: dict[str, Any] = {}
        for c in history["checks"]:
            latest_checks.setdefault(c["check"], c)
        summary = summarize(parts) if parts else {"state": "none", "label": node.kind}
        return {"node": node, "summary": summary, "definition": self._definition(node_id),
                "partitions": {str(k): v for k, v in parts.items() if k is not None},
                "history": history, "latest_checks": latest_checks}

    def _definition(self, node_id: str) -> dict[str, Any]:
        attrs = self.compiled.graph_data.nodes.get(node_id, {})
        pointer = str(attrs.get("pointer") or "")
        entry = self.compiled.spec.assets.get(pointer.rsplit("/", 1)[-1]) if pointer.startswith("/assets/") else None
        location = self.compiled.document.locate(pointer, key=True) if pointer else None
        definition = {"location": str(location) if location else "", "fn": "", "code_version": "",
                      "compute_kind": "", "partitions": "", "config": "{}"}
        if entry is not None:
            definition.update(fn=entry.fn, code_version=entry.code_version or "",
                              compute_kind=entry.compute_kind or "", partitions=entry.partitions or "",
                              config=json.dumps(entry.config or {}, indent=2, default=str))
        return definition

    # -- runs -------------------------------------------------------------------------
    def get_run(self, run_id: str) -> Any:
        from ..history import _get_run

        return _get_run(self.instance, run_id)

    def run(self, run_id: str) -> dict[str, Any]:
        return run_detail(self.instance, self.get_run(run_id))

    def events(self, run_id: str, offset: int, limit: int, filters: Mapping[str, str]) -> dict[str, Any]:
        """One page of a run's events matching `filters` (level, step, q)."""
        from .runs import all_event_rows

        run = self.get_run(run_id)
        with self._events_lock:
            cached = self._events_cache.get(run.run_id)
        if cached is None or not run.is_finished:
            rows = all_event_rows(self.instance, run.run_id)
            if run.is_finished:
                with self._events_lock:
                    self._events_cache = {run.run_id: (len(rows), rows)}  # the page being read
        else:
            rows = cached[1]
        if any(filters.values()):
            rows = filter_events(rows, filters.get("level", ""), filters.get("step", ""), filters.get("q", ""))
        return {"total": len(rows), "offset": offset, "rows": rows[offset: offset + limit]}

    # -- actions ----------------------------------------------------------------------
    def launch(self, select: str, partitions: str, force: bool) -> launching.Launched:
        if select.strip():
            self.select(select)  # a bad selection is reported here, before a process starts
        args = launching.apply_args(self.spec, select, partitions, force, self.spec_extra)
        return launching.launch(self.instance, args, self.log_dir)

    def reexecute(self, run_id: str) -> launching.Launched:
        run = self.get_run(run_id)
        if run.is_success:
            raise SpecrunError(f"run {run.run_id} succeeded: nothing to re-execute from failure")
        args = ["reexecute", run.run_id, "--from-failure", "--spec", self.spec, *self.spec_extra]
        return launching.launch(self.instance, args, self.log_dir)
