"""build_asset_job: the job's nodes, whatever way the same selection is given."""

from specrun import AssetSelection, AssetSpec, asset, asset_check, AssetCheckResult
from specrun.runtime.definitions.jobs import build_asset_job


@asset
def raw():
    return 1


@asset
def clean(raw):
    return raw


@asset(deps=[clean])
def report():
    return 2


@asset_check(asset=clean)
def clean_ok(clean):
    return AssetCheckResult(passed=True)


@asset_check(asset="elsewhere")
def elsewhere_ok():
    return AssetCheckResult(passed=True)


def _shape(job):
    return {name: (dict(n.inputs), n.extra_deps, n.asset, n.check) for name, n in job.nodes.items()}


def test_no_selection_builds_the_same_nodes_as_selecting_all():
    assets = [raw, clean, report, AssetSpec("elsewhere")]
    checks = [clean_ok, elsewhere_ok]
    default = build_asset_job("j", assets, checks)
    everything = build_asset_job("j", assets, checks, AssetSelection.all())
    assert list(default.nodes) == list(everything.nodes)
    assert _shape(default) == _shape(everything)
    assert default.asset_defs == everything.asset_defs


def test_no_selection_runs_every_check_of_a_given_asset_and_none_of_others():
    job = build_asset_job("j", [raw, clean, report], [clean_ok, elsewhere_ok])
    checks = {n.check.name for n in job.nodes.values() if n.check is not None}
    assert checks == {"clean_ok"}
    assert job.nodes["report"].extra_deps == ("clean",)


def test_missing_resource_keys_names_each_node_s_missing_keys_in_order():
    from specrun import ConfigurableResource, job, op, success_hook

    class Db(ConfigurableResource):
        pass

    @success_hook(required_resource_keys={"pager"})
    def page(context):
        pass

    @success_hook(required_resource_keys={"audit"})
    def audited(context):
        pass

    @op(required_resource_keys={"warehouse", "cache"})
    def load():
        return 1

    @op
    def save(x, db: Db):
        return x

    @op
    def plain(x):
        return x

    @job(hooks={audited})
    def pipeline():
        plain(save.with_hooks({page})(load()))

    assert pipeline.missing_resource_keys() == [
        ("audit", "load"), ("cache", "load"), ("warehouse", "load"),
        ("audit", "save"), ("db", "save"), ("pager", "save"), ("audit", "plain")]
    assert pipeline.missing_resource_keys({"audit": 1, "cache": 1, "db": 1}) == [
        ("warehouse", "load"), ("pager", "save")]


def test_missing_resource_keys_ask_an_op_definition_subclass_for_its_own_keys():
    """Each node's op definition is asked for its keys (`all_resource_keys`): a subclass's
    own answer counts, whatever it declares."""
    import dataclasses

    from specrun import op
    from specrun.runtime.definitions.jobs import JobDefinition
    from specrun.runtime.definitions.nodes import Node
    from specrun.runtime.definitions.ops import OpDefinition

    @op
    def free():
        return 1

    class Needing(OpDefinition):
        @property
        def all_resource_keys(self):
            return frozenset({"extra"})

    needing = Needing(*[getattr(free, f.name) for f in dataclasses.fields(free)])  # (its layout: a dict more)
    assert type(free) is OpDefinition and not free.required_resource_keys
    job = JobDefinition(name="j", nodes={"free": Node("free", free, {}), "needing": Node("needing", needing, {})})
    assert job.missing_resource_keys() == [("extra", "needing")]
    assert job.missing_resource_keys({"extra": 1}) == []


def test_missing_resource_keys_of_assets_include_their_io_manager_unless_they_bring_it():
    @asset(io_manager_key="lake")
    def stored():
        return 1

    @asset(io_manager_key="lake", resource_defs={"lake": object()})
    def brought():
        return 1

    assert build_asset_job("lakes", [stored]).missing_resource_keys() == [("lake", "stored")]
    assert build_asset_job("lakes", [stored]).missing_resource_keys({"lake": 1}) == []
    assert build_asset_job("lakes", [brought]).missing_resource_keys() == []
    # (an asset's own resources become the job's: the other asset has its IO manager too)
    assert build_asset_job("lakes", [stored, brought]).missing_resource_keys() == []

    @asset(io_manager_key="lake", required_resource_keys={"db"})
    def needs_both():
        return 1

    job = build_asset_job("lakes", [needs_both])
    assert job.missing_resource_keys() == [("db", "needs_both"), ("lake", "needs_both")]
    assert job.missing_resource_keys({"db": 1}) == [("lake", "needs_both")]
    assert job.missing_resource_keys({"lake": 1}) == [("db", "needs_both")]


def test_an_asset_jobs_nodes_read_the_sources_the_general_input_source_gives():
    """`add_asset_nodes` works out an input made in the same run inline; every input of every
    node equals what `input_source` gives (a plain asset, a multi-asset's named output, a
    graph asset's output, an asset loaded from storage, one with an input manager)."""
    from specrun import AssetIn, AssetOut, AssetSpec, graph_asset, multi_asset, op
    from specrun.runtime.definitions.asset_nodes import input_source, keys_of

    @asset
    def base():
        return 1

    @multi_asset(outs={"left_out": AssetOut(key="left"), "right_out": AssetOut(key="right")})
    def split():
        return 1, 2

    @op
    def twice(x):
        return x * 2

    @graph_asset
    def doubled(base):
        return twice(base)

    @asset(ins={"managed": AssetIn("stored", input_manager_key="loader")})
    def reads_all(base, left, right, doubled, outside, managed):
        return 1

    assets = [base, split, doubled, reads_all, AssetSpec("outside"), AssetSpec("stored")]
    job = build_asset_job("mixed", assets, resource_defs={"loader": object()})
    by_key = {k: a for a in assets for k in keys_of(a)}
    computable = {k for k, a in by_key.items() if not isinstance(a, AssetSpec)}
    node = job.nodes["reads_all"]
    ins = reads_all.op.ins
    assert dict(node.inputs) == {
        n: input_source(k, by_key, computable, not getattr(ins.get(n), "input_manager_key", None))
        for n, k in reads_all.input_keys.items()}
    assert list(node.inputs) == list(reads_all.input_keys)
    assert node.inputs["left"].node == "split" and node.inputs["left"].output == "left_out"
    assert node.inputs["doubled"].node != "doubled"  # the graph's op node
    assert node.inputs["outside"].asset_key.to_user_string() == "outside"


def test_the_resources_assets_bring_become_the_jobs_and_two_definitions_of_one_key_are_refused():
    import pytest

    from specrun.errors import DefinitionError

    lake, other_lake = object(), object()

    @asset(resource_defs={"lake": lake})
    def first():
        return 1

    @asset(resource_defs={"lake": lake, "db": other_lake})
    def second():
        return 1

    @asset(resource_defs={"lake": other_lake})
    def third():
        return 1

    @asset
    def plain():
        return 1

    job = build_asset_job("brought", [plain, first, second])
    assert dict(job.resource_defs) == {"lake": lake, "db": other_lake}
    with pytest.raises(DefinitionError, match="conflicting definitions of resource 'lake': assets "
                                              "'first' and 'third' each bring their own"):
        build_asset_job("brought", [first, plain, third])


def test_the_nodes_of_an_asset_job_are_in_key_order_whatever_order_the_assets_are_given_in():
    """Nodes follow AssetKey order (by path), sorted from the order the assets are given in:
    every order of the same assets (and a selection of them) gives the same node list."""
    import itertools
    import random

    from specrun import AssetKey, multi_asset, AssetOut

    @asset(key=["b", "a"])
    def b_a(raw):
        return raw

    @asset(key=["b"])
    def b():
        return 0

    @asset(key=["a", "z"])
    def a_z():
        return 0

    @asset(key=["a_", "b"])
    def a__b():
        return 0

    @multi_asset(outs={"m2": AssetOut(), "m1": AssetOut()})
    def pair():
        return 1, 2

    made = [raw, clean, report, b_a, b, a_z, a__b, pair, AssetSpec("elsewhere")]
    by_path = sorted((k for a in made if not isinstance(a, AssetSpec) for k in a.keys),
                     key=lambda k: k.path)
    expected = list(dict.fromkeys(
        {k: a.node_name for a in made if not isinstance(a, AssetSpec) for k in a.keys}[k]
        for k in by_path))
    assert expected[:4] == ["a__z", "a___b", "b", "b__a"]  # (["a", "z"] < ["a_", "b"] < ["b"])
    orders = [list(p) for p in itertools.islice(itertools.permutations(made), 0, 5000, 97)]
    orders += [random.Random(seed).sample(made, len(made)) for seed in range(20)]
    for order in orders:
        assert list(build_asset_job("j", order).nodes) == expected
    picked = AssetSelection.keys(AssetKey(["b", "a"]), "raw", "m1", "m2")
    for order in orders[:10]:
        assert list(build_asset_job("j", order, selection=picked).nodes) == ["b__a", "pair", "raw"]


def test_a_jobs_asset_keys_are_its_nodes_selected_keys_as_a_new_set_each_time():
    """`asset_keys`, worked out once per job, is what the nodes' selected keys give, and each
    call returns a set of its own (changing one changes nothing else)."""
    from specrun import AssetKey, AssetOut, multi_asset

    @multi_asset(outs={"m1": AssetOut(), "m2": AssetOut()}, can_subset=True)
    def pair():
        return 1, 2

    for job in (build_asset_job("j", [raw, clean, report, pair], [clean_ok]),
                build_asset_job("j", [raw, clean, pair], selection=AssetSelection.keys("m2", "clean"))):
        expected = {k for n in job.nodes.values() if n.asset is not None
                    for k in n.asset.selected_asset_keys}
        first = job.asset_keys
        assert first == expected and first.__class__ is set
        first.add(AssetKey("added"))
        assert job.asset_keys == expected and job.asset_keys is not job.asset_keys
    assert expected == {AssetKey("m2"), AssetKey("clean")}


def test_an_asset_jobs_partitions_are_the_one_definition_its_partitioned_assets_share():
    from specrun import StaticPartitionsDefinition
    from specrun.runtime.definitions.asset_nodes import common_partitions_def

    days, other = StaticPartitionsDefinition(["a", "b"]), StaticPartitionsDefinition(["a", "b"])

    @asset(partitions_def=days)
    def p1():
        return 1

    @asset(partitions_def=days)
    def p2(p1):
        return p1

    @asset(partitions_def=other)
    def p3():
        return 1

    def old(by_key, keys):  # (the dict comprehension it was)
        defs = {id(by_key[k].partitions_def): by_key[k].partitions_def for k in keys
                if getattr(by_key[k], "partitions_def", None) is not None}
        return next(iter(defs.values())) if len(defs) == 1 else None

    for given, expected in (([raw, p1, p2], days), ([p1, p2, p3], None), ([raw, clean], None),
                            ([p3, raw, AssetSpec("elsewhere")], other)):
        job = build_asset_job("j", given)
        by_key = {k: a for a in given for k in getattr(a, "keys", None) or (a.key,)}
        assert job.partitions_def is expected
        assert common_partitions_def(by_key, set(by_key)) is old(by_key, set(by_key))


def test_no_selection_computes_the_given_asset_definitions_and_refuses_a_key_given_twice():
    """The keys an unselected job computes (gathered while the assets are read) are those
    of the asset definitions, multi-assets' included, not of specs; a key given twice is
    refused whether a plain asset or a multi-asset gives it again."""
    import pytest
    from specrun import AssetOut, multi_asset
    from specrun.errors import DefinitionError

    @multi_asset(outs={"m1": AssetOut(), "m2": AssetOut()})
    def pair():
        return 1, 2

    @multi_asset(outs={"raw": AssetOut(), "m3": AssetOut()})
    def again():
        return 1, 2

    assets = [AssetSpec("outside"), pair, raw, clean, AssetSpec("elsewhere"), report]
    default = build_asset_job("j", assets)
    everything = build_asset_job("j", assets, selection=AssetSelection.all())
    assert list(default.nodes) == list(everything.nodes) == ["clean", "pair", "raw", "report"]
    assert _shape(default) == _shape(everything)
    assert default.asset_keys == {raw.key, clean.key, report.key} | pair.keys
    for twice in ([raw, clean, raw], [raw, again], [again, raw], [pair, AssetSpec("m1")]):
        with pytest.raises(DefinitionError, match="is defined twice"):
            build_asset_job("j", twice)



def test_a_job_of_plain_assets_knows_its_asset_keys_and_that_no_node_takes_config_when_built(monkeypatch):
    """build_asset_job tells a job of plain assets (no multi-asset, graph asset or check) what
    every run asks of it, without the walks over its nodes; any other job walks them, and the
    answers are the walks'."""
    from specrun import Config, graph_asset, op
    from specrun.runtime import node_facts, run_config
    from specrun.runtime.definitions import jobs

    class Factor(Config):
        n: int = 2

    @asset
    def scaled(raw, config: Factor):
        return raw * config.n

    @op
    def one():
        return 1

    @graph_asset
    def from_graph():
        return one()

    walks = []
    real_keys, real_walk = jobs._computed_keys, node_facts.walk_nodes
    monkeypatch.setattr(jobs, "_computed_keys", lambda nodes: walks.append("keys") or real_keys(nodes))
    monkeypatch.setattr(node_facts, "walk_nodes", lambda nodes, hooks: walks.append("free") or real_walk(nodes, hooks))
    plain = build_asset_job("j", [raw, clean, report])
    assert plain.asset_keys == {raw.key, clean.key, report.key}
    assert run_config._all_nodes_free(plain) is True and walks == []
    # (a check node or a configured asset: the nodes are walked for config; a graph asset: both)
    for assets, checks, free, walked in (([raw, scaled], [], False, ["free"]),
                                         ([raw, clean], [clean_ok], True, ["free"]),
                                         ([raw, from_graph], [], True, ["keys", "free"])):
        walks.clear()
        job = build_asset_job("j", assets, checks)
        expected = {n.asset.key for n in job.nodes.values() if n.asset is not None}
        assert job.asset_keys == expected and run_config._all_nodes_free(job) is free
        assert walks == walked


def test_a_plain_asset_job_is_told_it_has_no_dynamic_outputs_and_what_resources_it_needs(monkeypatch):
    """build_asset_job tells a job of plain assets (each needing its IO manager only) that no
    node has dynamic outputs and which resource keys its nodes need, and works out its
    partitions and the assets' own resources without a walk: nothing missing is then known
    without a walk over the nodes; a missing key is still named (by the walk), and any other
    job is walked, with the walks' answers."""
    from specrun import DailyPartitionsDefinition, ResourceDefinition
    from specrun.runtime.definitions import asset_nodes, dynamic
    from specrun.runtime.definitions.ops import OpDefinition
    from specrun.runtime.job_cache import job_has_dynamic_outputs

    walks = []
    real_dynamic, real_resources = dynamic.has_dynamic_outputs, asset_nodes.assets_resources
    real_partitions, real_keys = asset_nodes.common_partitions_def, OpDefinition.all_resource_keys
    monkeypatch.setattr(dynamic, "has_dynamic_outputs",
                        lambda n: walks.append("dynamic") or real_dynamic(n))
    monkeypatch.setattr(asset_nodes, "assets_resources",
                        lambda a: walks.append("resources") or real_resources(a))
    monkeypatch.setattr(asset_nodes, "common_partitions_def",
                        lambda b, k: walks.append("partitions") or real_partitions(b, k))
    monkeypatch.setattr(OpDefinition, "all_resource_keys",
                        property(lambda op: walks.append("nodes") or real_keys.fget(op)))

    @asset(io_manager_key="elsewhere")
    def stored(raw):
        return raw

    plain = build_asset_job("j", [raw, stored])
    assert job_has_dynamic_outputs(plain) is False and plain.partitions_def is None
    assert plain.resource_defs == {} and walks == []
    assert plain.missing_resource_keys({"elsewhere": object()}) == [] and walks == []
    assert plain.missing_resource_keys() == [("elsewhere", "stored")] and "nodes" in walks

    daily = DailyPartitionsDefinition(start_date="2024-01-01")

    @asset(partitions_def=daily)
    def dated():
        return 1

    brings = ResourceDefinition.hardcoded_resource(3)

    @asset(required_resource_keys={"db"}, resource_defs={"db": brings})
    def reads_db(context):
        return context.resources.db

    for assets, walked in (([raw, dated], ["partitions"]),
                           ([raw, reads_db], ["resources", "nodes", "nodes"])):
        walks.clear()
        job = build_asset_job("j", assets)
        assert job_has_dynamic_outputs(job) is False and job.missing_resource_keys() == []
        assert walks == walked
    assert build_asset_job("j", [raw, dated]).partitions_def is daily
    assert build_asset_job("j", [raw, reads_db]).resource_defs == {"db": brings}


def test_a_job_of_unpartitioned_plain_assets_is_told_it_has_no_partitioned_assets():
    """A run without partition keys asks which of a job's nodes compute partitioned assets
    (it refuses to run those): build_asset_job tells a job of plain assets none of which is
    partitioned that there are none; any other job is walked when a run asks."""
    import pytest

    from specrun import DailyPartitionsDefinition, DagsterInvariantViolationError, materialize
    from specrun.runtime.job_cache import ATTR, PARTITIONED_ASSETS

    assert build_asset_job("j", [raw, clean]).__dict__[ATTR][PARTITIONED_ASSETS] == []

    @asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"))
    def dated(raw):
        return raw

    job = build_asset_job("j", [raw, dated])
    assert PARTITIONED_ASSETS not in job.__dict__.get(ATTR, {})
    with pytest.raises(DagsterInvariantViolationError, match="^dated is partitioned: pass partition_key="):
        materialize([raw, dated])


def test_a_plain_asset_jobs_definitions_are_the_dict_of_keys_built_for_it_not_a_copy(monkeypatch):
    """build_asset_job keeps the dict `assets_by_key` made as the job's `asset_defs`, and of
    plain assets that dict is also the keys given (no list of them): at 10,000 assets each copy
    made or freed was a pass over every key and definition. Same keys, in the order given."""
    from specrun.runtime.definitions import asset_nodes

    made, by_key_of = [], asset_nodes.assets_by_key

    def keeping(assets):
        made.append(by_key_of(assets))
        return made[-1]

    monkeypatch.setattr(asset_nodes, "assets_by_key", keeping)
    job = build_asset_job("j", [report, raw, clean])
    by_key, given, plain_only = made[0]
    assert given is by_key and plain_only
    assert job.asset_defs is by_key
    assert list(job.asset_defs.items()) == [(report.key, report), (raw.key, raw), (clean.key, clean)]
    assert job.asset_key_set == {raw.key, clean.key, report.key}
    assert [n for n in job.nodes] == ["clean", "raw", "report"]


def test_a_worker_that_reads_an_op_job_does_not_import_the_asset_machinery():
    """What an op job's pickle names (the job, its ops, the Dask executor and worker, the step
    runner) imports neither assets, asset checks, asset nodes, selections nor composition:
    jobs.py imports them where an asset job, a graph or a fan-out needs them."""
    import subprocess
    import sys

    code = ("import sys\n"
            "import specrun.runtime.definitions.jobs, specrun.runtime.definitions.ops\n"
            "import specrun.runtime.executors.dask, specrun.runtime.executors.dask_worker, specrun.runtime.execute\n"
            "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('specrun.runtime.definitions.')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    imported = set(eval(out))
    assert "jobs" in imported and "ops" in imported
    assert imported.isdisjoint({"assets", "asset_checks", "asset_nodes", "selection", "composition"})


def test_jobs_made_every_way_still_work_with_the_imports_where_they_are_used():
    from specrun import job, op

    @op
    def one():
        return 1

    @job
    def op_job():
        one()

    assert op_job.execute_in_process().output_for_node("one") == 1
    assert build_asset_job("assets", [raw, clean], selection=AssetSelection.keys("clean")).asset_key_set \
        == {clean.key}


def test_the_asset_keys_of_a_job_are_its_assets_and_an_op_job_has_none():
    from specrun import job, op
    from specrun.runtime.definitions import jobs

    @op
    def lone():
        return 1

    @job
    def ops_only():
        lone()

    assert jobs._computed_keys(ops_only.nodes) == frozenset()
    assert jobs._computed_keys(build_asset_job("keys", [raw, clean, report]).nodes) == {
        raw.key, clean.key, report.key}


def test_a_job_whose_nodes_are_each_a_plain_assets_is_told_so_and_no_other_job_is():
    """build_asset_job tells a job `PLAIN_ASSET_NODES` when it made each node for one asset (no
    check, graph or multi-asset), no op has tags, none but one Out, `result`, and the job has
    no hooks: what its plan would ask of every node (`step_recipe._plain_recipe`). A job told
    nothing is asked about each node."""
    from dataclasses import replace

    from specrun import AssetOut, Out, graph_asset, multi_asset, op, success_hook
    from specrun.runtime.job_cache import ATTR, PLAIN_ASSET_NODES

    @asset(op_tags={"team": "data"})
    def tagged(raw):
        return raw

    @multi_asset(outs={"left": AssetOut(), "right": AssetOut()})
    def pair():
        return 1, 2

    @op
    def one():
        return 1

    @graph_asset
    def from_graph():
        return one()

    @success_hook
    def noted(context):
        return None

    @op(out={"value": Out()})
    def named():
        return 1

    def told(job):
        return job.__dict__.get(ATTR, {}).get(PLAIN_ASSET_NODES)

    assert told(build_asset_job("j", [raw, clean])) is True
    assert told(build_asset_job("j", [raw, clean, report], selection=[clean.key])) is True
    assert told(build_asset_job("j", [raw, clean], hooks={noted})) is False
    named_output = replace(raw, op=named, keys_by_output_name={"value": raw.key})
    assert told(build_asset_job("j", [named_output, clean])) is False  # (not `result`)
    for assets, checks in (([raw, tagged], []), ([raw, clean], [clean_ok]), ([raw, pair], []),
                           ([raw, from_graph], [])):
        assert told(build_asset_job("j", assets, checks)) is None
