"""Assets for the Dask test: each says which worker (working directory, pid) computed it."""

from __future__ import annotations

import os
import time

from specrun import AssetIn, asset


def _made_here(name: str) -> dict:
    time.sleep(0.5)  # long enough that the scheduler hands the sources to both idle workers
    return {"name": name, "cwd": os.getcwd(), "pid": os.getpid()}


@asset
def north() -> dict:
    return _made_here("north")


@asset
def south() -> dict:
    return _made_here("south")


@asset
def east() -> dict:
    return _made_here("east")


@asset
def west() -> dict:
    return _made_here("west")


@asset(ins={name: AssetIn(name) for name in ("north", "south", "east", "west")})
def compass(north: dict, south: dict, east: dict, west: dict) -> dict:
    return {"read": [north, south, east, west], "cwd": os.getcwd(), "pid": os.getpid()}


ASSETS = [north, south, east, west, compass]
