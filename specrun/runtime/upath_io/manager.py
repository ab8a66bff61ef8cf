"""`UPathIOManager`: outputs stored under any fsspec URL, one object per asset partition.

Users subclass it for their own formats by writing `dump_to_path` and `load_from_path`, as in
Dagster's `UPathIOManager`; `PickledObjectUPathIOManager` is the pickling default that
`fs_io_manager` uses when its `base_dir` is a URL (`s3://bucket/prefix`).

It keeps the fs IO manager's contract (`io_managers`, `storage/layout.py`): keys are made safe
by `layout.safe_name`; an asset value whose record will follow is stored under its data
version, ``<asset>/[<partition>/]v-<token>``, and read back at the version the current record
names, so a value no record names (a killed step's) is never read, and the instance removes it
once a newer record is committed (`versions.collect_objects`). An op output is stored at
``<run id>/<step>/<output>``.

A reader never sees a partial object: where one upload to the store is all-or-nothing (S3, GCS,
Azure, see `stores.py`) the pickle is uploaded to its key in one call; otherwise, and always for a
subclass's `dump_to_path` (which may stream, and an fsspec file commits what it holds when an
exception closes it), the value is written to a temporary key beside the final one and moved into
place (a server-side copy on object stores, `os.replace` on local disk).
"""

from __future__ import annotations

import contextlib
import pickle
import uuid
from abc import abstractmethod
from typing import TYPE_CHECKING, Any, Optional, Union

from ..context.io import InputContext, OutputContext
from ..io_managers import IOManager, _identifier, _maps_to_no_partitions, _partitions
from ..storage import layout
from ..storage.stored import STORED_METADATA_KEY
from . import stores, versions

if TYPE_CHECKING:
    from upath import UPath

class UPathIOManager(IOManager):
    """Stores each output at `base_path / <asset key parts> [/ <partition>] / v-<token>[extension]`
    (an op output, or a value no record will name: without the `v-<token>` level).

    Subclass it and write `dump_to_path(context, obj, path)` and `load_from_path(context,
    path)`; `path` is a `upath.UPath` on the base path's store, with its storage options.
    `recorded_storage_options` are what records may carry for `plan` to reach the store
    (default: the base path's options without literal secrets).
    """

    extension: Optional[str] = None  # e.g. ".parquet"; override in a subclass

    def __init__(self, base_path: Union["UPath", str, None] = None, *,
                 recorded_storage_options: Optional[dict[str, Any]] = None) -> None:
        from upath import UPath

        if self.extension and not self.extension.startswith("."):
            raise ValueError(f"extension must start with a dot, got {self.extension!r}")
        self._base_path = base_path if isinstance(base_path, UPath) else UPath(base_path or ".")
        self._recorded_options = recorded_storage_options

    @property
    def base_path(self) -> "UPath":
        return self._base_path

    @abstractmethod
    def dump_to_path(self, context: OutputContext, obj: Any, path: "UPath") -> None:
        """Write `obj` to `path`."""

    @abstractmethod
    def load_from_path(self, context: InputContext, path: "UPath") -> Any:
        """Read the value stored at `path`."""

    def get_metadata(self, context: OutputContext, obj: Any) -> dict[str, Any]:
        """Extra output metadata for `obj`; override to add some."""
        return {}

    @property
    def recorded_storage_options(self) -> dict[str, Any]:
        """The storage options a record may carry for `plan` to reach the store: the base
        path's, without literal secrets (`plan` reads those from the environment)."""
        if self._recorded_options is not None:
            return self._recorded_options
        options = dict(self._base_path.storage_options)
        for key in stores.literal_secrets(options):
            options.pop(key[0], None)
        return options

    # -- paths -------------------------------------------------------------------------------

    def path_for(self, parts: list[str], partition: Optional[str] = None) -> "UPath":
        """Where the output named by `parts` (and `partition`) lives, every part made safe: the
        object itself when unversioned, else the folder of its versions."""
        segments = [layout.safe_name(p) for p in parts]
        if partition is not None:
            segments.append(layout.safe_name(partition))
        return self._base_path.joinpath(*segments)

    def _named(self, path: "UPath") -> "UPath":
        return path.with_name(path.name + self.extension) if self.extension else path

    def _version_path(self, place: "UPath", version: str) -> "UPath":
        return self._named(place / layout.version_file(version))

    def _places(self, context: Union[OutputContext, InputContext]) -> list[tuple[Optional[str], "UPath"]]:
        parts = _identifier(context)
        partitions = _partitions(context)
        return [(pk, self.path_for(parts, pk)) for pk in partitions] or [(None, self.path_for(parts))]

    # -- IOManager ----------------------------------------------------------------------------

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Store `obj`: under its data version when a record will name it (module docstring)."""
        version = getattr(context, "data_version", None) if context.asset_key is not None else None
        places = [place for _pk, place in self._places(context)]
        paths = [self._version_path(p, version) for p in places] if version else [self._named(p) for p in places]
        written = {}
        for path in paths:
            try:
                written[str(path)] = self._write(context, obj, path)
            except (OSError, ValueError) as e:
                raise _clear_or(e, "write", path) from e
        metadata: dict[str, Any] = {"path": str(paths[0]) if len(paths) == 1 else [str(p) for p in paths]}
        if version and len(paths) == 1:
            metadata[STORED_METADATA_KEY] = versions.object_facts(
                paths[0], written[str(paths[0])], self.recorded_storage_options)
        metadata.update(self.get_metadata(context, obj))
        context.add_output_metadata(metadata)

    def load_input(self, context: InputContext) -> Any:
        keys = _partitions(context)
        if not keys and _maps_to_no_partitions(context):
            return {}
        values = {pk: self._read_current(context, pk, place) for pk, place in self._places(context)}
        return values if len(values) > 1 else next(iter(values.values()))

    def has_output(self, context: OutputContext) -> bool:
        """Whether every output has an object (unversioned, or any version)."""
        places = [place for _pk, place in self._places(context)]
        try:
            return all(self._named(p).exists() or self._newest_version(p) is not None for p in places)
        except (OSError, ValueError) as e:
            raise _clear_or(e, "look for", places[0]) from e

    # -- writing and reading ------------------------------------------------------------------

    def _write(self, context: OutputContext, obj: Any, path: "UPath") -> Optional[dict[str, Any]]:
        """Store `obj` at `path`; returns what the store said of the object, when it said."""
        _make_parent(path)
        tmp = path.with_name(f"{layout.TEMP_PREFIX}{uuid.uuid4().hex}-{path.name}")
        try:
            self.dump_to_path(context, obj, tmp)
            tmp.fs.mv(tmp.path, path.path)
        except BaseException:
            _remove_quietly(tmp)
            raise
        return None

    def _read_current(self, context: InputContext, partition: Optional[str], place: "UPath") -> Any:
        """The value the current record names; without one (an instance that does not know
        this store), the newest version; an unversioned object as written before versions."""
        lookup = getattr(context, "upstream_data_version", None)
        version = lookup(partition) if lookup is not None and context.asset_key is not None else None
        if version is not None:
            try:
                return self._read(context, self._version_path(place, version))
            except FileNotFoundError:
                pass  # a value stored before versioning, at the place itself
        elif context.asset_key is not None:
            newest = self._newest_version(place)
            if newest is not None:
                return self._read(context, newest)
        return self._read(context, self._named(place))

    def _newest_version(self, place: "UPath") -> Optional["UPath"]:
        try:
            found = place.fs.ls(place.path, detail=True)
        except (FileNotFoundError, NotADirectoryError):
            return None
        found = [f for f in found if f.get("type") == "file"
                 and f["name"].rsplit("/", 1)[-1].startswith(layout.VERSION_PREFIX)]
        if not found:
            return None
        newest = max(found, key=lambda f: f.get("LastModified") or f.get("mtime") or f.get("last_modified") or 0)
        return place / newest["name"].rsplit("/", 1)[-1]

    def _read(self, context: InputContext, path: "UPath") -> Any:
        try:
            return self.load_from_path(context, path)
        except (OSError, ValueError) as e:
            clear = stores.explain(e, "read", path)
            if clear is not None:
                raise clear from e
            if not isinstance(e, FileNotFoundError):
                raise
            what = context.asset_key.to_user_string() if context.asset_key else context.name
            raise FileNotFoundError(f"no stored value for {what} at {path}: materialize it first") from None


class PickledObjectUPathIOManager(UPathIOManager):
    """Pickles each output to one object; the default under a URL `base_dir`."""

    def dump_to_path(self, context: OutputContext, obj: Any, path: "UPath") -> None:
        path.write_bytes(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))

    def load_from_path(self, context: InputContext, path: "UPath") -> Any:
        return pickle.loads(path.fs.cat_file(path.path))  # no extra open/seek round trips

    def _write(self, context: OutputContext, obj: Any, path: "UPath") -> Optional[dict[str, Any]]:
        store = stores.store_of(path.protocol)
        if store is None or not store.atomic_upload:
            return super()._write(context, obj, path)
        # One upload call: PutObject, or a multipart upload that is aborted on error and is
        # invisible until completed, so a killed or failed write leaves no object.
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        said = path.fs.pipe_file(path.path, data)
        etag = said.get("ETag") if isinstance(said, dict) else None  # s3fs: a single PUT's answer
        return {"size": len(data), "ETag": etag} if etag else None


def _clear_or(error: BaseException, action: str, path: "UPath") -> BaseException:
    """The store's refusal as one clear error (credentials, missing bucket), else `error`."""
    clear = stores.explain(error, action, path)
    if clear is None:
        raise error
    return clear


def _make_parent(path: "UPath") -> None:
    # Object stores have no folders, and s3fs's mkdir would create a missing bucket.
    if stores.store_of(path.protocol) is None:
        if path.parent.is_file():  # a value from before versioning: its versions go here
            path.parent.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)


def _remove_quietly(path: "UPath") -> None:
    with contextlib.suppress(OSError):
        if path.exists():
            path.unlink()
