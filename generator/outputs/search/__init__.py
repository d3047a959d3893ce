"""The portal's own static search index (Chinese segmentation, n-grams, 繁簡, pinyin).

Nothing here imports MkDocs: ``write_search_index`` is an output writer (see
``generator.outputs.writers``) and ``build_search_files`` can be called on any site graph.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from ...site.graph import SiteGraph
from ...site.urls import UrlScheme
from ..context import OutputContext, OutputTarget
from ..files import SiteFiles
from ..memo import OutputMemo, RecordKey, record_group
from ..statefile import Part
from .documents import SearchDocument, free_documents, record_document, search_documents, user_dictionary

if TYPE_CHECKING:  # the indexer's imports are heavy (see _FROM_WRITER)
    from .index import CharacterCounts

__all__ = ["SearchFiles", "build_search_files", "write_search_files", "write_search_index"]

WRITER = "search"
STATE_LABEL = "搜索索引"  # what the state is called in messages
# Made only when the index is built: the indexer imports jieba, OpenCC and pypinyin (over a
# second), which a build publishing the last build's index never needs.
_FROM_WRITER = ("SearchFiles", "build_search_files", "write_search_files")


def __getattr__(name: str) -> Any:
    if name in _FROM_WRITER:
        from . import writer

        return getattr(writer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def write_search_index(context: OutputContext) -> None:
    """Write the index. A build with the cache publishes the last build's files again when
    no record changed and the free pages are the same (``republish_search_index``); else it
    takes the last build's documents of records no edit reached (the pages' dependency model
    says which: ``OutputMemo.affected``) and updates the index from the state the last build
    kept (``SearchState``, read by the process writing the index alone)."""
    memo = context.memo
    if not memo.keeping:  # no build cache: nothing to keep for a next build
        from .writer import index_files, write_search_files

        documents = search_documents(context.graph, context.scheme, context.content_dir)
        files = index_files(documents, user_dictionary(context.graph))
        memo.remember(WRITER, None, write_search_files(OutputTarget.of(context), files))
        return
    if republish_search_index(context):
        return
    state = kept_search_state(memo)
    kept = state.records if state is not None else {}
    part = graph_part(context.graph, context.scheme, memo.affected, kept.__contains__)
    if not update_search_index(OutputTarget.of(context), state, part):  # every document is made or kept
        raise RuntimeError("search index: a record has no document")


@dataclass(frozen=True)
class GraphPart:
    """What the index needs of this build's site graph beside the last build's documents."""

    order: list[RecordKey]  # every record, in the graph's order
    made: dict[RecordKey, SearchDocument]  # the documents of records an edit reached or not kept
    dictionary: set[str]


def graph_part(
    graph: SiteGraph, scheme: UrlScheme, affected: frozenset[RecordKey] | None, kept: Callable[[RecordKey], bool]
) -> GraphPart:
    """``kept``: whether the last build's document of a record is at hand."""
    order: list[RecordKey] = []
    made: dict[RecordKey, SearchDocument] = {}
    for record in graph.all_records():
        key = (record.type_name, record.id)
        order.append(key)
        if affected is None or key in affected or not kept(key):
            made[key] = record_document(record, graph, scheme)
    return GraphPart(order, made, user_dictionary(graph))


def republish_search_index(context: OutputContext) -> bool:
    """Publish the last build's index again if no record changed and the free pages are the
    same (templates or configuration may have changed: the index is a function of the
    documents and the dictionary alone); whether it did."""
    memo = context.memo
    if not memo.keeping or memo.affected != frozenset():
        return False
    key = _files_key(OutputTarget.of(context), document_digests(free_documents(context.content_dir, context.scheme)))
    if not _published_again(context.files, memo.last(WRITER, key)):
        return False
    memo.for_file(WRITER, key, lambda: memo.last(WRITER, key))
    memo.carry_state(WRITER)
    return True


def kept_search_state(memo: OutputMemo) -> SearchState | None:
    """The state the last build kept (read from its file, checked)."""
    state: SearchState | None = memo.last_state(WRITER, STATE_LABEL)
    return state


def prepare_search_update(memo: OutputMemo) -> SearchState | None:
    """What a search process started before the graph does while the build checks the
    content: read the kept state, count the characters of its documents if the state has no
    counts yet (the first rebuild after a cold build), and load jieba's dictionary if it has
    no shards of it."""
    state = kept_search_state(memo)
    if state is None:
        return None
    if state.characters is None:
        from .index import CharacterCounts

        state.characters = CharacterCounts.of(document for document, _digest in state.records.values())
    if state.index[0].prefixes is None:  # no shards of the dictionary kept
        from .text import load_dictionary

        load_dictionary()
    return state


def update_search_index(target: OutputTarget, state: SearchState | None, part: GraphPart) -> bool:
    """Publish this build's index, updated from ``state`` with ``part``; False (nothing
    written) when a record's document is in neither (the state was not usable)."""
    memo = target.memo
    if state is not None and state.scheme != target.scheme:
        state = None
    kept = state.records if state is not None else {}
    records: dict[RecordKey, tuple[SearchDocument, str]] = {}
    for key in part.order:
        made = part.made.get(key)
        if made is not None:
            records[key] = (made, document_digests([made])[0])
        elif key in kept:
            records[key] = kept[key]
        else:
            return False
    free = free_documents(target.content_dir, target.scheme)
    free_digests = document_digests(free)
    ordered = sorted(records.values(), key=lambda found: found[0].standing)
    documents = [document for document, _ in ordered] + free
    digests = [digest for _, digest in ordered] + free_digests
    key = _files_key(target, free_digests)
    last = state.index if state is not None else None
    same = last is not None and last[0].digests == digests and last[0].dictionary == part.dictionary
    if same and _published_again(target.files, memo.previous(WRITER)):  # edits the index does not hold
        memo.remember(WRITER, key, memo.previous(WRITER))
        memo.carry_state(WRITER)  # equal digests: the kept documents are these
        return True
    from .writer import updated_index_files, write_search_files

    counts = _counts_after(state, records, part) if state is not None else None
    characters = _characters(counts, free) if counts is not None else None
    files, index = updated_index_files(documents, part.dictionary, digests, last, characters)
    memo.remember(WRITER, key, write_search_files(target, files))
    kept_state = SearchState(index, target.scheme, records, counts, state.record_parts if state is not None else {})
    if state is not None and index[0].prefixes is None:  # a rebuild on the whole dictionary
        memo.keep_state_made(WRITER, partial(_with_dictionary_shards, kept_state))
    else:
        memo.keep_state(WRITER, kept_state)
    return True


def _with_dictionary_shards(state: SearchState) -> SearchState:
    """The state with jieba's dictionary in shards, for the rebuilds after this one. Made by
    the first rebuild (once its files are sent back), not by a build from scratch: 0.3 s and
    24 MB that a cold build would spend for builds that may never come."""
    from .text import whole_dictionary_shards

    state.index[0].prefixes = Part(whole_dictionary_shards())
    return state


def _counts_after(
    state: SearchState, records: dict[RecordKey, tuple[SearchDocument, str]], part: GraphPart
) -> CharacterCounts | None:
    """The character counts of the new records' documents, from the kept documents' counts
    (``prepare_search_update``) and the documents an edit made, took away or added."""
    if state.characters is None:
        return None
    kept = state.records
    removed = [kept[key][0] for key in kept if key in part.made or key not in records]
    return state.characters.after(removed, [records[key][0] for key in part.made])


def _characters(counts: CharacterCounts, free: list[SearchDocument]) -> tuple[set[str], set[str]]:
    """The characters of the new documents' text and names: the records' and the free pages'."""
    from .index import index_characters, name_characters

    text, names = counts.present()
    for document in free:
        names |= name_characters(document)
    return text | index_characters(free), names


@dataclass
class SearchState:
    """What a build with the cache keeps for the next build's index, in a file of its own."""

    index: Any  # ``writer.updated_index_files``' state: the postings, profiles and files
    scheme: UrlScheme
    records: dict[RecordKey, tuple[SearchDocument, str]]  # each record's document and its digest
    # ``index.CharacterCounts`` of ``records``' documents: None in a cold build's state (the
    # first rebuild counts them while it waits for the graph), then kept from rebuild to rebuild.
    characters: CharacterCounts | None = field(default=None, compare=False)
    # The parts the last state kept its records in, by group (``record_group``). The documents
    # are a third of the state: a group whose records all have their kept digests is referred
    # to, not written again, so an edit of one record rewrites one group.
    record_parts: dict[int, Part] = field(default_factory=dict, compare=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        state = {**self.__dict__, "records": self._parts()}
        del state["record_parts"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        parts: dict[int, Part] = state["records"]
        records: dict[RecordKey, tuple[SearchDocument, str]] = {}
        for part in parts.values():
            records.update(part.value)
        self.__dict__.update(state, records=records, record_parts=parts)

    def _parts(self) -> dict[int, Part]:
        groups: dict[int, dict[RecordKey, tuple[SearchDocument, str]]] = {}
        for key, found in self.records.items():
            groups.setdefault(record_group(key), {})[key] = found
        return {number: self._part(number, group) for number, group in sorted(groups.items())}

    def _part(self, number: int, group: dict[RecordKey, tuple[SearchDocument, str]]) -> Part:
        kept = self.record_parts.get(number)
        if kept is not None and kept.value.keys() == group.keys() and all(
            kept.value[key][1] == digest for key, (_document, digest) in group.items()
        ):
            return kept  # equal digests: equal documents
        return Part(group)


def _files_key(target: OutputTarget, free_digests: list[str]) -> tuple[object, ...]:
    """What the index files are made of besides the records' documents."""
    return (_digest(free_digests), target.scheme, target.files.precompress)


def _published_again(files: SiteFiles, paths: list[str] | None) -> bool:
    """Keep the last build's index files ``paths`` (if the cache's copy of the site has them)."""
    if paths is None or not all(path in files.previous for path in paths):
        return False
    for path in paths:
        files.keep(path)
    return True


def document_digests(documents: list[SearchDocument]) -> list[str]:
    """A digest of everything each document holds (equal digests: equal documents): its
    dataclass repr shows every field (``astuple`` would deep-copy every list first)."""
    return [hashlib.sha256(repr(document).encode("utf-8")).hexdigest() for document in documents]


def _digest(digests: list[str]) -> str:
    return hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest()
