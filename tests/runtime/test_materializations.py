"""The ASSET_MATERIALIZATION events a run records, and the facts behind their version tags."""

import hashlib
import json
import pickle

from specrun import AssetMaterialization, MaterializeResult, asset, materialize_to_memory, Config
from specrun.runtime import versioning as v


@asset
def up():
    return 1


@asset(metadata={"owner": "me"})
def down(up):
    return MaterializeResult(metadata={"rows": 3})


class Rows(Config):
    rows: int = 5


@asset
def configured(config: Rows):
    return config.rows


def _materializations(result):
    return {e.asset_key.to_user_string(): e.event_specific_data
            for e in result.get_asset_materialization_events()}


def test_the_recorded_materialization_equals_one_made_by_its_class():
    mats = _materializations(materialize_to_memory([up, down]))
    for mat in mats.values():
        made = AssetMaterialization(mat.asset_key, mat.description, dict(mat.metadata), mat.partition,
                                    dict(mat.tags))
        assert made == mat and vars(made) == vars(mat)
        assert list(vars(made)) == list(vars(mat))  # the fields in __init__'s order
        assert pickle.loads(pickle.dumps(mat)) == made and repr(mat) == repr(made)
    assert mats["down"].metadata["rows"].value == 3


def test_the_version_facts_of_a_job_are_the_same_on_every_run_and_config_still_counts():
    assets = [up, configured]
    first = _materializations(materialize_to_memory(assets))
    second = _materializations(materialize_to_memory(assets))
    other = _materializations(materialize_to_memory(
        assets, run_config={"ops": {"configured": {"config": {"rows": 6}}}}))
    for name in ("up", "configured"):
        tags = first[name].tags
        assert tags[v.CODE_VERSION_TAG] == second[name].tags[v.CODE_VERSION_TAG]
        assert tags[v.DATA_VERSION_TAG] != second[name].tags[v.DATA_VERSION_TAG]
    assert first["up"].tags[v.CONFIG_HASH_TAG] == "none" and v.CONFIG_TAG not in first["up"].tags
    assert first["configured"].tags[v.CONFIG_HASH_TAG] == second["configured"].tags[v.CONFIG_HASH_TAG]
    assert other["configured"].tags[v.CONFIG_HASH_TAG] != first["configured"].tags[v.CONFIG_HASH_TAG]
    assert other["configured"].tags[v.CONFIG_TAG] == '{"rows": 6}'
    assert other["up"].tags[v.CONFIG_HASH_TAG] == "none"
    assert first["up"].tags[v.CODE_PARTS_TAG] == v.code_parts_text(up.op)


@asset
def other():
    return 2


@asset
def both(up, other):
    return up + other


@asset
def given(both):
    return MaterializeResult(value=both, data_version="user \u00e9 \"v\"")


def _json_data_version(code, cfg, inputs, partition, run_id):
    """The data version as it was first written: the hash of `json.dumps` of its parts."""
    text = json.dumps([code, cfg, sorted(inputs.items()), partition, run_id])
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def test_every_recorded_version_is_what_the_json_of_its_parts_gives():
    result = materialize_to_memory([up, other, both, given, down])
    mats = _materializations(result)
    reads = {"up": [], "other": [], "both": ["other", "up"], "given": ["both"], "down": ["up"]}
    for name, upstream in reads.items():
        tags = mats[name].tags
        inputs = {u: mats[u].tags[v.DATA_VERSION_TAG] for u in upstream}
        assert tags[v.INPUT_DATA_VERSIONS_TAG] == json.dumps(inputs, sort_keys=True)
        if name != "given":
            assert tags[v.DATA_VERSION_TAG] == _json_data_version(
                tags[v.CODE_VERSION_TAG], "none", inputs, None, result.run_id)
    assert mats["given"].tags[v.DATA_VERSION_TAG] == "user \u00e9 \"v\""


@asset(deps=[up])
def after():
    return 4


def test_an_asset_reading_one_upstream_asset_takes_the_one_input_path_with_the_json_texts(monkeypatch):
    taken = []
    general = v.one_input_version_and_text

    def counted(head, lead, upstream, run_id):
        taken.append(upstream)
        return general(head, lead, upstream, run_id)

    monkeypatch.setattr(v, "one_input_version_and_text", counted)
    result = materialize_to_memory([up, other, both, given, down, after])
    mats = _materializations(result)
    # down (an input) and after (a plain dep) read one asset; given has the user's version
    assert sorted(taken) == [mats["up"].tags[v.DATA_VERSION_TAG]] * 2
    for name in ("down", "after"):
        tags = mats[name].tags
        inputs = {"up": mats["up"].tags[v.DATA_VERSION_TAG]}
        assert tags[v.INPUT_DATA_VERSIONS_TAG] == json.dumps(inputs)
        assert tags[v.DATA_VERSION_TAG] == _json_data_version(
            tags[v.CODE_VERSION_TAG], "none", inputs, None, result.run_id)
        assert list(tags) == [v.CODE_VERSION_TAG, v.CONFIG_HASH_TAG, v.DATA_VERSION_TAG,
                              v.INPUT_DATA_VERSIONS_TAG, v.CODE_PARTS_TAG]
    # the general path (taken when a part is not a string) gives the same tags, in the same
    # order (the versions aside: a new run)
    def not_a_string(*parts):
        taken.append(parts)
        raise TypeError("not a string")

    monkeypatch.setattr(v, "one_input_version_and_text", not_a_string)
    again = _materializations(materialize_to_memory([up, other, both, given, down, after]))
    assert len(taken) == 4
    for name in ("down", "after"):
        first, second = dict(mats[name].tags), dict(again[name].tags)
        assert list(first) == list(second)
        first.pop(v.DATA_VERSION_TAG), second.pop(v.DATA_VERSION_TAG)
        upstream = {"up": again["up"].tags[v.DATA_VERSION_TAG]}
        assert second.pop(v.INPUT_DATA_VERSIONS_TAG) == json.dumps(upstream)
        first.pop(v.INPUT_DATA_VERSIONS_TAG)
        assert first == second


class _Run:
    """What `AssetVersionFacts` reads of a run: its job and each node's config."""

    def __init__(self, job, config):
        self.job, self._config = job, config

    def node_config(self, node):
        return self._config, None


def test_the_facts_of_an_asset_without_config_hold_what_the_per_job_fixed_facts_hold():
    """Without config an asset's facts are worked out straight (the job keeps them); with
    config their fixed part comes from the job's table: both hold the same code version,
    inputs, message and code parts, as the version functions give them."""
    from specrun.runtime import materializations as m
    from specrun.runtime.definitions.jobs import build_asset_job

    job = build_asset_job("facts", [up, other, both, given, down, after, configured])
    for node in job.nodes.values():
        key = node.asset.key
        plain, configured_facts = m.asset_version_facts(_Run(job, None), node, key), \
            m.asset_version_facts(_Run(job, {"rows": 6}), node, key)
        code_parts = v.code_parts_text(node.op_def, node.asset.code_version)
        for facts in (plain, configured_facts):
            assert facts.code_version == v.asset_code_version(node.op_def, node.asset)
            assert facts.message == f"Materialized value {key.to_user_string()}"
            assert m.read_inputs(facts) == tuple(sorted(  # (by label, in their order when equal)
                [(n, k, k.to_user_string()) for n, k in node.asset.input_keys.items()]
                + [(None, k, k.to_user_string()) for k in node.asset.deps], key=lambda i: i[2]))
            assert facts.explain_tags[v.CODE_PARTS_TAG] == code_parts
        assert plain.config_hash == "none" and plain.explain_tags == {v.CODE_PARTS_TAG: code_parts}
        assert plain.version_prefix == v.version_text_prefix(plain.code_version, "none")
        assert configured_facts.config_hash == v.config_hash({"rows": 6})
        assert configured_facts.explain_tags[v.CONFIG_TAG] == '{"rows": 6}'
        one = plain.one_input
        if len(m.read_inputs(plain)) == 1:  # (kept once: in `one_input`, not in `inputs` too)
            if node.asset.input_keys and not node.asset.deps:  # (one input: no second tuple)
                assert plain.inputs is None and configured_facts.inputs is not None
            name, upstream, label = m.read_inputs(plain)[0]
            assert one == (name, (upstream, None), *v.one_input_text_parts(plain.version_prefix, label))
            assert one[2].endswith(f"[{json.dumps(label)}, ") and one[3] == f"{{{json.dumps(label)}: "
        else:
            assert one is None


def test_materialize_refuses_what_is_not_an_asset_and_runs_assets_specs_and_checks():
    """`materialize` and `materialize_to_memory` split what they are given once: assets,
    asset specs and checks run; anything else is refused, naming it."""
    import pytest

    from specrun import AssetCheckResult, AssetSpec, asset_check, materialize
    from specrun.errors import InvariantViolationError
    from specrun.runtime.io_managers import mem_io_manager

    @asset_check(asset=up)
    def positive(up):
        return AssetCheckResult(passed=up > 0)

    source = AssetSpec("elsewhere")
    for run in (materialize_to_memory,
                lambda a: materialize(a, resources={"io_manager": mem_io_manager})):
        result = run([up, source, positive])
        assert result.success
        assert [e.asset_key.to_user_string() for e in result.get_asset_materialization_events()] == ["up"]
        assert [e.event_specific_data.check_name for e in result.all_events
                if e.event_type_value == "ASSET_CHECK_EVALUATION"] == ["positive"]
        with pytest.raises(InvariantViolationError, match="takes asset definitions .* got 3"):
            run([up, 3])


def test_a_partitioned_asset_run_without_a_partition_is_refused_on_every_run():
    """Which assets are partitioned is worked out once per job; every run is still refused."""
    import pytest

    from specrun import StaticPartitionsDefinition
    from specrun.errors import InvariantViolationError

    @asset(partitions_def=StaticPartitionsDefinition(["a", "b"]))
    def parts():
        return 1

    for _ in range(2):
        with pytest.raises(InvariantViolationError, match="parts is partitioned: pass partition_key="):
            materialize_to_memory([up, parts])
    assert materialize_to_memory([up, parts], partition_key="a").success


def test_the_facts_of_an_asset_without_config_are_the_general_functions_facts():
    """`AssetVersionFacts` of an asset run without config (`facts_without_config`: one
    pass, one input inlined) holds exactly what `_facts_of`, `version_text_prefix` and
    `_one_input` give: one input, two, none, a plain dep, an input and a dep, an explicit code
    version, a template's hash, a label to escape, each asset of a multi-asset."""
    from specrun import AssetIn, AssetOut, multi_asset
    from specrun.runtime import materializations as m
    from specrun.runtime.definitions.jobs import build_asset_job

    @asset(code_version="v \u00e9 1")
    def pinned(up):
        return up

    @asset(tags={v.TEMPLATE_HASH_TAG: "t1"}, deps=[other])
    def templated(up):
        return up

    @asset(ins={"x": AssetIn('we"ird/\u00e9\u2028')})
    def escaped(x):
        return x

    @asset(key=['we"ird', '\u00e9\u2028'])
    def weird():
        return 0

    @multi_asset(outs={"m1": AssetOut(), "m2": AssetOut()})
    def pair(up):
        return up, up

    job = build_asset_job("facts", [up, other, both, given, down, after, pinned, templated, escaped,
                                    weird, pair])
    seen = set()
    for node in job.nodes.values():
        for key in node.asset.keys:
            facts = m.asset_version_facts(_Run(job, None), node, key)
            code, _, inputs, message, explain = m._facts_of(node, key)
            prefix = v.version_text_prefix(code, "none")
            assert (facts.asset_key, facts.code_version, facts.config_hash, m.read_inputs(facts),
                    facts.message, facts.explain_tags, facts.version_prefix, facts.one_input) == \
                (key, code, "none", inputs, message, explain, prefix, m._one_input(inputs, prefix))
            seen.add((len(inputs), facts.one_input is not None))
            made = m.facts_without_config(node, key)  # (the caller has read the config)
            assert made.__class__ is m.AssetVersionFacts
            assert [getattr(made, s) for s in m.AssetVersionFacts.__slots__] == \
                [getattr(facts, s) for s in m.AssetVersionFacts.__slots__]
            if node.asset.code_version:
                assert facts.code_version == "v \u00e9 1" and facts.explain_tags == {}
    assert seen == {(0, False), (1, True), (2, False)}
    escaped_facts = m.asset_version_facts(_Run(job, None), job.nodes["escaped"], job.nodes["escaped"].asset.key)
    assert escaped_facts.one_input[3] == "{" + json.dumps('we"ird/\u00e9\u2028') + ": "


def test_assets_of_one_code_share_their_explain_tags_and_version_prefix_and_keep_their_values():
    """The facts of a factory's assets, made in a row, share the explain tags and version
    prefix of their one code version (only read, as `version_tags` unpacks the tags); an
    asset of other code has its own, and every value is still the general path's."""
    from specrun.runtime import materializations as m
    from specrun.runtime.definitions.jobs import build_asset_job

    def made(i):
        @asset(name=f"copy_{i}")
        def copy():  # (one code, no closure: as the assets of a factory often are)
            return 1
        return copy

    @asset
    def different():
        return 0

    copies = [made(i) for i in range(3)]
    job = build_asset_job("shared", [*copies, different])
    facts = {n.name: m.facts_without_config(n, n.asset.key) for n in job.nodes.values()}
    first, *rest = [facts[f"copy_{i}"] for i in range(3)]
    assert all(f.explain_tags is first.explain_tags and f.version_prefix is first.version_prefix
               for f in rest)
    assert facts["different"].explain_tags is not first.explain_tags
    assert facts["different"].explain_tags != first.explain_tags
    for node in job.nodes.values():
        code, _, _, _, explain = m._facts_of(node, node.asset.key)
        assert facts[node.name].explain_tags == explain
        assert facts[node.name].version_prefix == v.version_text_prefix(code, "none")


def test_each_asset_s_code_version_is_asked_of_code_version_which_answers_a_factory_s_next_from_its_last(monkeypatch):
    """Each asset's code version is asked of `code_version` (which keeps whether it may be
    reused: see tests/runtime/test_code_version.py); the assets of one code, made in a row,
    get the answer it gave last, and each gets the general path's version."""
    from specrun.runtime import code_version, materializations as m
    from specrun.runtime.definitions.jobs import build_asset_job

    def made(i):
        @asset(name=f"copy_{i}")
        def copy():
            return 1
        return copy

    @asset
    def different():
        return 0

    three = 3

    @asset
    def closed():
        return three

    job = build_asset_job("asked", [*[made(i) for i in range(4)], different, closed])
    asked = []
    ask = m.function_version_and_parts_text
    monkeypatch.setattr(m, "function_version_and_parts_text",
                        lambda fn, checked=None: asked.append(fn.__name__) or ask(fn, checked))
    monkeypatch.setattr(code_version, "LAST_PLAIN", (None,) * 7, raising=False)
    answers = []
    for name in ["copy_0", "copy_1", "copy_2", "copy_3", "different", "closed", "copy_1"]:
        node = job.nodes[name]
        facts = m.facts_without_config(node, node.asset.key)
        answers.append(facts.code_version)
        assert (facts.code_version, facts.explain_tags[v.CODE_PARTS_TAG]) == \
            code_version.version_and_parts_text(node.op_def.compute_fn)
    assert asked == ["copy", "copy", "copy", "copy", "different", "closed", "copy"]
    assert answers[1] is answers[0] and answers[3] is answers[2]  # (the last answer, given again)


def test_version_tags_are_a_copy_of_the_facts_fixed_tags_which_stay_as_made():
    """The tags of a materialization are its facts' fixed tags (code version, config hash, the
    two a run works out as None, the explain tags, in the tags' order) copied with those two
    set: every path gives the same keys in the same order, and the fixed tags, shared by the
    assets of one code, are never changed by a run."""
    from specrun.runtime import materializations as m
    from specrun.runtime.definitions.jobs import build_asset_job

    job = build_asset_job("fixed", [up, other, both, given, down, after])
    facts = {n.name: m.facts_without_config(n, n.asset.key) for n in job.nodes.values()}
    for name, f in facts.items():
        assert f.fixed_tags == {v.CODE_VERSION_TAG: f.code_version, v.CONFIG_HASH_TAG: "none",
                                v.DATA_VERSION_TAG: None, v.INPUT_DATA_VERSIONS_TAG: None,
                                **f.explain_tags}
    made = {name: dict(f.fixed_tags) for name, f in facts.items()}
    mats = _materializations(materialize_to_memory([up, other, both, given, down, after]))
    for name, f in facts.items():
        assert f.fixed_tags == made[name]  # (unchanged by the run)
        tags = mats[name].tags
        assert list(tags) == list(made[name]) and tags is not f.fixed_tags
        assert {k: t for k, t in tags.items() if made[name][k] is not None} == \
            {k: t for k, t in made[name].items() if t is not None}
    # one input (down, after), two (both), none (up, other), the user's version (given)
    assert mats["given"].tags[v.DATA_VERSION_TAG] == "user \u00e9 \"v\""
    assert mats["both"].tags[v.INPUT_DATA_VERSIONS_TAG] == json.dumps(
        {"other": mats["other"].tags[v.DATA_VERSION_TAG], "up": mats["up"].tags[v.DATA_VERSION_TAG]})


def test_an_unpartitioned_materialization_is_recorded_and_read_under_keys_its_facts_made_once():
    """`materialization` records the data version of an unpartitioned step in
    `run.data_versions` under its facts' `version_key` itself, and `version_tags` of an
    asset that reads one upstream asset looks it up under the key its facts hold (both
    `(asset key, None)`, made with the facts, not a new tuple a step)."""
    from types import SimpleNamespace
    from specrun.runtime import materializations as m
    from specrun.runtime.definitions.jobs import build_asset_job

    class Reads(dict):
        def get(self, key, default=None):
            asked.append(key)
            return super().get(key, default)

    asked: list = []
    job = build_asset_job("keys", [up, after])
    first, second = job.nodes["up"], job.nodes["after"]
    made = m.facts_without_config(first, first.asset.key)
    reads = m.facts_without_config(second, second.asset.key)
    assert made.version_key == (first.asset.key, None) and reads.one_input[1] == made.version_key
    run = SimpleNamespace(data_versions=Reads(), run_id="r1", job_name="keys")
    tags = m.version_tags(run, SimpleNamespace(node=first, partition_key=None, key="up"), made)
    m.materialization(run, SimpleNamespace(node=first, partition_key=None, key="up"), made, {}, tags)
    assert [k for k in run.data_versions] == [made.version_key]
    assert next(iter(run.data_versions)) is made.version_key
    after_tags = m.version_tags(run, SimpleNamespace(node=second, partition_key=None, key="after"), reads)
    assert len(asked) == 1 and asked[0] is reads.one_input[1]
    assert after_tags[v.INPUT_DATA_VERSIONS_TAG] == json.dumps({"up": tags[v.DATA_VERSION_TAG]})
    assert after_tags[v.DATA_VERSION_TAG] == _json_data_version(
        after_tags[v.CODE_VERSION_TAG], "none", {"up": tags[v.DATA_VERSION_TAG]}, None, "r1")


def test_an_asset_reading_one_asset_gets_its_one_input_texts_whatever_its_key_and_code_version():
    """`facts_without_config` makes the one-input texts of every asset that reads one upstream
    asset and nothing else: its label is a str even for a key of a str subclass (joined), its
    version text prefix a str even for a code version that is not one (JSON), so neither is
    tested; the texts are `_one_input`'s of the general path."""
    from specrun import AssetIn, AssetKey
    from specrun.runtime import materializations as m
    from specrun.runtime.definitions.jobs import build_asset_job

    class Part(str):
        pass

    sub = AssetKey(Part("part_of_a_str_subclass"))  # (one text: kept as it is, in the path)

    @asset(key=sub)
    def source():
        return 1

    @asset(code_version=7, ins={"x": AssetIn(sub)})
    def numbered(x):
        return x

    @asset(code_version=Part("v1"), ins={"x": AssetIn("numbered")})
    def subclassed(x):
        return x

    job = build_asset_job("one_input", [source, numbered, subclassed])
    for name in ("numbered", "subclassed"):
        node = job.nodes[name]
        facts = m.facts_without_config(node, node.asset.key)
        code, _, inputs, _, _ = m._facts_of(node, node.asset.key)
        assert inputs[0][2].__class__ is str and facts.version_prefix.__class__ is str
        assert m.read_inputs(facts) == inputs and facts.inputs is None
        assert facts.one_input == m._one_input(inputs, v.version_text_prefix(code, "none"))
        assert facts.one_input[2:] == v.one_input_text_parts(facts.version_prefix, inputs[0][2])
    assert job.nodes["numbered"].asset.code_version == 7
    assert job.nodes["numbered"].asset.input_keys["x"].path[0].__class__ is Part


def test_an_assets_facts_share_its_keys_tuples_instead_of_making_their_own():
    """The plan's facts of an asset hold its key's `parts` (the key its value is stored under)
    and `unpartitioned` (its data version's key), and the one-input facts its upstream key's:
    the same objects for every asset that asks, not a tuple each."""
    from specrun.runtime import materializations as m
    from specrun.runtime.definitions.jobs import build_asset_job
    from specrun.runtime.keyed_io import output_key
    from specrun.runtime.step_recipe import JobProgram, new_output_facts

    job = build_asset_job("shared", [up, after])
    first, second = job.nodes["up"], job.nodes["after"]
    facts = new_output_facts(JobProgram(job), second, "result")
    m_facts = m.facts_without_config(second, second.asset.key, facts)
    assert facts.store_key is second.asset.key.parts == ("after",)
    assert m_facts.version_key is second.asset.key.unpartitioned == (second.asset.key, None)
    assert m_facts.one_input[1] is first.asset.key.unpartitioned
    assert output_key(first.asset.key, "r", "up", "result") is first.asset.key.parts


def test_the_versions_of_several_upstream_assets_are_read_under_their_keys_own_tuples():
    """An asset that reads several upstream assets (a fan-in's join) looks each one's data
    version up in `run.data_versions` under its key's `unpartitioned`, the tuple its
    materialization was recorded under: found by identity, not a new tuple an input."""
    from types import SimpleNamespace
    from specrun.runtime import materializations as m
    from specrun.runtime.definitions.jobs import build_asset_job

    class Reads(dict):
        def get(self, key, default=None):
            asked.append(key)
            return super().get(key, default)

    @asset
    def b_up():
        return 2

    @asset
    def both(b_up, up):
        return b_up + up

    asked: list = []
    job = build_asset_job("several", [up, b_up, both])
    node = job.nodes["both"]
    facts = m.facts_without_config(node, node.asset.key)
    keys = [job.nodes[name].asset.key for name in ("b_up", "up")]
    run = SimpleNamespace(data_versions=Reads({k.unpartitioned: f"v{i}" for i, k in enumerate(keys)}))
    assert list(m._versions_read(run, facts)) == [("b_up", "v0"), ("up", "v1")]
    assert [k for k in asked] == [k.unpartitioned for k in keys]
    assert all(a is k.unpartitioned for a, k in zip(asked, keys))
    asked.clear()
    step = SimpleNamespace(node=node, partition_key=None, inputs={}, key="both")
    assert m.input_data_versions(run, step, facts) == {"b_up": "v0", "up": "v1"}
    assert all(a is k.unpartitioned for a, k in zip(asked, keys)) and len(asked) == 2


def test_a_root_asset_reads_no_upstream_and_its_facts_hold_the_empty_tuple():
    """An asset with no input and no dep reads nothing: `_read_assets` gives the empty tuple
    at once (a fan-in's 9,999 roots make no list to sort), and its facts hold that tuple and no
    one-input texts, as for any asset `read_inputs` gives () for."""
    from specrun.runtime import materializations as m
    from specrun.runtime.definitions.jobs import build_asset_job

    @asset(deps=[up])
    def only_dep():
        return 2

    job = build_asset_job("roots", [up, only_dep])
    root, dep = job.nodes["up"], job.nodes["only_dep"]
    assert m._read_assets(root.asset) is () and m._read_assets(dep.asset) == ((None, up.key, "up"),)
    facts = m.facts_without_config(root, root.asset.key)
    assert facts.inputs is () and m.read_inputs(facts) == () and facts.one_input is None
    dep_facts = m.facts_without_config(dep, dep.asset.key)
    assert m.read_inputs(dep_facts) == ((None, up.key, "up"),) and dep_facts.one_input is not None


def test_an_assets_version_facts_hold_the_description_its_materializations_record():
    """`materialization` reads the asset's description from the version facts (the step's
    node is not read): both makers set it, with config and without."""
    from specrun.runtime import materializations as m
    from specrun.runtime.definitions.jobs import build_asset_job

    @asset(description="counted rows")
    def described(config: Rows):
        return config.rows

    @asset(description="after them")
    def after_described(described):
        return described

    runs = [materialize_to_memory([described, after_described]),
            materialize_to_memory([described, after_described],
                                  run_config={"ops": {"described": {"config": {"rows": 2}}}})]
    for result in runs:
        assert {name: mat.description for name, mat in _materializations(result).items()} == {
            "described": "counted rows", "after_described": "after them"}
    job = build_asset_job("described", [described, after_described])
    node = job.nodes["after_described"]
    assert m.facts_without_config(node, after_described.key).description == "after them"
    configured_run = runs[1]._ctx
    made = m.asset_version_facts(configured_run, configured_run.job.nodes["described"], described.key)
    assert made.description == "counted rows" and made.config_hash != "none"
