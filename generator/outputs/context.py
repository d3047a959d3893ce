"""What every output writer is given: the site graph, where to write, and how pages are addressed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..render.rendering import SiteInfo
from ..site.graph import SiteGraph
from ..site.urls import UrlScheme


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
