"""IO managers: how step outputs are stored and how inputs are loaded back.

The built-ins: `fs_io_manager` pickles each output to a file under a base directory,
written to a temporary file and renamed so a reader never sees a partial file, one file
per partition; `mem_io_manager` keeps values in a dict for the life of the process.

The versioning contract (the fs IO manager follows it; another IO manager that stores asset
values somewhere durable should too, so that a kill can never pair a value with another
value's record):

- `handle_output` finds the value's data version in ``context.data_version`` (set before the
  value is stored; None when no record will follow, e.g. an op output or a hand-built
  context) and stores the value *under* it, never over the value an earlier record names.
  The fs layout is in `storage/layout.py`: ``<asset>[/<partition>]@v-<token of the version>``.
- It logs, as output metadata, ``specrun/stored`` (see `storage/stored.py`): what the record
  must say about the stored bytes (for a file: path, size, checksum). The record (the
  ASSET_MATERIALIZATION event, committed after `handle_output` returns) thus names the
  version that is current; `plan` compares the description with the file cheaply.
- `load_input` asks ``context.upstream_data_version(partition_key)`` for the version the
  current record names and reads the value stored under it. A value stored under a version no
  record names (its step was killed before the record was written) is never read.
- Once a record is committed, the instance removes the versions beside it that no record names
  (`layout.collect`, in batches: at the run's end at the latest), so at most the current
  version and one in-flight version are kept.
"""

from __future__ import annotations

import errno
import inspect
import io
import os
import pickle
from abc import ABC, abstractmethod
from typing import Any, Callable, Optional

from ..errors import LoadError
from .config import Field, Permissive, StringSource
from .definitions.values import value_class
from .faults import pause_point
from .storage import layout
from .storage.layout import write_atomically
from .storage.stored import STORED_METADATA_KEY, file_facts
from .context.io import InputContext, OutputContext
from .definitions.resources import ResourceDefinition, _make_resource


class InputManager(ABC):
    """Loads an input's value."""

    @abstractmethod
    def load_input(self, context: InputContext) -> Any:
        """Return the value of the input described by `context`."""


class IOManager(InputManager):
    """Stores outputs and loads them back as inputs downstream."""

    @abstractmethod
    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Store `obj`, the output described by `context`."""


@value_class(frozen=True, eq=False)
class IOManagerDefinition(ResourceDefinition):
    """A resource definition whose resource is an IO manager."""

    input_config_schema: Any = None
    output_config_schema: Any = None


@value_class(frozen=True, eq=False)
class InputManagerDefinition(ResourceDefinition):
    """A resource definition whose resource is an input manager."""

    input_config_schema: Any = None


def io_manager(
    config_schema: Any = None,
    description: Optional[str] = None,
    output_config_schema: Any = None,
    input_config_schema: Any = None,
    required_resource_keys: Optional[set[str]] = None,
) -> Any:
    """Decorate `fn(init_context) -> IOManager` as an IO manager resource."""
    if inspect.isfunction(config_schema):
        return _as_io_manager_def(_make_resource(config_schema, None, None, None))

    def decorate(fn: Callable[..., Any]) -> IOManagerDefinition:
        base = _make_resource(fn, config_schema, description, required_resource_keys)
        return _as_io_manager_def(base, input_config_schema, output_config_schema)

    return decorate


def _as_io_manager_def(base: ResourceDefinition, input_schema: Any = None,
                       output_schema: Any = None) -> IOManagerDefinition:
    return IOManagerDefinition(
        resource_fn=base.resource_fn, config_schema=base.config_schema,
        required_resource_keys=base.required_resource_keys, description=base.description,
        config_class=base.config_class, input_config_schema=input_schema,
        output_config_schema=output_schema,
    )


class _FunctionInputManager(InputManager):
    """An input manager whose `load_input` is a user function of the InputContext."""

    def __init__(self, fn: Callable[[InputContext], Any]) -> None:
        self._fn = fn

    def load_input(self, context: InputContext) -> Any:
        return self._fn(context)


def input_manager(
    config_schema: Any = None,
    description: Optional[str] = None,
    input_config_schema: Any = None,
    required_resource_keys: Optional[set[str]] = None,
) -> Any:
    """Decorate an input manager.

    Two forms, as in Dagster: a function of the InputContext (``def load(context)``) that
    returns the input's value; or a function of no argument (or of ``init_context``) that
    returns an `InputManager`/`IOManager` instance.
    """
    if inspect.isfunction(config_schema):
        return _make_input_manager(config_schema, None, None, None, None)

    def decorate(fn: Callable[..., Any]) -> InputManagerDefinition:
        return _make_input_manager(fn, config_schema, description, input_config_schema,
                                   required_resource_keys)

    return decorate


def _make_input_manager(fn, config_schema, description, input_schema, required_keys):
    params = list(inspect.signature(fn).parameters.values())
    is_loader = bool(params) and (
        params[0].name == "context" or params[0].annotation in (InputContext, "InputContext")
    )
    if is_loader:
        base = ResourceDefinition(lambda _ctx: _FunctionInputManager(fn),
                                  config_schema=config_schema, description=description)
    else:
        base = _make_resource(fn, config_schema, description, required_keys)
    return InputManagerDefinition(
        resource_fn=base.resource_fn, config_schema=base.config_schema,
        required_resource_keys=base.required_resource_keys, description=base.description,
        config_class=base.config_class, input_config_schema=input_schema,
    )


def _identifier(context: OutputContext | InputContext) -> list[str]:
    if context.asset_key is not None:
        return list(context.asset_key.parts)
    return context.get_identifier()


def _memory_key(context: OutputContext | InputContext) -> tuple[str, ...]:
    """`_identifier` as a tuple (a dict key), without the intermediate list for asset values."""
    if context.asset_key is not None:
        return context.asset_key.parts
    return tuple(context.get_identifier())


def _maps_to_no_partitions(context: InputContext) -> bool:
    """A partitioned upstream whose mapping selects no partition (the day before the first
    one, say): the input is an empty mapping, not an unpartitioned value."""
    return context.asset_key is not None and context.asset_partitions_def is not None


def _partitions(context: OutputContext | InputContext) -> list[str]:
    """Partition keys that name stored files: only asset values are stored per partition."""
    if context.asset_key is None or not context.has_asset_partitions:
        return []
    if isinstance(context, InputContext):
        return context.asset_partition_key_list
    return sorted(context.asset_partition_keys)


class InMemoryIOManager(IOManager):
    """Keeps every output in a dict keyed by asset (and partition) or by run/step/output."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, ...], Any] = {}

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        key = _memory_key(context)
        partitions = _partitions(context)
        for pk in partitions:
            self.values[key + (pk,)] = obj
        if not partitions:
            self.values[key] = obj

    def load_input(self, context: InputContext) -> Any:
        key = _memory_key(context)
        keys = _partitions(context)
        if not keys and _maps_to_no_partitions(context):
            return {}
        if not keys:
            return self._get(key, context)
        if len(keys) == 1:
            return self._get(key + (keys[0],), context)
        return {pk: self._get(key + (pk,), context) for pk in keys}

    # The keyed capability (see `..keyed_io`): an unpartitioned value by its key, no contexts.
    def store_by_key(self, key: tuple[str, ...], obj: Any) -> None:
        self.values[key] = obj

    def load_by_key(self, key: tuple[str, ...]) -> Any:
        return self.values[key]

    def has_output(self, context: OutputContext) -> bool:
        """Whether a value is stored for this output (used to find missing outputs)."""
        key = tuple(_identifier(context))
        partitions = _partitions(context)
        if partitions:
            return all(key + (pk,) in self.values for pk in partitions)
        return key in self.values

    def _get(self, key: tuple[str, ...], context: InputContext) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise FileNotFoundError(
                f"no stored value for {'/'.join(key)} (input {context.name!r}): it was never "
                "materialized in this process; the in-memory IO manager keeps nothing across runs"
            ) from None


class PickledObjectFilesystemIOManager(IOManager):
    """Pickles outputs to files under `base_dir`; asset values are versioned (module docstring)."""

    def __init__(self, base_dir: str) -> None:
        self.base_dir = base_dir

    def path_for(self, parts: list[str]) -> str:
        """The file named by `parts` (for a versioned value, the start of its versions' names:
        `layout.value_file`)."""
        return layout.inside(self.base_dir, parts)

    def _value_paths(self, parts: list[str], partitions: list[str], version: Optional[str]) -> list[str]:
        places = [self.path_for(parts + [pk]) for pk in partitions] or [self.path_for(parts)]
        if version is None:  # no record will name this value: the unversioned place
            return places
        return [layout.value_file(place, version) for place in places]

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        parts = _identifier(context)
        version = context.data_version if context.asset_key is not None else None
        paths = self._value_paths(parts, _partitions(context), version)
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        for path in paths:
            try:
                written = write_atomically(path, data)
            except NotADirectoryError:
                folder = os.path.dirname(path)
                if version is None or not os.path.isfile(folder):
                    raise
                os.unlink(folder)  # a value from before versioning: the versions go here
                written = write_atomically(path, data)
        one = version is not None and len(paths) == 1  # (its path made absolute by `layout.inside`)
        stored = {STORED_METADATA_KEY: file_facts(paths[0], data, written, absolute=True)} if one else {}
        context.add_output_metadata({"path": paths[0] if len(paths) == 1 else paths, **stored})  # (one call)

    def has_output(self, context: OutputContext) -> bool:
        """Whether every file of this output exists (unversioned or any version)."""
        parts = _identifier(context)
        places = [self.path_for(parts + [pk]) for pk in _partitions(context)] or [self.path_for(parts)]
        return all(os.path.isfile(p) or layout.has_versions(p) for p in places)

    def load_input(self, context: InputContext) -> Any:
        parts = _identifier(context)
        keys = _partitions(context)
        if not keys and _maps_to_no_partitions(context):
            return {}
        if not keys:
            return self._load_current(parts, None, context)
        if len(keys) == 1:
            return self._load_current(parts, keys[0], context)
        return {pk: self._load_current(parts, pk, context) for pk in keys}

    def _load_current(self, parts: list[str], partition: Optional[str], context: InputContext) -> Any:
        """The recorded value: the version its record names. Without a record (an instance
        that does not know this store, e.g. an ephemeral one), the newest version; a plain
        file is a store written before values were versioned."""
        place = self.path_for(parts + [partition] if partition is not None else parts)
        version = context.upstream_data_version(partition)  # (None for an op output)
        if version is not None:
            pause_point("before-load")
            return _read_pickle(layout.value_file(place, version), context, place, version)
        if os.path.isfile(place):  # an op output, or a value from before versioning
            return _read_pickle(place, context)
        return _read_pickle(layout.newest_version(place) or place, context)


def _read_pickle(path: str, context: InputContext, place: Optional[str] = None,
                 version: Optional[str] = None) -> Any:
    """The value pickled at `path`; with a `version`, `path` is its file (`layout.value_file`)
    and a store written before that layout has it in `place`'s folder of versions, or as the
    plain file `place` (from before versioning)."""
    try:
        fd = _open_stored(path, place, version)
        try:
            return _unpickle(fd, path)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise FileNotFoundError(f"no stored value for {_what(context)} at {path}: materialize it first") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError) as e:
        raise LoadError(f"cannot load the stored value of {_what(context)} from {path}: "
                        f"{type(e).__name__}: {e} (re-materialize it: `specrun apply --force`)") from e


def _open_stored(path: str, place: Optional[str], version: Optional[str]) -> int:
    """`path` opened to read (a descriptor; see `_read_pickle` for `place` and `version`),
    without looking first: one system call less per input."""
    try:
        return os.open(path, _READ_FLAGS)
    except FileNotFoundError:
        if place is None or version is None:
            raise
    try:
        return os.open(layout.folder_file(place, version), _READ_FLAGS)
    except FileNotFoundError:
        raise FileNotFoundError(path) from None  # (the error names the file of this layout)
    except NotADirectoryError:
        return os.open(place, _READ_FLAGS)


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_WHOLE = 1 << 16  # bytes: a stored value up to this size is read in one call


def _unpickle(fd: int, path: str) -> Any:
    """The value pickled in the file open as `fd` (`path`): a small one read whole (two reads,
    no buffered reader), a larger one unpickled as it is read, never held whole in memory."""
    try:
        data = os.read(fd, _WHOLE)
        if len(data) < _WHOLE and not os.read(fd, 1):
            return pickle.loads(data)
    except IsADirectoryError:  # (what opening it with `open` says)
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path) from None
    os.lseek(fd, 0, os.SEEK_SET)
    raw = io.FileIO(fd, "rb", closefd=False)
    with io.BufferedReader(raw, raw._blksize) as fh:  # type: ignore[attr-defined]
        return pickle.load(fh)


def _what(context: InputContext) -> str:
    """What an input reads, for an error: its asset key, or the input's name."""
    return context.asset_key.to_user_string() if context.asset_key else context.name


def _base_dir(configured: Optional[str], init_context: Any) -> str:
    if configured:
        return configured
    instance = getattr(init_context, "instance", None)
    if instance is not None:
        return instance.storage_directory
    return os.path.join(os.getcwd(), ".specrun", "storage")


@io_manager(config_schema={
    "base_dir": Field(StringSource, is_required=False,
                      description="Folder, or object-store URL (s3://bucket/prefix), the pickles are written to"),
    "storage_options": Field(Permissive(), is_required=False,
                             description="fsspec options of a URL base_dir (endpoint_url, ...); "
                                         "secrets as {env: NAME}"),
})
def fs_io_manager(init_context: Any) -> IOManager:
    """Pickle outputs under ``base_dir`` (default: the instance's storage directory).

    A URL ``base_dir`` (``s3://bucket/prefix``, ``gs://...``, ``az://...``) stores them in that
    object store instead, through `upath_io.PickledObjectUPathIOManager`.
    """
    config = init_context.resource_config or {}
    return filesystem_io_manager(config.get("base_dir"), config.get("storage_options"), init_context)


def filesystem_io_manager(base_dir: Optional[str], storage_options: Any, init_context: Any) -> IOManager:
    """The pickling IO manager for `base_dir`: a local folder, or an object-store URL."""
    if base_dir and "://" in base_dir:
        from .upath_io import object_store_io_manager

        return object_store_io_manager(base_dir, storage_options)
    return PickledObjectFilesystemIOManager(_base_dir(base_dir, init_context))


@io_manager
def mem_io_manager(init_context: Any) -> IOManager:
    """Keep outputs in memory for the life of the process."""
    return InMemoryIOManager()


def is_io_manager_def(value: Any) -> bool:
    return isinstance(value, IOManagerDefinition) or isinstance(value, IOManager)
