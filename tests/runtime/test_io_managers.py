"""runtime.io_managers: the decorators, the in-memory and the pickling filesystem IO managers,
called directly with hand-built contexts (what a run builds is in test_contexts.py)."""

from __future__ import annotations

import io
import os
import pickle
import types

import pytest

from specrun import DagsterInstance, StaticPartitionsDefinition, asset, materialize
from specrun.errors import LoadError
from specrun.runtime import io_managers
from specrun.runtime.context.io import InputContext, OutputContext, build_input_context, build_output_context
from specrun.runtime.definitions.keys import AssetKey
from specrun.runtime.io_managers import (
    InMemoryIOManager, InputManagerDefinition, IOManager, IOManagerDefinition, PickledObjectFilesystemIOManager,
    filesystem_io_manager, fs_io_manager, input_manager, io_manager, is_io_manager_def, mem_io_manager,
    write_atomically,
)
from specrun.runtime.storage import layout

PARTS = StaticPartitionsDefinition(["a", "b", "c"])


def _out(asset_key=None, keys=(), **kw) -> OutputContext:
    return OutputContext(kw.pop("step_key", "step"), kw.pop("name", "result"), run_id=kw.pop("run_id", "r1"),
                         asset_key=AssetKey.from_coercible(asset_key) if asset_key else None,
                         partition_keys=tuple(keys), partitions_def=PARTS if keys else None, **kw)


def _in(asset_key=None, keys=(), upstream=None, partitions_def=None) -> InputContext:
    return InputContext("x", upstream_output=upstream, asset_key=AssetKey.from_coercible(asset_key) if asset_key else None,
                        partition_keys=tuple(keys), partitions_def=partitions_def or (PARTS if keys else None))


class _Plain(IOManager):
    def handle_output(self, context, obj):
        pass

    def load_input(self, context):
        return "loaded"


def test_io_manager_decorator_in_both_forms_keeps_what_it_is_given():
    @io_manager
    def bare(init_context):
        return _Plain()

    assert isinstance(bare, IOManagerDefinition) and bare.config_schema is None
    assert isinstance(bare.resource_fn(None), _Plain)

    @io_manager(config_schema={"prefix": str}, description="kept", output_config_schema={"o": int},
                input_config_schema={"i": int}, required_resource_keys={"other"})
    def full(init_context):
        return _Plain()

    assert (full.description, full.output_config_schema, full.input_config_schema) == ("kept", {"o": int}, {"i": int})
    assert full.required_resource_keys == {"other"}
    assert full.config_schema is not None and isinstance(full.resource_fn(None), _Plain)
    assert is_io_manager_def(full) and is_io_manager_def(_Plain())
    assert not is_io_manager_def(object()) and not is_io_manager_def(input_manager(lambda context: 1))


def test_input_manager_of_a_context_function_loads_with_it():
    @input_manager
    def by_name(context):
        return f"value of {context.name}"

    assert isinstance(by_name, InputManagerDefinition)
    assert by_name.resource_fn(None).load_input(_in()) == "value of x"

    @input_manager(input_config_schema={"n": int}, description="typed")
    def typed(ctx: InputContext):
        return ctx.name * 2

    assert (typed.input_config_schema, typed.description) == ({"n": int}, "typed")
    assert typed.resource_fn(None).load_input(_in()) == "xx"


def test_input_manager_of_a_factory_returns_the_manager_it_makes():
    @input_manager(config_schema={"n": int}, required_resource_keys={"db"})
    def factory(init_context):
        return _Plain()

    assert factory.required_resource_keys == {"db"}
    assert factory.resource_fn(None).load_input(_in()) == "loaded"

    @input_manager
    def no_argument():
        return _Plain()

    assert no_argument.resource_fn(None).load_input(_in()) == "loaded"


def test_memory_keeps_op_outputs_by_run_step_and_output_and_asset_values_by_key_and_partition():
    store = InMemoryIOManager()
    store.handle_output(_out(), 1)
    store.handle_output(_out("sales", ["b", "a"]), "ab")
    store.handle_output(_out(["deep", "key"]), 3)
    assert store.values == {("r1", "step", "result"): 1, ("sales", "a"): "ab", ("sales", "b"): "ab",
                            ("deep", "key"): 3}
    assert store.load_input(_in(upstream=_out())) == 1
    assert store.load_input(_in("sales", ["a"])) == "ab"
    assert store.load_input(_in("sales", ["b", "a"])) == {"b": "ab", "a": "ab"}
    assert store.load_input(_in(["deep", "key"])) == 3
    assert store.load_input(_in("sales", partitions_def=PARTS)) == {}  # a mapping that selects no partition
    assert store.has_output(_out("sales", ["a", "b"])) and not store.has_output(_out("sales", ["a", "c"]))
    assert store.has_output(_out()) and not store.has_output(_out(run_id="r2"))
    assert store.has_output(_out(["deep", "key"])) and not store.has_output(_out("deep"))


def test_memory_says_which_value_was_never_stored():
    with pytest.raises(FileNotFoundError) as raised:
        InMemoryIOManager().load_input(_in(["deep", "key"]))
    assert str(raised.value) == ("no stored value for deep/key (input 'x'): it was never materialized in this "
                                 "process; the in-memory IO manager keeps nothing across runs")


def test_mem_io_manager_makes_a_new_empty_store_each_time():
    first, second = mem_io_manager.resource_fn(None), mem_io_manager.resource_fn(None)
    assert isinstance(first, InMemoryIOManager) and first.values == {} and first is not second


def _versioned(asset_key, keys=(), version="v1") -> OutputContext:
    context = _out(asset_key, keys)
    context.data_version = version
    return context


def test_files_unversioned_for_op_outputs_and_under_their_version_for_asset_values(tmp_path):
    store = PickledObjectFilesystemIOManager(str(tmp_path))
    store.handle_output(_out(), {"op": 1})
    assert pickle.loads((tmp_path / "r1" / "step" / "result").read_bytes()) == {"op": 1}
    store.handle_output(_out("plain"), "no version")  # an asset value without a record to follow
    assert (tmp_path / "plain").read_bytes() == pickle.dumps("no version", protocol=pickle.HIGHEST_PROTOCOL)

    context = _versioned("sales", ["b", "a"])
    store.handle_output(context, [1, 2])
    name = layout.version_file("v1")
    paths = [str(tmp_path / "sales" / f"a@{name}"), str(tmp_path / "sales" / f"b@{name}")]  # no folder per value
    assert [pickle.loads(open(p, "rb").read()) for p in paths] == [[1, 2], [1, 2]]
    assert context.get_logged_metadata()["path"].value == paths  # several partitions: no stored facts
    assert "specrun/stored" not in context.get_logged_metadata()

    one = _versioned("sales", ["c"])
    store.handle_output(one, "c")
    logged = one.get_logged_metadata()
    assert logged["path"].value == str(tmp_path / "sales" / f"c@{name}")
    assert logged["specrun/stored"].value["path"] == str(tmp_path / "sales" / f"c@{name}")
    assert sorted(os.listdir(tmp_path / "sales")) == [f"a@{name}", f"b@{name}", f"c@{name}"]
    assert logged["specrun/stored"].value["size"] == len(pickle.dumps("c", protocol=pickle.HIGHEST_PROTOCOL))


def test_a_versioned_value_logs_its_path_and_stored_facts_in_one_call_without_abspath(tmp_path, monkeypatch):
    store = PickledObjectFilesystemIOManager(str(tmp_path / "x" / ".." / "base"))
    context = _versioned("sales", ["c"])
    calls = []
    add = context.add_output_metadata
    monkeypatch.setattr(context, "add_output_metadata", lambda metadata: (calls.append(dict(metadata)), add(metadata)))
    abspath = os.path.abspath
    asked = []
    monkeypatch.setattr(os.path, "abspath", lambda path: (asked.append(path), abspath(path))[1])
    store.handle_output(context, "c")
    path = str(tmp_path / "base" / "sales" / f"c@{layout.version_file('v1')}")  # (normalized: no "..")
    assert [list(c) for c in calls] == [["path", "specrun/stored"]]  # one call, the path first
    assert calls[0]["path"] == path and calls[0]["specrun/stored"]["path"] == path
    assert list(context.get_logged_metadata()) == ["path", "specrun/stored"]
    assert path not in asked  # the path `layout.inside` made is absolute already


def test_file_facts_takes_an_absolute_path_as_it_is_and_makes_any_other_absolute(tmp_path, monkeypatch):
    from specrun.runtime.storage.stored import file_facts

    path = tmp_path / "v"
    path.write_bytes(b"data")
    relative = os.path.relpath(path)
    assert file_facts(relative, b"data")["path"] == str(path)
    abspath = os.path.abspath
    asked = []
    monkeypatch.setattr(os.path, "abspath", lambda p: (asked.append(p), abspath(p))[1])
    facts = file_facts(str(path), b"data", os.stat(path), absolute=True)
    monkeypatch.undo()
    assert asked == []
    assert facts == {"kind": "file", "path": str(path), "size": 4,
                     "sha256": "3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7",
                     "mtime_ns": os.stat(path).st_mtime_ns}


def test_a_value_from_before_versioning_is_read_until_a_version_is_recorded_then_collected(tmp_path):
    store = PickledObjectFilesystemIOManager(str(tmp_path))
    store.handle_output(_out("old"), "unversioned")
    assert (tmp_path / "old").is_file()
    assert store.load_input(_recorded_input("old", [], {("old", None): "v0"})) == "unversioned"
    context = _versioned("old")
    store.handle_output(context, "versioned")
    recorded = layout.value_file(str(tmp_path / "old"), "v1")
    assert sorted(os.listdir(tmp_path)) == ["old", os.path.basename(recorded)]
    assert store.load_input(_recorded_input("old", [], {("old", None): "v1"})) == "versioned"
    assert layout.collect(context.get_logged_metadata()["path"].value) == [str(tmp_path / "old")]
    assert os.listdir(tmp_path) == [os.path.basename(recorded)]


def test_a_store_with_a_folder_of_versions_per_value_is_read_and_collected(tmp_path):
    # The layout before `layout.value_file`: <asset>/v-<token>, <asset>/<partition>/v-<token>.
    old = {("sales", None): "v1", ("parts", "a"): "v2"}
    for (key, pk), version in old.items():
        place = tmp_path / key / pk if pk else tmp_path / key
        place.mkdir(parents=True)
        (place / layout.version_file(version)).write_bytes(pickle.dumps(f"old {key}"))
        (place / layout.version_file("v0")).write_bytes(pickle.dumps("older"))
    store = PickledObjectFilesystemIOManager(str(tmp_path))
    assert store.load_input(_recorded_input("sales", [], old)) == "old sales"
    assert store.load_input(_recorded_input("parts", ["a"], old)) == "old parts"
    assert store.load_input(_in("sales")) in ("old sales", "older")  # no record: the newest
    assert store.has_output(_out("sales")) and store.has_output(_out("parts", ["a"]))
    new = {("sales", None): "v3", ("parts", "a"): "v3"}
    written = []
    for (key, pk) in new:
        context = _versioned(key, [pk] if pk else [], "v3")
        store.handle_output(context, f"new {key}")
        written.append(context.get_logged_metadata()["path"].value)
    assert store.load_input(_recorded_input("sales", [], new)) == "new sales"
    assert store.load_input(_recorded_input("parts", ["a"], new)) == "new parts"
    removed = layout.collect_all([(path, lambda: True) for path in written])
    folders = [tmp_path / "sales", tmp_path / "parts" / "a"]
    assert sorted(removed) == sorted(str(folder / layout.version_file(v))
                                     for folder, version in zip(folders, ["v1", "v2"]) for v in (version, "v0"))
    assert not any(folder.exists() for folder in folders)  # emptied, then removed
    assert store.load_input(_in("sales")) == "new sales"  # no record: the newest, in either layout


def test_an_unversioned_value_under_another_values_file_is_refused_and_that_file_kept(tmp_path):
    store = PickledObjectFilesystemIOManager(str(tmp_path))
    store.handle_output(_out("sales"), "the sales")
    with pytest.raises(NotADirectoryError):  # sales/daily would need `sales` to be a folder
        store.handle_output(_out(["sales", "daily"]), "daily")
    assert store.load_input(_in("sales")) == "the sales"


def test_has_output_for_plain_files_versions_and_each_partition(tmp_path):
    store = PickledObjectFilesystemIOManager(str(tmp_path))
    assert not store.has_output(_out("sales"))
    store.handle_output(_out("sales"), 1)
    assert store.has_output(_out("sales"))
    store.handle_output(_versioned("parted", ["a"]), 1)
    assert store.has_output(_out("parted", ["a"]))
    assert not store.has_output(_out("parted", ["a", "b"]))
    store.handle_output(_out(), 1)
    assert store.has_output(_out()) and not store.has_output(_out(step_key="other"))


def _recorded_input(asset_key, keys, versions) -> InputContext:
    context = _in(asset_key, keys)
    context._data_version_lookup = lambda key, partition: versions.get((key.to_user_string(), partition), "none")
    return context


def test_load_reads_the_version_the_record_names_not_the_newest(tmp_path):
    store = PickledObjectFilesystemIOManager(str(tmp_path))
    store.handle_output(_versioned("sales", ["a"], "v1"), "recorded")
    store.handle_output(_versioned("sales", ["a"], "v2"), "in flight")  # its record never written
    assert store.load_input(_recorded_input("sales", ["a"], {("sales", "a"): "v1"})) == "recorded"
    assert store.load_input(_in("sales", ["a"])) == "in flight"  # no record known: the newest
    store.handle_output(_versioned("sales", ["b"], "v3"), "b")
    both = _recorded_input("sales", ["a", "b"], {("sales", "a"): "v1", ("sales", "b"): "v3"})
    assert store.load_input(both) == {"a": "recorded", "b": "b"}
    assert store.load_input(_in("sales", partitions_def=PARTS)) == {}


def test_load_of_an_unversioned_value_and_of_an_op_output(tmp_path):
    store = PickledObjectFilesystemIOManager(str(tmp_path))
    store.handle_output(_out("plain"), "file")
    assert store.load_input(_recorded_input("plain", [], {("plain", None): "v9"})) == "file"  # a plain file wins
    store.handle_output(_out(), "op value")
    assert store.load_input(_in(upstream=_out())) == "op value"


def test_load_errors_name_the_value_and_the_file(tmp_path):
    store = PickledObjectFilesystemIOManager(str(tmp_path))
    with pytest.raises(FileNotFoundError) as raised:
        store.load_input(_in("missing"))
    assert str(raised.value) == f"no stored value for missing at {tmp_path / 'missing'}: materialize it first"
    with pytest.raises(FileNotFoundError) as raised:
        store.load_input(_in(upstream=_out()))
    assert str(raised.value) == f"no stored value for x at {tmp_path / 'r1' / 'step' / 'result'}: materialize it first"
    (tmp_path / "broken").write_bytes(b"not a pickle")
    with pytest.raises(LoadError) as raised:
        store.load_input(_in("broken"))
    assert str(raised.value) == (f"cannot load the stored value of broken from {tmp_path / 'broken'}: "
                                 "UnpicklingError: invalid load key, 'n'. (re-materialize it: `specrun apply --force`)")


def _outcome(read, path):
    """What reading `path` gives: the value, or the error's class and text."""
    try:
        return ("value", read(path))
    except Exception as e:  # (compared between the two readers, whatever it is)
        return ("error", type(e), str(e))


def _read_stored(path):
    fd = io_managers._open_stored(path, None, None)
    try:
        return io_managers._unpickle(fd, path)
    finally:
        os.close(fd)


def _read_with_open(path):
    with open(path, "rb") as fh:
        return pickle.load(fh)


def test_an_input_is_read_as_open_reads_it_intact_damaged_or_missing(tmp_path):
    # The same value or error as `pickle.load(open(path, "rb"))` for every file: values of
    # every pickle protocol, read whole or (past 64 KiB) as a stream; truncated and flipped
    # bytes; no file; a folder.
    values = [None, 1, "text" * 3000, list(range(2000)), {"k": (1.5, b"x" * 5000)}, "big" * 30000]
    paths = [str(tmp_path / "missing"), str(tmp_path)]
    for i, value in enumerate(values):
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
            data = pickle.dumps(value, protocol=protocol)
            for j, cut in enumerate(sorted({0, 1, 2, len(data) // 2, len(data) - 1, len(data)})):
                damaged = bytearray(data[:cut])
                if j % 2 and damaged:
                    damaged[len(damaged) // 3] ^= 0x5A
                path = tmp_path / f"v{i}-{protocol}-{j}"
                path.write_bytes(bytes(damaged))
                paths.append(str(path))
    assert len(paths) > 100
    for path in paths:
        assert _outcome(_read_stored, path) == _outcome(_read_with_open, path), path


def test_a_small_stored_value_is_read_without_a_buffered_reader(tmp_path, monkeypatch):
    made = []

    class Reader(io.BufferedReader):
        def __init__(self, *args):
            made.append(args[0].name)
            super().__init__(*args)

    monkeypatch.setattr(io_managers, "io", types.SimpleNamespace(FileIO=io.FileIO, BufferedReader=Reader))
    small, large = tmp_path / "small", tmp_path / "large"
    small.write_bytes(pickle.dumps("s" * 60000))
    large.write_bytes(pickle.dumps("l" * 70000))
    assert (_read_stored(str(small)), _read_stored(str(large))) == ("s" * 60000, "l" * 70000)
    assert len(made) == 1  # the large one's, streamed (from its descriptor)


def test_write_atomically_makes_the_folder_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "a" / "b" / "value"
    write_atomically(str(target), b"bytes")
    assert target.read_bytes() == b"bytes" and os.listdir(target.parent) == ["value"]


def test_a_write_that_fails_removes_its_temp_file_and_keeps_the_old_value(tmp_path):
    target = tmp_path / "value"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        write_atomically(str(target), "not bytes")  # type: ignore[arg-type]
    assert os.listdir(tmp_path) == ["value"] and target.read_bytes() == b"old"


def test_a_relative_path_is_written_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_atomically("here", b"x")
    assert os.listdir(tmp_path) == ["here"]


class _Init:
    def __init__(self, config=None, instance=None):
        self.resource_config, self.instance = config, instance


def test_fs_io_manager_base_dir_configured_else_the_instances_else_the_working_folder(tmp_path, monkeypatch):
    configured = fs_io_manager.resource_fn(_Init({"base_dir": str(tmp_path)}))
    assert isinstance(configured, PickledObjectFilesystemIOManager) and configured.base_dir == str(tmp_path)
    instance = DagsterInstance.ephemeral()
    assert fs_io_manager.resource_fn(_Init({}, instance)).base_dir == instance.storage_directory
    assert fs_io_manager.resource_fn(_Init(None, instance)).base_dir == instance.storage_directory
    monkeypatch.chdir(tmp_path)
    assert filesystem_io_manager(None, None, object()).base_dir == str(tmp_path / ".specrun" / "storage")
    assert filesystem_io_manager("", None, _Init()).base_dir == str(tmp_path / ".specrun" / "storage")


def test_fs_io_manager_with_a_url_stores_in_that_object_store():
    from specrun.runtime.upath_io import PickledObjectUPathIOManager

    made = fs_io_manager.resource_fn(_Init({"base_dir": "memory://bucket/prefix", "storage_options": {}}))
    assert isinstance(made, PickledObjectUPathIOManager)


def test_build_contexts_by_hand_store_and_load_through_the_fs_io_manager(tmp_path):
    store = PickledObjectFilesystemIOManager(str(tmp_path))
    store.handle_output(build_output_context(asset_key="hand", partition_key="a"), 5)
    assert store.load_input(build_input_context(asset_key="hand", partition_key="a")) == 5


def test_materialize_with_the_fs_io_manager_reads_back_each_partition(tmp_path):
    @asset(partitions_def=PARTS)
    def parted(context):
        return context.partition_key * 2

    @asset
    def joined(parted):
        return "".join(parted[k] for k in sorted(parted))

    config = {"resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}}
    instance = DagsterInstance.ephemeral()
    for key in ("a", "b", "c"):
        assert materialize([parted], partition_key=key, run_config=config, instance=instance,
                           resources={"io_manager": fs_io_manager}).success
    result = materialize([parted, joined], selection=[joined], run_config=config, instance=instance,
                         resources={"io_manager": fs_io_manager})
    assert result.output_for_node("joined") == "aabbcc"


def test_decorators_keep_the_config_schema_class_and_description_of_each_form():
    from specrun import Config

    class Settings(Config):
        n: int = 1

    @io_manager(config_schema=Settings)
    def typed_io(init_context):
        return _Plain()

    assert typed_io.config_class is Settings

    @input_manager(config_schema={"n": int}, description="loads")
    def loader(context):
        return 1

    assert (list(loader.config_schema.fields), loader.description) == (["n"], "loads")

    @input_manager(config_schema={"m": int}, description="makes")
    def factory(init_context):
        return _Plain()

    assert (list(factory.config_schema.fields), factory.description) == (["m"], "makes")

    @input_manager(config_schema=Settings)
    def typed_factory(init_context):
        return _Plain()

    assert typed_factory.config_class is Settings


def test_memory_names_the_missing_partition_of_one_or_several():
    store = InMemoryIOManager()
    store.handle_output(_out("sales", ["a"]), 1)
    for keys in (["b"], ["a", "b"]):
        with pytest.raises(FileNotFoundError, match=r"^no stored value for sales/b \(input 'x'\)"):
            store.load_input(_in("sales", keys))


def test_an_op_output_is_never_stored_under_a_version(tmp_path):
    store = PickledObjectFilesystemIOManager(str(tmp_path))
    context = _out()
    context.data_version = "v1"  # (a run never sets one on an op output)
    store.handle_output(context, "op")
    assert (tmp_path / "r1" / "step" / "result").is_file()


def test_the_fault_points_are_reached_in_order_with_the_temp_file_beside_its_target(tmp_path, monkeypatch):
    """The reliability tests kill or pause a process at these names (`faults.py`)."""
    from specrun.runtime import io_managers

    reached = []

    def kill_point(name):
        reached.append((name, sorted(os.listdir(tmp_path))))

    monkeypatch.setattr(layout, "kill_point", kill_point)  # the temp-file write lives in storage/layout
    monkeypatch.setattr(io_managers, "pause_point", lambda name: reached.append((name, None)))
    store = PickledObjectFilesystemIOManager(str(tmp_path))
    store.handle_output(_out("sales"), "v")
    [(before, listed), after] = reached
    assert before == "before-replace" and after == ("after-replace", ["sales"])
    [temp] = listed
    assert temp.startswith(layout.temp_prefix()) and temp.endswith("-sales") and len(temp) > len(layout.temp_prefix()) + 6
    reached.clear()
    store.handle_output(_versioned("versioned", [], "v1"), "v")
    reached.clear()
    assert store.load_input(_recorded_input("versioned", [], {("versioned", None): "v1"})) == "v"
    assert reached == [("before-load", None)]


def test_fs_io_manager_passes_its_storage_options_to_the_object_store():
    made = fs_io_manager.resource_fn(_Init({"base_dir": "memory://bucket/opts",
                                            "storage_options": {"skip_instance_cache": True}}))
    assert made.recorded_storage_options == {"skip_instance_cache": True}
