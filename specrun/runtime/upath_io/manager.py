"""`UPathIOManager`: outputs stored under any fsspec URL, one object per asset partition.

Users subclass it for their own formats by writing `dump_to_path` and `load_from_path`, as in
Dagster's `UPathIOManager`; `PickledObjectUPathIOManager` is the pickling default that
`fs_io_manager` uses when its `base_dir` is a URL (`s3://bucket/prefix`).

A reader never sees a partial object: where one upload to the store is all-or-nothing (S3, GCS,
Azure, see `stores.py`) the pickle is uploaded to its key in one call; otherwise, and always for a
subclass's `dump_to_path` (which may stream, and an fsspec file commits what it holds when an
exception closes it), the value is written to a temporary key beside the final one and moved into
place (a server-side copy on object stores, `os.replace` on local disk). Keys are made safe: a
part of an asset key or partition key never becomes `..`, `/` or an absolute path.
"""

from __future__ import annotations

import contextlib
import pickle
import uuid
from abc import abstractmethod
from typing import TYPE_CHECKING, Any, Optional, Union

from ..context.io import InputContext, OutputContext
from ..io_managers import IOManager, _identifier, _maps_to_no_partitions, _partitions
from . import stores

if TYPE_CHECKING:
    from upath import UPath

_TMP_PREFIX = ".tmp-"


def safe_part(part: str) -> str:
    """`part` as one path segment: `%`, `/` and `\\` escaped, `.`/`..` escaped, NUL or empty refused."""
    if part == "" or "\x00" in part:
        raise ValueError(f"{part!r} cannot be part of a stored path (empty, or holds a NUL byte)")
    part = part.replace("%", "%25").replace("/", "%2F").replace("\\", "%5C")
    return part.replace(".", "%2E") if part in (".", "..") else part


class UPathIOManager(IOManager):
    """Stores each output at `base_path / <asset key parts> [/ <partition>][extension]`.

    Subclass it and write `dump_to_path(context, obj, path)` and `load_from_path(context,
    path)`; `path` is a `upath.UPath` on the base path's store, with its storage options.
    """

    extension: Optional[str] = None  # e.g. ".parquet"; override in a subclass

    def __init__(self, base_path: Union["UPath", str, None] = None) -> None:
        from upath import UPath

        if self.extension and not self.extension.startswith("."):
            raise ValueError(f"extension must start with a dot, got {self.extension!r}")
        self._base_path = base_path if isinstance(base_path, UPath) else UPath(base_path or ".")

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

    # -- paths -------------------------------------------------------------------------------

    def path_for(self, parts: list[str], partition: Optional[str] = None) -> "UPath":
        """The path of an output named by `parts` (and `partition`), every part made safe."""
        segments = [safe_part(p) for p in parts]
        if partition is not None:
            segments.append(safe_part(partition))
        path = self._base_path.joinpath(*segments)
        return path.with_name(path.name + self.extension) if self.extension else path

    def _paths(self, context: Union[OutputContext, InputContext]) -> list["UPath"]:
        parts = _identifier(context)
        partitions = _partitions(context)
        return [self.path_for(parts, pk) for pk in partitions] or [self.path_for(parts)]

    # -- IOManager ----------------------------------------------------------------------------

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        paths = self._paths(context)
        for path in paths:
            try:
                self._write(context, obj, path)
            except (OSError, ValueError) as e:
                clear = stores.explain(e, "write", path)
                if clear is None:
                    raise
                raise clear from e
        metadata: dict[str, Any] = {"path": str(paths[0]) if len(paths) == 1 else [str(p) for p in paths]}
        metadata.update(self.get_metadata(context, obj))
        context.add_output_metadata(metadata)

    def load_input(self, context: InputContext) -> Any:
        keys = _partitions(context)
        if not keys and _maps_to_no_partitions(context):
            return {}
        paths = self._paths(context)
        if len(paths) == 1:
            return self._read(context, paths[0])
        return {pk: self._read(context, path) for pk, path in zip(keys, paths)}

    def has_output(self, context: OutputContext) -> bool:
        """Whether every object of this output exists (used to find missing outputs)."""
        paths = self._paths(context)
        try:
            return all(path.exists() for path in paths)
        except (OSError, ValueError) as e:
            clear = stores.explain(e, "look for", paths[0])
            if clear is None:
                raise
            raise clear from e

    # -- writing and reading ------------------------------------------------------------------

    def _write(self, context: OutputContext, obj: Any, path: "UPath") -> None:
        _make_parent(path)
        tmp = path.with_name(f"{_TMP_PREFIX}{uuid.uuid4().hex}-{path.name}")
        try:
            self.dump_to_path(context, obj, tmp)
            tmp.fs.mv(tmp.path, path.path)
        except BaseException:
            _remove_quietly(tmp)
            raise

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

    def _write(self, context: OutputContext, obj: Any, path: "UPath") -> None:
        store = stores.store_of(path.protocol)
        if store is None or not store.atomic_upload:
            return super()._write(context, obj, path)
        # One upload call: PutObject, or a multipart upload that is aborted on error and is
        # invisible until completed, so a killed or failed write leaves no object.
        path.fs.pipe_file(path.path, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _make_parent(path: "UPath") -> None:
    # Object stores have no folders, and s3fs's mkdir would create a missing bucket.
    if stores.store_of(path.protocol) is None:
        path.parent.mkdir(parents=True, exist_ok=True)


def _remove_quietly(path: "UPath") -> None:
    with contextlib.suppress(OSError):
        if path.exists():
            path.unlink()
