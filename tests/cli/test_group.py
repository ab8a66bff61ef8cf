"""specrun/cli/group.py: the command group imports a module of commands when one is asked for."""

from __future__ import annotations

import subprocess
import sys

_MODULES = ("spec_commands", "run_commands", "history_commands", "partition_commands")


def _run(code: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


def test_looking_up_apply_imports_only_the_run_commands():
    code = ("import sys; from specrun.cli import main\n"
            "main.get_command(None, 'apply')\n"
            f"print(sorted(m for m in {_MODULES!r} if 'specrun.cli.' + m in sys.modules))")
    assert _run(code) == ["['run_commands']"]


def test_every_command_is_in_the_table_of_modules_and_reads_debug_after_its_name():
    code = ("import importlib; from specrun.cli import main; from specrun.cli.group import COMMAND_MODULES\n"
            "print(sorted(main.list_commands(None)) == sorted(COMMAND_MODULES))\n"
            "for name in main.list_commands(None):\n"
            "    command = main.get_command(None, name)\n"
            "    subs = command.commands.values() if name == 'partitions' else ()\n"
            "    print(name, command.name == name, [p.name for c in [command, *subs] for p in c.params].count('debug'),"
            " 1 + len(subs))\n"
            f"for m in {_MODULES!r}: importlib.import_module('specrun.cli.' + m)\n"
            "print(sorted(main.commands) == sorted(COMMAND_MODULES))")
    lines = _run(code)
    assert lines[0] == "True" and lines[-1] == "True"
    shown = {line.split()[0]: line.split()[1:] for line in lines[1:-1]}
    assert sorted(shown) == ["apply", "graph", "init", "logs", "observe", "partitions", "plan", "reexecute",
                             "render", "report", "runs", "schema", "status", "templates", "ui", "validate"]
    assert shown["partitions"] == ["True", "4", "4"]  # the group and add, list, delete
    assert all(v == ["True", "1", "1"] for k, v in shown.items() if k != "partitions")
