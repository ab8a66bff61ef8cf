"""Step programs (runtime/step_recipe.py): a plain step's compiled path gives every event
the general path gives, in the same order, with the same values."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass

from specrun import AssetIn, asset, materialize, materialize_to_memory, mem_io_manager
from specrun.runtime import api, execute, step_recipe
from specrun.runtime.inputs import load_plain_inputs
from specrun.runtime.definitions.jobs import build_asset_job
from specrun.runtime.step_recipe import job_program
from specrun.runtime import versioning as v


@asset
def source():
    return 2


@asset(ins={"up": AssetIn("source")})
def doubled(up):
    return up * 2


@asset(deps=[source])
def after_source():
    return 0


@asset
def summed(doubled, source, after_source):
    return doubled + source + after_source


ASSETS = [source, doubled, after_source, summed]


def _comparable(event):
    """An event without what differs between two runs (run id, time, data versions)."""
    data = event.event_specific_data
    if is_dataclass(data):
        data = asdict(data)
        if isinstance(data.get("tags"), dict):
            data["tags"] = {k: t for k, t in data["tags"].items()
                            if k not in (v.DATA_VERSION_TAG, v.INPUT_DATA_VERSIONS_TAG)}
    return event.event_type, event.step_key, event.message, repr(data)


def _events(result):
    return [_comparable(e) for e in result.all_events]


def test_asset_steps_take_the_plain_path():
    job = build_asset_job("plain_assets", ASSETS)
    program = job_program(job)
    plain = {name: program.recipe(job.nodes[name]).plain for name in ("doubled", "summed")}
    assert plain["doubled"].inputs[0][-1] == ("source",)  # loaded by the asset's key path
    assert [i[-1] for i in plain["summed"].inputs] == [("doubled",), ("source",), ("after_source",)]


def test_the_plain_path_gives_the_general_paths_events_and_values(monkeypatch):
    loaded_plainly = []

    def counting(run, step, *args):
        loaded_plainly.append(step.key)
        return load_plain_inputs(run, step, *args)

    monkeypatch.setattr(execute, "load_plain_inputs", counting)
    for run in (materialize_to_memory, lambda a: materialize(a, resources={"io_manager": mem_io_manager})):
        monkeypatch.setattr(api, "_ASSET_JOBS", {})  # a new job: its step programs made anew
        fast = run(ASSETS)
        # (not the first step, `source`: the general path sets the run's resources up)
        assert sorted(loaded_plainly) == ["after_source", "doubled", "summed"]
        loaded_plainly.clear()
        monkeypatch.setattr(api, "_ASSET_JOBS", {})
        with monkeypatch.context() as general:
            general.setattr(step_recipe.PlainStep, "of", staticmethod(lambda *a: None))
            slow = run(ASSETS)
        assert loaded_plainly == []  # the general path
        assert _events(fast) == _events(slow)
        assert fast.output_for_node("summed") == slow.output_for_node("summed") == 6


def test_plain_steps_share_one_frozenset_per_set_of_io_manager_keys():
    from specrun import Out, job, op

    @op(out=Out(io_manager_key="other"))
    def first():
        return 1

    @op
    def second(x):
        return x

    @op
    def third(x):
        return x

    @job(resource_defs={"other": mem_io_manager})
    def keyed():
        a = first()
        b = second(a)
        second.alias("again")(a)
        third(b)

    program = job_program(keyed)
    plain = {name: program.recipe(node).plain for name, node in keyed.nodes.items()}
    for step in plain.values():  # the set every input and the output name, as made per step before
        assert step.manager_keys == frozenset([step.output.io_manager_key, *[i[4] for i in step.inputs]])
    assert plain["first"].manager_keys == {"other"}
    assert plain["second"].manager_keys == {"io_manager", "other"}
    assert plain["third"].manager_keys == {"io_manager"}
    assert plain["again"].manager_keys is plain["second"].manager_keys
    assert job_program(keyed).recipe(keyed.nodes["third"]).plain.manager_keys is program.key_sets["io_manager"]
    assert keyed.execute_in_process().output_for_node("third") == 1
