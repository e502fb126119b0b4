"""Bulk allocation without the cyclic garbage collector's repeated scans.

Loading ten thousand cached extractions or building a million table rows allocates millions of
small objects and no reference cycles. Python's generational collector would meanwhile run a
few thousand times, each time walking the growing heap for nothing (measured: unpickling the
cache is about 2.5x faster without it). Inside `bulk_allocation()` collection is paused; it
resumes, as it was, on the way out.
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def bulk_allocation() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def kept_for_the_run() -> Iterator[None]:
    """Bulk allocation whose survivors are then moved out of the collector's sight until the process ends.

    For loading the corpus' extractions: they live until the run is over, and left to the
    collector, the millions of them a full build unpickles would be walked by the first
    collection after loading (0.6 s at ten thousand articles) and again by every full collection
    that the tables, checks and publication steps trigger (about a second each). A rebuild reads
    most of them from the Arrow snapshot instead (pipeline/corpus.py): a few large buffers,
    nothing for the collector. Objects are still freed by reference counting as usual; at exit
    they are handed back to the collector, so that extension modules see their objects released."""
    with bulk_allocation():
        yield
        gc.freeze()  # before collection resumes: the new objects are never scanned


def imports_settled() -> None:
    """The modules a build has imported (Dagster, pandas, pyarrow, pandera: some 180,000 objects
    the collector tracks) live until the process ends: moved out of the collector's sight, so that no
    collection walks them again, and the youngest generation collected every 50,000 allocations
    rather than 700. A build's collections then take 0.26-0.33 s instead of 0.56 s (a 10k rebuild,
    in which Dagster's bookkeeping allocates millions of short-lived objects)."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


atexit.register(gc.unfreeze)  # see kept_for_the_run; nothing to do when nothing was frozen
