"""The portal's own static search index (Chinese segmentation, n-grams, 繁簡, pinyin).

Nothing here imports MkDocs: ``write_search_index`` is an output writer (see
``generator.outputs.writers``) and ``build_search_files`` can be called on any site graph.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..context import OutputContext
from .documents import SearchDocument, search_documents, user_dictionary

__all__ = ["SearchFiles", "build_search_files", "write_search_files", "write_search_index"]

WRITER = "search"
# Made only when the index is built: the indexer imports jieba, OpenCC and pypinyin (over a
# second), which a build publishing the last build's index never needs.
_FROM_WRITER = ("SearchFiles", "build_search_files", "write_search_files")


def __getattr__(name: str) -> Any:
    if name in _FROM_WRITER:
        from . import writer

        return getattr(writer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def write_search_index(context: OutputContext) -> None:
    """Write the index; a build with the cache publishes the last build's files again when
    every document and the dictionary are the same (the index is a function of them alone:
    nothing changed, or only templates or records' fields the index does not hold), and
    otherwise updates the index from the state the last build kept (``IndexState``)."""
    documents = search_documents(context.graph, context.scheme, context.content_dir)
    dictionary = user_dictionary(context.graph)
    digests = document_digests(documents)
    key = (_digest(digests, dictionary), context.files.precompress)
    kept: tuple[list[str], Any] | None = context.memo.last(WRITER, key)
    if kept is not None and all(path in context.files.previous for path in kept[0]):
        for path in kept[0]:
            context.files.keep(path)
        context.memo.for_file(WRITER, key, lambda: kept)
        return
    from .writer import index_files, updated_index_files, write_search_files

    if not context.memo.keeping:  # no build cache: nothing to keep for a next build
        context.memo.remember(WRITER, key, (write_search_files(context, index_files(documents, dictionary)), None))
        return
    last = context.memo.previous(WRITER)
    files, state = updated_index_files(documents, dictionary, digests, last[1] if last is not None else None)
    context.memo.remember(WRITER, key, (write_search_files(context, files), state))


def document_digests(documents: list[SearchDocument]) -> list[str]:
    """A digest of everything each document holds (equal digests: equal documents): its
    dataclass repr shows every field (``astuple`` would deep-copy every list first)."""
    return [hashlib.sha256(repr(document).encode("utf-8")).hexdigest() for document in documents]


def _digest(digests: list[str], dictionary: set[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(dictionary)).encode("utf-8"))
    digest.update("\n".join(digests).encode("ascii"))
    return digest.hexdigest()
