"""Resolving a spec: references that cannot name anything are errors at their value."""

from __future__ import annotations

import pytest

from specrun import AssetKey
from specrun.compiler import compile_spec
from specrun.errors import SpecErrors


def _errors(tmp_path, assets: str, tail: str = ""):
    (tmp_path / "resolve_funcs.py").write_text("def a():\n    return 1\n")
    spec = tmp_path / "p.yaml"
    spec.write_text(f"specrun: 1\nname: t\nmodule: resolve_funcs\nassets:\n{assets}{tail}")
    with pytest.raises(SpecErrors) as caught:
        compile_spec(str(spec))
    return caught.value.errors


@pytest.mark.parametrize("ref", [":", "a:b:c", "resolve_funcs:", "my mod:a", ":a"])
def test_reference_that_is_not_module_colon_name_says_how_to_write_one(tmp_path, ref):
    # ':' was "importing '' raised ValueError: Empty module name"
    [error] = _errors(tmp_path, f"  a: {{fn: '{ref}'}}\n")
    assert error.message == f"{ref!r} is not a reference to a Python object"
    assert (error.location.line, error.location.col) == (5, 11)
    assert error.hint == "write module:function, e.g. my_pipeline.assets:orders"


def test_storage_url_of_an_unknown_database_is_an_error_at_the_url(tmp_path):
    [error] = _errors(tmp_path, "  a: {fn: a}\n", "storage: {url: 'foo://bar'}\n")
    assert error.message == "storage url 'foo://bar' is neither SQLite nor PostgreSQL"
    assert (error.location.line, error.location.col, error.pointer, error.hint) == (
        6, 16, "/storage/url", "write sqlite:///path/to/runs.db or postgresql://user@host/db")


@pytest.mark.parametrize("url", ["sqlite:///runs.db", "sqlite://", "postgresql://u@h/db", "postgresql+psycopg://h/db"])
def test_sqlite_and_postgres_storage_urls_compile(tmp_path, url):
    (tmp_path / "resolve_funcs.py").write_text("def a():\n    return 1\n")
    spec = tmp_path / "p.yaml"
    spec.write_text(f"specrun: 1\nname: t\nmodule: resolve_funcs\nassets:\n  a: {{fn: a}}\nstorage: {{url: '{url}'}}\n")
    assert compile_spec(str(spec)).spec.storage_url == url


def test_a_standard_library_class_as_asset_fn_is_refused(tmp_path):
    # was "no signature found for builtin type <class 'collections.OrderedDict'>"
    [error] = _errors(tmp_path, "  a: {fn: 'collections:OrderedDict'}\n")
    assert error.message == ("'collections:OrderedDict' is part of module 'collections' of Python's "
                             "standard library, not a step function")


def test_jinja_syntax_in_a_plain_spec_says_to_name_it_j2(tmp_path):
    [error] = _errors(tmp_path, "  a: {fn: '{{ x }}'}\n")
    assert error.message == "'resolve_funcs' has no attribute '{{ x }}'"
    assert error.hint == "this is Jinja2 template syntax: name the spec file with a .j2 suffix to render it"


def test_reference_with_a_lookalike_character_names_it_in_the_hint(tmp_path):
    [error] = _errors(tmp_path, "  raw: {fn: a}\n  b: {fn: a, deps: [r\u0430w]}\n")  # a Cyrillic а
    assert error.message == "deps: no asset named 'r\u0430w'"
    assert error.hint == "did you mean 'raw'? ('r\u0430w' has U+0430 CYRILLIC SMALL LETTER A)"


CONFIGURED = """from specrun import Config


class RowsConfig(Config):
    rows: int = 10


def loader(config: RowsConfig):
    return list(range(config.rows))
"""


@pytest.mark.parametrize("section, line, col, message, hint", [
    ("assets:\n  loader: {fn: loader, config: {rows: x}}\n", 5, 39,
     "config: Input should be a valid integer, unable to parse string as an integer (got 'x')", None),
    ("assets:\n  loader: {fn: loader, config: {rowz: 5}}\n", 5, 33, "unknown config key 'rowz'", "did you mean 'rows'?"),
    ("ops:\n  l: {fn: loader, config: {rowz: 1}}\njobs:\n  j:\n    ops:\n      l: {op: l}\n", 5, 28,
     "unknown config key 'rowz'", "did you mean 'rows'?"),
])
def test_config_that_does_not_fit_the_functions_config_class_is_a_compile_error(tmp_path, section, line, col,
                                                                                 message, hint):
    # was accepted by validate; plan then said 'Invalid run config for job' with no position
    (tmp_path / "resolve_configured.py").write_text(CONFIGURED)
    spec = tmp_path / "p.yaml"
    spec.write_text("specrun: 1\nname: t\nmodule: resolve_configured\n" + section)
    with pytest.raises(SpecErrors) as caught:
        compile_spec(str(spec))
    [error] = caught.value.errors
    assert (error.location.line, error.location.col, error.message, error.hint) == (line, col, message, hint)


FULL_FUNCS = """from specrun import AssetCheckResult, Config, asset


class RowsConfig(Config):
    rows: int = 10


def raw():
    return 1


def clean(raw, config: RowsConfig):
    return raw


def split():
    return 1, 2


def check_fn(clean):
    return AssetCheckResult(passed=True)


def multi_check():
    yield AssetCheckResult(passed=True, check_name="c1")


@asset(group_name="base_group", code_version="7")
def decorated(raw):
    return raw


class NotAFunction:
    pass


VALUE = 5
"""

FULL_HEAD = """specrun: 1
name: t
module: resolve_full_funcs
resources:
  store: {type: fs}
partitions:
  daily: {type: daily, start: '2024-01-01'}
"""

FULL_SPEC = FULL_HEAD + """assets:
  raw: {fn: raw, key_prefix: [p], group: g1, tags: {n: 1}, metadata: {m: x}, description: d, compute_kind: k, code_version: '3', partitions: daily, io_manager: store, resources: [store], retry: {max_retries: 2, delay: 1}, timeout: 5}
  clean: {fn: clean, ins: {raw: {asset: raw, partition_mapping: all}}, config: {rows: 4}, check_specs: {fresh: {blocking: true, description: cd}}}
  pair: {fn: split, key_prefix: q, group: g2, io_manager: store, can_subset: true, outs: {left: {description: ld, group: g3, io_manager: io_manager}, right: ~}, check_specs: {lc: {asset: left}}}
  dec: {fn: decorated}
checks:
  one: {fn: check_fn, asset: clean, blocking: true, description: od, config: {}}
  many: {fn: multi_check, specs: {c1: {asset: clean, blocking: true}}, config: {k: 1}}
run_config:
  ops: {x: {config: {a: 1}}}
"""


def _compile_full(tmp_path, text):
    (tmp_path / "resolve_full_funcs.py").write_text(FULL_FUNCS)
    spec = tmp_path / "p.yaml"
    spec.write_text(text)
    return compile_spec(str(spec))


def test_every_asset_option_reaches_the_definition(tmp_path):
    from specrun import AssetKey, DailyPartitionsDefinition
    from specrun.runtime.partitions import AllPartitionMapping

    compiled = _compile_full(tmp_path, FULL_SPEC)
    by_name = {a.op.name: a for a in compiled.definitions.assets}
    raw, clean, pair, dec = by_name["p__raw"], by_name["clean"], by_name["pair"], by_name["dec"]
    assert (raw.key, raw.group_name, raw.tags, raw.metadata["m"].value, raw.description, raw.compute_kind,
            raw.code_version, raw.partitions_def, raw.io_manager_key) == (
        AssetKey(["p", "raw"]), "g1", {"n": "1"}, "x", "d", "k", "3", DailyPartitionsDefinition("2024-01-01"), "store")
    assert (raw.op.tags, raw.op.required_resource_keys) == ({"dagster/compute_kind": "k", "specrun/timeout": "5.0"},
                                                      {"store"})
    assert (raw.op.retry_policy.max_retries, raw.op.retry_policy.delay) == (2, 1.0)
    assert dict(clean.input_keys) == {"raw": AssetKey(["p", "raw"])}
    assert isinstance(clean.input_specs["raw"].partition_mapping, AllPartitionMapping)
    assert clean.op.config_schema.name == "RowsConfig"
    [fresh] = clean.check_specs
    assert (fresh.name, fresh.asset_key, fresh.blocking, fresh.description) == ("fresh", AssetKey(["clean"]), True, "cd")
    assert (clean.io_manager_key, clean.group_name, clean.op.retry_policy, clean.op.tags) == (
        "io_manager", "default", None, {})
    assert sorted(pair.keys, key=str) == [AssetKey(["q", "left"]), AssetKey(["q", "right"])]
    assert dict(pair.group_names_by_key) == {AssetKey(["q", "left"]): "g3", AssetKey(["q", "right"]): "g2"}
    assert pair.can_subset is True
    [lc] = pair.check_specs
    assert (lc.name, lc.asset_key, lc.blocking) == ("lc", AssetKey(["q", "left"]), False)
    assert (dec.code_version, dec.group_name, dict(dec.input_keys)) == ("7", "base_group", {"raw": AssetKey(["p", "raw"])})
    checks = {c.name: c for c in compiled.definitions.asset_checks}
    assert [(s.name, s.asset_key, s.blocking, s.description) for s in checks["one"].specs] == [
        ("one", AssetKey(["clean"]), True, "od")]
    assert [(s.name, s.asset_key, s.blocking) for s in checks["many"].specs] == [("c1", AssetKey(["clean"]), True)]
    # each entry's config under its op's name, the spec's own run_config merged in
    assert compiled.run_config == {"ops": {"clean": {"config": {"rows": 4}}, "clean_one": {"config": {}},
                                           "many": {"config": {"k": 1}}, "x": {"config": {"a": 1}}}}


def test_an_entry_naming_a_plain_function_passes_asset_only_the_options_it_sets(tmp_path, monkeypatch):
    from specrun.compiler import resolve

    passed = {}

    def recording(fn, **options):
        passed[options["name"]] = sorted(options)
        return real(fn, **options)

    def recording_made(fn, options, shared):  # (a plain function's entry: make_asset, parts shared)
        passed[options["name"]] = sorted(options)
        return real_made(fn, options, shared)

    real, real_made = resolve.asset, resolve.make_asset
    monkeypatch.setattr(resolve, "asset", recording)
    monkeypatch.setattr(resolve, "make_asset", recording_made)
    _compile_full(tmp_path, FULL_SPEC.replace("  dec: {fn: decorated}\n", "  dec: {fn: decorated}\n  bare: {fn: raw}\n"))
    assert passed["bare"] == ["ins", "name"]
    assert passed["clean"] == ["check_specs", "ins", "name"]
    assert passed["raw"] == ["code_version", "compute_kind", "description", "group_name", "ins", "io_manager_key",
                             "key_prefix", "metadata", "name", "op_tags", "partitions_def", "required_resource_keys",
                             "retry_policy", "tags"]
    assert len(passed["dec"]) == 19  # a decorated function: every option, the entry's over the decorator's


def test_multi_asset_outs_take_their_own_io_manager_description_and_the_entry_defaults(tmp_path):
    compiled = _compile_full(tmp_path, FULL_SPEC)
    pair = next(a for a in compiled.definitions.assets if a.op.name == "pair")
    outs = {name: (o.io_manager_key, o.description) for name, o in pair.op.outs.items()}
    assert outs == {"left": ("io_manager", "ld"), "right": ("store", None)}


@pytest.mark.parametrize("assets, line, col, pointer, message, hint", [
    ("  bad: {fn: NotAFunction}\n", 9, 13, "/assets/bad/fn", "'NotAFunction' is not a function",
     "name a function defined with def"),
    ("  bad: {fn: VALUE}\n", 9, 13, "/assets/bad/fn", "'VALUE' is not a function", "name a function defined with def"),
    ("  raw: {fn: raw}\n  b: {fn: raw, deps: [raww]}\n", 10, 23, "/assets/b/deps/0", "deps: no asset named 'raww'",
     "did you mean 'raw'?"),
    ("  b: {fn: raw, io_manager: stor}\n", 9, 28, "/assets/b/io_manager", "no resource named 'stor'",
     "did you mean 'store'?"),
    ("  b: {fn: raw, resources: [store, zzz]}\n", 9, 35, "/assets/b/resources/1", "no resource named 'zzz'",
     "declare it under `resources:`"),
    ("  b: {fn: raw, partitions: dayly}\n", 9, 28, "/assets/b/partitions", "no partitions named 'dayly'",
     "did you mean 'daily'?"),
    ("  b: {fn: raw, partitions: zzz}\n", 9, 28, "/assets/b/partitions", "no partitions named 'zzz'",
     "declare it under `partitions:`"),
    ("  raw: {fn: raw}\n  clean: {fn: clean, ins: {raw: {asset: rw}}}\n", 10, 33, "/assets/clean/ins/raw",
     "ins: no asset named 'rw'", "did you mean 'raw'?"),
    ("  raw: {fn: raw}\n  clean: {fn: clean, ins: {raw: {asset: raw, partition_mapping: time_window, "
     "start_offset: -20000}}}\n", 10, 92, "/assets/clean/ins/raw/start_offset",
     "start_offset -20000 is out of range: at most 10000 partitions either way", None),
    ("  clean: {fn: clean}\n", 9, 15, "/assets/clean/fn",
     "parameter 'raw' of 'clean' is not provided: no asset is named 'raw'", "map it with `ins: {raw: <asset>}`"),
    ("  rav: {fn: raw}\n  clean: {fn: clean}\n", 10, 15, "/assets/clean/fn",
     "parameter 'raw' of 'clean' is not provided: no asset is named 'raw'",
     "did you mean 'rav'? - or map it with `ins: {raw: <asset>}`"),
    ("  raw: {fn: raw}\nchecks:\n  c: {fn: check_fn, asset: raw, resources: [nope]}\n", 11, 45,
     "/checks/c/resources/0", "no resource named 'nope'", "declare it under `resources:`"),
])
def test_a_reference_that_names_nothing_is_an_error_at_it(tmp_path, assets, line, col, pointer, message, hint):
    with pytest.raises(SpecErrors) as caught:
        _compile_full(tmp_path, FULL_HEAD + "assets:\n" + assets)
    [error] = caught.value.errors
    assert (error.message, error.location.line, error.location.col, error.pointer, error.hint) == (
        message, line, col, pointer, hint)


MULTI_FUNCS = FULL_FUNCS + '''

def pair_from(raw):
    return raw, raw


from specrun import AssetCheckSpec, multi_asset_check


@multi_asset_check(specs=[AssetCheckSpec("c9", asset="raw")])
def decorated_checks():
    yield AssetCheckResult(passed=True, check_name="c9")
'''


def test_a_multi_asset_entry_passes_every_option_on(tmp_path):
    from specrun import AssetKey, DailyPartitionsDefinition

    (tmp_path / "resolve_multi_funcs.py").write_text(MULTI_FUNCS)
    spec = tmp_path / "p.yaml"
    spec.write_text(FULL_HEAD.replace("resolve_full_funcs", "resolve_multi_funcs") + """assets:
  raw: {fn: raw, partitions: daily}
  other: {fn: raw, partitions: daily}
  extra: {fn: raw}
  pair: {fn: pair_from, ins: {raw: other}, deps: [extra], partitions: daily, resources: [store], retry: {max_retries: 3}, code_version: '9', timeout: 2, description: pd, compute_kind: ck, outs: {l: ~, r: ~}}
checks:
  both: {fn: decorated_checks, description: bd, resources: [store], specs: {c9: {asset: raw}}}
""")
    compiled = compile_spec(str(spec))
    pair = next(a for a in compiled.definitions.assets if a.op.name == "pair")
    assert dict(pair.input_keys) == {"raw": AssetKey(["other"])}
    assert AssetKey(["extra"]) in pair.deps
    assert (pair.partitions_def, pair.op.required_resource_keys, pair.op.retry_policy.max_retries, pair.code_version,
            pair.op.tags, pair.description, pair.compute_kind) == (
        DailyPartitionsDefinition("2024-01-01"), {"store"}, 3, "9",
        {"dagster/compute_kind": "ck", "specrun/timeout": "2.0"}, "pd", "ck")
    [both] = [c for c in compiled.definitions.asset_checks if c.name == "both"]
    assert (both.description, both.op.required_resource_keys) == ("bd", {"store"})
    assert [(s.name, s.asset_key) for s in both.specs] == [("c9", AssetKey(["raw"]))]


@pytest.mark.parametrize("checks, expected", [
    # every spec naming no asset is reported, not only the first
    ("  both: {fn: multi_check, specs: {c1: {asset: rw}, c2: {asset: clen}}}\n",
     [("check 'both': spec 'c1' names no asset 'rw'", 11, 47, "/checks/both/specs/c1/asset", "did you mean 'raw'?"),
      ("check 'both': spec 'c2' names no asset 'clen'", 11, 64, "/checks/both/specs/c2/asset", None)]),
    ("  both: {fn: nope, specs: {c1: {asset: raw}}}\n",
     [("'resolve_full_funcs' has no attribute 'nope'", 11, 14, "/checks/both/fn", None)]),
    ("  both: {fn: multi_check, resources: [zzz], specs: {c1: {asset: raw}}}\n",
     [("no resource named 'zzz'", 11, 39, "/checks/both/resources/0", "declare it under `resources:`")]),
])
def test_a_multi_check_reports_each_problem_at_its_value(tmp_path, checks, expected):
    with pytest.raises(SpecErrors) as caught:
        _compile_full(tmp_path, FULL_HEAD + "assets:\n  raw: {fn: raw}\nchecks:\n" + checks)
    assert [(e.message, e.location.line, e.location.col, e.pointer, e.hint) for e in caught.value.errors] == expected


CHECK_FUNCS = FULL_FUNCS + '''

class LimitConfig(Config):
    limit: int = 1


def limited_check(raw, config: LimitConfig):
    return AssetCheckResult(passed=True)
'''


@pytest.mark.parametrize("checks, expected", [
    ("  c: {fn: limited_check, asset: raw, config: {limt: 2}}\n",
     [("unknown config key 'limt'", 11, 47, "/checks/c/config/limt", "did you mean 'limit'?")]),
    ("  c: {fn: nope, asset: raw}\n", [("'resolve_check_funcs' has no attribute 'nope'", 11, 11, "/checks/c/fn", None)]),
    ("  c: {fn: limited_check, asset: rw}\n",
     [("check 'c': no asset named 'rw'", 11, 33, "/checks/c/asset", "did you mean 'raw'?")]),
    ("  c: {fn: limited_check, asset: raw, specs: {s: {asset: raw}}}\n",
     [("check 'c' has both `asset:` (a check of one asset) and `specs:` (several checks evaluated in one step)",
       11, 6, "/checks/c", "a check of one asset: `asset: <asset name>`")]),
])
def test_a_check_reports_each_problem_at_its_value(tmp_path, checks, expected):
    (tmp_path / "resolve_check_funcs.py").write_text(CHECK_FUNCS)
    spec = tmp_path / "p.yaml"
    spec.write_text(FULL_HEAD.replace("resolve_full_funcs", "resolve_check_funcs")
                    + "assets:\n  raw: {fn: raw}\nchecks:\n" + checks)
    with pytest.raises(SpecErrors) as caught:
        compile_spec(str(spec))
    assert [(e.message, e.location.line, e.location.col, e.pointer, e.hint) for e in caught.value.errors] == expected


def test_a_check_takes_its_resources_and_a_mapping_its_offsets_up_to_the_limit(tmp_path):
    (tmp_path / "resolve_check_funcs.py").write_text(CHECK_FUNCS)
    spec = tmp_path / "p.yaml"
    spec.write_text(FULL_HEAD.replace("resolve_full_funcs", "resolve_check_funcs") + """assets:
  raw: {fn: raw, partitions: daily}
  clean: {fn: clean, partitions: daily, ins: {raw: {asset: raw, partition_mapping: time_window, start_offset: -10000, end_offset: 2}}}
checks:
  c: {fn: limited_check, asset: raw, resources: [store], config: {limit: 3}}
""")
    compiled = compile_spec(str(spec))
    [check] = compiled.definitions.asset_checks
    assert check.op.required_resource_keys == {"store"}
    clean = next(a for a in compiled.definitions.assets if a.op.name == "clean")
    mapping = clean.input_specs["raw"].partition_mapping
    assert (mapping.start_offset, mapping.end_offset) == (-10000, 2)
    assert compiled.run_config["ops"]["raw_c"] == {"config": {"limit": 3}}


DECORATED_FUNCS = '''from specrun import asset


def raw():
    return 2


def scale():
    return 100


@asset(tags={"team": "data", "tier": "1"}, metadata={"owner": "ana", "rows": 3}, description="from the decorator",
       compute_kind="pandas", owners=["ana@example.com"])
def tagged(raw):
    return raw


def scaled(raw, scale=3):
    return raw * scale


def split_scaled(raw, scale=3):
    return raw, raw * scale
'''


def _compile_decorated(tmp_path, assets: str, module: str = "resolve_decorated_funcs",
                       source: str = DECORATED_FUNCS):
    """Compile a spec of `assets:` lines whose functions come from `source` (as `module`)."""
    (tmp_path / f"{module}.py").write_text(source)
    spec = tmp_path / "p.yaml"
    spec.write_text(f"specrun: 1\nname: t\nmodule: {module}\nassets:\n" + assets)
    return compile_spec(str(spec))


def test_a_decorated_asset_as_fn_keeps_the_decorators_tags_metadata_description_kind_and_owners(tmp_path):
    compiled = _compile_decorated(tmp_path, "  raw: {fn: raw}\n  tagged: {fn: tagged}\n")
    tagged = next(a for a in compiled.definitions.assets if a.op.name == "tagged")
    assert (tagged.tags, {k: v.value for k, v in tagged.metadata.items()}, tagged.description,
            tagged.compute_kind, tagged.owners) == (
        {"team": "data", "tier": "1"}, {"owner": "ana", "rows": 3}, "from the decorator", "pandas",
        ("ana@example.com",))


def test_a_spec_entry_overrides_the_decorators_tags_metadata_description_and_kind_key_by_key(tmp_path):
    compiled = _compile_decorated(tmp_path, "  raw: {fn: raw}\n  tagged: {fn: tagged, tags: {tier: 2}, "
                                            "metadata: {rows: 4}, description: mine, compute_kind: spark}\n")
    tagged = next(a for a in compiled.definitions.assets if a.op.name == "tagged")
    assert (tagged.tags, {k: v.value for k, v in tagged.metadata.items()}, tagged.description,
            tagged.compute_kind) == ({"team": "data", "tier": "2"}, {"owner": "ana", "rows": 4}, "mine", "spark")


def _materialized(compiled) -> dict[str, object]:
    from specrun import materialize_to_memory

    result = materialize_to_memory(compiled.definitions.assets)
    assert result.success
    return {a.op.name: result.output_for_node(a.op.name) for a in compiled.definitions.assets}


def test_a_parameter_with_a_default_and_no_asset_of_its_name_takes_the_default(tmp_path):
    # was an input on a phantom asset 'scale': compiled, then the run failed with "no stored value for scale"
    compiled = _compile_decorated(tmp_path, "  raw: {fn: raw}\n  scaled: {fn: scaled}\n")
    scaled = next(a for a in compiled.definitions.assets if a.op.name == "scaled")
    assert dict(scaled.input_keys) == {"raw": AssetKey(["raw"])}
    assert sorted(compiled.graph_data.nodes) == ["raw", "scaled"]
    assert _materialized(compiled) == {"raw": 2, "scaled": 6}


@pytest.mark.parametrize("assets", [
    "  raw: {fn: raw}\n  scale: {fn: scale}\n  scaled: {fn: scaled}\n",  # by name, as Dagster infers it
    "  raw: {fn: raw}\n  factor: {fn: scale}\n  scaled: {fn: scaled, ins: {scale: factor}}\n",
])
def test_a_parameter_with_a_default_is_an_input_of_the_asset_of_its_name_or_of_ins(tmp_path, assets):
    compiled = _compile_decorated(tmp_path, assets)
    upstream = "factor" if "factor" in assets else "scale"
    scaled = next(a for a in compiled.definitions.assets if a.op.name == "scaled")
    assert dict(scaled.input_keys) == {"raw": AssetKey(["raw"]), "scale": AssetKey([upstream])}
    assert _materialized(compiled) == {"raw": 2, upstream: 100, "scaled": 200}


def test_a_multi_asset_parameter_with_a_default_and_no_asset_of_its_name_takes_the_default(tmp_path):
    from specrun import materialize_to_memory

    compiled = _compile_decorated(tmp_path, "  raw: {fn: raw}\n  pair: {fn: split_scaled, outs: {l: ~, r: ~}}\n")
    pair = next(a for a in compiled.definitions.assets if a.op.name == "pair")
    assert dict(pair.input_keys) == {"raw": AssetKey(["raw"])}
    result = materialize_to_memory(compiled.definitions.assets)
    assert (result.output_for_node("pair", "l"), result.output_for_node("pair", "r")) == (2, 6)


CARRIED_FUNCS = '''from specrun import AssetIn, AssetOut, asset, multi_asset


def first():
    return 1


def other():
    return 10


@asset(ins={"up": AssetIn("first")})
def reads_first(up):
    return up + 1


@asset(deps=["other"])
def after_other():
    return 2


@asset(ins={"up": AssetIn("frist")}, deps=["nothere"])
def misnamed(up):
    return up


@multi_asset(outs={"x": AssetOut(), "y": AssetOut()})
def pair():
    return 1, 2
'''


def _compile_carried(tmp_path, assets: str):
    return _compile_decorated(tmp_path, assets, "resolve_carried_funcs", CARRIED_FUNCS)


def test_a_decorated_assets_own_inputs_and_deps_are_kept_and_order_its_step(tmp_path):
    # were dropped: `up` was looked up as an asset named 'up', and after_other could run before other
    compiled = _compile_carried(tmp_path, "  after_other: {fn: after_other}\n  reads_first: {fn: reads_first}\n"
                                          "  first: {fn: first}\n  other: {fn: other}\n")
    by_name = {a.op.name: a for a in compiled.definitions.assets}
    assert dict(by_name["reads_first"].input_keys) == {"up": AssetKey(["first"])}
    assert by_name["after_other"].deps == (AssetKey(["other"]),)
    assert sorted(compiled.graph_data.edges) == [("first", "reads_first"), ("other", "after_other")]
    assert _materialized(compiled) == {"after_other": 2, "reads_first": 2, "first": 1, "other": 10}


def test_a_spec_entrys_ins_win_over_the_decorators(tmp_path):
    compiled = _compile_carried(tmp_path, "  reads_first: {fn: reads_first, ins: {up: other}}\n"
                                          "  first: {fn: first}\n  other: {fn: other}\n")
    reads = next(a for a in compiled.definitions.assets if a.op.name == "reads_first")
    assert dict(reads.input_keys) == {"up": AssetKey(["other"])}


def test_a_decorators_input_or_dep_on_an_asset_the_spec_lacks_is_an_error_at_fn(tmp_path):
    with pytest.raises(SpecErrors) as caught:
        _compile_carried(tmp_path, "  first: {fn: first}\n  misnamed: {fn: misnamed}\n")
    found = [(e.location.line, e.location.col, e.message, e.hint) for e in caught.value.errors]
    assert found == [
        (6, 18, "asset 'misnamed': the decorator of 'misnamed' reads 'frist' as 'up', which is not an asset "
                "of this spec", "did you mean 'first'?"),
        (6, 18, "asset 'misnamed': the decorator of 'misnamed' depends on 'nothere', which is not an asset "
                "of this spec", "add an asset 'nothere' to `assets:`")]


def test_an_entry_naming_a_decorated_multi_asset_must_list_its_outs(tmp_path):
    with pytest.raises(SpecErrors) as caught:
        _compile_carried(tmp_path, "  pair: {fn: pair}\n")
    [error] = caught.value.errors
    assert (error.location.line, error.location.col, error.message, error.hint) == (
        5, 14, "asset 'pair': 'pair' is a @multi_asset producing 'x', 'y': an entry naming it lists them "
               "under `outs:`", "outs: {x: {}, y: {}}")
    compiled = _compile_carried(tmp_path, "  pair: {fn: pair, outs: {x: {}, y: {}}}\n")
    from specrun import materialize_to_memory

    result = materialize_to_memory(compiled.definitions.assets)
    assert (result.output_for_node("pair", "x"), result.output_for_node("pair", "y")) == (1, 2)


def _definition_fields(made):
    """An asset's fields by name, its op's in place of the op (definitions compare by identity)."""
    import dataclasses

    values = {f.name: getattr(made, f.name) for f in dataclasses.fields(made)}
    values["op"] = {f.name: getattr(made.op, f.name) for f in dataclasses.fields(made.op)}
    return values


def test_a_chain_of_entries_of_one_function_resolves_to_the_assets_asset_makes_one_by_one(tmp_path):
    """Entries of plain functions share what their assets take from the function (made once):
    each asset still equals, field by field, the one `asset()` makes of its function alone."""
    import importlib

    from specrun import AssetIn, asset

    (tmp_path / "chain_funcs.py").write_text(
        "def first():\n    return 1\n\n\ndef nxt(up):\n    '''Next.'''\n    return up + 1\n")
    lines = ["specrun: 1", "name: chain", "module: chain_funcs", "assets:", "  a0: {fn: first}",
             "  a1: {fn: nxt, ins: {up: a0}}", "  a2: {fn: nxt, ins: {up: a1}, tags: {t: x}}",
             "  a3: {fn: nxt, ins: {up: a2}, key_prefix: [p]}", "  a4: {fn: nxt, ins: {up: a3}, deps: [a0]}",
             "  up: {fn: first}", "  a5: {fn: nxt}", "  a6: {fn: nxt, ins: {up: a5}, group: g}"]
    spec = tmp_path / "p.yaml"
    spec.write_text("\n".join(lines) + "\n")
    compiled = compile_spec(str(spec))
    funcs = importlib.import_module("chain_funcs")
    expected = {
        "a0": asset(funcs.first, name="a0"), "up": asset(funcs.first, name="up"),
        "a1": asset(funcs.nxt, name="a1", ins={"up": AssetIn(key=AssetKey("a0"))}),
        "a2": asset(funcs.nxt, name="a2", ins={"up": AssetIn(key=AssetKey("a1"))}, tags={"t": "x"}),
        "p/a3": asset(funcs.nxt, name="a3", key_prefix=["p"], ins={"up": AssetIn(key=AssetKey("a2"))}),
        "a4": asset(funcs.nxt, name="a4", ins={"up": AssetIn(key=AssetKey(["p", "a3"]))}, deps=[AssetKey("a0")]),
        "a5": asset(funcs.nxt, name="a5", ins={"up": AssetIn(key=AssetKey("up"))}),
        "a6": asset(funcs.nxt, name="a6", ins={"up": AssetIn(key=AssetKey("a5"))}, group_name="g"),
    }
    made = {a.key.to_user_string(): a for a in compiled.definitions.assets}
    assert sorted(made) == sorted(expected)
    for name, alone in expected.items():
        assert _definition_fields(made[name]) == _definition_fields(alone), name
    assert made["a1"].op.signature is made["a5"].op.signature and made["a1"].op.description == "Next."
    assert made["a1"].op.ins is not made["a5"].op.ins and made["a1"].op.tags is not made["a5"].op.tags


def test_entries_naming_one_function_check_it_once_and_see_it_rebound_by_a_later_import(tmp_path, monkeypatch):
    """`_step_function`'s answer for a `fn:` is kept for the entries after, while the module still
    holds the same object under that name: a module imported later that rebinds it is seen."""
    from specrun.compiler import resolve

    (tmp_path / "first_funcs.py").write_text("def f():\n    return 1\n")
    (tmp_path / "rebinding_funcs.py").write_text(
        "import first_funcs\n\n\ndef g():\n    return 2\n\n\nfirst_funcs.f = g\n")
    read = []
    real = resolve.read_signature
    monkeypatch.setattr(resolve, "read_signature", lambda fn, what: read.append(what) or real(fn, what))
    spec = tmp_path / "p.yaml"
    spec.write_text("specrun: 1\nname: t\nassets:\n  a: {fn: 'first_funcs:f'}\n  b: {fn: 'first_funcs:f'}\n"
                    "  c: {fn: 'rebinding_funcs:g'}\n  d: {fn: 'first_funcs:f'}\n  e: {fn: 'first_funcs:f'}\n")
    made = {a.key.to_user_string(): a.op.compute_fn.__name__ for a in compile_spec(str(spec)).definitions.assets}
    assert made == {"a": "f", "b": "f", "c": "g", "d": "g", "e": "g"}
    assert read == ["asset 'a'", "asset 'c'", "asset 'd'"]
