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
