"""Output writers' results kept from the last build, so that a rebuild recomputes only what an
edit reaches (the build cache keeps them; ``tongxin serve`` and builds without a cache start
with an empty memo, which recomputes everything).

A result is kept per record (a lecture's calendar event, a record's open-data entry) or per
file (a feed), under a ``key`` standing for everything else it is made from (the build
date, the site's name and address, the digest of a feed's entries). A per-record result is
reused only while its record is not among the records the edit affects, as the pages'
dependency model tells them (``generator.mkdocs_plugin.incremental``: the edited records,
the records they link to and that link to them), and its key is the same.

A writer may also keep a large state for updating its files (the search index's postings):
it goes into a file of its own in the build cache (``StoredState``), written and read only by
the process running the writer, so the build process never loads or pickles it.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import pickle
import shutil
import stat
import zlib
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from ..content.models import Record
from ..site.graph import SiteGraph
from . import statefile

log = logging.getLogger("mkdocs.plugins.tongxin.memo")

T = TypeVar("T")
RecordKey = tuple[str, str]
RECORD_GROUPS = 16  # per-record results are kept in this many groups per writer (see by_writer)
STATE_FILES = "state-*.pickle"  # the names ``StoredState`` files have in the cache folder


@dataclass(frozen=True)
class StoredState:
    """A writer's state in a file of the cache folder, named after and checked against the
    SHA-256 of its bytes: the digest is kept in the cache's signed state, so the file is
    unpickled only when its bytes are the ones that build wrote. Its parts
    (``statefile.Part``) are files of their own, named and checked in the same way: the state
    file holds their digests."""

    name: str
    digest: str
    parts: tuple[str, ...] = ()  # the digests of its parts' files

    @classmethod
    def store(cls, folder: Path, value: Any) -> StoredState:
        """``value`` written into new files of ``folder`` (streamed, its large arrays from
        their own memory: a large state is not held in memory twice, as objects and as
        bytes); a part still in the file it was loaded from is not written again."""
        digest, parts = _write_state_file(folder, value, partial(_stored_part, folder))
        return cls(_state_file_name(digest), digest, tuple(dict.fromkeys(parts)))

    def files(self) -> list[str]:
        """The names of its files in the cache folder: the state's and its parts'."""
        return [self.name, *map(_state_file_name, self.parts)]

    def load(self, folder: Path) -> Any:
        """The state; None when one of its files is missing or its bytes are not the stored
        ones (read once: bytes checked and then read again could have been changed in between)."""
        try:
            return _read_state_file(folder, self.digest, partial(_loaded_part, folder))
        except (OSError, ValueError, pickle.UnpicklingError):  # missing, altered, or another layout
            return None


def _state_file_name(digest: str) -> str:
    return STATE_FILES.replace("*", digest[:20])


def _write_state_file(folder: Path, value: Any, store_part: statefile.PartStore | None) -> tuple[str, list[str]]:
    """``value`` in a new file named after its digest; that digest and those of its parts."""
    temporary = folder / f".state-{os.getpid()}-{'state' if store_part else 'part'}.tmp"
    with temporary.open("wb") as file:
        hashing = _HashingWriter(file)
        parts = statefile.dump(value, hashing, store_part)
    digest = hashing.digest.hexdigest()
    replace_cache_file(temporary, folder / _state_file_name(digest))
    return digest, parts


def _stored_part(folder: Path, part: statefile.Part) -> str:
    if part.digest is not None and (folder / _state_file_name(part.digest)).is_file():
        return part.digest  # loaded with the state, unchanged since: its file is there
    return _write_state_file(folder, part.value, None)[0]


def _read_state_file(folder: Path, digest: str, load_part: statefile.PartLoad | None) -> Any:
    data = read_cache_file(folder / _state_file_name(digest))
    if hashlib.sha256(data).hexdigest() != digest:
        raise ValueError("a state file's bytes are not the stored ones")
    with collector_paused():
        return statefile.loads(data, load_part)


def _loaded_part(folder: Path, digest: str) -> Any:
    return _read_state_file(folder, digest, None)


class _HashingWriter:
    """A file that also hashes what is written to it."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.file.write(data)


def read_cache_file(path: Path) -> bytes:
    """The bytes of a file the build cache wrote. Only a regular file is read: a cache
    restored from elsewhere (a CI cache, a copied folder) could hold a link to /dev/zero or a
    named pipe in its place, and reading that would never end. OSError otherwise."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(f"not a regular file: {path}")
        return file.read()


def replace_cache_file(temporary: Path, path: Path) -> None:
    """``temporary`` moved to ``path`` in the cache folder. A folder in its place (a cache
    restored from elsewhere can hold anything) is removed first: ``os.replace`` would refuse
    it, and a file written again under the same name would then fail every build."""
    remove_cache_file(path)
    os.replace(temporary, path)


def remove_cache_file(path: Path) -> None:
    """Remove what the cache folder holds at ``path``, a file or not (nothing if missing)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Tens of thousands of objects made or walked at once: the cyclic garbage collector
    would scan the growing heap again and again (a third of the time) for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _group_of(slot: tuple[str, ...]) -> str:
    """The group a result is kept in: its writer's, and for a per-record result one of the
    writer's ``RECORD_GROUPS``."""
    if len(slot) == 1:
        return slot[0]
    return f"{slot[0]}#{record_group(slot[1:])}"


def record_group(key: tuple[str, ...]) -> int:
    """Which of ``RECORD_GROUPS`` groups a record's kept results are in (the same in every build)."""
    return zlib.crc32(chr(0).join(key).encode()) % RECORD_GROUPS


@dataclass
class OutputMemo:
    # The last build's results: (writer, record type, record id) or (writer,) -> (key, value).
    kept: dict[tuple[str, ...], tuple[Hashable, Any]] = field(default_factory=dict)
    # Records whose results must be computed again; None: every record's.
    affected: frozenset[RecordKey] | None = None
    # This build's results, for the next build.
    results: dict[tuple[str, ...], tuple[Hashable, Any]] = field(default_factory=dict)
    # Whether this build's results are kept (a build with the cache): writers may then
    # record what a later build needs to update their files instead of making them anew.
    keeping: bool = False
    # The last build's graph, and the folder holding its files (the cache's copy of the site).
    previous_graph: SiteGraph | None = None
    previous_files: Path | None = None
    # Writers that computed something this build (the others' results are the kept ones).
    computed: set[str] = field(default_factory=set)
    # Writers' states (``StoredState``): the last build's, this build's, and their folder.
    kept_states: dict[str, StoredState] = field(default_factory=dict)
    states: dict[str, StoredState] = field(default_factory=dict)
    state_folder: Path | None = None
    # States ``keep_state`` holds back (their makers) for ``store_states`` (None: stored at once). A process
    # writing an output sends its files first and stores its state after: the build then
    # publishes the site meanwhile, and needs the state's digest only to save the cache.
    unstored: dict[str, Any] | None = None

    def last(self, writer: str, key: Hashable) -> Any:
        """What ``writer`` kept with ``remember`` in the last build under the same ``key``, or None."""
        known = self.kept.get((writer,))
        return known[1] if known is not None and known[0] == key else None

    def previous(self, writer: str) -> Any:
        """What ``writer`` kept with ``remember`` in the last build, whatever its key, or None
        (a writer updating its last result instead of making it anew)."""
        known = self.kept.get((writer,))
        return known[1] if known is not None else None

    def remember(self, writer: str, key: Hashable, value: Any) -> None:
        self.results[(writer,)] = (key, value)
        self.computed.add(writer)

    def last_state(self, writer: str, label: str) -> Any:
        """The state ``writer`` kept with ``keep_state`` in the last build, read from its file
        and checked; None when there is none or (said in the log, as ``label``) it was altered."""
        stored = self.kept_states.get(writer)
        if stored is None or self.state_folder is None:
            return None
        try:
            value = stored.load(self.state_folder)
        except Exception:  # bytes with the right digest that do not unpickle: never trusted
            value = None
        if value is None:
            log.warning(f"构建缓存里{label}的状态文件不完整或已被改动，本次从头生成{label}"
                        f"（the build cache's {writer} state file is missing or altered; making it from scratch）")
        return value

    def keep_state(self, writer: str, value: Any) -> None:
        """Keep ``value`` for ``writer``'s next build (in a build with the cache)."""
        self.keep_state_made(writer, lambda: value)

    def keep_state_made(self, writer: str, make: Callable[[], Any]) -> None:
        """Keep what ``make()`` returns for ``writer``'s next build, made when it is stored:
        after the files were sent back, in a process holding its states back (``unstored``)."""
        if not self.keeping or self.state_folder is None:
            return
        if self.unstored is not None:
            self.unstored[writer] = make
        else:
            self.states[writer] = StoredState.store(self.state_folder, make())

    def store_states(self) -> dict[str, StoredState]:
        """Make and store the states held back (see ``unstored``); their files, by writer."""
        assert self.state_folder is not None or not self.unstored
        unstored, self.unstored = self.unstored or {}, None
        return {writer: StoredState.store(self.state_folder, make())  # type: ignore[arg-type]
                for writer, make in unstored.items()}

    def carry_state(self, writer: str) -> None:
        """Keep the last build's state of ``writer`` for the next build (its files did not change)."""
        if writer in self.kept_states:
            self.states[writer] = self.kept_states[writer]

    def by_writer(self) -> tuple[dict[str, dict[tuple[str, ...], tuple[Hashable, Any]]], set[str]]:
        """This build's results in groups (a writer's results, the per-record ones in
        ``RECORD_GROUPS`` groups by record, so that an edit changes few of them), and the
        groups whose results are exactly the kept ones (nothing computed, nothing dropped)."""
        groups: dict[str, dict[tuple[str, ...], tuple[Hashable, Any]]] = {}
        for slot, result in self.results.items():
            groups.setdefault(_group_of(slot), {})[slot] = result
        kept: dict[str, int] = {}
        for slot in self.kept:
            group = _group_of(slot)
            kept[group] = kept.get(group, 0) + 1
        unchanged = {name for name, group in groups.items() if len(group) == kept.get(name) and (
            name.partition("#")[0] not in self.computed
            or all(self._reused(slot, result) for slot, result in group.items()))}
        return groups, unchanged

    def _reused(self, slot: tuple[str, ...], result: tuple[Hashable, Any]) -> bool:
        """Whether ``result`` is the kept result of ``slot`` itself (taken over, not computed)."""
        known = self.kept.get(slot)
        return known is not None and known[1] is result[1] and known[0] == result[0]

    def for_record(self, writer: str, record: Record, key: Hashable, compute: Callable[[], T]) -> T:
        outside_edit = self.affected is not None and (record.type_name, record.id) not in self.affected
        return self._result((writer, record.type_name, record.id), key, outside_edit, compute)

    def for_file(self, writer: str, key: Hashable, compute: Callable[[], T]) -> T:
        return self._result((writer,), key, True, compute)

    def _result(self, slot: tuple[str, ...], key: Hashable, may_reuse: bool, compute: Callable[[], T]) -> T:
        """The kept result under ``slot`` if it may be reused and has the same ``key``, else computed."""
        known = self.kept.get(slot)
        if may_reuse and known is not None and known[0] == key:
            value: T = known[1]
        else:
            value = compute()
            self.computed.add(slot[0])
        self.results[slot] = (key, value)
        return value

    def merge(self, other: OutputMemo) -> None:
        """Results another process computed (the search index, written beside the pages)."""
        self.results.update(other.results)
        self.computed |= other.computed
        self.states.update(other.states)
