"""The portal's own static search index (Chinese segmentation, n-grams, 繁簡, pinyin).

Nothing here imports MkDocs: ``write_search_index`` is an output writer (see
``generator.outputs.writers``) and ``build_search_files`` can be called on any site graph.
"""

from __future__ import annotations

from ..context import OutputContext
from .writer import SearchFiles, build_search_files, write_search_files

__all__ = ["SearchFiles", "build_search_files", "write_search_files", "write_search_index"]


def write_search_index(context: OutputContext) -> None:
    search = build_search_files(context.graph, context.scheme, context.content_dir)
    write_search_files(context, search)
