"""Work done in forked processes: results in order, failures reported, never a hang."""

from __future__ import annotations

import errno
import os
import signal

import pytest

from generator import parallel

# A build must fail rather than wait: every test here is bounded by this alarm.
HANG_SECONDS = 60


@pytest.fixture(autouse=True)
def _single_threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    # Other tests of the session leave threads running (the shared browser); fork_call then
    # runs in-process, which is right for serve but would hide the fork from these tests.
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)


@pytest.fixture(autouse=True)
def _no_hang() -> object:
    def hung(signum: int, frame: object) -> None:
        raise TimeoutError("the parent waited for a worker that will never answer")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _square_unless_unlucky(item: int) -> int:
    if item == 613:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel does to a process out of memory
    return item * item


def test_fork_map_returns_every_result_in_order() -> None:
    items = list(range(1000))
    assert list(parallel.fork_map(lambda item: item * item, items, workers=2)) == [i * i for i in items]


def test_a_killed_worker_fails_fork_map_with_a_clear_error() -> None:
    with pytest.raises(ChildProcessError, match="内存不足"):
        list(parallel.fork_map(_square_unless_unlucky, list(range(1000)), workers=2))


def test_fork_call_returns_its_value_and_leaves_the_core_free_again() -> None:
    call = parallel.fork_call(lambda: os.getpid())
    assert parallel.worker_count() == max(1, parallel.cpu_count() - 1)
    assert call.result() != os.getpid()  # it ran in a process of its own
    assert parallel.worker_count() == parallel.cpu_count()


def test_fork_call_raises_the_error_of_the_call() -> None:
    def disk_full() -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match="No space left on device") as raised:
        parallel.fork_call(disk_full).result()
    assert any("disk_full" in note for note in raised.value.__notes__)  # where it failed, over there


def test_a_result_that_cannot_be_sent_back_fails_the_call_with_what_it_was() -> None:
    # Half of a message written before pickling failed must never be read as a message.
    call = parallel.fork_call(lambda: [bytes(1 << 20), lambda: None])
    with pytest.raises(RuntimeError, match="list"):
        call.result()
    assert parallel.worker_count() == parallel.cpu_count()


def test_a_killed_call_fails_with_a_clear_error() -> None:
    call = parallel.fork_call(lambda: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(ChildProcessError, match=r"exit code -9"):
        call.result()
    assert parallel.worker_count() == parallel.cpu_count()


def test_a_cancelled_call_stops() -> None:
    call = parallel.fork_call(lambda: signal.pause())
    call.cancel()
    assert parallel.worker_count() == parallel.cpu_count()


@pytest.mark.parametrize("forks", [True, False], ids=["forked", "in this process"])
def test_a_call_started_early_gets_what_it_is_given_later(forks: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not forks:
        monkeypatch.setattr(parallel.threading, "active_count", lambda: 2)  # serve's server thread
    prepared = os.getpid()  # what the call had before it was given the rest

    def call(receive):  # type: ignore[no-untyped-def]
        return prepared, receive(), os.getpid()

    started = parallel.fork_call_given(call)
    started.give(["made", "later"])
    before, given, pid = started.result()
    assert (before, given) == (prepared, ["made", "later"])
    assert (pid != os.getpid()) == forks
    assert parallel.worker_count() == parallel.cpu_count()


def test_a_call_waiting_to_be_given_something_can_be_cancelled() -> None:
    call = parallel.fork_call_given(lambda receive: receive())
    call.cancel()  # the build failed before it could give anything
    assert parallel.worker_count() == parallel.cpu_count()


def test_giving_a_large_value_does_not_wait_for_the_call_to_be_ready_for_it() -> None:
    # A rebuild's search process reads its kept state for seconds before it asks for the
    # graph's part; the build must go on rendering meanwhile, not wait on a full pipe.
    given_returned, signal_given = os.pipe()
    large = bytes(8 << 20)  # far beyond a pipe's buffer

    def call(receive):  # type: ignore[no-untyped-def]
        import select

        ready, _, _ = select.select([given_returned], [], [], 20)  # "preparing" until the build is past give
        return bool(ready), len(receive())

    started = parallel.fork_call_given(call)
    started.give(large)
    os.write(signal_given, b"!")
    assert started.result() == (True, len(large))
    os.close(given_returned)
    os.close(signal_given)


@pytest.mark.parametrize("forks", [True, False], ids=["forked", "in this process"])
def test_a_continued_call_sends_its_value_before_it_goes_on(forks: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # The search process sends the index files back first and stores its state after: the
    # build publishes the site meanwhile, and waits for the state only to save the cache.
    if not forks:
        monkeypatch.setattr(parallel.threading, "active_count", lambda: 2)
    result_taken, signal_taken = os.pipe()

    def rest() -> bool:
        import select

        ready, _, _ = select.select([result_taken], [], [], 20 if forks else 0)
        return bool(ready)

    call = parallel.fork_call(lambda: parallel.Continued("the files", rest))
    assert call.result() == "the files"
    os.write(signal_taken, b"!")
    assert call.rest() is True  # the rest ran after the result was taken (not before it was sent)
    assert call.rest() is None  # once
    assert parallel.worker_count() == parallel.cpu_count()
    os.close(result_taken)
    os.close(signal_taken)


def test_a_continued_call_goes_on_before_its_large_value_is_taken() -> None:
    # The search process sends the index files (megabytes) and then stores its state, while
    # the build is still writing pages: it must not wait on a full pipe until the build reads.
    import select

    rest_started, signal_started = os.pipe()
    large = bytes(8 << 20)  # far beyond a pipe's buffer

    def rest() -> bool:
        os.write(signal_started, b"!")
        return True

    call = parallel.fork_call(lambda: parallel.Continued(large, rest))
    ready, _, _ = select.select([rest_started], [], [], 10)
    assert ready, "the call waited for its value to be taken before it went on"
    assert call.result() == large
    assert call.rest() is True
    assert parallel.worker_count() == parallel.cpu_count()
    os.close(rest_started)
    os.close(signal_started)


def test_a_continued_call_that_fails_afterwards_raises_from_rest() -> None:
    def full_disk() -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    call = parallel.fork_call(lambda: parallel.Continued(1, full_disk))
    assert call.result() == 1
    with pytest.raises(OSError, match="No space left"):
        call.rest()
    assert parallel.worker_count() == parallel.cpu_count()


def test_a_continued_call_killed_afterwards_fails_rest_with_a_clear_error() -> None:
    call = parallel.fork_call(lambda: parallel.Continued(1, lambda: os.kill(os.getpid(), signal.SIGKILL)))
    assert call.result() == 1
    with pytest.raises(ChildProcessError, match="exit code -9"):
        call.rest()
    assert parallel.worker_count() == parallel.cpu_count()


def test_a_continued_call_can_be_cancelled_after_its_result() -> None:
    call = parallel.fork_call(lambda: parallel.Continued(1, signal.pause))
    assert call.result() == 1
    call.cancel()
    assert parallel.worker_count() == parallel.cpu_count()


# --- a core lent by the build to the call it waits for -------------------------------------


def _poll_lent(seconds: float = 20) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if parallel.core_lent():
            return True
        time.sleep(0.01)
    return False


def test_a_call_can_fork_once_the_build_lends_it_the_core_it_waits_with() -> None:
    # The search process runs on the core the build leaves it; once the build has nothing
    # left but waiting for it, the build's core is idle, and the search may use it.
    looked, signal_looked = os.pipe()

    def call() -> tuple[tuple[bool, int], bool, int, int, int, bool]:
        before = parallel.core_lent(), parallel.worker_count()
        os.write(signal_looked, b"!")
        lent = _poll_lent()
        helper = parallel.fork_call(lambda: (os.getpid(), parallel.core_lent(), parallel.worker_count()))
        helper_pid, helper_lent, helper_workers = helper.result()
        return before, lent, parallel.worker_count(), helper_pid, helper_workers, helper_lent

    started = parallel.fork_call(call)
    os.read(looked, 1)
    started.lend_core()
    before, lent, workers_after, helper_pid, helper_workers, helper_lent = started.result()
    os.close(looked)
    os.close(signal_looked)
    assert before == (False, 1)  # one core until the build lends its own
    assert lent and workers_after == 2
    assert helper_pid != os.getpid()
    assert (helper_workers, helper_lent) == (1, False)  # the helper has one core and is lent none
    assert parallel.worker_count() == parallel.cpu_count()


def test_a_call_that_is_lent_nothing_keeps_to_its_own_core() -> None:
    def call() -> tuple[bool, int, int, int]:
        import time

        time.sleep(0.2)
        helper = parallel.fork_call(os.getpid)
        return parallel.core_lent(), parallel.worker_count(), os.getpid(), helper.result()

    lent, workers, call_pid, helper_pid = parallel.fork_call(call).result()
    assert (lent, workers) == (False, 1)
    assert call_pid != os.getpid()
    assert helper_pid == call_pid  # no second core: the nested call ran in the call's own process


def test_no_helper_is_forked_on_a_lent_core_without_the_memory_for_a_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    # A helper shares the search process's pages until it writes them; on a machine that
    # could not hold a second copy it must not be started (the kernel would kill a process).
    monkeypatch.setattr(parallel, "core_lent", lambda: True)
    assert parallel.may_fork_helper()  # this test process is far smaller than the free memory
    monkeypatch.setattr(parallel, "_available_bytes", lambda: parallel._resident_bytes() - 1)
    assert not parallel.may_fork_helper()


def test_a_helper_that_dies_has_its_work_done_here() -> None:
    parent = os.getpid()

    def work() -> int:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel does to a process out of memory
        return 42

    assert parallel.fork_helper(work)() == 42
    assert parallel.worker_count() == parallel.cpu_count()
