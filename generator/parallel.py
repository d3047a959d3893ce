"""Doing independent work on every core.

Validating record files and rendering page bodies are independent per item, so large runs
use forked worker processes that inherit everything they need (nothing is pickled but item
numbers going out and results coming back). Small runs stay in-process: starting workers
costs more than it saves below a few hundred items.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_THRESHOLD = 400
CHUNK_SIZE = 64

# Set in the parent just before forking; workers read their share from here.
_job: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _run_one(index: int) -> Any:
    assert _job is not None
    function, items = _job
    return function(items[index])


def worker_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def fork_map(function: Callable[[T], R], items: Sequence[T], workers: int | None = None) -> Iterator[R]:
    """``function`` applied to every item, results in item order, on all cores when it pays."""
    global _job
    workers = worker_count() if workers is None else workers
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 or len(items) < PARALLEL_THRESHOLD or not forkable or _job is not None:
        yield from map(function, items)
        return
    _job = (function, items)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_run_one, range(len(items)), chunksize=CHUNK_SIZE)
    finally:
        _job = None
