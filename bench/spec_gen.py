"""Generated specs for the compile and plan benchmarks: N assets, each reading the previous
(every tenth starts a new chain), in YAML or TOML, with a module of no-op functions."""

from __future__ import annotations

import os


def write_project(folder: str, n: int, fmt: str) -> str:
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "noop.py"), "w") as fh:
        fh.write("def first():\n    return 1\n\n\ndef nxt(up):\n    return up\n")
    path = os.path.join(folder, f"pipeline.{fmt}")
    with open(path, "w") as fh:
        fh.write(_yaml(n) if fmt == "yaml" else _toml(n))
    return path


def _yaml(n: int) -> str:
    lines = ["specrun: 1", "name: generated", "module: noop",
             "resources:", "  io_manager: {type: fs, config: {base_dir: .specrun/storage}}", "assets:"]
    for i in range(n):
        if i % 10 == 0:
            lines.append(f"  a{i}: {{fn: first, group: g{i % 7}}}")
        else:
            lines.append(f"  a{i}: {{fn: nxt, ins: {{up: a{i - 1}}}, group: g{i % 7}}}")
    return "\n".join(lines) + "\n"


def _toml(n: int) -> str:
    lines = ["specrun = 1", 'name = "generated"', 'module = "noop"', "",
             "[resources.io_manager]", 'type = "fs"', 'config = { base_dir = ".specrun/storage" }', ""]
    for i in range(n):
        lines.append(f"[assets.a{i}]")
        lines.append('fn = "first"' if i % 10 == 0 else f'fn = "nxt"\nins = {{ up = "a{i - 1}" }}')
        lines.append(f'group = "g{i % 7}"')
    return "\n".join(lines) + "\n"
