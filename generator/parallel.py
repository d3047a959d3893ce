"""Doing independent work on every core.

Validating record files and rendering page bodies are independent per item, so large runs
use forked worker processes that inherit everything they need (nothing is pickled but item
numbers going out and results coming back). Small runs stay in-process: starting workers
costs more than it saves below a few hundred items.

A whole job that needs nothing from the work after it (the outputs built from the site
graph while pages render) can run in one forked process of its own with ``fork_call``;
while it runs, ``fork_map`` leaves it a core.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_THRESHOLD = 400
CHUNK_SIZE = 64

# Set in the parent just before forking; workers read their share from here.
_job: tuple[Callable[[Any], Any], Sequence[Any]] | None = None
_call: Callable[[], Any] | None = None
# Cores taken by ``fork_call`` processes still running (in this process's view).
_busy_cores = 0
# True in a forked worker: it does its share on its own core and starts no workers itself.
_in_worker = False


def _run_one(index: int) -> Any:
    assert _job is not None
    function, items = _job
    return function(items[index])


def _run_call() -> Any:
    assert _call is not None
    return _call()


def _mark_worker() -> None:
    global _in_worker
    _in_worker = True


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def worker_count() -> int:
    """Processes a parallel step may use now: the free cores, one inside a worker."""
    return 1 if _in_worker else max(1, cpu_count() - _busy_cores)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and not _in_worker


def fork_map(function: Callable[[T], R], items: Sequence[T], workers: int | None = None) -> Iterator[R]:
    """``function`` applied to every item, results in item order, on all cores when it pays."""
    global _job
    workers = worker_count() if workers is None else workers
    if workers <= 1 or len(items) < PARALLEL_THRESHOLD or not can_fork() or _job is not None:
        yield from map(function, items)
        return
    _job = (function, items)
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_mark_worker) as pool:
            yield from pool.imap(_run_one, range(len(items)), chunksize=CHUNK_SIZE)
    finally:
        _job = None


class ForkedCall(Generic[R]):
    """``function()`` running in a forked process of its own; ``result()`` waits for it.

    Where forking is impossible or unsafe (no ``fork``, other threads, already in a worker)
    the call runs in this process when its result is asked for, so callers see the same
    order of effects.
    """

    def __init__(self, function: Callable[[], R]) -> None:
        global _call, _busy_cores
        self._function: Callable[[], R] | None = function
        self._pool: multiprocessing.pool.Pool | None = None
        self._pending: multiprocessing.pool.AsyncResult[R] | None = None
        # Forking while other threads run (``tongxin serve``'s server) could copy a held lock.
        if not can_fork() or threading.active_count() > 1:
            return
        self._function = None
        _call = function  # inherited by the forked process, never pickled
        try:
            self._pool = multiprocessing.get_context("fork").Pool(1, initializer=_mark_worker)
        finally:
            _call = None
        self._pending = self._pool.apply_async(_run_call)
        _busy_cores += 1

    def result(self) -> R:
        """The function's return value; its exception, raised here, if it failed. Once."""
        if self._function is not None:
            function, self._function = self._function, None
            return function()
        if self._pending is None:
            raise RuntimeError("fork_call: result() asked twice or after cancel()")
        try:
            return self._pending.get()
        finally:
            self._release(terminate=False)

    def cancel(self) -> None:
        """Stop the call if it still runs (a build failed elsewhere)."""
        self._function = None
        self._release(terminate=True)

    def _release(self, terminate: bool) -> None:
        global _busy_cores
        pool, self._pool, self._pending = self._pool, None, None
        if pool is None:
            return
        if terminate:
            pool.terminate()
        else:
            pool.close()
        pool.join()
        _busy_cores -= 1


def fork_call(function: Callable[[], R]) -> ForkedCall[R]:
    """Start ``function()`` in a forked process (see ``ForkedCall``)."""
    return ForkedCall(function)
