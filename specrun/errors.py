"""Every error specrun raises on purpose derives from `SpecrunError`.

Dagster-branded names (`DagsterInvalidDefinitionError`, ...) are aliases, so code written
against Dagster's documented API catches the same failures after changing only the import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, NamedTuple, Sequence


class SpecrunError(Exception):
    """Base of every error specrun raises deliberately."""


class Location(NamedTuple):
    """A position in a source file; line and col are 1-based."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class SpecError(SpecrunError):
    """One problem in a spec file, with where it is and what to do about it."""

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        pointer: str = "",
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.pointer = pointer
        self.hint = hint

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}error: {self.message}{hint}"

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form, used by `--format json`."""
        loc = self.location
        return {
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "col": loc.col if loc else None,
            "pointer": self.pointer,
            "message": self.message,
            "hint": self.hint,
        }


class SpecErrors(SpecrunError):
    """All the problems found in one compile; a compile reports them together."""

    def __init__(self, errors: Sequence[SpecError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class DefinitionError(SpecrunError):
    """A definition (op, asset, job, resource, ...) is malformed or inconsistent."""


class InvocationError(SpecrunError):
    """A definition was called in a way it cannot be called."""


class InvariantViolationError(SpecrunError):
    """An operation was asked for that does not make sense in the current state."""


class PartitionError(SpecrunError):
    """An unknown partition key, or a partition question asked of unpartitioned work."""


class NoPartitionError(PartitionError, AttributeError):
    """A partition property was read on a run that has no partition.

    It is also an `AttributeError` so that `hasattr(context, "partition_time_window")`
    answers False instead of raising, which is what Dagster's documentation relies on.
    """


@dataclass(frozen=True)
class ConfigErrorEntry:
    """One config problem: what is wrong (`description`) and the path of keys leading to it.

    `message` says both, worded as Dagster's messages are
    (``Missing required config entry "count" at path root:ops:my_op:config``)."""

    description: str
    path: tuple[str, ...] = ()

    @property
    def stack(self) -> str:
        """The path as Dagster prints it: ``root:ops:my_op:config:batch_size``."""
        return ":".join(("root",) + self.path)

    @property
    def message(self) -> str:
        import re

        entry = re.match(r'((?:Missing required|Received unexpected) config entry "[^"]*")(.*)',
                         self.description, re.S)
        if entry:
            return f"{entry.group(1)} at path {self.stack}{entry.group(2)}"
        if self.description.startswith("Value "):
            return f"Invalid scalar at path {self.stack}. {self.description}"
        return f"{self.description} at path {self.stack}"

    def __str__(self) -> str:
        return self.message


class ConfigError(SpecrunError):
    """Config failed validation; `errors` holds every problem found."""

    def __init__(self, errors: Sequence[ConfigErrorEntry], subject: str = "config") -> None:
        self.errors = list(errors)
        self.subject = subject
        lines = "\n".join(f"    {e}" for e in self.errors)
        super().__init__(f"Invalid {subject}: {len(self.errors)} error(s)\n{lines}")


class ExecutionError(SpecrunError):
    """A run could not be carried out (as opposed to user code failing inside a step)."""


class StepFailure(SpecrunError):
    """Raised by `raise_on_error` when a step failed with something other than an exception
    that can be re-raised as is (a dead child process, for example)."""


class RunCanceledError(SpecrunError):
    """The run was interrupted (Ctrl-C, SIGTERM) before it finished."""


class StorageError(SpecrunError):
    """The run store could not be opened, read or written."""


class RetryRequested(Exception):
    """Raise from a step to ask for it to be retried (Dagster's `RetryRequested`)."""

    def __init__(self, max_retries: int = 1, seconds_to_wait: float = 0) -> None:
        super().__init__(f"retry requested (max_retries={max_retries})")
        self.max_retries = max_retries
        self.seconds_to_wait = seconds_to_wait


class Failure(Exception):
    """Raise from a step to fail it with a description and metadata (Dagster's `Failure`)."""

    def __init__(
        self, description: str | None = None, metadata: dict[str, Any] | None = None, allow_retries: bool = True
    ) -> None:
        super().__init__(description)
        self.description = description
        self.metadata = dict(metadata or {})
        self.allow_retries = allow_retries


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """Return 'did you mean X?' for the closest candidate, or None when nothing is close."""
    import difflib  # only on the error path: not worth ~2 ms of every start

    matches = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=1, cutoff=0.6)
    if not matches:
        return None
    return f"did you mean '{matches[0]}'?" + _lookalikes(str(name), matches[0])


def _lookalikes(name: str, match: str) -> str:
    """Names the characters of `name` that are not in `match` when they are not plain ASCII:
    a Cyrillic 'а' or an invisible space looks right in the message and still does not match."""
    odd = unusual_characters("".join(ch for ch in name if ch not in match))
    return f" ('{name}' has {odd})" if odd else ""


def unusual_characters(text: str) -> str:
    """The characters of `text` that are not printable ASCII, by code point and name ("" if none)."""
    import unicodedata

    odd = [ch for ch in dict.fromkeys(text) if not ch.isascii() or not ch.isprintable()]
    return ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}" for ch in odd)


# Dagster-branded aliases.
DagsterError = SpecrunError
DagsterInvalidDefinitionError = DefinitionError
DagsterInvalidInvocationError = InvocationError
DagsterInvariantViolationError = InvariantViolationError
DagsterInvalidConfigError = ConfigError
DagsterExecutionInterruptedError = RunCanceledError
DagsterUnknownPartitionError = PartitionError


class LoadError(SpecrunError):
    """A stored value exists but cannot be loaded (truncated, garbage, or an unknown type)."""
