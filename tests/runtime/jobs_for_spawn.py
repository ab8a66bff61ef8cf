"""A module-level job for the spawn start-method test (rebuilt in child processes)."""

from specrun import fs_io_manager, job, multiprocess_executor, op


@op
def one() -> int:
    return 1


@op
def plus_one(x: int) -> int:
    return x + 1


@job(executor_def=multiprocess_executor, resource_defs={"io_manager": fs_io_manager})
def spawn_job():
    plus_one(one())
