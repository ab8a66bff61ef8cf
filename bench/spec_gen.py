"""Generated specs for the compile and plan benchmarks: N assets, each reading the previous
(every tenth starts a new chain), in YAML or TOML, with a module of no-op functions."""

from __future__ import annotations

import os


DEEP_FUNCTIONS = 200


def write_project(folder: str, n: int, fmt: str, deep: bool = False) -> str:
    """A project of `n` assets; `deep`: 200 distinct functions, each calling a chain of
    helpers (in the module and in a second one), a class and module constants, as the
    automatic code versions must follow."""
    _write_noop_module(folder, _deep_module() if deep else None)
    with open(os.path.join(folder, "noop_helpers.py"), "w") as fh:
        fh.write("".join(f"def shared_{k}(x):\n    return x + {k}\n\n\n" for k in range(20)))
    path = os.path.join(folder, f"pipeline.{fmt}")
    with open(path, "w") as fh:
        fh.write(_yaml(n, deep) if fmt == "yaml" else _toml(n))
    return path


def _write_noop_module(folder: str, source: str | None = None) -> None:
    """noop.py in `folder`: `first()` and `nxt(up)`, or the given source."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "noop.py"), "w") as fh:
        fh.write(source or "def first():\n    return 1\n\n\ndef nxt(up):\n    return up\n")


def _deep_module() -> str:
    lines = ["import noop_helpers", "", "LIMITS = {'rows': 10, 'cols': [1, 2, 3]}", "", "",
             "class Rows:", "    def keep(self, x):", "        return noop_helpers.shared_0(x)", "", ""]
    for k in range(20):
        lines += [f"def helper_{k}(x):", f"    return helper_{k + 1}(x) + noop_helpers.shared_{k}(x)"
                  if k < 19 else "    return x + LIMITS['rows']", "", ""]
    lines += ["def first():", "    return helper_0(1)", "", ""]
    for k in range(DEEP_FUNCTIONS):
        lines += [f"def nxt_{k}(up):", f"    return helper_{k % 20}(up) + Rows().keep({k})", "", ""]
    return "\n".join(lines)


def _yaml(n: int, deep: bool = False) -> str:
    lines = ["specrun: 1", "name: generated", "module: noop",
             "resources:", "  io_manager: {type: fs, config: {base_dir: .specrun/storage}}", "assets:"]
    for i in range(n):
        nxt = f"nxt_{i % DEEP_FUNCTIONS}" if deep else "nxt"
        if i % 10 == 0:
            lines.append(f"  a{i}: {{fn: first, group: g{i % 7}}}")
        else:
            lines.append(f"  a{i}: {{fn: {nxt}, ins: {{up: a{i - 1}}}, group: g{i % 7}}}")
    return "\n".join(lines) + "\n"


def _toml(n: int) -> str:
    lines = ["specrun = 1", 'name = "generated"', 'module = "noop"', "",
             "[resources.io_manager]", 'type = "fs"', 'config = { base_dir = ".specrun/storage" }', ""]
    for i in range(n):
        lines.append(f"[assets.a{i}]")
        lines.append('fn = "first"' if i % 10 == 0 else f'fn = "nxt"\nins = {{ up = "a{i - 1}" }}')
        lines.append(f'group = "g{i % 7}"')
    return "\n".join(lines) + "\n"


def write_chain_project(folder: str, n: int) -> str:
    """N assets in one chain (each reads the previous), stored by the fs IO manager."""
    _write_noop_module(folder)
    lines = ["specrun: 1", "name: chain", "module: noop",
             "resources:", "  io_manager: {type: fs, config: {base_dir: .specrun/storage}}", "assets:",
             "  a0: {fn: first}"]
    lines += [f"  a{i}: {{fn: nxt, ins: {{up: a{i - 1}}}}}" for i in range(1, n)]
    path = os.path.join(folder, "pipeline.yaml")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return path
