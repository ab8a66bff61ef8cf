"""`specrun report RUN_ID -o run.html` and `specrun graph --format svg|html`: files to send.

A report is one HTML file: CSS, JavaScript, the run's data and its graph (SVG) inline, a
Content-Security-Policy that forbids loading anything, so it opens from disk with no network.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any, Mapping, Optional

from ..errors import SpecrunError
from .graph_model import build_graph_model
from .render import graph_data, graph_page, graph_svg, inline_js, render, static_text
from .runs import all_event_rows, run_detail

_WORST = ("failed", "running", "skipped", "succeeded")


def _check_outcomes(instance: Any, run_id: str) -> dict[str, str]:
    """{check node id: passed | failed | warning} as the run evaluated them."""
    from ..runtime.events import DagsterEventType as ET
    from .state import check_verdict

    return {f"check:{e.data.asset_key.to_user_string()}/{e.data.check_name}": check_verdict(e.data)
            for e in instance.all_logs(run_id, of_type=[ET.ASSET_CHECK_EVALUATION]) if e.data is not None}


def _outcome_states(compiled: Any, steps: list[dict], checks: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Per asset of the run: its worst step outcome, the counts of each outcome, its checks."""
    asset_of = {a.node_name: a.key.to_user_string() for a in compiled.definitions.assets}
    counts: dict[str, dict[str, int]] = {}
    for step in steps:
        node = step["key"].split("[", 1)[0]
        if node in asset_of:
            per = counts.setdefault(asset_of[node], {})
            per[step["status"]] = per.get(step["status"], 0) + 1
    out = {}
    for key, per in counts.items():
        state = next(s for s in _WORST if per.get(s))
        label = ", ".join(f"{per[s]} {s}" for s in _WORST if per.get(s)) if sum(per.values()) > 1 else state
        out[key] = {"state": state, "label": label, "counts": {}, "total": 0,
                    "checks": {c: v for c, v in checks.items() if c.startswith(f"check:{key}/")}}
    return out


def _compiled_for(run: Any, spec: Optional[str], vars: Mapping[str, Any]) -> Any:
    from ..compiler import compile_spec
    from ..history import SPEC_TAG

    path = spec or run.tags.get(SPEC_TAG)
    if not path or not os.path.exists(path):
        return None
    return compile_spec(path, vars)


def build_report(instance: Any, run_id: str, spec: Optional[str] = None,
                 vars: Optional[Mapping[str, Any]] = None) -> str:
    """The self-contained HTML report of run `run_id` (a unique prefix is enough)."""
    from ..history import _get_run

    run = _get_run(instance, run_id)
    detail = run_detail(instance, run)
    rows = all_event_rows(instance, run.run_id)
    compiled = _compiled_for(run, spec, vars or {})
    graph = None
    if compiled is not None:
        states = _outcome_states(compiled, detail["steps_list"], _check_outcomes(instance, run.run_id))
        if states:
            graph = graph_data(build_graph_model(compiled, keep=set(states)), {"nodes": states})
    return render("report.html", inline=True, css=static_text("style.css"),
                  js=inline_js("app.js", "graph.js", "run.js"), run=detail, events=rows,
                  graph=graph, spec_name=compiled.name if compiled is not None else run.job_name,
                  generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"), read_only=True, base="")


def write_report(run_id: str, spec: Optional[str], var_options: Mapping[str, Any], out: str) -> str:
    """Write the report of `run_id` to `out`; returns the run id it was for."""
    from ..commands import _vars
    from ..history import open_store

    store = open_store(spec, var_options)
    html = build_report(store.instance, run_id, store.spec or spec, _vars(var_options))
    _write(out, html)
    return run_id


def write_graph(spec: str, vars: Mapping[str, Any], fmt: str, out: Optional[str]) -> str:
    """The DAG of `spec` as an SVG picture or a standalone HTML page (to `out`, or returned)."""
    from ..compiler import compile_spec

    model = build_graph_model(compile_spec(spec, vars))
    if fmt == "svg":
        text = '<?xml version="1.0" encoding="UTF-8"?>\n' + graph_svg(model)
    elif fmt == "html":
        text = graph_page(model)
    else:
        raise SpecrunError(f"unknown picture format {fmt!r}: svg or html")
    if out:
        _write(out, text)
    return text


def _write(path: str, text: str) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
