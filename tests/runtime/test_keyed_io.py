"""The keyed IO capability (runtime/keyed_io.py): an IO manager that defines `store_by_key`
and `load_by_key` is handed values by key, without contexts; a subclass overriding the
context methods only is called with contexts."""

from __future__ import annotations

from typing import Any

from specrun import AssetIn, DynamicOut, DynamicOutput, In, InMemoryIOManager, IOManager, asset, io_manager, job, materialize, op
from specrun.runtime.keyed_io import keyed


class KeyedDict(IOManager):
    """A user's manager with the capability; its context methods record that they ran."""

    def __init__(self) -> None:
        self.values: dict[tuple, Any] = {}
        self.calls: list[tuple] = []

    def store_by_key(self, key, obj):
        self.calls.append(("store", key))
        self.values[key] = obj

    def load_by_key(self, key):
        self.calls.append(("load", key))
        return self.values[key]

    def handle_output(self, context, obj):
        self.calls.append(("handle_output", context.step_key))
        self.values[tuple(context.get_identifier())] = obj

    def load_input(self, context):
        self.calls.append(("load_input", context.name))
        return self.values[tuple(context.upstream_output.get_identifier())]


class ContextsOnly(KeyedDict):
    """Overrides the context methods, not the keyed ones: its overrides must run."""

    def handle_output(self, context, obj):
        super().handle_output(context, obj)

    def load_input(self, context):
        return super().load_input(context)


@op
def one() -> int:
    return 1


@op(ins={"x": In()})
def plus(x):
    return x + 1


def _run(manager: IOManager):
    @io_manager
    def resource(_):
        return manager

    @job(resource_defs={"io_manager": resource})
    def two_steps():
        plus(one())

    return two_steps.execute_in_process()


def _types(result) -> list[tuple[str, str]]:
    return [(e.event_type_value, e.step_key) for e in result.all_events if e.step_key]


def test_a_manager_defining_the_keyed_methods_is_given_values_by_key_without_contexts():
    manager = KeyedDict()
    result = _run(manager)
    assert result.output_for_node("plus") == 2
    rid = result.run_id
    assert manager.calls == [("store", (rid, "one", "result")), ("load", (rid, "one", "result")),
                             ("store", (rid, "plus", "result"))]
    assert ("HANDLED_OUTPUT", "one") in _types(result) and ("LOADED_INPUT", "plus") in _types(result)


def test_a_subclass_overriding_only_the_context_methods_is_called_with_contexts():
    manager = ContextsOnly()
    result = _run(manager)
    assert result.output_for_node("plus") == 2
    assert manager.calls == [("handle_output", "one"), ("load_input", "x"), ("handle_output", "plus")]
    # The events are the same whichever way the values went.
    assert _types(result) == _types(_run(KeyedDict()))


class Forgetful(KeyedDict):
    """Finds nothing by key: every load falls back to `load_input`, which reads what
    `store_by_key` put elsewhere under the upstream output's identifier."""

    def store_by_key(self, key, obj):
        super().store_by_key(key, obj)
        self.values[("elsewhere",) + key] = self.values.pop(key)

    def load_by_key(self, key):
        self.calls.append(("load", key))
        raise KeyError(key)

    def load_input(self, context):
        self.calls.append(("load_input", context.name))
        up = context.upstream_output
        return self.values[("elsewhere",) + (tuple(up.asset_key.path) if up.asset_key
                                             else tuple(up.get_identifier()))]


def test_a_key_the_manager_does_not_have_falls_back_to_load_input():
    manager = Forgetful()
    result = _run(manager)
    assert result.output_for_node("plus") == 2
    assert [c[0] for c in manager.calls] == ["store", "load", "load_input", "store"]


def _resource(manager):
    @io_manager
    def resource(_):
        return manager

    return resource


def _loaded(result) -> list[str]:
    return [e.step_key for e in result.all_events if e.event_type_value == "LOADED_INPUT"]


def test_a_fan_in_input_the_manager_does_not_have_by_key_falls_back_to_load_input_for_each_source():
    @op
    def two() -> int:
        return 2

    @op(ins={"xs": In()})
    def total(xs):
        return sum(xs)

    manager = Forgetful()

    @job(resource_defs={"io_manager": _resource(manager)})
    def gathered():
        total([one(), two()])

    result = gathered.execute_in_process()
    assert result.output_for_node("total") == 3
    rid = result.run_id
    assert [c for c in manager.calls if c[0] != "store"] == [
        ("load", (rid, "one", "result")), ("load_input", "xs"),
        ("load", (rid, "two", "result")), ("load_input", "xs")]
    assert _loaded(result) == ["total", "total"]


def test_an_asset_the_manager_does_not_have_by_key_falls_back_to_load_input():
    @asset
    def base() -> int:
        return 5

    @asset
    def doubled(base: int) -> int:
        return base * 2

    manager = Forgetful()
    result = materialize([base, doubled], resources={"io_manager": _resource(manager)})
    assert result.success and result.output_for_node("doubled") == 10
    assert [c for c in manager.calls if c[0] != "store"] == [("load", ("base",)), ("load_input", "base")]
    assert _loaded(result) == ["doubled"]


def test_a_mapped_input_the_manager_does_not_have_by_key_falls_back_to_load_input():
    @op(out=DynamicOut())
    def fan():
        for i in (1, 2):
            yield DynamicOutput(i, mapping_key=f"k{i}")

    manager = Forgetful()

    @job(resource_defs={"io_manager": _resource(manager)})
    def mapped():
        fan().map(plus)

    result = mapped.execute_in_process()
    assert result.output_for_node("plus") == {"k1": 2, "k2": 3}
    rid = result.run_id
    assert sorted(c for c in manager.calls if c[0] == "load") == [
        ("load", (rid, "fan", "result", "k1")), ("load", (rid, "fan", "result", "k2"))]
    assert sorted(_loaded(result)) == ["plus[k1]", "plus[k2]"]


def test_asset_values_are_keyed_by_their_asset_key_path():
    manager = KeyedDict()

    @io_manager
    def resource(_):
        return manager

    @asset(key_prefix=["warehouse"])
    def base() -> int:
        return 5

    @asset(ins={"base": AssetIn(key=["warehouse", "base"])})
    def doubled(base: int) -> int:
        return base * 2

    result = materialize([base, doubled], resources={"io_manager": resource})
    assert result.success
    assert manager.values == {("warehouse", "base"): 5, ("doubled",): 10}
    assert ("load", ("warehouse", "base")) in manager.calls
    assert len(result.get_asset_materialization_events()) == 2


def test_which_classes_have_the_capability():
    assert keyed(InMemoryIOManager()) and keyed(KeyedDict())
    assert not keyed(ContextsOnly())

    class OnlyStores(IOManager):
        def store_by_key(self, key, obj):
            pass

        def handle_output(self, context, obj):
            pass

        def load_input(self, context):
            return None

    class KeyedAgain(ContextsOnly):  # defines the keyed methods below its context overrides
        def store_by_key(self, key, obj):
            super().store_by_key(key, obj)

        def load_by_key(self, key):
            return super().load_by_key(key)

    assert not keyed(OnlyStores()) and keyed(KeyedAgain())
