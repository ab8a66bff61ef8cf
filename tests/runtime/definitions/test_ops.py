"""`build_ins` / `build_outs` make plain `In`s and `Out`s directly; each must equal what
`dataclasses.replace` made before (and still makes for subclasses)."""

from __future__ import annotations

import dataclasses

import pytest

from specrun.runtime.definitions.dynamic import DynamicOut
from specrun.runtime.definitions.ops import UNSET, In, Out, build_ins, build_outs, result_out
from specrun.runtime.definitions.signature import read_signature
from specrun.runtime.definitions.types import resolve_dagster_type


def _by_replace_in(spec, name, sig):
    """What build_ins made of one parameter before: two `dataclasses.replace` calls."""
    if name in sig.input_defaults and not spec.has_default:
        spec = dataclasses.replace(spec, default_value=sig.input_defaults[name])
    given = spec.dagster_type if spec.dagster_type is not None else sig.input_annotations.get(name)
    return dataclasses.replace(spec, dagster_type=resolve_dagster_type(given))


def _fields(value):
    """Every field by name; a resolved type by its repr (each resolve makes a new DataType,
    equal to no other)."""
    found = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return {**found, "dagster_type": _type_facts(found["dagster_type"])}


def _type_facts(t):
    if t is None or isinstance(t, str):
        return t
    return (type(t), t.name, t.description, t.is_nothing, t.python_type, t._instance_of)


def _every_field_set(cls, **overrides):
    """An instance of `cls` with a value of its own in every field (so that a field the fast
    path forgot to copy shows), `overrides` over them."""
    values = {f.name: f"{f.name}-value" for f in dataclasses.fields(cls)}
    return cls(**{**values, **overrides})


def with_defaults(plain, typed: int, defaulted: str = "d", typed_default: float = 1.5):
    return plain, typed, defaulted, typed_default


SIG = read_signature(with_defaults, "op 'with_defaults'")
SPECS = [
    None,  # no `ins=` entry: `In()`
    In(),
    In(dagster_type=int),
    In(default_value=7),
    In(dagster_type=str, default_value=None),
    _every_field_set(In, dagster_type=None, default_value=UNSET),
    _every_field_set(In, dagster_type=bool),
]


@pytest.mark.parametrize("spec", SPECS, ids=repr)
@pytest.mark.parametrize("name", ["plain", "typed", "defaulted", "typed_default"])
def test_a_plain_in_is_what_replace_made(spec, name):
    made = build_ins(SIG, {name: spec} if spec is not None else {}, "op 'with_defaults'")[name]
    expected = _by_replace_in(spec if spec is not None else In(), name, SIG)
    assert type(made) is In
    assert _fields(made) == _fields(expected)
    if spec is not None:  # (frozen) an In the function adds nothing to (no type, no default) is given back itself
        assert (made is spec) == (name == "plain" and spec.dagster_type is None)


def test_an_in_subclass_keeps_its_type_and_fields():
    @dataclasses.dataclass(frozen=True)
    class TaggedIn(In):
        tag: str = "t"

    made = build_ins(SIG, {"typed_default": TaggedIn(tag="mine")}, "op 'with_defaults'")["typed_default"]
    assert type(made) is TaggedIn and made.tag == "mine"
    assert made.default_value == 1.5 and _type_facts(made.dagster_type) == _type_facts(resolve_dagster_type(float))


@pytest.mark.parametrize("out", [None, Out(), Out(dagster_type=int), Out(is_required=False, io_manager_key="m"),
                                 _every_field_set(Out, dagster_type=None, is_required=False)], ids=repr)
@pytest.mark.parametrize("annotation", [None, int, str])
def test_a_plain_out_is_what_replace_made(out, annotation):
    made = build_outs(out, annotation)["result"]
    base = out if out is not None else Out()
    given = base.dagster_type if base.dagster_type is not None else annotation
    expected = dataclasses.replace(base, dagster_type=resolve_dagster_type(given))
    assert type(made) is Out and _fields(made) == _fields(expected)


@pytest.mark.parametrize("dagster_type", [None, int])
@pytest.mark.parametrize("metadata", [None, {"owner": "me"}])
@pytest.mark.parametrize("io_manager_key", ["io_manager", "mine"])
@pytest.mark.parametrize("annotation", [None, str])
def test_result_out_is_what_build_outs_made_of_an_out(dagster_type, metadata, io_manager_key, annotation):
    made = result_out(dagster_type, metadata, io_manager_key, annotation)
    expected = build_outs(Out(dagster_type=dagster_type, metadata=metadata, io_manager_key=io_manager_key), annotation)
    assert list(made) == ["result"] and type(made["result"]) is Out
    assert _fields(made["result"]) == _fields(expected["result"])


def test_result_out_of_no_type_metadata_or_own_io_manager_is_one_shared_out():
    first, second = result_out(None, None, "io_manager", None)["result"], result_out(None, None, "io_manager", None)["result"]
    assert first is second and type(first) is Out and _fields(first) == _fields(Out())
    assert result_out(None, None, "mine", None)["result"] is not first
    assert result_out(None, None, "io_manager", int)["result"] is not first


def test_outs_by_name_and_dynamic_outs_keep_their_types():
    outs = build_outs({"a": Out(dagster_type=int, description="A"), "b": DynamicOut(dagster_type=str)})
    assert type(outs["a"]) is Out and _fields(outs["a"]) == _fields(
        dataclasses.replace(Out(dagster_type=int, description="A"), dagster_type=resolve_dagster_type(int)))
    assert type(outs["b"]) is DynamicOut and outs["b"].is_dynamic
    assert _type_facts(outs["b"].dagster_type) == _type_facts(resolve_dagster_type(str))


def test_all_resource_keys_are_the_declared_keys_and_the_resource_parameters_as_a_frozenset():
    from specrun import ConfigurableResource, op

    class Lake(ConfigurableResource):
        path: str = "/"

    @op
    def free():
        return 1

    @op(required_resource_keys={"db"})
    def declared(context):
        return 1

    def both(context, lake):
        return 1

    both.__annotations__ = {"lake": Lake}  # (this module's annotations are strings)
    both = op(required_resource_keys={"db"})(both)

    assert free.all_resource_keys == frozenset() and type(free.all_resource_keys) is frozenset
    assert declared.all_resource_keys == frozenset({"db"}) and type(declared.all_resource_keys) is frozenset
    assert both.all_resource_keys == frozenset({"db", "lake"})


def test_ops_and_assets_that_need_no_resource_share_one_empty_resource_key_set():
    """An op or asset that names no required resource key holds `NO_RESOURCE_KEYS` (one empty
    frozenset shared: CPython makes a new one for each `frozenset()`); one that names some
    holds its own set of them, and what each needs is what it was before."""
    from specrun import asset, op
    from specrun.runtime.definitions.ops import NO_RESOURCE_KEYS, resource_key_set

    @op
    def plain():
        return 1

    @op(required_resource_keys={"db"})
    def needs():
        return 1

    @asset
    def a():
        return 1

    @asset(required_resource_keys=["db", "db"])
    def b():
        return 1

    assert plain.required_resource_keys is a.op.required_resource_keys is NO_RESOURCE_KEYS == frozenset()
    assert needs.required_resource_keys == b.op.required_resource_keys == frozenset({"db"})
    assert a.required_resource_keys == frozenset({"io_manager"}) and plain.all_resource_keys == frozenset()
    assert resource_key_set(()) is resource_key_set(None) is resource_key_set(set()) is NO_RESOURCE_KEYS
    assert resource_key_set(iter(["x"])) == frozenset({"x"}) and type(resource_key_set(["x"])) is frozenset
