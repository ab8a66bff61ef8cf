"""`specrun init DIR`: a starter project that runs as written."""

from __future__ import annotations

import os

from ..errors import SpecrunError

PIPELINE = """\
# yaml-language-server: $schema={schema}
specrun: 1
name: {name}
module: assets          # short `fn:` names are functions in assets.py beside this file

resources:
  io_manager: {{type: fs, config: {{base_dir: .specrun/storage}}}}

assets:
  numbers:
    fn: numbers
    config: {{count: 5}}
  total:
    fn: total           # its parameter `numbers` makes it depend on the asset `numbers`

checks:
  total_is_positive:
    asset: total
    fn: total_is_positive
"""

ASSETS = '''\
"""Asset functions of the {name} pipeline."""

from specrun import AssetCheckResult


def numbers(context) -> list[int]:
    return list(range(1, context.op_config["count"] + 1))


def total(numbers: list[int]) -> int:
    return sum(numbers)


def total_is_positive(total: int) -> AssetCheckResult:
    return AssetCheckResult(passed=total > 0, metadata={{"total": total}})
'''


def write_starter(directory: str) -> list[str]:
    """Write pipeline.yaml and assets.py into `directory` (refusing to overwrite)."""
    os.makedirs(directory, exist_ok=True)
    name = os.path.basename(os.path.abspath(directory)).replace("-", "_") or "pipeline"
    schema = "https://raw.githubusercontent.com/specrun/specrun/main/specrun/schemas/pipeline.schema.json"
    local = os.path.join(os.path.dirname(os.path.dirname(__file__)), "schemas", "pipeline.schema.json")
    if os.path.exists(local):
        schema = os.path.relpath(local, os.path.abspath(directory))
    files = {"pipeline.yaml": PIPELINE.format(schema=schema, name=name), "assets.py": ASSETS.format(name=name)}
    written = []
    for filename, text in files.items():
        path = os.path.join(directory, filename)
        if os.path.exists(path):
            raise SpecrunError(f"{path} already exists; choose an empty directory")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        written.append(path)
    return written
