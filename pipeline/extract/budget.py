"""A time budget per article: an article whose extraction takes longer is rejected, not waited for.

Every extraction stage is meant to run in time linear in the article's length; the budget is the
guarantee behind that intention, for inputs nobody foresaw. It is enforced with SIGALRM, which
interrupts Python code and the regex engine alike. Signals reach only the main thread of a
process, so extract_corpus (batch.py) extracts in worker processes when it is called elsewhere
(a Dagster run worker's thread, a web server).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BUDGET_ENV = "CRITICAL_MINERALS_EXTRACTION_BUDGET"
DEFAULT_BUDGET_SECONDS = 10.0


class ExtractionTimeout(Exception):
    """The article's extraction ran past its budget."""


def budget_seconds(value: float | str | None = None) -> float | None:
    """The budget in seconds: `value`, else CRITICAL_MINERALS_EXTRACTION_BUDGET, else the default;
    0 (or a negative number) means no budget."""
    if value is None or value == "":
        value = os.environ.get(BUDGET_ENV, "") or DEFAULT_BUDGET_SECONDS
    try:
        seconds = float(value)
    except ValueError as exc:
        raise ValueError(f"{BUDGET_ENV}={value!r} is not a number of seconds") from exc
    return seconds if seconds > 0 else None


def can_enforce_here() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise ExtractionTimeout in the block once `seconds` have passed (nothing when None).

    Must run on a process's main thread; the previous SIGALRM handler and timer are restored."""
    if seconds is None:
        yield
        return
    if not can_enforce_here():
        raise RuntimeError("a time budget needs the main thread of its process (signals reach no other)")

    def expire(signum: int, frame: object) -> None:
        raise ExtractionTimeout(f"extraction took longer than its budget of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
