"""Publishing a built site in one step, and cleaning up after a build that was killed.

A build writes into ``.site.building`` next to ``site/``. Publishing exchanges the two
folders with ``renameat2(RENAME_EXCHANGE)`` (Linux 3.15+, ext4, xfs, btrfs, tmpfs…): one
system call, so at every instant ``site/`` is the old site or the new one, never missing.
Where the call is unsupported (another OS or file system), two renames are used instead:
``site/`` → ``.site.previous``, then ``.site.building`` → ``site/``; a build killed between
them leaves no ``site/`` for a moment, and the next build restores ``.site.previous``.

``recover`` runs at the start of every build: it puts back a ``site/`` that a killed build
left missing and removes the temporary folders, saying what it did.

Two builds of one site at once would take each other's temporary folders for a killed
build's: a build holds ``lock_site`` from before ``recover`` until it has published.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

AT_FDCWD = -100
RENAME_EXCHANGE = 2
# Temporary folders next to the site, by what they hold.
BUILDING, PREVIOUS, OUTPUTS = "building", "previous", "outputs"


def sibling(final: Path, kind: str) -> Path:
    return final.parent / f".{final.name}.{kind}"


def lock_site(final: Path, waiting: Callable[[], None]) -> int:
    """Wait until no other build writes ``final`` or its siblings (``waiting()`` is called
    once when one does), then hold that until ``unlock_site``. The lock is the folder that
    holds them, locked with ``flock``: it leaves no file behind, and a killed build's ends
    with its process."""
    final.parent.mkdir(parents=True, exist_ok=True)
    folder = os.open(final.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        waiting()
        fcntl.flock(folder, fcntl.LOCK_EX)
    return folder


def unlock_site(lock: int) -> None:
    os.close(lock)  # releases the flock


def _renameat2() -> object | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _renameat2()


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically; False where the system cannot (then nothing changed)."""
    if _RENAMEAT2 is None:
        return False
    result = _RENAMEAT2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE)  # type: ignore[operator]
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def publish(building: Path, final: Path) -> None:
    """Make ``building`` the site at ``final``; the old site is deleted afterwards."""
    if final.exists() and exchange(building, final):
        shutil.rmtree(building, ignore_errors=True)  # now the old site
        return
    previous = sibling(final, PREVIOUS)
    shutil.rmtree(previous, ignore_errors=True)
    if final.exists():
        final.rename(previous)
    building.rename(final)
    shutil.rmtree(previous, ignore_errors=True)


def recover(final: Path) -> list[tuple[str, str]]:
    """Undo what a killed build left next to ``final``; (zh, en) of every step taken."""
    said: list[tuple[str, str]] = []
    previous = sibling(final, PREVIOUS)
    if not final.exists() and previous.is_dir():
        previous.rename(final)
        said.append((f"上一次构建被中断，{final.name}/ 不在了：已从 {previous.name} 恢复原来的站点（site/ restored）",
                     f"a killed build left no {final.name}/: restored the previous site from {previous.name}"))
    for kind in (BUILDING, PREVIOUS, OUTPUTS):
        leftover = sibling(final, kind)
        if leftover.exists():
            shutil.rmtree(leftover, ignore_errors=True)
            said.append((f"已清理上一次被中断的构建留下的 {leftover.name}（site/ 未受影响）",
                         f"cleaned {leftover.name} left by a killed build"))
    return said
