"""Times compile_spec on a generated spec in a fresh process: seconds and peak memory."""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from spec_gen import write_project  # noqa: E402


def main(n: int, fmt: str) -> None:
    folder = tempfile.mkdtemp(prefix="specrun-bench-")
    path = write_project(folder, n, fmt)
    cold = "--cold" in sys.argv
    from specrun.compiler import compile_spec

    if not cold:  # import every stage first, so only compile work is timed
        import specrun.compiler.graph, specrun.compiler.model, specrun.compiler.resolve  # noqa: F401
        import specrun.compiler.validate, specrun.runtime.api  # noqa: F401
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start, cpu = time.perf_counter(), time.process_time()
    compiled = compile_spec(path)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu  # less disturbed than wall time on a shared machine
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert len(compiled.definitions.assets) == n
    print(json.dumps({"n": n, "fmt": fmt, "cold": cold, "seconds": seconds, "cpu_seconds": cpu_seconds, "peak_mb": peak_mb,
                      "rss_before_mb": before / 1024}))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
