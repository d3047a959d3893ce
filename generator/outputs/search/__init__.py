"""The portal's own static search index (Chinese segmentation, n-grams, 繁簡, pinyin).

Nothing here imports MkDocs: ``write_search_index`` is an output writer (see
``generator.outputs.writers``) and ``build_search_files`` can be called on any site graph.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ...site.urls import UrlScheme
from ..context import OutputContext
from ..memo import RecordKey
from .documents import SearchDocument, free_documents, index_order, record_document, record_documents, user_dictionary

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
    no record changed and the free pages are the same (the index is a function of the
    documents and the dictionary alone: templates or configuration may have changed); else
    it takes the last build's documents of records no edit reached (the pages' dependency
    model says which: ``OutputMemo.affected``) and updates the index from the state the last
    build kept (``SearchState``, read by this process alone)."""
    memo = context.memo
    free = free_documents(context.content_dir, context.scheme)
    if not memo.keeping:  # no build cache: nothing to keep for a next build
        from .writer import index_files, write_search_files

        documents = index_order(list(record_documents(context.graph, context.scheme)), free)
        memo.remember(WRITER, None, write_search_files(context, index_files(documents, user_dictionary(context.graph))))
        return
    free_digests = document_digests(free)
    key = (_digest(free_digests), context.scheme, context.files.precompress)
    if memo.affected == frozenset() and _published_again(context, memo.last(WRITER, key)):
        memo.for_file(WRITER, key, lambda: memo.last(WRITER, key))
        memo.carry_state(WRITER)
        return
    state: SearchState | None = memo.last_state(WRITER, STATE_LABEL)
    if state is not None and state.scheme != context.scheme:
        state = None
    records = _record_documents(context, state.records if state is not None else {})
    ordered = sorted(records.values(), key=lambda found: found[0].standing)
    documents = [document for document, _ in ordered] + free
    digests = [digest for _, digest in ordered] + free_digests
    dictionary = user_dictionary(context.graph)
    last = state.index if state is not None else None
    same = last is not None and last[0].digests == digests and last[0].dictionary == dictionary
    if same and _published_again(context, memo.previous(WRITER)):  # edits the index does not hold
        memo.remember(WRITER, key, memo.previous(WRITER))
        memo.carry_state(WRITER)  # equal digests: the kept documents are these
        return
    from .writer import updated_index_files, write_search_files

    files, index = updated_index_files(documents, dictionary, digests, last)
    memo.remember(WRITER, key, write_search_files(context, files))
    memo.keep_state(WRITER, SearchState(index, context.scheme, records))


@dataclass
class SearchState:
    """What a build with the cache keeps for the next build's index, in a file of its own."""

    index: Any  # ``writer.updated_index_files``' state: the postings, profiles and files
    scheme: UrlScheme
    records: dict[RecordKey, tuple[SearchDocument, str]]  # each record's document and its digest


def _published_again(context: OutputContext, paths: list[str] | None) -> bool:
    """Keep the last build's index files ``paths`` (if the cache's copy of the site has them)."""
    if paths is None or not all(path in context.files.previous for path in paths):
        return False
    for path in paths:
        context.files.keep(path)
    return True


def _record_documents(
    context: OutputContext, kept: dict[RecordKey, tuple[SearchDocument, str]]
) -> dict[RecordKey, tuple[SearchDocument, str]]:
    """Every record's document and digest: ``kept`` for records no edit reached."""
    affected = context.memo.affected
    found = {}
    for record in context.graph.all_records():
        key = (record.type_name, record.id)
        known = kept.get(key) if affected is not None and key not in affected else None
        if known is None:
            document = record_document(record, context.graph, context.scheme)
            known = (document, document_digests([document])[0])
        found[key] = known
    return found


def document_digests(documents: list[SearchDocument]) -> list[str]:
    """A digest of everything each document holds (equal digests: equal documents): its
    dataclass repr shows every field (``astuple`` would deep-copy every list first)."""
    return [hashlib.sha256(repr(document).encode("utf-8")).hexdigest() for document in documents]


def _digest(digests: list[str]) -> str:
    return hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest()
