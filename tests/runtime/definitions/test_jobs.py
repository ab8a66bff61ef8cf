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
