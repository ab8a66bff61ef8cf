"""The JSON Schema of spec files, shipped as package data."""

from __future__ import annotations

import functools
import json
import os
from typing import Any


@functools.lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The pipeline spec schema (JSON Schema, Draft 2020-12)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pipeline.schema.json")
    try:  # a plain file beside this module: no importlib.resources (~10 ms) on `specrun validate`
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:  # installed as a zip: only importlib.resources can read it
        from importlib import resources

        text = resources.files(__package__).joinpath("pipeline.schema.json").read_text(encoding="utf-8")
    result: dict[str, Any] = json.loads(text)
    return result
