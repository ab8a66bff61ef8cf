"""What `specrun plan` and `specrun apply` do, between parsing options and printing.

apply = compile the spec, open its instance, decide which steps are stale, run those with
a live progress display, and print a summary; on failure, the failing step, its message and
a compact traceback of the user's code, with exit status 1.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import Any, Iterator, Mapping, Optional

from .errors import ConfigError, SpecrunError
from .run_options import (
    check_max_concurrent, check_selection_applies, check_undeclared_config, for_executor,
    located_config_error, partition_keys_from_options, run_config_of,
)


def _vars(options: Mapping[str, Any]) -> dict[str, Any]:
    from .compiler.load import load_vars_file, parse_vars

    values: dict[str, Any] = {}
    if options.get("vars_file"):
        values.update(load_vars_file(options["vars_file"]))
    values.update(parse_vars(list(options.get("var") or ())))
    return values


@contextlib.contextmanager
def _long_lived() -> Iterator[None]:
    """The collector paused while building objects that live as long as the command, then
    those objects frozen (`gc_pause.freeze_for_good`): re-enabling the collector would
    otherwise make it scan every one of them at once (0.2-0.3 s after compiling 10,000 assets)
    and again later."""
    from .runtime.gc_pause import freeze_for_good, no_gc

    with no_gc():
        yield
        freeze_for_good()


@contextlib.contextmanager
def _kept_to_the_end() -> Iterator[None]:
    """A run's survivors (its events, records, result) live until the command ends: frozen
    when it ends, as what the command built before them. Python's young threshold, back when
    the run ends, would start a pass over all of them at once (~23,000 objects, 11 M
    instructions after 1,000 steps), and the collector's pass at exit would scan them again
    (~6 M). Until then passes come as inside the run (`young_objects_collected_less`)."""
    from .runtime.gc_pause import freeze_for_good, young_objects_collected_less

    with young_objects_collected_less():
        yield
        freeze_for_good()


class Session:
    """A compiled spec, its chosen job and run config, and its instance.

    Meant for one command per process: what it builds is frozen out of the collector's reach.
    """

    def __init__(self, spec: str, options: Mapping[str, Any]) -> None:
        with _long_lived():
            self._setup(spec, options)

    def _setup(self, spec: str, options: Mapping[str, Any]) -> None:
        from .compiler import compile_spec
        from .runtime.run_config import resolve_run_config

        self.options = options
        self.vars = _vars(options)
        self.compiled = compile_spec(spec, self.vars)
        self.job = self.compiled.job_for(options.get("job_name"), list(options.get("select") or ()),
                                         list(options.get("exclude") or ()))
        check_selection_applies(self.job, options)
        self.executor_def = self._executor_def()
        self.job = for_executor(self.job, self.executor_def)
        check_max_concurrent(self.executor_def, options)
        run_config = run_config_of(options)
        check_undeclared_config(self.job, run_config)
        self.run_config = run_config.values
        self.resource_defs = {**self.job.resource_defs}
        self.resource_defs.setdefault("io_manager", self.compiled.default_io_manager)
        try:
            self.resolved = resolve_run_config(self.job, self.run_config, self.resource_defs, self.executor_def)
        except ConfigError as e:
            raise located_config_error(e, run_config) from None
        self.instance = self.compiled.open_instance()
        with self.partitions_loaded():
            self.partition_keys = partition_keys_from_options(self.job, options)

    def partitions_loaded(self) -> Any:
        """A block in which dynamic partitions read their keys from this session's instance."""
        from .runtime.partition_store import partition_loading_context

        return partition_loading_context(self.instance)

    def _executor_def(self) -> Any:
        name = self.options.get("executor")
        if name:
            from .runtime.executors import executor_def_by_name

            return executor_def_by_name(name)
        return self.job.executor_def

    def plan(self) -> Any:
        from .runtime.api import _partition_keys
        from .runtime.plan import build_plan

        keys = _partition_keys(self.job, None, self.partition_keys)
        with _long_lived(), self.partitions_loaded():
            return build_plan(self.job, keys)

    def decisions(self, plan: Any, seen: Optional[dict] = None) -> list[Any]:
        """Run/skip for every step, from the records (no user resource is built; specrun's own
        object-store IO manager is, to ask whether the objects still exist); `seen` gets the
        runs of the records read (see `staleness.decide`)."""
        from .runtime.staleness import decide

        with contextlib.ExitStack() as stack, _long_lived(), self.partitions_loaded():
            stores = self._object_stores(stack)
            return decide(plan, self.instance, self.resolved, bool(self.options.get("force")), stores, seen)

    def _object_stores(self, stack: contextlib.ExitStack) -> dict[str, Any]:
        from .runtime.io_managers import fs_io_manager
        from .runtime.resources import init_resources

        keys = {n.asset.io_manager_key for n in self.job.nodes.values() if n.asset is not None}
        urls = {k for k in keys if self.resource_defs.get(k) is fs_io_manager
                and "://" in str(((self.resolved.resources.get(k) or {}).get("config") or {}).get("base_dir", ""))}
        if not urls:
            return {}
        built = init_resources(stack, self.resource_defs, self.resolved.resources, keys=urls, instance=self.instance)
        return {k: getattr(built, k) for k in urls}


def run_plan(spec: str, options: Mapping[str, Any], fmt: str = "text") -> int:
    """Print each step in order with run/skip and the reason; the number of steps that
    would run."""
    session = Session(spec, options)
    plan = session.plan()
    decisions = session.decisions(plan)
    if fmt == "json":
        from .formats import emit, plan_json

        emit(plan_json(session.compiled.name, session.executor_def.name, decisions))
    else:
        from .output import print_plan

        print_plan(session, plan, decisions)
    return sum(1 for d in decisions if d.run)


def run_apply(spec: str, options: Mapping[str, Any]) -> int:
    """Observe the sources the selection reads, run the stale steps; print progress and a
    summary; 1 if anything failed."""
    from .observing import observe_sources
    from .runtime.faults import pause_point

    session = Session(spec, options)
    for line in observe_sources(session, only_read=True):
        if options.get("fmt") in (None, "text"):
            print(line)
    plan = session.plan()
    seen: Optional[dict] = {} if session.instance.storage.shared else None
    decisions = session.decisions(plan, seen)
    to_run = [d.step_key for d in decisions if d.run]
    pause_point("decided")  # a test's moment: another apply makes all of it before this one leases
    lease = _lease(session, plan, to_run, decisions, seen) if to_run else None
    if lease is not None:
        to_run = [d.step_key for d in decisions if d.run]
    if not to_run:
        if lease is not None:
            lease.close()
        if options.get("fmt") in ("json", "jsonl"):
            from .formats import emit, nothing_to_do_json

            emit(nothing_to_do_json(decisions))
        else:
            print(_nothing_to_do(decisions))
        return 0
    with session.instance.storage.checkpoints_deferred():
        try:
            return execute_and_report(session, plan, to_run, decisions, lease=lease)
        finally:
            if lease is not None:
                lease.close()


def _lease(session: Session, plan: Any, to_run: list[str], decisions: list, seen: Optional[dict] = None) -> Any:
    """Lease what `to_run` materializes. When another apply on the store held some of it, or
    recorded some of it after the decisions read `seen`, wait, then decide again (`decisions` is updated in
    place): what it made is skipped."""
    import uuid

    from .runtime.leases import RunLease, describe_holders

    if not session.instance.storage.shared:
        return None
    lease = RunLease(session.instance.storage, str(uuid.uuid4()))

    def replan() -> list[str]:
        decisions[:] = session.decisions(plan)
        return [d.step_key for d in decisions if d.run]

    def on_wait(busy: dict) -> None:
        print(f"Waiting: {describe_holders(busy)}.", file=sys.stderr, flush=True)

    try:
        now = lease.acquire_steps(plan, to_run, replan, on_wait, seen)
    except BaseException:
        lease.close()
        raise
    done = _done_meanwhile(to_run, now)
    if done:
        shown = ", ".join(done[:5]) + (f" and {len(done) - 5} more" if len(done) > 5 else "")
        print(f"Skipping {len(done)} step(s) another run materialized after this one decided: {shown}.",
              file=sys.stderr, flush=True)
    return lease


def _done_meanwhile(to_run: list[str], now: list[str]) -> list[str]:
    """The steps of `to_run` that are no longer in `now` (another run made them), in order.
    (`now` as a set: a 1,000-step apply asked a list 1,000 times, ~0.1 G instructions.)"""
    still = set(now)
    return [k for k in to_run if k not in still]


def _nothing_to_do(decisions: list[Any]) -> str:
    """Why apply runs nothing: every step up to date, or some waiting for upstream partitions."""
    waiting = [d for d in decisions if d.reason.startswith("waiting")]
    if not waiting:
        return f"Nothing to do: all {len(decisions)} step(s) are up to date (use --force to run anyway)."
    lines = [(f"Nothing to do: {len(decisions) - len(waiting)} step(s) up to date, {len(waiting)} "
              "waiting for upstream partitions:")]
    lines += [f"  {d.step_key}: {d.reason.removeprefix('waiting: ')}" for d in waiting[:3]]
    if len(waiting) > 3:
        lines.append(f"  ... and {len(waiting) - 3} more (`specrun plan` lists them)")
    return "\n".join(lines)


_REPLAYED_OPTIONS = ("var", "vars_file", "select", "exclude", "job_name", "partition", "partitions",
                     "executor", "max_concurrent", "config_file", "timeout")


def execute_and_report(session: Session, plan: Any, step_keys: list[str], decisions: list,
                       parent_run_id: Any = None, reexecution: Optional[dict] = None,
                       lease: Any = None) -> int:
    """Run `step_keys` of `plan` with live progress; print the summary (and failures, and
    the command that resumes a failed run). `--format json` / `jsonl` print JSON instead."""
    import json
    import time

    from .formats import apply_json, emit
    from .history import RUN_OPTIONS_TAG, SPEC_TAG, masked_vars
    from .output import print_failure, print_summary
    from .progress import Progress
    from .runtime.api import execute_run
    from .runtime.plan import build_plan

    fmt = session.options.get("fmt") or "text"
    if reexecution is None and plan.dynamic is None and len(step_keys) == len(plan.steps) \
            and plan.steps.keys() == set(step_keys):
        run_plan_ = plan.shared_copy()  # every step runs: the plan just built is the run's plan
    else:
        with session.partitions_loaded():
            run_plan_ = build_plan(session.job, list(plan.partition_keys), step_keys,
                                   (reexecution or {}).get("mapping_keys"))
    progress = Progress(run_plan_, decisions, session.executor_def.name,
                        mode=fmt if fmt != "text" else "auto", log_level=session.options.get("log_level") or 30,
                        recorded=recorded_durations(session.instance, session.compiled.path))
    replay = {k: list(v) if isinstance(v, tuple) else v for k, v in session.options.items()
              if k in _REPLAYED_OPTIONS and v}
    if replay.get("var"):  # what replay needs, secrets by name only
        replay["var"] = masked_vars(replay["var"])
    tags = {SPEC_TAG: os.path.abspath(session.compiled.path), RUN_OPTIONS_TAG: json.dumps(replay)}
    if reexecution:  # which earlier run stored what the re-executed steps read
        from .runtime.dynamic_steps import REEXECUTION_TAG

        tags[REEXECUTION_TAG] = json.dumps(reexecution)
    if session.options.get("timeout"):
        from .runtime.timeouts import MAX_RUNTIME_TAG

        tags[MAX_RUNTIME_TAG] = str(session.options["timeout"])
    with _kept_to_the_end(), _terminate_as_interrupt(progress), progress:
        result = execute_run(
            session.job, run_config=session.run_config, instance=session.instance,
            partition_keys=list(plan.partition_keys), raise_on_error=False,
            executor_def=session.executor_def, step_keys=step_keys, plan=run_plan_, tags=tags,
            capture_outputs=False, on_event=progress.on_event, parent_run_id=parent_run_id,
            lease=lease,
        )
    resume = None if result.success else resume_command(result.run_id, session)
    if fmt in ("json", "jsonl"):
        emit(apply_json(result, progress.state, time.monotonic() - progress.start_time, resume))
    else:
        print_summary(result, progress)
        if not result.success:
            print_failure(result, progress, resume)
    return 0 if result.success else 1


def recorded_durations(instance: Any, spec: str, runs: int = 3) -> dict[str, float]:
    """How long each node's step took in the spec's last few finished runs (the newest
    wins): what the progress line's first estimate is made of."""
    from .history import runs_of_spec
    from .runtime.events import DagsterEventType as ET

    took: dict[str, float] = {}
    finished = [r for r in runs_of_spec(instance, spec, 20) if r.end_time][:runs]
    for run in reversed(finished):  # oldest first: newer durations overwrite older ones
        started: dict[str, float] = {}
        for event in instance.all_logs(run.run_id, of_type=[ET.STEP_START, ET.STEP_SUCCESS]):
            if event.event_type is ET.STEP_START:
                started[event.step_key] = event.timestamp
            elif event.step_key in started:
                took[event.step_key.split("[", 1)[0]] = event.timestamp - started[event.step_key]
    return took


def resume_command(run_id: str, session: Session) -> str:
    """`specrun reexecute RUN --from-failure`, with `--spec` when the spec is not the one
    found in this folder, and the template variables the run was given."""
    from .history import find_spec, masked_vars

    words = ["specrun", "reexecute", run_id, "--from-failure"]
    try:
        here = os.path.abspath(find_spec(None, session.options.get("vars_file")))
    except SpecrunError:
        here = None
    if here != os.path.abspath(session.compiled.path):
        words += ["--spec", os.path.relpath(session.compiled.path)]
    words += [w for var in masked_vars(list(session.options.get("var") or ())) for w in ("--var", var)]
    if session.options.get("vars_file"):
        words += ["--vars", session.options["vars_file"]]
    import shlex

    return " ".join(shlex.quote(w) for w in words)


@contextlib.contextmanager
def _terminate_as_interrupt(progress: Any) -> Iterator[None]:
    """SIGTERM stops a run the way Ctrl-C does: workers stopped, run recorded as canceled, and
    the message says how to finish the work (naming the run once `progress` has its id). Both
    signals are counted (runtime.cancel), so that two arriving together still cut the workers'
    teardown short, as a second one does."""
    from .runtime.cancel import interrupt

    parent = os.getpid()

    def handler(signum: int, frame: Any) -> None:
        if os.getpid() != parent and signum == signal.SIGTERM:  # a forked worker inherited
            signal.signal(signum, signal.SIG_DFL)  # this handler: end as SIGTERM ends it
            os.kill(os.getpid(), signum)
            return
        interrupt(signum, frame)

    # SIGINT only where Python would raise KeyboardInterrupt for it (not when it is ignored,
    # as in a background job of a shell script).
    signums = [signal.SIGTERM] + [signal.SIGINT] * (signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    previous = {signum: signal.signal(signum, handler) for signum in signums}
    try:
        yield
    except KeyboardInterrupt:
        run = f"Run {progress.run_id}" if progress.run_id else "Run"
        print(f"\n{run} canceled. Steps that finished are kept; `specrun apply` (without --force) "
              "runs only what is still stale.", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        for signum, handler_before in previous.items():
            signal.signal(signum, handler_before)
