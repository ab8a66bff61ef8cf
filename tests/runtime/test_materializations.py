"""The ASSET_MATERIALIZATION events a run records, and the facts behind their version tags."""

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
