"""Where the fs IO manager stores values: keys are safe names inside base_dir, versions are
collected once superseded, temp files of dead writers are removed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from specrun import DagsterInstance, StaticPartitionsDefinition, asset, materialize
from specrun.errors import PartitionError
from specrun.runtime.storage import layout

HOSTILE = ["../../escaped", "/etc/absolute", "a|b", ".hidden", "..", "spaced out", "ünï"]


@pytest.mark.parametrize("key", HOSTILE)
def test_a_key_is_one_file_name_that_stays_inside_base_dir(tmp_path, key):
    path = layout.inside(str(tmp_path), ["asset", key])
    assert os.path.dirname(path) == str(tmp_path / "asset")
    assert "/" not in layout.safe_name(key) and not layout.safe_name(key).startswith(".")


def test_host_name_is_what_socket_gethostname_says():
    assert layout.host_name() == socket.gethostname()


def test_an_empty_key_is_refused():
    with pytest.raises(PartitionError, match="non-empty"):
        layout.safe_name("")


def test_hostile_partition_keys_write_only_inside_base_dir_and_load_back(tmp_path):
    base = tmp_path / "base"
    parts = StaticPartitionsDefinition(HOSTILE)

    @asset(partitions_def=parts)
    def regional(context):
        return context.partition_key

    @asset(partitions_def=parts)
    def copied(context, regional):
        return regional

    config = {"resources": {"io_manager": {"config": {"base_dir": str(base)}}}}
    for key in HOSTILE:
        result = materialize([regional, copied], partition_key=key, run_config=config)
        assert result.output_for_node("copied") == key
    written = [os.path.join(d, f) for d, _, files in os.walk(tmp_path) for f in files]
    assert written and all(p.startswith(str(base) + os.sep) for p in written)
    assert not (tmp_path / "escaped").exists() and not os.path.exists("/etc/absolute")


def test_collect_keeps_the_recorded_version_and_live_temp_files(tmp_path):
    for name in ("v-old", "v-current", "v-orphan"):
        (tmp_path / name).write_bytes(b"x")
    live = tmp_path / (layout.temp_prefix() + "abc-v-next")
    live.write_bytes(b"partial")
    removed = layout.collect(str(tmp_path / "v-current"))
    assert sorted(os.path.basename(p) for p in removed) == ["v-old", "v-orphan"]
    assert sorted(os.listdir(tmp_path)) == sorted(["v-current", live.name])


def test_collect_removes_the_temp_file_of_a_writer_that_died(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    prefix = layout.temp_prefix().rsplit(".", 2)[0]  # this host's part
    orphan = tmp_path / f"{prefix}.{int(dead.stdout)}.abc-v-next"
    orphan.write_bytes(b"partial")
    (tmp_path / "v-current").write_bytes(b"x")
    assert layout.collect(str(tmp_path / "v-current")) == [str(orphan)]


def test_write_atomically_makes_its_folder_and_never_reuses_a_temp_name_left_behind(tmp_path):
    first = tmp_path / "asset" / "v-1"
    status = layout.write_atomically(str(first), b"one")  # the folder is made
    assert first.read_bytes() == b"one" and status.st_mtime_ns == os.stat(first).st_mtime_ns
    assert os.stat(first).st_mode & 0o777 == 0o600
    upcoming = next(layout._COUNTER) + 1  # the names the next writes would take
    left = [tmp_path / "asset" / f"{layout.temp_prefix()}{upcoming + i}-v-2" for i in range(2)]
    for path in left:  # as an earlier process with this pid may have left them
        path.write_bytes(b"theirs")
    layout.write_atomically(str(tmp_path / "asset" / "v-2"), b"two")
    assert (tmp_path / "asset" / "v-2").read_bytes() == b"two"
    assert [p.read_bytes() for p in left] == [b"theirs", b"theirs"]
    assert sorted(os.listdir(tmp_path / "asset")) == sorted(["v-1", "v-2"] + [p.name for p in left])


def test_collect_does_not_list_a_folder_this_process_made_for_the_value(tmp_path, monkeypatch):
    fresh, old = tmp_path / "fresh" / "v-1", tmp_path / "old" / "v-2"
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "v-1").write_bytes(b"superseded")
    layout.write_atomically(str(fresh), b"one")  # its folder is made here
    layout.write_atomically(str(old), b"two")  # into a folder that was there
    listed = []
    real = os.listdir
    monkeypatch.setattr(layout.os, "listdir", lambda folder: listed.append(folder) or real(folder))
    assert layout.collect(str(fresh)) == []
    assert layout.collect(str(old)) == [str(tmp_path / "old" / "v-1")]
    assert listed == [str(tmp_path / "old")]
    (tmp_path / "fresh" / "v-0").write_bytes(b"older")  # the next collect there lists it again
    assert layout.collect(str(fresh)) == [str(tmp_path / "fresh" / "v-0")]


def test_write_atomically_makes_missing_parent_folders(tmp_path):
    deep = tmp_path / "a" / "b" / "c" / "v-1"
    layout.write_atomically(str(deep), b"x")
    assert deep.read_bytes() == b"x" and str(deep.parent) in layout._MADE


def test_a_value_stored_before_versioning_makes_way_for_the_versions(tmp_path):
    base = tmp_path / "store"
    base.mkdir()
    (base / "numbers").write_bytes(b"a plain pickle from an old store")

    @asset
    def numbers():
        return [1, 2]

    config = {"resources": {"io_manager": {"config": {"base_dir": str(base)}}}}
    # (a persistent store's run: an ephemeral one removes only the versions it recorded itself)
    instance = DagsterInstance.local(str(tmp_path / "home"))
    assert materialize([numbers], run_config=config, instance=instance).success
    assert layout.has_versions(str(base / "numbers"))  # `numbers@v-...`, beside it
    assert not (base / "numbers").exists()  # collected once the version's record was written


def _counting(monkeypatch) -> list[str]:
    """Record each mkdir tried and each open that fails for a missing folder, in order."""
    calls: list[str] = []
    real_open, real_mkdir = os.open, os.mkdir

    def counted_open(path, *args):
        try:
            return real_open(path, *args)
        except FileNotFoundError:
            calls.append("open failed")
            raise

    monkeypatch.setattr(layout.os, "open", counted_open)
    monkeypatch.setattr(layout.os, "mkdir", lambda path, *a: calls.append("mkdir") or real_mkdir(path, *a))
    return calls


def test_a_folder_inside_a_folder_this_process_made_is_made_before_its_first_open(tmp_path, monkeypatch):
    base = tmp_path / "store"
    layout.write_atomically(str(base / "first" / "v-1"), b"one")  # makes `store` and `first`
    calls = _counting(monkeypatch)
    layout.write_atomically(str(base / "second" / "v-1"), b"two")
    assert calls == ["mkdir"]  # no open failed first
    assert (base / "second" / "v-1").read_bytes() == b"two" and str(base / "second") in layout._MADE
    calls.clear()
    layout.write_atomically(str(base / "second" / "v-2"), b"three")  # a folder it made: opened at once
    layout.write_atomically(str(base / "second" / "v-2"), b"four")
    assert calls == [] and (base / "second" / "v-2").read_bytes() == b"four"
    assert sorted(os.listdir(base / "second")) == ["v-1", "v-2"]


def test_a_folder_made_meanwhile_by_another_writer_is_written_into(tmp_path, monkeypatch):
    base = tmp_path / "store"
    layout.write_atomically(str(base / "first" / "v-1"), b"one")
    (base / "theirs").mkdir()  # as another process would, between our mkdir and theirs
    calls = _counting(monkeypatch)
    layout.write_atomically(str(base / "theirs" / "v-1"), b"two")
    assert calls == ["mkdir"] and (base / "theirs" / "v-1").read_bytes() == b"two"
    assert str(base / "theirs") not in layout._MADE  # not ours: `collect` lists it


def test_a_plain_file_where_the_folder_goes_is_reported_as_before(tmp_path):
    base = tmp_path / "store"
    layout.write_atomically(str(base / "first" / "v-1"), b"one")
    (base / "old").write_bytes(b"a value from before versioning")
    with pytest.raises(NotADirectoryError):
        layout.write_atomically(str(base / "old" / "v-1"), b"two")
    assert (base / "old").read_bytes() == b"a value from before versioning"


def test_a_versions_file_name_is_the_sha256_of_its_text_each_time_it_is_asked_for(monkeypatch):
    import hashlib

    monkeypatch.setattr(layout, "_VERSION_FILES", {})
    for text in ["64faddddb1625950", "64faddddb1625950", "é", "", "64faddddb1625950"]:
        assert layout.version_file(text) == "v-" + hashlib.sha256(text.encode()).hexdigest()[:24]
    assert len(layout._VERSION_FILES) == 3  # each text worked out once

    class Text(str):
        def encode(self, *args):
            return b"other"

    assert layout.version_file(Text("x")) == "v-" + hashlib.sha256(b"other").hexdigest()[:24]  # not kept
    assert len(layout._VERSION_FILES) == 3


def test_a_key_of_ascii_letters_and_digits_is_its_own_name_without_quoting(monkeypatch):
    from urllib.parse import quote

    monkeypatch.setattr(layout, "_SAFE_NAMES", {})
    expected = {k: quote(k, safe="-_.~") for k in ["a501", "Sales2024", "x", "a_1", ".h", "ünï", "a b"]}
    quoted = []
    monkeypatch.setattr(layout, "quote", lambda part, safe: quoted.append(part) or quote(part, safe=safe))
    assert {k: layout.safe_name(k) for k in expected} == {**expected, ".h": "%2Eh"}
    assert quoted == ["a_1", ".h", "ünï", "a b"]  # the rest are their own names, unquoted


@pytest.mark.skipif(os.altsep is not None, reason="the joined path is os.path.join's there")
def test_a_path_inside_base_dir_is_os_path_joins_answer_without_calling_it(tmp_path, monkeypatch):
    cases = [(str(tmp_path), ["a"]), (str(tmp_path), ["a", "b", "p.1"]), ("/", ["a", "b"]),
             (str(tmp_path) + "/", ["../x", ".h"]), (str(tmp_path / "rel") + "/./", ["a"])]
    expected = [os.path.join(os.path.abspath(base), *[layout.safe_name(p) for p in parts]) for base, parts in cases]
    joined = []
    join = os.path.join
    monkeypatch.setattr(os.path, "join", lambda *a: joined.append(a) or join(*a))
    assert [layout._inside(base, parts) for base, parts in cases] == expected
    assert [a[0] for a in joined] == ["/"]  # only the root, which ends with the separator


def test_a_kept_path_is_the_path_worked_out_anew(tmp_path, monkeypatch):
    monkeypatch.setattr(layout, "_INSIDE", {})
    base = str(tmp_path)
    for parts in (["a"], ["a", "b"], ["a"], [".hidden", "x/y"], ["a", "b"]):
        assert layout.inside(base, parts) == layout._inside(base, parts)
        assert layout.inside(base, parts) == layout._inside(base, parts)
    assert len(layout._INSIDE) == 3

    class Part(str):
        pass

    assert layout.inside(base, [Part("a")]) == layout._inside(base, [Part("a")]) and len(layout._INSIDE) == 3
    with pytest.raises(PartitionError):
        layout.inside(base, ["a", 7])
    with pytest.raises(PartitionError):
        layout.inside(base, ["a", ["unhashable"]])
    monkeypatch.chdir(tmp_path)
    assert layout.inside("rel", ["a"]) == str(tmp_path / "rel" / "a") and len(layout._INSIDE) == 3  # not kept


def test_a_values_versions_are_files_beside_the_others_named_after_it(tmp_path):
    place = layout.inside(str(tmp_path), ["sales", "a@v-1"])  # `@` is escaped in a key
    assert layout.value_file(place, "7") == str(tmp_path / "sales" / ("a%40v-1@" + layout.version_file("7")))
    assert layout.folder_file(place, "7") == os.path.join(place, layout.version_file("7"))
    assert "@" not in "".join(layout.safe_name(chr(c)) for c in range(32, 0x250))


def test_collect_all_lists_a_folder_once_and_removes_only_each_values_superseded_versions(tmp_path, monkeypatch):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = layout.temp_prefix().rsplit(".", 2)[0]
    names = ["a@v-old", "a@v-new", "b@v-old", "b@v-new", "c@v-old", "ab@v-old", "a@other", "b", "v-loose",
             f"{host}.{int(dead.stdout)}.1-c@v-next", f"{layout.temp_prefix()}2-a@v-next"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "a").mkdir()  # a's folder of versions, from the layout before
    for name in ("v-1", "v-2", f"{host}.{int(dead.stdout)}.3-v-3", "b@v-old"):
        (tmp_path / "a" / name).write_bytes(b"x")
    listed = []
    real = os.listdir
    monkeypatch.setattr(layout.os, "listdir", lambda folder: listed.append(folder) or real(folder))
    removed = layout.collect_all([(str(tmp_path / "a@v-old"), lambda: True), (str(tmp_path / "b@v-new"), lambda: False),
                                  (str(tmp_path / "a@v-new"), lambda: True)])
    assert listed == [str(tmp_path), str(tmp_path / "a")]  # once each
    assert sorted(removed) == sorted([str(tmp_path / "a@v-old"), str(tmp_path / names[-2]),
                                      str(tmp_path / "a" / "v-1"), str(tmp_path / "a" / "v-2"),
                                      str(tmp_path / "a" / f"{host}.{int(dead.stdout)}.3-v-3")])
    assert sorted(real(tmp_path)) == sorted(set(names) - {"a@v-old", names[-2]} | {"a"})
    assert real(tmp_path / "a") == ["b@v-old"]  # (not a version of `a`: a's sub-key b's)


def test_collect_removes_a_plain_file_from_before_versioning_once_a_version_is_recorded(tmp_path):
    (tmp_path / "a").write_bytes(b"a pickle from before versioning")
    (tmp_path / "a@v-1").write_bytes(b"x")
    assert layout.collect(str(tmp_path / "a@v-1"), lambda: False) == []  # a reader may still want it
    assert layout.collect(str(tmp_path / "a@v-1")) == [str(tmp_path / "a")]
    assert os.listdir(tmp_path) == ["a@v-1"]


def test_a_fresh_store_makes_one_folder_not_one_per_value(tmp_path):
    @asset
    def first():
        return 1

    @asset
    def second(first):
        return first + 1

    base = tmp_path / "store"
    config = {"resources": {"io_manager": {"config": {"base_dir": str(base)}}}}
    result = materialize([first, second], run_config=config)
    assert result.output_for_node("second") == 2
    recorded = sorted(os.path.basename(m.metadata["path"].value) for m in result.asset_materializations)
    assert sorted(os.listdir(base)) == recorded and [n.split("@")[0] for n in recorded] == ["first", "second"]


def test_the_temp_prefix_asks_the_system_for_no_pid(monkeypatch):
    """It names the process by its kept id (`process_id`): a getpid system call per output
    written was one of a step's ~40."""
    expected = layout.temp_prefix()
    asked = []
    monkeypatch.setattr(os, "getpid", lambda: asked.append(1) or 0)
    assert layout.temp_prefix() == expected
    assert asked == []


@pytest.mark.skipif(os.altsep is not None, reason="the folder and name are os.path's there")
def test_a_temp_file_is_beside_its_value_as_os_path_joins_it(tmp_path, monkeypatch):
    # (and for a path as `inside` makes it, without asking os.path for its folder, name or join)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rel").mkdir()
    (tmp_path / "two").mkdir()
    cases = [str(tmp_path / "a@v-1"), "rel/b", "c", str(tmp_path) + "//two//d", "./e", str(tmp_path / "rel") + "/"]
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *a: opened.append(path) or real_open(path, *a))
    calls = []
    for name in ("dirname", "basename", "join"):
        real = getattr(os.path, name)
        monkeypatch.setattr(os.path, name, lambda *a, _real=real, _name=name: calls.append(_name) or _real(*a))
    for path in cases:
        del opened[:], calls[:]
        try:
            layout.write_atomically(path, b"x")
        except OSError:  # (a path ending in a separator names no file: refused at the rename)
            assert path.endswith("/")
        asked = list(calls)
        folder, name = os.path.dirname(path) or ".", os.path.basename(path)  # (calls made after the write)
        assert len(opened) == 1 and opened[0].startswith(os.path.join(folder, layout.temp_prefix()))
        assert opened[0].endswith("-" + name)
        assert os.path.dirname(opened[0]) == os.path.dirname(os.path.join(folder, "t"))
        if path == cases[0]:  # absolute, one separator between names: only the fresh-folder look's dirname
            assert asked == ["dirname"]


def test_a_write_that_takes_part_of_the_value_is_followed_by_the_rest(tmp_path, monkeypatch):
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:3])))
    target = tmp_path / "value"
    layout.write_atomically(str(target), b"0123456789")
    assert target.read_bytes() == b"0123456789" and os.listdir(tmp_path) == ["value"]
