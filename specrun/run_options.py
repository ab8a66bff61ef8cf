"""The options of `plan` and `apply` turned into what a run needs: the run config of
--config (with where the file put each value, for errors at its lines), the checks of
--select/--exclude/--executor/--max-concurrent against the chosen job, and the partition keys
of --partition/--partitions."""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, NamedTuple

from .errors import SpecrunError


class GivenRunConfig(NamedTuple):
    """The run config of --config and --max-concurrent, and where the file put each value."""

    values: dict[str, Any]
    positions: Mapping[str, Any]  # JSON pointer -> Location of a value in the --config file
    key_positions: Mapping[str, Any]  # JSON pointer -> Location of its key


def run_config_of(options: Mapping[str, Any]) -> GivenRunConfig:
    config = GivenRunConfig({}, {}, {})
    if options.get("config_file"):
        config = load_run_config_file(options["config_file"])
    if options.get("max_concurrent"):
        execution = config.values.setdefault("execution", {}).setdefault("config", {})
        execution["max_concurrent"] = options["max_concurrent"]
    return config


def located_config_error(error: Any, config: GivenRunConfig) -> Exception:
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


def check_selection_applies(job: Any, options: Mapping[str, Any]) -> None:
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


def check_undeclared_config(job: Any, config: GivenRunConfig) -> None:
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


def for_executor(job: Any, executor_def: Any) -> Any:
    """`job` without the spec's executor config when --executor chose another executor: that
    config is for the spec's executor (`announce:` of a custom one means nothing to dask)."""
    if executor_def is job.executor_def or "execution" not in (job.config or {}):
        return job
    return dataclasses.replace(job, config={k: v for k, v in job.config.items() if k != "execution"})


def check_max_concurrent(executor_def: Any, options: Mapping[str, Any]) -> None:
    """--max-concurrent only for an executor that has the setting (the run config error would
    be about an `execution:` entry the user never wrote)."""
    fields = getattr(executor_def.config_schema, "fields", None)
    if options.get("max_concurrent") and fields is not None and "max_concurrent" not in fields:
        raise SpecrunError(f"--max-concurrent is for executors that run steps in parallel; this run "
                           f"uses the {executor_def.name} executor: add --executor multiprocess (or dask)")


def load_run_config_file(path: str) -> GivenRunConfig:
    """The run config in the YAML (or TOML) file given with ``--config``; a syntax error or a
    value that is not a mapping is a SpecError at its line and column, as in a spec."""
    from .compiler.load import parse_toml, parse_yaml, read_text
    from .errors import Location, SpecError, SpecErrors

    parse = parse_toml if path.endswith(".toml") else parse_yaml  # any other name: YAML (JSON is YAML)
    data, positions, key_positions = parse(read_text(path), path)
    if data is None:
        return GivenRunConfig({}, {}, {})
    if not isinstance(data, dict):
        raise SpecErrors([SpecError("a run config must be a mapping (ops:, resources:, execution:)",
                                    Location(path, 1, 1))])
    return GivenRunConfig(data, positions, key_positions)


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
