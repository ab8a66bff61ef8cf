"""Mutation testing of specrun's core modules with mutmut 3 (the `[mutation]` extra).

    python bench/mutation.py MODULE [MODULE ...]   # e.g. staleness policy config
    python bench/mutation.py --all
    python bench/mutation.py --list                # the modules and the tests run against each

Each module is mutated in a scratch copy of the project (`.mutation/MODULE/`, git-ignored)
and each mutant is run against the tests that cover that module only (mutmut first records
which of those tests call each function, then runs only those per mutant). The table gives,
per module, the mutants killed, survived, timed out, not covered by any test, and the score
(killed + timeout) / all. Survivors are listed by name: `cd .mutation/MODULE && mutmut show NAME`
shows the diff of one. Not part of the normal test run: it takes minutes per module.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# module name -> (the file mutated, the tests that cover it)
MODULES: dict[str, tuple[str, list[str]]] = {
    "staleness": ("specrun/runtime/staleness.py", ["tests/runtime/test_staleness.py"]),
    "scheduler": ("specrun/runtime/scheduler.py", ["tests/runtime/test_scheduler.py"]),
    "plan": ("specrun/runtime/plan.py", ["tests/runtime/test_plan.py", "tests/runtime/test_scheduler.py"]),
    "policy": ("specrun/runtime/definitions/policy.py", ["tests/runtime/test_execute.py"]),
    "config": ("specrun/runtime/config.py", ["tests/runtime/test_config.py", "tests/runtime/test_run_config.py"]),
    "partitions": ("specrun/runtime/partitions.py", ["tests/runtime/test_partitions.py"]),
    "partition_mappings": ("specrun/runtime/partition_mappings.py", ["tests/runtime/test_partitions.py"]),
    "io_managers": ("specrun/runtime/io_managers.py", ["tests/runtime/test_contexts.py"]),
    "io_context": ("specrun/runtime/context/io.py", ["tests/runtime/test_contexts.py",
                                                     "tests/conformance/test_io_contexts.py"]),
    "quick": ("specrun/schemas/quick.py", ["tests/schemas/test_quick.py"]),
    "validate": ("specrun/compiler/validate.py", ["tests/compiler/test_validate.py",
                                                  "tests/compiler/test_errors_by_kind.py"]),
    "resolve": ("specrun/compiler/resolve.py", ["tests/compiler/test_resolve.py",
                                                "tests/compiler/test_resolve_parts.py"]),
    "graph": ("specrun/compiler/graph.py", ["tests/compiler/test_graph.py", "tests/compiler/test_compile.py"]),
}

# what the tests read besides specrun/ and tests/ (copied into the scratch project)
ALSO_COPY = ["examples", "specs", "README.md"]


def _pyproject(source: str, tests: list[str]) -> str:
    def toml_list(items: list[str]) -> str:
        return "[" + ", ".join(json.dumps(i) for i in items) + "]"

    return (
        "[tool.mutmut]\n"
        f"paths_to_mutate = {toml_list([source])}\n"
        f"only_mutate = {toml_list([source])}\n"
        'source_paths = ["specrun"]\n'
        f"pytest_add_cli_args_test_selection = {toml_list(tests)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]\n'
        f"also_copy = {toml_list(['tests', *[p for p in ALSO_COPY if (ROOT / p).exists()]])}\n"
    )


def _prepare(name: str) -> Path:
    source, tests = MODULES[name]
    work = ROOT / ".mutation" / name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", ".specrun", ".hypothesis", "*.egg-info")
    for part in ["specrun", "tests", *ALSO_COPY]:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, work / part, ignore=ignore)
        elif src.exists():
            shutil.copy2(src, work / part)
    (work / "pyproject.toml").write_text(_pyproject(source, tests))
    (work / "pytest.ini").write_text("[pytest]\n")  # rootdir here, no config of the real project
    return work


def _results(work: Path) -> dict[str, list[str]]:
    """Mutant names by status, from mutmut's own report."""
    out = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=work,
                         capture_output=True, text=True, check=False).stdout
    found: dict[str, list[str]] = {}
    for line in out.splitlines():
        if ":" not in line:
            continue
        mutant, status = (part.strip() for part in line.rsplit(":", 1))
        found.setdefault(status, []).append(mutant)
    return found


def run(name: str, max_children: int) -> dict[str, object]:
    work = _prepare(name)
    env = {**os.environ, "PYTHONPATH": str(work)}  # the mutated copy, never the editable install
    with open(work / "mutmut-run.log", "w") as log:
        subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)],
                       cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    found = _results(work)
    killed = len(found.get("killed", []))
    timeout = len(found.get("timeout", []))
    survived = found.get("survived", [])
    untested = found.get("no tests", [])
    total = sum(len(v) for v in found.values())
    score = (killed + timeout) / total if total else 0.0
    return {"module": name, "total": total, "killed": killed, "timeout": timeout,
            "survived": survived, "no tests": untested,
            "other": {k: len(v) for k, v in found.items()
                      if k not in ("killed", "timeout", "survived", "no tests")},
            "score": score, "log": str(work / "mutmut-run.log")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help=f"any of: {', '.join(MODULES)}")
    parser.add_argument("--all", action="store_true", help="every module")
    parser.add_argument("--list", action="store_true", help="list the modules and their tests")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--show-survivors", action="store_true", help="print each survivor's name")
    args = parser.parse_args()
    if args.list:
        for name, (source, tests) in MODULES.items():
            print(f"{name:20} {source:42} {' '.join(tests)}")
        return 0
    names = list(MODULES) if args.all else args.modules
    unknown = [n for n in names if n not in MODULES]
    if unknown or not names:
        parser.error(f"name modules from: {', '.join(MODULES)} (or --all); unknown: {', '.join(unknown)}")
    rows = []
    for name in names:
        row = run(name, args.max_children)
        rows.append(row)
        print(f"{name}: {row['killed']} killed, {len(row['survived'])} survived (log: {row['log']})",
              file=sys.stderr)
    print(f"{'module':20} {'mutants':>8} {'killed':>7} {'timeout':>8} {'survived':>9} {'no tests':>9} {'score':>6}")
    for row in rows:
        print(f"{row['module']:20} {row['total']:>8} {row['killed']:>7} {row['timeout']:>8} "
              f"{len(row['survived']):>9} {len(row['no tests']):>9} {row['score']:>6.0%}")
        if args.show_survivors:
            for mutant in row["survived"]:
                print(f"    survived: {mutant}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
