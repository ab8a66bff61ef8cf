"""specrun/compiler/model.py and model_sections.py: a spec's entries. A spec without `partitions:`,
`checks:`, `ops:`, `jobs:` or `executor:` makes none of their classes and imports no module resolving them."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from specrun.compiler.model import AssetEntry, ResourceEntry, build_spec
from specrun.compiler.model_sections import CheckEntry, ExecutorEntry, JobEntry, JobNodeEntry, OpEntry, PartitionsEntry
from specrun.compiler.parse import Document

_RARER = ("CheckEntry", "OpEntry", "JobNodeEntry", "ExecutorEntry", "JobEntry", "PartitionsEntry")
_MODULES = tuple(f"specrun.compiler.{m}" for m in ("model_sections", "resolve_checks", "op_jobs", "resolve_fan_out"))


def test_compiling_a_spec_of_assets_and_resources_imports_none_of_the_rarer_sections_code(tmp_path):
    (tmp_path / "fns.py").write_text("def a():\n    return 1\n\n\ndef b(a):\n    return a\n")
    (tmp_path / "spec.yaml").write_text(textwrap.dedent("""\
        specrun: 1
        name: two
        module: fns
        resources:
          io_manager: {type: fs, config: {base_dir: out}}
        assets:
          a: {fn: a}
          b: {fn: b}
        """))
    code = ("import sys; from specrun.compiler import compile_spec; s = compile_spec('spec.yaml').spec; "
            "print(sorted(s.assets), sorted(s.resources), s.partitions, s.checks, s.ops, s.jobs, s.executor); "
            f"print(sorted(n for m in list(sys.modules.values()) for n in {_RARER!r} "
            "if getattr(m, '__name__', '').startswith('specrun') and n in vars(m))); "
            f"print([m for m in {_MODULES!r} if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["['a', 'b'] ['io_manager'] {} {} {} {} None", "[]", "[]"]


def test_a_spec_with_every_section_gets_each_section_s_entries():
    data = {
        "name": "all",
        "resources": {"io_manager": {"type": "fs"}},
        "partitions": {"daily": {"type": "daily", "start": "2024-01-01"}},
        "assets": {"a": {"fn": "m:a", "partitions": "daily"}},
        "checks": {"x-skip": {}, "ok": {"asset": "a", "fn": "m:ok"}},
        "ops": {"one": {"fn": "m:one", "retry": {"max_retries": 2, "delay": 1}}},
        "jobs": {"j": {"ops": {"n": {"op": "one"}}, "executor": {"type": "in_process"}},
                 "s": {"selection": "a b"}},
        "executor": {"type": "multiprocess", "config": {"max_concurrent": 2}},
    }
    spec = build_spec(Document(data, "all.yaml", ""))
    assert spec.resources == {"io_manager": ResourceEntry("io_manager", "/resources/io_manager", "fs")}
    assert spec.assets["a"] == AssetEntry("a", "/assets/a", "m:a", partitions="daily")
    assert spec.partitions == {"daily": PartitionsEntry("daily", "/partitions/daily", "daily", {"start": "2024-01-01"})}
    assert spec.checks == {"ok": CheckEntry("ok", "/checks/ok", "m:ok", asset="a")}
    assert spec.ops["one"].retry.max_retries == 2 and spec.ops["one"].retry.delay == 1.0
    assert type(spec.ops["one"]) is OpEntry
    assert spec.jobs["j"].ops == {"n": JobNodeEntry("n", "/jobs/j/ops/n", "one")}
    assert spec.jobs["j"].executor == ExecutorEntry("in_process", {}, "/jobs/j/executor")
    assert spec.jobs["s"] == JobEntry("s", "/jobs/s", selection=["a", "b"])
    assert spec.executor == ExecutorEntry("multiprocess", {"max_concurrent": 2})
