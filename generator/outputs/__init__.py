"""Files the portal publishes besides HTML pages: feeds, calendars, open data, search index.

Each output is a writer: a function that takes an ``OutputContext`` and writes its files
under ``context.site_dir``. Writers that read only the site graph are listed in
``GRAPH_WRITERS``: a build starts them, in a process of their own, as soon as the graph is
built, while the pages render. Writers that also need the list of built pages are in
``PAGE_WRITERS`` and run once the pages are written. All run before the new site replaces
the old one.
"""

from __future__ import annotations

import os
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
GRAPH_WRITERS: list[Writer] = [
    write_search_index,
    write_calendars,
    write_feeds,
    write_opendata,
]
PAGE_WRITERS: list[Writer] = [write_sitemap]  # read ``context.pages``


def write_graph_outputs(context: OutputContext) -> None:
    for writer in GRAPH_WRITERS:
        writer(context)


def write_page_outputs(context: OutputContext) -> None:
    for writer in PAGE_WRITERS:
        writer(context)


def write_outputs(context: OutputContext) -> None:
    write_graph_outputs(context)
    write_page_outputs(context)


def move_into(staging: Path, site_dir: Path) -> None:
    """Move every file written under ``staging`` to the same place under ``site_dir``."""
    for folder, _, names in os.walk(staging):
        target = site_dir / Path(folder).relative_to(staging)
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            os.replace(os.path.join(folder, name), target / name)
