"""Where a search index is published, and what it is given of the site graph: all a
search process has that starts before this build's graph exists."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...site.urls import UrlScheme
from ..context import OutputContext
from ..files import SiteFiles
from ..memo import OutputMemo, RecordKey
from .documents import SearchDocument


@dataclass(frozen=True)
class IndexTarget:
    """Where the index is published and what of the last build it may reuse: all a search
    process has that starts before this build's graph exists (it is given a ``GraphPart``)."""

    site_dir: Path
    files: SiteFiles
    memo: OutputMemo
    scheme: UrlScheme
    content_dir: Path | None

    @classmethod
    def of(cls, context: OutputContext) -> IndexTarget:
        return cls(context.site_dir, context.files, context.memo, context.scheme, context.content_dir)

    def write(self, relative: str, data: str) -> None:
        self.files.write(self.site_dir, relative, data)


@dataclass(frozen=True)
class GraphPart:
    """What the index needs of this build's site graph beside the last build's documents."""

    order: list[RecordKey]  # every record, in the graph's order
    made: dict[RecordKey, SearchDocument]  # the documents of records an edit reached or not kept
    dictionary: set[str]
    affected: frozenset[RecordKey] | None  # see ``OutputMemo.affected``
