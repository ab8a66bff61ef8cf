"""Budgets for rendering a spec template: no value or output above `MAX_CHARS` characters, no
number above `MAX_DIGITS` digits, no rendering longer than `MAX_SECONDS`, no template calls
nested more than `MAX_DEPTH` deep.

A template is hostile input like any other: ``{{ 'a' * 4000000000 }}`` must be a clear error,
not gigabytes of memory. Repetition (``*``), concatenation (``+``) and powers (``**``) are
checked before they are computed; the output is checked as it is produced, and a line tracer on
the template's own code stops a render that runs too long.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, Iterator

from ..errors import SpecError

MAX_CHARS = 10_000_000
MAX_DIGITS = 4_300  # Python's own limit for int <-> str
MAX_SECONDS = 10.0
_CHECK_EVERY = 1000  # template lines between two looks at the clock
MAX_DEPTH = 100  # template frames (macro calls, includes) active at once


def sandbox_class() -> type:
    """A `SandboxedEnvironment` whose ``*``, ``+`` and ``**`` stay within the budgets."""
    from jinja2.sandbox import SandboxedEnvironment

    class BudgetedSandbox(SandboxedEnvironment):
        intercepted_binops = frozenset(["*", "+", "**"])

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            check_binop(operator, left, right)
            return super().call_binop(context, operator, left, right)

    return BudgetedSandbox


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse `left operator right` when its result would exceed the budgets."""
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_CHARS:
                raise SpecError(f"the template repeats a value of length {len(seq)} {times} times: more than "
                                f"{MAX_CHARS:,} characters or items", hint="templates are for specs, not data")
    elif operator == "+":
        if isinstance(left, (str, list, tuple)) and isinstance(right, type(left)) and len(left) + len(right) > MAX_CHARS:
            raise SpecError(f"the template joins values into more than {MAX_CHARS:,} characters or items")
    elif operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
        if right * abs(left).bit_length() > MAX_DIGITS * 3.33:
            raise SpecError(f"{left} ** {right} has more than {MAX_DIGITS} digits")


def render_within_budget(generate: Callable[[], Iterator[str]], filename: str) -> str:
    """Join what `generate()` yields, stopping with a SpecError once the output passes
    MAX_CHARS or the render runs longer than MAX_SECONDS."""
    deadline = time.monotonic() + MAX_SECONDS
    parts, size = [], 0
    previous = sys.gettrace()
    sys.settrace(_tracer(filename, deadline))
    try:
        for part in generate():
            size += len(part)
            if size > MAX_CHARS:
                raise SpecError(f"the rendered template passes {MAX_CHARS:,} characters",
                                hint="templates are for specs, not data")
            parts.append(part)
    finally:
        sys.settrace(previous)
    return "".join(parts)


def _tracer(filename: str, deadline: float) -> Any:
    count = [0]
    depth = [0]

    def local(frame: Any, event: str, arg: Any) -> Any:
        if event == "return":  # (also when an exception leaves the frame, or a generator yields)
            depth[0] -= 1
        count[0] += 1
        if count[0] % _CHECK_EVERY == 0 and time.monotonic() > deadline:
            raise SpecError(f"rendering the template took more than {MAX_SECONDS:g} s",
                            hint="templates are for specs, not computations")
        return local

    def trace(frame: Any, event: str, arg: Any) -> Any:
        # Only the template's own compiled code is traced (Jinja names it after the file).
        if frame.f_code.co_filename not in ("<template>", filename):
            return None
        depth[0] += 1
        if depth[0] > MAX_DEPTH:
            # Stopped here, not by the interpreter's recursion limit: each template call is
            # several Python frames deep, and a limit raised by anything else in the process
            # (a test library does) would let the C stack overflow first: a crash, not an error.
            raise RecursionError(f"template calls nested more than {MAX_DEPTH} deep")
        return local
    return trace
