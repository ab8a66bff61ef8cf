"""A run's heartbeat and its leases on what it materializes (see `storage/leases.py`).

Before a run starts, it leases every (asset, partition) its steps will materialize, all at
once or none: a concurrent run on the same store that wants one of them waits until it is
given back (never holding a lease while it waits, so two runs cannot wait on each other). A
lease is given back by the transaction that commits its materialization record (or, for one
its step did not materialize, when the step ends), so whoever takes it next sees that record:
`take_leases` counts a lease whose run holds the latest record of its (asset, partition) as
given back (on SQLite its row then stays until the run ends; PostgreSQL also deletes it).
While the run lives, a thread heartbeats it and its leases.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Iterable, Optional, Sequence

from .events import ET, Event

LeaseKey = tuple[str, str]  # (asset key as a user string, partition key or "")
_STEP_ENDS = frozenset((ET.STEP_SUCCESS, ET.STEP_FAILURE, ET.STEP_SKIPPED))


def step_lease_keys(plan: Any, step_keys: Optional[Iterable[str]] = None) -> dict[str, list[LeaseKey]]:
    """What each asset step of `plan` (or of `step_keys` only) materializes, as lease keys."""
    found = {}
    for key in (plan.steps if step_keys is None else step_keys):
        step = plan.steps[key]
        asset = step.node.asset
        if asset is None or step.node.check is not None:
            continue
        partition = step.partition_key or ""
        found[key] = sorted((k.to_user_string(), partition) for k in asset.selected_asset_keys)
    return found


def _recorded_since(seen: dict[LeaseKey, str], now: dict[LeaseKey, str], by_step: dict[str, list[LeaseKey]]) -> bool:
    """Whether any lease key of `by_step` has a record now that it did not have in `seen`."""
    return any(now.get(k) != seen.get(k) for keys in by_step.values() for k in keys)


class RunLease:
    """The leases and the heartbeat of one run (`run_id`), held in `storage`."""

    def __init__(self, storage: Any, run_id: str, poll: float = 0.2) -> None:
        self.storage = storage
        self.run_id = run_id
        self.poll = poll
        self._by_step: dict[str, list[LeaseKey]] = {}
        self._pending: list[LeaseKey] = []  # of ended steps, for the heartbeat thread to give back
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    # -- leases -----------------------------------------------------------------------
    def acquire(self, by_step: dict[str, list[LeaseKey]],
                on_wait: Optional[Callable[[dict], None]] = None) -> bool:
        """Lease everything `by_step` names (blocking while another live run holds any of it);
        True when it had to wait. `on_wait(holders)` is told each new set of holders."""
        keys = [k for ks in by_step.values() for k in ks]
        waited, told = False, None
        while True:
            busy = self.storage.take_leases(keys, self.run_id)
            if not busy:
                self._by_step.update(by_step)
                return waited
            waited = True
            holders = {h.run_id for h in busy.values()}
            if on_wait is not None and holders != told:
                on_wait(busy)
                told = holders
            time.sleep(self.poll)

    def acquire_steps(self, plan: Any, step_keys: list[str], replan: Callable[[], list[str]],
                      on_wait: Optional[Callable[[dict], None]] = None,
                      seen: Optional[dict[LeaseKey, str]] = None) -> list[str]:
        """Lease what `step_keys` materialize; when that meant waiting, ask `replan` which
        steps are still to run (the holder may have done them) and keep only their leases.
        Returns the steps to run.

        `seen`: the runs of the records `step_keys` were decided from (`staleness.decide`'s).
        A lease taken without waiting can still have been given back, with a new record, by a
        run that finished between the decision and the taking: that also means asking
        `replan` (without it, 2 of 25 rounds of three concurrent applies made an asset twice)."""
        while True:
            by_step = step_lease_keys(plan, step_keys)
            if not self.acquire(by_step, on_wait) and (
                    seen is None or not _recorded_since(seen, self.storage.recorded_runs(
                        [k for ks in by_step.values() for k in ks]), by_step)):
                return step_keys
            again = replan()
            wanted = step_lease_keys(plan, again)
            held = {k for ks in by_step.values() for k in ks}
            if all(k in held for ks in wanted.values() for k in ks):
                self.release([s for s in by_step if s not in wanted])
                return again
            self.release(list(by_step))  # hold nothing while waiting again
            step_keys = again

    def release(self, step_keys: Sequence[str]) -> None:
        """Give back the leases of `step_keys`."""
        keys = [k for s in step_keys for k in self._by_step.pop(s, ())]
        if keys:
            self.storage.release_leases(self.run_id, keys)

    def releasing(self, handle: Callable[[Event], None]) -> Callable[[Event], None]:
        """`handle` (which records an event), and the step's leases given back as it goes.

        A materialization's record gives back the lease on its (asset, partition) in the
        transaction that commits it (`store_events` of a shared storage; see the module
        docstring), so whoever takes the lease next sees the record; nothing more is written
        for it. A lease its step did not
        materialize (the step failed, or an optional output was not produced) is handed, when
        the step ends, to the heartbeat thread, which gives back what gathered in one write,
        off the run's path."""
        if not self._by_step:
            return handle
        by_step, pending, wake = self._by_step, self._pending, self._wake

        def handle_and_release(event: Event) -> None:
            handle(event)
            kind = event.event_type
            if kind is ET.ASSET_MATERIALIZATION:
                keys = by_step.get(event.step_key)  # type: ignore[arg-type]
                if keys:
                    done = (event.data.asset_key.to_user_string(), event.data.partition or "")
                    if done in keys:  # recorded, and given back with the record: no longer held
                        keys.remove(done)
            elif kind in _STEP_ENDS and event.step_key in by_step:
                left = by_step.pop(event.step_key)
                if left:
                    pending.extend(left)
                    wake.set()
        return handle_and_release

    # -- heartbeat --------------------------------------------------------------------
    def start_heartbeat(self) -> None:
        """Heartbeat the run and its leases, and give back leases of ended steps, from a
        daemon thread until `close`."""
        from .storage.leases import heartbeat_every

        if self._thread is not None:
            return
        every = heartbeat_every()
        self._thread = threading.Thread(target=self._beat, args=(every,), name="specrun-heartbeat",
                                        daemon=True)
        self._thread.start()

    def _beat(self, every: float) -> None:
        from ..errors import StorageError
        from .cancel import leave_signals_to_the_main_thread

        leave_signals_to_the_main_thread()
        next_beat = time.monotonic() + every
        while not self._stop.is_set():
            self._wake.wait(max(0.0, next_beat - time.monotonic()))
            try:
                if self._wake.is_set() and not self._stop.is_set():
                    self._wake.clear()
                    time.sleep(0.1)  # step ends close together are given back in one write
                    count = len(self._pending)  # the run's thread only appends meanwhile
                    self.storage.release_leases(self.run_id, self._pending[:count])
                    del self._pending[:count]
                if time.monotonic() >= next_beat:
                    next_beat = time.monotonic() + every
                    self.storage.heartbeat(self.run_id)
            except StorageError:  # the store is away for a moment: `close` gives back the rest
                continue

    def close(self) -> None:
        """Stop heartbeating and give back every lease still held."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._by_step.clear()
        self._pending.clear()
        self.storage.release_leases(self.run_id)


def describe_holders(busy: dict) -> str:
    """'run 1a2b3c4d (pid 12 on host) is materializing a, b' for each holder, in one line."""
    by_run: dict[Any, list[str]] = {}
    for (asset, partition), holder in sorted(busy.items()):
        by_run.setdefault(holder, []).append(f"{asset}[{partition}]" if partition else asset)
    parts = []
    for holder, what in by_run.items():
        shown = ", ".join(what[:3]) + (f" and {len(what) - 3} more" if len(what) > 3 else "")
        parts.append(f"run {holder.run_id[:8]} (pid {holder.pid} on {holder.host}) is materializing {shown}")
    return "; ".join(parts)
