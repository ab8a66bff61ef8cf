"""What resolve builds from each kind of entry (decorated functions, multi-assets, checks, run
config, executors), where it reports what fails, and resolve run on its own, without validate."""

from __future__ import annotations

import pytest

from specrun import AssetKey, materialize_to_memory
from specrun.compiler import compile_spec
from specrun.compiler.load import load_document
from specrun.compiler.model import build_spec
from specrun.compiler.resolve import resolve_spec
from specrun.errors import SpecErrors

FUNCS = '''
from specrun import (AssetCheckResult, AssetCheckSpec, Config, Field, RetryPolicy, StaticPartitionsDefinition,
                     asset, op)


class RowsConfig(Config):
    rows: int = 1


def raw():
    return 2


def other():
    return 3


def pair():
    return 1, 2


def configured_pair(config: RowsConfig):
    return config.rows, config.rows * 10


def clean(raw):
    return raw


def rows(config: RowsConfig):
    return config.rows


def join(raw, other):
    return raw + other


def star(*args):
    return 1


def two_param_check(raw, other):
    return AssetCheckResult(passed=True)


def positive(raw):
    return AssetCheckResult(passed=raw > 0)


@op
def an_op():
    return 5


@asset(partitions_def=StaticPartitionsDefinition(["eu", "us"]), required_resource_keys={"store"},
       io_manager_key="store", retry_policy=RetryPolicy(max_retries=4), op_tags={"team": "data"},
       config_schema={"limit": Field(int, default_value=1)}, check_specs=[AssetCheckSpec("pos", asset="full")])
def full(context):
    return 1


@asset
def two_is_expected(raw):
    return AssetCheckResult(passed=raw == 2)
'''

HEAD = "specrun: 1\nname: t\nmodule: resolve_def_funcs\nresources:\n  store: {type: memory}\n"


def _write(tmp_path, body: str) -> str:
    (tmp_path / "resolve_def_funcs.py").write_text(FUNCS)
    spec = tmp_path / "p.yaml"
    spec.write_text(HEAD + body)
    return str(spec)


def _compile(tmp_path, body: str):
    return compile_spec(_write(tmp_path, body))


def _errors(tmp_path, body: str) -> list[tuple]:
    with pytest.raises(SpecErrors) as caught:
        _compile(tmp_path, body)
    return [(e.message, e.location.line, e.location.col, e.pointer, e.hint) for e in caught.value.errors]


def _asset(compiled, name: str):
    return next(a for a in compiled.definitions.assets if a.op.name == name)


def test_a_decorated_asset_as_fn_keeps_its_partitions_resources_io_manager_retry_op_tags_and_checks(tmp_path):
    from specrun import StaticPartitionsDefinition

    full = _asset(_compile(tmp_path, "assets:\n  full: {fn: full}\n"), "full")
    assert (full.partitions_def, full.op.required_resource_keys, full.io_manager_key,
            full.op.retry_policy.max_retries, full.op.tags) == (
        StaticPartitionsDefinition(["eu", "us"]), {"store"}, "store", 4, {"team": "data"})
    assert [(s.name, s.asset_key) for s in full.check_specs] == [("pos", AssetKey(["full"]))]


def test_the_config_of_a_decorated_asset_is_checked_against_its_decorators_config_schema(tmp_path):
    assert _errors(tmp_path, "assets:\n  full: {fn: full, config: {limt: 2}}\n") == [
        ("unknown config key 'limt'", 7, 29, "/assets/full/config/limt", "did you mean 'limit'?")]


def test_an_op_named_as_an_asset_fn_is_computed_by_the_ops_function(tmp_path):
    compiled = _compile(tmp_path, "assets:\n  made: {fn: an_op}\n")
    assert materialize_to_memory(compiled.definitions.assets).output_for_node("made") == 5


def test_deps_of_an_asset_are_ordering_only_upstream_assets(tmp_path):
    after = _asset(_compile(tmp_path, "assets:\n  other: {fn: other}\n  after: {fn: raw, deps: [other]}\n"), "after")
    assert (after.deps, dict(after.input_keys)) == ((AssetKey(["other"]),), {})


def test_a_function_that_cannot_be_an_asset_is_an_error_at_its_fn(tmp_path):
    assert _errors(tmp_path, "assets:\n  x: {fn: star}\n") == [
        ("asset 'x': *args is not supported; name each input", 7, 11, "/assets/x/fn", None)]


@pytest.mark.parametrize("entry, pointer, message", [
    ("{fn: raw, retry: {delay: .nan}, config: {rows: 1}}", "/assets/x/retry/delay",
     "retry delay must be a finite number of seconds, not nan"),
    ("{fn: pair, outs: {l: ~, r: ~}, retry: {delay: .nan}, config: {rows: 1}}", "/assets/x/retry/delay",
     "retry delay must be a finite number of seconds, not nan"),
    ("{fn: pair, outs: {l: ~, r: ~}, timeout: .nan}", "/assets/x/timeout",
     "timeout must be a finite number of seconds, not nan"),
])
def test_an_asset_that_cannot_be_built_reports_its_own_error_only_at_its_place(tmp_path, entry, pointer, message):
    [(got_message, line, _, got_pointer, _)] = _errors(tmp_path, f"assets:\n  x: {entry}\n")
    assert (got_message, line, got_pointer) == (message, 7, pointer)


def test_a_multi_asset_entry_with_config_runs_with_it(tmp_path):
    # was KeyError: 'p' (the default run config looked the entry up among the keys of its outs)
    compiled = _compile(tmp_path, "assets:\n  p: {fn: configured_pair, outs: {l: ~, r: ~}, config: {rows: 3}}\n")
    assert compiled.run_config == {"ops": {"p": {"config": {"rows": 3}}}}
    result = materialize_to_memory(compiled.definitions.assets, run_config=compiled.run_config)
    assert (result.output_for_node("p", "l"), result.output_for_node("p", "r")) == (3, 30)


def test_the_config_of_a_multi_asset_is_checked_against_its_config_class(tmp_path):
    assert _errors(tmp_path, "assets:\n  p: {fn: configured_pair, outs: {l: ~, r: ~}, config: {rowz: 3}}\n") == [
        ("unknown config key 'rowz'", 7, 57, "/assets/p/config/rowz", "did you mean 'rows'?")]


@pytest.mark.parametrize("assets, expected", [
    # each `ins:` entry is checked, also after one that fails
    ("  raw: {fn: raw}\n  j: {fn: join, ins: {nope: raw, other: missing}}\n",
     [("ins: 'join' has no parameter 'nope'", 8, 23, "/assets/j/ins/nope", None),
      ("ins: no asset named 'missing'", 8, 41, "/assets/j/ins/other", None)]),
    ("  raw: {fn: raw}\n  j: {fn: join, ins: {raw: rw, other: missing}}\n",
     [("ins: no asset named 'rw'", 8, 28, "/assets/j/ins/raw", "did you mean 'raw'?"),
      ("ins: no asset named 'missing'", 8, 39, "/assets/j/ins/other", None)]),
    # a parameter after one given by `ins:` is still looked up by name
    ("  raw: {fn: raw}\n  j: {fn: join, ins: {raw: raw}}\n",
     [("parameter 'other' of 'join' is not provided: no asset is named 'other'", 8, 11, "/assets/j/fn",
       "map it with `ins: {other: <asset>}`")]),
    # a parameter whose `ins:` entry failed is not also reported as not provided
    ("  c: {fn: clean, ins: {raw: rw}}\n", [("ins: no asset named 'rw'", 7, 29, "/assets/c/ins/raw", None)]),
])
def test_every_input_problem_is_reported_once_at_its_place(tmp_path, assets, expected):
    assert _errors(tmp_path, "assets:\n" + assets) == expected


def test_an_input_entry_takes_its_input_manager(tmp_path):
    compiled = _compile(tmp_path, "assets:\n  raw: {fn: raw}\n  c: {fn: clean, ins: {raw: {asset: raw, "
                                  "input_manager: store}}}\n")
    assert _asset(compiled, "c").input_specs["raw"].input_manager_key == "store"


def test_the_check_of_a_multi_asset_with_one_out_checks_that_out(tmp_path):
    compiled = _compile(tmp_path, "assets:\n  p: {fn: raw, key_prefix: [k], outs: {only: ~}, check_specs: {c: ~}}\n")
    assert [(s.name, s.asset_key) for s in _asset(compiled, "p").check_specs] == [("c", AssetKey(["k", "only"]))]


def test_a_check_of_a_multi_asset_with_several_outs_names_one_of_them(tmp_path):
    assert _errors(tmp_path, "assets:\n  p: {fn: pair, outs: {l: ~, r: ~}, check_specs: {c: ~, d: {asset: q}}}\n") == [
        ("check 'c' of multi-asset 'p' needs `asset:`: which of its outs it checks", 7, 51, "/assets/p/check_specs/c",
         "one of: l, r"),
        ("check 'd' of multi-asset 'p' names 'q', which is not one of its outs", 7, 68,
         "/assets/p/check_specs/d/asset", "one of: l, r")]


@pytest.mark.parametrize("check", ["{fn: 'collections:OrderedDict', asset: raw}",
                                   "{fn: 'collections:OrderedDict', specs: {s: {asset: raw}}}"])
def test_a_check_fn_that_is_not_a_step_function_says_so(tmp_path, check):
    [(message, line, col, pointer, _)] = _errors(tmp_path, f"assets:\n  raw: {{fn: raw}}\nchecks:\n  c: {check}\n")
    assert (message, line, col, pointer) == (
        "'collections:OrderedDict' is part of module 'collections' of Python's standard library, not a step "
        "function", 9, 11, "/checks/c/fn")


@pytest.mark.parametrize("check, message", [
    ("{fn: two_param_check, asset: raw, config: {rows: 1}}",
     "asset check 'c': parameters ['raw', 'other'] are not declared; the checked asset's value goes to one "
     "parameter, others need additional_ins="),
    ("{fn: two_param_check, specs: {s: {asset: raw}}}",
     "multi_asset_check 'c': parameters ['raw', 'other'] are not declared; give them as ins={name: AssetIn(...)}"),
])
def test_a_check_that_cannot_be_built_is_one_error_at_its_entry(tmp_path, check, message):
    assert _errors(tmp_path, f"assets:\n  raw: {{fn: raw}}\nchecks:\n  c: {check}\n") == [
        (message, 9, 6, "/checks/c", None)]


def test_a_check_fn_may_name_a_decorated_asset_whose_function_is_the_check(tmp_path):
    compiled = _compile(tmp_path, "assets:\n  raw: {fn: raw}\nchecks:\n  c: {fn: two_is_expected, asset: raw}\n")
    result = materialize_to_memory(compiled.definitions.assets + compiled.definitions.asset_checks)
    [evaluation] = result.get_asset_check_evaluations()
    assert (evaluation.check_name, evaluation.passed) == ("c", True)


@pytest.mark.parametrize("entry", ["{fn: raw, io_manager: io_manager}", "{fn: raw, resources: [io_manager]}"])
def test_io_manager_is_a_resource_every_spec_has(tmp_path, entry):
    raw = _asset(_compile(tmp_path, f"assets:\n  raw: {entry}\n"), "raw")
    assert raw.io_manager_key == "io_manager"


def test_resource_and_executor_config_are_the_default_run_config_and_checks_without_config_add_none(tmp_path):
    compiled = _compile(tmp_path, "  files: {type: fs, config: {base_dir: out}}\n"
                                  "executor: {type: multiprocess, config: {max_concurrent: 2}}\n"
                                  "assets:\n  raw: {fn: raw}\nchecks:\n  c: {fn: positive, asset: raw}\n")
    # a relative base_dir is the spec folder's
    assert compiled.run_config == {"resources": {"files": {"config": {"base_dir": str(tmp_path / "out")}}},
                                   "execution": {"config": {"max_concurrent": 2}}}


def test_the_spec_executor_runs_every_job_that_names_none(tmp_path):
    compiled = _compile(tmp_path, "executor: {type: multiprocess}\nassets:\n  raw: {fn: raw}\n"
                                  "jobs:\n  j: {selection: raw}\n  k: {selection: raw, executor: {type: in_process}}\n")
    assert (compiled.executor_def.name, compiled.definitions.executor.name, compiled.job_for("j").executor_def.name,
            compiled.job_for("k").executor_def.name) == ("multiprocess", "multiprocess", "multiprocess", "in_process")


def test_two_entries_making_one_asset_is_an_error_of_the_spec(tmp_path):
    assert _errors(tmp_path, "assets:\n  raw: {fn: raw}\n  p: {fn: pair, outs: {raw: ~, r: ~}}\n") == [
        ("asset 'raw' is defined twice", 1, 1, "", None)]


def _resolve_alone(tmp_path, body: str) -> list[tuple]:
    """Errors of resolve run on a spec that validate has not checked."""
    spec = build_spec(load_document(_write(tmp_path, body), {}))
    with pytest.raises(SpecErrors) as caught:
        resolve_spec(spec)
    return [(e.message, e.location.line, e.location.col, e.pointer, e.hint) for e in caught.value.errors]


@pytest.mark.parametrize("assets, expected", [
    ("  x: {group: g}\n",
     [("asset 'x' needs `fn:` (its function) or `graph:` (ops, each a step)", 7, 3, "/assets/x", "fn: module:function")]),
    ("  raw: {fn: raw}\n  c: {fn: clean, ins: {raw: {asset: raw, partition_mapping: idenity}}}\n",
     [("unknown partition mapping 'idenity'; did you mean 'identity'?", 8, 29, "/assets/c/ins/raw", None)]),
])
def test_resolve_reports_what_validate_would_have_refused(tmp_path, assets, expected):
    assert _resolve_alone(tmp_path, "assets:\n" + assets) == expected


@pytest.mark.parametrize("entry, kind", [("{fn: raw, check_specs: {'a b': ~}}", "asset"),
                                         ("{fn: pair, outs: {l: ~, r: ~}, check_specs: {'a b': {asset: l}}}",
                                          "multi_asset")])
def test_resolve_alone_reports_a_check_spec_it_cannot_build_at_the_spec_and_at_its_asset(tmp_path, entry, kind):
    assert [(message, pointer) for message, _, _, pointer, _ in _resolve_alone(tmp_path, f"assets:\n  p: {entry}\n")] == [
        (f"{kind} 'p': check_specs takes AssetCheckSpec values, got None", "/assets/p"),
        ("AssetCheckSpec name 'a b' is not a valid name: use letters, digits and underscores, not starting with a digit",
         "/assets/p/check_specs/a b")]


def test_the_spec_executor_runs_an_op_job_that_names_none(tmp_path):
    compiled = _compile(tmp_path, "executor: {type: multiprocess}\nops:\n  make: {fn: raw}\n"
                                  "jobs:\n  j: {ops: {make: {op: make}}}\n")
    assert compiled.job_for("j").executor_def.name == "multiprocess"


def test_an_unknown_executor_of_an_op_job_is_reported_once(tmp_path):
    assert _errors(tmp_path, "ops:\n  make: {fn: raw}\njobs:\n  j: {ops: {make: {op: make}}, "
                             "executor: {type: 'resolve_def_funcs:nothing'}}\n") == [
        ("'resolve_def_funcs' has no attribute 'nothing'", 9, 49, "/jobs/j/executor/type", None)]


def test_the_config_of_a_prefixed_asset_is_under_its_op_name_in_the_default_run_config(tmp_path):
    compiled = _compile(tmp_path, "assets:\n  rows: {fn: rows, key_prefix: [k], config: {rows: 2}}\n")
    assert compiled.run_config == {"ops": {"k__rows": {"config": {"rows": 2}}}}
    assert materialize_to_memory(compiled.definitions.assets, run_config=compiled.run_config
                                 ).output_for_node("k__rows") == 2
