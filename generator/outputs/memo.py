"""Output writers' results kept from the last build, so that a rebuild recomputes only what an
edit reaches (the build cache keeps them; ``tongxin serve`` and builds without a cache start
with an empty memo, which recomputes everything).

A result is kept per record (a lecture's calendar event, a record's open-data entry) or per
file (a feed), under a ``key`` standing for everything else it is made from (the build
date, the site's name and address, the digest of a feed's entries). A per-record result is
reused only while its record is not among the records the edit affects, as the pages'
dependency model tells them (``generator.mkdocs_plugin.incremental``: the edited records,
the records they link to and that link to them), and its key is the same.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..content.models import Record
from ..site.graph import SiteGraph

T = TypeVar("T")
RecordKey = tuple[str, str]
RECORD_GROUPS = 16  # per-record results are kept in this many groups per writer (see by_writer)


def _group_of(slot: tuple[str, ...]) -> str:
    """The group a result is kept in: its writer's, and for a per-record result one of the
    writer's ``RECORD_GROUPS`` (by record, the same in every build)."""
    if len(slot) == 1:
        return slot[0]
    return f"{slot[0]}#{zlib.crc32(chr(0).join(slot[1:]).encode()) % RECORD_GROUPS}"


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
