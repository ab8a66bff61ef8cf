"""IO managers declared as typed (pydantic) config classes.

Apart from `io_managers.py` so that pydantic is imported only by code that uses them.
"""

from __future__ import annotations

from typing import Any, Optional

from .definitions.configurable import ConfigurableResource
from .io_managers import IOManager, filesystem_io_manager


class ConfigurableIOManager(ConfigurableResource, IOManager):
    """An IO manager declared as a typed config class; the instance is the manager."""


class ConfigurableIOManagerFactory(ConfigurableResource):
    """A typed config class whose `create_io_manager(context)` builds the IO manager."""

    def create_io_manager(self, context: Any) -> IOManager:
        raise NotImplementedError

    def yield_for_execution(self, context: Any):
        yield self.create_io_manager(context)


class FilesystemIOManager(ConfigurableIOManagerFactory):
    """Typed-config form of `fs_io_manager`."""

    base_dir: Optional[str] = None
    storage_options: Optional[dict[str, Any]] = None  # of a URL base_dir; secrets as EnvVar

    def create_io_manager(self, context: Any) -> IOManager:
        return filesystem_io_manager(self.base_dir, self.storage_options, context)
