"""Doing independent work on every core.

Validating record files and rendering page bodies are independent per item, so large runs
use forked worker processes that inherit everything they need (nothing is pickled but item
numbers going out and results coming back). Small runs stay in-process: starting workers
costs more than it saves below a few hundred items.

A whole job that needs nothing from the work after it (the search index, built from the
site graph while the pages render) can run in one forked process of its own with
``fork_call``; while it runs, ``fork_map`` leaves it a core. A job can also start before
all it needs exists (``fork_call_given``: a rebuild's search process reads its kept state
while the build checks the content) and be given the rest, once, when it does. A build
with nothing left to do but wait for such a job lends it its own core (``lend_core``):
the job may then fork a helper of its own (``core_lent``).

A worker that dies (killed for lack of memory, say) fails the build with
``ChildProcessError`` instead of leaving it waiting for a result that never comes.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.connection
import os
import pickle
import select
import signal
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from typing import Any, BinaryIO, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_THRESHOLD = 400
CHUNK_SIZE = 64

# Set in the parent just before forking; workers read their share from here.
_job: tuple[Callable[[Any], Any], Sequence[Any]] | None = None
_call: Callable[[], Any] | None = None
# Cores taken by ``fork_call`` processes still running (in this process's view).
_busy_cores = 0
# True in a forked worker: it does its share on its own core and starts no workers itself,
# unless the process that forked it lends it its core too (see ``core_lent``).
_in_worker = False
# In a forked call: the pipe on which the build lends its core, and whether it has.
_lend_signal: int | None = None
_lent = False


def _run_one(index: int) -> Any:
    assert _job is not None
    function, items = _job
    return function(items[index])


def _mark_worker() -> None:
    global _in_worker, _lend_signal, _lent
    _in_worker = True
    _lend_signal, _lent = None, False  # a core lent to the process that forked this one is not lent to it
    die_with_parent()


# The process that forked this one, set just before forking (see ``die_with_parent``).
_parent = os.getpid()
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a forked worker: be killed when the build that forked it dies, however it dies
    (SIGKILL included), instead of running on with nobody to send results to."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: workers end when their pipe closes
        return
    if os.getppid() != _parent:  # the parent died before prctl took effect
        os._exit(1)


def _remember_parent() -> None:
    global _parent
    _parent = os.getpid()


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def worker_count() -> int:
    """Processes a parallel step may use now: the free cores; inside a worker its own core,
    and the core its build lent it (``core_lent``) while no helper of its own runs."""
    if _in_worker:
        return max(1, 1 + core_lent() - _busy_cores)
    return max(1, cpu_count() - _busy_cores)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and (not _in_worker or worker_count() > 1)


def may_fork_helper() -> bool:
    """In a forked call: whether it may fork one helper now. The build lent its core
    (``core_lent``), no other thread runs (forking could copy a held lock), and the machine
    has room for a whole copy of this process: the helper shares its pages until it writes
    to them, and a helper that came to copy them all must not push the build out of memory."""
    return core_lent() and threading.active_count() == 1 and _resident_bytes() < _available_bytes()


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0  # not Linux: nothing to go by


def _available_bytes() -> int:
    try:
        with open("/proc/meminfo", "rb") as meminfo:
            for line in meminfo:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 1 << 62  # not Linux, or too old a kernel to say: nothing to go by


def core_lent() -> bool:
    """In a forked call: whether the build that waits for it has lent it its own core
    (``ForkedCall.lend_core``), so that the call may fork one helper. Once lent, lent."""
    global _lent
    if not _lent and _lend_signal is not None:
        ready, _, _ = select.select([_lend_signal], [], [], 0)
        _lent = bool(ready)
    return _lent


def worker_died(exitcode: int | None) -> ChildProcessError:
    return ChildProcessError(
        f"构建的工作进程意外退出（exit code {exitcode}），常见原因是内存不足；请重试，或在内存更大的机器上构建"
        f"（a build worker process died unexpectedly, often for lack of memory）"
    )


def fork_map(
    function: Callable[[T], R],
    items: Sequence[T],
    workers: int | None = None,
    threshold: int = PARALLEL_THRESHOLD,
    chunksize: int = CHUNK_SIZE,
) -> Iterator[R]:
    """``function`` applied to every item, results in item order, on all cores when it pays
    (from ``threshold`` items on; ``chunksize`` items are sent to a worker at a time)."""
    global _job
    workers = worker_count() if workers is None else workers
    if workers <= 1 or len(items) < threshold or not can_fork() or _job is not None:
        yield from map(function, items)
        return
    _job = (function, items)
    _remember_parent()
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_mark_worker)
    try:
        yield from pool.map(_run_one, range(len(items)), chunksize=chunksize)
    except BrokenProcessPool:
        raise worker_died(None) from None
    finally:
        _job = None
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class Continued:
    """What a forked call returns to send ``value`` back at once and go on with ``then()``:
    ``ForkedCall.result`` is ``value``, ``ForkedCall.rest`` waits for what ``then`` returns."""

    value: Any
    then: Callable[[], Any]


class ForkedCall(Generic[R]):
    """``function()`` running in a forked process of its own; ``result()`` waits for it.

    Where forking is impossible or unsafe (no ``fork``, other threads, already in a worker)
    the call runs in this process when its result is asked for, so callers see the same
    order of effects.
    """

    def __init__(self, function: Callable[[Callable[[], Any]], R], given: bool = False) -> None:
        """``function(receive)``: ``receive()`` returns the value sent with ``give`` (when
        ``given``; the call waits for it there)."""
        global _call, _busy_cores
        self._given: list[Any] = []  # what ``give`` gave, for a call that runs in this process
        self._function: Callable[[], R] | None = partial(function, self._given_here)
        self._process: multiprocessing.process.BaseProcess | None = None
        self._results: multiprocessing.connection.Connection | None = None
        self._inbox: multiprocessing.connection.Connection | None = None
        self._exitcode: int | None = None
        self._then: Callable[[], Any] | None = None  # in this process: a ``Continued`` call's rest
        self._continues = False  # forked: the process goes on after its result (``Continued``)
        self._given_file: BinaryIO | None = None  # where ``give`` puts the value (see ``_put_message``)
        self._results_file: BinaryIO | None = None  # where the process puts its messages (``_send_result``)
        self._lender: int | None = None  # the pipe ``lend_core`` writes to
        # Forking while other threads run (``tongxin serve``'s server) could copy a held lock.
        if not can_fork() or threading.active_count() > 1:
            return
        self._function = None
        context = multiprocessing.get_context("fork")
        self._results, sender = context.Pipe(duplex=False)
        self._results_file = _anonymous_file()
        inbox: multiprocessing.connection.Connection | None = None
        receive: Callable[[], Any] = self._given_here
        if given:
            inbox, self._inbox = context.Pipe(duplex=False)
            self._given_file = _anonymous_file()
            receive = partial(_take_message, inbox, self._given_file)
        _call = partial(function, receive)  # inherited, never pickled
        _remember_parent()
        lend_signal, self._lender = os.pipe()
        try:
            self._process = context.Process(target=_send_result,
                                            args=(sender, self._results_file, lend_signal, self._lender),
                                            name="tongxin-call", daemon=True)
            self._process.start()
        finally:
            _call = None
            os.close(lend_signal)
        sender.close()  # the child's copy is the only one: it closes when the child exits
        if inbox is not None:
            inbox.close()
        _busy_cores += 1

    def give(self, value: Any) -> None:
        """Send the value a ``fork_call_given`` call waits for (once)."""
        if self._inbox is None:
            self._given.append(value)
            return
        inbox, self._inbox = self._inbox, None
        file, self._given_file = self._given_file, None
        assert file is not None
        try:
            with file:
                _put_message(inbox, file, value)
        except OSError:  # the process ended already (it failed): ``result`` says how
            pass
        finally:
            inbox.close()

    def lend_core(self) -> None:
        """Tell the process that this one has nothing left to do but wait for it: it may use
        this process's core too (``core_lent``). Nothing for a call that runs here."""
        if self._lender is not None:
            with contextlib.suppress(OSError):  # the process ended already: ``result`` says how
                os.write(self._lender, b"!")

    def _given_here(self) -> Any:
        if not self._given:
            raise RuntimeError("fork_call_given: result() asked before give()")
        return self._given.pop()

    def result(self) -> R:
        """The function's return value; its exception, raised here, if it failed. Once."""
        if self._function is not None:
            function, self._function = self._function, None
            value = function()
            if isinstance(value, Continued):
                self._then = value.then
                return value.value  # type: ignore[no-any-return]
            return value
        if self._process is None or self._results is None:
            raise RuntimeError("fork_call: result() asked twice or after cancel()")
        return self._received()  # type: ignore[no-any-return]

    def rest(self) -> Any:
        """What the ``then`` of a ``Continued`` result returns (its exception raised here);
        None for a call that returned a plain value. After ``result``, once."""
        if self._then is not None:
            then, self._then = self._then, None
            return then()
        if not self._continues:
            return None
        self._continues = False
        return self._received()

    def _received(self) -> Any:
        """The next (succeeded, value, traceback, continues) message of the process."""
        assert self._results is not None and self._results_file is not None
        try:
            succeeded, value, remote_traceback, continues = _take_message(self._results, self._results_file)
        except EOFError:  # the process ended without a word: killed
            self._release(terminate=False)
            raise worker_died(self._exitcode) from None
        if not continues:
            self._release(terminate=False)
        if succeeded:
            self._continues = continues
            return value
        value.add_note(remote_traceback)
        raise value

    def cancel(self) -> None:
        """Stop the call if it still runs (a build failed elsewhere)."""
        self._function = None
        self._release(terminate=True)

    def _release(self, terminate: bool) -> None:
        global _busy_cores
        process, self._process = self._process, None
        for connection in (self._results, self._inbox):
            if connection is not None:
                connection.close()
        self._results = self._inbox = None
        for file in (self._given_file, self._results_file):
            if file is not None:
                file.close()
        self._given_file = self._results_file = None
        if self._lender is not None:
            os.close(self._lender)
            self._lender = None
        if process is None:
            return
        if terminate:
            process.terminate()
        process.join()
        self._exitcode = process.exitcode
        _busy_cores -= 1


def _send_result(sender: multiprocessing.connection.Connection, file: BinaryIO, lend_signal: int,
                 lender: int) -> None:
    """In the forked process: run the call and send back (succeeded, value, traceback,
    continues); for a ``Continued`` value, then run its ``then`` and send that likewise."""
    global _lend_signal
    assert _call is not None
    _mark_worker()
    os.close(lender)  # the build's end
    _lend_signal = lend_signal
    # Lent a core, the call may fork a helper, which multiprocessing refuses a daemonic
    # process; the build ends this one (``cancel``, ``die_with_parent``) whatever the flag.
    multiprocessing.current_process().daemon = False
    try:
        step: Callable[[], Any] | None = _call
        while step is not None:
            try:
                value, step = step(), None
                if isinstance(value, Continued):
                    value, step = value.value, value.then
                outcome: tuple[bool, Any, str, bool] = (True, value, "", step is not None)
            except BaseException as error:  # every failure, whatever it is, goes back to the build
                outcome, step = (False, error, "".join(traceback.format_exception(error)), False), None
            try:
                _put_message(sender, file, outcome)
            except Exception as error:  # the result or the exception could not be pickled
                failure = RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]}")
                _put_message(sender, file, (False, failure, repr(error), False))
                return
    finally:
        sender.close()


def _put_message(sender: multiprocessing.connection.Connection, file: BinaryIO, message: Any) -> None:
    """``message`` appended to ``file``, and where it is sent through the pipe. A message
    larger than a pipe's buffer sent through the pipe itself would hold the sender until the
    other side reads it: the build giving the graph's part while the search process still
    unpickles its state (one long call that lets no other thread read), or the search
    process sending its files while the build still writes pages, instead of storing its
    state."""
    start = file.seek(0, os.SEEK_END)
    try:
        pickle.dump(message, file, protocol=pickle.HIGHEST_PROTOCOL)
        file.flush()
    except BaseException:
        file.truncate(start)  # nothing half written is read
        raise
    sender.send((start, file.tell()))


def _take_message(results: multiprocessing.connection.Connection, file: BinaryIO) -> Any:
    """The next message ``_put_message`` sent (EOFError: the process ended without one)."""
    start, end = results.recv()
    return pickle.loads(os.pread(file.fileno(), end - start, start))


def _anonymous_file() -> BinaryIO:
    """A file in memory (on disk where memfd is missing), shared with a process forked after it."""
    if hasattr(os, "memfd_create"):
        return os.fdopen(os.memfd_create("tongxin-given"), "w+b")
    return tempfile.TemporaryFile()


def fork_call(function: Callable[[], R]) -> ForkedCall[R]:
    """Start ``function()`` in a forked process (see ``ForkedCall``)."""
    return ForkedCall(lambda _receive: function())


def fork_helper(function: Callable[[], R]) -> Callable[[], R]:
    """Start ``function()`` in a helper process (on a lent core: see ``may_fork_helper``);
    the function returned waits for its result. A helper only saves time: when it died
    (killed for lack of memory, say), ``function()`` is done here instead."""
    call = fork_call(function)

    def result() -> R:
        try:
            return call.result()
        except ChildProcessError:
            return function()

    return result


def fork_call_given(function: Callable[[Callable[[], Any]], R]) -> ForkedCall[R]:
    """Start ``function(receive)`` in a forked process; ``receive()`` there waits for the
    value the caller sends with ``give`` (in this process, where the call cannot fork, it
    runs at ``result()`` with that value)."""
    return ForkedCall(function, given=True)
