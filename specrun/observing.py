"""Observing a spec's observable source assets (`specrun observe`, and `specrun apply` first).

`plan` never calls user code, so it judges staleness from the last recorded observation;
`specrun observe` records new ones, and `specrun apply` observes the sources its selection
reads before it plans, so a changed source is picked up by the same command that acts on it.
"""

from __future__ import annotations

from typing import Any, Optional

from .errors import ExecutionError


def observable_sources(session: Any, only_read: bool) -> list[Any]:
    """The spec's observable source assets: all, or those the session's job reads."""
    sources = [a for a in session.compiled.definitions.assets if getattr(a, "is_observable", False)]
    if only_read:
        read = {k for n in session.job.nodes.values() if n.asset is not None for k in n.asset.dependency_keys}
        sources = [s for s in sources if s.key in read]
    return sources


def observe_sources(session: Any, only_read: bool) -> list[str]:
    """Run the observation functions and record them in the spec's store; one line each,
    saying the data version and whether it changed. Raises ExecutionError when one fails."""
    sources = observable_sources(session, only_read)
    if not sources:  # (most specs: the observations module is not imported)
        return []
    from .runtime.definitions.observations import observe

    keys = [s.key for s in sources]
    before = session.instance.latest_observed_versions(keys)
    resources = {k: session.resource_defs[k] for s in sources for k in s.required_resource_keys
                 if k in session.resource_defs}
    config = {k: c for k, c in (session.resolved.raw.get("resources") or {}).items() if k in resources}
    result = observe(sources, instance=session.instance, resources=resources,
                     run_config={"resources": config} if config else None, raise_on_error=False)
    if not result.success:
        failure = next(iter(result.get_step_failure_events()), None)
        said = failure.message if failure is not None else "the observation run failed"
        raise ExecutionError(f"observing source assets failed: {said}")
    lines = []
    for event in result.get_asset_observation_events():
        obs = event.asset_observation_data.asset_observation
        old = before.get((obs.asset_key, obs.partition))
        lines.append(f"observed {obs.asset_key.to_user_string()}: data version {obs.data_version} "
                     + _change(old.tags.get("specrun/data_version") if old is not None else None, obs.data_version))
    return lines


def _change(old: Optional[str], new: Optional[str]) -> str:
    if old is None:
        return "(first observation)"
    return "(unchanged)" if old == new else f"(was {old})"


def run_observe(spec: str, options: Any) -> int:
    """`specrun observe`: observe every observable source asset of the spec; 0, or 1 if none."""
    from .commands import Session

    session = Session(spec, options)
    lines = observe_sources(session, only_read=False)
    if not lines:
        print("no observable source assets in this spec (give an external asset `observe: module:function`)")
        return 1
    for line in lines:
        print(line)
    return 0
