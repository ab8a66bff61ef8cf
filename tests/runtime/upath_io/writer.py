"""A process that writes one large output to a store, for the tests that kill it mid-write.

    python -m tests.runtime.upath_io.writer BASE_URL MEGABYTES pickle|stream
"""

from __future__ import annotations

import os
import sys

from specrun import asset, materialize
from specrun.runtime.upath_io import PickledObjectUPathIOManager, UPathIOManager


class StreamingIOManager(UPathIOManager):
    """Writes the bytes through the store's file object, 1 MB at a time."""

    def dump_to_path(self, context, obj, path):
        with path.open("wb") as fh:
            for start in range(0, len(obj), 2**20):
                fh.write(obj[start:start + 2**20])

    def load_from_path(self, context, path):
        return path.read_bytes()


def main(base_url: str, megabytes: int, how: str) -> None:
    @asset
    def big() -> bytes:
        return os.urandom(megabytes * 2**20)

    manager = PickledObjectUPathIOManager(base_url) if how == "pickle" else StreamingIOManager(base_url)
    materialize([big], resources={"io_manager": manager})


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
