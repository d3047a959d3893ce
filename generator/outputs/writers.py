"""The writers of the files the portal publishes besides HTML pages: feeds, calendars, open data, search index.

Each output is a writer: a function that takes an ``OutputContext`` and writes its files
under ``context.site_dir``. ``EARLY_WRITERS`` read only the site graph and take long enough
to be worth a process of their own: a build starts them as soon as the graph is built,
while the pages render. ``LATE_WRITERS`` are quick, or need the list of built pages
(``context.pages``), and run once the pages are written. All run before the new site
replaces the old one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..parallel import ForkedCall, fork_call_given
from .calendar import write_calendars
from .context import OutputContext
from .feeds import write_feeds
from .files import SiteFiles
from .memo import OutputMemo
from .opendata import write_opendata
from .sitemap import write_sitemap

if TYPE_CHECKING:
    from .search.target import GraphPart, IndexTarget

Writer = Callable[[OutputContext], None]


def write_search_index(context: OutputContext) -> None:
    """The search index (``generator.outputs.search``, imported here: it is written by a
    process of its own, and a rebuild whose records did not change never needs it)."""
    from .search import write_search_index as write

    write(context)

# Writers run in this order; add new outputs here. The search index takes about as long as
# rendering every page; the others together take a tenth of that.
EARLY_WRITERS: list[Writer] = [write_search_index]
LATE_WRITERS: list[Writer] = [write_calendars, write_feeds, write_opendata, write_sitemap]


EarlyOutputs = tuple[SiteFiles, OutputMemo]


def write_early_outputs(context: OutputContext) -> EarlyOutputs:
    """The early outputs; what they wrote and computed (for a process of its own to send
    back: the results only, not the graphs and kept results it was given)."""
    for writer in EARLY_WRITERS:
        writer(context)
    return context.files, _computed(context.memo)


def _computed(memo: OutputMemo) -> OutputMemo:
    return OutputMemo(results=memo.results, computed=memo.computed, states=memo.states)


# A rebuild with the search index's kept state starts the search process before the site
# graph exists: it reads the state and jieba's dictionary (a few seconds at 10,000 records)
# while the build checks the content, then is given what it needs of the graph.


def prepare_early_outputs(target: IndexTarget) -> ForkedCall[EarlyOutputs | None]:
    """The early outputs of a rebuild, started now in a process of its own and given
    ``early_outputs_input`` once the graph exists. None for a result: the kept state was not
    usable, and the outputs are to be written with ``write_early_outputs``."""
    return fork_call_given(partial(_prepared_early_outputs, target))


def _prepared_early_outputs(target: IndexTarget, receive: Callable[[], GraphPart]) -> EarlyOutputs | None:
    from .search import prepare_search_update, update_search_index

    state = prepare_search_update(target.memo)
    if not update_search_index(target, state, receive()):
        return None
    return target.files, _computed(target.memo)


def early_outputs_input(context: OutputContext) -> GraphPart:
    from .search import graph_part

    last = context.memo.previous_graph
    return graph_part(context.graph, context.scheme, context.memo.affected,
                      lambda key: last is not None and last.get(*key) is not None)


def republish_early_outputs(context: OutputContext) -> bool:
    """Publish the last build's early outputs again if nothing they are made of changed."""
    from .search import republish_search_index

    return republish_search_index(context)


def write_late_outputs(context: OutputContext) -> None:
    for writer in LATE_WRITERS:
        writer(context)


def write_outputs(context: OutputContext) -> None:
    write_early_outputs(context)
    write_late_outputs(context)


def move_into(staging: Path, site_dir: Path) -> None:
    """Move every file written under ``staging`` to the same place under ``site_dir``."""
    for folder, _, names in os.walk(staging):
        target = site_dir / Path(folder).relative_to(staging)
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            os.replace(os.path.join(folder, name), target / name)
