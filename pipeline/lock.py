"""One writer at a time: builds publishing and releases being cut hold `warehouse/.lock`.

An advisory `flock` lock (released by the kernel when its holder dies, so a killed build never
leaves the warehouse locked). A second writer waits for it, up to CRITICAL_MINERALS_LOCK_WAIT
seconds (default 600; 0 = do not wait), then gives up with a message naming the holder.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".lock"
WAIT_ENV = "CRITICAL_MINERALS_LOCK_WAIT"
DEFAULT_WAIT_SECONDS = 600.0


class WarehouseBusy(Exception):
    """Another build or release held the warehouse for longer than this one would wait."""


def lock_wait_seconds() -> float:
    value = os.environ.get(WAIT_ENV, "")
    try:
        return max(0.0, float(value)) if value else DEFAULT_WAIT_SECONDS
    except ValueError as exc:
        raise WarehouseBusy(f"{WAIT_ENV}={value!r} is not a number of seconds") from exc


@contextmanager
def warehouse_lock(warehouse: Path, purpose: str, wait: float | None = None) -> Iterator[None]:
    """Hold the warehouse's writer lock for `purpose` ("publish", "release")."""
    warehouse = Path(warehouse)
    warehouse.mkdir(parents=True, exist_ok=True)
    wait = lock_wait_seconds() if wait is None else wait
    fd = os.open(warehouse / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
                    raise WarehouseBusy(
                        f"the warehouse {warehouse} is busy ({holder}); waited {wait:.0f} s (set {WAIT_ENV} to wait longer)"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{purpose} by process {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
