"""The `specrun` command.

Each command imports what it needs when it runs, so `specrun --help` starts fast, and each
module of commands is imported when one of its commands is asked for. The command group is in
group.py, error reporting in guard.py, and the commands in one module per group:
spec_commands (validate, render, graph, schema, templates, init), run_commands (plan, apply, observe),
history_commands (runs, logs, reexecute, status, report, ui), partition_commands.
"""

from __future__ import annotations

from .group import main
from .guard import _Ctx, _run_guarded

__all__ = ["main", "_Ctx", "_run_guarded"]
