"""The JSON Schema of spec files, shipped as package data."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any


@functools.lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The pipeline spec schema (JSON Schema, Draft 2020-12)."""
    text = resources.files(__package__).joinpath("pipeline.schema.json").read_text(encoding="utf-8")
    return json.loads(text)
