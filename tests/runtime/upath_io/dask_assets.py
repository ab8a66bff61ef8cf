"""Assets for the Dask test: each value says which worker (working directory, pid) computed it."""

from __future__ import annotations

import os
import time

from specrun import AssetIn, StaticPartitionsDefinition, asset

DIRECTIONS = StaticPartitionsDefinition(["north", "south", "east", "west"])


@asset(partitions_def=DIRECTIONS)
def reading(context) -> dict:
    time.sleep(0.5)  # long enough that the scheduler hands the four steps to both idle workers
    return {"name": context.partition_key, "cwd": os.getcwd(), "pid": os.getpid()}


@asset(ins={"reading": AssetIn("reading")})
def compass(reading: dict) -> dict:
    return {"read": [reading[k] for k in DIRECTIONS.get_partition_keys()], "cwd": os.getcwd(),
            "pid": os.getpid()}


ASSETS = [reading, compass]
