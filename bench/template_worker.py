"""Times compile_spec on a spec of N `use:` instances of one 10-asset template, in a fresh
process: seconds, CPU seconds and peak memory (imports excluded, as compile_worker does)."""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time

ASSETS = 10


def write_project(folder: str, n: int) -> str:
    """A spec with N instances of templates/chain.yaml.j2 (a chain of 10 assets, each reading
    the previous by parameter name), in YAML."""
    os.makedirs(os.path.join(folder, "templates"), exist_ok=True)
    with open(os.path.join(folder, "noop.py"), "w") as fh:
        fh.write("def first(context):\n    return context.op_config['rows']\n\n\ndef nxt(up):\n    return up\n")
    body = ["---", "params:", "  table: {type: string, description: source table}",
            "  rows: {type: integer, default: 5}", "---", "assets:",
            '  a0: {fn: first, config: {rows: {{ rows }}}, group: "{{ table }}"}']
    body += [f'  a{i}: {{fn: nxt, ins: {{up: a{i - 1}}}, group: "{{{{ table }}}}"}}' for i in range(1, ASSETS)]
    with open(os.path.join(folder, "templates", "chain.yaml.j2"), "w") as fh:
        fh.write("\n".join(body) + "\n")
    lines = ["specrun: 1", "name: generated", "module: noop",
             "resources:", "  io_manager: {type: fs, config: {base_dir: .specrun/storage}}", "use:"]
    lines += [f"  t{i}: {{template: templates/chain.yaml.j2, with: {{table: t{i}, rows: {i % 50}}}}}"
              for i in range(n)]
    path = os.path.join(folder, "pipeline.yaml")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def main(n: int) -> None:
    path = write_project(tempfile.mkdtemp(prefix="specrun-bench-"), n)
    from specrun.compiler import compile_spec
    import specrun.compiler.graph, specrun.compiler.model, specrun.compiler.resolve  # noqa: F401,E401
    import specrun.compiler.use, specrun.compiler.validate, specrun.runtime.api  # noqa: F401,E401

    start, cpu = time.perf_counter(), time.process_time()
    compiled = compile_spec(path)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert len(compiled.definitions.assets) == n * ASSETS
    print(json.dumps({"n": n, "assets": n * ASSETS, "seconds": seconds, "cpu_seconds": cpu_seconds,
                      "peak_mb": peak_mb}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
