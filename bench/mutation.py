"""Mutation testing of specrun's core modules with mutmut 3 (the `[mutation]` extra).

    python bench/mutation.py MODULE [MODULE ...]   # e.g. staleness policy config
    python bench/mutation.py --all
    python bench/mutation.py --list                # the modules and the tests run against each

Each module is mutated in a scratch copy of the project (`.mutation/MODULE/`, git-ignored)
and each mutant is run against the tests that cover that module only (mutmut first records
which of those tests call each function, then runs only those per mutant). The table gives,
per module, the mutants killed, survived, timed out, judged equivalent (listed with a reason in
bench/mutation_equivalents.md), not covered by any test, the score
(killed + timeout) / (all - equivalent), and the minutes the module took. Survivors are listed by name: `cd .mutation/MODULE && mutmut show NAME`
shows the diff of one. Not part of the normal test run: it takes minutes per module.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# module name -> (the files mutated, the tests that cover them)
MODULES: dict[str, tuple[list[str], list[str]]] = {
    "policy": (["specrun/runtime/definitions/policy.py"],
               ["tests/runtime/definitions/test_policy.py", "tests/runtime/test_execute.py",
                "tests/conformance/test_retry_policy.py"]),
    "config": (["specrun/runtime/config.py", "specrun/runtime/config_types.py"],
               ["tests/runtime/test_config_types.py", "tests/runtime/test_config.py",
                "tests/runtime/test_run_config.py"]),
    "selection": (["specrun/runtime/definitions/selection.py"],
                  ["tests/runtime/definitions/test_selection.py", "tests/conformance/test_check_selection.py"]),
    "quick": (["specrun/schemas/quick.py"], ["tests/schemas/test_quick.py"]),
    "validate": (["specrun/compiler/validate.py"], ["tests/compiler/test_validate.py",
                                                    "tests/compiler/test_errors_by_kind.py"]),
    "partitions": (["specrun/runtime/partitions/__init__.py", "specrun/runtime/partitions/base.py",
                    "specrun/runtime/partitions/multi.py"],
                   ["tests/runtime/partitions", "tests/runtime/test_partitions.py"]),
    "time_windows": (["specrun/runtime/partitions/time_window.py"],
                     ["tests/runtime/partitions", "tests/runtime/test_partitions.py"]),
    "partition_mappings": (["specrun/runtime/partitions/mappings.py"],
                           ["tests/runtime/partitions", "tests/runtime/test_partitions.py"]),
    "graph": (["specrun/compiler/graph.py"], ["tests/compiler/test_graph.py", "tests/compiler/test_compile.py"]),
    "staleness": (["specrun/runtime/staleness.py"], ["tests/runtime/test_staleness.py",
                                                     "tests/runtime/test_staleness_reasons.py"]),
    "plan": (["specrun/runtime/plan.py"], ["tests/runtime/test_plan.py", "tests/runtime/test_scheduler.py",
                                           "tests/runtime/test_dynamic_steps.py",
                                           "tests/runtime/definitions/test_assets.py",
                                           "tests/runtime/definitions/test_graph_assets.py",
                                           "tests/runtime/test_staleness_reasons.py",
                                           "tests/runtime/test_contexts.py"]),
    "io_context": (["specrun/runtime/context/io.py"], ["tests/runtime/context/test_io.py",
                                                       "tests/runtime/test_contexts.py",
                                                       "tests/conformance/test_io_contexts.py"]),
    "contexts": (["specrun/runtime/context/compute.py", "specrun/runtime/context/build.py"],
                 ["tests/runtime/context/test_compute.py", "tests/runtime/test_contexts.py",
                  "tests/conformance/test_op_context.py",
                  "tests/conformance/test_asset_context.py", "tests/conformance/test_builders.py"]),
    "resolve": (["specrun/compiler/resolve.py"],
                [f"tests/compiler/test_{name}.py" for name in (
                    "resolve", "resolve_definitions", "resolve_parts", "resolve_checks", "resolve_external",
                    "resolve_fan_out", "resolve_graphs", "compile", "partition_checks", "errors_by_kind", "use")]),
    "scheduler": (["specrun/runtime/scheduler.py"], ["tests/runtime/test_scheduler.py",
                                                     "tests/runtime/test_scheduler_events.py"]),
    "io_managers": (["specrun/runtime/io_managers.py"], ["tests/runtime/test_io_managers.py",
                                                         "tests/runtime/test_contexts.py"]),
}

# survivors judged equivalent (no test can tell them from the original), one table row each:
# | `mutant name` | module | reason |
EQUIVALENTS = ROOT / "bench" / "mutation_equivalents.md"

# tests that cannot run against a mutated copy: mypy reads mutmut's rewritten source (untyped
# trampolines, thousands of errors) rather than the module's behaviour
NOT_UNDER_MUTATION = ["tests/compiler/test_graph.py::test_compiler_passes_mypy_strict"]

# what the tests read besides specrun/ and tests/ (copied into the scratch project)
ALSO_COPY = ["examples", "specs", "README.md"]


def _pyproject(sources: list[str], tests: list[str]) -> str:
    def toml_list(items: list[str]) -> str:
        return "[" + ", ".join(json.dumps(i) for i in items) + "]"

    deselect = [arg for test in NOT_UNDER_MUTATION for arg in ("--deselect", test)]

    return (
        "[tool.mutmut]\n"
        f"paths_to_mutate = {toml_list(sources)}\n"
        f"only_mutate = {toml_list(sources)}\n"
        'source_paths = ["specrun"]\n'
        f"pytest_add_cli_args_test_selection = {toml_list(tests)}\n"
        f'pytest_add_cli_args = {toml_list(["-p", "no:cacheprovider", "-q", *deselect])}\n'
        f"also_copy = {toml_list(['tests', *[p for p in ALSO_COPY if (ROOT / p).exists()]])}\n"
    )


def _prepare(name: str) -> Path:
    sources, tests = MODULES[name]
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
    (work / "pyproject.toml").write_text(_pyproject(sources, tests))
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


def equivalents() -> dict[str, str]:
    """Mutant name -> the reason it is equivalent, from the table in EQUIVALENTS."""
    found: dict[str, str] = {}
    if EQUIVALENTS.exists():
        for line in EQUIVALENTS.read_text().splitlines():
            match = re.match(r"\|\s*`([^`]+)`\s*\|[^|]*\|\s*(.+?)\s*\|\s*$", line)
            if match:
                found[match.group(1)] = match.group(2)
    return found


def run(name: str, max_children: int) -> dict[str, object]:
    started = time.monotonic()
    work = _prepare(name)
    # the mutated copy, never the editable install; SPECRUN_MUTATION_RUN lets a property test draw
    # a fixed, smaller sample (the same for every mutant) instead of its full random one
    env = {**os.environ, "PYTHONPATH": str(work), "SPECRUN_MUTATION_RUN": "1"}
    with open(work / "mutmut-run.log", "w") as log:
        subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)],
                       cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    found = _results(work)
    killed = len(found.get("killed", []))
    timeout = len(found.get("timeout", []))
    known = equivalents()
    equivalent = [m for m in found.get("survived", []) if m in known]
    survived = [m for m in found.get("survived", []) if m not in known]
    untested = found.get("no tests", [])
    total = sum(len(v) for v in found.values())
    counted = total - len(equivalent)  # an equivalent mutant is no test's to kill
    score = (killed + timeout) / counted if counted else 0.0
    return {"module": name, "total": total, "killed": killed, "timeout": timeout,
            "survived": survived, "equivalent": equivalent, "no tests": untested,
            "minutes": (time.monotonic() - started) / 60,
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
        for name, (sources, tests) in MODULES.items():
            print(f"{name:20} {' '.join(sources)}\n{'':20} tests: {' '.join(tests)}")
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
    print(f"{'module':20} {'mutants':>8} {'killed':>7} {'timeout':>8} {'survived':>9} {'equivalent':>11} "
          f"{'no tests':>9} {'score':>6} {'minutes':>8}")
    for row in rows:
        print(f"{row['module']:20} {row['total']:>8} {row['killed']:>7} {row['timeout']:>8} "
              f"{len(row['survived']):>9} {len(row['equivalent']):>11} {len(row['no tests']):>9} "
              f"{row['score']:>6.1%} {row['minutes']:>8.1f}")
        if args.show_survivors:
            for mutant in row["survived"]:
                print(f"    survived: {mutant}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
