"""What every output writer is given: the site graph, where to write, and how pages are addressed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..render.rendering import SiteInfo
from ..site.graph import SiteGraph
from ..site.urls import UrlScheme
from .files import SiteFiles
from .memo import OutputMemo


@dataclass(frozen=True)
class OutputContext:
    graph: SiteGraph
    site_dir: Path
    scheme: UrlScheme
    site: SiteInfo
    # The content folder, for outputs that read free Markdown pages (the search index).
    content_dir: Path | None = None
    # Site-relative URLs of every HTML page of the build, records included (for the sitemap).
    pages: tuple[str, ...] = ()
    # Where the files written go on record (and which of them equal the previous build's).
    files: SiteFiles = field(default_factory=SiteFiles)
    # Writers' results of the last build that this one may reuse.
    memo: OutputMemo = field(default_factory=OutputMemo)

    def write(self, relative: str, data: bytes | str) -> None:
        """Publish one output file at ``relative`` (site-relative, ``/`` separated)."""
        self.files.write(self.site_dir, relative, data)


@dataclass(frozen=True)
class OutputTarget:
    """Where a writer publishes and what of the last build it may reuse, without the graph:
    all a process has that starts before this build's graph exists (``EarlyRebuild``)."""

    site_dir: Path
    files: SiteFiles
    memo: OutputMemo
    scheme: UrlScheme
    content_dir: Path | None

    @classmethod
    def of(cls, context: OutputContext) -> OutputTarget:
        return cls(context.site_dir, context.files, context.memo, context.scheme, context.content_dir)

    def write(self, relative: str, data: str) -> None:
        self.files.write(self.site_dir, relative, data)
