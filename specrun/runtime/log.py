"""`context.log`: messages go to Python logging and into the run's events."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any, Callable, Iterator, Mapping, Optional

from .events import ET, Event

LOGGER_NAME = "specrun"
_logger = logging.getLogger(LOGGER_NAME)
_logger.addHandler(logging.NullHandler())

USER_LOGGER_NAME = "specrun.user"
_new_object = object.__new__


class StepLogSlot:
    """The log of the step whose user code is running (set around each compute call, None
    between them), so that messages to `get_dagster_logger()` loggers become that step's
    events: the value of `current_step_log` (`running_step_log` reads it).

    `log` is the step's log; or, for a step without a context, None and the run's log
    (`run_log`), the step's key and its event list, of which `running_step_log` makes the
    step's log when something logs (most steps never do).

    Steps that run one at a time where a run reads its executor's events (the in-process
    executor's) share one slot, set as the context variable once for the run: a step then
    fills the slot, where setting and resetting the variable cost ~2.5k instructions (a
    token and two copies of the context's table). Steps of any other executor, which may run
    side by side, set a slot of their own. A nested run's steps set their own."""

    __slots__ = ("log", "run_log", "step_key", "events")

    def __init__(self) -> None:
        self.log = self.run_log = self.step_key = self.events = None


current_step_log: ContextVar[Optional[StepLogSlot]] = ContextVar("specrun_step_log", default=None)


def running_step_log() -> Optional["LogManager"]:
    """The log of the step whose user code is running in this context, if any."""
    slot = current_step_log.get()
    if slot is None:
        return None
    if slot.log is None and slot.run_log is not None:
        slot.log = slot.run_log.with_step(slot.step_key, slot.events.append)
    return slot.log


def under_step_log(results: Iterator[Any], log: "LogManager",
                   slot: Optional[StepLogSlot]) -> Iterator[Any]:
    """Iterate a generator compute function with `log` as the running step's log (in `slot`,
    the run's, when it has one: see `StepLogSlot`)."""
    while True:
        held, token = slot, None
        if held is None:  # (a slot of its own, as `step_attempt._invoke` sets)
            held = StepLogSlot()
            token = current_step_log.set(held)
        held.log = log
        try:
            item = next(results)
        except StopIteration as stop:
            return stop.value
        finally:
            held.log = None
            if token is not None:
                current_step_log.reset(token)
        yield item


class LogManager:
    """A logger bound to a run (and step): `info`, `warning`, ... as on `logging.Logger`.

    Every message is recorded as a LOG_MESSAGE event of the run (at DEBUG and above), and
    passed to the ``specrun`` Python logger and to any loggers configured for the run.
    """

    __slots__ = ("run_id", "job_name", "step_key", "_sink", "_loggers")

    def __init__(self, run_id: str, job_name: str, step_key: Optional[str] = None,
                 sink: Optional[Callable[[Event], None]] = None,
                 loggers: tuple[logging.Logger, ...] = ()) -> None:
        self.run_id = run_id
        self.job_name = job_name
        self.step_key = step_key
        self._sink = sink
        self._loggers = loggers

    def with_step(self, step_key: str, sink: Callable[[Event], None]) -> "LogManager":
        # Made without the class call's argument handling: one per step, most steps never log.
        log = _new_object(LogManager)
        log.run_id, log.job_name, log.step_key = self.run_id, self.job_name, step_key
        log._sink, log._loggers = sink, self._loggers
        return log

    def with_sink(self, sink: Callable[[Event], None]) -> "LogManager":
        """The same log, with its messages recorded as run events through `sink`."""
        return LogManager(self.run_id, self.job_name, self.step_key, sink, self._loggers)

    def log(self, level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
        text = str(msg) % args if args else str(msg)
        extra = {"run_id": self.run_id, "job_name": self.job_name, "step_key": self.step_key}
        if _logger.isEnabledFor(level):
            _logger.log(level, text, extra=extra, exc_info=kwargs.get("exc_info"))
        for logger in self._loggers:
            if logger.isEnabledFor(level):
                logger.log(level, text, extra=extra)
        if self._sink is not None:
            self._sink(Event(ET.LOG_MESSAGE, self.run_id, self.job_name,
                             self.step_key, text, level=level))

    def record_from_logging(self, record: logging.LogRecord) -> None:
        """A message user code sent to a Python logger: an event, and to the run's loggers."""
        text = record.getMessage()
        for logger in self._loggers:
            if logger.isEnabledFor(record.levelno):
                logger.handle(record)
        if self._sink is not None:
            self._sink(Event(ET.LOG_MESSAGE, self.run_id, self.job_name, self.step_key, text,
                             level=record.levelno))

    def debug(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self.log(logging.DEBUG, msg, *args, **kwargs)

    def info(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self.log(logging.INFO, msg, *args, **kwargs)

    def warning(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self.log(logging.WARNING, msg, *args, **kwargs)

    warn = warning

    def error(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self.log(logging.ERROR, msg, *args, **kwargs)

    def critical(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self.log(logging.CRITICAL, msg, *args, **kwargs)

    def exception(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self.log(logging.ERROR, msg, *args, exc_info=True)

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802 - logging.Logger's name
        return True


DagsterLogManager = LogManager


class _StepCapture(logging.Handler):
    """Turns records of `get_dagster_logger()` loggers into events of the running step."""

    def emit(self, record: logging.LogRecord) -> None:
        log = running_step_log()
        if log is not None:
            log.record_from_logging(record)


def get_dagster_logger(name: Optional[str] = None) -> logging.Logger:
    """A Python logger whose messages, sent while a step runs, are that step's log events.

    As Dagster's: use it in code that has no `context` (helpers a step calls). Outside a
    step it is an ordinary logger (under ``specrun.user``).
    """
    user = logging.getLogger(USER_LOGGER_NAME)
    if not any(isinstance(h, _StepCapture) for h in user.handlers):
        user.addHandler(_StepCapture())
        user.setLevel(logging.DEBUG)
    return logging.getLogger(f"{USER_LOGGER_NAME}.{name}") if name else user


class LoggerDefinition:
    """Builds a `logging.Logger` for a run from config (Dagster's logger definitions)."""

    def __init__(self, logger_fn: Callable[[Any], logging.Logger], config_schema: Any = None,
                 description: Optional[str] = None) -> None:
        self.logger_fn = logger_fn
        self.config_schema = config_schema
        self.description = description


class InitLoggerContext:
    """What a logger function receives."""

    def __init__(self, logger_config: Any = None, logger_def: Any = None, run_id: Optional[str] = None):
        self.logger_config = logger_config or {}
        self.logger_def = logger_def
        self.run_id = run_id


def build_init_logger_context(logger_config: Any = None) -> InitLoggerContext:
    """An InitLoggerContext for building a logger outside a run."""
    return InitLoggerContext(logger_config)


def logger(config_schema: Any = None, description: Optional[str] = None) -> Any:
    """Decorate `fn(init_context) -> logging.Logger` as a LoggerDefinition."""
    if callable(config_schema) and not isinstance(config_schema, (dict, type)):
        return LoggerDefinition(config_schema)
    return lambda fn: LoggerDefinition(fn, config_schema, description)


def _console_logger(init_context: InitLoggerContext) -> logging.Logger:
    config: Mapping[str, Any] = init_context.logger_config or {}
    name = config.get("name", "specrun.console")
    out = logging.getLogger(name)
    out.setLevel(config.get("log_level", "DEBUG"))
    if not out.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s - %(message)s"))
        out.addHandler(handler)
    return out


colored_console_logger = LoggerDefinition(
    _console_logger, {"log_level": str, "name": str}, "A logger printing to the console")
default_loggers = {"console": colored_console_logger}


def build_loggers(logger_defs: Mapping[str, Any], config: Mapping[str, Any], run_id: str) -> tuple[logging.Logger, ...]:
    """Instantiate the run's extra loggers from their definitions and ``loggers:`` config."""
    built = []
    for name, ldef in (logger_defs or {}).items():
        cfg = ((config or {}).get(name) or {}).get("config")
        built.append(ldef.logger_fn(InitLoggerContext(cfg, ldef, run_id)))
    return tuple(built)
