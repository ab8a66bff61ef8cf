"""What `specrun plan` and `specrun apply` do, between parsing options and printing.

apply = compile the spec, open its instance, decide which steps are stale, run those with
a live progress display, and print a summary; on failure, the failing step, its message and
a compact traceback of the user's code, with exit status 1.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import sys
from typing import Any, Iterator, Mapping, NamedTuple

from .errors import ConfigError, SpecrunError


def _vars(options: Mapping[str, Any]) -> dict[str, Any]:
    from .compiler.load import load_vars_file, parse_vars

    values: dict[str, Any] = {}
    if options.get("vars_file"):
        values.update(load_vars_file(options["vars_file"]))
    values.update(parse_vars(list(options.get("var") or ())))
    return values


class _RunConfig(NamedTuple):
    """The run config of --config and --max-concurrent, and where the file put each value."""

    values: dict[str, Any]
    positions: Mapping[str, Any]  # JSON pointer -> Location of a value in the --config file
    key_positions: Mapping[str, Any]  # JSON pointer -> Location of its key


def _run_config(options: Mapping[str, Any]) -> _RunConfig:
    config = _RunConfig({}, {}, {})
    if options.get("config_file"):
        config = load_run_config_file(options["config_file"])
    if options.get("max_concurrent"):
        execution = config.values.setdefault("execution", {}).setdefault("config", {})
        execution["max_concurrent"] = options["max_concurrent"]
    return config


def _located(error: Any, config: _RunConfig) -> Exception:
    """A run config error as SpecErrors at the lines of the --config file that caused it, when
    the file holds them (otherwise the error as it is)."""
    import re

    from .compiler.load import escape
    from .errors import SpecError, SpecErrors

    located = []
    for entry in error.errors:
        pointer = "".join("/" + escape(part) for part in entry.path)
        unexpected = re.search(r'unexpected config entry "([^"]+)"', entry.description)
        where = config.key_positions.get(pointer + "/" + escape(unexpected.group(1))) if unexpected else None
        if where is None and pointer:
            where = config.positions.get(pointer)
        located.append(SpecError(f"{entry.description} (run config {entry.stack})", where, pointer))
    return SpecErrors(located) if any(e.location for e in located) else error


def _check_selection_applies(job: Any, options: Mapping[str, Any]) -> None:
    """--select/--exclude pick assets of the whole spec; a declared job would ignore them."""
    given = " and ".join(f"--{k}" for k in ("select", "exclude") if options.get(k))
    if not given:
        return
    if options.get("job_name"):
        raise SpecrunError(f"{given} cannot be combined with --job: job {job.name!r} runs what its "
                           "`selection:` or `ops:` declare; drop --job to select assets")
    if all(node.asset is None for node in job.nodes.values()):
        raise SpecrunError(f"{given} picks assets, but this spec has none: job {job.name!r} is made "
                           "of ops, which all run")


def _check_undeclared_config(job: Any, config: _RunConfig) -> None:
    """--config keys of an op whose function declares no config schema must be keys the spec
    gives it under `config:` (with no schema to check against, a typo would be ignored)."""
    from .compiler.load import escape
    from .errors import SpecError, SpecErrors, suggest

    declared_ops = (job.config or {}).get("ops") or {}
    errors = []
    for name, entry in ((config.values.get("ops") or {}).items()):
        node = job.nodes.get(name)
        given = entry.get("config") if isinstance(entry, dict) else None
        declared = (declared_ops.get(name) or {}).get("config")
        if node is None or node.op_def.config_schema is not None or not isinstance(given, dict) \
                or not isinstance(declared, dict):
            continue
        for key in given:
            if key not in declared:
                pointer = f"/ops/{escape(name)}/config/{escape(key)}"
                known = ", ".join(sorted(declared))
                errors.append(SpecError(
                    f"{name!r} has no config key {key!r}: the spec declares {known} under its `config:`",
                    config.key_positions.get(pointer), pointer,
                    suggest(key, list(declared)) or f"add {key} to the spec's `config:` of {name} first"))
    if errors:
        raise SpecErrors(errors)


def _for_executor(job: Any, executor_def: Any) -> Any:
    """`job` without the spec's executor config when --executor chose another executor: that
    config is for the spec's executor (`announce:` of a custom one means nothing to dask)."""
    if executor_def is job.executor_def or "execution" not in (job.config or {}):
        return job
    return dataclasses.replace(job, config={k: v for k, v in job.config.items() if k != "execution"})


def _check_max_concurrent(executor_def: Any, options: Mapping[str, Any]) -> None:
    """--max-concurrent only for an executor that has the setting (the run config error would
    be about an `execution:` entry the user never wrote)."""
    fields = getattr(executor_def.config_schema, "fields", None)
    if options.get("max_concurrent") and fields is not None and "max_concurrent" not in fields:
        raise SpecrunError(f"--max-concurrent is for executors that run steps in parallel; this run "
                           f"uses the {executor_def.name} executor: add --executor multiprocess (or dask)")


def load_run_config_file(path: str) -> _RunConfig:
    """The run config in the YAML (or TOML) file given with ``--config``; a syntax error or a
    value that is not a mapping is a SpecError at its line and column, as in a spec."""
    from .compiler.load import parse_toml, parse_yaml, read_text
    from .errors import Location, SpecError, SpecErrors

    parse = parse_toml if path.endswith(".toml") else parse_yaml  # any other name: YAML (JSON is YAML)
    data, positions, key_positions = parse(read_text(path), path)
    if data is None:
        return _RunConfig({}, {}, {})
    if not isinstance(data, dict):
        raise SpecErrors([SpecError("a run config must be a mapping (ops:, resources:, execution:)",
                                    Location(path, 1, 1))])
    return _RunConfig(data, positions, key_positions)


def partition_keys_from_options(job: Any, options: Mapping[str, Any]) -> list[str]:
    """``--partition KEY`` or ``--partitions A..B`` / ``A,B,C`` as a list of keys."""
    given = ("--partition" if options.get("partition") is not None
             else "--partitions" if options.get("partitions") is not None else None)
    if given is None:
        return _all_partition_keys(job)
    pdef = job.partitions_def or _any_partitions_def(job)
    if pdef is None:
        raise SpecrunError(f"{given} was given, but nothing in this selection is partitioned")
    if given == "--partition":
        return [options["partition"]]
    text = options["partitions"]
    if ".." in text:
        from .runtime.partitions import PartitionKeyRange

        first, last = (end.strip() for end in text.split("..", 1))
        if not first or not last or ".." in last:
            raise SpecrunError(f"--partitions {text!r}: a range is FIRST..LAST with both ends, "
                               f"e.g. --partitions {_example_range(pdef)}")
        return pdef.get_partition_keys_in_range(PartitionKeyRange(first, last))
    keys = [k.strip() for k in text.split(",") if k.strip()]
    if not keys:
        raise SpecrunError(f"--partitions {text!r} names no partition: give FIRST..LAST or A,B,C, "
                           f"e.g. --partitions {_example_range(pdef)}")
    return keys


def _example_range(pdef: Any) -> str:
    keys = pdef.get_partition_keys()
    return f"{keys[0]}..{keys[-1]}" if keys else "FIRST..LAST"


def _all_partition_keys(job: Any) -> list[str]:
    """No --partition(s) given: every partition of the selection's partitions definition.

    A spec declares its partitions the way it declares its assets, so `apply` makes all of
    them real and, as for any asset, runs only the stale ones (`plan` shows which).
    """
    defs = [] if job.partitions_def is None else [job.partitions_def]
    names = [] if job.partitions_def is None else [f"job {job.name}"]
    for node in job.nodes.values():
        pdef = node.asset.partitions_def if node.asset is not None else None
        if pdef is not None and pdef not in defs:
            defs.append(pdef)
            names.append(node.name)  # one name per partitioning, for the message
    if not defs:
        return []
    if len(defs) > 1:
        raise SpecrunError(
            f"the selection mixes differently partitioned assets ({', '.join(names[:3])}), so there is "
            "no one set of partitions to apply: pass --partition KEY or --partitions A..B, or "
            "--select the assets of one partitioning")
    keys = defs[0].get_partition_keys()
    if not keys and hasattr(defs[0], "partition_fn"):  # dynamic: keys are added, not declared
        raise SpecrunError(f"the dynamic partitions {defs[0].name!r} have no keys yet: add some with "
                           f"`specrun partitions add {defs[0].name} KEY...`")
    if not keys:
        raise SpecrunError("the partitions of this selection have no keys yet (a time window that "
                           "starts in the future?): pass --partition KEY")
    return keys


def _any_partitions_def(job: Any) -> Any:
    for node in job.nodes.values():
        if node.asset is not None and node.asset.partitions_def is not None:
            return node.asset.partitions_def
    return None


@contextlib.contextmanager
def _long_lived() -> Iterator[None]:
    """The collector paused while building objects that live as long as the command, then
    those objects frozen (`gc.freeze`): re-enabling the collector would otherwise make it scan
    every one of them at once (0.2-0.3 s after compiling 10,000 assets) and again later."""
    import gc

    from .runtime.gc_pause import no_gc

    with no_gc():
        yield
        gc.freeze()


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
        _check_selection_applies(self.job, options)
        self.executor_def = self._executor_def()
        self.job = _for_executor(self.job, self.executor_def)
        _check_max_concurrent(self.executor_def, options)
        run_config = _run_config(options)
        _check_undeclared_config(self.job, run_config)
        self.run_config = run_config.values
        self.resource_defs = {**self.job.resource_defs}
        self.resource_defs.setdefault("io_manager", self.compiled.default_io_manager)
        try:
            self.resolved = resolve_run_config(self.job, self.run_config, self.resource_defs, self.executor_def)
        except ConfigError as e:
            raise _located(e, run_config) from None
        self.instance = self.compiled.open_instance()
        with self.partitions_loaded():
            self.partition_keys = partition_keys_from_options(self.job, options)

    def partitions_loaded(self) -> Any:
        """A block in which dynamic partitions read their keys from this session's instance."""
        from .runtime.dynamic_partitions import partition_loading_context

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

    def decisions(self, plan: Any) -> list[Any]:
        """Run/skip for every step, from the records (no user resource is built; specrun's own
        object-store IO manager is, to ask whether the objects still exist)."""
        from .runtime.staleness import decide

        with contextlib.ExitStack() as stack, _long_lived(), self.partitions_loaded():
            stores = self._object_stores(stack)
            return decide(plan, self.instance, self.resolved, bool(self.options.get("force")), stores)

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
    """Run the stale steps; print progress and a summary; 1 if anything failed."""
    session = Session(spec, options)
    plan = session.plan()
    decisions = session.decisions(plan)
    to_run = [d.step_key for d in decisions if d.run]
    if not to_run:
        if options.get("fmt") in ("json", "jsonl"):
            from .formats import emit, nothing_to_do_json

            emit(nothing_to_do_json(decisions))
        else:
            print(_nothing_to_do(decisions))
        return 0
    return execute_and_report(session, plan, to_run, decisions)


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
                     "executor", "max_concurrent", "config_file")


def execute_and_report(session: Session, plan: Any, step_keys: list[str], decisions: list,
                       parent_run_id: Any = None) -> int:
    """Run `step_keys` of `plan` with live progress; print the summary (and failures, and
    the command that resumes a failed run). `--format json` / `jsonl` print JSON instead."""
    import json
    import time

    from .formats import apply_json, emit
    from .history import RUN_OPTIONS_TAG, SPEC_TAG
    from .output import print_failure, print_summary
    from .progress import Progress
    from .runtime.api import execute_run
    from .runtime.plan import build_plan

    fmt = session.options.get("fmt") or "text"
    with session.partitions_loaded():
        run_plan_ = build_plan(session.job, list(plan.partition_keys), step_keys)
    progress = Progress(run_plan_, decisions, session.executor_def.name,
                        mode=fmt if fmt != "text" else "auto", log_level=session.options.get("log_level") or 30,
                        recorded=recorded_durations(session.instance, session.compiled.path))
    replay = {k: list(v) if isinstance(v, tuple) else v for k, v in session.options.items()
              if k in _REPLAYED_OPTIONS and v}
    tags = {SPEC_TAG: os.path.abspath(session.compiled.path), RUN_OPTIONS_TAG: json.dumps(replay)}
    started: list[str] = []  # the run's id, from its first event: named if the run is canceled

    def on_event(event: Any) -> None:
        if not started:
            started.append(event.run_id)
        progress.on_event(event)

    with _terminate_as_interrupt(started), progress:
        result = execute_run(
            session.job, run_config=session.run_config, instance=session.instance,
            partition_keys=list(plan.partition_keys), raise_on_error=False,
            executor_def=session.executor_def, step_keys=step_keys, plan=run_plan_, tags=tags,
            capture_outputs=False, on_event=on_event, parent_run_id=parent_run_id,
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
    from .history import find_spec

    words = ["specrun", "reexecute", run_id, "--from-failure"]
    try:
        here = os.path.abspath(find_spec(None, session.options.get("vars_file")))
    except SpecrunError:
        here = None
    if here != os.path.abspath(session.compiled.path):
        words += ["--spec", os.path.relpath(session.compiled.path)]
    words += [w for var in session.options.get("var") or () for w in ("--var", var)]
    if session.options.get("vars_file"):
        words += ["--vars", session.options["vars_file"]]
    import shlex

    return " ".join(shlex.quote(w) for w in words)


@contextlib.contextmanager
def _terminate_as_interrupt(started: list[str]) -> Iterator[None]:
    """SIGTERM stops a run the way Ctrl-C does: workers stopped, run recorded as canceled, and
    the message says how to finish the work."""
    parent = os.getpid()

    def handler(signum: int, frame: Any) -> None:
        if os.getpid() != parent:  # a forked worker inherited this handler: end as SIGTERM ends it
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    except KeyboardInterrupt:
        run = f"Run {started[0]}" if started else "Run"
        print(f"\n{run} canceled. Steps that finished are kept; `specrun apply` (without --force) "
              "runs only what is still stale.", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
