"""`specrun init DIR`: a starter project that runs as written."""

from __future__ import annotations

import json
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


SCHEMA_FILE = "specrun.schema.json"
GITIGNORE = """\
# specrun's run history and stored outputs (`specrun apply` recreates them)
.specrun/
"""


def write_starter(directory: str) -> list[str]:
    """Write pipeline.yaml, assets.py, a copy of the spec schema and a .gitignore into
    `directory` (refusing to overwrite the first two).

    The spec's `$schema` line names the copy by a relative path inside the project, so it
    keeps working after a clone or a rebuilt virtualenv (`specrun schema > specrun.schema.json`
    refreshes it after an upgrade)."""
    from ..schemas import load_schema

    os.makedirs(directory, exist_ok=True)
    name = os.path.basename(os.path.abspath(directory)).replace("-", "_") or "pipeline"
    files = {"pipeline.yaml": PIPELINE.format(schema=SCHEMA_FILE, name=name),
             "assets.py": ASSETS.format(name=name)}
    written = []
    for filename in files:
        path = os.path.join(directory, filename)
        if os.path.exists(path):
            raise SpecrunError(f"{path} already exists; choose an empty directory")
    extra = {SCHEMA_FILE: json.dumps(load_schema(), indent=2) + "\n"}
    ignore = os.path.join(directory, ".gitignore")
    if not os.path.exists(ignore):
        extra[".gitignore"] = GITIGNORE
    elif ".specrun/" not in open(ignore, encoding="utf-8").read().split():
        with open(ignore, "a", encoding="utf-8") as fh:
            fh.write("\n" + GITIGNORE)
        written.append(ignore)
    for filename, text in {**files, **extra}.items():
        path = os.path.join(directory, filename)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        written.append(path)
    return written
