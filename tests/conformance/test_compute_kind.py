"""`compute_kind=` as Dagster keeps it: the op tag `dagster/compute_kind` of the asset's or
check's op (before its `op_tags=`, which may set it too), seen by the running step's context;
it is no asset tag and no kind."""

from tests.conformance.api import dg

K = dg.AssetKey
TAG = "dagster/compute_kind"


@dg.asset(compute_kind="sql", op_tags={"x": "1"})
def kinded(context):
    return dict(context.op_def.tags)


@dg.asset
def unkinded():
    return 1


def test_an_asset_s_compute_kind_is_its_op_s_tag_and_no_asset_tag():
    assert kinded.op.tags == {TAG: "sql", "x": "1"}
    assert kinded.tags_by_key == {K("kinded"): {}}
    assert kinded.specs_by_key[K("kinded")].kinds == set()
    assert unkinded.op.tags == {}


def test_the_running_step_sees_the_compute_kind_tag():
    result = dg.materialize([kinded])
    assert result.output_for_node("kinded") == {TAG: "sql", "x": "1"}


def test_op_tags_may_set_the_compute_kind_tag_too():
    @dg.asset(compute_kind="sql", op_tags={TAG: "other"})
    def both():
        return 1

    assert both.op.tags == {TAG: "other"}


def test_a_multi_asset_s_compute_kind_is_its_op_s_tag():
    @dg.multi_asset(outs={"m1": dg.AssetOut(), "m2": dg.AssetOut(kinds={"python"})}, compute_kind="sql")
    def several():
        return 1, 2

    assert several.op.tags == {TAG: "sql"}
    assert several.tags_by_key == {K("m1"): {}, K("m2"): {"dagster/kind/python": ""}}


def test_a_check_s_compute_kind_and_op_tags_are_its_op_s_tags():
    @dg.asset_check(asset="unkinded", compute_kind="python", op_tags={"y": "2"})
    def one_check():
        return dg.AssetCheckResult(passed=True)

    @dg.multi_asset_check(specs=[dg.AssetCheckSpec("c1", asset="unkinded")], compute_kind="pandas",
                          op_tags={"z": "3"})
    def many_checks():
        yield dg.AssetCheckResult(asset_key="unkinded", check_name="c1", passed=True)

    assert one_check.node_def.tags == {TAG: "python", "y": "2"}
    assert many_checks.node_def.tags == {TAG: "pandas", "z": "3"}
