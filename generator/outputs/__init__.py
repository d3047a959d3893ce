"""Files the portal publishes besides HTML pages: feeds, calendars, open data, search index.

Each output is a writer: a function that takes an ``OutputContext`` and writes its files
under ``context.site_dir``. Writers are listed in ``WRITERS``; the MkDocs plugin runs them
after the pages are written and before the new site replaces the old one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..graph import SiteGraph
from ..rendering import SiteInfo
from ..search import write_search_index
from ..urls import UrlScheme
from .calendar import write_calendars
from .feeds import write_feeds
from .opendata import write_opendata
from .sitemap import write_sitemap


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


Writer = Callable[[OutputContext], None]

# Writers run in this order; add new outputs here.
WRITERS: list[Writer] = [
    write_search_index,
    write_calendars,
    write_feeds,
    write_opendata,
    write_sitemap,
]


def write_outputs(context: OutputContext) -> None:
    for writer in WRITERS:
        writer(context)
