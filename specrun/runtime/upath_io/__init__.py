"""IO managers on any fsspec store (S3, GCS, Azure Blob, local), through universal-pathlib.

`fs_io_manager` with a URL `base_dir` builds `PickledObjectUPathIOManager`; subclass
`UPathIOManager` for other formats. The store drivers are optional extras:
`pip install 'specrun[s3]'` (or `[gcs]`, `[azure]`).
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from .manager import PickledObjectUPathIOManager, UPathIOManager
from .stores import ObjectStoreError, is_url, open_store, storage_options_from_config
from .versions import recordable_options

__all__ = ["ObjectStoreError", "PickledObjectUPathIOManager", "UPathIOManager",
           "is_url", "object_store_io_manager", "open_store"]


def object_store_io_manager(base_dir: str, storage_options: Optional[Mapping[str, Any]] = None
                            ) -> PickledObjectUPathIOManager:
    """The pickling IO manager under the URL `base_dir`, storage options from config."""
    path = open_store(base_dir, storage_options_from_config(storage_options))
    return PickledObjectUPathIOManager(path, recorded_storage_options=recordable_options(storage_options))
