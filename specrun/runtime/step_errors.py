"""Step failures that are not an exception raised by user code."""

from __future__ import annotations


class StepFailed(Exception):
    """A step failure that is not an exception from user code (bad outputs, failed blocking
    check, failed type check); such failures are never retried."""

    def __init__(self, message: str, kind: str = "framework") -> None:
        super().__init__(message)
        self.kind = kind


class OutputError(StepFailed):
    """A compute function's result does not match its declared outputs."""


class TypeCheckError(OutputError):
    """A value failed the type check of its output (Dagster's `DagsterTypeCheckDidNotPass`);
    re-raised as itself by `raise_on_error`."""

    def __init__(self, message: str) -> None:
        super().__init__(message, kind="type_check")
        self.reraise = self


DagsterTypeCheckDidNotPass = TypeCheckError
